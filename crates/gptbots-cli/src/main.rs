//! `gptbots`: the command-line tool of the GPTBots conversation API workspace.
//!
//! Each subcommand lives in its own module with an `Args` type (clap derive) that has an
//! inherent `async fn run(self) -> ExitCode`. Adding one is two lines: its `mod` line and its
//! line in `subcommands!` (below). `main` builds the one tokio runtime they all run on.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod agent;
mod api;
mod attachment;
mod chat;
mod decode;
mod history;
mod human;
mod mock;
mod reply;
mod terminal;
mod webhook;
mod webhook_check;

/// Declares the `Command` enum and dispatches each variant to its arguments' `run`.
macro_rules! subcommands {
    ($( $(#[$meta:meta])* $variant:ident($args:ty), )+) => {
        #[derive(Debug, Subcommand)]
        enum Command {
            $( $(#[$meta])* $variant($args), )+
        }

        impl Command {
            async fn run(self) -> ExitCode {
                match self {
                    $( Command::$variant(args) => args.run().await, )+
                }
            }
        }
    };
}

subcommands! {
    /// Decode a captured streaming reply (bare JSON, SSE, or both) and print its frames.
    Decode(decode::DecodeArgs),
    /// Send a message and print the reply; with no GPTBOTS_API_KEY and no --base-url, to the
    /// embedded mock.
    Chat(chat::ChatArgs),
    /// Run the embedded GPTBots mock server until interrupted.
    Mock(mock::MockArgs),
    /// Receive GPTBots webhooks: `gptbots webhook listen` prints each accepted message as a JSON
    /// line.
    Webhook(webhook::WebhookArgs),
    /// Print every message of a conversation (all pages of conversation detail).
    History(history::HistoryArgs),
    /// List conversations (all pages), the most recent first.
    Conversations(history::ConversationsArgs),
    /// Give an agent reply a thumbs up or down, or take it back.
    Feedback(reply::FeedbackArgs),
    /// Record whether an agent reply solved the user's problem.
    Quality(reply::QualityArgs),
    /// Print the questions suggested after an agent reply.
    Suggest(reply::SuggestArgs),
    /// Print the knowledge-base passages an agent reply drew on.
    Sources(reply::SourcesArgs),
    /// Print the API key's agent (and so check the key).
    Agent(agent::AgentArgs),
    /// A human agent's side of a hand-off: reply to the user, or close the hand-off.
    Human(human::HumanArgs),
}

/// Tools for the GPTBots conversation API.
#[derive(Debug, Parser)]
#[command(name = "gptbots", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

fn main() -> ExitCode {
    // Parsed first: `--help` and a bad argument start no runtime.
    let command = Cli::parse().command;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("gptbots: could not start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(command.run())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    /// The closed choices are the protocol types' documented values, and a bad one is clap's
    /// usage error (exit code 2).
    #[test]
    fn choices_come_from_the_protocol_types() {
        use gptbots_protocol::Region;
        for region in Region::KNOWN {
            let parsed = Cli::try_parse_from(["gptbots", "chat", "--region", region, "hi"]);
            assert!(parsed.is_ok(), "{region}: {parsed:?}");
        }
        for (args, ok) in [
            (&["gptbots", "chat", "--region", "xx", "hi"][..], false),
            (&["gptbots", "quality", "m1", "partially-resolved"], true),
            (&["gptbots", "quality", "m1", "PARTIALLY_RESOLVED"], true),
            (&["gptbots", "quality", "m1", "great"], false),
            (&["gptbots", "feedback", "m1", "canceled"], true),
            (&["gptbots", "feedback", "m1", "love"], false),
            (&["gptbots", "mock", "--style", "joined"], true),
            (&["gptbots", "mock", "--style", "xml"], false),
            (
                &[
                    "gptbots", "webhook", "listen", "--token", "t", "--scheme", "basic",
                ],
                true,
            ),
            (
                &[
                    "gptbots", "webhook", "listen", "--token", "t", "--scheme", "digest",
                ],
                false,
            ),
        ] {
            match Cli::try_parse_from(args) {
                Ok(_) => assert!(ok, "{args:?} was accepted"),
                Err(err) => {
                    assert!(!ok, "{args:?}: {err}");
                    assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue, "{err}");
                    assert_eq!(err.exit_code(), 2);
                }
            }
        }
    }

    /// Keys and tokens given on the command line are `SecretString`s: `Debug` of the parsed
    /// arguments never shows them.
    #[test]
    fn debug_of_the_arguments_shows_no_secret() {
        let runs: [&[&str]; 2] = [
            &[
                "gptbots",
                "webhook",
                "listen",
                "--token",
                "tok-s3cret",
                "--handoff-token",
                "handoff-s3cret",
                "--redis",
                "redis://:pw-s3cret@127.0.0.1:1/",
            ],
            &[
                "gptbots",
                "mock",
                "--api-key",
                "key-s3cret",
                "--webhook-url",
                "http://127.0.0.1:1/hook",
                "--webhook-token",
                "hook-s3cret",
            ],
        ];
        for args in runs {
            let shown = match Cli::try_parse_from(args) {
                Ok(cli) => format!("{cli:?}"),
                Err(err) => err.to_string(),
            };
            assert!(shown.contains("REDACTED"), "{shown}");
            assert!(!shown.contains("s3cret"), "{shown}");
        }
    }
}
