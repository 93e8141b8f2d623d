//! The error body of the GPTBots API and its open set of error codes.
//!
//! Every endpoint answers a failure with `{"code": int, "message": string}` (and no `data`). The
//! HTTP status that comes with it is not documented, so a client reads the body whatever the
//! status, 200 included.

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
// An integral decimal (`40000.0`) is read as the integer; the schema's "integer" says the same.
pub struct ErrorCode(#[serde(deserialize_with = "crate::serde_util::integer")] pub i64);

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $text:literal; )+) => {
        impl ErrorCode {
            $( $(#[$doc])* pub const $name: ErrorCode = ErrorCode($code); )+

            /// Every documented code, in ascending order.
            pub const DOCUMENTED: &'static [ErrorCode] = &[$( ErrorCode::$name ),+];

            /// The name of a documented code's constant (`CONVERSATION_NOT_FOUND`); `None` for
            /// any other code.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $code => Some(stringify!($name)), )+
                    _ => None,
                }
            }

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
    /// Not enough credits left on the account (send message).
    NOT_ENOUGH_CREDITS = 20022, "not enough credits";
    /// The question is longer than the agent accepts.
    QUESTION_TOO_LONG = 20040, "question too long";
    /// API access is switched off for this agent; switch it on in the console.
    API_ACCESS_DISABLED = 20055, "API access is switched off";
    /// The agent has been deleted (send message v1, conversation list and detail, feedback,
    /// quality).
    AGENT_DELETED = 20059, "agent deleted";
    /// A parameter of the request is missing or invalid.
    PARAMETER_ERROR = 40000, "parameter error";
    /// The page asked for lies past the end of the conversation (conversation detail: page
    /// times page size beyond the total).
    PAGE_PAST_END = 40005, "the page asked for lies past the end";
    /// The API key is missing or wrong.
    AUTHENTICATION_FAILED = 40127, "authentication failed";
    /// The conversation does not exist.
    CONVERSATION_NOT_FOUND = 40356, "conversation does not exist";
    /// The conversation does not belong to this agent or user.
    CONVERSATION_MISMATCH = 40358, "conversation does not belong to this agent or user";
    /// The agent's model does not take images.
    IMAGES_NOT_SUPPORTED = 40364, "the agent's model does not take images";
    /// The agent has been deleted (create conversation, suggested questions, referenced
    /// knowledge): the same meaning as [`AGENT_DELETED`](Self::AGENT_DELETED) on other
    /// endpoints.
    AGENT_DELETED_40378 = 40378, "agent deleted";
    /// Not enough credits left on the account (suggested questions, referenced knowledge): the
    /// same meaning as [`NOT_ENOUGH_CREDITS`](Self::NOT_ENOUGH_CREDITS) on other endpoints.
    NOT_ENOUGH_CREDITS_40379 = 40379, "not enough credits";
    /// An internal error of the service.
    INTERNAL_ERROR = 50000, "internal error";
    /// The agent's settings do not enable this feature (suggested questions, referenced
    /// knowledge).
    FEATURE_NOT_ENABLED = 200222, "the agent's settings do not enable this feature";
}

impl ErrorCode {
    /// Whether the code is one of the documented ones.
    pub fn is_documented(self) -> bool {
        self.description().is_some()
    }

    /// Inside a stream, a frame with a code at least this large and no `data` is an error frame.
    pub const STREAM_ERROR_THRESHOLD: i64 = 20000;

    /// Whether the code is a GPTBots error code (20000 or more; every documented error code
    /// is), as opposed to a success code such as the `200` of an acknowledgement.
    pub fn is_error(self) -> bool {
        self.0 >= Self::STREAM_ERROR_THRESHOLD
    }
}

/// The documented codes, each a `const` branch titled in PascalCase (`ConversationNotFound`) with
/// its description, and any other integer: code generators name the known codes, and a newer
/// code still validates.
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for ErrorCode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ErrorCode".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut branches: Vec<serde_json::Value> = ErrorCode::DOCUMENTED
            .iter()
            .map(|code| {
                let text = code.description().unwrap_or_default();
                serde_json::json!({
                    "title": pascal_case(code.name().unwrap_or_default()),
                    "const": code.0,
                    "type": "integer",
                    "description": format!("Error {}: {text}.", code.0),
                })
            })
            .collect();
        branches.push(serde_json::json!({
            "type": "integer",
            "description": "Any other code: the set is open, and a newer service may send codes not listed here.",
        }));
        schemars::json_schema!({
            "description": "A GPTBots error code. The documented codes are listed; any other integer is a valid code too. Inside a stream, a frame whose code is 20000 or more and that has no data is an error.",
            "anyOf": branches
        })
    }
}

/// `CONVERSATION_NOT_FOUND` becomes `ConversationNotFound`, `AGENT_DELETED_40378`
/// `AgentDeleted40378`.
#[cfg(feature = "schemars")]
fn pascal_case(constant: &str) -> String {
    constant
        .split('_')
        .flat_map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first
                .into_iter()
                .chain(chars.map(|c| c.to_ascii_lowercase()))
        })
        .collect()
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
///
/// Read tolerantly, so that the code is never lost: a `message` that is `null` or absent reads
/// as `""`, and a body that names it `msg` (as the webhook acknowledgement does) is read the
/// same (`message` wins when both come). It is always written as `message`.
#[derive(Debug, Clone, PartialEq, Serialize)]
// The schema is that of what is read.
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(from = "ErrorBody")
)]
#[non_exhaustive]
pub struct ErrorResponse {
    /// The error code.
    pub code: ErrorCode,
    /// The message as the service wrote it; `""` when it sent none.
    pub message: String,
}

/// What an error body may look like on the wire; turned into [`ErrorResponse`].
#[derive(Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schemars",
    schemars(
        rename = "ErrorResponse",
        description = "The error body of every endpoint. `message` may be null, absent, or named `msg`."
    )
)]
struct ErrorBody {
    /// The error code.
    code: ErrorCode,
    /// The message as the service wrote it.
    #[serde(default)]
    message: Option<String>,
    /// The message, under the acknowledgement's key.
    #[serde(default)]
    msg: Option<String>,
}

impl<'de> Deserialize<'de> for ErrorResponse {
    /// Only an object is an error body: serde's derive would also take an array (`[40000]`) as
    /// the fields in order, which no server sends and the schema rejects.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BodyVisitor;
        impl<'de> serde::de::Visitor<'de> for BodyVisitor {
            type Value = ErrorBody;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an error body object {\"code\": ..., \"message\": ...}")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ErrorBody, A::Error> {
                ErrorBody::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        deserializer
            .deserialize_map(BodyVisitor)
            .map(ErrorResponse::from)
    }
}

impl From<ErrorBody> for ErrorResponse {
    fn from(body: ErrorBody) -> Self {
        ErrorResponse {
            code: body.code,
            message: body.message.or(body.msg).unwrap_or_default(),
        }
    }
}

impl ErrorResponse {
    /// An error body with this code and message.
    pub fn new(code: impl Into<ErrorCode>, message: impl Into<String>) -> Self {
        ErrorResponse {
            code: code.into(),
            message: message.into(),
        }
    }

    /// The error this body is, when it is one: an object with an integer `code` that is an
    /// error code ([`ErrorCode::is_error`]), whatever else it carries. `None` for anything else
    /// (a reply, an acknowledgement `{"code": 200, ...}`, a body that is not JSON).
    ///
    /// The HTTP status of an error is not documented (the service answers some with 200), so
    /// a client asks this of every body before reading it as the reply.
    pub fn from_error_body(body: &[u8]) -> Option<ErrorResponse> {
        serde_json::from_slice::<ErrorResponse>(body)
            .ok()
            .filter(|error| error.code.is_error())
    }
}

impl fmt::Display for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GPTBots error {}: {}", self.code, self.message)
    }
}

impl std::error::Error for ErrorResponse {}
