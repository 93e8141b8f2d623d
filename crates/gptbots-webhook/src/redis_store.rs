//! The [`DedupStore`] of several receivers: Redis (feature `redis`).
//!
//! An id is claimed with an expiring key, `SET {prefix}{id} inflight NX PX {lease}`; a
//! successful delivery makes it `done` for the window (`SET ... done PX {window}`); a failed one
//! deletes it if it is still in flight (a small Lua script), so a retry is delivered. A copy
//! that arrives while another receiver delivers the same id polls the key for a short while
//! ([`RedisStoreConfig::in_flight_wait`]) and is then answered 503 with `Retry-After`: never a
//! 200 for a message not accepted yet.
//!
//! Every call has a deadline ([`RedisStoreConfig::timeout`]); past it, or when Redis cannot be
//! reached, the request is answered 503 with `Retry-After` and nothing is acknowledged. The
//! connection is a [`ConnectionManager`], which reconnects by itself when Redis is back.
//!
//! [`RedisStore::append_once`] is the same memory used by a sink: claim-and-append in one
//! atomic step (a Lua script that `XADD`s the message to a stream only if its id key is absent).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{BoxFuture, FutureExt};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script};

use crate::store::{DedupStore, DeliveryTicket, StoreClaim, StoreError};

/// How a [`RedisStore`] names its keys and bounds its waits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisStoreConfig {
    /// Prepended to every message id to make its key.
    pub key_prefix: String,
    /// A delivered id is remembered this long (the same window as the in-memory store).
    pub window: Duration,
    /// A claim not followed by an outcome (the receiver died mid-delivery) expires after this,
    /// so another receiver can deliver the message. Capped at the window.
    pub lease: Duration,
    /// The deadline of every Redis call; past it, 503 with `Retry-After`.
    pub timeout: Duration,
    /// How long a copy waits, in all, for another receiver's delivery of the same id before
    /// it is answered 503 with `Retry-After`.
    pub in_flight_wait: Duration,
}

impl RedisStoreConfig {
    /// The default key prefix.
    pub const DEFAULT_PREFIX: &'static str = "gptbots:webhook:id:";

    /// Keys `gptbots:webhook:id:{id}`, a one-hour window, a 60 s lease, 2 s per call, 2 s of
    /// waiting for another receiver's delivery.
    pub fn new() -> Self {
        RedisStoreConfig {
            key_prefix: Self::DEFAULT_PREFIX.to_owned(),
            window: crate::DedupConfig::DEFAULT.window,
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(2),
            in_flight_wait: Duration::from_secs(2),
        }
    }

    /// Sets the key prefix.
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// Sets the window.
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Sets the deadline of each call.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the lease of a claim.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }
}

impl Default for RedisStoreConfig {
    fn default() -> Self {
        RedisStoreConfig::new()
    }
}

/// Claims an id: 1 new (now in flight), 2 delivered within the window, 3 in flight elsewhere.
const CLAIM: &str = r"
if redis.call('SET', KEYS[1], 'inflight', 'NX', 'PX', ARGV[1]) then return 1 end
if redis.call('GET', KEYS[1]) == 'done' then return 2 end
return 3
";

/// Releases a claim after a failed delivery, only if it is still in flight.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == 'inflight' then return redis.call('DEL', KEYS[1]) end
return 0
";

/// Claim-and-append: if the id key is absent, XADD the message and mark the id delivered for
/// the window (1); else nothing (0). KEYS: id key, stream; ARGV: window ms, id, message.
const APPEND_ONCE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('XADD', KEYS[2], '*', 'message_id', ARGV[2], 'message', ARGV[3])
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[1])
return 1
";

/// What [`RedisStore::append_once`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Appended {
    /// The message was added to the stream.
    Added,
    /// Its id was already delivered within the window: not added again.
    Duplicate,
}

struct Inner {
    connection: ConnectionManager,
    config: RedisStoreConfig,
    claim: Script,
    release: Script,
    append_once: Script,
}

/// De-duplication (and a durable sink) shared by several receivers through Redis. Cheap to
/// clone.
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // the URL may carry a password: not shown
        f.debug_struct("RedisStore")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://host:port/db`). It does not connect yet: the
    /// first call does, and every call after a failure reconnects, so a receiver can start
    /// while Redis is down. The error is a URL that cannot be read; its text never shows the
    /// URL (which may hold a password).
    pub fn new(url: &str, config: RedisStoreConfig) -> Result<Self, StoreError> {
        let client = Client::open(url)
            .map_err(|err| StoreError::new(format!("unusable Redis URL: {:?}", err.kind())))?;
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.timeout))
            .set_response_timeout(Some(config.timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_lazy_with_config(client, manager_config)
            .map_err(|err| StoreError::new(format!("cannot set up Redis: {:?}", err.kind())))?;
        Ok(RedisStore {
            inner: Arc::new(Inner {
                connection,
                config,
                claim: Script::new(CLAIM),
                release: Script::new(RELEASE),
                append_once: Script::new(APPEND_ONCE),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &RedisStoreConfig {
        &self.inner.config
    }

    fn key(&self, id: &str) -> String {
        format!("{}{id}", self.inner.config.key_prefix)
    }

    /// Runs one call within the deadline.
    async fn within<T>(
        &self,
        call: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.inner.config.timeout, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(StoreError::new(format!("Redis: {err}"))),
            Err(_) => Err(StoreError::new(format!(
                "Redis did not answer within {:?}",
                self.inner.config.timeout
            ))),
        }
    }

    /// Adds `message` to `stream` unless `id` was delivered within the window, and marks `id`
    /// delivered: one atomic step (a Lua script), one round trip. An empty `id` cannot be told
    /// apart from others and is always added.
    pub async fn append_once(
        &self,
        stream: &str,
        id: &str,
        message: &str,
    ) -> Result<Appended, StoreError> {
        let mut connection = self.inner.connection.clone();
        if id.is_empty() {
            let mut add = redis::cmd("XADD");
            add.arg(stream)
                .arg("*")
                .arg("message_id")
                .arg("")
                .arg("message")
                .arg(message);
            self.within(add.query_async::<redis::Value>(&mut connection))
                .await?;
            return Ok(Appended::Added);
        }
        let mut invocation = self.inner.append_once.prepare_invoke();
        invocation
            .key(self.key(id))
            .key(stream)
            .arg(millis(self.inner.config.window))
            .arg(id)
            .arg(message);
        let added: i64 = self
            .within(invocation.invoke_async(&mut connection))
            .await?;
        Ok(if added == 1 {
            Appended::Added
        } else {
            Appended::Duplicate
        })
    }

    /// Whether Redis answers `PING` within the deadline.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut connection = self.inner.connection.clone();
        let ping = redis::cmd("PING");
        self.within(ping.query_async::<String>(&mut connection))
            .await
            .map(drop)
    }
}

struct RedisTicket {
    store: Option<RedisStore>,
    key: String,
}

impl DeliveryTicket for RedisTicket {
    fn delivered(mut self: Box<Self>) -> BoxFuture<'static, Result<(), StoreError>> {
        let store = self.store.take();
        let key = std::mem::take(&mut self.key);
        async move {
            let Some(store) = store else {
                return Ok(());
            };
            let mut connection = store.inner.connection.clone();
            let mut set = redis::cmd("SET");
            set.arg(&key)
                .arg("done")
                .arg("PX")
                .arg(millis(store.inner.config.window));
            store
                .within(set.query_async::<redis::Value>(&mut connection))
                .await
                .map(drop)
        }
        .boxed()
    }
}

impl Drop for RedisTicket {
    fn drop(&mut self) {
        let Some(store) = self.store.take() else {
            return;
        };
        let key = std::mem::take(&mut self.key);
        // Released in the background; if that fails too, the lease expires by itself.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let mut connection = store.inner.connection.clone();
                let mut invocation = store.inner.release.prepare_invoke();
                invocation.key(&key);
                let _ = store
                    .within(invocation.invoke_async::<i64>(&mut connection))
                    .await;
            });
        }
    }
}

impl DedupStore for RedisStore {
    fn claim<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<StoreClaim, StoreError>> {
        async move {
            let key = self.key(id);
            let lease = self.inner.config.lease.min(self.inner.config.window);
            let mut connection = self.inner.connection.clone();
            let mut invocation = self.inner.claim.prepare_invoke();
            invocation.key(&key).arg(millis(lease));
            let found: i64 = self
                .within(invocation.invoke_async(&mut connection))
                .await?;
            Ok(match found {
                1 => StoreClaim::New(Box::new(RedisTicket {
                    store: Some(self.clone()),
                    key,
                })),
                2 => StoreClaim::Duplicate,
                _ => StoreClaim::InFlight(tokio::time::sleep(Duration::from_millis(20)).boxed()),
            })
        }
        .boxed()
    }

    fn in_flight_wait(&self) -> Option<Duration> {
        Some(self.inner.config.in_flight_wait)
    }
}
