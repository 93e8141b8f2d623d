//! An in-process mock of the GPTBots conversation API, for tests, for SDK authors in other
//! languages and for CI without internet (in the spirit of stripe-mock).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use gptbots_mock::{MockConfig, MockServer};
//!
//! let server = MockServer::start(MockConfig::default()).await?; // 127.0.0.1, any free port
//! println!("mock at {} (API key: {})", server.url(), gptbots_mock::DEFAULT_API_KEY);
//! // ... point a client at server.url() ...
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # What it serves
//!
//! | endpoint | modes |
//! |---|---|
//! | `POST /v1/conversation` | create conversation |
//! | `POST /v2/conversation/message` | blocking, streaming, webhook |
//! | `POST /v1/conversation/message` | blocking, streaming, webhook |
//! | `GET /v2/messages` | conversation detail, from what was sent to this server |
//!
//! Conversations and their messages live in memory for the server's lifetime.
//!
//! # How it behaves where the docs say how
//!
//! - Every request needs `Authorization: Bearer {key}` with the configured key; a missing or
//!   wrong one is answered with code 40127. The key is never echoed.
//! - An unknown conversation is answered with 40356.
//! - A body that does not parse, or a request that breaks a documented rule (the protocol
//!   crate's `validate()`), is answered with 40000, and the message names the field by its
//!   JSON path: `parameter error at messages[0].role: unknown variant ...`.
//! - Errors are the `{"code", "message"}` body. The docs give no HTTP status for them; by
//!   default the mock sends a matching one (400, 401, 404, 500), and with
//!   [`ErrorStatus::AlwaysOk`] it sends 200, so that clients get tested against both.
//!
//! # Where the docs are silent: the mock's decisions
//!
//! - Streaming bodies are written by the protocol crate's `FrameEncoder` in the configured
//!   [`EncodeStyle`] (SSE by default), with `Content-Type` `text/event-stream` (SSE),
//!   `application/x-ndjson` (lines) or `application/json` (run together). With a chaos seed,
//!   the body is cut into chunks of random length (1 to 64 bytes, mostly under 8), the same
//!   cuts for the same seed and request order.
//! - Webhook mode: the send is acknowledged at once with HTTP 200 and
//!   `{"conversation_id": ..., "message_id": ...}` (the id the reply will carry); then the
//!   reply (the v2 blocking reply object, or the v1 reply for v1) is POSTed to the configured
//!   URL with the configured `Authorization` header, if any. Without a webhook URL the send is
//!   refused with 40000 naming `response_mode`.
//! - The blocking reply is the agent's frames put together by the protocol crate's
//!   `ReplyAssembler`, so it says exactly what the stream says. Credits are not computed
//!   (usage carries tokens only).
//! - Ids are 24 lower-case hex characters; `create_time` is Unix seconds of the mock's clock
//!   (milliseconds in conversation detail, as the upstream example shows).
//! - Unknown paths get HTTP 404 with a plain-text body (not a GPTBots error body).
#![warn(missing_docs)]

mod agent;
mod chaos;
mod routes;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gptbots_protocol::ApiKey;
use gptbots_protocol::conversation::ConversationMessage;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use agent::{
    Agent, AgentReply, AgentRequest, ApiVersion, AttachmentInfo, ECHO_COMPONENT, EchoAgent,
    ScriptedAgent,
};
pub use gptbots_protocol::stream::EncodeStyle;
/// The bounds the mock serves within (header, body and idle deadlines, caps, shutdown grace).
pub use gptbots_serve::Limits as ServeLimits;

/// The API key the mock accepts unless told otherwise. It is a published test value, not a
/// secret.
pub const DEFAULT_API_KEY: &str = "mock-api-key";

/// The address the mock listens on unless told otherwise: loopback, any free port.
pub const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0);

/// Which HTTP status an error body comes with (the docs do not say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ErrorStatus {
    /// A status that matches the code: 40000 → 400, 40127 → 401, 40356 → 404, 50000 → 500
    /// (others: 400 for 4xxxx codes, 500 otherwise).
    #[default]
    Matching,
    /// Always 200, with the error in the body only.
    AlwaysOk,
}

/// Where webhook mode delivers replies.
#[derive(Clone)]
#[non_exhaustive]
pub struct WebhookTarget {
    /// The URL the reply is POSTed to.
    pub url: String,
    /// The whole `Authorization` header value to send (`Bearer token`, `Basic ...`), if any.
    /// A secret: redacted in `Debug`.
    pub authorization: Option<ApiKey>,
}

impl WebhookTarget {
    /// A target without `Authorization`.
    pub fn new(url: impl Into<String>) -> Self {
        WebhookTarget {
            url: url.into(),
            authorization: None,
        }
    }

    /// This target with an `Authorization` header value (`Bearer token`).
    pub fn with_authorization(mut self, value: impl Into<String>) -> Self {
        self.authorization = Some(ApiKey::new(value));
        self
    }
}

impl fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookTarget")
            .field("url", &self.url)
            .field("authorization", &self.authorization.as_ref().map(|_| "***"))
            .finish()
    }
}

/// How a [`MockServer`] behaves. `Default`: loopback on any port, key [`DEFAULT_API_KEY`],
/// the echo agent, SSE, no chaos, no webhook, no delays.
#[derive(Clone)]
#[non_exhaustive]
pub struct MockConfig {
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    /// The API key requests must carry.
    pub api_key: ApiKey,
    /// The layout of streaming bodies.
    pub style: EncodeStyle,
    /// Cut streaming bodies at random byte boundaries, with this seed.
    pub chaos_seed: Option<u64>,
    /// Where webhook mode delivers replies.
    pub webhook: Option<WebhookTarget>,
    /// Who answers messages.
    pub agent: Arc<dyn Agent>,
    /// The HTTP status of error bodies.
    pub error_status: ErrorStatus,
    /// Wait this long before answering any request (for testing client timeouts).
    pub response_delay: Duration,
    /// Wait this long between the frames (or chaos chunks) of a stream, so that a person sees
    /// text arrive piece by piece.
    pub frame_interval: Duration,
    /// The bounds on connections: header, body and idle deadlines, connection and HTTP/2
    /// stream caps, the grace period of [`MockServer::shutdown`].
    pub limits: ServeLimits,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            addr: DEFAULT_ADDR,
            api_key: ApiKey::new(DEFAULT_API_KEY),
            style: EncodeStyle::Sse,
            chaos_seed: None,
            webhook: None,
            agent: Arc::new(EchoAgent),
            error_status: ErrorStatus::Matching,
            response_delay: Duration::ZERO,
            frame_interval: Duration::ZERO,
            limits: ServeLimits::DEFAULT,
        }
    }
}

impl fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockConfig")
            .field("addr", &self.addr)
            .field("api_key", &self.api_key)
            .field("style", &self.style)
            .field("chaos_seed", &self.chaos_seed)
            .field("webhook", &self.webhook)
            .field("error_status", &self.error_status)
            .field("response_delay", &self.response_delay)
            .field("frame_interval", &self.frame_interval)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl MockConfig {
    /// The default configuration.
    pub fn new() -> Self {
        MockConfig::default()
    }

    /// Listen here (port 0: any free port).
    pub fn with_addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Accept this API key instead of [`DEFAULT_API_KEY`].
    pub fn with_api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = key.into();
        self
    }

    /// Write streams in this style.
    pub fn with_style(mut self, style: EncodeStyle) -> Self {
        self.style = style;
        self
    }

    /// Cut streaming bodies at random byte boundaries chosen by this seed.
    pub fn with_chaos_seed(mut self, seed: u64) -> Self {
        self.chaos_seed = Some(seed);
        self
    }

    /// Deliver webhook-mode replies here.
    pub fn with_webhook(mut self, target: WebhookTarget) -> Self {
        self.webhook = Some(target);
        self
    }

    /// Answer messages with this agent.
    pub fn with_agent(mut self, agent: impl Agent) -> Self {
        self.agent = Arc::new(agent);
        self
    }

    /// Send error bodies with this kind of HTTP status.
    pub fn with_error_status(mut self, error_status: ErrorStatus) -> Self {
        self.error_status = error_status;
        self
    }

    /// Wait this long before answering any request.
    pub fn with_response_delay(mut self, delay: Duration) -> Self {
        self.response_delay = delay;
        self
    }

    /// Wait this long between the pieces of a stream.
    pub fn with_frame_interval(mut self, interval: Duration) -> Self {
        self.frame_interval = interval;
        self
    }

    /// Serve within these bounds instead of [`ServeLimits::DEFAULT`].
    pub fn with_limits(mut self, limits: ServeLimits) -> Self {
        self.limits = limits;
        self
    }
}

/// The outcome of one webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The reply's message id.
    pub message_id: String,
    /// The receiver's HTTP status, or why the POST failed.
    pub outcome: Result<u16, String>,
}

/// How many webhook outcomes the server remembers (the most recent ones).
const WEBHOOK_LOG_LIMIT: usize = 100;

pub(crate) struct Conversation {
    pub(crate) messages: Vec<ConversationMessage>,
}

pub(crate) struct State {
    pub(crate) config: MockConfig,
    pub(crate) conversations: Mutex<HashMap<String, Conversation>>,
    pub(crate) ids: AtomicU64,
    pub(crate) streams: AtomicU64,
    pub(crate) webhook_log: Mutex<Vec<WebhookDelivery>>,
    pub(crate) http: reqwest::Client,
}

impl State {
    pub(crate) fn log_delivery(&self, delivery: WebhookDelivery) {
        let mut log = match self.webhook_log.lock() {
            Ok(log) => log,
            Err(poisoned) => poisoned.into_inner(),
        };
        if log.len() >= WEBHOOK_LOG_LIMIT {
            log.remove(0);
        }
        log.push(delivery);
    }
}

/// A running mock server. Dropping it stops the server too; [`shutdown`](Self::shutdown)
/// stops it and waits until it has.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<gptbots_serve::Stopped>>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Binds `config.addr` and serves in a background task of the current tokio runtime.
    pub async fn start(config: MockConfig) -> std::io::Result<MockServer> {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?;
        let state = Arc::new(State {
            config,
            conversations: Mutex::new(HashMap::new()),
            ids: AtomicU64::new(0),
            streams: AtomicU64::new(0),
            webhook_log: Mutex::new(Vec::new()),
            http,
        });
        let limits = state.config.limits;
        limits.validate().map_err(std::io::Error::other)?;
        let app = routes::router(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        // every connection bounded: a slow or stalled client cannot hold one for good
        let task = tokio::spawn(gptbots_serve::serve(listener, app, limits, async move {
            let _ = stopped.await;
        }));
        Ok(MockServer {
            addr,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL: `http://{addr}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The API key it accepts.
    pub fn api_key(&self) -> &ApiKey {
        &self.state.config.api_key
    }

    /// The outcomes of the latest webhook deliveries (at most 100), oldest first.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        match self.state.webhook_log.lock() {
            Ok(log) => log.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// How many conversations it holds.
    pub fn conversation_count(&self) -> usize {
        match self.state.conversations.lock() {
            Ok(map) => map.len(),
            Err(poisoned) => poisoned.into_inner().len(),
        }
    }

    /// Stops accepting connections, lets open requests finish, and waits for that, at most
    /// the grace period of [`MockConfig::limits`]; what is still open then is cut.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
