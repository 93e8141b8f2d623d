//! `gptbots decode [--chunk-size N] [--assemble] [FILE]`: decode a captured streaming body.
//!
//! Prints one line per frame: the frame as compact JSON, with the documented `message` for
//! the known codes (0 End, 3 Text, 4 Cost, 10 FlowOutput, 11 MessageInfo, 39 Audio) and every
//! other field as it came; error frames and unknown codes exactly as they came (field order
//! aside). Exits 0 when the whole input decoded. On the first fault (a frame the decoder would
//! step over, or input ending inside a frame) it has printed the frames before it, prints the
//! error with its byte offset on standard error, and exits 1.
//!
//! With `--assemble` it prints the assembled reply instead, as one pretty-printed JSON object
//! (the shape is documented in `gptbots_protocol::stream::assemble`). A frame it cannot read
//! is stepped over, recorded in the reply (`faults`, status `complete_with_faults`) and named
//! in a warning line on standard error. The input is read as it comes, and what the reply
//! keeps is bounded (`--max-reply-bytes`, 64 MiB by default; past it the status is
//! `too_large`). It exits 1 when the stream was cut off (no End frame), carried an error
//! frame, or was too large, or when the input ends inside a frame (after printing what was
//! assembled before it).

use std::fs::File;
use std::io::{self, ErrorKind, Read, Write};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use bytes::BytesMut;
use clap::Args;
use gptbots_protocol::stream::assemble::DEFAULT_ASSEMBLED_LIMIT;
use gptbots_protocol::stream::{
    DEFAULT_MAX_FRAME_SIZE, DecodedItem, FrameDecoder, ReplyAssembler, StreamError,
};
use gptbots_protocol::testing::Driver;

/// Arguments of `gptbots decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Feed the decoder N bytes at a time (default: as read).
    #[arg(long, value_name = "N")]
    chunk_size: Option<NonZeroUsize>,
    /// Print the assembled reply as one JSON object instead of the frames.
    #[arg(long)]
    assemble: bool,
    /// Skip (as a fault) any frame longer than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FRAME_SIZE)]
    max_frame_size: usize,
    /// With --assemble: keep at most this many bytes of the reply (text, audio, outputs...).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_ASSEMBLED_LIMIT)]
    max_reply_bytes: usize,
    /// The captured body; standard input when absent or `-`.
    file: Option<PathBuf>,
}

/// Why decoding stopped early.
enum Stop {
    /// A decode fault (already described).
    Fault(String),
    /// Reading the input failed.
    Read(io::Error),
    /// Writing the output failed.
    Write(io::Error),
}

impl DecodeArgs {
    /// Runs the subcommand (synchronously: it reads a file or standard input and needs no
    /// runtime, but is called like the others).
    pub async fn run(self) -> ExitCode {
        let input: Box<dyn Read> = match &self.file {
            Some(path) if path.as_os_str() != "-" => match File::open(path) {
                Ok(file) => Box::new(file),
                Err(err) => {
                    eprintln!("gptbots decode: {}: {err}", path.display());
                    return ExitCode::FAILURE;
                }
            },
            _ => Box::new(io::stdin().lock()),
        };
        let stdout = io::stdout();
        let mut out = stdout.lock();
        let mut sink = Sink {
            assembler: self
                .assemble
                .then(|| ReplyAssembler::with_limit(self.max_reply_bytes)),
            out: &mut out,
        };
        let result = self.decode(input, &mut sink);
        let assembled = sink.assembler.take().map(ReplyAssembler::finish);
        let mut failed = false;
        if let Some(reply) = &assembled {
            let printed = serde_json::to_writer_pretty(&mut out, reply)
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out));
            if let Err(err) = printed {
                return write_failed(&err);
            }
            crate::chat::warn_faults("gptbots decode", reply);
            failed = !reply.is_complete();
        }
        match result {
            Ok(()) if failed => ExitCode::FAILURE,
            Ok(()) => ExitCode::SUCCESS,
            Err(Stop::Fault(message)) => {
                eprintln!("gptbots decode: {message}");
                ExitCode::FAILURE
            }
            Err(Stop::Read(err)) => {
                eprintln!("gptbots decode: reading the input failed: {err}");
                ExitCode::FAILURE
            }
            Err(Stop::Write(err)) => write_failed(&err),
        }
    }

    fn decode(&self, mut input: Box<dyn Read>, sink: &mut Sink<'_>) -> Result<(), Stop> {
        let mut driver = Driver::new(FrameDecoder::with_max_frame_size(self.max_frame_size));
        let mut item = |item, _: &FrameDecoder, _: &BytesMut| sink.item(item);
        let mut read_buf = vec![0u8; 64 * 1024];
        loop {
            let n = match input.read(&mut read_buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(err) if err.kind() == ErrorKind::Interrupted => continue,
                Err(err) => return Err(Stop::Read(err)),
            };
            let data = read_buf.get(..n).unwrap_or_default();
            let step = self.chunk_size.map_or(n.max(1), NonZeroUsize::get);
            for chunk in data.chunks(step) {
                driver.feed(chunk, &mut item)?;
            }
        }
        driver.finish(&mut item)
    }
}

impl From<StreamError> for Stop {
    fn from(err: StreamError) -> Self {
        fault(err)
    }
}

fn fault(err: StreamError) -> Stop {
    Stop::Fault(err.to_string())
}

/// Where decoded frames go: printed, or folded into a reply.
struct Sink<'a> {
    assembler: Option<ReplyAssembler>,
    out: &'a mut dyn Write,
}

impl Sink<'_> {
    /// Folds in (a fault too: the assembler records it and goes on) or prints (the first
    /// fault stops).
    fn item(&mut self, item: DecodedItem) -> Result<(), Stop> {
        if let Some(assembler) = &mut self.assembler {
            match &item {
                Ok(frame) => {
                    assembler.push(frame);
                }
                Err(err) => assembler.push_error(err),
            }
            return Ok(());
        }
        let frame = item.map_err(|e| Stop::Fault(e.to_string()))?;
        let json = serde_json::to_string(&frame.with_canonical_message())
            .map_err(|err| Stop::Write(err.into()))?;
        writeln!(self.out, "{json}").map_err(Stop::Write)
    }
}

fn write_failed(err: &io::Error) -> ExitCode {
    if err.kind() == ErrorKind::BrokenPipe {
        // The reader went away (`| head`): not our failure.
        return ExitCode::SUCCESS;
    }
    eprintln!("gptbots decode: writing the output failed: {err}");
    ExitCode::FAILURE
}
