#![doc = include_str!("../README.md")]
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
