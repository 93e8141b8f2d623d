//! The mock's HTTP routes.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Query, State as AxumState};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::StreamExt;
use gptbots_protocol::conversation::{ConversationMessage, MAX_PAGE_SIZE};
use gptbots_protocol::endpoint;
use gptbots_protocol::message_v1::{FileV1, SendMessageResponseV1};
use gptbots_protocol::message_v2::{
    Attachment, Attachments, Content, ContentPart, ResponseMode, Role,
};
use gptbots_protocol::stream::{AssembledReply, FrameEncoder};
use gptbots_protocol::{
    ConversationDetailQuery, ConversationDetailResponse, CreateConversationRequest,
    CreateConversationResponse, ErrorCode, ErrorResponse, SendMessageRequest, SendMessageRequestV1,
    ValidationErrors,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::agent::{AgentReply, AgentRequest, ApiVersion, AttachmentInfo};
use crate::chaos::{XorShift, chop};
use crate::{Conversation, EncodeStyle, ErrorStatus, State, WebhookDelivery};

/// Requests larger than this are refused (documents may be 20 MB, base64 makes them larger).
const BODY_LIMIT: usize = 64 * 1024 * 1024;
/// The page size of conversation detail when the query gives none.
const DEFAULT_PAGE_SIZE: u32 = 20;

type Shared = AxumState<Arc<State>>;

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route(endpoint::CREATE_CONVERSATION, post(create_conversation))
        .route(endpoint::SEND_MESSAGE_V2, post(send_v2))
        .route(endpoint::SEND_MESSAGE_V1, post(send_v1))
        .route(endpoint::CONVERSATION_DETAIL_V2, get(conversation_detail))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
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
}

impl Refusal {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
        }
    }

    fn respond(self, state: &State) -> Response {
        api_error(state, self.code, self.message)
    }
}

/// An error body `{code, message}` with the configured kind of status.
fn api_error(state: &State, code: ErrorCode, message: impl Into<String>) -> Response {
    let status = match state.config.error_status {
        ErrorStatus::AlwaysOk => StatusCode::OK,
        ErrorStatus::Matching => match code {
            ErrorCode::AUTHENTICATION_FAILED => StatusCode::UNAUTHORIZED,
            ErrorCode::CONVERSATION_NOT_FOUND => StatusCode::NOT_FOUND,
            ErrorCode(c) if c >= 50000 => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        },
    };
    json(status, &ErrorResponse::new(code, message))
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
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

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A new id: 24 lower-case hex characters, unique for this server.
fn new_id(state: &State, tag: u32) -> String {
    let n = state.ids.fetch_add(1, Ordering::Relaxed);
    let mut rng = XorShift::new(n);
    format!("{tag:08x}{:016x}", rng.next_u64())
}

async fn delay(state: &State) {
    if !state.config.response_delay.is_zero() {
        tokio::time::sleep(state.config.response_delay).await;
    }
}

/// The key check: `Authorization: Bearer {key}`, compared without early exit.
fn check_key(state: &State, headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(Refusal::new(
            ErrorCode::AUTHENTICATION_FAILED,
            "authentication failed: no Authorization header (send `Authorization: Bearer {API key}`)",
        ));
    };
    let expected = state.config.api_key.bearer_header();
    let given = value.as_bytes();
    let same = given.len() == expected.len()
        && given
            .iter()
            .zip(expected.as_bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
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

fn conversation_not_found(conversation_id: &str) -> Refusal {
    Refusal::new(
        ErrorCode::CONVERSATION_NOT_FOUND,
        format!("conversation does not exist: {conversation_id:?}"),
    )
}

fn lock_conversations(state: &State) -> std::sync::MutexGuard<'_, HashMap<String, Conversation>> {
    match state.conversations.lock() {
        Ok(map) => map,
        Err(poisoned) => poisoned.into_inner(),
    }
}

async fn create_conversation(
    AxumState(state): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    delay(&state).await;
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
    let conversation_id = new_id(state, 0xc0);
    lock_conversations(state).insert(
        conversation_id.clone(),
        Conversation {
            messages: Vec::new(),
        },
    );
    Ok(json(
        StatusCode::OK,
        &CreateConversationResponse::new(conversation_id),
    ))
}

/// What both send endpoints have in common, after their own parsing.
struct Send {
    api: ApiVersion,
    conversation_id: String,
    mode: ResponseMode,
    text: String,
    attachments: Vec<AttachmentInfo>,
    /// The user's message as conversation detail shows it.
    parts: Vec<ContentPart>,
}

async fn send_v2(AxumState(state): Shared, headers: HeaderMap, body: Bytes) -> Response {
    delay(&state).await;
    let send = match send_v2_parse(&state, &headers, &body) {
        Ok(send) => send,
        Err(refusal) => return refusal.respond(&state),
    };
    answer(state, send).await
}

fn send_v2_parse(state: &State, headers: &HeaderMap, body: &[u8]) -> Result<Send, Refusal> {
    check_key(state, headers)?;
    let request: SendMessageRequest = parse(body)?;
    check_mode(state, &request.response_mode)?;
    for (i, message) in request.messages.iter().enumerate() {
        if !message.role.is_known() {
            return Err(parameter_error(
                &format!("messages[{i}].role"),
                "must be `user` or `assistant`",
            ));
        }
    }
    check(request.validate())?;
    let Some(user) = request.messages.iter().rev().find(|m| m.role == Role::User) else {
        return Err(parameter_error(
            "messages",
            "at least one message with role `user` is required",
        ));
    };
    let mut texts = Vec::new();
    let mut attachments = Vec::new();
    let parts = match &user.content {
        Content::Text(text) => {
            texts.push(text.clone());
            vec![ContentPart::text(text.clone())]
        }
        Content::Parts(parts) => {
            for part in parts {
                match part {
                    ContentPart::Text { text } => texts.push(text.clone()),
                    ContentPart::Audio { audio: files }
                    | ContentPart::Image { image: files }
                    | ContentPart::Document { document: files } => {
                        attachments.extend(files.iter().map(|file| AttachmentInfo {
                            kind: part.part_type().to_owned(),
                            name: file.name.clone(),
                            format: file.format.clone(),
                        }));
                    }
                    other => attachments.push(AttachmentInfo {
                        kind: other.part_type().to_owned(),
                        name: None,
                        format: None,
                    }),
                }
            }
            parts.clone()
        }
    };
    Ok(Send {
        api: ApiVersion::V2,
        conversation_id: request.conversation_id,
        mode: request.response_mode,
        text: texts.join(" "),
        attachments,
        parts,
    })
}

async fn send_v1(AxumState(state): Shared, headers: HeaderMap, body: Bytes) -> Response {
    delay(&state).await;
    let send = match send_v1_parse(&state, &headers, &body) {
        Ok(send) => send,
        Err(refusal) => return refusal.respond(&state),
    };
    answer(state, send).await
}

fn send_v1_parse(state: &State, headers: &HeaderMap, body: &[u8]) -> Result<Send, Refusal> {
    check_key(state, headers)?;
    let request: SendMessageRequestV1 = parse(body)?;
    check_mode(state, &request.response_mode)?;
    check(request.validate())?;
    let text = request.text.clone().unwrap_or_default();
    let mut parts = Vec::new();
    if !text.is_empty() {
        parts.push(ContentPart::text(text.clone()));
    }
    let mut attachments = Vec::new();
    for file in request.files.iter().flatten() {
        let kind = if file.is_image() { "image" } else { "file" };
        attachments.push(AttachmentInfo {
            kind: kind.to_owned(),
            name: Some(file.name.clone()),
            format: None,
        });
        parts.push(v1_file_part(file));
    }
    Ok(Send {
        api: ApiVersion::V1,
        conversation_id: request.conversation_id,
        mode: request.response_mode,
        text,
        attachments,
        parts,
    })
}

/// A v1 file as the part conversation detail shows.
fn v1_file_part(file: &FileV1) -> ContentPart {
    let format = file
        .name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let attachment = match (&file.url, &file.base64_content) {
        (Some(url), _) => Attachment::url(url.clone(), format, file.name.clone()),
        (None, Some(content)) => Attachment::base64(content.clone(), format, file.name.clone()),
        (None, None) => Attachment::default(),
    };
    let attachments = Attachments::One(attachment);
    if file.is_image() {
        ContentPart::image(attachments)
    } else {
        ContentPart::document(attachments)
    }
}

fn check_mode(state: &State, mode: &ResponseMode) -> Result<(), Refusal> {
    match mode {
        ResponseMode::Blocking | ResponseMode::Streaming => Ok(()),
        ResponseMode::Webhook if state.config.webhook.is_some() => Ok(()),
        ResponseMode::Webhook => Err(parameter_error(
            "response_mode",
            "webhook mode needs a webhook URL, and this mock has none (start it with --webhook-url)",
        )),
        _ => Err(parameter_error(
            "response_mode",
            "must be `blocking`, `streaming` or `webhook`",
        )),
    }
}

/// Asks the agent, stores both messages, and answers in the requested mode.
async fn answer(state: Arc<State>, send: Send) -> Response {
    if !lock_conversations(&state).contains_key(&send.conversation_id) {
        return conversation_not_found(&send.conversation_id).respond(&state);
    }
    let user_message_id = new_id(&state, 0x0a);
    let message_id = new_id(&state, 0x0b);
    let request = AgentRequest {
        conversation_id: send.conversation_id.clone(),
        message_id: message_id.clone(),
        text: send.text,
        attachments: send.attachments,
        api: send.api,
    };
    let reply = state.config.agent.reply(&request);
    let assembled: AssembledReply = reply.frames.iter().cloned().collect();
    let message_id = assembled.message_id.clone().unwrap_or(message_id);
    let reply_text = if assembled.text.is_empty() {
        assembled.audio_transcript.clone()
    } else {
        assembled.text.clone()
    };
    {
        let mut conversations = lock_conversations(&state);
        let Some(conversation) = conversations.get_mut(&send.conversation_id) else {
            return conversation_not_found(&send.conversation_id).respond(&state);
        };
        let created = now_millis();
        conversation.messages.push(ConversationMessage::new(
            user_message_id.clone(),
            Role::User,
            created,
            send.parts,
        ));
        if assembled.errors.is_empty() {
            let mut answer = ConversationMessage::new(
                message_id.clone(),
                Role::Assistant,
                created,
                vec![ContentPart::text(reply_text.clone())],
            );
            answer.parent_message_id = Some(user_message_id);
            conversation.messages.push(answer);
        }
    }
    match send.mode {
        ResponseMode::Streaming => stream_response(&state, reply),
        mode => {
            if let Some(error) = assembled.errors.first() {
                let message = error.message.clone().unwrap_or_default();
                return api_error(&state, error.code, message);
            }
            if !assembled.ended {
                return api_error(
                    &state,
                    ErrorCode::INTERNAL_ERROR,
                    "internal error: the agent's reply was cut off",
                );
            }
            let body = match send.api {
                ApiVersion::V2 => serde_json::to_vec(
                    &assembled.to_send_message_response(&send.conversation_id, now_secs()),
                ),
                ApiVersion::V1 => {
                    let mut v1 = SendMessageResponseV1::answer(
                        &send.conversation_id,
                        &message_id,
                        reply_text,
                        now_secs(),
                    );
                    let items: Vec<_> = assembled
                        .flow_output
                        .iter()
                        .flat_map(|part| part.items.iter().cloned())
                        .collect();
                    if !items.is_empty() {
                        v1.flow_output = Some(items);
                    }
                    serde_json::to_vec(&v1)
                }
            };
            let Ok(body) = body else {
                return api_error(
                    &state,
                    ErrorCode::INTERNAL_ERROR,
                    "internal error: the reply could not be serialized",
                );
            };
            if mode == ResponseMode::Webhook {
                deliver(state.clone(), message_id.clone(), body);
                json(
                    StatusCode::OK,
                    &serde_json::json!({
                        "conversation_id": send.conversation_id,
                        "message_id": message_id,
                    }),
                )
            } else {
                (StatusCode::OK, [(CONTENT_TYPE, "application/json")], body).into_response()
            }
        }
    }
}

/// The streaming body: the agent's frames encoded in the configured style, cut into chunks
/// (per frame, or at random with a chaos seed), optionally paced, optionally truncated.
fn stream_response(state: &State, reply: AgentReply) -> Response {
    let encoder = FrameEncoder::new(state.config.style);
    let mut body = Vec::new();
    let mut frame_ends = Vec::with_capacity(reply.frames.len());
    for frame in &reply.frames {
        // Encoding a frame cannot fail today (see FrameEncoder::encode_to_vec).
        let _ = encoder.write_frame(frame, &mut body);
        frame_ends.push(body.len());
    }
    body.truncate(body.len().saturating_sub(reply.truncate_bytes));
    let body = Bytes::from(body);
    let chunks: Vec<Bytes> = match state.config.chaos_seed {
        Some(seed) => {
            let n = state.streams.fetch_add(1, Ordering::Relaxed);
            let mut rng = XorShift::new(seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            chop(body, &mut rng)
        }
        None => {
            let mut chunks = Vec::with_capacity(frame_ends.len());
            let mut start = 0;
            for end in frame_ends {
                let end = end.min(body.len());
                if end > start {
                    chunks.push(body.slice(start..end));
                    start = end;
                }
            }
            chunks
        }
    };
    let interval = state.config.frame_interval;
    let pieces = futures_util::stream::iter(chunks.into_iter().enumerate()).then(
        move |(i, chunk)| async move {
            pace(i, interval).await;
            Ok::<Bytes, Infallible>(chunk)
        },
    );
    let content_type = match state.config.style {
        EncodeStyle::Sse => "text/event-stream",
        EncodeStyle::Lines => "application/x-ndjson",
        _ => "application/json",
    };
    (
        StatusCode::OK,
        [(CONTENT_TYPE, content_type)],
        Body::from_stream(pieces),
    )
        .into_response()
}

async fn pace(index: usize, interval: Duration) {
    if index > 0 && !interval.is_zero() {
        tokio::time::sleep(interval).await;
    } else {
        // Give the connection a chance to write each piece on its own.
        tokio::task::yield_now().await;
    }
}

/// POSTs a reply to the webhook target in the background and logs the outcome.
fn deliver(state: Arc<State>, message_id: String, body: Vec<u8>) {
    let Some(target) = state.config.webhook.clone() else {
        return;
    };
    tokio::spawn(async move {
        let mut request = state
            .http
            .post(&target.url)
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(authorization) = &target.authorization {
            match HeaderValue::from_str(authorization.expose()) {
                Ok(mut value) => {
                    value.set_sensitive(true);
                    request = request.header(AUTHORIZATION, value);
                }
                Err(_) => {
                    state.log_delivery(WebhookDelivery {
                        message_id,
                        outcome: Err("the Authorization value cannot be a header".to_owned()),
                    });
                    return;
                }
            }
        }
        let outcome = match request.send().await {
            Ok(response) => Ok(response.status().as_u16()),
            Err(err) => Err(err.without_url().to_string()),
        };
        state.log_delivery(WebhookDelivery {
            message_id,
            outcome,
        });
    });
}

async fn conversation_detail(
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
    let conversations = lock_conversations(state);
    let Some(conversation) = conversations.get(conversation_id) else {
        return Err(conversation_not_found(conversation_id));
    };
    let skip = usize::try_from(u64::from(page.saturating_sub(1)) * u64::from(page_size))
        .unwrap_or(usize::MAX);
    // As the service does: a page past the end is error 40005, not an empty page (page 1 of a
    // conversation without messages is still an empty page).
    if skip > 0 && skip >= conversation.messages.len() {
        return Err(Refusal::new(
            ErrorCode::PAGE_PAST_END,
            format!(
                "page {page} of {page_size} lies past the end ({} messages)",
                conversation.messages.len()
            ),
        ));
    }
    let content: Vec<ConversationMessage> = conversation
        .messages
        .iter()
        .skip(skip)
        .take(usize::try_from(page_size).unwrap_or(usize::MAX))
        .cloned()
        .collect();
    let total = conversation.messages.len() as u64;
    Ok(json(
        StatusCode::OK,
        &ConversationDetailResponse::new(total, content),
    ))
}
