//! The optional `Authorization` check of incoming webhooks.
//!
//! GPTBots sends `Authorization: Bearer {token}` or `Authorization: Basic {token}` when the
//! developer switched authorization on in the console, and no header otherwise. No signature
//! header is documented.

use gptbots_protocol::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use crate::config::ConfigError;

/// The scheme of the `Authorization` header GPTBots sends (the protocol crate's type).
pub use gptbots_protocol::endpoint::Scheme;

/// The token a request must carry: a scheme and a secret.
///
/// The token is a [`SecretString`]: `Debug` prints `Auth { scheme: Bearer, token:
/// SecretBox<str>([REDACTED]) }`, so it never reaches a log through this type. The token is
/// compared exactly as configured (for `Basic`, the same string that was typed in the GPTBots
/// console, usually base64 of `user:password`; it is not decoded), in constant time.
#[derive(Clone, Debug)]
pub struct Auth {
    scheme: Scheme,
    token: SecretString,
}

impl Auth {
    /// Requires `Authorization: {scheme} {token}`.
    pub fn new(scheme: Scheme, token: impl Into<SecretString>) -> Self {
        Auth {
            scheme,
            token: token.into(),
        }
    }

    /// Requires `Authorization: Bearer {token}`.
    pub fn bearer(token: impl Into<SecretString>) -> Self {
        Auth::new(Scheme::Bearer, token)
    }

    /// Requires `Authorization: Basic {token}`.
    pub fn basic(token: impl Into<SecretString>) -> Self {
        Auth::new(Scheme::Basic, token)
    }

    /// Requires `Authorization: {scheme} {token}`, refusing a token no sender could match:
    /// empty, with white space around it (a pasted trailing newline or space), or with control
    /// characters.
    pub fn try_new(scheme: Scheme, token: impl Into<SecretString>) -> Result<Self, ConfigError> {
        let auth = Auth::new(scheme, token);
        auth.validate()?;
        Ok(auth)
    }

    /// Checks the token as [`try_new`](Self::try_new) does. The message never shows the token.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let token = self.token.expose_secret();
        if token.is_empty() {
            return Err(ConfigError::new("the token is empty"));
        }
        if token.trim() != token {
            return Err(ConfigError::new(
                "the token has white space at its start or end (a pasted newline or space?): senders can never match it; remove it",
            ));
        }
        if token.chars().any(char::is_control) {
            return Err(ConfigError::new(
                "the token contains control characters, which cannot be sent in a header",
            ));
        }
        Ok(())
    }

    /// The scheme required.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The full header value a sender should put in `Authorization`, for tests and senders.
    pub fn header_value(&self) -> String {
        format!("{} {}", self.scheme.as_str(), self.token.expose_secret())
    }

    /// Whether an `Authorization` header value (absent: `None`) carries this scheme and token.
    ///
    /// The scheme name is matched case-insensitively (RFC 9110 §11.1) and may be followed by
    /// one or more spaces; the token is compared in constant time (only its length can show
    /// through timing, as with any comparison of unequal lengths).
    pub fn verify(&self, header: Option<&[u8]>) -> bool {
        let Some(header) = header else {
            return false;
        };
        let name = self.scheme.as_str().as_bytes();
        let Some((given_name, rest)) = header.split_at_checked(name.len()) else {
            return false;
        };
        if !given_name.eq_ignore_ascii_case(name) {
            return false;
        }
        let Some(given_token) = rest.strip_prefix(b" ") else {
            return false;
        };
        let given_token = given_token.trim_ascii_start();
        bool::from(given_token.ct_eq(self.token.expose_secret().as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_scheme_and_token() {
        let auth = Auth::bearer("s3cret");
        assert!(auth.verify(Some(b"Bearer s3cret")));
        assert!(auth.verify(Some(b"bearer s3cret")));
        assert!(auth.verify(Some(b"BEARER   s3cret")));
        assert!(!auth.verify(None));
        assert!(!auth.verify(Some(b"")));
        assert!(!auth.verify(Some(b"Bearer")));
        assert!(!auth.verify(Some(b"Bearer ")));
        assert!(!auth.verify(Some(b"Bearers3cret")));
        assert!(!auth.verify(Some(b"Bearer s3cre")));
        assert!(!auth.verify(Some(b"Bearer s3cret ")));
        assert!(!auth.verify(Some(b"Basic s3cret")));
        assert!(!auth.verify(Some("Bearer s3crét".as_bytes())));
        let basic = Auth::basic("dXNlcjpwYXNz");
        assert!(basic.verify(Some(b"Basic dXNlcjpwYXNz")));
        assert!(!basic.verify(Some(b"Bearer dXNlcjpwYXNz")));
    }

    #[test]
    fn tokens_no_sender_can_match_are_refused() {
        for token in ["", "s3cret\n", " s3cret", "s3cret ", "s3\u{7}cret"] {
            let err = Auth::try_new(Scheme::Bearer, token);
            assert!(err.is_err(), "{token:?} was accepted");
        }
        assert!(Auth::try_new(Scheme::Bearer, "s3cret").is_ok());
        let message = Auth::try_new(Scheme::Basic, "topsecret\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("white space"), "{message}");
        assert!(!message.contains("topsecret"), "{message}");
    }

    #[test]
    fn debug_hides_the_token() {
        let text = format!("{:?}", Auth::basic("topsecret"));
        assert!(!text.contains("topsecret"), "{text}");
        assert!(text.contains("REDACTED"), "{text}");
        let config = crate::ReceiverConfig::new()
            .with_auth(Auth::bearer("reply-s3cret"))
            .with_handoff_auth(Auth::basic("handoff-s3cret"));
        let text = format!("{config:?} {:?}", crate::Receiver::new(config.clone()));
        assert!(!text.contains("s3cret"), "{text}");
    }
}
