//! The stream decoder under arbitrary splits: the whole input in one buffer and the same input
//! fed in chunks give the same items (frames and stepped-over frame errors) and the same first
//! stream error; no frame comes out larger than the maximum frame size; the buffer never holds
//! more than the maximum frame size plus one chunk.
//!
//! Input: `[max][k][k chunk sizes][body]` (see fuzz/README.md):
//! - `max`: `0x00..=0x7f` the default maximum frame size; `0x80 | i` a maximum of
//!   `16 * (i + 1)` bytes (16..=2048), so oversized frames and resynchronisation are reached;
//! - `k = byte % 8` chunk-size bytes follow, each `b + 1` bytes (1..=256), used in a cycle;
//!   `k == 0` feeds the body one byte at a time.
#![no_main]

use bytes::BytesMut;
use gptbots_protocol::stream::{Frame, FrameDecoder, FrameError, StreamError};
use libfuzzer_sys::fuzz_target;

/// What one run produced: the items (errors compared whole: offset, kind and excerpt), and
/// how the stream ended (`None`: clean end).
#[derive(Debug, PartialEq)]
struct Run {
    items: Vec<Result<Frame, FrameError>>,
    end: Option<End>,
}

/// The error that ended a stream. `StreamError` is not `PartialEq` (it may hold an I/O error,
/// which a decoder fed from memory never returns): compare the located fault.
#[derive(Debug, PartialEq)]
enum End {
    Decode(FrameError),
    Other(String),
}

impl From<StreamError> for End {
    fn from(err: StreamError) -> Self {
        match err.as_frame_error() {
            Some(fault) => End::Decode(fault.clone()),
            None => End::Other(err.to_string()),
        }
    }
}

struct Input<'a> {
    max: Option<usize>,
    chunks: Vec<usize>,
    body: &'a [u8],
}

fn parse_input(data: &[u8]) -> Option<Input<'_>> {
    let (&max_sel, rest) = data.split_first()?;
    let (&k, rest) = rest.split_first()?;
    let k = usize::from(k % 8);
    if rest.len() < k {
        return None;
    }
    let (sizes, body) = rest.split_at(k);
    let max = (max_sel & 0x80 != 0).then(|| 16 * (usize::from(max_sel & 0x7f) + 1));
    let mut chunks: Vec<usize> = sizes.iter().map(|&b| usize::from(b) + 1).collect();
    if chunks.is_empty() {
        chunks.push(1);
    }
    Some(Input { max, chunks, body })
}

fn decoder(max: Option<usize>) -> FrameDecoder {
    match max {
        Some(max) => FrameDecoder::with_max_frame_size(max),
        None => FrameDecoder::new(),
    }
}

/// A sound lower bound on the size of the JSON text a frame was decoded from: every string
/// value in it was a JSON string token of at least its decoded length plus two quotes, and
/// `{"code":N}` takes ten bytes. (Keys are not counted: typed fields may be filled in by
/// default.)
fn min_raw_len(frame: &Frame) -> usize {
    fn strings(v: &serde_json::Value) -> usize {
        match v {
            serde_json::Value::String(s) => s.len() + 2,
            serde_json::Value::Array(a) => a.iter().map(strings).sum(),
            serde_json::Value::Object(o) => o.values().map(strings).sum(),
            _ => 0,
        }
    }
    10 + serde_json::to_value(frame).map_or(0, |v| strings(&v))
}

struct Recorder {
    run: Run,
    max: usize,
}

impl Recorder {
    fn push(&mut self, item: Result<Frame, FrameError>) {
        if let Ok(frame) = &item {
            let min = min_raw_len(frame);
            assert!(
                min <= self.max,
                "a frame of at least {min} bytes came out with a maximum of {}: {frame:?}",
                self.max
            );
        }
        self.run.items.push(item);
    }
}

fn whole(input: &Input<'_>, max: usize) -> Run {
    let mut rec = Recorder {
        run: Run {
            items: Vec::new(),
            end: None,
        },
        max,
    };
    let mut dec = decoder(input.max);
    let mut buf = BytesMut::from(input.body);
    loop {
        match dec.decode(&mut buf) {
            Ok(Some(item)) => rec.push(item),
            Ok(None) => break,
            Err(e) => {
                rec.run.end = Some(e.into());
                return rec.run;
            }
        }
    }
    eof(&mut dec, &mut buf, rec)
}

fn eof(dec: &mut FrameDecoder, buf: &mut BytesMut, mut rec: Recorder) -> Run {
    // Bounded: decode_eof must reach None or an error; a decoder that keeps yielding
    // without consuming input would hang the fuzzer, so count.
    for _ in 0..=buf.len() + 1 {
        match dec.decode_eof(buf) {
            Ok(Some(item)) => rec.push(item),
            Ok(None) => return rec.run,
            Err(e) => {
                rec.run.end = Some(e.into());
                return rec.run;
            }
        }
    }
    panic!("decode_eof kept yielding items after the input was used up");
}

fn chunked(input: &Input<'_>, max: usize) -> Run {
    let mut rec = Recorder {
        run: Run {
            items: Vec::new(),
            end: None,
        },
        max,
    };
    let mut dec = decoder(input.max);
    let mut buf = BytesMut::new();
    let mut rest = input.body;
    let mut sizes = input.chunks.iter().copied().cycle();
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(1).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        assert!(
            buf.len() <= max,
            "the decoder holds {} bytes between chunks, more than the maximum frame size {max}",
            buf.len()
        );
        buf.extend_from_slice(chunk);
        loop {
            match dec.decode(&mut buf) {
                Ok(Some(item)) => rec.push(item),
                Ok(None) => break,
                Err(e) => {
                    rec.run.end = Some(e.into());
                    return rec.run;
                }
            }
        }
    }
    eof(&mut dec, &mut buf, rec)
}

/// The decoder's default maximum frame size (16 MiB), larger than any fuzz input.
const DEFAULT_MAX: usize = 16 * 1024 * 1024;

fuzz_target!(|data: &[u8]| {
    let Some(input) = parse_input(data) else {
        return;
    };
    let max = input.max.unwrap_or(DEFAULT_MAX);
    let one = whole(&input, max);
    let split = chunked(&input, max);
    assert_eq!(
        one, split,
        "whole input and chunks {:?} disagree",
        input.chunks
    );
});
