//! Agent information (`GET /v1/bot/detail`, no parameters): the settings of the agent the API
//! key belongs to. Also the cheapest way to check that a key works.
//!
//! Upstream: <https://www.gptbots.ai/es_ES/docs/api-reference/account-api/get-bot-information>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::open_enum::open_string_enum;

/// The path of agent information.
pub const AGENT_DETAIL_PATH: &str = "/v1/bot/detail";

open_string_enum! {
    /// What kind of agent it is (`bot_type`): an open set.
    pub enum BotType (open) {
        /// A question-and-answer agent.
        QuestionAnswer = "QuestionAnswer",
        /// A FlowAgent.
        Flow = "Flow",
        /// The older name of an assistant agent, still in some copies of the page.
        IntelligentAssistant = "IntelligentAssistant",
    }
}

/// The reply of agent information.
///
/// Only `bot_id` is required; every other documented field is optional (`null` reads as
/// absent), and fields not named here (older pages show `ai_model`, `ai_model_version`) are kept
/// in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct AgentDetailResponse {
    /// The agent.
    pub bot_id: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The URL of its avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// What kind of agent it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_type: Option<BotType>,
    /// What it says when a user first opens it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome_message: Option<String>,
    /// Its introduction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduction: Option<String>,
    /// Its tags, as one string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// Its identity prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_prompt: Option<String>,
    /// How creative its answers are, 0 to 1 (a decimal, though a table says int).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creativity_level: Option<f64>,
    /// How closely an answer must match the knowledge base, 0 to 1 (a decimal, though a table
    /// says int).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_correlation: Option<f64>,
    /// Whether it answers questions its knowledge base does not cover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irrelevant_questions: Option<bool>,
    /// The longest question it takes. An integral decimal reads as an integer.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub question_limit: Option<u64>,
    /// Whether it keeps a long-term memory of each user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_term_memory: Option<bool>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl AgentDetailResponse {
    /// Information with nothing but the agent's id.
    pub fn new(bot_id: impl Into<String>) -> Self {
        AgentDetailResponse {
            bot_id: bot_id.into(),
            name: None,
            logo: None,
            bot_type: None,
            welcome_message: None,
            introduction: None,
            tags: None,
            identity_prompt: None,
            creativity_level: None,
            doc_correlation: None,
            irrelevant_questions: None,
            question_limit: None,
            long_term_memory: None,
            extra: Map::new(),
        }
    }

    /// With this name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Of this kind.
    pub fn with_bot_type(mut self, bot_type: BotType) -> Self {
        self.bot_type = Some(bot_type);
        self
    }
}
