//! Judging an agent's reply: the end user's thumbs up or down (`POST /v1/message/feedback`)
//! and a reviewer's verdict on whether it solved the problem (`POST /v1/message/quality`).
//!
//! Both answer `{"affectCount": n}`. The pages disagree on what `n` is on success (1 or 2, and
//! their own examples show 0 and 2), so success is a 2xx body without an error code, and the
//! count is kept for information only.
//!
//! Upstream: <https://www.gptbots.ai/de_DE/docs/api-reference/conversation-api/bot-response-feedback>
//! and <https://www.gptbots.ai/docs/api-reference/conversation-api/quality>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::open_enum::open_string_enum;
use crate::validate::{ValidationErrors, Violation};

/// The path of message feedback.
pub const MESSAGE_FEEDBACK_PATH: &str = "/v1/message/feedback";
/// The path of reply quality.
pub const MESSAGE_QUALITY_PATH: &str = "/v1/message/quality";

open_string_enum! {
    /// The end user's feedback on a reply. Sent, only the documented values are valid (the
    /// schema and `validate()` say so); read back, a value this crate does not know is kept.
    pub enum Feedback (strict) {
        /// Thumbs up.
        Positive = "POSITIVE",
        /// Thumbs down.
        Negative = "NEGATIVE",
        /// Takes back an earlier thumbs up or down.
        Canceled = "CANCELED",
    }
}

open_string_enum! {
    /// A reviewer's verdict on whether a reply solved the user's problem.
    pub enum Quality (strict) {
        /// No verdict (clears an earlier one).
        None = "NONE",
        /// The reply did not solve it.
        Unresolved = "UNRESOLVED",
        /// The reply solved part of it.
        PartiallyResolved = "PARTIALLY_RESOLVED",
        /// The reply solved it.
        FullyResolved = "FULLY_RESOLVED",
    }
}

/// The body of `POST /v1/message/feedback`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct MessageFeedbackRequest {
    /// The `message_id` of the agent's reply.
    #[cfg_attr(feature = "schemars", schemars(length(min = 1)))]
    pub answer_id: String,
    /// The feedback.
    pub feedback: Feedback,
}

impl MessageFeedbackRequest {
    /// Feedback on this reply.
    pub fn new(answer_id: impl Into<String>, feedback: Feedback) -> Self {
        MessageFeedbackRequest {
            answer_id: answer_id.into(),
            feedback,
        }
    }

    /// Every documented rule this request breaks: `answer_id` not empty, `feedback` one of the
    /// documented values.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut violations = Vec::new();
        if self.answer_id.is_empty() {
            violations.push(Violation::new("answer_id", "must not be empty"));
        }
        if !self.feedback.is_known() {
            violations.push(Violation::not_documented("feedback", Feedback::KNOWN));
        }
        ValidationErrors::check(violations)
    }
}

/// The body of `POST /v1/message/quality`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct MessageQualityRequest {
    /// The `message_id` of the agent's reply.
    #[cfg_attr(feature = "schemars", schemars(length(min = 1)))]
    pub answer_id: String,
    /// The verdict.
    pub quality: Quality,
}

impl MessageQualityRequest {
    /// A verdict on this reply.
    pub fn new(answer_id: impl Into<String>, quality: Quality) -> Self {
        MessageQualityRequest {
            answer_id: answer_id.into(),
            quality,
        }
    }

    /// Every documented rule this request breaks: `answer_id` not empty, `quality` one of the
    /// documented values.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut violations = Vec::new();
        if self.answer_id.is_empty() {
            violations.push(Violation::new("answer_id", "must not be empty"));
        }
        if !self.quality.is_known() {
            violations.push(Violation::not_documented("quality", Quality::KNOWN));
        }
        ValidationErrors::check(violations)
    }
}

/// The reply of message feedback and of reply quality: `{"affectCount": n}`.
///
/// Information only: see the module docs for why the count does not say whether the call
/// worked.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct AffectCountResponse {
    /// How many records the call changed, as the service counts them. An integral decimal
    /// (`1.0`) reads as an integer; `null` reads as absent.
    #[serde(
        rename = "affectCount",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub affect_count: Option<u64>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl AffectCountResponse {
    /// A reply with this count.
    pub fn new(affect_count: u64) -> Self {
        AffectCountResponse {
            affect_count: Some(affect_count),
            extra: Map::new(),
        }
    }
}
