//! Suggested questions and referenced knowledge of an agent reply.
//!
//! Like feedback, an id that names no agent reply this mock holds is a parameter error naming
//! the field (the docs list no "not found" code for these calls).

use std::collections::HashMap;

use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use gptbots_protocol::reply_extras::{
    ReferencedKnowledgeQuery, ReferencedKnowledgeResponse, ReferencedPassage,
    SuggestedQuestionsQuery, SuggestedQuestionsResponse,
};

use super::{Refusal, Shared, check, check_key, delay, json, known_answer, parameter_error};
use crate::State;

/// How much of the reply a suggested question quotes, in characters.
const QUOTE_CHARS: usize = 40;

pub(super) async fn suggested_questions(
    AxumState(state): Shared,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    delay(&state).await;
    suggested_inner(&state, &headers, &params).unwrap_or_else(|refusal| refusal.respond(&state))
}

fn suggested_inner(
    state: &State,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<Response, Refusal> {
    check_key(state, headers)?;
    let Some(answer_id) = params.get("answer_id") else {
        return Err(parameter_error("answer_id", "required"));
    };
    check(SuggestedQuestionsQuery::new(answer_id.clone()).validate())?;
    let answer = known_answer(state, answer_id, "answer_id")?;
    Ok(json(
        StatusCode::OK,
        &SuggestedQuestionsResponse::new(suggestions(&answer.text)),
    ))
}

/// Three follow-up questions that quote the start of the reply.
fn suggestions(reply: &str) -> Vec<String> {
    let mut quote: String = reply.trim().chars().take(QUOTE_CHARS).collect();
    if reply.trim().chars().count() > QUOTE_CHARS {
        quote.push('…');
    }
    if quote.is_empty() {
        return vec![
            "Can you say that again?".to_owned(),
            "What else can you do?".to_owned(),
        ];
    }
    vec![
        format!("Can you tell me more about \"{quote}\"?"),
        format!("Why \"{quote}\"?"),
        "What else can you do?".to_owned(),
    ]
}

pub(super) async fn referenced_knowledge(
    AxumState(state): Shared,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    delay(&state).await;
    referenced_inner(&state, &headers, &params).unwrap_or_else(|refusal| refusal.respond(&state))
}

fn referenced_inner(
    state: &State,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<Response, Refusal> {
    check_key(state, headers)?;
    let Some(message_id) = params.get("message_id") else {
        return Err(parameter_error("message_id", "required"));
    };
    check(ReferencedKnowledgeQuery::new(message_id.clone()).validate())?;
    let answer = known_answer(state, message_id, "message_id")?;
    // The echo agent reads no knowledge base; one fixed passage shows the shape.
    let passage = ReferencedPassage::new("The GPTBots mock answers every message by echoing it.")
        .with_document("mock-knowledge-0001", "gptbots-mock.md")
        .with_source_url("https://example.invalid/gptbots-mock.md")
        .with_score(0.5);
    Ok(json(
        StatusCode::OK,
        &ReferencedKnowledgeResponse::new(
            answer.conversation_id,
            answer.question_id.unwrap_or_default(),
            message_id.clone(),
            vec![passage],
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_quote_a_bounded_start_of_the_reply() {
        let long = "x".repeat(500);
        let questions = suggestions(&long);
        assert_eq!(questions.len(), 3);
        assert!(questions.iter().all(|q| q.chars().count() < 80));
        assert_eq!(suggestions("  ").len(), 2);
    }
}
