//! JSON Schemas (draft 2020-12) of every wire message, for teams in other languages.
//!
//! [`wire_schemas`] exports every entry of [`WIRE_TYPES`](crate::wire::WIRE_TYPES); `cargo dev
//! schemas` writes each one to `schemas/{name}.schema.json` and checks the committed files
//! against it.
//!
//! Request schemas (what we send) are strict: an optional field is left out, never `null`.
//! Response, webhook and error schemas (what the server sends) accept exactly what the Rust
//! types read: `null` for every optional or defaulted field, integral decimals for integers
//! (JSON Schema's "integer" already does), numbers or strings where a type reads both.
//!
//! Enums of values that clients send (`role`, `response_mode`, part `type`) list only the
//! documented values, so a misspelt request fails validation. Enums of values the server sends
//! (`message_type`, hand-off close `type`) also allow any other string, as the Rust types do,
//! so a newer server does not fail validation. Unknown fields are allowed everywhere.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

use crate::stream::frame::{AudioPiece, FlowOutputItem, Frame, MessageInfo, code};
use crate::usage::Tokens;

/// `role` as the server sends it (conversation detail): the documented values or a newer one.
pub(crate) fn server_role(_: &mut schemars::SchemaGenerator) -> Schema {
    crate::open_enum::enum_schema(
        "Role",
        crate::message_v2::Role::KNOWN,
        crate::open_enum::SchemaMode::open,
    )
}

/// Content parts as the server sends them (conversation detail), or `null` (read as none): the
/// typed parts (`video` and `file` included) with attachments whose fields are all optional, or
/// an object of a newer `type`, kept whole as `ContentPart::Unknown` is.
pub(crate) fn server_content_parts(generator: &mut schemars::SchemaGenerator) -> Schema {
    use crate::message_v2::{Attachment, ContentPart};
    let one = generator.subschema_for::<Attachment>().to_value();
    // The branches are the `Attachment` type and an inline array of it: nothing new to name,
    // so code generators make no numbered copies of a branch for each part type.
    let attachments = serde_json::json!({
        "description": "One attachment object, or an array of them.",
        "oneOf": [ one, { "type": "array", "items": one } ]
    });
    let tagged = |tag: &str, schema: &Value| {
        serde_json::json!({
            "title": part_title(tag),
            "type": "object",
            "properties": { "type": { "const": tag }, tag: schema },
            "required": ["type", tag]
        })
    };
    let mut parts: Vec<Value> = ContentPart::TYPED_TYPES
        .iter()
        .map(|tag| match *tag {
            "text" => tagged(tag, &serde_json::json!({ "type": "string" })),
            _ => tagged(tag, &attachments),
        })
        .collect();
    parts.push(serde_json::json!({
        "title": "UnknownPart",
        "description": "A part of a type added by a newer server.",
        "type": "object",
        "properties": {
            "type": { "type": "string", "not": { "enum": ContentPart::TYPED_TYPES } }
        },
        "required": ["type"]
    }));
    schemars::json_schema!({
        "type": ["array", "null"],
        "items": { "anyOf": parts }
    })
}

/// The title of a content part's schema branch, a good type name in generated code: `text`
/// becomes `TextPart`.
pub(crate) fn part_title(tag: &str) -> String {
    let mut chars = tag.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    first
        .into_iter()
        .chain(chars)
        .chain("Part".chars())
        .collect()
}

/// Text that may come as a number (kept as the number's text), or `null`.
pub(crate) fn nullable_string_or_number(_: &mut schemars::SchemaGenerator) -> Schema {
    schemars::json_schema!({ "type": ["string", "number", "null"] })
}

/// A count sent as a number, a string of decimal digits, or `null` (read as 0).
pub(crate) fn count_or_string(_: &mut schemars::SchemaGenerator) -> Schema {
    schemars::json_schema!({
        "anyOf": [
            { "type": "integer", "minimum": 0 },
            { "type": "string", "pattern": "^\\s*\\+?[0-9]+\\s*$" },
            { "type": "null" }
        ]
    })
}

/// A request schema says only what we send: optional fields are left out, never `null`, so
/// every `null` that the generator adds for an `Option` is taken out again.
fn without_null(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut map: serde_json::Map<String, Value> = map
                .into_iter()
                .map(|(key, member)| (key, without_null(member)))
                .collect();
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    map.insert("type".to_owned(), only);
                }
            }
            if let Some(Value::Array(values)) = map.get_mut("enum") {
                values.retain(|v| !v.is_null());
            }
            if let Some(Value::Array(branches)) = map.get_mut("anyOf") {
                branches.retain(|b| b.get("type") != Some(&Value::from("null")));
                if let [only] = branches.as_slice() {
                    // `{"anyOf": [X]}` is X; other keys (a description) stay beside it.
                    let only = only.clone();
                    map.remove("anyOf");
                    if let Value::Object(inner) = only {
                        for (key, member) in inner {
                            map.entry(key).or_insert(member);
                        }
                    }
                }
            }
            Value::Object(map)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(without_null).collect()),
        other => other,
    }
}

/// Every `description` in `value` as plain prose for readers in any language: see
/// [`plain_prose`].
pub fn plain_descriptions(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, member)| match member {
                    Value::String(text) if key == "description" => {
                        (key, Value::String(plain_prose(&text)))
                    }
                    other => (key, plain_descriptions(other)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(plain_descriptions).collect()),
        other => other,
    }
}

/// A doc comment as plain prose: a Rust doc link (`` [`Foo`](path) `` or `` [`Foo`] ``) becomes
/// `` `Foo` ``, and a path inside backticks keeps its last segment (`` `Role::User` `` becomes
/// `` `User` ``), so that a description names the wire's things, not the Rust crate's.
pub fn plain_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let (before, after) = rest.split_at(start);
        let Some(end) = after[1..].find('`') else {
            break;
        };
        let code = &after[1..1 + end];
        let mut tail = &after[2 + end..];
        match (before.strip_suffix('['), tail.strip_prefix(']')) {
            (Some(text), Some(closed)) => {
                out.push_str(text);
                tail = closed;
                if closed.starts_with('(') {
                    if let Some(paren) = closed.find(')') {
                        tail = &closed[paren + 1..];
                    }
                }
            }
            _ => out.push_str(before),
        }
        let code = match code.rsplit_once("::") {
            Some((_, last))
                if code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') =>
            {
                last
            }
            _ => code,
        };
        out.push('`');
        out.push_str(code);
        out.push('`');
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Every unsigned integer's range as its Rust type reads it: `format: uint32` also says
/// `maximum: 4294967295`, which validators and code generators check (a format they do not know
/// they skip).
fn with_integer_bounds(value: Value) -> Value {
    match value {
        Value::Object(mut map) => {
            let maximum = match map.get("format").and_then(Value::as_str) {
                Some("uint8") => Some(u64::from(u8::MAX)),
                Some("uint16") => Some(u64::from(u16::MAX)),
                Some("uint32") => Some(u64::from(u32::MAX)),
                Some("uint64") => Some(u64::MAX),
                _ => None,
            };
            if let Some(maximum) = maximum {
                map.entry("maximum").or_insert(Value::from(maximum));
            }
            Value::Object(
                map.into_iter()
                    .map(|(key, member)| (key, with_integer_bounds(member)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(with_integer_bounds).collect()),
        other => other,
    }
}

/// One exported schema: its file stem and the schema as canonical JSON.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WireSchema {
    /// The file stem: `schemas/{name}.schema.json`.
    pub name: &'static str,
    /// The schema.
    pub schema: Value,
}

impl WireSchema {
    /// The file's contents: pretty-printed with sorted keys and a trailing newline, so that it
    /// does not churn between machines.
    pub fn to_canonical_string(&self) -> String {
        // serde_json's Map is a BTreeMap unless `preserve_order` is on, so keys come out sorted;
        // sort explicitly anyway in case a dependency turns that feature on.
        let mut text =
            serde_json::to_string_pretty(&sorted(self.schema.clone())).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// `value` with every object's keys in sorted order, as the exported files are written.
pub fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The schema of what the server sends: `null` allowed wherever the Rust type reads it.
fn schema_of<T: JsonSchema>(name: &'static str) -> WireSchema {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let mut schema = generator.into_root_schema_for::<T>();
    schema.insert(
        "$id".to_owned(),
        Value::String(format!("{ID_BASE}/{name}.schema.json")),
    );
    WireSchema {
        name,
        schema: with_integer_bounds(plain_descriptions(schema.to_value())),
    }
}

/// The schema of what we send: strict, no `null` for an optional field.
fn request_schema_of<T: JsonSchema>(name: &'static str) -> WireSchema {
    let WireSchema { name, schema } = schema_of::<T>(name);
    WireSchema {
        name,
        schema: without_null(schema),
    }
}

/// The `$id` prefix of the exported schemas.
pub const ID_BASE: &str = "https://gptbots-protocol.invalid/schemas";

/// Every wire message's schema, in the order of [`WIRE_TYPES`](crate::wire::WIRE_TYPES).
pub fn wire_schemas() -> Vec<WireSchema> {
    crate::wire::WIRE_TYPES.iter().map(|w| w.schema()).collect()
}

/// The schema of `T` under `name`: strict for what we send, tolerant for what we read.
pub(crate) fn wire_schema<T: JsonSchema>(
    name: &'static str,
    direction: crate::wire::Direction,
) -> WireSchema {
    match direction {
        crate::wire::Direction::Sent => request_schema_of::<T>(name),
        crate::wire::Direction::Received => schema_of::<T>(name),
    }
}

impl JsonSchema for Frame {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Frame".into()
    }

    /// Accepts exactly what [`Frame`]'s `Deserialize` accepts: `null` where it reads `null` as
    /// absent, an error frame whose `data` is absent or `null`, the typed codes only with their
    /// data, and any other code with anything.
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> Schema {
        use crate::stream::citation::{CitationItem, CorrelatedAttachment};
        let known = code::KNOWN;
        let message = serde_json::json!({ "type": ["string", "null"] });
        let frame = |code: i64, title: &str, data: Value, required: &[&str]| {
            serde_json::json!({
                "title": title,
                "type": "object",
                "properties": {
                    "code": { "const": code },
                    "message": message,
                    "data": data
                },
                "required": required
            })
        };
        let message_info = generator.subschema_for::<MessageInfo>().to_value();
        let audio = generator.subschema_for::<AudioPiece>().to_value();
        let flow_items = generator.subschema_for::<Vec<FlowOutputItem>>().to_value();
        let tokens = generator.subschema_for::<Tokens>().to_value();
        let citations = generator.subschema_for::<Vec<CitationItem>>().to_value();
        let attachments = generator
            .subschema_for::<Vec<CorrelatedAttachment>>()
            .to_value();
        let or_null = |schema: Value| serde_json::json!({ "anyOf": [schema, { "type": "null" }] });
        let mut flow = frame(
            code::FLOW_OUTPUT,
            "FlowOutputFrame",
            flow_items,
            &["code", "data"],
        );
        if let Some(props) = flow.get_mut("properties").and_then(Value::as_object_mut) {
            props.insert(
                "componentId".to_owned(),
                serde_json::json!({
                    "description": "The component's id: an integer (12.0 reads as 12); anything else is kept as an extra field."
                }),
            );
        }
        schemars::json_schema!({
            "description": "One frame of a streaming reply. The `code` decides the kind; codes not listed are kept as they came.",
            "anyOf": [
                frame(code::MESSAGE_INFO, "MessageInfoFrame", message_info, &["code", "data"]),
                frame(code::TEXT, "TextFrame", serde_json::json!({ "type": "string" }), &["code", "data"]),
                frame(code::AUDIO, "AudioFrame", audio, &["code", "data"]),
                flow,
                frame(code::COST, "CostFrame", tokens, &["code", "data"]),
                frame(code::END, "EndFrame", serde_json::json!({ "type": "null" }), &["code"]),
                frame(code::CITATION, "CitationFrame", or_null(citations), &["code"]),
                frame(code::CORRELATE_ATTACHMENT, "CorrelateAttachmentFrame", or_null(attachments), &["code"]),
                {
                    "title": "ErrorFrame",
                    "description": "A code of 20000 or more and no `data` (or `null`): an error inside the stream.",
                    "type": "object",
                    "properties": {
                        "code": { "type": "integer", "minimum": 20000 },
                        "message": message,
                        "data": { "type": "null" }
                    },
                    "required": ["code"]
                },
                {
                    "title": "UnknownFrame",
                    "description": "Any other code (5, 6, 41 or newer), `data` as it came.",
                    "type": "object",
                    "properties": {
                        "code": { "type": "integer", "not": { "enum": known } },
                        "message": message,
                        "data": { "description": "The frame's data as it came: any JSON value." }
                    },
                    "not": {
                        "description": "An error frame is not an unknown one.",
                        "properties": {
                            "code": { "minimum": 20000 },
                            "data": { "type": "null" }
                        }
                    },
                    "required": ["code"]
                }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::plain_prose;

    #[test]
    fn doc_links_and_paths_become_plain_names() {
        assert_eq!(
            plain_prose("match on [`code`](Self::code), never the text"),
            "match on `code`, never the text"
        );
        assert_eq!(
            plain_prose("error 40005 ([`ErrorCode::PAGE_PAST_END`])."),
            "error 40005 (`PAGE_PAST_END`)."
        );
        assert_eq!(
            plain_prose("`user_info` of [`HandoffEstablish`]."),
            "`user_info` of `HandoffEstablish`."
        );
        assert_eq!(
            plain_prose("a [note] and `a b::c` stay"),
            "a [note] and `a b::c` stay"
        );
        assert_eq!(plain_prose("an odd ` tick"), "an odd ` tick");
        assert_eq!(plain_prose("[`half` open"), "[`half` open");
    }
}
