//! Send message, v2: `POST /v2/conversation/message`.
//!
//! Upstream: <https://www.gptbots.ai/docs/api-reference/conversation-api/send-message>. The
//! blocking reply is [`SendMessageResponse`]; the same object is POSTed to the developer's URL
//! in webhook mode (see [`crate::webhook`]); streaming mode answers with frames (see
//! [`crate::stream`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use crate::citation::{Citation, CitationAttachment, CitationType};
use crate::open_enum::open_string_enum;
use crate::usage::Usage;
use crate::validate::{ValidationErrors, Violation};

open_string_enum! {
    /// How the reply is delivered (`response_mode`).
    pub enum ResponseMode (strict) {
        /// Wait for the whole reply.
        Blocking = "blocking",
        /// Receive the reply as a stream of frames.
        Streaming = "streaming",
        /// The reply is POSTed to the webhook URL set in the console.
        Webhook = "webhook",
    }
}

open_string_enum! {
    /// Who wrote a message (`role`).
    pub enum Role (strict) {
        /// The user.
        User = "user",
        /// The agent; used to give the conversation context.
        Assistant = "assistant",
    }
}

/// The request body of send message v2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct SendMessageRequest {
    /// The conversation to continue (from create conversation).
    #[cfg_attr(feature = "schemars", schemars(length(min = 1)))]
    pub conversation_id: String,
    /// How the reply is delivered.
    pub response_mode: ResponseMode,
    /// The messages: `user` and `assistant` roles build the context; at least one is the
    /// user's.
    #[cfg_attr(
        feature = "schemars",
        schemars(
            length(min = 1),
            extend("contains" = { "properties": { "role": { "const": "user" } }, "required": ["role"] })
        )
    )]
    pub messages: Vec<Message>,
    /// Per-request adjustments of the agent's memory and knowledge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_config: Option<ConversationConfig>,
}

impl SendMessageRequest {
    /// A request with these messages.
    pub fn new(
        conversation_id: impl Into<String>,
        response_mode: ResponseMode,
        messages: Vec<Message>,
    ) -> Self {
        SendMessageRequest {
            conversation_id: conversation_id.into(),
            response_mode,
            messages,
            conversation_config: None,
        }
    }

    /// The common case: one user text message, blocking.
    ///
    /// ```
    /// use gptbots_protocol::message_v2::{ResponseMode, SendMessageRequest};
    /// let request = SendMessageRequest::text("67b590ca27008b39c60f30ef", "Hello")
    ///     .with_response_mode(ResponseMode::Streaming);
    /// assert!(request.validate().is_ok());
    /// ```
    pub fn text(conversation_id: impl Into<String>, text: impl Into<String>) -> Self {
        SendMessageRequest::new(
            conversation_id,
            ResponseMode::Blocking,
            vec![Message::user(text.into())],
        )
    }

    /// This request with another response mode.
    pub fn with_response_mode(mut self, response_mode: ResponseMode) -> Self {
        self.response_mode = response_mode;
        self
    }

    /// This request with a conversation config.
    pub fn with_config(mut self, config: ConversationConfig) -> Self {
        self.conversation_config = Some(config);
        self
    }

    /// This request with one more message.
    pub fn with_message(mut self, message: Message) -> Self {
        self.messages.push(message);
        self
    }

    /// Every documented rule this request breaks: a conversation id; at least one message, one
    /// of them the user's;
    /// documented values for `response_mode`, `role` and part `type` (the types keep newer
    /// values so that they round-trip, but a request to today's service with one is a mistake;
    /// skip `validate()` to send one on purpose); attachments with exactly one of `url` and
    /// `base64_content`.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut violations = Vec::new();
        if self.conversation_id.is_empty() {
            violations.push(Violation::new("conversation_id", "must not be empty"));
        }
        if self.messages.is_empty() {
            violations.push(Violation::new(
                "messages",
                "at least one message is required",
            ));
        } else if !self.messages.iter().any(|m| m.role == Role::User) {
            violations.push(Violation::new(
                "messages",
                "at least one message must be the user's",
            ));
        }
        if !self.response_mode.is_known() {
            violations.push(Violation::not_documented(
                "response_mode",
                ResponseMode::KNOWN,
            ));
        }
        for (i, message) in self.messages.iter().enumerate() {
            if !message.role.is_known() {
                violations.push(Violation::not_documented(
                    format!("messages[{i}].role"),
                    Role::KNOWN,
                ));
            }
            if let Content::Parts(parts) = &message.content {
                if parts.is_empty() {
                    violations.push(Violation::new(
                        format!("messages[{i}].content"),
                        "at least one part is required",
                    ));
                }
                for (j, part) in parts.iter().enumerate() {
                    let at = format!("messages[{i}].content[{j}]");
                    if !ContentPart::KNOWN_TYPES.contains(&part.part_type()) {
                        violations.push(Violation::not_documented(
                            format!("{at}.type"),
                            ContentPart::KNOWN_TYPES,
                        ));
                    }
                    if let Some((field, attachments)) = part.attachments() {
                        if attachments.is_empty() {
                            violations.push(Violation::new(
                                format!("{at}.{field}"),
                                "at least one attachment is required",
                            ));
                        }
                        for (k, attachment) in attachments.iter().enumerate() {
                            let path = match attachments {
                                Attachments::One(_) => format!("{at}.{field}"),
                                Attachments::Many(_) => format!("{at}.{field}[{k}]"),
                            };
                            attachment.check_source(&path, &mut violations);
                        }
                    }
                }
            }
        }
        ValidationErrors::check(violations)
    }
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// A plain string, or an array of parts (text, audio, image, document).
    pub content: Content,
}

impl Message {
    /// A message with this role and content.
    pub fn new(role: Role, content: impl Into<Content>) -> Self {
        Message {
            role,
            content: content.into(),
        }
    }

    /// A user message.
    pub fn user(content: impl Into<Content>) -> Self {
        Message::new(Role::User, content)
    }

    /// An assistant message (context).
    pub fn assistant(content: impl Into<Content>) -> Self {
        Message::new(Role::Assistant, content)
    }
}

/// The `content` of a message: a plain string or an array of parts.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// `"content": "Hello"`.
    Text(String),
    /// `"content": [{"type": "text", ...}, {"type": "image", ...}]`.
    Parts(Vec<ContentPart>),
}

impl From<String> for Content {
    fn from(text: String) -> Self {
        Content::Text(text)
    }
}

impl From<&str> for Content {
    fn from(text: &str) -> Self {
        Content::Text(text.to_owned())
    }
}

impl From<Vec<ContentPart>> for Content {
    fn from(parts: Vec<ContentPart>) -> Self {
        Content::Parts(parts)
    }
}

impl Serialize for Content {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Content::Text(text) => serializer.serialize_str(text),
            Content::Parts(parts) => parts.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ContentVisitor;
        impl<'de> Visitor<'de> for ContentVisitor {
            type Value = Content;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of content parts")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Content, E> {
                Ok(Content::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Content, E> {
                Ok(Content::Text(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Content, A::Error> {
                let mut parts = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(part) = seq.next_element()? {
                    parts.push(part);
                }
                Ok(Content::Parts(parts))
            }
        }
        deserializer.deserialize_any(ContentVisitor)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Content {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Content".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let part = generator.subschema_for::<ContentPart>();
        schemars::json_schema!({
            "description": "A plain string, or an array of parts.",
            "oneOf": [
                { "title": "TextContent", "type": "string" },
                { "title": "PartsContent", "type": "array", "items": part, "minItems": 1 }
            ]
        })
    }
}

/// One part of a multi-part message, tagged by `type`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ContentPart {
    /// `{"type": "text", "text": ...}`.
    Text {
        /// The text.
        text: String,
    },
    /// `{"type": "audio", "audio": ...}`: mp3, wav, acc.
    Audio {
        /// One attachment or several.
        audio: Attachments,
    },
    /// `{"type": "image", "image": ...}`: jpg, jpeg, png, gif, webp.
    Image {
        /// One attachment or several.
        image: Attachments,
    },
    /// `{"type": "document", "document": ...}`: pdf, txt, docx, csv, xlsx, html, json, md,
    /// tex, ts, xml and more.
    Document {
        /// One attachment or several.
        document: Attachments,
    },
    /// `{"type": "video", "video": ...}`: shown by conversation detail; not a documented
    /// request part.
    Video {
        /// One attachment or several.
        video: Attachments,
    },
    /// `{"type": "file", "file": ...}`: shown by conversation detail; not a documented request
    /// part.
    File {
        /// One attachment or several.
        file: Attachments,
    },
    /// A part type this crate does not know, kept whole (the `type` is inside `raw`).
    Unknown {
        /// The part's `type`.
        part_type: String,
        /// The whole part object as it came.
        raw: Map<String, Value>,
    },
}

impl ContentPart {
    /// The part types documented for a request, as they appear in `type`.
    pub const KNOWN_TYPES: &'static [&'static str] = &["text", "audio", "image", "document"];

    /// The part types this crate types: the request's, and `video` and `file`, which
    /// conversation detail also shows.
    pub const TYPED_TYPES: &'static [&'static str] =
        &["text", "audio", "image", "document", "video", "file"];

    /// A text part.
    pub fn text(text: impl Into<String>) -> Self {
        ContentPart::Text { text: text.into() }
    }

    /// An audio part.
    pub fn audio(audio: impl Into<Attachments>) -> Self {
        ContentPart::Audio {
            audio: audio.into(),
        }
    }

    /// An image part.
    pub fn image(image: impl Into<Attachments>) -> Self {
        ContentPart::Image {
            image: image.into(),
        }
    }

    /// A document part.
    pub fn document(document: impl Into<Attachments>) -> Self {
        ContentPart::Document {
            document: document.into(),
        }
    }

    /// A video part (as conversation detail shows one).
    pub fn video(video: impl Into<Attachments>) -> Self {
        ContentPart::Video {
            video: video.into(),
        }
    }

    /// A file part (as conversation detail shows one).
    pub fn file(file: impl Into<Attachments>) -> Self {
        ContentPart::File { file: file.into() }
    }

    /// The part's `type` on the wire.
    pub fn part_type(&self) -> &str {
        match self {
            ContentPart::Text { .. } => "text",
            ContentPart::Audio { .. } => "audio",
            ContentPart::Image { .. } => "image",
            ContentPart::Document { .. } => "document",
            ContentPart::Video { .. } => "video",
            ContentPart::File { .. } => "file",
            ContentPart::Unknown { part_type, .. } => part_type,
        }
    }

    /// The attachments of an audio, image, document, video or file part, with the field name.
    pub fn attachments(&self) -> Option<(&'static str, &Attachments)> {
        match self {
            ContentPart::Audio { audio } => Some(("audio", audio)),
            ContentPart::Image { image } => Some(("image", image)),
            ContentPart::Document { document } => Some(("document", document)),
            ContentPart::Video { video } => Some(("video", video)),
            ContentPart::File { file } => Some(("file", file)),
            ContentPart::Text { .. } | ContentPart::Unknown { .. } => None,
        }
    }
}

impl Serialize for ContentPart {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let ContentPart::Unknown { raw, .. } = self {
            return raw.serialize(serializer);
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("type", self.part_type())?;
        match self {
            ContentPart::Text { text } => map.serialize_entry("text", text)?,
            ContentPart::Audio { audio } => map.serialize_entry("audio", audio)?,
            ContentPart::Image { image } => map.serialize_entry("image", image)?,
            ContentPart::Document { document } => map.serialize_entry("document", document)?,
            ContentPart::Video { video } => map.serialize_entry("video", video)?,
            ContentPart::File { file } => map.serialize_entry("file", file)?,
            ContentPart::Unknown { .. } => {}
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ContentPart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut raw = Map::<String, Value>::deserialize(deserializer)?;
        let part_type = match raw.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(_) => return Err(de::Error::custom("`type` must be a string")),
            None => return Err(de::Error::missing_field("type")),
        };
        fn field<T: serde::de::DeserializeOwned, E: de::Error>(
            raw: &mut Map<String, Value>,
            name: &'static str,
        ) -> Result<T, E> {
            let value = raw.remove(name).ok_or_else(|| E::missing_field(name))?;
            serde_path_to_error::deserialize(value).map_err(|err| {
                let path = err.path().to_string();
                if path == "." {
                    E::custom(format_args!("{name}: {}", err.inner()))
                } else {
                    E::custom(format_args!("{name}.{path}: {}", err.inner()))
                }
            })
        }
        Ok(match part_type.as_str() {
            "text" => ContentPart::Text {
                text: field(&mut raw, "text")?,
            },
            "audio" => ContentPart::Audio {
                audio: field(&mut raw, "audio")?,
            },
            "image" => ContentPart::Image {
                image: field(&mut raw, "image")?,
            },
            "document" => ContentPart::Document {
                document: field(&mut raw, "document")?,
            },
            "video" => ContentPart::Video {
                video: field(&mut raw, "video")?,
            },
            "file" => ContentPart::File {
                file: field(&mut raw, "file")?,
            },
            _ => ContentPart::Unknown { part_type, raw },
        })
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for ContentPart {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ContentPart".into()
    }
    /// The request's parts: the four documented types, each attachment with exactly one of
    /// `url` and `base64_content`. (Conversation detail, which the server sends, has its own
    /// schema: `crate::schema::server_content_parts`.)
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let attachments = generator.subschema_for::<Attachments>();
        let tagged = |tag: &str, field: &str, schema: serde_json::Value| {
            serde_json::json!({
                "title": crate::schema::part_title(tag),
                "type": "object",
                "properties": { "type": { "const": tag }, field: schema },
                "required": ["type", field]
            })
        };
        let parts = vec![
            tagged("text", "text", serde_json::json!({ "type": "string" })),
            tagged("audio", "audio", attachments.clone().to_value()),
            tagged("image", "image", attachments.clone().to_value()),
            tagged("document", "document", attachments.to_value()),
        ];
        schemars::json_schema!({
            "description": "One part of a message, tagged by `type`.",
            "oneOf": parts
        })
    }
}

/// An attachment given as one object (the 2025 page) or as an array (newer pages and real
/// clients). Both are accepted; the shape that came is kept for serialization.
#[derive(Debug, Clone, PartialEq)]
pub enum Attachments {
    /// A single object.
    One(Attachment),
    /// An array of objects.
    Many(Vec<Attachment>),
}

impl Attachments {
    /// The attachments as a slice, whatever the shape.
    pub fn as_slice(&self) -> &[Attachment] {
        match self {
            Attachments::One(one) => std::slice::from_ref(one),
            Attachments::Many(many) => many,
        }
    }

    /// Iterates over the attachments.
    pub fn iter(&self) -> std::slice::Iter<'_, Attachment> {
        self.as_slice().iter()
    }

    /// How many attachments there are.
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Whether there are none (an empty array).
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
}

impl From<Attachment> for Attachments {
    fn from(one: Attachment) -> Self {
        Attachments::One(one)
    }
}

impl From<Vec<Attachment>> for Attachments {
    fn from(many: Vec<Attachment>) -> Self {
        Attachments::Many(many)
    }
}

impl Serialize for Attachments {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Attachments::One(one) => one.serialize(serializer),
            Attachments::Many(many) => many.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Attachments {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AttachmentsVisitor;
        impl<'de> Visitor<'de> for AttachmentsVisitor {
            type Value = Attachments;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an attachment object or an array of them")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Attachments, A::Error> {
                Attachment::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(Attachments::One)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Attachments, A::Error> {
                Vec::<Attachment>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(Attachments::Many)
            }
        }
        deserializer.deserialize_any(AttachmentsVisitor)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Attachments {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Attachments".into()
    }
    /// As a request sends them: each attachment with exactly one of `url` and
    /// `base64_content`.
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // Each branch is a definition of its own, so that generated code names it.
        let one = serde_json::json!({
            "oneOf": [
                generator.subschema_for::<UrlAttachment>(),
                generator.subschema_for::<Base64Attachment>()
            ]
        });
        schemars::json_schema!({
            "description": "One attachment object, or an array of them.",
            "oneOf": [
                generator.subschema_for::<UrlAttachment>(),
                generator.subschema_for::<Base64Attachment>(),
                { "title": "AttachmentList", "type": "array", "items": one, "minItems": 1 }
            ]
        })
    }
}

/// The schema of a request's attachment given by `url` (and not `base64_content`).
#[cfg(feature = "schemars")]
struct UrlAttachment;

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for UrlAttachment {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "UrlAttachment".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An attachment given by its URL.",
            "allOf": [generator.subschema_for::<Attachment>()],
            "required": ["url"]
        })
    }
}

/// The schema of a request's attachment given by `base64_content` (and not `url`).
#[cfg(feature = "schemars")]
struct Base64Attachment;

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Base64Attachment {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Base64Attachment".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An attachment given inline, base64-encoded.",
            "allOf": [generator.subschema_for::<Attachment>()],
            "required": ["base64_content"]
        })
    }
}

/// A file attached to a message part: `{url | base64_content, format, name}`.
///
/// Every field is optional: a request gives exactly one of `url` and `base64_content` (its
/// `validate()` and the request schema check it), while conversation detail shows what the
/// server kept (`url` and `transcript` only for the agent's audio).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Attachment {
    /// Where the file is (give this or `base64_content`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The file itself, base64 (give this or `url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64_content: Option<String>,
    /// The file format, an open set: `mp3`, `wav`, `acc`; `jpg`, `jpeg`, `png`, `gif`,
    /// `webp`; `pdf`, `txt`, `docx`, `csv`, `xlsx`, `html`, `json`, `md`, `tex`, `ts`, `xml`
    /// and more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The file's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The size in bytes (conversation detail shows it for user uploads).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub size: Option<u64>,
    /// What an audio attachment says (conversation detail shows it on the agent's audio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
}

impl Attachment {
    /// An attachment by URL.
    pub fn url(url: impl Into<String>, format: impl Into<String>, name: impl Into<String>) -> Self {
        Attachment {
            url: Some(url.into()),
            format: Some(format.into()),
            name: Some(name.into()),
            ..Attachment::default()
        }
    }

    /// An attachment given inline, base64.
    pub fn base64(
        content: impl Into<String>,
        format: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Attachment {
            base64_content: Some(content.into()),
            format: Some(format.into()),
            name: Some(name.into()),
            ..Attachment::default()
        }
    }

    fn check_source(&self, path: &str, violations: &mut Vec<Violation>) {
        match (&self.url, &self.base64_content) {
            (Some(_), Some(_)) => violations.push(Violation::new(
                path,
                "give `url` or `base64_content`, not both",
            )),
            (None, None) => violations.push(Violation::new(
                path,
                "one of `url` and `base64_content` is required",
            )),
            _ => {}
        }
    }
}

/// `conversation_config`: per-request adjustments. Fields left unset are omitted, and the
/// agent's settings apply.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ConversationConfig {
    /// Use long-term memory for this message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_term_memory: Option<bool>,
    /// Use short-term memory (the conversation so far) for this message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_term_memory: Option<bool>,
    /// Knowledge retrieval. Absent: the agent's default knowledge. Both arrays empty: no
    /// retrieval. Ids: the union of those documents and knowledge bases. These three stay
    /// distinct on the wire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge: Option<Knowledge>,
    /// Values for the agent's custom variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_variables: Option<BTreeMap<String, String>>,
    /// Mark cited sources in the reply text (`$[1]$`) and send them in the reply's
    /// `citations`; absent: the agent's setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corner_citation: Option<bool>,
}

impl ConversationConfig {
    /// An empty config (everything from the agent's settings).
    pub fn new() -> Self {
        ConversationConfig::default()
    }

    /// Sets long-term memory.
    pub fn long_term_memory(mut self, on: bool) -> Self {
        self.long_term_memory = Some(on);
        self
    }

    /// Sets short-term memory.
    pub fn short_term_memory(mut self, on: bool) -> Self {
        self.short_term_memory = Some(on);
        self
    }

    /// Sets knowledge retrieval.
    pub fn knowledge(mut self, knowledge: Knowledge) -> Self {
        self.knowledge = Some(knowledge);
        self
    }

    /// Asks for citation marks and the reply's `citations` (or switches them off).
    pub fn corner_citation(mut self, on: bool) -> Self {
        self.corner_citation = Some(on);
        self
    }

    /// Sets one custom variable.
    pub fn custom_variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom_variables
            .get_or_insert_with(BTreeMap::new)
            .insert(name.into(), value.into());
        self
    }
}

/// `knowledge`: which documents and knowledge bases to retrieve from.
///
/// Each array is kept as it came: absent or present, even empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Knowledge {
    /// Document ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_ids: Option<Vec<String>>,
    /// Knowledge base ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_ids: Option<Vec<String>>,
}

impl Knowledge {
    /// Both arrays empty: no knowledge retrieval for this message.
    pub fn none() -> Self {
        Knowledge {
            data_ids: Some(Vec::new()),
            group_ids: Some(Vec::new()),
        }
    }

    /// Retrieve from the union of these documents and knowledge bases.
    pub fn ids<D, G>(data_ids: D, group_ids: G) -> Self
    where
        D: IntoIterator,
        D::Item: Into<String>,
        G: IntoIterator,
        G::Item: Into<String>,
    {
        Knowledge {
            data_ids: Some(data_ids.into_iter().map(Into::into).collect()),
            group_ids: Some(group_ids.into_iter().map(Into::into).collect()),
        }
    }

    /// Whether retrieval is switched off (no id in either array).
    pub fn is_disabled(&self) -> bool {
        self.data_ids.as_ref().is_none_or(Vec::is_empty)
            && self.group_ids.as_ref().is_none_or(Vec::is_empty)
    }
}

/// The blocking reply of send message v2, and the body POSTed in webhook mode.
///
/// Read tolerantly (what a real server sends): `null` for any optional or defaulted field reads
/// as absent, `create_time` may be an integral decimal (`1679587005.0`), and
/// `from_component_branch` may be a number (kept as its text). `conversation_id` and
/// `message_id` are required and never `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct SendMessageResponse {
    /// When the reply was made (Unix seconds, as the examples show).
    #[serde(deserialize_with = "crate::serde_util::integer")]
    pub create_time: i64,
    /// The conversation.
    pub conversation_id: String,
    /// The reply message's id (an opaque string).
    pub message_id: String,
    /// The reply, one entry per output component; `null` reads as none.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<Vec<Output>>"))]
    pub output: Vec<Output>,
    /// Tokens and credits spent. Documented as always present; kept optional so that a reply
    /// without it (a human agent's, say) still parses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// The sources cited by `$[n]$` marks in the text, sent when the request asked for them
    /// (`conversation_config.corner_citation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citations: Option<Vec<Citation>>,
}

impl SendMessageResponse {
    /// A reply.
    pub fn new(
        create_time: i64,
        conversation_id: impl Into<String>,
        message_id: impl Into<String>,
        output: Vec<Output>,
        usage: Option<Usage>,
    ) -> Self {
        SendMessageResponse {
            create_time,
            conversation_id: conversation_id.into(),
            message_id: message_id.into(),
            output,
            usage,
            citations: None,
        }
    }

    /// This reply with citations.
    pub fn with_citations(mut self, citations: Vec<Citation>) -> Self {
        self.citations = Some(citations);
        self
    }

    /// The text of every output, joined with no separator.
    pub fn text(&self) -> String {
        self.output
            .iter()
            .filter_map(|o| o.content.text.as_deref())
            .collect()
    }
}

/// One entry of `output`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Output {
    /// The branch of the flow component that produced it. A number is kept as its text
    /// (`1` reads as `"1"`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::schema::nullable_string_or_number")
    )]
    pub from_component_branch: Option<String>,
    /// The name of the component that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_component_name: Option<String>,
    /// What it says; `null` reads as empty.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<OutputContent>"))]
    pub content: OutputContent,
}

impl Output {
    /// An output with text, from the named component.
    pub fn text(from_component_name: impl Into<String>, text: impl Into<String>) -> Self {
        Output {
            from_component_branch: None,
            from_component_name: Some(from_component_name.into()),
            content: OutputContent {
                text: Some(text.into()),
                audio: None,
            },
        }
    }
}

/// `output[].content`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct OutputContent {
    /// The text of the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Audio of the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<Vec<OutputAudio>>,
}

impl OutputContent {
    /// Content with text and audio.
    pub fn new(text: Option<String>, audio: Option<Vec<OutputAudio>>) -> Self {
        OutputContent { text, audio }
    }
}

/// `output[].content.audio[]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct OutputAudio {
    /// The audio's URL.
    pub audio: String,
    /// What the audio says; `null` reads as `""`.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<String>"))]
    pub transcript: String,
}

impl OutputAudio {
    /// An audio entry.
    pub fn new(url: impl Into<String>, transcript: impl Into<String>) -> Self {
        OutputAudio {
            audio: url.into(),
            transcript: transcript.into(),
        }
    }
}
