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
//! # The assembled reply as JSON
//!
//! [`AssembledReply`] serializes (this is what `gptbots decode --assemble` prints) as one
//! object with every key always present:
//!
//! ```json
//! {
//!   "status": "complete",            // or "cut_off", "error", "frames_after_end"
//!   "ended": true,                   // an End frame was seen
//!   "message_id": "6785...",         // null when no MessageInfo frame came
//!   "text": "I can help you?",       // every Text piece, joined
//!   "audio": {"transcript": "...", "pieces": ["base64...", "..."]},
//!   "flow_output": [{"component_id": 12, "items": [ /* as in the FlowOutput frames */ ]}],
//!   "tokens": { /* the Cost frame's data */ },   // null when no Cost frame came
//!   "errors": [{"code": 20022, "message": "..."}],
//!   "unknown_frames": [ /* frames of other codes, as they came */ ],
//!   "frames_after_end": [ /* frames that came after End, as they came */ ],
//!   "frame_count": 12
//! }
//! ```
//!
//! `status` is the most serious of: `error` (an error frame came, End or not), `cut_off` (no
//! End frame), `frames_after_end` (End came, then more frames), `complete`.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::frame::{FlowOutputItem, Frame, FramePayload};
use crate::error::ErrorCode;
use crate::message_v2::{Output, OutputAudio, OutputContent, SendMessageResponse};
use crate::usage::{Tokens, Usage};

/// Folds frames, one [`push`](Self::push) at a time, into an [`AssembledReply`].
#[derive(Debug, Clone, Default)]
pub struct ReplyAssembler {
    reply: AssembledReply,
}

/// What a pushed frame added to the reply, borrowed from the frame: lets a caller print the
/// reply as it comes.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Pushed<'a> {
    /// A MessageInfo frame: the reply's message id.
    MessageInfo(&'a str),
    /// A Text frame: this piece of text was appended.
    Text(&'a str),
    /// An Audio frame: these pieces were appended (either may be empty).
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
    /// A frame after the End frame: not folded in, kept in
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

/// How a stream ended, the most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReplyStatus {
    /// An error frame came (see [`AssembledReply::errors`]), with or without an End frame.
    Error,
    /// No End frame: the stream was cut off.
    CutOff,
    /// The End frame came, then more frames (see [`AssembledReply::frames_after_end`]).
    FramesAfterEnd,
    /// The End frame came last; no error frame.
    Complete,
}

impl ReplyStatus {
    /// The name used in the JSON form: `error`, `cut_off`, `frames_after_end`, `complete`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyStatus::Error => "error",
            ReplyStatus::CutOff => "cut_off",
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
    /// The error frames, in order.
    pub errors: Vec<ErrorFrame>,
    /// Frames of codes this crate does not know, as they came.
    pub unknown_frames: Vec<Frame>,
    /// Whether an End frame came.
    pub ended: bool,
    /// Frames that came after the End frame, not folded in.
    pub frames_after_end: Vec<Frame>,
    /// How many frames were pushed.
    pub frame_count: usize,
}

impl ReplyAssembler {
    /// An assembler with nothing pushed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds in one frame; says what it added.
    pub fn push<'f>(&mut self, frame: &'f Frame) -> Pushed<'f> {
        let reply = &mut self.reply;
        reply.frame_count += 1;
        if reply.ended {
            reply.frames_after_end.push(frame.clone());
            return Pushed::AfterEnd(frame);
        }
        match &frame.payload {
            FramePayload::MessageInfo(info) => {
                // A second MessageInfo does not replace the first.
                if reply.message_id.is_none() {
                    reply.message_id = Some(info.message_id.clone());
                }
                Pushed::MessageInfo(&info.message_id)
            }
            FramePayload::Text(text) => {
                reply.text.push_str(text);
                Pushed::Text(text)
            }
            FramePayload::Audio(piece) => {
                reply.audio_transcript.push_str(&piece.transcript);
                if !piece.audio_answer.is_empty() {
                    reply.audio.push(piece.audio_answer.clone());
                }
                Pushed::Audio {
                    audio: &piece.audio_answer,
                    transcript: &piece.transcript,
                }
            }
            FramePayload::FlowOutput {
                items,
                component_id,
            } => {
                reply.flow_output.push(FlowOutputPart {
                    component_id: *component_id,
                    items: items.clone(),
                });
                Pushed::FlowOutput(items)
            }
            FramePayload::Cost(tokens) => {
                reply.tokens = Some(tokens.clone());
                Pushed::Cost(tokens)
            }
            FramePayload::End => {
                reply.ended = true;
                Pushed::End
            }
            FramePayload::Error(code) => {
                reply.errors.push(ErrorFrame {
                    code: *code,
                    message: frame.message.clone(),
                });
                Pushed::Error {
                    code: *code,
                    message: frame.message.as_deref(),
                }
            }
            _ => {
                reply.unknown_frames.push(frame.clone());
                Pushed::Unknown(frame)
            }
        }
    }

    /// The reply so far.
    pub fn reply(&self) -> &AssembledReply {
        &self.reply
    }

    /// The assembled reply.
    pub fn finish(self) -> AssembledReply {
        self.reply
    }
}

impl FromIterator<Frame> for AssembledReply {
    fn from_iter<I: IntoIterator<Item = Frame>>(frames: I) -> Self {
        let mut assembler = ReplyAssembler::new();
        for frame in frames {
            assembler.push(&frame);
        }
        assembler.finish()
    }
}

impl AssembledReply {
    /// How the stream ended.
    pub fn status(&self) -> ReplyStatus {
        if !self.errors.is_empty() {
            ReplyStatus::Error
        } else if !self.ended {
            ReplyStatus::CutOff
        } else if !self.frames_after_end.is_empty() {
            ReplyStatus::FramesAfterEnd
        } else {
            ReplyStatus::Complete
        }
    }

    /// Whether the stream ended with End and carried no error frame (frames after End
    /// allowed).
    pub fn is_complete(&self) -> bool {
        matches!(
            self.status(),
            ReplyStatus::Complete | ReplyStatus::FramesAfterEnd
        )
    }

    /// The reply blocking mode would have returned, given what the stream does not carry:
    /// the conversation id and the creation time.
    ///
    /// `output` has one entry per FlowOutput item (the components' outputs, as in blocking
    /// mode: `content` as the text, `branch` as `from_component_branch`, `audioDatas` as the
    /// audio); when the stream carried no FlowOutput item but text or audio transcript, one
    /// entry with no component holding the text and no audio (a stream gives audio as base64
    /// pieces, blocking mode as URLs). `usage` has the tokens and no credits (a stream
    /// carries none); `message_id` is empty if no MessageInfo frame came. Check
    /// [`status`](Self::status) first: a cut-off reply converts too.
    pub fn to_send_message_response(
        &self,
        conversation_id: impl Into<String>,
        create_time: i64,
    ) -> SendMessageResponse {
        let mut output: Vec<Output> = self
            .flow_output
            .iter()
            .flat_map(|part| &part.items)
            .map(|item| {
                let audio = item.audio_datas.as_ref().map(|audio| {
                    audio
                        .iter()
                        .map(|a| OutputAudio::new(a.url.clone(), a.transcript.clone()))
                        .collect()
                });
                Output {
                    from_component_branch: item.branch.clone().flatten(),
                    from_component_name: item.from_component_name.clone(),
                    content: OutputContent::new(Some(item.content.clone()), audio),
                }
            })
            .collect();
        if output.is_empty() && (!self.text.is_empty() || !self.audio_transcript.is_empty()) {
            let text = if self.text.is_empty() {
                &self.audio_transcript
            } else {
                &self.text
            };
            output.push(Output {
                from_component_branch: None,
                from_component_name: None,
                content: OutputContent::new(Some(text.clone()), None),
            });
        }
        SendMessageResponse::new(
            create_time,
            conversation_id,
            self.message_id.clone().unwrap_or_default(),
            output,
            self.tokens.clone().map(|tokens| Usage::new(tokens, None)),
        )
    }
}

impl Serialize for AssembledReply {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Audio<'a> {
            transcript: &'a str,
            pieces: &'a [String],
        }
        let mut map = serializer.serialize_map(Some(11))?;
        map.serialize_entry("status", self.status().as_str())?;
        map.serialize_entry("ended", &self.ended)?;
        map.serialize_entry("message_id", &self.message_id)?;
        map.serialize_entry("text", &self.text)?;
        map.serialize_entry(
            "audio",
            &Audio {
                transcript: &self.audio_transcript,
                pieces: &self.audio,
            },
        )?;
        map.serialize_entry("flow_output", &self.flow_output)?;
        map.serialize_entry("tokens", &self.tokens)?;
        map.serialize_entry("errors", &self.errors)?;
        map.serialize_entry("unknown_frames", &self.unknown_frames)?;
        map.serialize_entry("frames_after_end", &self.frames_after_end)?;
        map.serialize_entry("frame_count", &self.frame_count)?;
        map.end()
    }
}
