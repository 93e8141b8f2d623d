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

/// `url` with its user information (`user:password@`) replaced by `***@`, for error messages
/// and logs. It works on text that does not parse as a URL too, so that a configuration error
/// cannot echo a password; only the authority (between `://` and the next `/`, `?` or `#`) is
/// looked at, so an `@` in a path or query stays.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = url.get(authority_start..).unwrap_or_default();
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_len).unwrap_or_default();
    match authority.rfind('@') {
        Some(at) => format!(
            "{}***{}",
            url.get(..authority_start).unwrap_or_default(),
            rest.get(at..).unwrap_or_default()
        ),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod redact_tests {
    use super::redact_url;

    #[test]
    fn redaction_hides_user_information_only() {
        assert_eq!(
            redact_url("https://user:secret@proxy.example/g?x=1"),
            "https://***@proxy.example/g?x=1"
        );
        assert_eq!(
            redact_url("http://u:pw@127.0.0.1:9/hook?a=b@c"),
            "http://***@127.0.0.1:9/hook?a=b@c"
        );
        assert_eq!(redact_url("http://a:b@c@h:1"), "http://***@h:1");
        assert_eq!(redact_url("http://h/p@q"), "http://h/p@q");
        assert_eq!(redact_url("http://h/hook"), "http://h/hook");
        assert_eq!(redact_url("not a url:pw@x"), "not a url:pw@x");
    }
}
