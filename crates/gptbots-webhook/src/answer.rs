//! What a request gets back: a refusal's kind and status, the outcome, the answer's status,
//! headers and JSON body.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use gptbots_protocol::ParseError;
use http::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderValue, StatusCode};
use http_body_util::Full;
use serde::Serialize;

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefusalKind {
    /// Not a `POST`: 405.
    MethodNotAllowed,
    /// `Authorization` missing or wrong: 401.
    Unauthorized,
    /// `Content-Type` not `application/json`: 415.
    UnsupportedMediaType,
    /// The body is over the limit: 413.
    PayloadTooLarge,
    /// Invalid JSON, a wrong shape, an id over [`MAX_MESSAGE_ID_LEN`](crate::MAX_MESSAGE_ID_LEN)
    /// bytes, or a body that could not be read: 400.
    BadRequest,
    /// The body did not arrive within the server's body deadline: 408.
    RequestTimeout,
    /// The callback returned an error: 500, so that the message is delivered again.
    CallbackFailed,
    /// Too busy to take it now (the bodies being read fill their byte budget, or the callback
    /// answered [`Busy`](crate::Busy)): 503 with `Retry-After`; the message is not kept.
    Unavailable,
}

impl RefusalKind {
    /// The HTTP status of the answer.
    pub fn status(self) -> StatusCode {
        match self {
            RefusalKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            RefusalKind::Unauthorized => StatusCode::UNAUTHORIZED,
            RefusalKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RefusalKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            RefusalKind::BadRequest => StatusCode::BAD_REQUEST,
            RefusalKind::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            RefusalKind::CallbackFailed => StatusCode::INTERNAL_SERVER_ERROR,
            RefusalKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// A refused request: what is answered (`{code, message}` with `code` the HTTP status), and
/// for the operator's log a cause that is not sent (the callback's error).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refusal {
    /// Why.
    pub kind: RefusalKind,
    /// The text sent in the answer's `message`.
    pub message: String,
    /// More detail for the log only (the callback's error); never sent to the sender.
    pub cause: Option<String>,
    /// Sent as `Retry-After` (whole seconds, at least 1) with a 503.
    pub retry_after: Option<Duration>,
}

impl Refusal {
    /// A refusal of this kind with this message.
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> Self {
        Refusal {
            kind,
            message: message.into(),
            cause: None,
            retry_after: None,
        }
    }

    /// This refusal, answered with `Retry-After`.
    pub fn with_retry_after(mut self, after: Duration) -> Self {
        self.retry_after = Some(after);
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }

    /// The answer's body: `{"code": <status>, "message": ...}`.
    pub fn body(&self) -> Bytes {
        json_body(&ErrorBody {
            code: self.status().as_u16(),
            message: &self.message,
        })
    }

    pub(crate) fn bad_body(err: &ParseError) -> Self {
        Refusal::new(
            RefusalKind::BadRequest,
            format!(
                "invalid body at {} (line {}, column {}): {}",
                err.path, err.line, err.column, err.message
            ),
        )
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status().as_u16(), self.message)?;
        if let Some(cause) = &self.cause {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: u16,
    message: &'a str,
}

pub(crate) fn json_body<T: Serialize>(value: &T) -> Bytes {
    // Serializing these plain structs cannot fail; an empty object is the safe fallback.
    serde_json::to_vec(value)
        .map(Bytes::from)
        .unwrap_or_else(|_| Bytes::from_static(b"{}"))
}

/// What became of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The callback accepted the message; acknowledged.
    Delivered {
        /// The reply's message id (`None` for a hand-off call).
        message_id: Option<String>,
    },
    /// An availability probe (`"istest": true`): acknowledged, the callback not called.
    Probe,
    /// A message already delivered within the window: acknowledged, not delivered again.
    Duplicate {
        /// Its id.
        message_id: String,
    },
    /// Refused.
    Refused(Refusal),
}

/// The receiver's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Answer {
    /// The HTTP status.
    pub status: StatusCode,
    /// The JSON body.
    pub body: Bytes,
    /// What happened, for the log.
    pub outcome: Outcome,
}

impl Answer {
    pub(crate) fn refused(refusal: Refusal) -> Self {
        Answer {
            status: refusal.status(),
            body: refusal.body(),
            outcome: Outcome::Refused(refusal),
        }
    }

    pub(crate) fn ok(body: Bytes, outcome: Outcome) -> Self {
        Answer {
            status: StatusCode::OK,
            body,
            outcome,
        }
    }

    /// As an `http` response: the status, `Content-Type: application/json`, the body,
    /// `Allow: POST` on a 405 and `Retry-After` on a 503.
    pub fn into_response(self) -> http::Response<Full<Bytes>> {
        let retry_after = match &self.outcome {
            Outcome::Refused(refusal) => refusal.retry_after,
            _ => None,
        };
        let mut response = http::Response::new(Full::new(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            headers.insert(ALLOW, HeaderValue::from_static("POST"));
        }
        if let Some(after) = retry_after {
            // Retry-After is whole seconds (RFC 9110 §10.2.3); round up, at least 1.
            let secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            headers.insert(RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        response
    }
}
