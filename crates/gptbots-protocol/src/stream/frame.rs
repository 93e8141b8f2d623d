//! One frame of a streaming reply: `{"code": int, "message": string, "data": ...}`.
//!
//! The `code` decides the kind, never the `message` (the German page says `"Ende"` for End).
//! Unknown codes are kept whole, their `data` as its raw JSON text (big numbers, key order and
//! escapes come back byte for byte); unknown top-level fields of known frames are kept too, so
//! that encoding a decoded frame gives the same JSON, field order aside.
//!
//! What a real server sends beside the documented shape is read, not refused: `null` for any
//! field that may be absent or has a default (`message`, `audioAnswer`, `transcript`, a
//! FlowOutput item's `content`, `branch`, `audioDatas`, `componentId`...), a number where text
//! is expected (`"branch": 1` is kept as `"1"`), an integral decimal for an integer
//! (`"componentId": 12.0`), and a lone UTF-16 surrogate escape in a Text or Audio piece (half
//! of an emoji cut across two frames: see [`TextPiece`]). A code of 20000 or more whose `data`
//! is absent or `null` is an error frame.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

use super::citation::{CitationItem, CorrelatedAttachment};
use super::piece::TextPiece;
use crate::error::ErrorCode;
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
    /// The sources of the reply's citation marks.
    pub const CITATION: i64 = 20;
    /// The knowledge segments the reply drew on.
    pub const CORRELATE_ATTACHMENT: i64 = 83;

    /// Every documented code above, the ones with a typed payload: the one list the parser,
    /// the schema and the tests go by.
    pub const KNOWN: &[i64] = &[
        END,
        TEXT,
        COST,
        FLOW_OUTPUT,
        MESSAGE_INFO,
        AUDIO,
        CITATION,
        CORRELATE_ATTACHMENT,
    ];

    /// Whether the code has a typed payload (an error frame aside).
    pub(crate) fn is_typed(code: i64) -> bool {
        KNOWN.contains(&code)
    }
}

/// A JSON value kept as the raw text it came as: numbers, key order, white space and escapes
/// survive byte for byte when it is written back. Two are equal when their texts are.
#[derive(Debug, Clone)]
pub struct RawJson(Box<serde_json::value::RawValue>);

impl RawJson {
    /// The JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// Parses JSON text; an error if it is not one JSON value.
    pub fn from_string(json: String) -> Result<Self, serde_json::Error> {
        serde_json::value::RawValue::from_string(json).map(RawJson)
    }

    /// The JSON text of a value.
    pub fn from_value(value: &Value) -> Self {
        // Writing a `Value` cannot fail, and gives one JSON value.
        serde_json::value::to_raw_value(value)
            .map(RawJson)
            .unwrap_or_else(|_| RawJson(null_raw()))
    }

    /// The value, parsed (an error for a lone surrogate escape, which a `Value` cannot hold).
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(self.get())
    }

    /// Whether the text is `null`.
    pub fn is_null(&self) -> bool {
        self.get() == "null"
    }
}

fn null_raw() -> Box<serde_json::value::RawValue> {
    serde_json::value::RawValue::NULL.to_owned()
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    /// From serde_json (or a `serde_json::Value`). A line break between tokens becomes a
    /// space, so that the value fits on one line of an SSE event when written back; nothing
    /// else changes (a JSON string cannot hold a raw line break).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        if !raw.get().contains(['\n', '\r']) {
            return Ok(RawJson(raw));
        }
        let one_line = raw.get().replace(['\n', '\r'], " ");
        RawJson::from_string(one_line).map_err(de::Error::custom)
    }
}

/// A decoded stream frame.
///
/// `message` keeps the `message` field as it came (`None` when the frame had none, or `null`);
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
    /// Code 3: the next piece of the reply text (it may hold half of a character).
    Text(TextPiece),
    /// Code 39: a piece of audio (base64) and a piece of its transcript.
    Audio(AudioPiece),
    /// Code 10: the outputs of the flow's components, and the top-level `componentId`.
    FlowOutput {
        /// The `data` array.
        items: Vec<FlowOutputItem>,
        /// The top-level `componentId`, when sent.
        component_id: Option<i64>,
    },
    /// Code 4: token usage, and whatever else the server put beside it (`credits`...).
    Cost(CostData),
    /// Code 0: the last frame.
    End,
    /// Code 20: the sources of the reply text's citation marks (`$[1]$`).
    Citation(Vec<CitationItem>),
    /// Code 83: the knowledge segments the reply drew on.
    CorrelateAttachment(Vec<CorrelatedAttachment>),
    /// A code of 20000 or more and no `data` (or `"data": null`): an error inside the stream.
    /// The text is in [`Frame::message`].
    Error(ErrorCode),
    /// Any other code (5 tool call, 6 tool result, 41 thought, or something newer), kept as it
    /// came.
    Unknown {
        /// The frame's code.
        code: i64,
        /// The `data` field as its raw JSON text; `None` when the frame had no `data`.
        data: Option<RawJson>,
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

/// The data of code 39. `null` for either piece reads as empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct AudioPiece {
    /// A piece of the audio, base64 (may be empty).
    #[serde(rename = "audioAnswer")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<String>"))]
    pub audio_answer: TextPiece,
    /// A piece of the transcript (may be empty, may hold half of a character).
    #[cfg_attr(feature = "schemars", schemars(with = "Option<String>"))]
    pub transcript: TextPiece,
    /// Fields a newer server adds.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl AudioPiece {
    /// An audio piece.
    pub fn new(audio_answer: impl Into<TextPiece>, transcript: impl Into<TextPiece>) -> Self {
        AudioPiece {
            audio_answer: audio_answer.into(),
            transcript: transcript.into(),
            extra: Map::new(),
        }
    }
}

/// One item of a FlowOutput frame (code 10), and of the v1 reply's `flow_output`.
///
/// `null` reads as absent for every field (`content` as empty); a `branch` sent as a number
/// is kept as its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct FlowOutputItem {
    /// The component's output text.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<String>"))]
    pub content: String,
    /// The branch, a string or `null` in streams; absent in some frames. An explicit `null` is
    /// kept as one, apart from an absent branch; a number is kept as its text (`1` as `"1"`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::serde_util::double_option::serialize",
        deserialize_with = "branch"
    )]
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "super::citation::string_or_number")
    )]
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

/// A branch: a string, a number kept as its text, or an explicit `null` (`Some(None)`).
fn branch<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    crate::serde_util::opt_string_or_number(deserializer).map(Some)
}

/// Audio produced by a flow component (`audioDatas` in a FlowOutput frame). `null` reads as
/// absent (empty for the text fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct FlowAudio {
    /// The transcript.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<String>"))]
    pub transcript: String,
    /// Where the audio is.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<String>"))]
    pub url: String,
    /// Its length in seconds, kept as the number came (`3` stays `3`, `2.5` stays `2.5`). In
    /// Rust, `seconds_f64` reads it as a float.
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
    pub fn text(text: impl Into<TextPiece>) -> Self {
        Frame::new(FramePayload::Text(text.into()))
    }

    /// Code 39.
    pub fn audio(audio_answer: impl Into<TextPiece>, transcript: impl Into<TextPiece>) -> Self {
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
        Frame::new(FramePayload::Cost(CostData::from(tokens)))
    }

    /// Code 20.
    pub fn citation(items: Vec<CitationItem>) -> Self {
        Frame::new(FramePayload::Citation(items))
    }

    /// Code 83.
    pub fn correlate_attachment(items: Vec<CorrelatedAttachment>) -> Self {
        Frame::new(FramePayload::CorrelateAttachment(items))
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
            FramePayload::Citation(_) => code::CITATION,
            FramePayload::CorrelateAttachment(_) => code::CORRELATE_ATTACHMENT,
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
            FramePayload::Citation(_) => Some("Citation"),
            FramePayload::CorrelateAttachment(_) => Some("CorrelateAttachment"),
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
            FramePayload::Cost(cost) => map.serialize_entry("data", cost)?,
            FramePayload::End => map.serialize_entry("data", &())?,
            FramePayload::Citation(items) => map.serialize_entry("data", items)?,
            FramePayload::CorrelateAttachment(items) => map.serialize_entry("data", items)?,
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

/// The data of code 4: token usage, and the fields beside it that [`Tokens`] does not know
/// (`credits`, say), kept so that the frame serializes back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CostData {
    /// The token counts.
    #[serde(flatten)]
    pub tokens: Tokens,
    /// Every other field of `data`, as it came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl From<Tokens> for CostData {
    fn from(tokens: Tokens) -> Self {
        CostData {
            tokens,
            extra: Map::new(),
        }
    }
}

impl<'de> Deserialize<'de> for AudioPiece {
    /// By hand rather than derived: a lone surrogate in a piece must reach [`TextPiece`] from
    /// serde_json directly, which `#[serde(flatten)]` (buffering every field) would prevent.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AudioVisitor;

        impl<'de> Visitor<'de> for AudioVisitor {
            type Value = AudioPiece;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("struct AudioPiece")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<AudioPiece, A::Error> {
                let mut audio_answer: Option<Option<TextPiece>> = None;
                let mut transcript: Option<Option<TextPiece>> = None;
                let mut extra = Map::new();
                while let Some(key) = access.next_key::<String>()? {
                    match key.as_str() {
                        "audioAnswer" if audio_answer.is_some() => {
                            return Err(de::Error::duplicate_field("audioAnswer"));
                        }
                        "audioAnswer" => audio_answer = Some(access.next_value()?),
                        "transcript" if transcript.is_some() => {
                            return Err(de::Error::duplicate_field("transcript"));
                        }
                        "transcript" => transcript = Some(access.next_value()?),
                        _ => {
                            let value: Value = access.next_value()?;
                            extra.insert(key, value);
                        }
                    }
                }
                Ok(AudioPiece {
                    audio_answer: audio_answer.flatten().unwrap_or_default(),
                    transcript: transcript.flatten().unwrap_or_default(),
                    extra,
                })
            }
        }

        deserializer.deserialize_map(AudioVisitor)
    }
}
