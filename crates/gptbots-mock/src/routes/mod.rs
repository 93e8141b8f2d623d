//! The mock's HTTP routes, by job: `conversations` (create, detail), `messages` (send v1 and
//! v2 in every mode), `feedback` (feedback, quality), `history` (list, detail v1),
//! `reply_extras` (suggested questions, referenced knowledge), `agent` (agent information),
//! `human` (the hand-off calls back, webhook check); here the router and what every route
//! shares (the key check, the error body, the body limit).

mod agent;
mod conversations;
mod feedback;
mod history;
mod human;
mod messages;
mod reply_extras;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State as AxumState};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gptbots_protocol::endpoint::{self, Scheme};
use gptbots_protocol::{ErrorCode, ErrorResponse, ValidationErrors};
use serde::Serialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use crate::{ErrorStatus, State};

type Shared = AxumState<Arc<State>>;

/// A request body, or why it could not be read (too large: 413).
type Body = Result<Bytes, BytesRejection>;

pub(crate) fn router(state: Arc<State>) -> Router {
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .route(
            endpoint::CREATE_CONVERSATION,
            post(conversations::create_conversation),
        )
        .route(endpoint::SEND_MESSAGE_V2, post(messages::send_v2))
        .route(endpoint::SEND_MESSAGE_V1, post(messages::send_v1))
        .route(
            endpoint::CONVERSATION_DETAIL_V2,
            get(conversations::conversation_detail),
        )
        .merge(more_routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

/// The routes of the calls beyond create, send and detail v2.
fn more_routes() -> Router<Arc<State>> {
    use gptbots_protocol::agent::AGENT_DETAIL_PATH;
    use gptbots_protocol::feedback::{MESSAGE_FEEDBACK_PATH, MESSAGE_QUALITY_PATH};
    use gptbots_protocol::handoff::{HUMAN_CLOSE_PATH, HUMAN_MESSAGE_PATH};
    use gptbots_protocol::history::{CONVERSATION_DETAIL_V1_PATH, CONVERSATION_LIST_PATH};
    use gptbots_protocol::reply_extras::{REFERENCED_KNOWLEDGE_PATH, SUGGESTED_QUESTIONS_PATH};
    use gptbots_protocol::webhook_check::WEBHOOK_CHECK_PATH;
    Router::new()
        .route(MESSAGE_FEEDBACK_PATH, post(feedback::feedback))
        .route(MESSAGE_QUALITY_PATH, post(feedback::quality))
        .route(CONVERSATION_LIST_PATH, get(history::conversation_list))
        .route(
            CONVERSATION_DETAIL_V1_PATH,
            get(history::conversation_detail_v1),
        )
        .route(
            SUGGESTED_QUESTIONS_PATH,
            get(reply_extras::suggested_questions),
        )
        .route(
            REFERENCED_KNOWLEDGE_PATH,
            get(reply_extras::referenced_knowledge),
        )
        .route(AGENT_DETAIL_PATH, get(agent::agent_detail))
        .route(WEBHOOK_CHECK_PATH, post(human::webhook_check))
        .route(HUMAN_MESSAGE_PATH, post(human::human_message))
        .route(HUMAN_CLOSE_PATH, post(human::human_close))
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        "no such endpoint on the GPTBots mock\n",
    )
        .into_response()
}

/// A request the mock refuses: it becomes the `{code, message}` error body.
struct Refusal {
    code: ErrorCode,
    message: String,
    /// The status when it is not the one of the code.
    status: Option<StatusCode>,
}

impl Refusal {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
            status: None,
        }
    }

    /// A well-formed request about something the mock does not have (a reply id it never
    /// gave): 404, whatever the code, so that a client (and schemathesis) tells it from a
    /// malformed request.
    fn not_found(self) -> Self {
        Refusal {
            status: Some(StatusCode::NOT_FOUND),
            ..self
        }
    }

    fn respond(self, state: &State) -> Response {
        match self.status {
            Some(status) => api_error_with(state, status, self.code, self.message),
            None => api_error(state, self.code, self.message),
        }
    }
}

/// An error body `{code, message}` with the configured kind of status.
fn api_error(state: &State, code: ErrorCode, message: impl Into<String>) -> Response {
    let status = match code {
        ErrorCode::AUTHENTICATION_FAILED => StatusCode::UNAUTHORIZED,
        // A page past the end does not exist, as a conversation may not.
        ErrorCode::CONVERSATION_NOT_FOUND | ErrorCode::PAGE_PAST_END => StatusCode::NOT_FOUND,
        ErrorCode(c) if c >= 50000 => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    api_error_with(state, status, code, message)
}

/// An error body with this status when statuses match codes, or 200.
fn api_error_with(
    state: &State,
    status: StatusCode,
    code: ErrorCode,
    message: impl Into<String>,
) -> Response {
    let status = match state.config.error_status {
        ErrorStatus::AlwaysOk => StatusCode::OK,
        ErrorStatus::Matching => status,
    };
    json(status, &ErrorResponse::new(code, message))
}

/// The body, or the error answer: a body over the limit is 413 with code 40000.
// The `Err` is the answer itself, built once per refused request: boxing it buys nothing.
#[allow(clippy::result_large_err)]
fn read_body(state: &State, body: Body) -> Result<Bytes, Response> {
    body.map_err(|rejection| {
        let status = rejection.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!(
                "parameter error: the request body is larger than {} bytes",
                state.config.max_body_bytes
            )
        } else {
            format!("parameter error: the request body could not be read: {rejection}")
        };
        api_error_with(state, status, ErrorCode::PARAMETER_ERROR, message)
    })
}

pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (status, [(CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the mock could not serialize its reply",
        )
            .into_response(),
    }
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub(crate) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

async fn delay(state: &State) {
    if !state.config.response_delay.is_zero() {
        tokio::time::sleep(state.config.response_delay).await;
    }
}

/// The key check: `Authorization: Bearer {key}` (the scheme in any case, as RFC 9110 says),
/// the key compared in constant time (only its length can show through timing).
fn check_key(state: &State, headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(Refusal::new(
            ErrorCode::AUTHENTICATION_FAILED,
            "authentication failed: no Authorization header (send `Authorization: Bearer {API key}`)",
        ));
    };
    let expected = state.config.api_key.expose().as_bytes();
    let (scheme, token) = match value.as_bytes().iter().position(|b| *b == b' ') {
        Some(at) => value.as_bytes().split_at(at),
        None => (value.as_bytes(), &[][..]),
    };
    let given = token.trim_ascii_start();
    let same = scheme.eq_ignore_ascii_case(Scheme::Bearer.as_str().as_bytes())
        && bool::from(given.ct_eq(expected));
    if same {
        Ok(())
    } else {
        Err(Refusal::new(
            ErrorCode::AUTHENTICATION_FAILED,
            "authentication failed: wrong API key",
        ))
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    gptbots_protocol::from_slice::<T>(body).map_err(|err| {
        Refusal::new(
            ErrorCode::PARAMETER_ERROR,
            format!("parameter error at {}: {}", err.path, err.message),
        )
    })
}

fn check(result: Result<(), ValidationErrors>) -> Result<(), Refusal> {
    result.map_err(|errors| parameter_errors(&errors))
}

fn parameter_errors(errors: &ValidationErrors) -> Refusal {
    let list: Vec<String> = errors
        .violations()
        .iter()
        .map(ToString::to_string)
        .collect();
    Refusal::new(
        ErrorCode::PARAMETER_ERROR,
        format!("parameter error: {}", list.join("; ")),
    )
}

fn parameter_error(field: &str, message: &str) -> Refusal {
    Refusal::new(
        ErrorCode::PARAMETER_ERROR,
        format!("parameter error at {field}: {message}"),
    )
}

/// The agent reply with this id, or 40000 naming `field` (the docs of the calls that take a
/// reply's id list no "not found" code).
fn known_answer(state: &State, id: &str, field: &str) -> Result<crate::store::Answer, Refusal> {
    state.store().find_answer(id).ok_or_else(|| {
        parameter_error(field, &format!("no agent reply has the id {id:?}")).not_found()
    })
}

fn conversation_not_found(conversation_id: &str) -> Refusal {
    Refusal::new(
        ErrorCode::CONVERSATION_NOT_FOUND,
        format!("conversation does not exist: {conversation_id:?}"),
    )
}
