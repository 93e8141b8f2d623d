//! What can be asked about an agent's reply once it is there: questions the user might ask
//! next (`GET /v1/next/question`) and the knowledge-base passages the reply drew on
//! (`GET /v1/correlate/dataset`).
//!
//! Both need the feature switched on in the agent's settings, else they answer error 200222.
//!
//! Upstream: <https://www.gptbots.ai/es_ES/docs/api-reference/conversation-api/suggested-questions>
//! and <https://www.gptbots.ai/docs/api-reference/conversation-api/get-correlated-dataset>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::validate::{ValidationErrors, Violation};

/// The path of suggested questions.
pub const SUGGESTED_QUESTIONS_PATH: &str = "/v1/next/question";
/// The path of referenced knowledge.
pub const REFERENCED_KNOWLEDGE_PATH: &str = "/v1/correlate/dataset";

/// The query of suggested questions: `?answer_id=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct SuggestedQuestionsQuery {
    /// The `message_id` of the agent's reply.
    #[cfg_attr(feature = "schemars", schemars(length(min = 1)))]
    pub answer_id: String,
}

impl SuggestedQuestionsQuery {
    /// Suggestions after this reply.
    pub fn new(answer_id: impl Into<String>) -> Self {
        SuggestedQuestionsQuery {
            answer_id: answer_id.into(),
        }
    }

    /// Every documented rule this query breaks: `answer_id` not empty.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut violations = Vec::new();
        if self.answer_id.is_empty() {
            violations.push(Violation::new("answer_id", "must not be empty"));
        }
        ValidationErrors::check(violations)
    }
}

/// The reply of suggested questions: `{questions: [string]}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct SuggestedQuestionsResponse {
    /// Questions the user might ask next; `null` or absent reads as none.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<Vec<String>>"))]
    pub questions: Vec<String>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl SuggestedQuestionsResponse {
    /// A reply with these questions.
    pub fn new(questions: Vec<String>) -> Self {
        SuggestedQuestionsResponse {
            questions,
            extra: Map::new(),
        }
    }
}

/// The query of referenced knowledge: `?message_id=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ReferencedKnowledgeQuery {
    /// The `message_id` of the agent's reply.
    #[cfg_attr(feature = "schemars", schemars(length(min = 1)))]
    pub message_id: String,
}

impl ReferencedKnowledgeQuery {
    /// The passages behind this reply.
    pub fn new(message_id: impl Into<String>) -> Self {
        ReferencedKnowledgeQuery {
            message_id: message_id.into(),
        }
    }

    /// Every documented rule this query breaks: `message_id` not empty.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut violations = Vec::new();
        if self.message_id.is_empty() {
            violations.push(Violation::new("message_id", "must not be empty"));
        }
        ValidationErrors::check(violations)
    }
}

/// The reply of referenced knowledge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ReferencedKnowledgeResponse {
    /// The conversation.
    pub conversation_id: String,
    /// The user's message the reply answers.
    pub question_id: String,
    /// The reply.
    pub answer_id: String,
    /// The passages, best first as the service orders them; `null` or absent reads as none.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(
        feature = "schemars",
        schemars(with = "Option<Vec<ReferencedPassage>>")
    )]
    pub correlate_dataset: Vec<ReferencedPassage>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl ReferencedKnowledgeResponse {
    /// A reply.
    pub fn new(
        conversation_id: impl Into<String>,
        question_id: impl Into<String>,
        answer_id: impl Into<String>,
        correlate_dataset: Vec<ReferencedPassage>,
    ) -> Self {
        ReferencedKnowledgeResponse {
            conversation_id: conversation_id.into(),
            question_id: question_id.into(),
            answer_id: answer_id.into(),
            correlate_dataset,
            extra: Map::new(),
        }
    }
}

/// One knowledge-base passage a reply drew on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ReferencedPassage {
    /// The passage's text; `null` reads as empty.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<String>"))]
    pub content: String,
    /// The knowledge-base document it is from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_id: Option<String>,
    /// The document's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_name: Option<String>,
    /// Where the document came from, when it came from a URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// How close the passage is to the question (0 to 1). The example shows a number and a
    /// table says string: both are read; it is written back as a number.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_number_or_string"
    )]
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::reply_extras::score_schema")
    )]
    pub score: Option<f64>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl ReferencedPassage {
    /// A passage.
    pub fn new(content: impl Into<String>) -> Self {
        ReferencedPassage {
            content: content.into(),
            data_id: None,
            data_name: None,
            source_url: None,
            score: None,
            extra: Map::new(),
        }
    }

    /// From this document.
    pub fn with_document(
        mut self,
        data_id: impl Into<String>,
        data_name: impl Into<String>,
    ) -> Self {
        self.data_id = Some(data_id.into());
        self.data_name = Some(data_name.into());
        self
    }

    /// With the document's source URL.
    pub fn with_source_url(mut self, source_url: impl Into<String>) -> Self {
        self.source_url = Some(source_url.into());
        self
    }

    /// With this score.
    pub fn with_score(mut self, score: f64) -> Self {
        self.score = Some(score);
        self
    }
}

/// A number that may come as a decimal string (`0.93` or `"0.93"`); `null` is `None`. A string
/// that is not a finite decimal is an error that names it.
fn opt_number_or_string<'de, D>(deserializer: D) -> Result<Option<f64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::de::Error;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrString {
        Number(f64),
        String(String),
    }
    match Option::<NumberOrString>::deserialize(deserializer)? {
        None => Ok(None),
        Some(NumberOrString::Number(n)) => Ok(Some(n)),
        Some(NumberOrString::String(s)) => match s.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Some(n)),
            _ => Err(D::Error::invalid_value(
                serde::de::Unexpected::Str(&s),
                &"a number, or a string of a decimal number",
            )),
        },
    }
}

/// The schema of `score`: a number, a string of a decimal number, or `null`.
#[cfg(feature = "schemars")]
pub(crate) fn score_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "anyOf": [
            { "type": "number" },
            { "type": "string", "pattern": "^\\s*[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?\\s*$" },
            { "type": "null" }
        ]
    })
}
