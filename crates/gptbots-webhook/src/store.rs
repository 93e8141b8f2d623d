//! Where the ids of delivered messages are kept: an interface, [`DedupStore`], with two
//! implementations: the in-memory window of one process ([`Dedup`], the default) and, with
//! the `redis` feature, Redis, shared by several receivers ([`RedisStore`](crate::RedisStore)).
//!
//! Whatever the store, a message is acknowledged only after the callback accepted it; a store
//! that cannot be reached answers 503 with `Retry-After` and nothing is acknowledged.
//!
//! [`StoreClaim`] and [`DeliveryTicket`] are public only because [`DedupStore::claim`] returns
//! them: they are what a store of your own implements and hands back. The in-memory window's
//! own claim and ticket stay private to the crate.

use std::fmt;
use std::time::{Duration, Instant};

use futures_util::future::{BoxFuture, FutureExt, ready};

use crate::dedup::{Claim, Dedup, Ticket};

/// A store could not answer (unreachable, too slow, an unexpected reply). The request is
/// answered 503 with `Retry-After`, so that the sender delivers it again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreError {
    /// Why (for the observer; never sent to the sender).
    pub message: String,
}

impl StoreError {
    /// An error with this text.
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

/// The right to deliver one message id, from [`DedupStore::claim`]. Dropping it without
/// [`delivered`](Self::delivered) (the callback failed, or the request was abandoned) releases
/// the claim, so a retry is delivered.
pub trait DeliveryTicket: Send {
    /// Records the id as delivered, for the store's window.
    fn delivered(self: Box<Self>) -> BoxFuture<'static, Result<(), StoreError>>;
}

/// What [`DedupStore::claim`] found.
#[non_exhaustive]
pub enum StoreClaim {
    /// Not delivered yet: deliver it, then [`DeliveryTicket::delivered`] (or drop the ticket).
    New(Box<dyn DeliveryTicket>),
    /// Delivered within the window: acknowledge, do not deliver again.
    Duplicate,
    /// Being delivered right now (here or on another receiver): await the future, then claim
    /// again.
    InFlight(BoxFuture<'static, ()>),
}

impl fmt::Debug for StoreClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreClaim::New(_) => "New",
            StoreClaim::Duplicate => "Duplicate",
            StoreClaim::InFlight(_) => "InFlight",
        })
    }
}

/// A memory of delivered message ids, shared by the requests of one receiver (or by several
/// receivers, when it lives outside the process).
pub trait DedupStore: fmt::Debug + Send + Sync + 'static {
    /// Claims `id` for delivery.
    fn claim<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<StoreClaim, StoreError>>;

    /// How long a copy waits, in all, for another delivery of the same id before it is
    /// answered 503 with `Retry-After` (`None`: as long as that delivery takes).
    fn in_flight_wait(&self) -> Option<Duration> {
        None
    }
}

struct MemoryTicket(Ticket);

impl DeliveryTicket for MemoryTicket {
    fn delivered(self: Box<Self>) -> BoxFuture<'static, Result<(), StoreError>> {
        self.0.delivered(Instant::now());
        ready(Ok(())).boxed()
    }
}

/// The in-memory window: a copy in flight waits for the first delivery's outcome.
impl DedupStore for Dedup {
    fn claim<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<StoreClaim, StoreError>> {
        let claim = match Dedup::claim(self, id, Instant::now()) {
            Claim::New(ticket) => StoreClaim::New(Box::new(MemoryTicket(ticket))),
            Claim::Duplicate => StoreClaim::Duplicate,
            Claim::InFlight(other) => StoreClaim::InFlight(other.wait().boxed()),
        };
        ready(Ok(claim)).boxed()
    }
}
