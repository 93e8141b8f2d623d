//! What one request may cost: the body limit, the byte budget of all bodies being read at
//! once, the length of a message id; and reading a body within them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use gptbots_serve::BodyTimeout;
use http_body::Body;
use http_body_util::BodyExt;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use crate::answer::{Refusal, RefusalKind};
use crate::callback::BoxError;
use crate::checks::too_large;

/// The default body limit: 4 MiB. Replies carry audio as URLs, so a real body is a few KiB;
/// the margin is for long texts and many outputs.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The default byte budget of all bodies being read at once: 64 MiB (16 bodies at the
/// default limit, thousands of real ones).
pub const DEFAULT_BODY_BUDGET: usize = 64 * 1024 * 1024;

/// The longest `message_id` accepted, in bytes; a longer one is refused with 400. GPTBots'
/// ids are 24 hexadecimal characters; the bound keeps the memory of delivered ids small.
pub const MAX_MESSAGE_ID_LEN: usize = 256;

/// How long a sender refused for lack of budget is asked to wait (`Retry-After`).
pub const BUDGET_RETRY_AFTER: Duration = Duration::from_secs(1);

/// A body that has received nothing for this long while the budget is short is *stalled*: it
/// is cut (408) to make room for a request whose bytes are arriving.
pub const STALLED_AFTER: Duration = Duration::from_secs(1);

/// The bytes of all bodies being read at once, shared by the clones of a receiver: each
/// request takes from it what it has received and gives it back when it is answered.
///
/// When a body's next bytes do not fit, the bodies that have received nothing for
/// [`STALLED_AFTER`] are cut (408), the longest-stalled first, until they do; if that is not
/// enough, the request is answered 503 with `Retry-After` at once. Nothing waits in a queue.
#[derive(Debug, Clone)]
pub struct BodyBudget {
    bytes: usize,
    permits: Arc<Semaphore>,
    readers: Arc<Mutex<Readers>>,
}

#[derive(Debug, Default)]
struct Readers {
    next: u64,
    by_id: HashMap<u64, Reader>,
}

#[derive(Debug)]
struct Reader {
    /// When its last bytes arrived (or it started).
    progress: Instant,
    /// Still reading its body (only those can be cut).
    reading: bool,
    /// The bytes it holds; dropped with the entry.
    taken: Option<OwnedSemaphorePermit>,
    /// Told when it is cut.
    cut: Arc<Notify>,
}

impl BodyBudget {
    /// A budget of `bytes`.
    pub fn new(bytes: usize) -> Self {
        let bytes = bytes.min(Semaphore::MAX_PERMITS);
        BodyBudget {
            bytes,
            permits: Arc::new(Semaphore::new(bytes)),
            readers: Arc::default(),
        }
    }

    /// The whole budget.
    pub fn total(&self) -> usize {
        self.bytes
    }

    /// What is not taken now.
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    fn lock(&self) -> MutexGuard<'_, Readers> {
        self.readers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn enter(&self) -> (Held, Arc<Notify>) {
        let cut = Arc::new(Notify::new());
        let mut readers = self.lock();
        let id = readers.next;
        readers.next = readers.next.wrapping_add(1);
        readers.by_id.insert(
            id,
            Reader {
                progress: Instant::now(),
                reading: true,
                taken: None,
                cut: Arc::clone(&cut),
            },
        );
        drop(readers);
        let held = Held(Some(Entry {
            id,
            readers: Arc::clone(&self.readers),
        }));
        (held, cut)
    }

    /// Takes `n` more bytes for reader `id`, cutting stalled readers if that makes them fit.
    fn take(&self, id: u64, n: u32) -> Result<(), Taking> {
        let permit = match Arc::clone(&self.permits).try_acquire_many_owned(n) {
            Ok(permit) => permit,
            Err(_) => {
                self.cut_stalled(id, n as usize);
                Arc::clone(&self.permits)
                    .try_acquire_many_owned(n)
                    .map_err(|_| Taking::OverBudget)?
            }
        };
        let mut readers = self.lock();
        let Some(reader) = readers.by_id.get_mut(&id) else {
            return Err(Taking::Cut); // cut meanwhile; `permit` goes back
        };
        reader.progress = Instant::now();
        match &mut reader.taken {
            Some(taken) => taken.merge(permit),
            None => reader.taken = Some(permit),
        }
        Ok(())
    }

    /// Cuts readers other than `id` that are stalled, longest-stalled first, until `need`
    /// bytes are free or none is left.
    fn cut_stalled(&self, id: u64, need: usize) {
        let now = Instant::now();
        let mut readers = self.lock();
        let mut stalled: Vec<(Instant, u64)> = readers
            .by_id
            .iter()
            .filter(|(other, r)| {
                **other != id
                    && r.reading
                    && r.taken.is_some()
                    && now.saturating_duration_since(r.progress) >= STALLED_AFTER
            })
            .map(|(other, r)| (r.progress, *other))
            .collect();
        stalled.sort_unstable();
        for (_, other) in stalled {
            if self.permits.available_permits() >= need {
                break;
            }
            if let Some(reader) = readers.by_id.remove(&other) {
                reader.cut.notify_one();
                // its bytes go back to the budget here, as `reader.taken` drops
            }
        }
    }
}

enum Taking {
    OverBudget,
    Cut,
}

/// Bytes taken from a [`BodyBudget`]; given back when dropped.
#[derive(Debug, Default)]
pub struct Held(Option<Entry>);

#[derive(Debug)]
struct Entry {
    id: u64,
    readers: Arc<Mutex<Readers>>,
}

impl Held {
    /// How many bytes.
    pub fn bytes(&self) -> usize {
        let Some(entry) = &self.0 else {
            return 0;
        };
        let readers = entry.readers.lock().unwrap_or_else(PoisonError::into_inner);
        readers
            .by_id
            .get(&entry.id)
            .and_then(|r| r.taken.as_ref())
            .map_or(0, OwnedSemaphorePermit::num_permits)
    }

    fn done_reading(&self) {
        if let Some(entry) = &self.0 {
            let mut readers = entry.readers.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(reader) = readers.by_id.get_mut(&entry.id) {
                reader.reading = false;
            }
        }
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        let mut readers = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        readers.by_id.remove(&self.id);
    }
}

fn over_budget(budget: &BodyBudget) -> Refusal {
    Refusal::new(
        RefusalKind::Unavailable,
        format!(
            "too many request bodies in progress (over {} bytes together); retry later",
            budget.total()
        ),
    )
    .with_retry_after(BUDGET_RETRY_AFTER)
}

fn cut_for_room() -> Refusal {
    Refusal::new(
        RefusalKind::RequestTimeout,
        "the body stalled while other requests needed room; send it again",
    )
}

/// Reads a body, stopping with 413 as soon as it passes `limit` bytes (whatever
/// `Content-Length` said); a body that fails to arrive is a 400, one cut by the server's body
/// deadline ([`BodyTimeout`]) a 408.
pub async fn read_body<B>(body: B, limit: usize) -> Result<Bytes, Refusal>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    let budget = BodyBudget::new(limit);
    read_body_within(body, limit, &budget)
        .await
        .map(|(bytes, _)| bytes)
}

/// [`read_body`], taking every byte received from `budget` as well (see [`BodyBudget`] for
/// what happens when it runs short: stalled bodies cut with 408, else 503 with
/// `Retry-After`). The bytes stay taken until the returned [`Held`] is dropped.
pub async fn read_body_within<B>(
    body: B,
    limit: usize,
    budget: &BodyBudget,
) -> Result<(Bytes, Held), Refusal>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    if body.size_hint().lower() > limit as u64 {
        return Err(too_large(limit));
    }
    let mut body = std::pin::pin!(body);
    let mut buf = BytesMut::new();
    let (held, cut) = budget.enter();
    let id = held.0.as_ref().map_or(0, |entry| entry.id);
    loop {
        let frame = tokio::select! {
            biased;
            () = cut.notified() => return Err(cut_for_room()),
            frame = body.frame() => frame,
        };
        let Some(frame) = frame else {
            break;
        };
        let frame = frame.map_err(|err| unreadable(&err.into()))?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        let len = data.remaining();
        if len == 0 {
            continue;
        }
        if buf.len().saturating_add(len) > limit {
            return Err(too_large(limit));
        }
        let n = u32::try_from(len).map_err(|_| too_large(limit))?;
        match budget.take(id, n) {
            Ok(()) => {}
            Err(Taking::OverBudget) => return Err(over_budget(budget)),
            Err(Taking::Cut) => return Err(cut_for_room()),
        }
        buf.put(data);
    }
    held.done_reading();
    Ok((buf.freeze(), held))
}

fn unreadable(err: &BoxError) -> Refusal {
    if BodyTimeout::is_in(err.as_ref()) {
        Refusal::new(
            RefusalKind::RequestTimeout,
            "the body did not arrive in time",
        )
    } else {
        Refusal::new(
            RefusalKind::BadRequest,
            format!("could not read the body: {err}"),
        )
    }
}
