//! Human hand-off: the webhooks GPTBots calls on the developer's side when a conversation is
//! handed to a human agent, and the calls back.
//!
//! | path (developer-hosted) | body |
//! |---|---|
//! | `/conversation/establish` | [`HandoffEstablish`] |
//! | `/chat` | [`HandoffChat`] |
//! | `/conversation/close` | [`HandoffClose`] |
//!
//! The developer answers each with [`HandoffReply`] (`{code, message}`), and talks back with
//! `POST /v1/human/message/receive` ([`HumanMessageRequest`]) and `POST /v1/human/close`
//! ([`HumanCloseRequest`]).

use serde::{Deserialize, Serialize};

use crate::message_v1::MessageType;
use crate::open_enum::open_string_enum;

/// The developer-hosted path of the establish call.
pub const ESTABLISH_PATH: &str = "/conversation/establish";
/// The developer-hosted path of the chat call.
pub const CHAT_PATH: &str = "/chat";
/// The developer-hosted path of the close call.
pub const CLOSE_PATH: &str = "/conversation/close";
/// The GPTBots path a human agent's message is sent to.
pub const HUMAN_MESSAGE_PATH: &str = "/v1/human/message/receive";
/// The GPTBots path that closes a hand-off.
pub const HUMAN_CLOSE_PATH: &str = "/v1/human/close";

/// `POST /conversation/establish`: a conversation is handed to a human agent.
///
/// The hand-off bodies GPTBots sends are read tolerantly: `null` for an optional or defaulted
/// field reads as absent, and `timestamp` may be an integral decimal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct HandoffEstablish {
    /// The conversation.
    pub conversation_id: String,
    /// When (Unix milliseconds or seconds, as GPTBots sends it).
    #[serde(deserialize_with = "crate::serde_util::integer")]
    pub timestamp: i64,
    /// The email the hand-off is addressed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The agent.
    pub bot_id: String,
    /// The conversation so far.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(
        feature = "schemars",
        schemars(with = "Option<Vec<HandoffHistoryItem>>")
    )]
    pub body: Vec<HandoffHistoryItem>,
    /// Who the user is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_info: Option<HandoffUserInfo>,
}

/// One message of the history in [`HandoffEstablish`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct HandoffHistoryItem {
    /// The text (may be `""`; `null` reads as `""`).
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<String>"))]
    pub text: String,
    /// `QUESTION` (the user) or `ANSWER` (the agent).
    pub message_type: MessageType,
}

impl HandoffHistoryItem {
    /// A history item.
    pub fn new(text: impl Into<String>, message_type: MessageType) -> Self {
        HandoffHistoryItem {
            text: text.into(),
            message_type,
        }
    }
}

/// `user_info` of [`HandoffEstablish`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct HandoffUserInfo {
    /// The user's phone, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The user's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The developer's user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// GPTBots' anonymous id for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymous_id: Option<String>,
}

impl HandoffEstablish {
    /// An establish body.
    pub fn new(
        conversation_id: impl Into<String>,
        timestamp: i64,
        bot_id: impl Into<String>,
        body: Vec<HandoffHistoryItem>,
    ) -> Self {
        HandoffEstablish {
            conversation_id: conversation_id.into(),
            timestamp,
            email: None,
            bot_id: bot_id.into(),
            body,
            user_info: None,
        }
    }
}

/// `POST /chat`: the user wrote to the human agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct HandoffChat {
    /// The conversation.
    pub conversation_id: String,
    /// When.
    #[serde(deserialize_with = "crate::serde_util::integer")]
    pub timestamp: i64,
    /// What the user wrote.
    pub body: String,
}

impl HandoffChat {
    /// A chat body.
    pub fn new(
        conversation_id: impl Into<String>,
        timestamp: i64,
        body: impl Into<String>,
    ) -> Self {
        HandoffChat {
            conversation_id: conversation_id.into(),
            timestamp,
            body: body.into(),
        }
    }
}

open_string_enum! {
    /// Why a hand-off was closed (`type` of [`HandoffClose`]).
    pub enum CloseType (open) {
        /// The user was silent too long.
        Timeout = "TIMEOUT",
        /// The user closed it.
        UserClosed = "USER_CLOSED",
    }
}

/// `POST /conversation/close`: the hand-off ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct HandoffClose {
    /// The conversation.
    pub conversation_id: String,
    /// When.
    #[serde(deserialize_with = "crate::serde_util::integer")]
    pub timestamp: i64,
    /// Why.
    #[serde(rename = "type")]
    pub close_type: CloseType,
}

impl HandoffClose {
    /// A close body.
    pub fn new(conversation_id: impl Into<String>, timestamp: i64, close_type: CloseType) -> Self {
        HandoffClose {
            conversation_id: conversation_id.into(),
            timestamp,
            close_type,
        }
    }
}

/// The developer's answer to a hand-off call: `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct HandoffReply {
    /// 200 when accepted.
    pub code: i64,
    /// A short text.
    pub message: String,
}

impl HandoffReply {
    /// `{"code": 200, "message": "success"}`.
    pub fn success() -> Self {
        HandoffReply {
            code: 200,
            message: "success".to_owned(),
        }
    }

    /// A refusal.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        HandoffReply {
            code,
            message: message.into(),
        }
    }
}

/// `POST /v1/human/message/receive`: the human agent's message to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct HumanMessageRequest {
    /// The conversation.
    #[cfg_attr(feature = "schemars", schemars(length(min = 1)))]
    pub conversation_id: String,
    /// When, Unix milliseconds (an integral decimal such as `52.0` reads as 52).
    #[serde(deserialize_with = "crate::serde_util::integer")]
    pub timestamp: i64,
    /// The message.
    pub body: String,
}

impl HumanMessageRequest {
    /// A message from the human agent.
    pub fn new(
        conversation_id: impl Into<String>,
        timestamp: i64,
        body: impl Into<String>,
    ) -> Self {
        HumanMessageRequest {
            conversation_id: conversation_id.into(),
            timestamp,
            body: body.into(),
        }
    }
}

/// `POST /v1/human/close`: the human agent ends the hand-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct HumanCloseRequest {
    /// The conversation.
    #[cfg_attr(feature = "schemars", schemars(length(min = 1)))]
    pub conversation_id: String,
    /// When, Unix milliseconds (an integral decimal such as `52.0` reads as 52).
    #[serde(deserialize_with = "crate::serde_util::integer")]
    pub timestamp: i64,
}

impl HumanCloseRequest {
    /// A close request.
    pub fn new(conversation_id: impl Into<String>, timestamp: i64) -> Self {
        HumanCloseRequest {
            conversation_id: conversation_id.into(),
            timestamp,
        }
    }
}
