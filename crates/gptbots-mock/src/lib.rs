#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod agent;
mod chaos;
mod delivery;
mod handoff;
mod routes;
mod state;
mod store;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use gptbots_protocol::{ApiKey, SecretString};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use agent::{
    Agent, AgentReply, AgentRequest, ApiVersion, AttachmentInfo, ECHO_COMPONENT, EchoAgent,
    ScriptedAgent,
};
pub use delivery::WebhookDelivery;
/// The scheme of the `Authorization` header webhook POSTs carry (the protocol crate's type).
pub use gptbots_protocol::endpoint::Scheme;
pub use gptbots_protocol::stream::EncodeStyle;
pub use handoff::{DEFAULT_HANDOFF_TIMEOUT, HUMAN_COMPONENT, HandoffTarget};

use state::State;

/// How many conversations the mock keeps unless told otherwise; past it, the oldest is
/// forgotten.
pub const DEFAULT_MAX_CONVERSATIONS: usize = 10_000;
/// How many messages the mock keeps per conversation unless told otherwise (the latest).
pub const DEFAULT_MAX_MESSAGES: usize = 1_000;
/// The largest request body the mock reads unless told otherwise (a document of 20 MB, in
/// base64, fits).
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// How many bytes of messages (as JSON) the mock keeps in all unless told otherwise; past it,
/// the oldest conversations are forgotten.
pub const DEFAULT_MAX_STORED_BYTES: usize = 64 * 1024 * 1024;
/// Webhook deliveries in flight at once, unless told otherwise.
pub const DEFAULT_WEBHOOK_CONCURRENCY: usize = 8;
/// Webhook deliveries waiting for their turn, unless told otherwise; past it a delivery fails
/// at once (and is reported).
pub const DEFAULT_WEBHOOK_QUEUE: usize = 256;
/// The longest one webhook POST may take, unless told otherwise.
pub const DEFAULT_WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);
/// How many times a failed webhook POST is tried again, unless told otherwise.
pub const DEFAULT_WEBHOOK_RETRIES: u32 = 2;

/// Called with each webhook delivery that failed in the end.
pub type DeliveryFailureHook = Arc<dyn Fn(&WebhookDelivery) + Send + Sync>;

/// The `bot_id` of the mock's agent (agent information, hand-off establish, conversation
/// list).
pub const MOCK_BOT_ID: &str = "6d6f636b0000000000000001";
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

/// Where webhook mode delivers replies, and how hard it tries.
#[derive(Clone)]
#[non_exhaustive]
pub struct WebhookTarget {
    /// The URL the reply is POSTed to.
    pub url: String,
    /// The scheme of the `Authorization` header sent with [`token`](Self::token).
    pub scheme: Scheme,
    /// The token the POSTs carry as `Authorization: {scheme} {token}`, if any (the token
    /// alone, as set in the GPTBots console, not the whole header). A secret: redacted in
    /// `Debug`.
    pub token: Option<SecretString>,
    /// Deliveries in flight at once (at least 1).
    pub concurrency: usize,
    /// Deliveries waiting for their turn; past it a delivery fails at once.
    pub queue: usize,
    /// The longest one POST may take, from connecting to the end of the answer.
    pub timeout: Duration,
    /// How many times a POST that failed (no answer, or a 5xx, 408 or 429) is tried again,
    /// after 250 ms, then 500 ms, and so on.
    pub retries: u32,
}

impl WebhookTarget {
    /// A target without `Authorization`, with the default bounds.
    pub fn new(url: impl Into<String>) -> Self {
        WebhookTarget {
            url: url.into(),
            scheme: Scheme::Bearer,
            token: None,
            concurrency: DEFAULT_WEBHOOK_CONCURRENCY,
            queue: DEFAULT_WEBHOOK_QUEUE,
            timeout: DEFAULT_WEBHOOK_TIMEOUT,
            retries: DEFAULT_WEBHOOK_RETRIES,
        }
    }

    /// The URL with its user information (`user:password@`) shown as `***@`.
    pub fn redacted_url(&self) -> String {
        gptbots_protocol::endpoint::redact_url(&self.url)
    }

    /// This target with at most this many deliveries in flight at once.
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// This target with at most this many deliveries waiting.
    pub fn with_queue(mut self, queue: usize) -> Self {
        self.queue = queue;
        self
    }

    /// This target with another timeout for each POST.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// This target with another number of retries.
    pub fn with_retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// This target with `Authorization: {scheme} {token}` on every POST.
    pub fn with_token(mut self, scheme: Scheme, token: impl Into<SecretString>) -> Self {
        self.scheme = scheme;
        self.token = Some(token.into());
        self
    }
}

impl fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookTarget")
            .field("url", &gptbots_protocol::endpoint::redact_url(&self.url))
            .field("scheme", &self.scheme)
            .field("token", &self.token)
            .field("concurrency", &self.concurrency)
            .field("queue", &self.queue)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .finish()
    }
}

/// How a [`MockServer`] behaves. `Default`: loopback on any port, key [`DEFAULT_API_KEY`],
/// the echo agent, SSE, no chaos, no webhook, no delays, random ids, the default bounds.
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
    /// The seed of the ids: the same seed gives the same ids in the same order (for tests);
    /// `None` (the default) gives ids that differ from run to run.
    pub seed: Option<u64>,
    /// The most conversations kept; creating one more forgets the oldest (at least 1).
    pub max_conversations: usize,
    /// The most messages kept per conversation; the oldest go first (at least 2).
    pub max_messages_per_conversation: usize,
    /// The largest request body read; a larger one is answered with HTTP 413 and code 40000.
    pub max_body_bytes: usize,
    /// The most bytes of messages (as JSON) kept in all; past it the oldest conversations are
    /// forgotten (and, for the last one left, its oldest messages).
    pub max_stored_bytes: usize,
    /// Called with each webhook delivery that failed in the end (besides
    /// [`MockServer::webhook_deliveries`]).
    pub on_delivery_failure: Option<DeliveryFailureHook>,
    /// Simulate human hand-offs (webhook mode only): see [`HandoffTarget`].
    pub handoff: Option<HandoffTarget>,
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
            seed: None,
            max_conversations: DEFAULT_MAX_CONVERSATIONS,
            max_messages_per_conversation: DEFAULT_MAX_MESSAGES,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_stored_bytes: DEFAULT_MAX_STORED_BYTES,
            on_delivery_failure: None,
            handoff: None,
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
            .field("seed", &self.seed)
            .field("max_conversations", &self.max_conversations)
            .field(
                "max_messages_per_conversation",
                &self.max_messages_per_conversation,
            )
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_stored_bytes", &self.max_stored_bytes)
            .field("on_delivery_failure", &self.on_delivery_failure.is_some())
            .field("handoff", &self.handoff)
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

    /// Make ids from this seed: the same sequence on every run.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Keep at most this many conversations (at least 1).
    pub fn with_max_conversations(mut self, max: usize) -> Self {
        self.max_conversations = max.max(1);
        self
    }

    /// Keep at most this many messages per conversation (at least 2: a question and its
    /// answer).
    pub fn with_max_messages_per_conversation(mut self, max: usize) -> Self {
        self.max_messages_per_conversation = max.max(2);
        self
    }

    /// Read request bodies of at most this many bytes.
    pub fn with_max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// Keep at most this many bytes of messages in all.
    pub fn with_max_stored_bytes(mut self, max: usize) -> Self {
        self.max_stored_bytes = max;
        self
    }

    /// Call `hook` with each webhook delivery that failed in the end (after its retries), from
    /// the delivering task: keep it quick.
    pub fn with_delivery_failure_hook(
        mut self,
        hook: impl Fn(&WebhookDelivery) + Send + Sync + 'static,
    ) -> Self {
        self.on_delivery_failure = Some(Arc::new(hook));
        self
    }

    /// Simulate human hand-offs in webhook mode: a user message equal to the target's trigger
    /// hands the conversation to the developer's hand-off webhooks.
    pub fn with_handoff(mut self, handoff: HandoffTarget) -> Self {
        self.handoff = Some(handoff);
        self
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
        let state = Arc::new(State::new(config)?);
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
        self.state.deliveries.log()
    }

    /// How many conversations it holds.
    pub fn conversation_count(&self) -> usize {
        self.state.store().len()
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
