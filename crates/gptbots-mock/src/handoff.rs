//! The mock's simulation of a human hand-off, in webhook mode.
//!
//! A user message whose text (trimmed) equals the configured trigger opens a hand-off: the
//! mock POSTs establish to `{url}/conversation/establish` with a new hand-off session id and
//! the conversation so far. While the hand-off is open, each further user message of that
//! conversation is POSTed to `{url}/chat` and the agent stays silent; a human's reply sent
//! with `POST /v1/human/message/receive` goes to the reply webhook as a v2 reply of the
//! conversation; `POST /v1/human/close` ends the hand-off and the agent answers again. When no
//! human reply comes within the timeout after establish (or after a user message that is still
//! unanswered), the mock ends the hand-off itself and POSTs `{url}/conversation/close` with
//! `type: "TIMEOUT"`.
//!
//! The mock's decisions where the docs are silent:
//!
//! - Only webhook mode hands off (the docs: no hand-off in blocking and streaming mode); a
//!   blocking or streaming message is answered by the agent even while a hand-off is open.
//! - At most as many hand-offs are open at once as the mock keeps conversations; past that, and
//!   when establish is not answered with a 2xx, no hand-off opens ("Busy") and the reply
//!   webhook gets a note saying so.
//! - establish and chat are POSTed before the send is acknowledged (in order, with the reply
//!   webhook's timeout and retries); the acknowledgement then carries the user message's id,
//!   since no agent reply will come.
//! - The hand-off POSTs carry no `Authorization` (none is documented for them).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use gptbots_protocol::conversation::ConversationMessage;
use gptbots_protocol::handoff::{
    CHAT_PATH, CLOSE_PATH, CloseType, ESTABLISH_PATH, HandoffChat, HandoffClose, HandoffEstablish,
    HandoffHistoryItem, HandoffUserInfo,
};
use gptbots_protocol::message_v1::MessageType;
use gptbots_protocol::message_v2::{ContentPart, Output, Role, SendMessageResponse};
use tokio::task::AbortHandle;

use crate::delivery;
use crate::routes::now_millis;
use crate::state::State;
use crate::store::{Stored, message_text};
use crate::{MOCK_BOT_ID, WebhookTarget};

/// How long a hand-off waits for a human reply unless told otherwise (the docs' default).
pub const DEFAULT_HANDOFF_TIMEOUT: Duration = Duration::from_secs(60);

/// The note the reply webhook gets when no hand-off could be opened.
const BUSY: &str = "No human agent is available right now (Busy). The agent goes on answering.";

/// The component name of a human agent's reply on the reply webhook.
pub const HUMAN_COMPONENT: &str = "Human";

/// Where and when the mock hands a conversation to a human.
#[derive(Clone)]
#[non_exhaustive]
pub struct HandoffTarget {
    /// The developer's hand-off base URL; the three paths are appended to it.
    pub url: String,
    /// A user message with exactly this text (leading and trailing white space aside) opens
    /// a hand-off.
    pub trigger: String,
    /// How long to wait for a human reply before ending the hand-off with `TIMEOUT`.
    pub timeout: Duration,
}

impl fmt::Debug for HandoffTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandoffTarget")
            .field("url", &gptbots_protocol::endpoint::redact_url(&self.url))
            .field("trigger", &self.trigger)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl HandoffTarget {
    /// Hand-offs to this base URL, opened by this text, with the default timeout.
    pub fn new(url: impl Into<String>, trigger: impl Into<String>) -> Self {
        HandoffTarget {
            url: url.into(),
            trigger: trigger.into(),
            timeout: DEFAULT_HANDOFF_TIMEOUT,
        }
    }

    /// This target with another timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The URL of one of the hand-off paths (`/conversation/establish`...).
    pub(crate) fn url_of(&self, path: &str) -> String {
        format!("{}{path}", self.url.trim_end_matches('/'))
    }
}

/// The open hand-offs.
#[derive(Default)]
pub(crate) struct Handoffs {
    /// By hand-off session id.
    sessions: HashMap<String, Session>,
    /// Agent conversation id to hand-off session id.
    by_conversation: HashMap<String, String>,
    /// Tells one armed timeout from the next.
    generation: u64,
}

struct Session {
    conversation_id: String,
    /// The armed timeout: its generation and its task.
    timer: Option<(u64, AbortHandle)>,
}

impl Handoffs {
    fn disarm(&mut self, session_id: &str) {
        if let Some((_, timer)) = self
            .sessions
            .get_mut(session_id)
            .and_then(|s| s.timer.take())
        {
            timer.abort();
        }
    }

    fn remove(&mut self, session_id: &str) -> Option<Session> {
        self.disarm(session_id);
        let session = self.sessions.remove(session_id)?;
        self.by_conversation.remove(&session.conversation_id);
        Some(session)
    }
}

impl State {
    pub(crate) fn handoffs(&self) -> MutexGuard<'_, Handoffs> {
        match self.handoffs.lock() {
            Ok(handoffs) => handoffs,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

pub(crate) fn new_handoffs() -> Mutex<Handoffs> {
    Mutex::new(Handoffs::default())
}

/// A target for one hand-off path, with the reply webhook's bounds and no `Authorization`.
fn target(state: &State, handoff: &HandoffTarget, path: &str) -> WebhookTarget {
    let mut target = WebhookTarget::new(handoff.url_of(path));
    if let Some(reply) = &state.config.webhook {
        target = target
            .with_timeout(reply.timeout)
            .with_retries(reply.retries);
    }
    target
}

/// Called for a webhook-mode message of a known conversation before the agent is asked: the
/// acknowledgement, when the hand-off takes the message (it opens one, or one is open).
pub(crate) async fn intercept(
    state: &Arc<State>,
    conversation_id: &str,
    text: &str,
    parts: &[ContentPart],
) -> Option<Response> {
    let handoff = state.config.handoff.clone()?;
    let open = state
        .handoffs()
        .by_conversation
        .get(conversation_id)
        .cloned();
    if let Some(session_id) = open {
        let message_id = store_message(state, conversation_id, Role::User, parts.to_vec(), None);
        let chat = HandoffChat::new(session_id.clone(), now_millis(), text);
        let body = serde_json::to_vec(&chat).unwrap_or_default();
        let target = target(state, &handoff, CHAT_PATH);
        delivery::post_now(state, &target, session_id.clone(), body).await;
        arm(state, &session_id, handoff.timeout);
        return Some(acknowledge(conversation_id, &message_id));
    }
    if text.trim() != handoff.trigger.trim() {
        return None;
    }
    if state.handoffs().sessions.len() >= state.config.max_conversations.max(1) {
        let message_id = store_message(state, conversation_id, Role::User, parts.to_vec(), None);
        reply(state, conversation_id, BUSY, crate::ECHO_COMPONENT);
        return Some(acknowledge(conversation_id, &message_id));
    }
    let message_id = store_message(state, conversation_id, Role::User, parts.to_vec(), None);
    let session_id = state.new_id(0x4a);
    let history = state.store().messages(conversation_id).unwrap_or_default();
    let body: Vec<HandoffHistoryItem> = history
        .iter()
        .map(|message| {
            let kind = if message.role == Role::User {
                MessageType::Question
            } else {
                MessageType::Answer
            };
            HandoffHistoryItem::new(message_text(message), kind)
        })
        .collect();
    let mut establish = HandoffEstablish::new(session_id.clone(), now_millis(), MOCK_BOT_ID, body);
    let mut user_info = HandoffUserInfo::default();
    user_info.user_id = state.store().user_id(conversation_id);
    user_info.email = Some(String::new());
    user_info.anonymous_id = Some(format!("anonymous-{conversation_id}"));
    establish.user_info = Some(user_info);
    establish.email = Some(String::new());
    let body = serde_json::to_vec(&establish).unwrap_or_default();
    let target = target(state, &handoff, ESTABLISH_PATH);
    // Registered before the POST: a human reply may come back while establish is answered.
    {
        let mut handoffs = state.handoffs();
        let session = Session {
            conversation_id: conversation_id.to_owned(),
            timer: None,
        };
        handoffs.sessions.insert(session_id.clone(), session);
        handoffs
            .by_conversation
            .insert(conversation_id.to_owned(), session_id.clone());
    }
    let outcome = delivery::post_now(state, &target, session_id.clone(), body).await;
    if outcome.succeeded() {
        arm(state, &session_id, handoff.timeout);
    } else {
        state.handoffs().remove(&session_id);
        reply(state, conversation_id, BUSY, crate::ECHO_COMPONENT);
    }
    Some(acknowledge(conversation_id, &message_id))
}

/// A human's reply: delivered to the reply webhook; `false` for an unknown session.
pub(crate) fn human_message(state: &Arc<State>, session_id: &str, text: &str) -> bool {
    let conversation_id = {
        let mut handoffs = state.handoffs();
        let Some(session) = handoffs.sessions.get(session_id) else {
            return false;
        };
        let conversation_id = session.conversation_id.clone();
        handoffs.disarm(session_id);
        conversation_id
    };
    reply(state, &conversation_id, text, HUMAN_COMPONENT);
    true
}

/// The developer ends a hand-off; `false` for an unknown session.
pub(crate) fn human_close(state: &State, session_id: &str) -> bool {
    state.handoffs().remove(session_id).is_some()
}

/// Arms (again) the timeout of a session.
fn arm(state: &Arc<State>, session_id: &str, timeout: Duration) {
    let mut handoffs = state.handoffs();
    handoffs.disarm(session_id);
    handoffs.generation = handoffs.generation.wrapping_add(1);
    let generation = handoffs.generation;
    let Some(session) = handoffs.sessions.get_mut(session_id) else {
        return;
    };
    // A weak reference: a stopped mock sends no TIMEOUT afterwards.
    let task_state = Arc::downgrade(state);
    let task_session = session_id.to_owned();
    let task = tokio::spawn(async move {
        tokio::time::sleep(timeout).await;
        if let Some(state) = task_state.upgrade() {
            time_out(&state, &task_session, generation).await;
        }
    });
    session.timer = Some((generation, task.abort_handle()));
}

async fn time_out(state: &Arc<State>, session_id: &str, generation: u64) {
    {
        let mut handoffs = state.handoffs();
        let current = handoffs
            .sessions
            .get(session_id)
            .and_then(|s| s.timer.as_ref())
            .is_some_and(|(armed, _)| *armed == generation);
        if !current {
            return;
        }
        if let Some(session) = handoffs.sessions.get_mut(session_id) {
            // This very task: not aborted, only forgotten.
            session.timer = None;
        }
        handoffs.remove(session_id);
    }
    let Some(handoff) = state.config.handoff.clone() else {
        return;
    };
    let close = HandoffClose::new(session_id, now_millis(), CloseType::Timeout);
    let body = serde_json::to_vec(&close).unwrap_or_default();
    let target = target(state, &handoff, CLOSE_PATH);
    delivery::post_now(state, &target, session_id.to_owned(), body).await;
}

/// Stores a message in a conversation; its id.
fn store_message(
    state: &State,
    conversation_id: &str,
    role: Role,
    parts: Vec<ContentPart>,
    parent: Option<String>,
) -> String {
    let message_id = state.new_id(if role == Role::User { 0x0a } else { 0x0b });
    let mut message = ConversationMessage::new(message_id.clone(), role, now_millis(), parts);
    message.parent_message_id = parent;
    state
        .store()
        .push(conversation_id, vec![Stored::new(message)]);
    message_id
}

/// A reply (a human's, or the mock's note) stored and delivered to the reply webhook.
fn reply(state: &Arc<State>, conversation_id: &str, text: &str, component: &str) {
    let message_id = store_message(
        state,
        conversation_id,
        Role::Assistant,
        vec![ContentPart::text(text)],
        None,
    );
    let response = SendMessageResponse::new(
        now_millis() / 1000,
        conversation_id,
        message_id.clone(),
        vec![Output::text(component, text)],
        None,
    );
    if let Ok(body) = serde_json::to_vec(&response) {
        delivery::deliver(state.clone(), message_id, body);
    }
}

fn acknowledge(conversation_id: &str, message_id: &str) -> Response {
    crate::routes::json(
        StatusCode::OK,
        &serde_json::json!({
            "conversation_id": conversation_id,
            "message_id": message_id,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_password_of_the_url() {
        let target = HandoffTarget::new("http://u:secret@127.0.0.1:9/hs/", "human");
        let shown = format!("{target:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert_eq!(
            target.url_of(ESTABLISH_PATH),
            "http://u:secret@127.0.0.1:9/hs/conversation/establish"
        );
    }
}
