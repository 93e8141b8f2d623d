//! Remembering which message ids were delivered, so a redelivery reaches the callback once.
//!
//! GPTBots may POST the same reply more than once (a retry after a timeout, a network hiccup).
//! [`Dedup`] keeps the ids of messages whose callback *succeeded*, for a time window and up to
//! a capacity; a message whose callback failed is forgotten, so its retry is delivered again.
//! While a message is being delivered, a second copy of it waits for the first one's outcome:
//! acknowledged as a duplicate if the first succeeded, delivered itself if the first failed.
//!
//! Outside this crate a [`Dedup`] is used through [`DedupStore`](crate::DedupStore) (the
//! receiver's interface over any store); the claim and its ticket stay private. Inside, the
//! clock is an argument (`now`), so the logic is deterministic under test.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// What one remembered id is counted as, besides its own bytes: the map's and the queue's
/// entries and the shared string's header, rounded up.
pub const ENTRY_OVERHEAD: usize = 128;

/// How long, how many and how many bytes of delivered message ids are remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DedupConfig {
    /// A delivered id is remembered this long.
    pub window: Duration,
    /// At most this many delivered ids are remembered; the oldest goes first. `0` turns
    /// de-duplication off.
    pub capacity: usize,
    /// At most this many bytes of ids are remembered, each id counted as its length plus
    /// [`ENTRY_OVERHEAD`]; the oldest goes first.
    pub max_bytes: usize,
}

impl DedupConfig {
    /// One hour, 100,000 ids, 16 MiB.
    pub const DEFAULT: DedupConfig = DedupConfig {
        window: Duration::from_secs(3600),
        capacity: 100_000,
        max_bytes: 16 * 1024 * 1024,
    };

    /// A window and a capacity (and the default byte bound).
    pub fn new(window: Duration, capacity: usize) -> Self {
        DedupConfig {
            window,
            capacity,
            max_bytes: DedupConfig::DEFAULT.max_bytes,
        }
    }

    /// This configuration with a byte bound.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// No de-duplication: every delivery reaches the callback.
    pub fn disabled() -> Self {
        DedupConfig {
            window: Duration::ZERO,
            capacity: 0,
            max_bytes: 0,
        }
    }

    /// Whether de-duplication is on.
    pub fn is_enabled(&self) -> bool {
        self.capacity > 0 && !self.window.is_zero()
    }
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig::DEFAULT
    }
}

enum Entry {
    /// Being delivered; the receiver wakes when the delivery ends (its sender is dropped).
    InFlight(watch::Receiver<()>),
    /// Delivered at this instant.
    Seen(Instant),
}

#[derive(Default)]
struct State {
    entries: HashMap<Arc<str>, Entry>,
    /// Delivered ids in the order they were recorded; never longer than the capacity.
    order: VecDeque<(Arc<str>, Instant)>,
    /// What the ids in `order` are counted as ([`cost`]); never more than the byte bound.
    bytes: usize,
}

/// What one remembered id is counted as.
fn cost(id: &str) -> usize {
    id.len().saturating_add(ENTRY_OVERHEAD)
}

impl State {
    fn forget_if_seen_at(&mut self, id: &Arc<str>, at: Instant) {
        if let Some(Entry::Seen(seen)) = self.entries.get(id)
            && *seen == at
        {
            self.entries.remove(id);
        }
    }

    fn evict_oldest(&mut self) -> bool {
        match self.order.pop_front() {
            Some((old, at)) => {
                self.bytes = self.bytes.saturating_sub(cost(&old));
                self.forget_if_seen_at(&old, at);
                true
            }
            None => false,
        }
    }

    fn evict_expired(&mut self, now: Instant, window: Duration) {
        while let Some((_, at)) = self.order.front() {
            if now.saturating_duration_since(*at) < window {
                break;
            }
            self.evict_oldest();
        }
    }
}

/// The set of recently delivered message ids (bounded by [`DedupConfig`]).
#[derive(Clone)]
pub struct Dedup {
    config: DedupConfig,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for Dedup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("Dedup")
            .field("config", &self.config)
            .field("remembered", &state.order.len())
            .field("bytes", &state.bytes)
            .field("tracked", &state.entries.len())
            .finish()
    }
}

/// What [`Dedup::claim`] found. Crate-private, like the ticket and the wait: outside the crate
/// the window is claimed through its [`DedupStore`](crate::DedupStore) implementation, whose
/// [`StoreClaim`](crate::StoreClaim) boxes both.
#[derive(Debug)]
pub(crate) enum Claim {
    /// Not delivered yet: deliver it, then [`Ticket::delivered`] (or drop the ticket if the
    /// delivery failed).
    New(Ticket),
    /// Delivered within the window: acknowledge, do not deliver again.
    Duplicate,
    /// Being delivered right now by another request: wait with [`InFlight::wait`], then claim
    /// again.
    InFlight(InFlight),
}

/// Another request is delivering the same id.
#[derive(Debug)]
pub(crate) struct InFlight(watch::Receiver<()>);

impl InFlight {
    /// Resolves when that other delivery has ended, whatever its outcome.
    pub(crate) async fn wait(mut self) {
        // The sender only ever drops (it never sends), so this returns when the delivery ends.
        while self.0.changed().await.is_ok() {}
    }
}

/// The right to deliver one message id. Dropping it without [`delivered`](Self::delivered)
/// (the callback failed, or the request was abandoned) forgets the id, so a retry is delivered.
pub(crate) struct Ticket {
    id: Arc<str>,
    state: Option<Arc<Mutex<State>>>,
    capacity: usize,
    max_bytes: usize,
    _done: Option<watch::Sender<()>>,
}

impl std::fmt::Debug for Ticket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ticket").field("id", &self.id).finish()
    }
}

impl Ticket {
    /// Records the id as delivered at `now`.
    pub(crate) fn delivered(mut self, now: Instant) {
        let Some(state) = self.state.take() else {
            return;
        };
        let mut state = lock(&state);
        let cost = cost(&self.id);
        if self.capacity == 0 || cost > self.max_bytes {
            state.entries.remove(&self.id);
            return;
        }
        while state.order.len() >= self.capacity
            || state.bytes.saturating_add(cost) > self.max_bytes
        {
            if !state.evict_oldest() {
                break;
            }
        }
        state.entries.insert(Arc::clone(&self.id), Entry::Seen(now));
        state.order.push_back((Arc::clone(&self.id), now));
        state.bytes = state.bytes.saturating_add(cost);
        // `_done` drops after this, waking the waiters, who now find the id delivered.
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(state) = self.state.take() {
            let mut state = lock(&state);
            if matches!(state.entries.get(&self.id), Some(Entry::InFlight(_))) {
                state.entries.remove(&self.id);
            }
        }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // The state stays consistent at every step, so a panic elsewhere does not spoil it.
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Dedup {
    /// An empty set.
    pub fn new(config: DedupConfig) -> Self {
        Dedup {
            config,
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    /// The configuration.
    pub fn config(&self) -> DedupConfig {
        self.config
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// How many delivered ids are remembered now (at most the capacity).
    pub fn remembered(&self) -> usize {
        self.lock().order.len()
    }

    /// What the remembered ids are counted as, in bytes (at most the byte bound): each id's
    /// length plus [`ENTRY_OVERHEAD`].
    pub fn remembered_bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Claims `id` for delivery at `now`.
    pub(crate) fn claim(&self, id: &str, now: Instant) -> Claim {
        if !self.config.is_enabled() {
            return Claim::New(Ticket {
                id: Arc::from(id),
                state: None,
                capacity: 0,
                max_bytes: 0,
                _done: None,
            });
        }
        let mut state = self.lock();
        state.evict_expired(now, self.config.window);
        match state.entries.get(id) {
            Some(Entry::Seen(at)) if now.saturating_duration_since(*at) < self.config.window => {
                return Claim::Duplicate;
            }
            Some(Entry::InFlight(done)) => return Claim::InFlight(InFlight(done.clone())),
            _ => {}
        }
        let id: Arc<str> = Arc::from(id);
        let (done, waiters) = watch::channel(());
        state
            .entries
            .insert(Arc::clone(&id), Entry::InFlight(waiters));
        Claim::New(Ticket {
            id,
            state: Some(Arc::clone(&self.state)),
            capacity: self.config.capacity,
            max_bytes: self.config.max_bytes,
            _done: Some(done),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic, clippy::indexing_slicing)]
    use super::*;

    fn new_ticket(claim: Claim) -> Ticket {
        match claim {
            Claim::New(ticket) => ticket,
            other => panic!("expected New, got {other:?}"),
        }
    }

    #[test]
    fn delivered_ids_are_duplicates_within_the_window() {
        let dedup = Dedup::new(DedupConfig::new(Duration::from_secs(10), 100));
        let t0 = Instant::now();
        new_ticket(dedup.claim("a", t0)).delivered(t0);
        assert!(matches!(dedup.claim("a", t0), Claim::Duplicate));
        assert!(matches!(
            dedup.claim("a", t0 + Duration::from_secs(9)),
            Claim::Duplicate
        ));
        // after the window the id is forgotten
        let later = t0 + Duration::from_secs(10);
        new_ticket(dedup.claim("a", later)).delivered(later);
        assert_eq!(dedup.remembered(), 1);
    }

    #[test]
    fn a_failed_delivery_is_forgotten() {
        let dedup = Dedup::new(DedupConfig::default());
        let t0 = Instant::now();
        drop(new_ticket(dedup.claim("a", t0)));
        new_ticket(dedup.claim("a", t0)).delivered(t0);
        assert!(matches!(dedup.claim("a", t0), Claim::Duplicate));
    }

    #[test]
    fn capacity_bounds_memory_oldest_first() {
        let dedup = Dedup::new(DedupConfig::new(Duration::from_secs(3600), 3));
        let t0 = Instant::now();
        for id in ["a", "b", "c", "d"] {
            new_ticket(dedup.claim(id, t0)).delivered(t0);
        }
        assert_eq!(dedup.remembered(), 3);
        assert!(matches!(dedup.claim("b", t0), Claim::Duplicate));
        assert!(matches!(dedup.claim("d", t0), Claim::Duplicate));
        // "a" was evicted: it is new again
        new_ticket(dedup.claim("a", t0)).delivered(t0);
        assert_eq!(dedup.remembered(), 3);
    }

    #[tokio::test]
    async fn a_concurrent_copy_waits_for_the_first_delivery() {
        let dedup = Dedup::new(DedupConfig::default());
        let t0 = Instant::now();
        let first = new_ticket(dedup.claim("a", t0));
        let Claim::InFlight(wait) = dedup.claim("a", t0) else {
            panic!("expected InFlight");
        };
        let waiter = tokio::spawn(wait.wait());
        first.delivered(t0);
        waiter.await.unwrap_or_else(|err| panic!("{err}"));
        assert!(matches!(dedup.claim("a", t0), Claim::Duplicate));
    }

    #[tokio::test]
    async fn a_concurrent_copy_is_delivered_when_the_first_fails() {
        let dedup = Dedup::new(DedupConfig::default());
        let t0 = Instant::now();
        let first = new_ticket(dedup.claim("a", t0));
        let Claim::InFlight(wait) = dedup.claim("a", t0) else {
            panic!("expected InFlight");
        };
        drop(first);
        wait.wait().await;
        assert!(matches!(dedup.claim("a", t0), Claim::New(_)));
    }

    #[test]
    fn bytes_bound_memory_oldest_first() {
        // room for three ids of 100 bytes
        let bound = 3 * (100 + ENTRY_OVERHEAD);
        let dedup =
            Dedup::new(DedupConfig::new(Duration::from_secs(3600), 1000).with_max_bytes(bound));
        let t0 = Instant::now();
        let ids: Vec<String> = (0..5).map(|i| format!("{i}").repeat(100)).collect();
        for id in &ids {
            new_ticket(dedup.claim(id, t0)).delivered(t0);
            assert!(dedup.remembered_bytes() <= bound);
        }
        assert_eq!(dedup.remembered(), 3);
        assert_eq!(dedup.remembered_bytes(), bound);
        assert!(matches!(dedup.claim(&ids[4], t0), Claim::Duplicate));
        assert!(matches!(dedup.claim(&ids[0], t0), Claim::New(_)));
        // an id larger than the whole bound is delivered but not remembered
        let huge = "x".repeat(bound);
        new_ticket(dedup.claim(&huge, t0)).delivered(t0);
        assert!(matches!(dedup.claim(&huge, t0), Claim::New(_)));
        assert!(dedup.remembered_bytes() <= bound);
    }

    #[test]
    fn disabled_delivers_everything() {
        let dedup = Dedup::new(DedupConfig::disabled());
        let t0 = Instant::now();
        new_ticket(dedup.claim("a", t0)).delivered(t0);
        new_ticket(dedup.claim("a", t0)).delivered(t0);
        assert_eq!(dedup.remembered(), 0);
    }
}
