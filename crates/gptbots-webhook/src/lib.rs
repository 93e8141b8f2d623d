//! A receiver for GPTBots webhooks: the replies GPTBots POSTs in webhook mode and the three
//! human hand-off calls. Mount it in one line, and it checks, parses, de-duplicates and
//! acknowledges only after your callback has accepted the message.
//!
//! - [`receive`]: framework-independent (the `http` crate's types): one request end to end.
//! - [`checks`]: the checks on a request's head; [`limits`]: reading a body within its limit
//!   and the byte budget; [`answer`]: refusals, outcomes and answers.
//! - [`router`]: the axum binding, [`Webhooks`], which builds a `Router`.
//! - [`serve`]: serving that router with every connection bounded ([`ServeLimits`]).
//! - [`dedup`]: the bounded memory of delivered message ids; [`store`]: the interface over it
//!   and, with the `redis` feature, `redis_store`: the same memory in Redis, shared by several
//!   receivers.
//! - [`auth`]: the optional `Authorization` token, compared in constant time.
//!
//! Upstream: <https://www.gptbots.ai/docs/api-reference/conversation-api/webhook-mode>.
//!
//! # Answers
//!
//! Checks run in this order; the first that fails decides. Every refusal's body is
//! `{"code": <the HTTP status>, "message": "<why>"}`; the callback never sees a refused
//! request.
//!
//! | request | status | body |
//! |---|---|---|
//! | not `POST` | 405, `Allow: POST` | `{code, message}` |
//! | `Authorization` configured, and missing or wrong (the reply webhook's token on the reply path; on the hand-off paths only their own token, if one is set) | 401 | `{code, message}` |
//! | `Content-Type` not `application/json` (parameters allowed; a `charset` must be UTF-8), or missing | 415 | `{code, message}` |
//! | `Content-Length` over the limit (checked before reading), or the body passes the limit while it is read | 413 | `{code, message}` |
//! | the bodies being read at once pass their byte budget, and cutting the bodies stalled for a second (408 to them) does not make room | 503, `Retry-After` | `{code, message}` |
//! | the body did not arrive by the server's body deadline ([`serve`]) | 408 | `{code, message}` |
//! | not JSON, or not the shape of a reply / hand-off body, or a `message_id` over 256 bytes | 400 | `{code, message}`, the message naming the JSON path |
//! | a probe (`"istest": true`; on a hand-off path checked before the body's shape, so a bare `{"istest": true}` and a full body alike) | 200 | the acknowledgement, callback not called |
//! | a reply already delivered within the window | 200 | the acknowledgement, callback not called again |
//! | the callback returned [`Busy`] | 503, `Retry-After` | `{code, message}` |
//! | a [`DedupStore`] that cannot answer in time (Redis down or slow), or a copy still being delivered by another receiver after the store's wait | 503, `Retry-After` | `{code, message}`, callback not called |
//! | the callback returned another `Err` | 500 | `{code, message}` (the error's text goes to the observer only) |
//! | the callback returned `Ok` | 200 | replies `{"code":200,"msg":"success"}`; hand-off `{"code":200,"message":"success"}` |
//!
//! # Decisions where the upstream docs are silent
//!
//! - The hand-off paths do not require the reply webhook's token (GPTBots sends none there);
//!   they may have a token of their own ([`ReceiverConfig::with_handoff_auth`]).
//! - The authorization token is compared as configured, after the scheme name (matched
//!   case-insensitively) and one or more spaces; a `Basic` token is not decoded. A token that
//!   is empty or has white space around it is refused at start ([`ReceiverConfig::validate`]).
//! - A missing `Content-Type` is refused (415): GPTBots documents `application/json`.
//! - The default body limit is 4 MiB ([`DEFAULT_BODY_LIMIT`]); all bodies being read at once
//!   share a budget of 64 MiB ([`DEFAULT_BODY_BUDGET`]).
//! - A `message_id` is at most [`MAX_MESSAGE_ID_LEN`] (256) bytes (GPTBots sends 24).
//! - Duplicates are recognised by `message_id` for an hour, up to 100,000 ids or 16 MiB
//!   ([`DedupConfig::DEFAULT`]); only a successful delivery is remembered. Replies with an empty
//!   `message_id` and hand-off calls (which carry no id) are not de-duplicated.
//! - A copy that arrives while the same id is being delivered waits for that delivery (as
//!   long as the callback takes): then it is acknowledged as a duplicate if the delivery
//!   succeeded, or delivered itself if it failed. A callback that may hang should carry its own
//!   timeout.
//! - A [`Callback::channel`] accepts a message once it is queued in the channel.
//! - Nothing is logged by this crate; an observer ([`Webhooks::observe`]) sees each outcome.
//!   The token appears in no `Debug` output and no message.
#![warn(missing_docs)]

pub mod answer;
pub mod auth;
pub mod callback;
pub mod checks;
pub mod config;
pub mod dedup;
pub mod limits;
pub mod receive;
#[cfg(feature = "redis")]
pub mod redis_store;
pub mod router;
pub mod store;

pub use answer::{Answer, Outcome, Refusal, RefusalKind};
pub use auth::{Auth, Scheme};
pub use callback::{BoxError, Busy, Callback};
pub use config::{ConfigError, ReceiverConfig};
pub use dedup::{Dedup, DedupConfig};
pub use limits::{
    BodyBudget, DEFAULT_BODY_BUDGET, DEFAULT_BODY_LIMIT, MAX_MESSAGE_ID_LEN, read_body,
    read_body_within,
};
pub use receive::{
    HandoffEvent, HandoffKind, Receiver, is_handoff_probe, parse_handoff, parse_reply,
};
#[cfg(feature = "redis")]
pub use redis_store::{Appended, RedisStore, RedisStoreConfig};
pub use router::{Event, RouteError, Webhooks};
pub use store::{DedupStore, DeliveryTicket, StoreClaim, StoreError};

/// Serves a router (the one [`Webhooks::into_router`] builds, or yours) with every connection
/// bounded, until `shutdown` resolves; then lets requests in progress finish within the grace
/// period. See [`ServeLimits`] for the bounds and their defaults.
pub use gptbots_serve::serve;
pub use gptbots_serve::{BodyTimeout, Limits as ServeLimits, LimitsError, Stopped};
