//! Create conversation and conversation detail.

use std::collections::HashMap;

use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use gptbots_protocol::conversation::MAX_PAGE_SIZE;
use gptbots_protocol::{
    ConversationDetailQuery, ConversationDetailResponse, CreateConversationRequest,
    CreateConversationResponse, ErrorCode,
};

use super::{
    Body, Refusal, Shared, check, check_key, conversation_not_found, delay, json, parameter_error,
    parse, read_body,
};
use crate::State;

/// The page size of conversation detail when the query gives none.
const DEFAULT_PAGE_SIZE: u32 = 20;

pub(super) async fn create_conversation(
    AxumState(state): Shared,
    headers: HeaderMap,
    body: Body,
) -> Response {
    delay(&state).await;
    let body = match read_body(&state, body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    match create_conversation_inner(&state, &headers, &body) {
        Ok(response) => response,
        Err(refusal) => refusal.respond(&state),
    }
}

fn create_conversation_inner(
    state: &State,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Refusal> {
    check_key(state, headers)?;
    let request: CreateConversationRequest = parse(body)?;
    check(request.validate())?;
    let conversation_id = state.new_id(0xc0);
    state.store().create(
        conversation_id.clone(),
        &request.user_id,
        super::now_millis(),
    );
    Ok(json(
        StatusCode::OK,
        &CreateConversationResponse::new(conversation_id),
    ))
}

pub(super) async fn conversation_detail(
    AxumState(state): Shared,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    delay(&state).await;
    match conversation_detail_inner(&state, &headers, &params) {
        Ok(response) => response,
        Err(refusal) => refusal.respond(&state),
    }
}

fn number(params: &HashMap<String, String>, field: &str, default: u32) -> Result<u32, Refusal> {
    match params.get(field) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<u32>()
            .map_err(|_| parameter_error(field, "must be a whole number")),
    }
}

fn conversation_detail_inner(
    state: &State,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<Response, Refusal> {
    check_key(state, headers)?;
    let Some(conversation_id) = params.get("conversation_id") else {
        return Err(parameter_error("conversation_id", "required"));
    };
    let page = number(params, "page", 1)?;
    let page_size = number(params, "page_size", DEFAULT_PAGE_SIZE.min(MAX_PAGE_SIZE))?;
    let query = ConversationDetailQuery::new(conversation_id.clone(), page, page_size);
    check(query.validate())?;
    let skip = usize::try_from(u64::from(page.saturating_sub(1)) * u64::from(page_size))
        .unwrap_or(usize::MAX);
    let take = usize::try_from(page_size).unwrap_or(usize::MAX);
    // The page is copied out under the lock; serializing it happens after.
    let Some((total, content)) = state.store().page(conversation_id, skip, take) else {
        return Err(conversation_not_found(conversation_id));
    };
    // As the service does: a page past the end is error 40005, not an empty page (page 1 of a
    // conversation without messages is still an empty page).
    if skip > 0 && u64::try_from(skip).unwrap_or(u64::MAX) >= total {
        return Err(Refusal::new(
            ErrorCode::PAGE_PAST_END,
            format!("page {page} of {page_size} lies past the end ({total} messages)"),
        ));
    }
    Ok(json(
        StatusCode::OK,
        &ConversationDetailResponse::new(total, content),
    ))
}
