//! Agent information: a fixed description of the mock's agent.

use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use gptbots_protocol::agent::{AgentDetailResponse, BotType};

use super::{Shared, check_key, delay, json};
use crate::MOCK_BOT_ID;

pub(super) async fn agent_detail(AxumState(state): Shared, headers: HeaderMap) -> Response {
    delay(&state).await;
    if let Err(refusal) = check_key(&state, &headers) {
        return refusal.respond(&state);
    }
    let mut detail = AgentDetailResponse::new(MOCK_BOT_ID)
        .with_name("GPTBots mock")
        .with_bot_type(BotType::QuestionAnswer);
    detail.welcome_message = Some("Hello! I repeat what you say.".to_owned());
    detail.introduction =
        Some("The agent of the GPTBots mock: it echoes every message.".to_owned());
    detail.creativity_level = Some(0.0);
    detail.doc_correlation = Some(0.0);
    detail.irrelevant_questions = Some(false);
    detail.long_term_memory = Some(false);
    json(StatusCode::OK, &detail)
}
