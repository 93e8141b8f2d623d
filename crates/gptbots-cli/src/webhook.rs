//! `gptbots webhook listen`: run the webhook receiver, print each accepted message as one JSON
//! line on standard output and each refused request as one line on standard error.

use std::fmt;
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use gptbots_protocol::WebhookMessage;
use gptbots_webhook::{
    Auth, Callback, Event, HandoffEvent, Outcome, ReceiverConfig, Scheme, ServeLimits, Webhooks,
};
use serde::Serialize;

/// Receive GPTBots webhooks.
#[derive(Debug, clap::Args)]
pub struct WebhookArgs {
    #[command(subcommand)]
    command: WebhookCommand,
}

#[derive(Debug, clap::Subcommand)]
enum WebhookCommand {
    /// Run the receiver until Ctrl-C: reply webhooks at --path, the human hand-off calls at
    /// /conversation/establish, /chat and /conversation/close. Each accepted message is one JSON
    /// line on standard output; each refused request one line on standard error.
    Listen(ListenArgs),
}

/// A token from the command line or the environment, kept out of `Debug`.
#[derive(Clone)]
struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl std::str::FromStr for Token {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            Err("the token is empty".to_owned())
        } else {
            Ok(Token(s.to_owned()))
        }
    }
}

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
    /// process list.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "GPTBOTS_WEBHOOK_TOKEN",
        hide_env_values = true
    )]
    token: Option<Token>,
    /// The scheme of the Authorization header.
    #[arg(long, default_value = "bearer", value_parser = ["bearer", "basic"], requires = "token")]
    scheme: String,
    /// The largest body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = gptbots_webhook::DEFAULT_BODY_LIMIT)]
    body_limit: usize,
}

impl WebhookArgs {
    /// Runs the subcommand on its own tokio runtime.
    pub fn run(self) -> ExitCode {
        match self.command {
            WebhookCommand::Listen(args) => args.run(),
        }
    }
}

/// Prints one JSON line on standard output; an error (a closed pipe) refuses the message with
/// 500, so that GPTBots delivers it again rather than losing it.
fn print_line<T: Serialize>(value: &T) -> Result<(), std::io::Error> {
    let line = serde_json::to_string(value).map_err(std::io::Error::other)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()
}

fn report(event: &Event<'_>) {
    let path = event.path;
    match event.outcome {
        Outcome::Refused(refusal) => eprintln!("refused {path}: {refusal}"),
        Outcome::Probe => eprintln!("probe {path}: answered 200"),
        Outcome::Duplicate { message_id } => {
            eprintln!("duplicate {path}: {message_id} acknowledged, not printed again");
        }
        _ => {}
    }
}

impl ListenArgs {
    fn run(self) -> ExitCode {
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(err) => {
                eprintln!("gptbots webhook: could not start the async runtime: {err}");
                return ExitCode::FAILURE;
            }
        };
        runtime.block_on(self.serve())
    }

    async fn serve(self) -> ExitCode {
        let mut config = ReceiverConfig::new().with_body_limit(self.body_limit);
        if let Some(Token(token)) = self.token {
            let scheme = if self.scheme == "basic" {
                Scheme::Basic
            } else {
                Scheme::Bearer
            };
            config = config.with_auth(Auth::new(scheme, token));
        }
        let router = Webhooks::new(config)
            .replies(
                self.path.clone(),
                Callback::from_fn(|message: WebhookMessage| async move { print_line(&message) }),
            )
            .handoff(
                "",
                Callback::from_fn(|event: HandoffEvent| async move { print_line(&event) }),
            )
            .observe(report)
            .into_router();
        let router = match router {
            Ok(router) => router,
            Err(err) => {
                eprintln!(
                    "gptbots webhook: {err} (the hand-off paths are /conversation/establish, /chat and /conversation/close)"
                );
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
        gptbots_webhook::serve(listener, router, ServeLimits::DEFAULT, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
        ExitCode::SUCCESS
    }
}
