//! Reading a [`Frame`] with serde: `data` is read as its raw text first, then by the frame's
//! `code` (unknown codes keep it raw), and the tolerances of the module docs of
//! [`frame`](super::frame) are applied on the way.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::frame::{Frame, FramePayload, RawJson, code};
use crate::error::ErrorCode;

impl<'de> Deserialize<'de> for Frame {
    /// Reads a frame from serde_json (`data` is read as its raw text first, then by its code).
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
        let mut message: Option<Option<String>> = None;
        let mut data: Option<RawJson> = None;
        let mut component_id: Option<Value> = None;
        let mut extra = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            match key.as_str() {
                "code" => {
                    if code.is_some() {
                        return Err(de::Error::duplicate_field("code"));
                    }
                    // An integer; an integral decimal (`3.0`) reads as one.
                    let value: Value = access.next_value()?;
                    let read = match &value {
                        Value::Number(n) => integral(n),
                        _ => None,
                    };
                    code = Some(read.ok_or_else(|| {
                        de::Error::invalid_value(unexpected(&value), &"an integer `code`")
                    })?);
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
        // `null` is absent, except for an unknown code, whose `data` is kept as it came.
        let typed_data = data.as_ref().filter(|raw| !raw.is_null());
        let payload = match (code, typed_data) {
            (code::MESSAGE_INFO, Some(data)) => {
                FramePayload::MessageInfo(typed(data, "MessageInfo")?)
            }
            (code::TEXT, Some(data)) => FramePayload::Text(typed(data, "Text")?),
            (code::AUDIO, Some(data)) => FramePayload::Audio(typed(data, "Audio")?),
            (code::FLOW_OUTPUT, Some(data)) => {
                let items = typed(data, "FlowOutput")?;
                let component_id = match component_id.take() {
                    None | Some(Value::Null) => None,
                    Some(Value::Number(n)) if integral(&n).is_some() => integral(&n),
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
            (code::END, None) => FramePayload::End,
            (code::CITATION, data) => {
                FramePayload::Citation(data.map_or(Ok(Vec::new()), |d| typed(d, "Citation"))?)
            }
            (code::CORRELATE_ATTACHMENT, data) => FramePayload::CorrelateAttachment(
                data.map_or(Ok(Vec::new()), |d| typed(d, "CorrelateAttachment"))?,
            ),
            (code, None) if code >= ErrorCode::STREAM_ERROR_THRESHOLD => {
                FramePayload::Error(ErrorCode(code))
            }
            (code, _) if code::is_typed(code) => {
                // A documented code without its data (or End with data): an error rather than
                // an invented payload.
                return Err(de::Error::custom(format_args!(
                    "frame code {code} needs {}",
                    expected_data(code)
                )));
            }
            (code, _) => FramePayload::Unknown { code, data },
        };
        if let Some(id) = component_id {
            extra.insert("componentId".to_owned(), id);
        }
        // An End frame whose `data` was absent gains `"data": null` on output; record nothing.
        Ok(Frame {
            payload,
            message: message.flatten(),
            extra,
        })
    }
}

/// What a JSON value is, for an error message.
fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(n) => match n.as_f64() {
            Some(f) => de::Unexpected::Float(f),
            None => de::Unexpected::Other("a number"),
        },
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

/// An integer, or an integral decimal (`12.0`) read as one.
fn integral(n: &serde_json::Number) -> Option<i64> {
    crate::serde_util::integer::<i64, _>(n).ok()
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

/// Reads a frame's `data` from its raw text as `T`; the error names the JSON path of the fault
/// inside `data` and the frame's kind (and no position: the caller's error has the frame's).
fn typed<T: serde::de::DeserializeOwned, E: de::Error>(data: &RawJson, kind: &str) -> Result<T, E> {
    let mut json = serde_json::Deserializer::from_str(data.get());
    // The text is one JSON value (a `RawValue`): nothing can follow it.
    serde_path_to_error::deserialize(&mut json).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.inner();
        let message = inner.to_string();
        let suffix = format!(" at line {} column {}", inner.line(), inner.column());
        let message = message.strip_suffix(&suffix).unwrap_or(&message);
        if path == "." {
            E::custom(format_args!("data of a {kind} frame: {message}"))
        } else {
            E::custom(format_args!("data.{path} of a {kind} frame: {message}"))
        }
    })
}
