//! `gptbots`: the command-line tool of the GPTBots conversation API workspace.
//!
//! Each subcommand lives in its own module with an `Args` type (clap derive) that has an
//! inherent `run(self) -> ExitCode`. Adding one is two lines: its `mod` line and its line in
//! `subcommands!` (below).

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
            fn run(self) -> ExitCode {
                match self {
                    $( Command::$variant(args) => args.run(), )+
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
    Cli::parse().command.run()
}
