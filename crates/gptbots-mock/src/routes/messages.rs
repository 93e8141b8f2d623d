//! Send message v2 and v1, in blocking, streaming and webhook mode.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::{Body as ResponseBody, Bytes};
use axum::extract::State as AxumState;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use gptbots_protocol::conversation::ConversationMessage;
use gptbots_protocol::message_v1::{FileV1, SendMessageResponseV1};
use gptbots_protocol::message_v2::{
    Attachment, Attachments, Content, ContentPart, ResponseMode, Role,
};
use gptbots_protocol::stream::{AssembledReply, FrameEncoder};
use gptbots_protocol::{ErrorCode, SendMessageRequest, SendMessageRequestV1};

use super::{
    Body, Refusal, Shared, api_error, check, check_key, conversation_not_found, delay, json,
    now_millis, now_secs, parameter_error, parse, read_body,
};
use crate::agent::{AgentReply, AgentRequest, ApiVersion, AttachmentInfo};
use crate::chaos::{XorShift, chop};
use crate::store::Stored;
use crate::{EncodeStyle, State, delivery};

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

pub(super) async fn send_v2(AxumState(state): Shared, headers: HeaderMap, body: Body) -> Response {
    delay(&state).await;
    let body = match read_body(&state, body) {
        Ok(body) => body,
        Err(response) => return response,
    };
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

pub(super) async fn send_v1(AxumState(state): Shared, headers: HeaderMap, body: Body) -> Response {
    delay(&state).await;
    let body = match read_body(&state, body) {
        Ok(body) => body,
        Err(response) => return response,
    };
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
    if !state.store().contains(&send.conversation_id) {
        return conversation_not_found(&send.conversation_id).respond(&state);
    }
    if send.mode == ResponseMode::Webhook {
        let taken =
            crate::handoff::intercept(&state, &send.conversation_id, &send.text, &send.parts);
        if let Some(acknowledgement) = taken.await {
            return acknowledgement;
        }
    }
    let user_message_id = state.new_id(0x0a);
    let message_id = state.new_id(0x0b);
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
        let created = now_millis();
        let mut messages = vec![ConversationMessage::new(
            user_message_id.clone(),
            Role::User,
            created,
            send.parts,
        )];
        if assembled.errors.is_empty() {
            let mut answer = ConversationMessage::new(
                message_id.clone(),
                Role::Assistant,
                created,
                vec![ContentPart::text(reply_text.clone())],
            );
            answer.parent_message_id = Some(user_message_id);
            messages.push(answer);
        }
        let messages = messages.into_iter().map(Stored::new).collect();
        // Forgotten meanwhile (evicted by newer conversations): as if it never was.
        if !state.store().push(&send.conversation_id, messages) {
            return conversation_not_found(&send.conversation_id).respond(&state);
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
                delivery::deliver(state.clone(), message_id.clone(), body);
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
        ResponseBody::from_stream(pieces),
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
