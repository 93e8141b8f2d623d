//! `gptbots chat`: send messages to an agent and print its replies.
//!
//! The API key comes from `GPTBOTS_API_KEY`. With no key and no `--base-url`, the embedded
//! mock (`gptbots-mock`, the echo agent) is started in-process on loopback and used instead,
//! which says so on standard error: so `gptbots chat "Hello"` works on a machine with no
//! network and no account.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use futures_util::StreamExt;
use gptbots_client::{Client, ClientConfig, Error, ErrorKind};
use gptbots_mock::{DEFAULT_API_KEY, MockConfig, MockServer};
use gptbots_protocol::message_v2::{Content, ContentPart, Message, ResponseMode};
use gptbots_protocol::stream::{AssembledReply, ReplyAssembler};
use gptbots_protocol::{ApiKey, CreateConversationRequest, Region, SendMessageRequest};
use tokio::io::AsyncBufReadExt;

use crate::attachment::{self, Kind};
use crate::terminal;

/// The environment variable the API key is read from.
pub const API_KEY_VAR: &str = "GPTBOTS_API_KEY";

/// The embedded mock sends its frames this far apart, so that `--stream` shows text arriving.
const EMBEDDED_FRAME_INTERVAL: Duration = Duration::from_millis(40);

/// Send a message (or, without TEXT, each line of standard input) and print the reply.
#[derive(Debug, clap::Args)]
pub struct ChatArgs {
    /// The message. Without it, each line of standard input is a message, all in one
    /// conversation.
    text: Option<String>,
    /// Print the reply as it arrives (streaming mode) instead of all at once.
    #[arg(long, conflicts_with = "webhook")]
    stream: bool,
    /// Webhook mode: the reply goes to the webhook URL set for the agent (for `gptbots mock`,
    /// its --webhook-url); print the acknowledgement as a JSON line.
    #[arg(long)]
    webhook: bool,
    /// Continue this conversation instead of creating a new one.
    #[arg(long, value_name = "ID")]
    conversation: Option<String>,
    /// The user id a new conversation is created for (at most 32 characters).
    #[arg(long, value_name = "ID", default_value = "gptbots-cli")]
    user_id: String,
    /// Send to this base URL (a proxy, a private deployment, `gptbots mock`) instead of the
    /// region's host.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// The data-centre region: https://api-{region}.gptbots.ai.
    #[arg(long, value_enum, default_value = "sg")]
    region: Region,
    /// Attach an image: a path (sent inline, base64) or an http(s) URL. Repeatable.
    #[arg(long, value_name = "PATH|URL")]
    image: Vec<String>,
    /// Attach a document: a path (sent inline, base64) or an http(s) URL. Repeatable.
    #[arg(long, value_name = "PATH|URL")]
    document: Vec<String>,
    /// Attach audio: a path (sent inline, base64) or an http(s) URL. Repeatable.
    #[arg(long, value_name = "PATH|URL")]
    audio: Vec<String>,
    /// For scripts: print one JSON line per reply (blocking), per frame (--stream) or the
    /// acknowledgement (--webhook), exactly as the service sent it.
    #[arg(long)]
    json: bool,
}

impl ChatArgs {
    /// Runs the command.
    pub async fn run(self) -> ExitCode {
        // Attachments are read (and refused) before anything is sent.
        let attachments = match self.attachments() {
            Ok(parts) => parts,
            Err(message) => {
                eprintln!("gptbots chat: {}", terminal::stderr(&message));
                return ExitCode::from(2);
            }
        };
        // Kept alive for the whole session; dropping it stops the mock.
        let (client, embedded) = match connect("chat", self.base_url.as_deref(), &self.region).await
        {
            Ok(connected) => connected,
            Err(code) => return code,
        };
        let conversation_id = match &self.conversation {
            Some(id) => id.clone(),
            None => match client
                .create_conversation(&CreateConversationRequest::new(self.user_id.clone()))
                .await
            {
                Ok(created) => {
                    if embedded.is_some() {
                        // The embedded mock forgets its conversations when this process ends:
                        // no point in telling the user to continue one later.
                        let id = terminal::stderr(&created.conversation_id);
                        eprintln!("gptbots: conversation {id}");
                    } else {
                        let id = terminal::stderr(&created.conversation_id);
                        eprintln!(
                            "gptbots: conversation {id} (continue it with --conversation {id})"
                        );
                    }
                    created.conversation_id
                }
                Err(err) => return fail(&err),
            },
        };
        match &self.text {
            Some(text) => match self
                .send(&client, &conversation_id, text, &attachments)
                .await
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => fail(&err),
            },
            None => self.repl(&client, &conversation_id).await,
        }
    }

    /// One line of standard input, one message; stops at the end of input or the first error.
    async fn repl(&self, client: &Client, conversation_id: &str) -> ExitCode {
        let interactive = std::io::stdin().is_terminal();
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        loop {
            if interactive {
                eprint!("> ");
                let _ = std::io::stderr().flush();
            }
            let line = match lines.next_line().await {
                Ok(Some(line)) => line,
                Ok(None) => return ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("gptbots chat: reading standard input: {err}");
                    return ExitCode::FAILURE;
                }
            };
            let text = line.trim();
            if text.is_empty() {
                continue;
            }
            if let Err(err) = self.send(client, conversation_id, text, &[]).await {
                return fail(&err);
            }
        }
    }

    /// The message parts of `--image`, `--document` and `--audio`, in that order.
    fn attachments(&self) -> Result<Vec<ContentPart>, String> {
        let sources = [
            (Kind::Image, &self.image),
            (Kind::Document, &self.document),
            (Kind::Audio, &self.audio),
        ];
        let mut parts = Vec::new();
        for (kind, list) in sources {
            for source in list {
                parts.push(kind.part(attachment::load(kind, source)?));
            }
        }
        Ok(parts)
    }

    async fn send(
        &self,
        client: &Client,
        conversation_id: &str,
        text: &str,
        attachments: &[ContentPart],
    ) -> Result<(), Error> {
        let request = if attachments.is_empty() {
            SendMessageRequest::text(conversation_id, text)
        } else {
            let mut parts = vec![ContentPart::text(text)];
            parts.extend_from_slice(attachments);
            SendMessageRequest::new(
                conversation_id,
                ResponseMode::Blocking,
                vec![Message::user(Content::Parts(parts))],
            )
        };
        if self.webhook {
            let accepted = client.send_message_webhook(request).await?;
            let line = serde_json::to_string(&accepted).unwrap_or_default();
            println!("{}", terminal::stdout(&line));
            return Ok(());
        }
        if self.stream && self.json {
            // Each frame as one JSON line, as it comes; nothing is kept.
            let mut frames = client.send_message_streaming(request).await?;
            while let Some(frame) = frames.next().await {
                let line = serde_json::to_string(&frame?).unwrap_or_default();
                println!("{}", terminal::stdout(&line));
            }
            return Ok(());
        }
        if self.stream {
            let stream = client.send_message_streaming(request).await?;
            let mut stdout = std::io::stdout();
            let mut printed = false;
            // Each piece is printed as it comes and not kept: the assembler keeps only how the
            // reply ended (errors, faults, counts), so a long reply costs no memory.
            let result = stream
                .assemble_with(ReplyAssembler::new().keep_content(false), |piece| {
                    printed = true;
                    let _ = write!(stdout, "{}", terminal::stdout(piece));
                    let _ = stdout.flush();
                })
                .await;
            if printed {
                println!();
            }
            let reply = result?;
            warn_faults("gptbots chat", &reply);
            Ok(())
        } else {
            let reply = client.send_message(request).await?;
            if self.json {
                let line = serde_json::to_string(&reply).unwrap_or_default();
                println!("{}", terminal::stdout(&line));
            } else {
                println!("{}", terminal::stdout(&reply.text()));
            }
            Ok(())
        }
    }
}

/// One warning line on standard error for each frame of the reply that could not be read and
/// was stepped over (the reply itself was printed).
pub(crate) fn warn_faults(command: &str, reply: &AssembledReply) {
    for fault in &reply.faults {
        eprintln!(
            "{command}: warning: skipped a frame it could not read at byte {}: {}",
            fault.offset, fault.reason
        );
    }
    let unlisted = reply.fault_count.saturating_sub(reply.faults.len());
    if unlisted > 0 {
        eprintln!("{command}: warning: and {unlisted} more frames skipped");
    }
}

/// Prints the error (with the GPTBots code and message for an API error) and fails.
fn fail(err: &Error) -> ExitCode {
    fail_as("chat", err)
}

/// Prints the error of subcommand `command` as `chat` prints its own, and fails.
pub(crate) fn fail_as(command: &str, err: &Error) -> ExitCode {
    eprintln!("gptbots {command}: {}", terminal::stderr(&err.to_string()));
    if offline_hint(err) {
        eprintln!(
            "gptbots {command}: hint: to use the offline mock instead, unset {API_KEY_VAR} (and \
             give no --base-url)"
        );
    }
    ExitCode::FAILURE
}

/// The client subcommand `command` talks through: with the key from [`API_KEY_VAR`], to
/// `base_url` or the region's host; with no key and no `base_url`, to the embedded mock,
/// started here and returned (dropping it stops it), which is said on standard error.
pub(crate) async fn connect(
    command: &str,
    base_url: Option<&str>,
    region: &Region,
) -> Result<(Client, Option<MockServer>), ExitCode> {
    let key = std::env::var(API_KEY_VAR)
        .ok()
        .filter(|key| !key.trim().is_empty())
        .map(ApiKey::from);
    let mut embedded: Option<MockServer> = None;
    let config = match (key, base_url) {
        (None, None) => {
            let mock = MockConfig::default().with_frame_interval(EMBEDDED_FRAME_INTERVAL);
            let server = match MockServer::start(mock).await {
                Ok(server) => server,
                Err(err) => {
                    eprintln!("gptbots {command}: could not start the embedded mock: {err}");
                    return Err(ExitCode::FAILURE);
                }
            };
            eprintln!(
                "gptbots: {API_KEY_VAR} is not set and no --base-url was given: \
                 talking to the embedded mock at {} (its agent echoes your text)",
                server.url()
            );
            let config = ClientConfig::new(DEFAULT_API_KEY).with_base_url(server.url());
            embedded = Some(server);
            config
        }
        (None, Some(url)) => {
            eprintln!("gptbots {command}: set {API_KEY_VAR} to the API key for {url}");
            return Err(ExitCode::from(2));
        }
        (Some(key), Some(url)) => ClientConfig::new(key).with_base_url(url.to_owned()),
        (Some(key), None) => ClientConfig::new(key).with_region(region.clone()),
    };
    match Client::new(config) {
        Ok(client) => Ok((client, embedded)),
        Err(err) => Err(fail_as(command, &err)),
    }
}

/// A connection to a GPTBots region host failed while a key was set: perhaps there is no
/// network, and the offline mock is what the user wants.
fn offline_hint(err: &Error) -> bool {
    let key_set = std::env::var(API_KEY_VAR).is_ok_and(|key| !key.trim().is_empty());
    let gptbots_host = err.url().is_some_and(|url| {
        url.strip_prefix("https://api-")
            .and_then(|rest| rest.split(['/', ':']).next())
            .is_some_and(|host| host.ends_with(".gptbots.ai"))
    });
    let connection = matches!(err.kind(), ErrorKind::Connection | ErrorKind::Timeout);
    key_set && gptbots_host && connection
}
