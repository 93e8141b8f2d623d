//! The framework-independent core: check a request's head, read its body within a limit,
//! parse it, hand it to the callback and decide the answer (status and JSON body).
//!
//! It speaks the `http` crate's types (`Method`, `HeaderMap`, a body implementing
//! `http_body::Body`), which hyper, axum and most Rust servers share; [`crate::router`] is the
//! thin axum binding over it.

use std::fmt;
use std::time::Instant;

use bytes::Bytes;
#[cfg(any(doc, test))]
use gptbots_protocol::webhook::WebhookAck;
use gptbots_protocol::webhook::WebhookMessage;
use gptbots_protocol::{HandoffChat, HandoffClose, HandoffEstablish, HandoffReply, ParseError};
use http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use serde::Serialize;

use crate::auth::Auth;
use crate::callback::{BoxError, Callback};
use crate::dedup::{Claim, Dedup, DedupConfig};

/// The default body limit: 4 MiB. Replies carry audio as URLs, so a real body is a few KiB;
/// the margin is for long texts and many outputs.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// How a receiver checks and de-duplicates requests.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReceiverConfig {
    /// The required `Authorization` (none: any request is let in, as when GPTBots'
    /// authorization switch is off).
    pub auth: Option<Auth>,
    /// The largest body accepted, in bytes.
    pub body_limit: usize,
    /// How delivered message ids are remembered.
    pub dedup: DedupConfig,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        ReceiverConfig {
            auth: None,
            body_limit: DEFAULT_BODY_LIMIT,
            dedup: DedupConfig::DEFAULT,
        }
    }
}

impl ReceiverConfig {
    /// No authorization, a 4 MiB limit, de-duplication for an hour or 100,000 ids.
    pub fn new() -> Self {
        ReceiverConfig::default()
    }

    /// Requires this `Authorization`.
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Sets the body limit in bytes.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Sets the de-duplication window and capacity.
    pub fn with_dedup(mut self, dedup: DedupConfig) -> Self {
        self.dedup = dedup;
        self
    }
}

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
    /// Invalid JSON, a wrong shape, or a body that could not be read: 400.
    BadRequest,
    /// The callback returned an error: 500, so that the message is delivered again.
    CallbackFailed,
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
            RefusalKind::CallbackFailed => StatusCode::INTERNAL_SERVER_ERROR,
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
}

impl Refusal {
    /// A refusal of this kind with this message.
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> Self {
        Refusal {
            kind,
            message: message.into(),
            cause: None,
        }
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

    fn bad_body(err: &ParseError) -> Self {
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

fn json_body<T: Serialize>(value: &T) -> Bytes {
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
    fn refused(refusal: Refusal) -> Self {
        Answer {
            status: refusal.status(),
            body: refusal.body(),
            outcome: Outcome::Refused(refusal),
        }
    }

    fn ok(body: Bytes, outcome: Outcome) -> Self {
        Answer {
            status: StatusCode::OK,
            body,
            outcome,
        }
    }

    /// As an `http` response: the status, `Content-Type: application/json`, the body, and
    /// `Allow: POST` on a 405.
    pub fn into_response(self) -> http::Response<Full<Bytes>> {
        let mut response = http::Response::new(Full::new(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            headers.insert(http::header::ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}

/// Which hand-off call a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HandoffKind {
    /// `/conversation/establish`.
    Establish,
    /// `/chat`.
    Chat,
    /// `/conversation/close`.
    Close,
}

impl HandoffKind {
    /// All three.
    pub const ALL: [HandoffKind; 3] = [
        HandoffKind::Establish,
        HandoffKind::Chat,
        HandoffKind::Close,
    ];

    /// The documented developer-hosted path.
    pub fn path(self) -> &'static str {
        match self {
            HandoffKind::Establish => gptbots_protocol::handoff::ESTABLISH_PATH,
            HandoffKind::Chat => gptbots_protocol::handoff::CHAT_PATH,
            HandoffKind::Close => gptbots_protocol::handoff::CLOSE_PATH,
        }
    }
}

/// A human hand-off call, as the hand-off callback receives it.
///
/// Serializes as the body with a `handoff` tag added:
/// `{"handoff":"chat","conversation_id":...,"timestamp":...,"body":"..."}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "handoff", rename_all = "lowercase")]
#[non_exhaustive]
pub enum HandoffEvent {
    /// A conversation was handed to a human agent.
    Establish(HandoffEstablish),
    /// The user wrote to the human agent.
    Chat(HandoffChat),
    /// The hand-off ended.
    Close(HandoffClose),
}

impl HandoffEvent {
    /// Which call it came from.
    pub fn kind(&self) -> HandoffKind {
        match self {
            HandoffEvent::Establish(_) => HandoffKind::Establish,
            HandoffEvent::Chat(_) => HandoffKind::Chat,
            HandoffEvent::Close(_) => HandoffKind::Close,
        }
    }

    /// The conversation.
    pub fn conversation_id(&self) -> &str {
        match self {
            HandoffEvent::Establish(e) => &e.conversation_id,
            HandoffEvent::Chat(e) => &e.conversation_id,
            HandoffEvent::Close(e) => &e.conversation_id,
        }
    }
}

/// Checks the method: only `POST` is let in.
pub fn check_method(method: &Method) -> Result<(), Refusal> {
    if method == Method::POST {
        Ok(())
    } else {
        Err(Refusal::new(
            RefusalKind::MethodNotAllowed,
            format!("method {method} not allowed: webhooks are POSTed"),
        ))
    }
}

/// Checks `Authorization` against the configured token (nothing configured: always fine).
pub fn check_auth(auth: Option<&Auth>, headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(auth) = auth else {
        return Ok(());
    };
    let given = headers.get(AUTHORIZATION);
    if auth.verify(given.map(HeaderValue::as_bytes)) {
        Ok(())
    } else if given.is_none() {
        Err(Refusal::new(
            RefusalKind::Unauthorized,
            "missing Authorization header",
        ))
    } else {
        Err(Refusal::new(
            RefusalKind::Unauthorized,
            "wrong Authorization header",
        ))
    }
}

/// Checks `Content-Type`: `application/json` (any case), optionally with parameters, of which
/// a `charset` must be UTF-8 (JSON is UTF-8, RFC 8259). A missing header is refused too: GPTBots
/// sends `application/json`.
pub fn check_content_type(headers: &HeaderMap) -> Result<(), Refusal> {
    let refuse = |what: &str| {
        Err(Refusal::new(
            RefusalKind::UnsupportedMediaType,
            format!("{what}: send Content-Type: application/json"),
        ))
    };
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return refuse("missing Content-Type");
    };
    let Ok(value) = value.to_str() else {
        return refuse("unreadable Content-Type");
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return refuse(&format!("Content-Type `{essence}` not accepted"));
    }
    for param in parts {
        let Some((name, val)) = param.split_once('=') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("charset") {
            let charset = val.trim().trim_matches('"');
            if !(charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8")) {
                return refuse(&format!("charset `{charset}` not accepted (JSON is UTF-8)"));
            }
        }
    }
    Ok(())
}

/// Checks a declared `Content-Length` against the limit, before any of the body is read.
pub fn check_content_length(headers: &HeaderMap, limit: usize) -> Result<(), Refusal> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(len) if len > limit as u64 => Err(too_large(limit)),
        _ => Ok(()),
    }
}

fn too_large(limit: usize) -> Refusal {
    Refusal::new(
        RefusalKind::PayloadTooLarge,
        format!("body over the limit of {limit} bytes"),
    )
}

/// Reads a body, stopping with 413 as soon as it passes `limit` bytes (whatever
/// `Content-Length` said); a body that fails to arrive is a 400.
pub async fn read_body<B>(body: B, limit: usize) -> Result<Bytes, Refusal>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    if body.size_hint().lower() > limit as u64 {
        return Err(too_large(limit));
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.downcast_ref::<LengthLimitError>().is_some() => Err(too_large(limit)),
        Err(err) => Err(Refusal::new(
            RefusalKind::BadRequest,
            format!("could not read the body: {err}"),
        )),
    }
}

/// Parses a reply webhook body: a v2 reply, a v1 reply or a probe. The 400's message names
/// the JSON path of the fault.
///
/// This is [`WebhookMessage::from_slice`]: the value of
/// `gptbots_protocol::from_slice::<WebhookMessage>`, reached without a map of values for the
/// common case.
pub fn parse_reply(body: &[u8]) -> Result<WebhookMessage, Refusal> {
    WebhookMessage::from_slice(body).map_err(|err| Refusal::bad_body(&err))
}

/// Parses a hand-off body of the given kind. The 400's message names the JSON path.
pub fn parse_handoff(kind: HandoffKind, body: &[u8]) -> Result<HandoffEvent, Refusal> {
    let event = match kind {
        HandoffKind::Establish => {
            gptbots_protocol::from_slice::<HandoffEstablish>(body).map(HandoffEvent::Establish)
        }
        HandoffKind::Chat => {
            gptbots_protocol::from_slice::<HandoffChat>(body).map(HandoffEvent::Chat)
        }
        HandoffKind::Close => {
            gptbots_protocol::from_slice::<HandoffClose>(body).map(HandoffEvent::Close)
        }
    };
    event.map_err(|err| Refusal::bad_body(&err))
}

fn callback_failed(err: &BoxError) -> Refusal {
    Refusal {
        kind: RefusalKind::CallbackFailed,
        message: "the message was not accepted; deliver it again later".to_owned(),
        cause: Some(err.to_string()),
    }
}

/// `{"code":200,"msg":"success"}`, the documented acknowledgement ([`WebhookAck::success`]).
const REPLY_ACK: &[u8] = br#"{"code":200,"msg":"success"}"#;

/// A receiver: the configuration and the memory of delivered message ids. Cheap to clone
/// (clones share the memory).
#[derive(Debug, Clone)]
pub struct Receiver {
    config: ReceiverConfig,
    dedup: Dedup,
}

impl Receiver {
    /// A receiver with this configuration.
    pub fn new(config: ReceiverConfig) -> Self {
        let dedup = Dedup::new(config.dedup);
        Receiver { config, dedup }
    }

    /// The configuration.
    pub fn config(&self) -> &ReceiverConfig {
        &self.config
    }

    /// The memory of delivered message ids.
    pub fn dedup(&self) -> &Dedup {
        &self.dedup
    }

    /// Checks everything known before the body is read, in this order: method (405),
    /// `Authorization` (401), `Content-Type` (415), `Content-Length` (413).
    pub fn check_head(&self, method: &Method, headers: &HeaderMap) -> Result<(), Refusal> {
        check_method(method)?;
        check_auth(self.config.auth.as_ref(), headers)?;
        check_content_type(headers)?;
        check_content_length(headers, self.config.body_limit)
    }

    async fn head_and_body<B>(&self, request: http::Request<B>) -> Result<Bytes, Refusal>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let (parts, body) = request.into_parts();
        self.check_head(&parts.method, &parts.headers)?;
        read_body(body, self.config.body_limit).await
    }

    /// Handles a reply webhook request end to end: checks, reads, parses, answers a probe,
    /// skips a duplicate, calls the callback, and answers `{"code":200,"msg":"success"}` only
    /// once the callback accepted.
    pub async fn handle_reply<B>(
        &self,
        request: http::Request<B>,
        callback: &Callback<WebhookMessage>,
    ) -> Answer
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let body = match self.head_and_body(request).await {
            Ok(body) => body,
            Err(refusal) => return Answer::refused(refusal),
        };
        match parse_reply(&body) {
            Ok(message) => self.deliver_reply(message, callback).await,
            Err(refusal) => Answer::refused(refusal),
        }
    }

    /// Delivers a parsed reply: a probe is acknowledged without the callback; a duplicate
    /// within the window is acknowledged without the callback; otherwise the callback decides
    /// between 200 and 500.
    ///
    /// A copy that arrives while the same id is being delivered waits for that delivery: it is
    /// then a duplicate (if it succeeded) or delivered itself (if it failed). A reply with an
    /// empty `message_id` cannot be told apart from others and is always delivered.
    pub async fn deliver_reply(
        &self,
        message: WebhookMessage,
        callback: &Callback<WebhookMessage>,
    ) -> Answer {
        let ack = || Bytes::from_static(REPLY_ACK);
        if message.is_probe() {
            return Answer::ok(ack(), Outcome::Probe);
        }
        let id = message.message_id().unwrap_or_default().to_owned();
        if id.is_empty() {
            return match callback.call(message).await {
                Ok(()) => Answer::ok(ack(), Outcome::Delivered { message_id: None }),
                Err(err) => Answer::refused(callback_failed(&err)),
            };
        }
        loop {
            match self.dedup.claim(&id, Instant::now()) {
                Claim::Duplicate => {
                    return Answer::ok(ack(), Outcome::Duplicate { message_id: id });
                }
                Claim::InFlight(other) => other.wait().await,
                Claim::New(ticket) => {
                    return match callback.call(message).await {
                        Ok(()) => {
                            ticket.delivered(Instant::now());
                            Answer::ok(
                                ack(),
                                Outcome::Delivered {
                                    message_id: Some(id),
                                },
                            )
                        }
                        Err(err) => Answer::refused(callback_failed(&err)),
                    };
                }
            }
        }
    }

    /// Handles a hand-off request of the given kind end to end; answers
    /// `{"code":200,"message":"success"}` once the callback accepted.
    ///
    /// Hand-off bodies carry no message id, so they are not de-duplicated: two identical
    /// `/chat` calls may well be two messages.
    pub async fn handle_handoff<B>(
        &self,
        kind: HandoffKind,
        request: http::Request<B>,
        callback: &Callback<HandoffEvent>,
    ) -> Answer
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let body = match self.head_and_body(request).await {
            Ok(body) => body,
            Err(refusal) => return Answer::refused(refusal),
        };
        let event = match parse_handoff(kind, &body) {
            Ok(event) => event,
            Err(refusal) => return Answer::refused(refusal),
        };
        match callback.call(event).await {
            Ok(()) => Answer::ok(
                json_body(&HandoffReply::success()),
                Outcome::Delivered { message_id: None },
            ),
            Err(err) => Answer::refused(callback_failed(&err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_static_ack_is_the_documented_one() {
        let documented = serde_json::to_value(WebhookAck::success()).ok();
        assert_eq!(serde_json::from_slice(REPLY_ACK).ok(), documented);
    }
}
