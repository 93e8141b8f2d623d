//! The error body of the GPTBots API and its open set of error codes.
//!
//! Every endpoint answers a failure with `{"code": int, "message": string}` (and no `data`). The
//! HTTP status that comes with it is not documented, so a client reads the body whatever the
//! status. See "Errors" in the workspace's `PROTOCOL.md`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A GPTBots error code: an open set.
///
/// The documented codes are associated constants with an English [`description`]; any other
/// code is kept, compared and printed as it came (after quinn-proto's `TransportErrorCode`).
///
/// [`description`]: ErrorCode::description
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ErrorCode(pub i64);

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $text:literal; )+) => {
        impl ErrorCode {
            $( $(#[$doc])* pub const $name: ErrorCode = ErrorCode($code); )+

            /// Every documented code, in ascending order.
            pub const DOCUMENTED: &'static [ErrorCode] = &[$( ErrorCode::$name ),+];

            /// The English description of a documented code; `None` for any other code.
            pub fn description(self) -> Option<&'static str> {
                match self.0 {
                    $( $code => Some($text), )+
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    /// Not enough credits left on the account.
    NOT_ENOUGH_CREDITS = 20022, "not enough credits";
    /// The question is longer than the agent accepts.
    QUESTION_TOO_LONG = 20040, "question too long";
    /// API access is switched off for this agent; switch it on in the console.
    API_ACCESS_DISABLED = 20055, "API access is switched off";
    /// The agent has been deleted.
    AGENT_DELETED = 20059, "agent deleted";
    /// A parameter of the request is missing or invalid.
    PARAMETER_ERROR = 40000, "parameter error";
    /// Documented without a description.
    CODE_40005 = 40005, "request rejected (40005, undocumented meaning)";
    /// The API key is missing or wrong.
    AUTHENTICATION_FAILED = 40127, "authentication failed";
    /// The conversation does not exist.
    CONVERSATION_NOT_FOUND = 40356, "conversation does not exist";
    /// The conversation does not belong to this agent or user.
    CONVERSATION_MISMATCH = 40358, "conversation does not belong to this agent or user";
    /// The agent's model does not take images.
    IMAGES_NOT_SUPPORTED = 40364, "the agent's model does not take images";
    /// Documented without a description.
    CODE_40378 = 40378, "request rejected (40378, undocumented meaning)";
    /// An internal error of the service.
    INTERNAL_ERROR = 50000, "internal error";
}

impl ErrorCode {
    /// Whether the code is one of the documented ones.
    pub fn is_documented(self) -> bool {
        self.description().is_some()
    }

    /// Inside a stream, a frame with a code at least this large and no `data` is an error frame.
    pub const STREAM_ERROR_THRESHOLD: i64 = 20000;
}

impl From<i64> for ErrorCode {
    fn from(code: i64) -> Self {
        ErrorCode(code)
    }
}

impl fmt::Display for ErrorCode {
    /// `40127 (authentication failed)`, or `12345 (unknown error code)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.description() {
            Some(text) => write!(f, "{} ({text})", self.0),
            None => write!(f, "{} (unknown error code)", self.0),
        }
    }
}

/// The error body: `{"code": 40127, "message": "..."}`.
///
/// The `message` is in the language of the account's console (the documented examples are in
/// Chinese and German), so match on [`code`](Self::code), never on the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ErrorResponse {
    /// The error code.
    pub code: ErrorCode,
    /// The message as the service wrote it.
    pub message: String,
}

impl ErrorResponse {
    /// An error body with this code and message.
    pub fn new(code: impl Into<ErrorCode>, message: impl Into<String>) -> Self {
        ErrorResponse {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GPTBots error {}: {}", self.code, self.message)
    }
}

impl std::error::Error for ErrorResponse {}
