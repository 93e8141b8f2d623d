//! A whole-body deadline for request bodies.
//!
//! tower-http's `RequestBodyTimeout` restarts its clock on every chunk, so a body dripped a
//! byte at a time never times out; this one has a single deadline for the whole body.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep, sleep_until};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The error a request body ends with when it has not fully arrived by its deadline
/// ([`Limits::body_read_timeout`](crate::Limits::body_read_timeout)). A handler can look for it
/// in an error's `source()` chain to answer 408.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeout {
    /// The deadline that passed, counted from the end of the request's head.
    pub after: Duration,
}

impl fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the request body did not arrive within {:?}", self.after)
    }
}

impl std::error::Error for BodyTimeout {}

impl BodyTimeout {
    /// Whether `err` or one of its sources is a [`BodyTimeout`].
    pub fn is_in(err: &(dyn std::error::Error + 'static)) -> bool {
        let mut current = Some(err);
        while let Some(e) = current {
            if e.is::<BodyTimeout>() {
                return true;
            }
            current = e.source();
        }
        false
    }
}

/// A request body that fails with [`BodyTimeout`] once its deadline has passed.
pub struct DeadlineBody<B> {
    inner: Pin<Box<B>>,
    deadline: Pin<Box<Sleep>>,
    after: Duration,
    timed_out: bool,
}

impl<B> fmt::Debug for DeadlineBody<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeadlineBody")
            .field("after", &self.after)
            .finish_non_exhaustive()
    }
}

impl<B> DeadlineBody<B> {
    /// `inner`, which must have fully arrived `after` from now.
    pub fn new(inner: B, after: Duration) -> Self {
        DeadlineBody {
            inner: Box::pin(inner),
            deadline: Box::pin(sleep_until(Instant::now() + after)),
            after,
            timed_out: false,
        }
    }
}

impl<B> Body for DeadlineBody<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if self.timed_out {
            return Poll::Ready(None);
        }
        if let Poll::Ready(frame) = self.inner.as_mut().poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.timed_out = true;
            let after = self.after;
            return Poll::Ready(Some(Err(Box::new(BodyTimeout { after }))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.timed_out || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
