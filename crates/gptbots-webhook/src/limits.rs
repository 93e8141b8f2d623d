//! What one request may cost: the body limit, the byte budget of all bodies being read at
//! once, the length of a message id; and reading a body within them.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use gptbots_serve::BodyTimeout;
use http_body::Body;
use http_body_util::BodyExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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

/// The bytes of all bodies being read at once, shared by the clones of a receiver: each
/// request takes from it what it has received and gives it back when it is answered. Past
/// it a request is answered 503 with `Retry-After` at once; nothing waits in a queue.
#[derive(Debug, Clone)]
pub struct BodyBudget {
    bytes: usize,
    permits: Arc<Semaphore>,
}

impl BodyBudget {
    /// A budget of `bytes`.
    pub fn new(bytes: usize) -> Self {
        let bytes = bytes.min(Semaphore::MAX_PERMITS);
        BodyBudget {
            bytes,
            permits: Arc::new(Semaphore::new(bytes)),
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
}

/// Bytes taken from a [`BodyBudget`]; given back when dropped.
#[derive(Debug, Default)]
pub struct Held(Option<OwnedSemaphorePermit>);

impl Held {
    /// How many bytes.
    pub fn bytes(&self) -> usize {
        self.0.as_ref().map_or(0, OwnedSemaphorePermit::num_permits)
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

/// [`read_body`], taking every byte received from `budget` as well (503 with `Retry-After`
/// when it runs out). The bytes stay taken until the returned [`Held`] is dropped.
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
    let mut held = Held::default();
    while let Some(frame) = body.frame().await {
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
        let permit = Arc::clone(&budget.permits)
            .try_acquire_many_owned(n)
            .map_err(|_| over_budget(budget))?;
        match &mut held.0 {
            Some(taken) => taken.merge(permit),
            None => held.0 = Some(permit),
        }
        buf.put(data);
    }
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
