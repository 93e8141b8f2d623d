//! The axum binding: a [`Router`] with the reply webhook and the hand-off paths, to serve as
//! it is or to merge into an application's own router.

use std::fmt;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use gptbots_protocol::webhook::WebhookMessage;

use crate::answer::{Answer, Outcome};
use crate::callback::Callback;
use crate::config::{ConfigError, ReceiverConfig};
use crate::receive::{HandoffEvent, HandoffKind, Receiver};

/// One request's outcome, as an observer sees it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Event<'a> {
    /// The path the request came to.
    pub path: &'a str,
    /// What became of it.
    pub outcome: &'a Outcome,
}

type ObserverFn = dyn Fn(&Event<'_>) + Send + Sync;

/// A route that cannot be mounted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteError {
    /// The offending path.
    pub path: String,
    /// Why.
    pub reason: &'static str,
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot mount `{}`: {}", self.path, self.reason)
    }
}

impl std::error::Error for RouteError {}

/// Builds the axum [`Router`] of a webhook receiver.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use gptbots_webhook::{Auth, Callback, ReceiverConfig, Webhooks};
/// use gptbots_protocol::WebhookMessage;
///
/// let app = Webhooks::try_new(ReceiverConfig::new().with_auth(Auth::bearer("token")))?
///     .replies("/gptbots", Callback::from_fn(|message: WebhookMessage| async move {
///         println!("{:?}", message.message_id());
///         Ok::<(), std::io::Error>(())
///     }))
///     .into_router()?;
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8788").await?;
/// // every connection bounded (header, body and idle deadlines, caps); stops on Ctrl-C
/// let shutdown = async { let _ = tokio::signal::ctrl_c().await; };
/// gptbots_webhook::serve(listener, app, gptbots_webhook::ServeLimits::DEFAULT, shutdown).await;
/// # Ok(()) }
/// ```
pub struct Webhooks {
    receiver: Receiver,
    replies: Option<(String, Callback<WebhookMessage>)>,
    handoff: Option<(String, Callback<HandoffEvent>)>,
    observer: Option<Arc<ObserverFn>>,
}

impl fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhooks")
            .field("receiver", &self.receiver)
            .field("replies", &self.replies.as_ref().map(|(path, _)| path))
            .field("handoff", &self.handoff.as_ref().map(|(base, _)| base))
            .finish_non_exhaustive()
    }
}

impl Webhooks {
    /// A receiver with this configuration, as given, and no routes yet (see
    /// [`try_new`](Self::try_new) for one that is checked first).
    pub fn new(config: ReceiverConfig) -> Self {
        Webhooks::from_receiver(Receiver::new(config))
    }

    /// A receiver with this configuration and no routes yet, once
    /// [`ReceiverConfig::validate`] found nothing wrong with it (an empty token, white space
    /// around it, a zero body limit).
    pub fn try_new(config: ReceiverConfig) -> Result<Self, ConfigError> {
        Ok(Webhooks::from_receiver(Receiver::try_new(config)?))
    }

    /// Routes over an existing receiver (sharing its memory of delivered ids).
    pub fn from_receiver(receiver: Receiver) -> Self {
        Webhooks {
            receiver,
            replies: None,
            handoff: None,
            observer: None,
        }
    }

    /// Receives reply webhooks (v2, v1, probes) at `path` (e.g. `/`).
    pub fn replies(mut self, path: impl Into<String>, callback: Callback<WebhookMessage>) -> Self {
        self.replies = Some((path.into(), callback));
        self
    }

    /// Receives the three hand-off calls at `{base}/conversation/establish`, `{base}/chat` and
    /// `{base}/conversation/close`; `base` is `""` for the documented paths themselves.
    pub fn handoff(mut self, base: impl Into<String>, callback: Callback<HandoffEvent>) -> Self {
        self.handoff = Some((base.into(), callback));
        self
    }

    /// Calls `observer` with every request's outcome (delivered, probe, duplicate, refused),
    /// after the answer is decided. For logs and metrics; it should not block.
    pub fn observe(mut self, observer: impl Fn(&Event<'_>) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// The router, or an error if a path is not usable (not starting with `/`, containing
    /// `{` or `}`, or mounted twice).
    pub fn into_router(self) -> Result<Router, RouteError> {
        let mut router = Router::new();
        let mut mounted: Vec<String> = Vec::new();
        let mut claim = |path: &str| -> Result<(), RouteError> {
            check_path(path)?;
            if mounted.iter().any(|p| p == path) {
                return Err(RouteError {
                    path: path.to_owned(),
                    reason: "mounted twice",
                });
            }
            mounted.push(path.to_owned());
            Ok(())
        };
        if let Some((path, callback)) = self.replies {
            claim(&path)?;
            let receiver = self.receiver.clone();
            let observer = self.observer.clone();
            let route_path: Arc<str> = Arc::from(path.as_str());
            router = router.route(
                &path,
                any(move |request: Request| {
                    let receiver = receiver.clone();
                    let callback = callback.clone();
                    let observer = observer.clone();
                    let route_path = Arc::clone(&route_path);
                    async move {
                        let answer = receiver.handle_reply(request, &callback).await;
                        finish(&route_path, observer.as_deref(), answer)
                    }
                }),
            );
        }
        if let Some((base, callback)) = self.handoff {
            let base = base.trim_end_matches('/');
            if !base.is_empty() {
                check_path(base)?;
            }
            for kind in HandoffKind::ALL {
                let path = format!("{base}{}", kind.path());
                claim(&path)?;
                let receiver = self.receiver.clone();
                let observer = self.observer.clone();
                let callback = callback.clone();
                let route_path: Arc<str> = Arc::from(path.as_str());
                router = router.route(
                    &path,
                    any(move |request: Request| {
                        let receiver = receiver.clone();
                        let callback = callback.clone();
                        let observer = observer.clone();
                        let route_path = Arc::clone(&route_path);
                        async move {
                            let answer = receiver.handle_handoff(kind, request, &callback).await;
                            finish(&route_path, observer.as_deref(), answer)
                        }
                    }),
                );
            }
        }
        Ok(router)
    }
}

fn finish(path: &str, observer: Option<&ObserverFn>, answer: Answer) -> Response {
    if let Some(observer) = observer {
        observer(&Event {
            path,
            outcome: &answer.outcome,
        });
    }
    answer.into_response().into_response()
}

fn check_path(path: &str) -> Result<(), RouteError> {
    let reason = if !path.starts_with('/') {
        "a path starts with `/`"
    } else if path.contains(['{', '}']) {
        "a path cannot contain `{` or `}`"
    } else if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        "a path cannot contain white space"
    } else {
        return Ok(());
    };
    Err(RouteError {
        path: path.to_owned(),
        reason,
    })
}
