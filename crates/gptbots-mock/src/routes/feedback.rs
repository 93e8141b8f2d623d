//! Message feedback and reply quality: both name an agent reply by `answer_id`.
//!
//! The docs document 40000 (parameter error) for these calls and no "not found" code, so an
//! `answer_id` that names no agent reply this mock holds is a parameter error naming
//! `answer_id`, as a missing one is.

use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use gptbots_protocol::feedback::{
    AffectCountResponse, Feedback, MessageFeedbackRequest, MessageQualityRequest,
};

use super::{Body, Refusal, Shared, check, check_key, delay, json, known_answer, parse, read_body};
use crate::State;

pub(super) async fn feedback(AxumState(state): Shared, headers: HeaderMap, body: Body) -> Response {
    delay(&state).await;
    let body = match read_body(&state, body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    feedback_inner(&state, &headers, &body).unwrap_or_else(|refusal| refusal.respond(&state))
}

fn feedback_inner(state: &State, headers: &HeaderMap, body: &[u8]) -> Result<Response, Refusal> {
    check_key(state, headers)?;
    let request: MessageFeedbackRequest = parse(body)?;
    check(request.validate())?;
    known_answer(state, &request.answer_id, "answer_id")?;
    // Conversation detail shows the feedback on the reply; cancelling takes it back.
    let shown = match request.feedback {
        Feedback::Canceled => None,
        ref other => Some(gptbots_protocol::conversation::RecordedFeedback::from(
            other.as_str(),
        )),
    };
    state.store().set_feedback(&request.answer_id, shown);
    Ok(json(StatusCode::OK, &AffectCountResponse::new(1)))
}

pub(super) async fn quality(AxumState(state): Shared, headers: HeaderMap, body: Body) -> Response {
    delay(&state).await;
    let body = match read_body(&state, body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    quality_inner(&state, &headers, &body).unwrap_or_else(|refusal| refusal.respond(&state))
}

fn quality_inner(state: &State, headers: &HeaderMap, body: &[u8]) -> Result<Response, Refusal> {
    check_key(state, headers)?;
    let request: MessageQualityRequest = parse(body)?;
    check(request.validate())?;
    known_answer(state, &request.answer_id, "answer_id")?;
    Ok(json(StatusCode::OK, &AffectCountResponse::new(1)))
}
