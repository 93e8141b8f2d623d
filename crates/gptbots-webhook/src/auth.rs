//! The optional `Authorization` check of incoming webhooks.
//!
//! GPTBots sends `Authorization: Bearer {token}` or `Authorization: Basic {token}` when the
//! developer switched authorization on in the console, and no header otherwise. No signature
//! header is documented.

use std::fmt;

use subtle::ConstantTimeEq;

use crate::config::ConfigError;

/// The scheme of the `Authorization` header GPTBots sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// `Authorization: Bearer {token}`.
    Bearer,
    /// `Authorization: Basic {token}`.
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

/// The token a request must carry: a scheme and a secret.
///
/// `Debug` prints `Auth { scheme: Bearer, token: *** }`: the token never reaches a log through
/// this type. The token is compared exactly as configured (for `Basic`, the same string that
/// was typed in the GPTBots console, usually base64 of `user:password`; it is not decoded).
#[derive(Clone, PartialEq, Eq)]
pub struct Auth {
    scheme: Scheme,
    token: Vec<u8>,
}

impl Auth {
    /// Requires `Authorization: {scheme} {token}`.
    pub fn new(scheme: Scheme, token: impl Into<String>) -> Self {
        Auth {
            scheme,
            token: token.into().into_bytes(),
        }
    }

    /// Requires `Authorization: Bearer {token}`.
    pub fn bearer(token: impl Into<String>) -> Self {
        Auth::new(Scheme::Bearer, token)
    }

    /// Requires `Authorization: Basic {token}`.
    pub fn basic(token: impl Into<String>) -> Self {
        Auth::new(Scheme::Basic, token)
    }

    /// Requires `Authorization: {scheme} {token}`, refusing a token no sender could match:
    /// empty, with white space around it (a pasted trailing newline or space), or with control
    /// characters.
    pub fn try_new(scheme: Scheme, token: impl Into<String>) -> Result<Self, ConfigError> {
        let auth = Auth::new(scheme, token);
        auth.validate()?;
        Ok(auth)
    }

    /// Checks the token as [`try_new`](Self::try_new) does. The message never shows the token.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let token = String::from_utf8_lossy(&self.token);
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
        format!(
            "{} {}",
            self.scheme.as_str(),
            String::from_utf8_lossy(&self.token)
        )
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
        bool::from(given_token.ct_eq(&self.token))
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("scheme", &self.scheme)
            .field("token", &format_args!("***"))
            .finish()
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
        assert!(text.contains("***"), "{text}");
    }
}
