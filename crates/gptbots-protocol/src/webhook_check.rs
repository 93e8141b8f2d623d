//! Webhook check (`POST /v1/webhook/check`, no body): GPTBots probes every webhook URL set on
//! the agent the API key belongs to (the reply webhook and the hand-off webhooks) and says,
//! one result per URL, whether it answered.
//!
//! The probes carry `"istest": true`; a receiver answers them with 200 and does nothing else.
//!
//! Upstream: <https://www.gptbots.ai/docs/api-reference/conversation-api/webhook-check-v1>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::open_enum::open_string_enum;

/// The path of webhook check.
pub const WEBHOOK_CHECK_PATH: &str = "/v1/webhook/check";

open_string_enum! {
    /// Which webhook a [`WebhookCheckResult`] is about (`type`): an open set.
    pub enum WebhookKind (open) {
        /// The reply webhook (send message in webhook mode).
        Message = "message",
        /// A human hand-off webhook (one per hand-off component).
        HumanService = "human_service",
    }
}

/// The reply of webhook check: `{results: [...]}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct WebhookCheckResponse {
    /// One result per configured webhook URL; `null` or absent reads as none.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(
        feature = "schemars",
        schemars(with = "Option<Vec<WebhookCheckResult>>")
    )]
    pub results: Vec<WebhookCheckResult>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl WebhookCheckResponse {
    /// A reply with these results.
    pub fn new(results: Vec<WebhookCheckResult>) -> Self {
        WebhookCheckResponse {
            results,
            extra: Map::new(),
        }
    }

    /// Whether every configured webhook answered (`true` when none is configured).
    pub fn all_reachable(&self) -> bool {
        self.results.iter().all(|result| result.reachable)
    }
}

/// How one webhook URL answered the probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct WebhookCheckResult {
    /// `message` or `human_service`, or a newer kind kept as it came.
    #[serde(rename = "type")]
    pub kind: WebhookKind,
    /// The hand-off component the URL belongs to; absent (`null`) for the reply webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_id: Option<String>,
    /// The hand-off component's name; absent (`null`) for the reply webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_name: Option<String>,
    /// The URL that was probed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// Whether the URL answered the probe with a 2xx; `null` or absent reads as `false`.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<bool>"))]
    pub reachable: bool,
    /// The HTTP status the URL answered with; absent when it did not answer at all.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub http_status: Option<u32>,
    /// How long the probe took, in milliseconds; absent when it did not answer.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub latency_ms: Option<u64>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl WebhookCheckResult {
    /// A result for this kind of webhook.
    pub fn new(kind: WebhookKind, webhook_url: impl Into<String>, reachable: bool) -> Self {
        WebhookCheckResult {
            kind,
            component_id: None,
            component_name: None,
            webhook_url: Some(webhook_url.into()),
            reachable,
            http_status: None,
            latency_ms: None,
            extra: Map::new(),
        }
    }

    /// With the hand-off component the URL belongs to.
    pub fn with_component(mut self, id: impl Into<String>, name: impl Into<String>) -> Self {
        self.component_id = Some(id.into());
        self.component_name = Some(name.into());
        self
    }

    /// With the status the URL answered with and how long it took.
    pub fn with_answer(mut self, http_status: u32, latency_ms: u64) -> Self {
        self.http_status = Some(http_status);
        self.latency_ms = Some(latency_ms);
        self
    }
}
