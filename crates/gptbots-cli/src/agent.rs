//! `gptbots agent`: the key's agent (agent information), and the cheapest check of a key.

use std::fmt::Write as _;
use std::process::ExitCode;

use gptbots_protocol::AgentDetailResponse;

use crate::api::ApiArgs;

/// Print the information of the API key's agent.
#[derive(Debug, clap::Args)]
pub struct AgentArgs {
    #[command(flatten)]
    api: ApiArgs,
}

impl AgentArgs {
    /// Asks for the agent's information.
    pub async fn run(self) -> ExitCode {
        self.api
            .run(
                "agent",
                |client| async move { client.agent_detail().await },
                show_agent,
            )
            .await
    }
}

fn show_agent(agent: &AgentDetailResponse) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({})",
        agent.name.as_deref().unwrap_or("(no name)"),
        agent.bot_id
    );
    if let Some(kind) = &agent.bot_type {
        let _ = writeln!(out, "type: {}", kind.as_str());
    }
    if let Some(welcome) = &agent.welcome_message {
        let _ = writeln!(out, "welcome message: {welcome}");
    }
    if let Some(introduction) = &agent.introduction {
        let _ = writeln!(out, "introduction: {introduction}");
    }
    out
}
