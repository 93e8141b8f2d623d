//! The answer GPTBots gives to the two hand-off calls back: `POST /v1/human/message/receive`
//! ([`HumanMessageRequest`](crate::HumanMessageRequest)) and `POST /v1/human/close`
//! ([`HumanCloseRequest`](crate::HumanCloseRequest)).
//!
//! The calls themselves, their paths ([`HUMAN_MESSAGE_PATH`](crate::handoff::HUMAN_MESSAGE_PATH),
//! [`HUMAN_CLOSE_PATH`](crate::handoff::HUMAN_CLOSE_PATH)) and the webhooks GPTBots calls on the
//! developer's side are in [`handoff`](crate::handoff).
//!
//! Upstream: <https://www.gptbots.ai/docs/api-reference/conversation-api/human-handoff-service>.
//! The page names the answer's fields (`code`, `message`) and shows no example; for close it
//! repeats the request's table in place of the answer's. So this type reads any JSON object:
//! `code` and `message` when they are there, everything else kept in `extra`. A client reads an
//! empty 2xx body as [`HumanCallResponse::default`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The codes a hand-off call back answers with when it worked: 200 (what the hand-off pages
/// use) and 0 (what many Java back ends send for "no error").
pub const HUMAN_CALL_SUCCESS_CODES: &[i64] = &[0, 200];

/// The answer to `POST /v1/human/message/receive` and `POST /v1/human/close`: `{code, message}`.
///
/// Every field is optional: an empty object, and an empty body read as the default, are a
/// success. A `code` other than those in [`HUMAN_CALL_SUCCESS_CODES`] is an error code (see
/// [`is_error`](Self::is_error)); a client reports it as an API error.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct HumanCallResponse {
    /// 200 on success, or an error code. An integral decimal (`200.0`) reads as an integer.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub code: Option<i64>,
    /// A short text (`success`, or what went wrong).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl HumanCallResponse {
    /// `{"code": 200, "message": "success"}`.
    pub fn success() -> Self {
        HumanCallResponse {
            code: Some(200),
            message: Some("success".to_owned()),
            extra: Map::new(),
        }
    }

    /// An answer with this code and message.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        HumanCallResponse {
            code: Some(code),
            message: Some(message.into()),
            extra: Map::new(),
        }
    }

    /// Whether the answer carries an error code: a `code` that is there and is neither 200
    /// nor 0.
    pub fn is_error(&self) -> bool {
        self.code
            .is_some_and(|code| !HUMAN_CALL_SUCCESS_CODES.contains(&code))
    }
}
