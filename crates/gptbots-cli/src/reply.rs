//! `gptbots feedback`, `gptbots quality`, `gptbots suggest` and `gptbots sources`: calls on
//! one agent reply, named by its message id.

use std::fmt::Write as _;
use std::process::ExitCode;

use gptbots_protocol::feedback::{
    AffectCountResponse, Feedback, MessageFeedbackRequest, MessageQualityRequest, Quality,
};
use gptbots_protocol::reply_extras::{
    ReferencedKnowledgeQuery, ReferencedKnowledgeResponse, SuggestedQuestionsQuery,
    SuggestedQuestionsResponse,
};

use crate::api::ApiArgs;

/// Give a reply a thumbs up or down (or take it back).
#[derive(Debug, clap::Args)]
pub struct FeedbackArgs {
    /// The message id of the agent's reply.
    message_id: String,
    /// The feedback: positive (thumbs up), negative (thumbs down), or canceled (takes back an
    /// earlier one).
    #[arg(value_enum)]
    feedback: Feedback,
    #[command(flatten)]
    api: ApiArgs,
}

impl FeedbackArgs {
    /// Sends the feedback.
    pub async fn run(self) -> ExitCode {
        let request = MessageFeedbackRequest::new(self.message_id.clone(), self.feedback.clone());
        self.api
            .run(
                "feedback",
                |client| async move { client.message_feedback(&request).await },
                |answer| recorded("feedback", answer),
            )
            .await
    }
}

/// Record whether a reply solved the user's problem.
#[derive(Debug, clap::Args)]
pub struct QualityArgs {
    /// The message id of the agent's reply.
    message_id: String,
    /// The verdict: none (clears an earlier one), unresolved, partially-resolved or
    /// fully-resolved.
    #[arg(value_enum)]
    quality: Quality,
    #[command(flatten)]
    api: ApiArgs,
}

impl QualityArgs {
    /// Sends the verdict.
    pub async fn run(self) -> ExitCode {
        let request = MessageQualityRequest::new(self.message_id.clone(), self.quality.clone());
        self.api
            .run(
                "quality",
                |client| async move { client.message_quality(&request).await },
                |answer| recorded("quality", answer),
            )
            .await
    }
}

fn recorded(what: &str, answer: &AffectCountResponse) -> String {
    match answer.affect_count {
        Some(count) => format!("{what} recorded (affectCount {count})"),
        None => format!("{what} recorded"),
    }
}

/// Print the questions the agent suggests after a reply.
#[derive(Debug, clap::Args)]
pub struct SuggestArgs {
    /// The message id of the agent's reply.
    message_id: String,
    #[command(flatten)]
    api: ApiArgs,
}

impl SuggestArgs {
    /// Asks for the suggested questions.
    pub async fn run(self) -> ExitCode {
        let query = SuggestedQuestionsQuery::new(self.message_id.clone());
        self.api
            .run(
                "suggest",
                |client| async move { client.suggested_questions(&query).await },
                |answer: &SuggestedQuestionsResponse| {
                    if answer.questions.is_empty() {
                        "(no suggested questions)".to_owned()
                    } else {
                        answer.questions.join("\n")
                    }
                },
            )
            .await
    }
}

/// Print the knowledge-base passages a reply drew on.
#[derive(Debug, clap::Args)]
pub struct SourcesArgs {
    /// The message id of the agent's reply.
    message_id: String,
    #[command(flatten)]
    api: ApiArgs,
}

impl SourcesArgs {
    /// Asks for the referenced knowledge.
    pub async fn run(self) -> ExitCode {
        let query = ReferencedKnowledgeQuery::new(self.message_id.clone());
        self.api
            .run(
                "sources",
                |client| async move { client.referenced_knowledge(&query).await },
                show_sources,
            )
            .await
    }
}

fn show_sources(answer: &ReferencedKnowledgeResponse) -> String {
    let mut out = String::new();
    for passage in &answer.correlate_dataset {
        let name = passage
            .data_name
            .as_deref()
            .or(passage.data_id.as_deref())
            .unwrap_or("(unnamed)");
        let score = passage
            .score
            .map(|score| format!(" (score {score})"))
            .unwrap_or_default();
        let _ = writeln!(out, "{name}{score}: {}", passage.content);
        if let Some(url) = &passage.source_url {
            let _ = writeln!(out, "  {url}");
        }
    }
    if out.is_empty() {
        out.push_str("(no referenced knowledge)");
    }
    out
}
