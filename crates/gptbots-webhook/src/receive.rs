//! Receiving one request end to end: check the head, read the body within its bounds, parse
//! it, skip a duplicate, hand it to the callback and decide the answer.
//!
//! It speaks the `http` crate's types (`Method`, `HeaderMap`, a body implementing
//! `http_body::Body`), which hyper, axum and most Rust servers share; [`crate::router`] is the
//! thin axum binding over it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
#[cfg(any(doc, test))]
use gptbots_protocol::webhook::WebhookAck;
use gptbots_protocol::webhook::WebhookMessage;
use gptbots_protocol::{HandoffChat, HandoffClose, HandoffEstablish, HandoffReply};
use http::{HeaderMap, Method};
use http_body::Body;
use serde::Serialize;

use crate::answer::{Answer, Outcome, Refusal, RefusalKind, json_body};
use crate::callback::{BoxError, Busy, Callback};
use crate::checks::{check_auth, check_content_length, check_content_type, check_method};
use crate::config::{ConfigError, ReceiverConfig};
use crate::dedup::Dedup;
use crate::limits::{BodyBudget, Held, MAX_MESSAGE_ID_LEN, read_body_within};
use crate::store::{DedupStore, StoreClaim, StoreError};

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

/// Whether a hand-off body is an availability probe: a JSON object with `"istest": true`,
/// whatever else it holds (a bare `{"istest": true}` or a full body).
pub fn is_handoff_probe(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default)]
        istest: Option<serde_json::Value>,
    }
    // A derived `Deserialize` also reads a struct from a sequence, so `[true]` would pass for
    // `{"istest": true}`: only an object is looked at.
    body.trim_ascii_start().first() == Some(&b'{')
        && matches!(
            serde_json::from_slice::<Probe>(body),
            Ok(Probe {
                istest: Some(serde_json::Value::Bool(true))
            })
        )
}

fn callback_failed(err: &BoxError) -> Refusal {
    if let Some(busy) = err.downcast_ref::<Busy>() {
        return Refusal::new(
            RefusalKind::Unavailable,
            "the receiver is busy; deliver it again later",
        )
        .with_retry_after(busy.retry_after);
    }
    Refusal {
        cause: Some(err.to_string()),
        ..Refusal::new(
            RefusalKind::CallbackFailed,
            "the message was not accepted; deliver it again later",
        )
    }
}

/// `Retry-After` when the store cannot answer, or another receiver is still delivering a copy.
const STORE_RETRY_AFTER: Duration = Duration::from_secs(1);

fn store_failed(err: &StoreError) -> Refusal {
    Refusal {
        cause: Some(err.to_string()),
        ..Refusal::new(
            RefusalKind::Unavailable,
            "the store of delivered ids cannot be reached; deliver it again later",
        )
        .with_retry_after(STORE_RETRY_AFTER)
    }
}

fn still_in_flight() -> Refusal {
    Refusal::new(
        RefusalKind::Unavailable,
        "the same message is being delivered by another receiver; deliver it again later",
    )
    .with_retry_after(STORE_RETRY_AFTER)
}

fn id_too_long(len: usize) -> Refusal {
    Refusal::new(
        RefusalKind::BadRequest,
        format!("message_id is {len} bytes long; at most {MAX_MESSAGE_ID_LEN} are accepted"),
    )
}

/// `{"code":200,"msg":"success"}`, the documented acknowledgement ([`WebhookAck::success`]).
const REPLY_ACK: &[u8] = br#"{"code":200,"msg":"success"}"#;

/// A receiver: the configuration, the memory of delivered message ids and the budget of
/// bodies being read. Cheap to clone (clones share the memory and the budget).
#[derive(Debug, Clone)]
pub struct Receiver {
    config: ReceiverConfig,
    dedup: Dedup,
    store: Arc<dyn DedupStore>,
    budget: BodyBudget,
}

impl Receiver {
    /// A receiver with this configuration, as given (see [`try_new`](Self::try_new) for one
    /// that is checked first).
    pub fn new(config: ReceiverConfig) -> Self {
        let dedup = Dedup::new(config.dedup);
        let budget = BodyBudget::new(config.body_budget);
        Receiver {
            config,
            store: Arc::new(dedup.clone()),
            dedup,
            budget,
        }
    }

    /// This receiver with another memory of delivered ids, e.g. a
    /// [`RedisStore`](crate::RedisStore) shared by several receivers, in place of the
    /// in-memory window of [`ReceiverConfig::dedup`].
    pub fn with_store(mut self, store: Arc<dyn DedupStore>) -> Self {
        self.store = store;
        self
    }

    /// A receiver with this configuration, once [`ReceiverConfig::validate`] found nothing
    /// wrong with it.
    pub fn try_new(config: ReceiverConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Receiver::new(config))
    }

    /// The configuration.
    pub fn config(&self) -> &ReceiverConfig {
        &self.config
    }

    /// The in-memory window of delivered message ids (the store in use unless
    /// [`with_store`](Self::with_store) set another).
    pub fn dedup(&self) -> &Dedup {
        &self.dedup
    }

    /// The budget of bodies being read.
    pub fn body_budget(&self) -> &BodyBudget {
        &self.budget
    }

    /// Checks everything known before the body is read, in this order: method (405),
    /// `Authorization` (401), `Content-Type` (415), `Content-Length` (413).
    pub fn check_head(&self, method: &Method, headers: &HeaderMap) -> Result<(), Refusal> {
        check_method(method)?;
        check_auth(self.config.auth.as_ref(), headers)?;
        check_content_type(headers)?;
        check_content_length(headers, self.config.body_limit)
    }

    /// Checks a hand-off request's head as [`check_head`](Self::check_head) does, with the
    /// hand-off paths' own token ([`ReceiverConfig::handoff_auth`]) instead of the reply
    /// webhook's.
    pub fn check_handoff_head(&self, method: &Method, headers: &HeaderMap) -> Result<(), Refusal> {
        check_method(method)?;
        check_auth(self.config.handoff_auth.as_ref(), headers)?;
        check_content_type(headers)?;
        check_content_length(headers, self.config.body_limit)
    }

    async fn head_and_body<B>(
        &self,
        request: http::Request<B>,
        handoff: bool,
    ) -> Result<(Bytes, Held), Refusal>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let (parts, body) = request.into_parts();
        if handoff {
            self.check_handoff_head(&parts.method, &parts.headers)?;
        } else {
            self.check_head(&parts.method, &parts.headers)?;
        }
        read_body_within(body, self.config.body_limit, &self.budget).await
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
        let (body, _held) = match self.head_and_body(request, false).await {
            Ok(read) => read,
            Err(refusal) => return Answer::refused(refusal),
        };
        let parsed = parse_reply(&body);
        drop(body);
        match parsed {
            Ok(message) => self.deliver_reply(message, callback).await,
            Err(refusal) => Answer::refused(refusal),
        }
    }

    /// Delivers a parsed reply: a probe is acknowledged without the callback; an id over
    /// [`MAX_MESSAGE_ID_LEN`] bytes is refused (400); a duplicate within the window is
    /// acknowledged without the callback; otherwise the callback decides between 200, 500 and
    /// (if it answered [`Busy`]) 503.
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
        if id.len() > MAX_MESSAGE_ID_LEN {
            return Answer::refused(id_too_long(id.len()));
        }
        if id.is_empty() {
            return match callback.call(message).await {
                Ok(()) => Answer::ok(ack(), Outcome::Delivered { message_id: None }),
                Err(err) => Answer::refused(callback_failed(&err)),
            };
        }
        let started = Instant::now();
        loop {
            let claim = match self.store.claim(&id).await {
                Ok(claim) => claim,
                Err(err) => return Answer::refused(store_failed(&err)),
            };
            match claim {
                StoreClaim::Duplicate => {
                    return Answer::ok(ack(), Outcome::Duplicate { message_id: id });
                }
                StoreClaim::InFlight(other) => {
                    if let Some(bound) = self.store.in_flight_wait()
                        && started.elapsed() >= bound
                    {
                        return Answer::refused(still_in_flight());
                    }
                    other.await;
                }
                StoreClaim::New(ticket) => {
                    return match callback.call(message).await {
                        Ok(()) => {
                            // The callback accepted it: acknowledged even if the store cannot
                            // record it now (a later copy is then delivered again: at least
                            // once, never lost).
                            let _ = ticket.delivered().await;
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
    /// The head is checked with the hand-off paths' own token, if one is configured (the reply
    /// webhook's token is not required here). A body with `"istest": true` is a probe,
    /// whatever else it holds: acknowledged, the callback not called.
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
        let (body, _held) = match self.head_and_body(request, true).await {
            Ok(read) => read,
            Err(refusal) => return Answer::refused(refusal),
        };
        if is_handoff_probe(&body) {
            return Answer::ok(json_body(&HandoffReply::success()), Outcome::Probe);
        }
        let event = match parse_handoff(kind, &body) {
            Ok(event) => event,
            Err(refusal) => return Answer::refused(refusal),
        };
        drop(body);
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
    fn a_hand_off_probe_is_an_object() {
        assert!(is_handoff_probe(br#"{"istest": true}"#));
        assert!(is_handoff_probe(
            br#" {"conversation_id": "c", "istest": true}"#
        ));
        // a derived Deserialize reads a struct from a sequence too: not a probe
        assert!(!is_handoff_probe(b"[true]"));
        assert!(!is_handoff_probe(br#"{"istest": "true"}"#));
        assert!(!is_handoff_probe(b"true"));
    }

    #[test]
    fn the_static_ack_is_the_documented_one() {
        let documented = serde_json::to_value(WebhookAck::success()).ok();
        assert_eq!(serde_json::from_slice(REPLY_ACK).ok(), documented);
    }
}
