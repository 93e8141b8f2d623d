//! The hand-off calls back (`/v1/human/message/receive`, `/v1/human/close`) and webhook check.

use std::sync::Arc;

use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use gptbots_protocol::ErrorCode;
use gptbots_protocol::handoff::{ESTABLISH_PATH, HumanCloseRequest, HumanMessageRequest};
use gptbots_protocol::human_calls::HumanCallResponse;
use gptbots_protocol::webhook_check::{WebhookCheckResponse, WebhookCheckResult, WebhookKind};

use super::{Body, Refusal, Shared, check_key, delay, json, parameter_error, parse, read_body};
use crate::delivery;
use crate::{State, WebhookTarget, handoff};
use gptbots_protocol::endpoint::redact_url;

/// The component id and name webhook check gives the mock's hand-off webhook.
const HANDOFF_COMPONENT_ID: &str = "mock-human-service";
const HANDOFF_COMPONENT_NAME: &str = "Human hand-off";

fn no_session(session_id: &str) -> Refusal {
    Refusal::new(
        ErrorCode::CONVERSATION_NOT_FOUND,
        format!("no open hand-off session has the id {session_id:?}"),
    )
}

fn empty_id(session_id: &str) -> Result<(), Refusal> {
    if session_id.is_empty() {
        Err(parameter_error("conversation_id", "must not be empty"))
    } else {
        Ok(())
    }
}

pub(super) async fn human_message(
    AxumState(state): Shared,
    headers: HeaderMap,
    body: Body,
) -> Response {
    delay(&state).await;
    let body = match read_body(&state, body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    message_inner(&state, &headers, &body).unwrap_or_else(|refusal| refusal.respond(&state))
}

fn message_inner(
    state: &Arc<State>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Refusal> {
    check_key(state, headers)?;
    let request: HumanMessageRequest = parse(body)?;
    empty_id(&request.conversation_id)?;
    if !handoff::human_message(state, &request.conversation_id, &request.body) {
        return Err(no_session(&request.conversation_id));
    }
    Ok(json(StatusCode::OK, &HumanCallResponse::success()))
}

pub(super) async fn human_close(
    AxumState(state): Shared,
    headers: HeaderMap,
    body: Body,
) -> Response {
    delay(&state).await;
    let body = match read_body(&state, body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    close_inner(&state, &headers, &body).unwrap_or_else(|refusal| refusal.respond(&state))
}

fn close_inner(state: &State, headers: &HeaderMap, body: &[u8]) -> Result<Response, Refusal> {
    check_key(state, headers)?;
    let request: HumanCloseRequest = parse(body)?;
    empty_id(&request.conversation_id)?;
    if !handoff::human_close(state, &request.conversation_id) {
        return Err(no_session(&request.conversation_id));
    }
    Ok(json(StatusCode::OK, &HumanCallResponse::success()))
}

/// Probes the reply webhook and the hand-off webhook (its establish path) with
/// `{"istest": true}`, one POST each, and says how each answered. Without either, the list is
/// empty.
pub(super) async fn webhook_check(AxumState(state): Shared, headers: HeaderMap) -> Response {
    delay(&state).await;
    if let Err(refusal) = check_key(&state, &headers) {
        return refusal.respond(&state);
    }
    let probe_body = br#"{"istest":true}"#;
    let mut results = Vec::new();
    if let Some(target) = state.config.webhook.clone() {
        let result = WebhookCheckResult::new(WebhookKind::Message, redact_url(&target.url), false);
        results.push(probe(&state, &target, probe_body, result).await);
    }
    if let Some(handoff) = state.config.handoff.clone() {
        let mut target = WebhookTarget::new(handoff.url_of(ESTABLISH_PATH));
        if let Some(reply) = &state.config.webhook {
            target = target.with_timeout(reply.timeout);
        }
        let result =
            WebhookCheckResult::new(WebhookKind::HumanService, redact_url(&target.url), false)
                .with_component(HANDOFF_COMPONENT_ID, HANDOFF_COMPONENT_NAME);
        results.push(probe(&state, &target, probe_body, result).await);
    }
    json(StatusCode::OK, &WebhookCheckResponse::new(results))
}

async fn probe(
    state: &State,
    target: &WebhookTarget,
    body: &[u8],
    mut result: WebhookCheckResult,
) -> WebhookCheckResult {
    let (outcome, latency) = delivery::probe(state, target, body.to_vec()).await;
    if let Ok(status) = outcome {
        let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        result = result.with_answer(u32::from(status), latency_ms);
        result.reachable = (200..300).contains(&status);
    }
    result
}
