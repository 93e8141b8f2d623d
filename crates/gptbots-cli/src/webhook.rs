//! `gptbots webhook listen`: run the webhook receiver, print each accepted message as one JSON
//! line on standard output and each refused request as one line on standard error.

mod output;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use gptbots_protocol::{ExposeSecret, SecretString, WebhookMessage};
use gptbots_webhook::{
    Auth, BoxError, Busy, Callback, DedupConfig, Event, HandoffEvent, Outcome, ReceiverConfig,
    RedisStore, RedisStoreConfig, Scheme, ServeLimits, Webhooks,
};

use output::{Output, Report};

/// Receive GPTBots webhooks.
#[derive(Debug, clap::Args)]
pub struct WebhookArgs {
    #[command(subcommand)]
    command: WebhookCommand,
}

#[derive(Debug, clap::Subcommand)]
enum WebhookCommand {
    /// Run the receiver until Ctrl-C or SIGTERM: reply webhooks at --path, the human hand-off
    /// calls at /conversation/establish, /chat and /conversation/close. Each accepted message
    /// is one JSON line on standard output; each refused request one line on standard error.
    Listen(Box<ListenArgs>),
    /// Ask the service (or `gptbots mock`) to probe the agent's webhooks, and print how each
    /// answered.
    Check(crate::webhook_check::CheckArgs),
}

/// Seconds, possibly fractional (`0.5`), above zero.
pub(crate) fn seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if secs.is_nan() || secs <= 0.0 {
        return Err("must be above zero".to_owned());
    }
    Duration::try_from_secs_f64(secs).map_err(|_| format!("`{s}` seconds is out of range"))
}

const DEFAULTS: ServeLimits = ServeLimits::DEFAULT;

#[derive(Debug, clap::Args)]
struct ListenArgs {
    /// The address to listen on (port 0: any free port; the address is printed on standard
    /// error).
    #[arg(long, default_value = "127.0.0.1:8788")]
    addr: SocketAddr,
    /// The path of the reply webhook (the URL set in the GPTBots console).
    #[arg(long, default_value = "/")]
    path: String,
    /// Require `Authorization: <scheme> TOKEN` (as set in the console); without it every
    /// request is let in. Also read from GPTBOTS_WEBHOOK_TOKEN, which keeps it out of the
    /// process list. Refused at start if empty or with white space around it.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "GPTBOTS_WEBHOOK_TOKEN",
        hide_env_values = true
    )]
    token: Option<SecretString>,
    /// The scheme of the Authorization header.
    #[arg(long, value_enum, default_value = "bearer", requires = "token")]
    scheme: Scheme,
    /// Require `Authorization: <scheme> TOKEN` on the hand-off paths (a token of their own:
    /// --token guards the reply webhook only, and GPTBots documents no header on the hand-off
    /// calls). Also read from GPTBOTS_HANDOFF_TOKEN. Refused at start if empty or with white
    /// space around it.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "GPTBOTS_HANDOFF_TOKEN",
        hide_env_values = true
    )]
    handoff_token: Option<SecretString>,
    /// The scheme of the hand-off paths' Authorization header.
    #[arg(long, value_enum, default_value = "bearer", requires = "handoff_token")]
    handoff_scheme: Scheme,
    /// The largest body accepted, in bytes (above zero).
    #[arg(long, value_name = "BYTES", default_value_t = gptbots_webhook::DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// The bytes of all bodies being read at once; past it, 503 with Retry-After.
    #[arg(long, value_name = "BYTES", default_value_t = gptbots_webhook::DEFAULT_BODY_BUDGET)]
    body_budget: usize,
    /// Seconds a client has to send a request's headers (for HTTP/1 also the longest wait
    /// for the next request on a kept-alive connection).
    #[arg(long, value_name = "SECS", value_parser = seconds, default_value = "10")]
    header_timeout: Duration,
    /// Seconds a request's whole body has to arrive; past it, 408 and the connection closes.
    #[arg(long, value_name = "SECS", value_parser = seconds, default_value = "30")]
    body_timeout: Duration,
    /// Seconds a connection with no request in progress is kept open.
    #[arg(long, value_name = "SECS", value_parser = seconds, default_value = "60")]
    idle_timeout: Duration,
    /// Connections open at once, at most; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = DEFAULTS.max_connections)]
    max_connections: usize,
    /// Concurrent HTTP/2 streams per connection, at most.
    #[arg(long, value_name = "N", default_value_t = DEFAULTS.max_concurrent_streams)]
    max_streams: u32,
    /// Messages waiting to be written to standard output, at most; past it, 503 with
    /// Retry-After (a reader that stops reading never stalls the server).
    #[arg(long, value_name = "N", default_value_t = 1024)]
    queue: usize,
    /// Several receivers: append each accepted message to a Redis stream instead of standard
    /// output, de-duplicated by message id in Redis for an hour across every receiver that
    /// shares it (claim-and-append in one atomic step, before the 200). Redis unreachable or
    /// slower than --redis-timeout: 503 with Retry-After. Also read from
    /// GPTBOTS_WEBHOOK_REDIS_URL (which keeps a password out of the process list).
    #[arg(
        long = "redis",
        value_name = "URL",
        env = "GPTBOTS_WEBHOOK_REDIS_URL",
        hide_env_values = true
    )]
    redis: Option<SecretString>,
    /// The Redis stream the messages are appended to.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "gptbots:webhook",
        requires = "redis"
    )]
    redis_stream: String,
    /// The prefix of the Redis keys that remember delivered message ids.
    #[arg(long, value_name = "PREFIX", default_value = gptbots_webhook::RedisStoreConfig::DEFAULT_PREFIX, requires = "redis")]
    redis_key_prefix: String,
    /// Seconds each Redis call has; past it, 503 with Retry-After.
    #[arg(long, value_name = "SECS", value_parser = seconds, default_value = "2", requires = "redis")]
    redis_timeout: Duration,
    /// Seconds requests in progress have to finish after Ctrl-C or SIGTERM (a second signal
    /// stops at once).
    #[arg(long, value_name = "SECS", value_parser = seconds, default_value = "10")]
    grace: Duration,
}

impl WebhookArgs {
    /// Runs the subcommand.
    pub async fn run(self) -> ExitCode {
        match self.command {
            WebhookCommand::Listen(args) => args.serve().await,
            WebhookCommand::Check(args) => args.run().await,
        }
    }
}

fn report_line(event: &Event<'_>) -> Option<String> {
    // What a sender wrote (path, ids, refusal reasons) is shown escaped on a terminal.
    let path = crate::terminal::stderr(event.path);
    match event.outcome {
        Outcome::Refused(refusal) => Some(format!(
            "refused {path}: {}",
            crate::terminal::stderr(&refusal.to_string())
        )),
        Outcome::Probe => Some(format!("probe {path}: answered 200")),
        Outcome::Duplicate { message_id } => Some(format!(
            "duplicate {path}: {} acknowledged, not printed again",
            crate::terminal::stderr(message_id)
        )),
        _ => None,
    }
}

/// Exit code after a second signal (128 + SIGINT, as a shell reports an interrupted command).
const INTERRUPTED: i32 = 130;

impl ListenArgs {
    fn config(&self) -> Result<(ReceiverConfig, ServeLimits), String> {
        let mut config = ReceiverConfig::new()
            .with_body_limit(self.body_limit)
            .with_body_budget(self.body_budget);
        if let Some(token) = &self.token {
            config = config.with_auth(Auth::new(self.scheme, token.clone()));
        }
        if let Some(token) = &self.handoff_token {
            config = config.with_handoff_auth(Auth::new(self.handoff_scheme, token.clone()));
        }
        config.validate().map_err(|err| err.to_string())?;
        let limits = ServeLimits::DEFAULT
            .with_header_read_timeout(self.header_timeout)
            .with_body_read_timeout(self.body_timeout)
            .with_idle_timeout(self.idle_timeout)
            .with_max_connections(self.max_connections)
            .with_max_concurrent_streams(self.max_streams)
            .with_shutdown_grace(self.grace);
        limits.validate().map_err(|err| err.to_string())?;
        if self.queue == 0 {
            return Err("the output queue (--queue) must hold at least one message".to_owned());
        }
        Ok((config, limits))
    }

    async fn serve(self) -> ExitCode {
        let (config, limits) = match self.config() {
            Ok(checked) => checked,
            Err(err) => {
                eprintln!("gptbots webhook: {err}");
                return ExitCode::from(2);
            }
        };
        let started = Output::start(self.queue).and_then(|out| Ok((out, Report::start(1024)?)));
        let ((output, drained), report) = match started {
            Ok(started) => started,
            Err(err) => {
                eprintln!("gptbots webhook: could not start the output threads: {err}");
                return ExitCode::FAILURE;
            }
        };
        let router = if let Some(url) = &self.redis {
            let store_config = RedisStoreConfig::new()
                .with_key_prefix(self.redis_key_prefix.clone())
                .with_window(config.dedup.window)
                .with_timeout(self.redis_timeout);
            let store = match RedisStore::new(url.expose_secret(), store_config) {
                Ok(store) => store,
                Err(err) => {
                    eprintln!("gptbots webhook: --redis: {err}");
                    return ExitCode::from(2);
                }
            };
            if let Err(err) = store.ping().await {
                // not fatal: requests are answered 503 until Redis answers
                eprintln!("gptbots webhook: {err}; answering 503 until it does");
            }
            // the claim-and-append script is the de-duplication: the in-memory window is off
            let config = config.with_dedup(DedupConfig::disabled());
            let sink = Sink {
                store,
                stream: Arc::from(self.redis_stream.as_str()),
                report: report.clone(),
            };
            let (replies, handoffs) = (sink.clone(), sink);
            let observer = report.clone();
            Webhooks::new(config)
                .replies(
                    self.path.clone(),
                    Callback::from_fn(move |message: WebhookMessage| {
                        let sink = replies.clone();
                        async move {
                            let id = message.message_id().unwrap_or_default().to_owned();
                            sink.append(&id, &message).await
                        }
                    }),
                )
                .handoff(
                    "",
                    Callback::from_fn(move |event: HandoffEvent| {
                        let sink = handoffs.clone();
                        async move { sink.append("", &event).await }
                    }),
                )
                .observe(move |event| {
                    if let Some(line) = report_line(event) {
                        observer.line(line);
                    }
                })
                .into_router()
        } else {
            let (replies, handoffs) = (output.clone(), output);
            let observer = report.clone();
            Webhooks::new(config)
                .replies(
                    self.path.clone(),
                    Callback::from_fn(move |message: WebhookMessage| {
                        let out = replies.clone();
                        async move { out.print(&message).await }
                    }),
                )
                .handoff(
                    "",
                    Callback::from_fn(move |event: HandoffEvent| {
                        let out = handoffs.clone();
                        async move { out.print(&event).await }
                    }),
                )
                .observe(move |event| {
                    if let Some(line) = report_line(event) {
                        observer.line(line);
                    }
                })
                .into_router()
        };
        let router = match router {
            Ok(router) => router,
            Err(err) => {
                eprintln!(
                    "gptbots webhook: {err} (the hand-off paths are /conversation/establish, /chat and /conversation/close)"
                );
                return ExitCode::FAILURE;
            }
        };
        let mut signals = match Signals::new() {
            Ok(signals) => signals,
            Err(err) => {
                eprintln!("gptbots webhook: cannot watch for signals: {err}");
                return ExitCode::FAILURE;
            }
        };
        let listener = match tokio::net::TcpListener::bind(self.addr).await {
            Ok(listener) => listener,
            Err(err) => {
                eprintln!("gptbots webhook: cannot listen on {}: {err}", self.addr);
                return ExitCode::FAILURE;
            }
        };
        let addr = listener.local_addr().unwrap_or(self.addr);
        eprintln!(
            "listening on http://{addr}{} (hand-off: /conversation/establish, /chat, /conversation/close); Ctrl-C stops",
            self.path
        );
        let grace = limits.shutdown_grace;
        let shutdown_report = report.clone();
        let shutdown = async move {
            let name = signals.next().await;
            shutdown_report.line(format!(
                "{name}: stopping; requests in progress have {grace:?} to finish (a second signal stops at once)"
            ));
            tokio::spawn(async move {
                signals.next().await;
                output::exit_between_lines(INTERRUPTED, Duration::from_millis(500));
            });
        };
        let stopped = gptbots_webhook::serve(listener, router, limits, shutdown).await;
        if stopped.cut > 0 {
            report.line(format!(
                "{} connections still busy after {grace:?} were cut",
                stopped.cut
            ));
        }
        // every message acknowledged was written; what is still queued belongs to requests
        // that were cut, and is written too if standard output takes it in time
        if !drained.wait(grace).await {
            eprintln!("gptbots webhook: standard output is not being read; stopping anyway");
            output::exit_between_lines(1, Duration::from_millis(500));
        }
        drop(report);
        ExitCode::SUCCESS
    }
}

/// `--redis`: each accepted message appended to a Redis stream, once per message id.
#[derive(Clone)]
struct Sink {
    store: RedisStore,
    stream: Arc<str>,
    report: Report,
}

impl Sink {
    /// Appends `message` (as JSON) unless `id` was delivered within the window; a duplicate is
    /// accepted too (it is already in the stream). Redis unreachable or slow: `Busy`, so the
    /// sender gets 503 with Retry-After and delivers it again.
    async fn append<T: serde::Serialize>(&self, id: &str, message: &T) -> Result<(), BoxError> {
        let json = serde_json::to_string(message)?;
        match self.store.append_once(&self.stream, id, &json).await {
            Ok(gptbots_webhook::Appended::Duplicate) => {
                self.report.line(format!(
                    "duplicate: {} already in the stream, acknowledged, not appended again",
                    crate::terminal::stderr(id)
                ));
                Ok(())
            }
            // added now
            Ok(_) => Ok(()),
            Err(_) => Err(Box::new(Busy {
                retry_after: Duration::from_secs(1),
            })),
        }
    }
}

/// Ctrl-C (SIGINT) and, on Unix, SIGTERM.
struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        Ok(Signals {
            #[cfg(unix)]
            int: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?,
            #[cfg(unix)]
            term: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?,
        })
    }

    /// The next signal's name.
    async fn next(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => "SIGINT",
                _ = self.term.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}
