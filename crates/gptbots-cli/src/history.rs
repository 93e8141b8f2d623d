//! `gptbots history` (conversation detail, every page) and `gptbots conversations` (the
//! conversation list, every page).

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use gptbots_client::{Client, Error};
use gptbots_protocol::conversation::{ConversationMessage, MAX_PAGE_SIZE};
use gptbots_protocol::history::{
    ConversationListQuery, ConversationListResponse, ConversationType,
};
use gptbots_protocol::message_v2::ContentPart;
use gptbots_protocol::{ConversationDetailQuery, ConversationDetailResponse};

use crate::api::ApiArgs;

/// The most pages read before giving up on a server whose `total` never ends.
const MAX_PAGES: u32 = 10_000;

/// Print every message of a conversation (conversation detail, all pages).
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The conversation.
    conversation_id: String,
    #[command(flatten)]
    api: ApiArgs,
}

impl HistoryArgs {
    /// Reads every page, then prints the messages.
    pub async fn run(self) -> ExitCode {
        let id = self.conversation_id.clone();
        self.api
            .run("history", |client| all_messages(client, id), show_messages)
            .await
    }
}

async fn all_messages(client: Client, id: String) -> Result<ConversationDetailResponse, Error> {
    let mut messages = Vec::new();
    let mut total = 0;
    for page in 1..=MAX_PAGES {
        let query = ConversationDetailQuery::new(id.clone(), page, MAX_PAGE_SIZE);
        let answer = client.conversation_detail(&query).await?;
        total = answer.total;
        let got = answer.conversation_content.len();
        messages.extend(answer.conversation_content);
        if got == 0 || messages.len() as u64 >= total {
            break;
        }
    }
    Ok(ConversationDetailResponse::new(total, messages))
}

fn show_messages(detail: &ConversationDetailResponse) -> String {
    let mut out = String::new();
    for message in &detail.conversation_content {
        let _ = writeln!(out, "{}: {}", message.role.as_str(), message_text(message));
    }
    if out.is_empty() {
        out.push_str("(no messages)");
    }
    out
}

/// The text of a message; other parts shown by their type (`[image]`).
fn message_text(message: &ConversationMessage) -> String {
    let parts: Vec<String> = message
        .content
        .iter()
        .flat_map(|branch| &branch.branch_content)
        .map(|part| match part {
            ContentPart::Text { text } => text.clone(),
            other => format!("[{}]", other.part_type()),
        })
        .collect();
    parts.join(" ")
}

/// List conversations (all pages), the most recent first.
#[derive(Debug, clap::Args)]
pub struct ConversationsArgs {
    /// The channel: ALL, API, WIDGET, SHARE... (as GPTBots names it).
    #[arg(long = "type", value_name = "TYPE", default_value = "ALL")]
    conversation_type: String,
    /// Only this user's conversations.
    #[arg(long, value_name = "ID")]
    user_id: Option<String>,
    /// From this time (Unix milliseconds) [default: 0].
    #[arg(long, value_name = "MS", default_value_t = 0)]
    since: i64,
    /// Until this time (Unix milliseconds) [default: now].
    #[arg(long, value_name = "MS")]
    until: Option<i64>,
    #[command(flatten)]
    api: ApiArgs,
}

impl ConversationsArgs {
    /// Reads every page, then prints one line per conversation.
    pub async fn run(self) -> ExitCode {
        let until = self.until.unwrap_or_else(now_millis);
        let mut query = ConversationListQuery::new(
            ConversationType::from(self.conversation_type.as_str()),
            self.since,
            until,
        );
        if let Some(user_id) = &self.user_id {
            query = query.with_user_id(user_id.clone());
        }
        self.api
            .run(
                "conversations",
                |client| all_conversations(client, query),
                show_conversations,
            )
            .await
    }
}

async fn all_conversations(
    client: Client,
    query: ConversationListQuery,
) -> Result<ConversationListResponse, Error> {
    let mut list = Vec::new();
    let mut total = 0;
    for page in 1..=MAX_PAGES {
        let answer = client
            .conversation_list(&query.clone().with_page(page, MAX_PAGE_SIZE))
            .await?;
        total = answer.total;
        let got = answer.list.len();
        list.extend(answer.list);
        if got == 0 || list.len() as u64 >= total {
            break;
        }
    }
    Ok(ConversationListResponse::new(list, total))
}

fn show_conversations(answer: &ConversationListResponse) -> String {
    let mut out = String::new();
    for c in &answer.list {
        let _ = writeln!(
            out,
            "{}  user {}  {} messages  {}",
            c.conversation_id,
            c.user_id.as_deref().unwrap_or("-"),
            c.message_count.unwrap_or(0),
            c.subject.as_deref().unwrap_or("")
        );
    }
    if out.is_empty() {
        out.push_str("(no conversations)");
    }
    out
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
