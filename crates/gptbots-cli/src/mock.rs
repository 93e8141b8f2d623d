//! `gptbots mock`: run the embedded GPTBots mock server until interrupted.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use gptbots_mock::{
    DEFAULT_API_KEY, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONVERSATIONS, DEFAULT_MAX_MESSAGES,
    EncodeStyle, HandoffTarget, MockConfig, MockServer, Scheme, ServeLimits, WebhookTarget,
};
use gptbots_protocol::SecretString;

use crate::terminal;

/// The layout of streaming replies: the protocol crate's [`EncodeStyle`], which lives in its
/// stream module and has no `clap::ValueEnum` of its own, so the three choices are listed here.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Style {
    /// Server-sent events: `data: {json}` lines.
    Sse,
    /// One JSON object a line.
    Lines,
    /// JSON objects run together.
    Joined,
}

impl Style {
    /// The name given on the command line.
    fn name(self) -> String {
        clap::ValueEnum::to_possible_value(&self)
            .map(|value| value.get_name().to_owned())
            .unwrap_or_default()
    }
}

impl From<Style> for EncodeStyle {
    fn from(style: Style) -> Self {
        match style {
            Style::Sse => EncodeStyle::Sse,
            Style::Lines => EncodeStyle::Lines,
            Style::Joined => EncodeStyle::Joined,
        }
    }
}

/// Serve a mock of the GPTBots API (echo agent, conversations in memory) until Ctrl-C.
#[derive(Debug, clap::Args)]
pub struct MockArgs {
    /// The address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// The API key requests must carry as `Authorization: Bearer KEY` [default: mock-api-key].
    #[arg(
        long,
        value_name = "KEY",
        env = "GPTBOTS_MOCK_API_KEY",
        hide_env_values = true
    )]
    api_key: Option<SecretString>,
    /// The layout of streaming replies.
    #[arg(long, value_enum, default_value = "sse")]
    style: Style,
    /// Cut streaming replies at random byte boundaries chosen by this seed (hostile chunking).
    #[arg(long, value_name = "N")]
    chaos_seed: Option<u64>,
    /// In webhook mode, POST each reply to this URL.
    #[arg(long, value_name = "URL")]
    webhook_url: Option<String>,
    /// The token the webhook POSTs carry, as `Authorization: <scheme> TOKEN` (the token alone,
    /// as `webhook listen --token` takes it). Also read from GPTBOTS_MOCK_WEBHOOK_TOKEN, which
    /// keeps it out of the process list.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "GPTBOTS_MOCK_WEBHOOK_TOKEN",
        hide_env_values = true,
        requires = "webhook_url"
    )]
    webhook_token: Option<SecretString>,
    /// The scheme of the webhook POSTs' Authorization header.
    #[arg(long, value_enum, default_value = "bearer", requires = "webhook_token")]
    webhook_scheme: Scheme,
    /// Keep at most N conversations; creating one more forgets the oldest.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONVERSATIONS)]
    max_conversations: usize,
    /// Keep at most N messages per conversation (the latest).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_MESSAGES)]
    max_messages: usize,
    /// Refuse request bodies larger than N bytes (HTTP 413, code 40000).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Make ids from this seed (the same ids on every run) instead of at random.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Simulate human hand-offs: the developer's hand-off base URL, to which
    /// /conversation/establish, /chat and /conversation/close are appended (needs
    /// --webhook-url and --handoff-trigger).
    #[arg(long, value_name = "URL", requires_all = ["webhook_url", "handoff_trigger"])]
    handoff_url: Option<String>,
    /// A webhook-mode user message with exactly this text opens a hand-off.
    #[arg(long, value_name = "TEXT", requires = "handoff_url")]
    handoff_trigger: Option<String>,
    /// End a hand-off with TIMEOUT when no human reply comes within this many seconds.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 60,
        requires = "handoff_url"
    )]
    handoff_timeout: u64,
    /// Seconds a client has to send a request's headers.
    #[arg(long, value_name = "SECS", value_parser = crate::webhook::seconds, default_value = "10")]
    header_timeout: Duration,
    /// Seconds a request's whole body has to arrive.
    #[arg(long, value_name = "SECS", value_parser = crate::webhook::seconds, default_value = "30")]
    body_timeout: Duration,
    /// Seconds a connection with no request in progress is kept open.
    #[arg(long, value_name = "SECS", value_parser = crate::webhook::seconds, default_value = "60")]
    idle_timeout: Duration,
}

impl MockArgs {
    /// Runs the server until Ctrl-C.
    pub async fn run(self) -> ExitCode {
        let limits = ServeLimits::DEFAULT
            .with_header_read_timeout(self.header_timeout)
            .with_body_read_timeout(self.body_timeout)
            .with_idle_timeout(self.idle_timeout);
        let mut config = MockConfig::default()
            .with_addr(self.addr)
            .with_style(self.style.into())
            .with_limits(limits)
            .with_max_conversations(self.max_conversations)
            .with_max_messages_per_conversation(self.max_messages)
            .with_max_body_bytes(self.max_body_bytes)
            .with_delivery_failure_hook(|failure| {
                eprintln!("gptbots mock: {}", terminal::stderr(&failure.to_string()));
            });
        if let Some(seed) = self.seed {
            config = config.with_seed(seed);
        }
        let key_note = match &self.api_key {
            Some(key) => {
                config = config.with_api_key(key.clone());
                "as given with --api-key or GPTBOTS_MOCK_API_KEY".to_owned()
            }
            None => format!(
                "{DEFAULT_API_KEY} (the default; set another with --api-key or GPTBOTS_MOCK_API_KEY)"
            ),
        };
        if let Some(seed) = self.chaos_seed {
            config = config.with_chaos_seed(seed);
        }
        if let Some(url) = &self.webhook_url {
            let mut target = WebhookTarget::new(url.clone());
            if let Some(token) = &self.webhook_token {
                target = target.with_token(self.webhook_scheme, token.clone());
            }
            config = config.with_webhook(target);
        }
        if let (Some(url), Some(trigger)) = (&self.handoff_url, &self.handoff_trigger) {
            let handoff = HandoffTarget::new(url.clone(), trigger.clone())
                .with_timeout(Duration::from_secs(self.handoff_timeout));
            config = config.with_handoff(handoff);
        }
        let server = match MockServer::start(config).await {
            Ok(server) => server,
            Err(err) => {
                eprintln!("gptbots mock: could not listen on {}: {err}", self.addr);
                return ExitCode::FAILURE;
            }
        };
        println!("gptbots mock listening on {}", server.url());
        eprintln!("API key: {key_note}");
        eprintln!(
            "streaming style: {}{}",
            self.style.name(),
            match self.chaos_seed {
                Some(seed) => format!(", chaos seed {seed}"),
                None => String::new(),
            }
        );
        if let Some(url) = &self.webhook_url {
            let shown = WebhookTarget::new(url.clone()).redacted_url();
            eprintln!("webhook mode posts replies to {}", terminal::stderr(&shown));
        }
        if let (Some(url), Some(trigger)) = (&self.handoff_url, &self.handoff_trigger) {
            let shown = WebhookTarget::new(url.clone()).redacted_url();
            eprintln!(
                "hand-off: the message {:?} hands the conversation to {} (timeout {} s)",
                terminal::stderr(trigger),
                terminal::stderr(&shown),
                self.handoff_timeout
            );
        }
        eprintln!("press Ctrl-C to stop");
        if let Err(err) = tokio::signal::ctrl_c().await {
            eprintln!("gptbots mock: cannot wait for Ctrl-C ({err}); stopping");
        }
        server.shutdown().await;
        ExitCode::SUCCESS
    }
}
