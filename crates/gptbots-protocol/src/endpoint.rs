//! Hosts, paths and credentials of the GPTBots API.

use std::fmt;

use crate::open_enum::open_string_enum;

/// `POST`: create conversation.
pub const CREATE_CONVERSATION: &str = "/v1/conversation";
/// `POST`: send message v2.
pub const SEND_MESSAGE_V2: &str = "/v2/conversation/message";
/// `POST`: send message v1 (deprecated, still served).
pub const SEND_MESSAGE_V1: &str = "/v1/conversation/message";
/// `GET`: conversation detail v2 (`?conversation_id=&page=&page_size=`).
pub const CONVERSATION_DETAIL_V2: &str = "/v2/messages";

open_string_enum! {
    /// A data-centre region: the `{endpoint}` of `https://api-{endpoint}.gptbots.ai`.
    pub enum Region (strict) {
        /// Singapore, the default.
        Sg = "sg",
        /// Japan.
        Jp = "jp",
        /// Thailand.
        Th = "th",
    }
}

#[allow(clippy::derivable_impls)] // the enum comes from a macro that fixes its derives
impl Default for Region {
    fn default() -> Self {
        Region::Sg
    }
}

impl Region {
    /// `https://api-{region}.gptbots.ai`.
    pub fn base_url(&self) -> String {
        format!("https://api-{}.gptbots.ai", self.as_str())
    }
}

/// An API key (or a webhook token): a secret.
///
/// Its `Debug` and `Display` print `ApiKey(***)`, so it never reaches a log by accident; call
/// [`expose`](Self::expose) where the value must be sent.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    /// The key itself, for the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `Bearer {key}`.
    pub fn bearer_header(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        ApiKey(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        ApiKey(key.to_owned())
    }
}
