//! Reading conversations back: the list of an agent's conversations
//! (`GET /v1/bot/conversation/page`) and the legacy text-only conversation detail
//! (`GET /v1/messages`). The current conversation detail (`GET /v2/messages`) is in
//! [`conversation`](crate::conversation).
//!
//! Both take their parameters in the query string (older pages call them "request body"; every
//! example puts them in the URL), and both page from 1. Asking for a page past the last one is
//! error 40005.
//!
//! Upstream: <https://www.gptbots.ai/docs/api-reference/conversation-api/get-conversation-list>
//! and <https://www.gptbots.ai/de_DE/docs/api-reference/history-api/get-conversation-detail>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::conversation::MAX_PAGE_SIZE;
use crate::message_v1::MessageType;
use crate::open_enum::open_string_enum;
use crate::validate::{ValidationErrors, Violation};

/// The path of conversation list.
pub const CONVERSATION_LIST_PATH: &str = "/v1/bot/conversation/page";
/// The path of conversation detail v1 (legacy).
pub const CONVERSATION_DETAIL_V1_PATH: &str = "/v1/messages";

open_string_enum! {
    /// Where a conversation came from (`conversation_type`): an open set, which grows with
    /// every channel GPTBots adds. [`ConversationType::All`] asks the list for every channel.
    pub enum ConversationType (open) {
        /// Every channel (a query value only).
        All = "ALL",
        /// The API.
        Api = "API",
        /// An embedded iframe.
        Embed = "EMBED",
        /// The bubble widget.
        Widget = "WIDGET",
        /// A share link.
        Share = "SHARE",
        /// The workspace.
        Space = "SPACE",
        /// AI search.
        AiSearch = "AI_SEARCH",
        /// WhatsApp through Meta.
        WhatsappMeta = "WHATSAPP_META",
        /// WhatsApp through EngageLab.
        WhatsappEngagelab = "WHATSAPP_ENGAGELAB",
        /// A DingTalk bot.
        Dingtalk = "DINGTALK",
        /// Discord.
        Discord = "DISCORD",
        /// Slack.
        Slack = "SLACK",
        /// Zapier.
        Zapier = "ZAPIER",
        /// WeChat customer service.
        Wxkf = "WXKF",
        /// Telegram.
        Telegram = "TELEGRAM",
        /// LiveChat.
        Livechat = "LIVECHAT",
    }
}

/// The query of conversation list:
/// `?conversation_type=&user_id=&start_time=&end_time=&page=&page_size=`.
///
/// Serializes to the query string's fields (serde_urlencoded reads it as is); `user_id` is
/// left out when unset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ConversationListQuery {
    /// Which channel's conversations; [`ConversationType::All`] for all of them.
    pub conversation_type: ConversationType,
    /// Only this user's conversations; every user's when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(length(min = 1)))]
    pub user_id: Option<String>,
    /// The earliest last-message time to include, Unix milliseconds.
    #[cfg_attr(feature = "schemars", schemars(range(min = 0)))]
    pub start_time: i64,
    /// The latest last-message time to include, Unix milliseconds.
    #[cfg_attr(feature = "schemars", schemars(range(min = 0)))]
    pub end_time: i64,
    /// The page, from 1.
    #[cfg_attr(feature = "schemars", schemars(range(min = 1)))]
    pub page: u32,
    /// Conversations per page, 1 to 100.
    #[cfg_attr(feature = "schemars", schemars(range(min = 1, max = crate::conversation::MAX_PAGE_SIZE)))]
    pub page_size: u32,
}

impl ConversationListQuery {
    /// A query for the first page of 100 of the conversations whose last message falls between
    /// `start_time` and `end_time` (Unix milliseconds).
    pub fn new(conversation_type: ConversationType, start_time: i64, end_time: i64) -> Self {
        ConversationListQuery {
            conversation_type,
            user_id: None,
            start_time,
            end_time,
            page: 1,
            page_size: MAX_PAGE_SIZE,
        }
    }

    /// Only this user's conversations.
    pub fn with_user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// This page (from 1) of this size (1 to 100).
    pub fn with_page(mut self, page: u32, page_size: u32) -> Self {
        self.page = page;
        self.page_size = page_size;
        self
    }

    /// Every documented rule this query breaks, each naming its field: `conversation_type` not
    /// empty, `user_id` not empty when set, times not negative and `start_time` not after
    /// `end_time`, `page` from 1, `page_size` from 1 to 100.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut violations = Vec::new();
        if self.conversation_type.as_str().is_empty() {
            violations.push(Violation::new(
                "conversation_type",
                "must not be empty (ALL for every channel)",
            ));
        }
        if self.user_id.as_deref() == Some("") {
            violations.push(Violation::new(
                "user_id",
                "must not be empty when set (leave it unset for every user)",
            ));
        }
        if self.start_time < 0 {
            violations.push(Violation::new(
                "start_time",
                "Unix milliseconds, not negative",
            ));
        }
        if self.end_time < 0 {
            violations.push(Violation::new(
                "end_time",
                "Unix milliseconds, not negative",
            ));
        }
        if self.start_time > self.end_time {
            violations.push(Violation::new(
                "end_time",
                format!(
                    "must not be before start_time ({} > {})",
                    self.start_time, self.end_time
                ),
            ));
        }
        check_page(self.page, self.page_size, &mut violations);
        ValidationErrors::check(violations)
    }
}

fn check_page(page: u32, page_size: u32, violations: &mut Vec<Violation>) {
    if page == 0 {
        violations.push(Violation::new("page", "pages count from 1"));
    }
    if page_size == 0 || page_size > MAX_PAGE_SIZE {
        violations.push(Violation::new(
            "page_size",
            format!("from 1 to {MAX_PAGE_SIZE}, got {page_size}"),
        ));
    }
}

/// The reply of conversation list: `{list, total}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ConversationListResponse {
    /// This page of conversations; `null` or absent reads as none.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(
        feature = "schemars",
        schemars(with = "Option<Vec<ConversationSummary>>")
    )]
    pub list: Vec<ConversationSummary>,
    /// How many conversations match. The pages do not say whether this counts this page or
    /// every page; read it as the latter with care. A number, or a string of digits.
    #[serde(default, deserialize_with = "crate::serde_util::count_or_string")]
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::history::count_schema")
    )]
    pub total: u64,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl ConversationListResponse {
    /// A page of conversations.
    pub fn new(list: Vec<ConversationSummary>, total: u64) -> Self {
        ConversationListResponse {
            list,
            total,
            extra: Map::new(),
        }
    }
}

/// One conversation of the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ConversationSummary {
    /// The conversation.
    pub conversation_id: String,
    /// The developer's id for the user; a number is kept as its text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::history::string_or_number_schema")
    )]
    pub user_id: Option<String>,
    /// When its last message was sent, Unix milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub recent_chat_time: Option<i64>,
    /// Its subject (GPTBots takes it from the first question).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Which channel it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_type: Option<ConversationType>,
    /// How many messages it has.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub message_count: Option<u64>,
    /// The credits it cost (a decimal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_credit: Option<f64>,
    /// The agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_id: Option<String>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl ConversationSummary {
    /// A conversation with nothing but its id.
    pub fn new(conversation_id: impl Into<String>) -> Self {
        ConversationSummary {
            conversation_id: conversation_id.into(),
            user_id: None,
            recent_chat_time: None,
            subject: None,
            conversation_type: None,
            message_count: None,
            cost_credit: None,
            bot_id: None,
            extra: Map::new(),
        }
    }
}

/// The query of conversation detail v1: `?conversation_id=&page=&page_size=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ConversationDetailV1Query {
    /// The conversation.
    #[cfg_attr(feature = "schemars", schemars(length(min = 1)))]
    pub conversation_id: String,
    /// The user. No parameter table lists it, but every example URL carries it; left out when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(length(min = 1)))]
    pub user_id: Option<String>,
    /// The page, from 1.
    #[cfg_attr(feature = "schemars", schemars(range(min = 1)))]
    pub page: u32,
    /// Messages per page, 1 to 100.
    #[cfg_attr(feature = "schemars", schemars(range(min = 1, max = crate::conversation::MAX_PAGE_SIZE)))]
    pub page_size: u32,
}

impl ConversationDetailV1Query {
    /// A query for this page of this size.
    pub fn new(conversation_id: impl Into<String>, page: u32, page_size: u32) -> Self {
        ConversationDetailV1Query {
            conversation_id: conversation_id.into(),
            user_id: None,
            page,
            page_size,
        }
    }

    /// With the user, as the upstream examples send it.
    pub fn with_user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// Every documented rule this query breaks, each naming its field: `conversation_id` not
    /// empty, `page` from 1, `page_size` from 1 to 100.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut violations = Vec::new();
        if self.conversation_id.is_empty() {
            violations.push(Violation::new("conversation_id", "must not be empty"));
        }
        if self.user_id.as_deref() == Some("") {
            violations.push(Violation::new("user_id", "must not be empty when set"));
        }
        check_page(self.page, self.page_size, &mut violations);
        ValidationErrors::check(violations)
    }
}

/// The reply of conversation detail v1: `{total, messages}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ConversationDetailV1Response {
    /// How many messages the conversation has in all. A number, or a string of digits (a
    /// table says string).
    #[serde(default, deserialize_with = "crate::serde_util::count_or_string")]
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::history::count_schema")
    )]
    pub total: u64,
    /// This page of messages, oldest first; `null` or absent reads as none.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<Vec<HistoryMessage>>"))]
    pub messages: Vec<HistoryMessage>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl ConversationDetailV1Response {
    /// A page of messages.
    pub fn new(total: u64, messages: Vec<HistoryMessage>) -> Self {
        ConversationDetailV1Response {
            total,
            messages,
            extra: Map::new(),
        }
    }
}

/// One message of conversation detail v1: text only.
///
/// The first message may be the agent's welcome message: an `ANSWER` whose
/// `parent_message_id` is empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct HistoryMessage {
    /// The message.
    pub message_id: String,
    /// The message it answers (or that answers it); empty or absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_message_id: Option<String>,
    /// `QUESTION` (the user) or `ANSWER` (the agent), or a newer value kept as it came.
    pub message_type: MessageType,
    /// The text; `null` reads as empty.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<String>"))]
    pub text: String,
    /// When it was sent, Unix milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub create_time: Option<i64>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl HistoryMessage {
    /// A message.
    pub fn new(
        message_id: impl Into<String>,
        message_type: MessageType,
        text: impl Into<String>,
    ) -> Self {
        HistoryMessage {
            message_id: message_id.into(),
            parent_message_id: None,
            message_type,
            text: text.into(),
            create_time: None,
            extra: Map::new(),
        }
    }

    /// Answering (or answered by) this message.
    pub fn with_parent(mut self, parent_message_id: impl Into<String>) -> Self {
        self.parent_message_id = Some(parent_message_id.into());
        self
    }

    /// Sent at this time (Unix milliseconds).
    pub fn with_create_time(mut self, create_time: i64) -> Self {
        self.create_time = Some(create_time);
        self
    }
}

/// The schema of a text read by `opt_string_or_number`: a string, a number, or `null`.
#[cfg(feature = "schemars")]
pub(crate) fn string_or_number_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": ["string", "number", "null"] })
}

/// The schema of a count read by `count_or_string`: an integer (integral decimals included),
/// a string of decimal digits, or `null`.
#[cfg(feature = "schemars")]
pub(crate) fn count_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "anyOf": [
            { "type": "integer", "minimum": 0 },
            { "type": "string", "pattern": "^\\s*\\+?[0-9]+\\s*$" },
            { "type": "null" }
        ]
    })
}
