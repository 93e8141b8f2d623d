//! What the one-call subcommands (`history`, `feedback`, `agent`...) share: where to send
//! (`--base-url`, `--region`, or the embedded mock, exactly as `chat` decides), how to print
//! (human-readable, escaped on a terminal; or `--json`, one line), and errors printed as
//! `chat` prints them.

use std::future::Future;
use std::process::ExitCode;

use gptbots_client::{Client, Error};
use gptbots_protocol::Region;
use serde::Serialize;

use crate::{chat, terminal};

/// Where the call goes and how its answer is printed.
#[derive(Debug, clap::Args)]
pub struct ApiArgs {
    /// Send to this base URL (a proxy, a private deployment, `gptbots mock`) instead of the
    /// region's host. With neither GPTBOTS_API_KEY nor --base-url, the embedded mock answers.
    #[arg(long, value_name = "URL", global = true)]
    base_url: Option<String>,
    /// The data-centre region: https://api-{region}.gptbots.ai.
    #[arg(long, value_enum, default_value = "sg", global = true)]
    region: Region,
    /// Print the response as one line of JSON (for scripts) instead of text for people.
    #[arg(long, global = true)]
    json: bool,
}

impl ApiArgs {
    /// Runs `call` against the chosen server, then prints its answer with `show` (or as JSON
    /// with `--json`).
    pub async fn run<T, F, Fut>(
        &self,
        command: &str,
        call: F,
        show: impl FnOnce(&T) -> String,
    ) -> ExitCode
    where
        T: Serialize,
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        // Kept alive until the call is done; dropping it stops the embedded mock.
        let (client, _embedded) =
            match chat::connect(command, self.base_url.as_deref(), &self.region).await {
                Ok(connected) => connected,
                Err(code) => return code,
            };
        match call(client).await {
            Ok(value) => {
                self.print(command, &value, show);
                ExitCode::SUCCESS
            }
            Err(err) => chat::fail_as(command, &err),
        }
    }

    fn print<T: Serialize>(&self, command: &str, value: &T, show: impl FnOnce(&T) -> String) {
        if self.json {
            match serde_json::to_string(value) {
                Ok(line) => println!("{}", terminal::stdout(&line)),
                Err(err) => {
                    eprintln!("gptbots {command}: the answer cannot be shown as JSON: {err}")
                }
            }
        } else {
            let text = show(value);
            if !text.is_empty() {
                println!("{}", terminal::stdout(text.trim_end_matches('\n')));
            }
        }
    }
}
