//! Conversations: create one (`POST /v1/conversation`) and read one back
//! (`GET /v2/messages`).
//!
//! Upstream: <https://www.gptbots.ai/docs/api-reference/conversation-api/create-conversation>
//! and <https://www.gptbots.ai/docs/api-reference/conversation-api/get-conversation-detail>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::message_v2::{ContentPart, Role};
use crate::open_enum::open_string_enum;
use crate::validate::{ValidationErrors, Violation};

/// `user_id` is at most this many characters.
pub const MAX_USER_ID_CHARS: usize = 32;
/// `page_size` of conversation detail is at most this.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The request body of create conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateConversationRequest {
    /// The developer's id for the user, at most 32 characters.
    #[cfg_attr(feature = "schemars", schemars(length(min = 1, max = crate::conversation::MAX_USER_ID_CHARS)))]
    pub user_id: String,
}

impl CreateConversationRequest {
    /// A request for this user.
    pub fn new(user_id: impl Into<String>) -> Self {
        CreateConversationRequest {
            user_id: user_id.into(),
        }
    }

    /// Every documented rule this request breaks: `user_id` not empty, at most 32 characters.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut violations = Vec::new();
        let chars = self.user_id.chars().count();
        if chars == 0 {
            violations.push(Violation::new("user_id", "must not be empty"));
        }
        if chars > MAX_USER_ID_CHARS {
            violations.push(Violation::new(
                "user_id",
                format!("at most {MAX_USER_ID_CHARS} characters, got {chars}"),
            ));
        }
        ValidationErrors::check(violations)
    }
}

/// The reply of create conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateConversationResponse {
    /// The new conversation's id (an opaque string).
    pub conversation_id: String,
}

impl CreateConversationResponse {
    /// A reply.
    pub fn new(conversation_id: impl Into<String>) -> Self {
        CreateConversationResponse {
            conversation_id: conversation_id.into(),
        }
    }
}

/// The query of conversation detail v2: `?conversation_id=&page=&page_size=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ConversationDetailQuery {
    /// The conversation.
    #[cfg_attr(feature = "schemars", schemars(length(min = 1)))]
    pub conversation_id: String,
    /// The page, from 1.
    #[cfg_attr(feature = "schemars", schemars(range(min = 1)))]
    pub page: u32,
    /// Items per page, at most 100.
    #[cfg_attr(feature = "schemars", schemars(range(min = 1, max = crate::conversation::MAX_PAGE_SIZE)))]
    pub page_size: u32,
}

impl ConversationDetailQuery {
    /// A query.
    pub fn new(conversation_id: impl Into<String>, page: u32, page_size: u32) -> Self {
        ConversationDetailQuery {
            conversation_id: conversation_id.into(),
            page,
            page_size,
        }
    }

    /// Every documented rule this query breaks: page from 1, page_size 1 to 100.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut violations = Vec::new();
        if self.conversation_id.is_empty() {
            violations.push(Violation::new("conversation_id", "must not be empty"));
        }
        if self.page == 0 {
            violations.push(Violation::new("page", "pages count from 1"));
        }
        if self.page_size == 0 || self.page_size > MAX_PAGE_SIZE {
            violations.push(Violation::new(
                "page_size",
                format!("from 1 to {MAX_PAGE_SIZE}"),
            ));
        }
        ValidationErrors::check(violations)
    }
}

/// The reply of conversation detail v2.
///
/// Read tolerantly: `total` may be a number or a string of digits, `null` for an optional or
/// defaulted field reads as absent, times may be integral decimals. A page asked for past the
/// end is not an empty page: the service answers error 40005
/// ([`ErrorCode::PAGE_PAST_END`](crate::ErrorCode::PAGE_PAST_END)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ConversationDetailResponse {
    /// How many messages the conversation has in all (`12` or `"12"` on the wire; `null` reads
    /// as 0).
    #[serde(deserialize_with = "crate::serde_util::count_or_string")]
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::schema::count_or_string")
    )]
    pub total: u64,
    /// This page of messages.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(
        feature = "schemars",
        schemars(with = "Option<Vec<ConversationMessage>>")
    )]
    pub conversation_content: Vec<ConversationMessage>,
}

impl ConversationDetailResponse {
    /// A page of messages.
    pub fn new(total: u64, conversation_content: Vec<ConversationMessage>) -> Self {
        ConversationDetailResponse {
            total,
            conversation_content,
        }
    }
}

/// One message of a conversation detail page.
///
/// The fields follow the upstream page's examples; other fields are allowed, and kept (in
/// `extra`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ConversationMessage {
    /// The message's id.
    pub message_id: String,
    /// The message it answers, when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_message_id: Option<String>,
    /// When it was made (milliseconds in the upstream example).
    #[serde(deserialize_with = "crate::serde_util::integer")]
    pub create_time: i64,
    /// `user` or `assistant`.
    // The server sends this: its schema allows a newer role, unlike the request's.
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::schema::server_role")
    )]
    pub role: Role,
    /// The user's feedback on the message; none when the user gave none (`""`, `null` or
    /// absent on the wire).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "feedback"
    )]
    pub feedback: Option<RecordedFeedback>,
    /// The content, per branch.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<Vec<BranchContent>>"))]
    pub content: Vec<BranchContent>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl ConversationMessage {
    /// A message with one branch of parts.
    pub fn new(
        message_id: impl Into<String>,
        role: Role,
        create_time: i64,
        parts: Vec<ContentPart>,
    ) -> Self {
        ConversationMessage {
            message_id: message_id.into(),
            parent_message_id: None,
            create_time,
            role,
            feedback: None,
            content: vec![BranchContent::new(parts)],
            extra: Map::new(),
        }
    }

    /// This message with the user's feedback.
    pub fn with_feedback(mut self, feedback: RecordedFeedback) -> Self {
        self.feedback = Some(feedback);
        self
    }
}

/// `content[]` of a conversation detail message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct BranchContent {
    /// The Flow agent branch that produced this content; none for user messages and other
    /// agents (absent, `null` or `""` on the wire, each kept as it came: `""` stays `""`). A
    /// number is kept as its text.
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
    /// The parts of this branch (text, image, audio, document, video, file, or a newer type).
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    // The server sends this: its schema allows a newer part type, unlike the request's.
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::schema::server_content_parts")
    )]
    pub branch_content: Vec<ContentPart>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl BranchContent {
    /// One branch of parts.
    pub fn new(branch_content: Vec<ContentPart>) -> Self {
        BranchContent {
            from_component_branch: None,
            branch_content,
            extra: Map::new(),
        }
    }

    /// This content with the branch that produced it.
    pub fn with_branch(mut self, branch: impl Into<String>) -> Self {
        self.from_component_branch = Some(branch.into());
        self
    }
}

open_string_enum! {
    /// The feedback recorded on a message, as conversation detail shows it: an open set.
    /// (What a user sends is `feedback::Feedback`, which can also cancel one.)
    pub enum RecordedFeedback (open) {
        /// Thumbs up.
        Positive = "POSITIVE",
        /// Thumbs down.
        Negative = "NEGATIVE",
    }
}

/// `feedback`: `""` and `null` read as no feedback, like an absent field.
fn feedback<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<RecordedFeedback>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    Ok(text.filter(|t| !t.is_empty()).map(RecordedFeedback::from))
}
