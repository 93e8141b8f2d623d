//! The reply assembler: folds the frames of a streaming reply into the reply that blocking mode
//! returns, and says how the stream ended.
//!
//! ```
//! use gptbots_protocol::stream::{Frame, ReplyAssembler, ReplyStatus};
//!
//! let mut assembler = ReplyAssembler::new();
//! for frame in [Frame::message_info("m1"), Frame::text("Hel"), Frame::text("lo"), Frame::end()] {
//!     if let Some(piece) = assembler.push(&frame).text() {
//!         print!("{piece}");
//!     }
//! }
//! let reply = assembler.finish();
//! assert_eq!(reply.text, "Hello");
//! assert_eq!(reply.status(), ReplyStatus::Complete);
//! ```
//!
//! A frame the decoder could not read and stepped over is not lost silently: pass it to
//! [`ReplyAssembler::fault`], and the reply records it (its byte offset and why) and says
//! `complete_with_faults` rather than `complete`. Half of a character cut across two Text (or
//! two Audio transcript) pieces is joined into the one character; a half never completed
//! becomes U+FFFD.
//!
//! # Bounds
//!
//! What the assembler keeps is bounded: text, transcript, audio pieces, flow outputs,
//! citations, error and unknown frames count towards a limit
//! ([`DEFAULT_ASSEMBLED_LIMIT`], 64 MiB, or [`ReplyAssembler::with_limit`]); past it nothing more
//! is kept and the status is `too_large`. Frames after the End frame are counted, not kept; at
//! most [`MAX_KEPT_FAULTS`] faults are kept (all are counted). A caller that prints the reply as
//! it comes and needs only the way it ended can keep nothing
//! ([`ReplyAssembler::keep_content`]).
//!
//! # The assembled reply as JSON
//!
//! [`AssembledReply`] serializes (this is what `gptbots decode --assemble` prints) as one
//! object with every key always present:
//!
//! ```json
//! {
//!   "status": "complete",            // see below
//!   "ended": true,                   // an End frame was seen
//!   "message_id": "6785...",         // null when no MessageInfo frame came
//!   "text": "I can help you?",       // every Text piece, joined
//!   "audio": {"transcript": "...", "pieces": ["base64...", "..."]},
//!   "flow_output": [{"component_id": 12, "items": [ /* as in the FlowOutput frames */ ]}],
//!   "tokens": { /* the last Cost frame's data, as it came */ },   // null when none came
//!   "citations": [ /* the Citation frames' items, in order */ ],
//!   "attachments": [ /* the CorrelateAttachment frames' items, in order */ ],
//!   "errors": [{"code": 20022, "message": "..."}],
//!   "unknown_frames": [ /* frames of other codes, as they came */ ],
//!   "faults": [{"offset": 120, "reason": "..."}],   // frames stepped over (the first 100)
//!   "fault_count": 1,
//!   "frames_after_end": 0,           // how many frames came after End (not kept)
//!   "frame_count": 12,
//!   "kept_bytes": 1234               // what counts towards the limit
//! }
//! ```
//!
//! `status` is the most serious of: `error` (an error frame came, End or not), `too_large`
//! (more than the limit came: the reply is cut at it), `cut_off` (no End frame),
//! `complete_with_faults` (End came, but some frames could not be read), `frames_after_end`
//! (End came, then more frames), `complete`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::citation::{CitationItem, CorrelatedAttachment};
use super::decode_error::FrameError;
use super::frame::{CostData, FlowOutputItem, Frame, FramePayload};
use super::piece::{SurrogateJoiner, TextPiece};
use crate::error::ErrorCode;
use crate::usage::Tokens;

/// The default bound on what a [`ReplyAssembler`] keeps: 64 MiB.
pub const DEFAULT_ASSEMBLED_LIMIT: usize = 64 * 1024 * 1024;

/// How many faults an [`AssembledReply`] keeps (it counts them all).
pub const MAX_KEPT_FAULTS: usize = 100;

/// Folds frames, one [`push`](Self::push) at a time, into an [`AssembledReply`].
#[derive(Debug, Clone)]
pub struct ReplyAssembler {
    reply: AssembledReply,
    limit: usize,
    keep: bool,
    text: SurrogateJoiner,
    transcript: SurrogateJoiner,
    /// The text a Text frame added, when it is not the piece itself (a joined half).
    text_scratch: String,
    /// The same for an Audio frame's transcript.
    transcript_scratch: String,
}

impl Default for ReplyAssembler {
    fn default() -> Self {
        ReplyAssembler {
            reply: AssembledReply::default(),
            limit: DEFAULT_ASSEMBLED_LIMIT,
            keep: true,
            text: SurrogateJoiner::default(),
            transcript: SurrogateJoiner::default(),
            text_scratch: String::new(),
            transcript_scratch: String::new(),
        }
    }
}

/// What a pushed frame added to the reply, borrowed from the frame (or the assembler): lets a
/// caller print the reply as it comes.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Pushed<'a> {
    /// A MessageInfo frame: the reply's message id.
    MessageInfo(&'a str),
    /// A Text frame: this text was appended (the piece, with a character cut across two
    /// pieces joined: a high half at the end of a piece waits for the next one).
    Text(&'a str),
    /// An Audio frame: these pieces were appended (either may be empty; the transcript as
    /// for [`Pushed::Text`]).
    Audio {
        /// The base64 audio piece.
        audio: &'a str,
        /// The transcript piece.
        transcript: &'a str,
    },
    /// A FlowOutput frame.
    FlowOutput(&'a [FlowOutputItem]),
    /// A Cost frame.
    Cost(&'a Tokens),
    /// A Citation frame.
    Citation(&'a [CitationItem]),
    /// A CorrelateAttachment frame.
    CorrelateAttachment(&'a [CorrelatedAttachment]),
    /// The End frame.
    End,
    /// An error frame.
    Error {
        /// Its code.
        code: ErrorCode,
        /// Its message.
        message: Option<&'a str>,
    },
    /// A frame of an unknown code, kept in [`AssembledReply::unknown_frames`].
    Unknown(&'a Frame),
    /// A frame after the End frame: not folded in, counted in
    /// [`AssembledReply::frames_after_end`].
    AfterEnd(&'a Frame),
}

impl<'a> Pushed<'a> {
    /// The piece of reply text the frame added (Text frames only).
    pub fn text(&self) -> Option<&'a str> {
        match self {
            Pushed::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// The outputs of one FlowOutput frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FlowOutputPart {
    /// The frame's top-level `componentId`.
    pub component_id: Option<i64>,
    /// The frame's `data`.
    pub items: Vec<FlowOutputItem>,
}

/// An error frame seen in the stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ErrorFrame {
    /// Its code.
    pub code: ErrorCode,
    /// Its message, as sent.
    pub message: Option<String>,
}

/// A frame (or bytes between frames) that could not be read and was stepped over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Fault {
    /// The byte offset of the fault in the stream.
    pub offset: u64,
    /// Why it could not be read.
    pub reason: String,
}

/// How a stream ended, the most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReplyStatus {
    /// An error frame came (see [`AssembledReply::errors`]), with or without an End frame.
    Error,
    /// More came than the assembler's limit: what came past it was not kept.
    TooLarge,
    /// No End frame: the stream was cut off.
    CutOff,
    /// The End frame came, but some frames could not be read and were stepped over (see
    /// [`AssembledReply::faults`]).
    CompleteWithFaults,
    /// The End frame came, then more frames (see [`AssembledReply::frames_after_end`]).
    FramesAfterEnd,
    /// The End frame came last; no error frame, no fault.
    Complete,
}

impl ReplyStatus {
    /// The name used in the JSON form: `error`, `too_large`, `cut_off`,
    /// `complete_with_faults`, `frames_after_end`, `complete`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyStatus::Error => "error",
            ReplyStatus::TooLarge => "too_large",
            ReplyStatus::CutOff => "cut_off",
            ReplyStatus::CompleteWithFaults => "complete_with_faults",
            ReplyStatus::FramesAfterEnd => "frames_after_end",
            ReplyStatus::Complete => "complete",
        }
    }
}

/// A streaming reply, assembled. See the [module docs](self) for its JSON form.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct AssembledReply {
    /// The id of the first MessageInfo frame.
    pub message_id: Option<String>,
    /// Every Text piece, joined.
    pub text: String,
    /// Every Audio frame's transcript piece, joined.
    pub audio_transcript: String,
    /// The Audio frames' base64 pieces, in order; empty pieces are left out.
    pub audio: Vec<String>,
    /// The FlowOutput frames, in order.
    pub flow_output: Vec<FlowOutputPart>,
    /// The last Cost frame's token usage.
    pub tokens: Option<Tokens>,
    /// The last Cost frame's other fields (`credits`...), as they came.
    pub cost_extra: Map<String, Value>,
    /// The Citation frames' items, in order.
    pub citations: Vec<CitationItem>,
    /// The CorrelateAttachment frames' items, in order.
    pub attachments: Vec<CorrelatedAttachment>,
    /// The error frames, in order.
    pub errors: Vec<ErrorFrame>,
    /// Frames of codes this crate does not know, as they came.
    pub unknown_frames: Vec<Frame>,
    /// The faults stepped over, in order (the first [`MAX_KEPT_FAULTS`]).
    pub faults: Vec<Fault>,
    /// How many faults were stepped over.
    pub fault_count: usize,
    /// Whether an End frame came.
    pub ended: bool,
    /// How many frames came after the End frame (not folded in, not kept).
    pub frames_after_end: usize,
    /// How many frames were pushed.
    pub frame_count: usize,
    /// How many bytes of content are kept (what counts towards the limit).
    pub kept_bytes: usize,
    /// Whether more came than the limit: content past it was not kept.
    pub limit_exceeded: bool,
}

impl ReplyAssembler {
    /// An assembler with nothing pushed yet, keeping at most [`DEFAULT_ASSEMBLED_LIMIT`] bytes.
    pub fn new() -> Self {
        Self::default()
    }

    /// An assembler that keeps at most `limit` bytes of content (text, transcript, audio,
    /// flow outputs, citations, error and unknown frames); past it, it keeps nothing more and
    /// the reply's status is [`ReplyStatus::TooLarge`].
    pub fn with_limit(limit: usize) -> Self {
        ReplyAssembler {
            limit,
            ..Self::default()
        }
    }

    /// Whether to keep the content at all. A caller that prints each piece as it comes (see
    /// [`Pushed`]) and needs only how the stream ended keeps none: the reply then has the
    /// message id, the tokens, the errors, the faults and the counts, and no text.
    pub fn keep_content(mut self, keep: bool) -> Self {
        self.keep = keep;
        self
    }

    /// The limit on kept content, in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Records a frame the decoder could not read and stepped over.
    pub fn fault(&mut self, offset: u64, reason: impl Into<String>) {
        let reply = &mut self.reply;
        reply.fault_count += 1;
        if reply.faults.len() < MAX_KEPT_FAULTS {
            reply.faults.push(Fault {
                offset,
                reason: reason.into(),
            });
        }
    }

    /// Records a fault from the decoder ([`FrameDecoder`](super::FrameDecoder)'s `Err` items).
    pub fn push_error(&mut self, err: &FrameError) {
        self.fault(err.offset, err.kind.to_string());
    }

    /// Folds in one frame; says what it added.
    pub fn push<'a>(&'a mut self, frame: &'a Frame) -> Pushed<'a> {
        let reply = &mut self.reply;
        reply.frame_count += 1;
        if reply.ended {
            reply.frames_after_end += 1;
            return Pushed::AfterEnd(frame);
        }
        let mut keeper = Keeper {
            reply,
            limit: self.limit,
            keep: self.keep,
        };
        match &frame.payload {
            FramePayload::MessageInfo(info) => {
                // A second MessageInfo does not replace the first.
                if keeper.reply.message_id.is_none() {
                    keeper.reply.message_id = Some(info.message_id.clone());
                }
                Pushed::MessageInfo(&info.message_id)
            }
            FramePayload::Text(piece) => {
                let text = join(&mut self.text, piece, &mut self.text_scratch);
                if keeper.room(text.len()) {
                    keeper.reply.text.push_str(text);
                }
                Pushed::Text(text)
            }
            FramePayload::Audio(piece) => {
                let transcript = join(
                    &mut self.transcript,
                    &piece.transcript,
                    &mut self.transcript_scratch,
                );
                let audio = piece.audio_answer.as_str();
                if keeper.room(transcript.len() + audio.len()) {
                    keeper.reply.audio_transcript.push_str(transcript);
                    if !audio.is_empty() {
                        keeper.reply.audio.push(audio.to_owned());
                    }
                }
                Pushed::Audio { audio, transcript }
            }
            FramePayload::FlowOutput {
                items,
                component_id,
            } => {
                if keeper.room_for(items) {
                    keeper.reply.flow_output.push(FlowOutputPart {
                        component_id: *component_id,
                        items: items.clone(),
                    });
                }
                Pushed::FlowOutput(items)
            }
            FramePayload::Cost(CostData { tokens, extra }) => {
                keeper.reply.tokens = Some(tokens.clone());
                if keeper.room_for(extra) {
                    keeper.reply.cost_extra = extra.clone();
                }
                Pushed::Cost(tokens)
            }
            FramePayload::Citation(items) => {
                if keeper.room_for(items) {
                    keeper.reply.citations.extend(items.iter().cloned());
                }
                Pushed::Citation(items)
            }
            FramePayload::CorrelateAttachment(items) => {
                if keeper.room_for(items) {
                    keeper.reply.attachments.extend(items.iter().cloned());
                }
                Pushed::CorrelateAttachment(items)
            }
            FramePayload::End => {
                keeper.reply.ended = true;
                self.flush();
                Pushed::End
            }
            FramePayload::Error(code) => {
                // Errors are kept even without the content (the caller needs them), within
                // the limit.
                let len = frame.message.as_ref().map_or(0, String::len) + 16;
                if keeper.room_always(len) {
                    keeper.reply.errors.push(ErrorFrame {
                        code: *code,
                        message: frame.message.clone(),
                    });
                }
                Pushed::Error {
                    code: *code,
                    message: frame.message.as_deref(),
                }
            }
            _ => {
                if keeper.room_for(frame) {
                    keeper.reply.unknown_frames.push(frame.clone());
                }
                Pushed::Unknown(frame)
            }
        }
    }

    /// A high half still waiting at the end of the text becomes U+FFFD.
    fn flush(&mut self) {
        let mut text = String::new();
        self.text.flush(&mut text);
        let mut transcript = String::new();
        self.transcript.flush(&mut transcript);
        let mut keeper = Keeper {
            reply: &mut self.reply,
            limit: self.limit,
            keep: self.keep,
        };
        if keeper.room(text.len() + transcript.len()) {
            keeper.reply.text.push_str(&text);
            keeper.reply.audio_transcript.push_str(&transcript);
        }
    }

    /// The reply so far.
    pub fn reply(&self) -> &AssembledReply {
        &self.reply
    }

    /// The assembled reply.
    pub fn finish(mut self) -> AssembledReply {
        self.flush();
        self.reply
    }
}

/// The text `piece` adds, the piece itself unless a half is involved (then `scratch`).
fn join<'a>(
    joiner: &mut SurrogateJoiner,
    piece: &'a TextPiece,
    scratch: &'a mut String,
) -> &'a str {
    if joiner.is_plain(piece) {
        return piece.as_str();
    }
    scratch.clear();
    joiner.push(piece, scratch);
    scratch
}

/// Decides whether content fits under the limit, and counts it.
struct Keeper<'r> {
    reply: &'r mut AssembledReply,
    limit: usize,
    keep: bool,
}

impl Keeper<'_> {
    /// Whether `len` more bytes of content are to be kept; counts them when they are.
    fn room(&mut self, len: usize) -> bool {
        self.keep && self.room_always(len)
    }

    /// [`room`](Self::room) for what is kept even when the content is not.
    fn room_always(&mut self, len: usize) -> bool {
        if self.reply.limit_exceeded {
            return false;
        }
        match self.reply.kept_bytes.checked_add(len) {
            Some(total) if total <= self.limit => {
                self.reply.kept_bytes = total;
                true
            }
            _ => {
                self.reply.limit_exceeded = true;
                false
            }
        }
    }

    /// [`room`](Self::room) for a value, counted as its JSON length.
    fn room_for<T: Serialize + ?Sized>(&mut self, value: &T) -> bool {
        self.keep && self.room_always(json_len(value))
    }
}

/// The length of a value's JSON text, written nowhere.
fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a counter cannot fail but for a value serde_json refuses: count what came.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}
