//! `gptbots webhook check`: ask GPTBots (or the mock) to probe the agent's webhooks.

use std::fmt::Write as _;
use std::process::ExitCode;

use gptbots_protocol::WebhookCheckResponse;

use crate::api::ApiArgs;

/// Ask the service to probe every webhook set on the key's agent, and print how each answered.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    api: ApiArgs,
}

impl CheckArgs {
    /// Sends the check.
    pub async fn run(self) -> ExitCode {
        self.api
            .run(
                "webhook check",
                |client| async move { client.webhook_check().await },
                show_check,
            )
            .await
    }
}

fn show_check(answer: &WebhookCheckResponse) -> String {
    let mut out = String::new();
    for result in &answer.results {
        let verdict = if result.reachable {
            "reachable"
        } else {
            "NOT reachable"
        };
        let status = result
            .http_status
            .map(|status| format!(", HTTP {status}"))
            .unwrap_or_default();
        let latency = result
            .latency_ms
            .map(|ms| format!(", {ms} ms"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{} {}: {verdict}{status}{latency}",
            result.kind.as_str(),
            result.webhook_url.as_deref().unwrap_or("(no URL)")
        );
    }
    if out.is_empty() {
        out.push_str("(no webhooks set)");
    }
    out
}
