//! Hosts, paths and credentials of the GPTBots API.

use std::fmt;

pub use secrecy::{ExposeSecret, SecretString};

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

/// The scheme of an `Authorization` header: the API's `Bearer {key}`, and the `Bearer` or
/// `Basic` a webhook carries when its authorization is switched on in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum Scheme {
    /// `Authorization: Bearer {token}`.
    #[default]
    Bearer,
    /// `Authorization: Basic {token}` (the token as typed in the console; not decoded here).
    Basic,
}

impl Scheme {
    /// The scheme's name as it appears in the header.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Bearer => "Bearer",
            Scheme::Basic => "Basic",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Scheme {
    type Err = String;

    /// `bearer` or `basic`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("bearer") {
            Ok(Scheme::Bearer)
        } else if s.eq_ignore_ascii_case("basic") {
            Ok(Scheme::Basic)
        } else {
            Err(format!(
                "unknown scheme `{s}`: expected `bearer` or `basic`"
            ))
        }
    }
}

/// An agent's API key.
///
/// A thin wrapper over [`SecretString`], the one secret type of this workspace (API keys and
/// webhook tokens alike): its `Debug` never shows the key, it has no `Display`, and the key is
/// wiped from memory when dropped. Read it with [`expose`](Self::expose) (or
/// [`ExposeSecret::expose_secret`]) only where it must be sent.
#[derive(Clone, Debug)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(SecretString::from(key.into()))
    }

    /// The key itself, for the `Authorization` header.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// `Bearer {key}`: the header value, itself a secret.
    pub fn bearer_header(&self) -> String {
        format!("{} {}", Scheme::Bearer.as_str(), self.expose())
    }
}

impl ExposeSecret<str> for ApiKey {
    fn expose_secret(&self) -> &str {
        self.expose()
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        ApiKey::new(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        ApiKey::new(key)
    }
}

impl From<SecretString> for ApiKey {
    fn from(key: SecretString) -> Self {
        ApiKey(key)
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
    use super::{ApiKey, ExposeSecret, Scheme, redact_url};

    #[test]
    fn debug_never_shows_a_key() {
        let key = ApiKey::new("app-secret-123");
        let shown = format!("{key:?} {:?}", Some(key.clone()));
        assert!(!shown.contains("app-secret-123"), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
        assert_eq!(key.expose(), "app-secret-123");
        assert_eq!(key.expose_secret(), "app-secret-123");
        assert_eq!(key.bearer_header(), "Bearer app-secret-123");
    }

    #[test]
    fn schemes_parse_in_any_case() {
        assert_eq!("BASIC".parse::<Scheme>(), Ok(Scheme::Basic));
        assert_eq!("bearer".parse::<Scheme>(), Ok(Scheme::Bearer));
        assert!("digest".parse::<Scheme>().is_err());
        assert_eq!(Scheme::Basic.to_string(), "Basic");
    }

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
