//! What receives the accepted messages: an async function or a channel.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::mpsc;

/// Any error a callback returns; its text goes to the observer, never to the sender.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The error a callback returns when it cannot take a message *now* (its queue is full): the
/// sender gets 503 with `Retry-After` instead of 500, and the message is not remembered as
/// delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    /// Sent as `Retry-After`.
    pub retry_after: Duration,
}

impl fmt::Display for Busy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "busy: retry after {:?}", self.retry_after)
    }
}

impl std::error::Error for Busy {}

type CallbackFn<M> = dyn Fn(M) -> BoxFuture<'static, Result<(), BoxError>> + Send + Sync;

/// Receives each accepted message of type `M`.
///
/// The receiver acknowledges a message only once the callback has returned `Ok`; an `Err`
/// answers 500, so that GPTBots can deliver it again.
pub struct Callback<M> {
    f: Arc<CallbackFn<M>>,
}

impl<M> Clone for Callback<M> {
    fn clone(&self) -> Self {
        Callback {
            f: Arc::clone(&self.f),
        }
    }
}

impl<M> fmt::Debug for Callback<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Callback")
    }
}

impl<M: Send + 'static> Callback<M> {
    /// An async function: the message is accepted when the future resolves to `Ok`.
    pub fn from_fn<F, Fut, E>(f: F) -> Self
    where
        F: Fn(M) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        Callback {
            f: Arc::new(move |message| {
                let fut = f(message);
                Box::pin(async move { fut.await.map_err(Into::into) })
            }),
        }
    }

    /// A bounded channel: the message is accepted once it is queued in the channel (the
    /// request waits while the channel is full); a closed channel answers 500.
    ///
    /// Queued is as far as the receiver can see: a message queued and then lost by the
    /// application is not redelivered. Use [`from_fn`](Self::from_fn) to acknowledge only
    /// after your own processing.
    pub fn channel(sender: mpsc::Sender<M>) -> Self {
        Callback::from_fn(move |message| {
            let sender = sender.clone();
            async move {
                sender
                    .send(message)
                    .await
                    .map_err(|_| BoxError::from("the channel's receiver was dropped"))
            }
        })
    }

    /// Hands one message over.
    pub fn call(&self, message: M) -> BoxFuture<'static, Result<(), BoxError>> {
        (self.f)(message)
    }
}
