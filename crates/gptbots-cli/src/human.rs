//! `gptbots human reply` and `gptbots human close`: the human agent's side of a hand-off.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use gptbots_protocol::handoff::{HumanCloseRequest, HumanMessageRequest};

use crate::api::ApiArgs;

/// Answer the user of a hand-off, or end it (the session id is the `conversation_id` of the
/// establish call).
#[derive(Debug, clap::Args)]
pub struct HumanArgs {
    #[command(subcommand)]
    command: HumanCommand,
    #[command(flatten)]
    api: ApiArgs,
}

#[derive(Debug, clap::Subcommand)]
enum HumanCommand {
    /// Send the human agent's message to the user (`POST /v1/human/message/receive`).
    Reply {
        /// The hand-off session id (from establish).
        session_id: String,
        /// The message.
        text: String,
    },
    /// End the hand-off; the agent answers the user again (`POST /v1/human/close`).
    Close {
        /// The hand-off session id (from establish).
        session_id: String,
    },
}

impl HumanArgs {
    /// Sends the call.
    pub async fn run(self) -> ExitCode {
        let now = now_millis();
        match self.command {
            HumanCommand::Reply { session_id, text } => {
                let request = HumanMessageRequest::new(session_id, now, text);
                self.api
                    .run(
                        "human reply",
                        |client| async move { client.human_message(&request).await },
                        |_| "sent".to_owned(),
                    )
                    .await
            }
            HumanCommand::Close { session_id } => {
                let request = HumanCloseRequest::new(session_id, now);
                self.api
                    .run(
                        "human close",
                        |client| async move { client.human_close(&request).await },
                        |_| "closed".to_owned(),
                    )
                    .await
            }
        }
    }
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
