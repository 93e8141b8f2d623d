//! One frame of a streaming reply: `{"code": int, "message": string, "data": ...}`.
//!
//! The `code` decides the kind, never the `message` (the German page says `"Ende"` for End).
//! Unknown codes are kept whole; unknown top-level fields of known frames are kept too, so
//! that encoding a decoded frame gives the same JSON, field order aside.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

use super::compact;
use crate::error::ErrorCode;
use crate::parse::ParseError;
use crate::usage::Tokens;

/// The documented frame codes.
pub mod code {
    /// The last frame; `data` is `null`.
    pub const END: i64 = 0;
    /// A piece of the reply text.
    pub const TEXT: i64 = 3;
    /// Token usage.
    pub const COST: i64 = 4;
    /// The outputs of the flow's components.
    pub const FLOW_OUTPUT: i64 = 10;
    /// The first frame: the id of the reply message.
    pub const MESSAGE_INFO: i64 = 11;
    /// A piece of audio and its transcript.
    pub const AUDIO: i64 = 39;
}

/// A decoded stream frame.
///
/// `message` keeps the `message` field as it came (`None` when the frame had none);
/// [`canonical_message`](Self::canonical_message) gives the documented name for known codes.
/// `extra` keeps every other top-level field this crate does not know.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Frame {
    /// What the frame carries, decided by its `code`.
    pub payload: FramePayload,
    /// The `message` field as sent (`"Text"`, `"Ende"`, an error text...).
    pub message: Option<String>,
    /// Top-level fields other than `code`, `message`, `data` (and `componentId` on code 10).
    pub extra: Map<String, Value>,
}

/// What a frame carries.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FramePayload {
    /// Code 11, the first frame.
    MessageInfo(MessageInfo),
    /// Code 3: the next piece of the reply text.
    Text(String),
    /// Code 39: a piece of audio (base64) and a piece of its transcript.
    Audio(AudioPiece),
    /// Code 10: the outputs of the flow's components, and the top-level `componentId`.
    FlowOutput {
        /// The `data` array.
        items: Vec<FlowOutputItem>,
        /// The top-level `componentId`, when sent.
        component_id: Option<i64>,
    },
    /// Code 4: token usage (no credits in a stream).
    Cost(Tokens),
    /// Code 0: the last frame.
    End,
    /// A code of 20000 or more and no `data`: an error inside the stream. The text is in
    /// [`Frame::message`].
    Error(ErrorCode),
    /// Any other code (5 tool call, 6 tool result, 20 citation, 41 thought, 83 attachment, or
    /// something newer), kept as it came.
    Unknown {
        /// The frame's code.
        code: i64,
        /// The `data` field as it came; `None` when the frame had no `data`.
        data: Option<Value>,
    },
}

/// The data of code 11.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct MessageInfo {
    /// The id of the reply message (an opaque string).
    pub message_id: String,
    /// Fields a newer server adds.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl MessageInfo {
    /// The data of a MessageInfo frame.
    pub fn new(message_id: impl Into<String>) -> Self {
        MessageInfo {
            message_id: message_id.into(),
            extra: Map::new(),
        }
    }
}

/// The data of code 39.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct AudioPiece {
    /// A piece of the audio, base64 (may be empty).
    #[serde(rename = "audioAnswer", default)]
    pub audio_answer: String,
    /// A piece of the transcript (may be empty).
    #[serde(default)]
    pub transcript: String,
    /// Fields a newer server adds.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl AudioPiece {
    /// An audio piece.
    pub fn new(audio_answer: impl Into<String>, transcript: impl Into<String>) -> Self {
        AudioPiece {
            audio_answer: audio_answer.into(),
            transcript: transcript.into(),
            extra: Map::new(),
        }
    }
}

/// One item of a FlowOutput frame (code 10), and of the v1 reply's `flow_output`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct FlowOutputItem {
    /// The component's output text.
    #[serde(default)]
    pub content: String,
    /// The branch, a string or `null` in streams; absent in some frames. `Some(None)` is an
    /// explicit `null` and is kept as one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::serde_util::double_option"
    )]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<String>"))]
    pub branch: Option<Option<String>>,
    /// The name of the component that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_component_name: Option<String>,
    /// Audio the component produced.
    #[serde(
        rename = "audioDatas",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub audio_datas: Option<Vec<FlowAudio>>,
    /// Fields a newer server adds.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl FlowOutputItem {
    /// A flow output item with content and component name, no branch.
    pub fn new(content: impl Into<String>, from_component_name: impl Into<String>) -> Self {
        FlowOutputItem {
            content: content.into(),
            branch: None,
            from_component_name: Some(from_component_name.into()),
            audio_datas: None,
            extra: Map::new(),
        }
    }
}

/// Audio produced by a flow component (`audioDatas` in a FlowOutput frame).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct FlowAudio {
    /// The transcript.
    #[serde(default)]
    pub transcript: String,
    /// Where the audio is.
    #[serde(default)]
    pub url: String,
    /// Its length in seconds, kept as the number came (`3` stays `3`, `2.5` stays `2.5`);
    /// [`seconds_f64`](Self::seconds_f64) reads it as a float.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<serde_json::Number>,
    /// Fields a newer server adds.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl FlowAudio {
    /// Audio produced by a flow component.
    pub fn new(
        transcript: impl Into<String>,
        url: impl Into<String>,
        seconds: Option<serde_json::Number>,
    ) -> Self {
        FlowAudio {
            transcript: transcript.into(),
            url: url.into(),
            seconds,
            extra: Map::new(),
        }
    }

    /// The length in seconds as a float, when given.
    pub fn seconds_f64(&self) -> Option<f64> {
        self.seconds.as_ref().and_then(serde_json::Number::as_f64)
    }
}

impl Frame {
    /// Parses one frame from its JSON text: the same frame, or the same error, as
    /// [`crate::from_slice::<Frame>`](crate::from_slice), reached without serde_json for the
    /// usual Text and Audio frames.
    ///
    /// The service writes them as `{"code":3,"message":"Text","data":"…"}` and
    /// `{"code":39,"message":"Audio","data":{"audioAnswer":"…","transcript":"…"}}`, with no
    /// white space; such a frame (whatever its `message`, with any escapes but a surrogate
    /// pair's) is read directly, without the general `Deserialize`, which must take any field
    /// order and allocates each key: on the benchmarks' text frames, 2.5 times as fast as
    /// `serde_json::from_slice::<Frame>` (BENCHMARKS.md). Everything else goes to serde_json.
    /// [`FrameDecoder`](super::FrameDecoder) reads frames the same way.
    pub fn from_slice(json: &[u8]) -> Result<Frame, ParseError> {
        if let Ok((frame, len)) = compact::compact_frame(json) {
            let rest = json.get(len..).unwrap_or_default();
            if rest
                .iter()
                .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            {
                return Ok(frame);
            }
        }
        crate::from_slice(json)
    }

    /// A frame with this payload, the canonical `message` and no extra fields.
    pub fn new(payload: FramePayload) -> Self {
        let message = payload.canonical_message().map(str::to_owned);
        Frame {
            payload,
            message,
            extra: Map::new(),
        }
    }

    /// Code 11.
    pub fn message_info(message_id: impl Into<String>) -> Self {
        Frame::new(FramePayload::MessageInfo(MessageInfo::new(message_id)))
    }

    /// Code 3.
    pub fn text(text: impl Into<String>) -> Self {
        Frame::new(FramePayload::Text(text.into()))
    }

    /// Code 39.
    pub fn audio(audio_answer: impl Into<String>, transcript: impl Into<String>) -> Self {
        Frame::new(FramePayload::Audio(AudioPiece::new(
            audio_answer,
            transcript,
        )))
    }

    /// Code 10.
    pub fn flow_output(items: Vec<FlowOutputItem>, component_id: Option<i64>) -> Self {
        Frame::new(FramePayload::FlowOutput {
            items,
            component_id,
        })
    }

    /// Code 4.
    pub fn cost(tokens: Tokens) -> Self {
        Frame::new(FramePayload::Cost(tokens))
    }

    /// Code 0.
    pub fn end() -> Self {
        Frame::new(FramePayload::End)
    }

    /// An error frame (a code of 20000 or more, no `data`).
    pub fn error(code: impl Into<ErrorCode>, message: impl Into<String>) -> Self {
        Frame {
            payload: FramePayload::Error(code.into()),
            message: Some(message.into()),
            extra: Map::new(),
        }
    }

    /// The frame's `code`.
    pub fn code(&self) -> i64 {
        self.payload.code()
    }

    /// The documented `message` name for known codes (`"End"` for 0 whatever was sent); for
    /// error frames and unknown codes, the `message` as sent.
    pub fn canonical_message(&self) -> Option<&str> {
        self.payload.canonical_message().or(self.message.as_deref())
    }

    /// Whether this is the End frame.
    pub fn is_end(&self) -> bool {
        matches!(self.payload, FramePayload::End)
    }

    /// This frame with `message` set to the documented name for its code (known codes only).
    pub fn with_canonical_message(mut self) -> Self {
        if let Some(name) = self.payload.canonical_message() {
            self.message = Some(name.to_owned());
        }
        self
    }
}

impl FramePayload {
    /// The frame code this payload is sent with.
    pub fn code(&self) -> i64 {
        match self {
            FramePayload::MessageInfo(_) => code::MESSAGE_INFO,
            FramePayload::Text(_) => code::TEXT,
            FramePayload::Audio(_) => code::AUDIO,
            FramePayload::FlowOutput { .. } => code::FLOW_OUTPUT,
            FramePayload::Cost(_) => code::COST,
            FramePayload::End => code::END,
            FramePayload::Error(code) => code.0,
            FramePayload::Unknown { code, .. } => *code,
        }
    }

    /// The documented `message` for the known codes.
    pub fn canonical_message(&self) -> Option<&'static str> {
        match self {
            FramePayload::MessageInfo(_) => Some("MessageInfo"),
            FramePayload::Text(_) => Some("Text"),
            FramePayload::Audio(_) => Some("Audio"),
            FramePayload::FlowOutput { .. } => Some("FlowOutput"),
            FramePayload::Cost(_) => Some("Cost"),
            FramePayload::End => Some("End"),
            FramePayload::Error(_) | FramePayload::Unknown { .. } => None,
        }
    }
}

impl Serialize for Frame {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", &self.code())?;
        if let Some(message) = &self.message {
            map.serialize_entry("message", message)?;
        }
        match &self.payload {
            FramePayload::MessageInfo(info) => map.serialize_entry("data", info)?,
            FramePayload::Text(text) => map.serialize_entry("data", text)?,
            FramePayload::Audio(piece) => map.serialize_entry("data", piece)?,
            FramePayload::FlowOutput {
                items,
                component_id,
            } => {
                map.serialize_entry("data", items)?;
                if let Some(id) = component_id {
                    map.serialize_entry("componentId", id)?;
                }
            }
            FramePayload::Cost(tokens) => map.serialize_entry("data", tokens)?,
            FramePayload::End => map.serialize_entry("data", &())?,
            FramePayload::Error(_) => {}
            FramePayload::Unknown { data, .. } => {
                if let Some(data) = data {
                    map.serialize_entry("data", data)?;
                }
            }
        }
        for (key, value) in &self.extra {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Frame {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FrameVisitor)
    }
}

struct FrameVisitor;

impl<'de> Visitor<'de> for FrameVisitor {
    type Value = Frame;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a stream frame: an object with an integer `code`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Frame, A::Error> {
        let mut code: Option<i64> = None;
        let mut message: Option<String> = None;
        let mut data: Option<Value> = None;
        let mut component_id: Option<Value> = None;
        let mut extra = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            match key.as_str() {
                "code" => {
                    if code.is_some() {
                        return Err(de::Error::duplicate_field("code"));
                    }
                    code = Some(access.next_value()?);
                }
                "message" => {
                    if message.is_some() {
                        return Err(de::Error::duplicate_field("message"));
                    }
                    message = Some(access.next_value()?);
                }
                "data" => {
                    if data.is_some() {
                        return Err(de::Error::duplicate_field("data"));
                    }
                    data = Some(access.next_value()?);
                }
                "componentId" => component_id = Some(access.next_value()?),
                _ => {
                    let value: Value = access.next_value()?;
                    extra.insert(key, value);
                }
            }
        }
        let code = code.ok_or_else(|| de::Error::missing_field("code"))?;
        let payload = match (code, data) {
            (code::MESSAGE_INFO, Some(data)) => {
                FramePayload::MessageInfo(typed(data, "MessageInfo")?)
            }
            (code::TEXT, Some(data)) => FramePayload::Text(typed(data, "Text")?),
            (code::AUDIO, Some(data)) => FramePayload::Audio(typed(data, "Audio")?),
            (code::FLOW_OUTPUT, Some(data)) => {
                let items = typed(data, "FlowOutput")?;
                let component_id = match component_id.take() {
                    None => None,
                    Some(Value::Number(n)) if n.is_i64() => n.as_i64(),
                    Some(other) => {
                        // Not an integer: keep it as it came rather than fail the frame.
                        extra.insert("componentId".to_owned(), other);
                        None
                    }
                };
                FramePayload::FlowOutput {
                    items,
                    component_id,
                }
            }
            (code::COST, Some(data)) => FramePayload::Cost(typed(data, "Cost")?),
            (code::END, Some(Value::Null)) => FramePayload::End,
            (code::END, None) => FramePayload::End,
            (code, None) if code >= ErrorCode::STREAM_ERROR_THRESHOLD => {
                FramePayload::Error(ErrorCode(code))
            }
            (code, data) => {
                let known = matches!(
                    code,
                    code::MESSAGE_INFO
                        | code::TEXT
                        | code::AUDIO
                        | code::FLOW_OUTPUT
                        | code::COST
                        | code::END
                );
                if known {
                    // A documented code without its data (or End with data): keep it whole
                    // rather than invent a payload.
                    return Err(de::Error::custom(format_args!(
                        "frame code {code} needs {}",
                        expected_data(code)
                    )));
                }
                FramePayload::Unknown { code, data }
            }
        };
        if let Some(id) = component_id {
            extra.insert("componentId".to_owned(), id);
        }
        // An End frame whose `data` was absent gains `"data": null` on output; record nothing.
        Ok(Frame {
            payload,
            message,
            extra,
        })
    }
}

fn expected_data(code: i64) -> &'static str {
    match code {
        code::MESSAGE_INFO => "`data` {\"message_id\": string}",
        code::TEXT => "`data`: a string",
        code::AUDIO => "`data` {\"audioAnswer\", \"transcript\"}",
        code::FLOW_OUTPUT => "`data`: an array of component outputs",
        code::COST => "`data`: a token usage object",
        _ => "`data`: null",
    }
}

fn typed<T: serde::de::DeserializeOwned, E: de::Error>(data: Value, kind: &str) -> Result<T, E> {
    serde_path_to_error::deserialize(data).map_err(|err| {
        let path = err.path().to_string();
        if path == "." {
            E::custom(format_args!("data of a {kind} frame: {}", err.inner()))
        } else {
            E::custom(format_args!(
                "data.{path} of a {kind} frame: {}",
                err.inner()
            ))
        }
    })
}
