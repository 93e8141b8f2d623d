//! Conversation list and conversation detail v1, both from the mock's store.
//!
//! The mock's conversations are all of type `API` (they were made through the API); `ALL`
//! matches them too, any other type matches none. A conversation is in the time window when
//! its latest message (or, with none, its creation) lies within `start_time..=end_time`.
//! `total` counts every match, not only the page. A page past the last one is 40005, except
//! page 1, which is an empty page when nothing matches.

use std::collections::HashMap;

use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use gptbots_protocol::ErrorCode;
use gptbots_protocol::conversation::MAX_PAGE_SIZE;
use gptbots_protocol::history::{
    ConversationDetailV1Query, ConversationDetailV1Response, ConversationListQuery,
    ConversationListResponse, ConversationSummary, ConversationType, HistoryMessage,
};
use gptbots_protocol::message_v1::MessageType;
use gptbots_protocol::message_v2::Role;

use super::{
    Refusal, Shared, check, check_key, conversation_not_found, delay, json, parameter_error,
};
use crate::store::message_text;
use crate::{MOCK_BOT_ID, State};

/// The page size when the query gives none.
const DEFAULT_PAGE_SIZE: u32 = 20;

pub(super) async fn conversation_list(
    AxumState(state): Shared,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    delay(&state).await;
    list_inner(&state, &headers, &params).unwrap_or_else(|refusal| refusal.respond(&state))
}

fn list_inner(
    state: &State,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<Response, Refusal> {
    check_key(state, headers)?;
    let Some(kind) = params.get("conversation_type") else {
        return Err(parameter_error(
            "conversation_type",
            "required (ALL for every channel)",
        ));
    };
    let start_time = required_millis(params, "start_time")?;
    let end_time = required_millis(params, "end_time")?;
    let page = number(params, "page", 1)?;
    let page_size = number(params, "page_size", DEFAULT_PAGE_SIZE)?;
    let mut query =
        ConversationListQuery::new(ConversationType::from(kind.as_str()), start_time, end_time)
            .with_page(page, page_size);
    if let Some(user_id) = params.get("user_id") {
        query = query.with_user_id(user_id.clone());
    }
    check(query.validate())?;
    let type_matches = matches!(
        query.conversation_type,
        ConversationType::All | ConversationType::Api
    );
    let matching: Vec<_> = state
        .store()
        .summaries()
        .into_iter()
        .filter(|_| type_matches)
        .filter(|s| query.user_id.as_deref().is_none_or(|u| u == s.user_id))
        .filter(|s| (start_time..=end_time).contains(&s.recent))
        .collect();
    let total = matching.len() as u64;
    let (skip, take) = window(page, page_size);
    past_the_end(page, skip, matching.len())?;
    let list = matching
        .into_iter()
        .rev() // the most recent first
        .skip(skip)
        .take(take)
        .map(|s| {
            let mut summary = ConversationSummary::new(s.conversation_id);
            summary.user_id = Some(s.user_id);
            summary.recent_chat_time = Some(s.recent);
            summary.subject = Some(s.subject);
            summary.conversation_type = Some(ConversationType::Api);
            summary.message_count = Some(s.message_count);
            summary.cost_credit = Some(0.0);
            summary.bot_id = Some(MOCK_BOT_ID.to_owned());
            summary
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &ConversationListResponse::new(list, total),
    ))
}

pub(super) async fn conversation_detail_v1(
    AxumState(state): Shared,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    delay(&state).await;
    detail_inner(&state, &headers, &params).unwrap_or_else(|refusal| refusal.respond(&state))
}

fn detail_inner(
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
    check(ConversationDetailV1Query::new(conversation_id.clone(), page, page_size).validate())?;
    let (skip, take) = window(page, page_size);
    let Some((total, content)) = state.store().page(conversation_id, skip, take) else {
        return Err(conversation_not_found(conversation_id));
    };
    past_the_end(page, skip, usize::try_from(total).unwrap_or(usize::MAX))?;
    let messages = content
        .into_iter()
        .map(|message| {
            let kind = if message.role == Role::User {
                MessageType::Question
            } else {
                MessageType::Answer
            };
            let mut item =
                HistoryMessage::new(message.message_id.clone(), kind, message_text(&message))
                    .with_create_time(message.create_time);
            if let Some(parent) = &message.parent_message_id {
                item = item.with_parent(parent.clone());
            }
            item
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &ConversationDetailV1Response::new(total, messages),
    ))
}

/// How many to skip and take for this page.
fn window(page: u32, page_size: u32) -> (usize, usize) {
    let skip = usize::try_from(u64::from(page.saturating_sub(1)) * u64::from(page_size))
        .unwrap_or(usize::MAX);
    (skip, usize::try_from(page_size).unwrap_or(usize::MAX))
}

/// 40005 for a page that starts past the last item (page 1 is never past the end).
fn past_the_end(page: u32, skip: usize, total: usize) -> Result<(), Refusal> {
    if page > 1 && skip >= total {
        return Err(Refusal::new(
            ErrorCode::PAGE_PAST_END,
            format!("page {page} lies past the end ({total} in all)"),
        ));
    }
    Ok(())
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

fn required_millis(params: &HashMap<String, String>, field: &str) -> Result<i64, Refusal> {
    let Some(text) = params.get(field) else {
        return Err(parameter_error(field, "required (Unix milliseconds)"));
    };
    text.trim()
        .parse::<i64>()
        .map_err(|_| parameter_error(field, "must be Unix milliseconds, a whole number"))
}
