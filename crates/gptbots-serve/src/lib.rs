#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod body;
mod limits;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt;

pub use body::{BodyTimeout, DeadlineBody};
pub use limits::{Limits, LimitsError};

/// The most an HTTP/1 connection's read buffer grows to (hyper's default is about 400 KiB):
/// a request head must fit in it, and under a flood of bodies it is what each connection holds
/// besides the bodies themselves.
const READ_BUFFER: usize = 64 * 1024;

/// How a [`serve`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stopped {
    /// Connections still busy when the grace period ended, and so cut.
    pub cut: usize,
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves; then stops
/// accepting, lets requests in progress finish within [`Limits::shutdown_grace`], cuts what
/// is left and returns.
///
/// Errors accepting a connection (the peer gave up, too many open files) do not end the
/// server: it waits a little and accepts again.
///
/// `limits` are used as given: check them with [`Limits::validate`] first (a zero timeout
/// would cut every request).
pub async fn serve<F>(listener: TcpListener, router: Router, limits: Limits, shutdown: F) -> Stopped
where
    F: Future<Output = ()> + Send,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(READ_BUFFER)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.max_concurrent_streams);
    let builder = Arc::new(builder);
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = Arc::clone(&open).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        while connections.try_join_next().is_some() {}
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                // EMFILE and friends: give the other connections time to close.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        connections.spawn(connection(
            Arc::clone(&builder),
            stream,
            router.clone(),
            limits,
            stopping.clone(),
            permit,
        ));
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    let cut = if drained.is_ok() {
        0
    } else {
        let cut = connections.len();
        connections.shutdown().await;
        cut
    };
    Stopped { cut }
}

/// What a connection is doing: how many requests are in progress and since when it has been
/// idle.
struct Activity {
    in_progress: AtomicUsize,
    idle_since: Mutex<Instant>,
    changed: Notify,
}

impl Activity {
    fn begin(self: &Arc<Self>) -> InProgress {
        self.in_progress.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_one();
        InProgress(Arc::clone(self))
    }

    /// When the connection will have been idle for `idle`, if it is idle now.
    fn idle_deadline(&self, idle: Duration) -> Option<Instant> {
        if self.in_progress.load(Ordering::SeqCst) > 0 {
            return None;
        }
        let since = *self
            .idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Some(since + idle)
    }
}

/// One request in progress; its end makes the connection idle again.
struct InProgress(Arc<Activity>);

impl Drop for InProgress {
    fn drop(&mut self) {
        *self
            .0
            .idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
        self.0.in_progress.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_one();
    }
}

async fn connection(
    builder: Arc<auto::Builder<TokioExecutor>>,
    stream: TcpStream,
    router: Router,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity {
        in_progress: AtomicUsize::new(0),
        idle_since: Mutex::new(Instant::now()),
        changed: Notify::new(),
    });
    let counted = Arc::clone(&activity);
    let body_deadline = limits.body_read_timeout;
    let service = hyper::service::service_fn(move |request: http::Request<Incoming>| {
        let in_progress = counted.begin();
        let request =
            request.map(|body| axum::body::Body::new(DeadlineBody::new(body, body_deadline)));
        let response = router.clone().oneshot(request);
        async move {
            let response = response.await;
            drop(in_progress);
            response
        }
    });
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        let idle_deadline = activity.idle_deadline(limits.idle_timeout);
        tokio::select! {
            _ = conn.as_mut() => break,
            _ = stopping.changed(), if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            () = sleep_until_some(idle_deadline), if !closing => {
                if activity
                    .idle_deadline(limits.idle_timeout)
                    .is_some_and(|deadline| deadline <= Instant::now())
                {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
            () = activity.changed.notified(), if !closing => {}
        }
    }
}

async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
