//! What a running mock holds: its configuration, its conversations, its id sequence and its
//! webhook deliveries.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::MockConfig;
use crate::chaos::XorShift;
use crate::delivery::Deliveries;
use crate::store::Store;

pub(crate) struct State {
    pub(crate) config: MockConfig,
    store: Mutex<Store>,
    id_seed: u64,
    ids: AtomicU64,
    pub(crate) streams: AtomicU64,
    pub(crate) deliveries: Deliveries,
    pub(crate) handoffs: Mutex<crate::handoff::Handoffs>,
}

impl State {
    pub(crate) fn new(config: MockConfig) -> std::io::Result<State> {
        let deliveries = Deliveries::new(&config)?;
        Ok(State {
            store: Mutex::new(Store::new(&config)),
            id_seed: config.seed.unwrap_or_else(random_seed),
            ids: AtomicU64::new(0),
            streams: AtomicU64::new(0),
            deliveries,
            handoffs: crate::handoff::new_handoffs(),
            config,
        })
    }

    /// The conversations (a poisoned lock is still usable: every change keeps them whole).
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        match self.store.lock() {
            Ok(store) => store,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// A new id: 24 lower-case hex characters, a tag then 16 digits that never repeat within
    /// a run (splitmix and xorshift are one-to-one) and differ between runs without a seed.
    pub(crate) fn new_id(&self, tag: u32) -> String {
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        let mut rng = XorShift::new(self.id_seed.wrapping_add(n));
        format!("{tag:08x}{:016x}", rng.next_u64())
    }
}

/// A seed that differs between runs: std's per-process random hash keys, the clock and the
/// process id (no `rand` dependency for one number).
fn random_seed() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    hasher.write_u128(nanos);
    hasher.write_u32(std::process::id());
    hasher.finish()
}
