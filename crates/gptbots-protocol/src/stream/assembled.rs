//! What an [`AssembledReply`] gives once assembled: its status, the blocking reply's response
//! body made from it, and its own JSON form.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::assemble::{AssembledReply, ReplyAssembler, ReplyStatus};
use super::frame::Frame;
use crate::message_v2::{Output, OutputAudio, OutputContent, SendMessageResponse};
use crate::usage::{Credits, Tokens, Usage};

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
        } else if self.limit_exceeded {
            ReplyStatus::TooLarge
        } else if !self.ended {
            ReplyStatus::CutOff
        } else if self.fault_count > 0 {
            ReplyStatus::CompleteWithFaults
        } else if self.frames_after_end > 0 {
            ReplyStatus::FramesAfterEnd
        } else {
            ReplyStatus::Complete
        }
    }

    /// Whether the stream ended with End, carried no error frame and fitted under the limit
    /// (faults and frames after End allowed).
    pub fn is_complete(&self) -> bool {
        matches!(
            self.status(),
            ReplyStatus::Complete | ReplyStatus::FramesAfterEnd | ReplyStatus::CompleteWithFaults
        )
    }

    /// The reply blocking mode would have returned, given what the stream does not carry:
    /// the conversation id and the creation time.
    ///
    /// `output` has one entry per FlowOutput item (the components' outputs, as in blocking
    /// mode: `content` as the text, `branch` as `from_component_branch`, `audioDatas` as the
    /// audio); when the stream carried no FlowOutput item but text or audio transcript, one
    /// entry with no component holding the text and no audio (a stream gives audio as base64
    /// pieces, blocking mode as URLs). `usage` has the tokens, and the credits when the Cost
    /// frame carried some that read as the blocking reply's; `message_id` is empty if no
    /// MessageInfo frame came. Check [`status`](Self::status) first: a cut-off reply converts
    /// too.
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
            self.tokens.clone().map(|tokens| {
                // A Cost frame may carry credits beside the tokens (undocumented): used when
                // they read as the blocking reply's credits.
                let credits = self
                    .cost_extra
                    .get("credits")
                    .and_then(|credits| serde_json::from_value::<Credits>(credits.clone()).ok());
                Usage::new(tokens, credits)
            }),
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
        #[derive(Serialize)]
        struct Cost<'a> {
            #[serde(flatten)]
            tokens: &'a Tokens,
            #[serde(flatten)]
            extra: &'a Map<String, Value>,
        }
        let mut map = serializer.serialize_map(Some(17))?;
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
        let cost = self.tokens.as_ref().map(|tokens| Cost {
            tokens,
            extra: &self.cost_extra,
        });
        map.serialize_entry("tokens", &cost)?;
        map.serialize_entry("citations", &self.citations)?;
        map.serialize_entry("attachments", &self.attachments)?;
        map.serialize_entry("errors", &self.errors)?;
        map.serialize_entry("unknown_frames", &self.unknown_frames)?;
        map.serialize_entry("faults", &self.faults)?;
        map.serialize_entry("fault_count", &self.fault_count)?;
        map.serialize_entry("frames_after_end", &self.frames_after_end)?;
        map.serialize_entry("frame_count", &self.frame_count)?;
        map.serialize_entry("kept_bytes", &self.kept_bytes)?;
        map.end()
    }
}
