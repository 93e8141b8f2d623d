//! A receiver for GPTBots webhooks: the replies GPTBots POSTs in webhook mode and the three
//! human hand-off calls. Mount it in one line, and it checks, parses, de-duplicates and
//! acknowledges only after your callback has accepted the message.
//!
//! - [`core`]: framework-independent (the `http` crate's types): check a request, read its
//!   body within a limit, parse it, decide the answer.
//! - [`router`]: the axum binding, [`Webhooks`], which builds a `Router`.
//! - [`dedup`]: the bounded memory of delivered message ids.
//! - [`auth`]: the optional `Authorization` token, compared in constant time.
//!
//! Upstream: <https://www.gptbots.ai/docs/api-reference/conversation-api/webhook-mode>; the
//! workspace's `PROTOCOL.md`, "Webhook mode" and "Human hand-off".
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
//! | `Authorization` configured, and missing or wrong | 401 | `{code, message}` |
//! | `Content-Type` not `application/json` (parameters allowed; a `charset` must be UTF-8), or missing | 415 | `{code, message}` |
//! | `Content-Length` over the limit (checked before reading), or the body passes the limit while it is read | 413 | `{code, message}` |
//! | not JSON, or not the shape of a reply / hand-off body | 400 | `{code, message}`, the message naming the JSON path |
//! | a probe (`"istest": true`) | 200 | `{"code":200,"msg":"success"}`, callback not called |
//! | a reply already delivered within the window | 200 | the acknowledgement, callback not called again |
//! | the callback returned `Err` | 500 | `{code, message}` (the error's text goes to the observer only) |
//! | the callback returned `Ok` | 200 | replies `{"code":200,"msg":"success"}`; hand-off `{"code":200,"message":"success"}` |
//!
//! # Decisions where the upstream docs are silent
//!
//! - The authorization token is compared as configured, after the scheme name (matched
//!   case-insensitively) and one or more spaces; a `Basic` token is not decoded.
//! - A missing `Content-Type` is refused (415): GPTBots documents `application/json`.
//! - The default body limit is 4 MiB ([`core::DEFAULT_BODY_LIMIT`]).
//! - Duplicates are recognised by `message_id` for an hour, up to 100,000 ids
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

pub mod auth;
pub mod callback;
pub mod core;
pub mod dedup;
pub mod router;

pub use auth::{Auth, Scheme};
pub use callback::{BoxError, Callback};
pub use core::{
    Answer, HandoffEvent, HandoffKind, Outcome, Receiver, ReceiverConfig, Refusal, RefusalKind,
};
pub use dedup::{Dedup, DedupConfig};
pub use router::{Event, RouteError, Webhooks};
