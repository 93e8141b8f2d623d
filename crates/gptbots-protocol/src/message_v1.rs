//! Send message, v1 (deprecated, still served): `POST /v1/conversation/message`.
//!
//! Upstream: <https://www.gptbots.ai/docs/api-reference/conversation-api/send-message-v1>.
//! The v1 reply is also what a v1 webhook delivers.

use serde::{Deserialize, Serialize};

use crate::message_v2::ResponseMode;
use crate::open_enum::open_string_enum;
use crate::stream::FlowOutputItem;
use crate::validate::{ValidationErrors, Violation};

/// At most this many files in one v1 request.
pub const MAX_FILES: usize = 9;
/// The documented size limit of a document file, in bytes (20 MB).
pub const MAX_DOCUMENT_BYTES: u64 = 20 * 1024 * 1024;
/// The documented size limit of an image file, in bytes (10 MB).
pub const MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;
/// The documented size limit of an audio file, in bytes (5 MB).
pub const MAX_AUDIO_BYTES: u64 = 5 * 1024 * 1024;

/// The request body of send message v1. Text or files: at least one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
// `text` or `files`, at least one (as `validate()` says).
#[cfg_attr(
    feature = "schemars",
    schemars(extend("anyOf" = [
        {
            "title": "TextMessageV1",
            "required": ["text"],
            "properties": { "text": { "type": "string", "minLength": 1 } }
        },
        {
            "title": "FilesMessageV1",
            "required": ["files"],
            "properties": { "files": { "type": "array", "minItems": 1 } }
        }
    ]))
)]
#[non_exhaustive]
pub struct SendMessageRequestV1 {
    /// The user's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Images, audio and documents (at most 9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(length(max = crate::message_v1::MAX_FILES)))]
    pub files: Option<Vec<FileV1>>,
    /// The conversation to continue.
    #[cfg_attr(feature = "schemars", schemars(length(min = 1)))]
    pub conversation_id: String,
    /// How the reply is delivered.
    pub response_mode: ResponseMode,
    /// Use short-term memory; absent: the agent's setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_term_memory: Option<bool>,
    /// Use long-term memory; absent: the agent's setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_term_memory: Option<bool>,
    /// Knowledge retrieval; absent: the agent's default knowledge; `data_ids` empty: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge: Option<KnowledgeV1>,
}

impl SendMessageRequestV1 {
    /// The common case: a text message, blocking.
    pub fn text(conversation_id: impl Into<String>, text: impl Into<String>) -> Self {
        SendMessageRequestV1 {
            text: Some(text.into()),
            files: None,
            conversation_id: conversation_id.into(),
            response_mode: ResponseMode::Blocking,
            short_term_memory: None,
            long_term_memory: None,
            knowledge: None,
        }
    }

    /// This request with another response mode.
    pub fn with_response_mode(mut self, response_mode: ResponseMode) -> Self {
        self.response_mode = response_mode;
        self
    }

    /// This request with one more file.
    pub fn with_file(mut self, file: FileV1) -> Self {
        self.files.get_or_insert_with(Vec::new).push(file);
        self
    }

    /// This request with knowledge retrieval set.
    pub fn with_knowledge(mut self, knowledge: KnowledgeV1) -> Self {
        self.knowledge = Some(knowledge);
        self
    }

    /// Every documented rule this request breaks: a documented `response_mode`, text or files
    /// present, at most 9 files,
    /// each with exactly one of `url` and `base64_content`, width and height on images.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut violations = Vec::new();
        if self.conversation_id.is_empty() {
            violations.push(Violation::new("conversation_id", "must not be empty"));
        }
        if !self.response_mode.is_known() {
            violations.push(Violation::not_documented(
                "response_mode",
                ResponseMode::KNOWN,
            ));
        }
        let has_text = self.text.as_deref().is_some_and(|t| !t.is_empty());
        let files = self.files.as_deref().unwrap_or_default();
        if !has_text && files.is_empty() {
            violations.push(Violation::new(".", "give `text` or `files` (at least one)"));
        }
        if files.len() > MAX_FILES {
            violations.push(Violation::new(
                "files",
                format!("at most {MAX_FILES} files, got {}", files.len()),
            ));
        }
        for (i, file) in files.iter().enumerate() {
            match (&file.url, &file.base64_content) {
                (Some(_), Some(_)) => violations.push(Violation::new(
                    format!("files[{i}]"),
                    "give `url` or `base64_content`, not both",
                )),
                (None, None) => violations.push(Violation::new(
                    format!("files[{i}]"),
                    "one of `url` and `base64_content` is required",
                )),
                _ => {}
            }
            if file.is_image() {
                if file.width.is_none() {
                    violations.push(Violation::new(
                        format!("files[{i}].width"),
                        "required for an image",
                    ));
                }
                if file.height.is_none() {
                    violations.push(Violation::new(
                        format!("files[{i}].height"),
                        "required for an image",
                    ));
                }
            }
        }
        ValidationErrors::check(violations)
    }
}

/// A file of a v1 request: `{url | base64_content, name, width?, height?}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schemars",
    schemars(extend("oneOf" = [
        { "title": "UrlFile", "required": ["url"] },
        { "title": "Base64File", "required": ["base64_content"] }
    ]))
)]
#[non_exhaustive]
pub struct FileV1 {
    /// Where the file is (give this or `base64_content`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The file itself, base64 (give this or `url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64_content: Option<String>,
    /// The file name; its extension tells the type.
    pub name: String,
    /// Image width in pixels (required for images).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub width: Option<u32>,
    /// Image height in pixels (required for images).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub height: Option<u32>,
}

impl FileV1 {
    /// A file by URL.
    pub fn url(url: impl Into<String>, name: impl Into<String>) -> Self {
        FileV1 {
            url: Some(url.into()),
            name: name.into(),
            ..FileV1::default()
        }
    }

    /// A file given inline, base64.
    pub fn base64(content: impl Into<String>, name: impl Into<String>) -> Self {
        FileV1 {
            base64_content: Some(content.into()),
            name: name.into(),
            ..FileV1::default()
        }
    }

    /// This file with image dimensions.
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.width = Some(width);
        self.height = Some(height);
        self
    }

    /// Whether the name's extension is one of the documented image formats.
    ///
    /// The v1 page gives no `format` field, so the extension is the only signal; this is the
    /// rule `validate()` uses to require width and height.
    pub fn is_image(&self) -> bool {
        let ext = self
            .name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase());
        matches!(
            ext.as_deref(),
            Some("jpg" | "jpeg" | "png" | "gif" | "webp")
        )
    }
}

/// `knowledge` of a v1 request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct KnowledgeV1 {
    /// Document ids; empty: no retrieval.
    #[serde(default)]
    pub data_ids: Vec<String>,
}

impl KnowledgeV1 {
    /// Retrieve from these documents (none: no retrieval).
    pub fn data_ids<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Self {
        KnowledgeV1 {
            data_ids: ids.into_iter().map(Into::into).collect(),
        }
    }
}

open_string_enum! {
    /// `message_type` of a v1 reply and of hand-off history.
    pub enum MessageType (open) {
        /// The agent's answer.
        Answer = "ANSWER",
        /// The user's question.
        Question = "QUESTION",
    }
}

/// The blocking reply of send message v1 (and the v1 webhook body).
///
/// Read tolerantly: `text` and `flow_output` may be `null` (read as empty and absent), and
/// `create_time` may be an integral decimal. The ids and `message_type` are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct SendMessageResponseV1 {
    /// The reply message's id (an opaque string).
    pub message_id: String,
    /// `ANSWER` or `QUESTION`.
    pub message_type: MessageType,
    /// The reply text.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<String>"))]
    pub text: String,
    /// The outputs of a flow agent's components.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_output: Option<Vec<FlowOutputItem>>,
    /// When the reply was made (Unix seconds).
    #[serde(deserialize_with = "crate::serde_util::integer")]
    pub create_time: i64,
    /// The conversation.
    pub conversation_id: String,
}

impl SendMessageResponseV1 {
    /// An ANSWER reply.
    pub fn answer(
        conversation_id: impl Into<String>,
        message_id: impl Into<String>,
        text: impl Into<String>,
        create_time: i64,
    ) -> Self {
        SendMessageResponseV1 {
            message_id: message_id.into(),
            message_type: MessageType::Answer,
            text: text.into(),
            flow_output: None,
            create_time,
            conversation_id: conversation_id.into(),
        }
    }
}
