//! The conversations the mock remembers, within bounds: how many conversations, how many
//! messages each, and how many bytes in all. The oldest are forgotten first.

use std::collections::{HashMap, VecDeque};

use gptbots_protocol::conversation::ConversationMessage;
use gptbots_protocol::message_v2::{ContentPart, Role};

use crate::MockConfig;

/// A message with its size as JSON, measured before the store is locked.
pub(crate) struct Stored {
    message: ConversationMessage,
    bytes: usize,
}

impl Stored {
    pub(crate) fn new(message: ConversationMessage) -> Stored {
        let bytes = json_len(&message);
        Stored { message, bytes }
    }
}

#[derive(Default)]
struct Conversation {
    messages: VecDeque<Stored>,
    bytes: usize,
    /// The user it was created for.
    user_id: String,
    /// When it was created, then when a message was last added (Unix milliseconds).
    recent: i64,
}

/// What conversation list shows of a conversation.
pub(crate) struct Summary {
    pub(crate) conversation_id: String,
    pub(crate) user_id: String,
    pub(crate) recent: i64,
    /// The text of its first user message.
    pub(crate) subject: String,
    pub(crate) message_count: u64,
}

/// An agent reply found by its id.
pub(crate) struct Answer {
    pub(crate) conversation_id: String,
    /// The user message it answers, when known.
    pub(crate) question_id: Option<String>,
    pub(crate) text: String,
}

pub(crate) struct Store {
    conversations: HashMap<String, Conversation>,
    /// Ids in creation order, oldest first: the order of eviction. Holds exactly the keys of
    /// `conversations`.
    order: VecDeque<String>,
    bytes: usize,
    max_conversations: usize,
    max_messages: usize,
    max_bytes: usize,
}

impl Store {
    pub(crate) fn new(config: &MockConfig) -> Store {
        Store {
            conversations: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            max_conversations: config.max_conversations.max(1),
            max_messages: config.max_messages_per_conversation.max(2),
            max_bytes: config.max_stored_bytes,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.conversations.len()
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.conversations.contains_key(id)
    }

    /// A new, empty conversation of `user_id`, made at `now` (Unix milliseconds); the oldest
    /// ones are forgotten to make room.
    pub(crate) fn create(&mut self, id: String, user_id: &str, now: i64) {
        while self.conversations.len() >= self.max_conversations {
            if !self.evict_oldest(None) {
                break;
            }
        }
        self.order.push_back(id.clone());
        let conversation = Conversation {
            user_id: user_id.to_owned(),
            recent: now,
            ..Conversation::default()
        };
        self.conversations.insert(id, conversation);
    }

    /// Adds messages to a conversation; `false` if it is not (or no longer) there.
    pub(crate) fn push(&mut self, id: &str, messages: Vec<Stored>) -> bool {
        let Some(conversation) = self.conversations.get_mut(id) else {
            return false;
        };
        for stored in messages {
            conversation.recent = conversation.recent.max(stored.message.create_time);
            let bytes = stored.bytes;
            conversation.messages.push_back(stored);
            conversation.bytes = conversation.bytes.saturating_add(bytes);
            self.bytes = self.bytes.saturating_add(bytes);
            if conversation.messages.len() > self.max_messages {
                if let Some(dropped) = conversation.messages.pop_front() {
                    conversation.bytes = conversation.bytes.saturating_sub(dropped.bytes);
                    self.bytes = self.bytes.saturating_sub(dropped.bytes);
                }
            }
        }
        while self.bytes > self.max_bytes {
            if self.evict_oldest(Some(id)) {
                continue;
            }
            // Only this conversation is left: forget its oldest messages, keeping the last.
            let Some(conversation) = self.conversations.get_mut(id) else {
                break;
            };
            if conversation.messages.len() <= 1 {
                break;
            }
            if let Some(dropped) = conversation.messages.pop_front() {
                conversation.bytes = conversation.bytes.saturating_sub(dropped.bytes);
                self.bytes = self.bytes.saturating_sub(dropped.bytes);
            }
        }
        true
    }

    /// The number of messages kept and the page `skip..skip + take`, or `None` for an
    /// unknown conversation.
    pub(crate) fn page(
        &self,
        id: &str,
        skip: usize,
        take: usize,
    ) -> Option<(u64, Vec<ConversationMessage>)> {
        let conversation = self.conversations.get(id)?;
        let content = conversation
            .messages
            .iter()
            .skip(skip)
            .take(take)
            .map(|stored| stored.message.clone())
            .collect();
        Some((conversation.messages.len() as u64, content))
    }

    /// Every message kept of a conversation, oldest first; `None` if it is unknown.
    pub(crate) fn messages(&self, id: &str) -> Option<Vec<ConversationMessage>> {
        let conversation = self.conversations.get(id)?;
        Some(
            conversation
                .messages
                .iter()
                .map(|stored| stored.message.clone())
                .collect(),
        )
    }

    /// The user a conversation was created for.
    pub(crate) fn user_id(&self, id: &str) -> Option<String> {
        self.conversations.get(id).map(|c| c.user_id.clone())
    }

    /// Every conversation, in creation order, as conversation list shows it.
    pub(crate) fn summaries(&self) -> Vec<Summary> {
        self.order
            .iter()
            .filter_map(|id| {
                let conversation = self.conversations.get(id)?;
                let subject = conversation
                    .messages
                    .iter()
                    .find(|stored| stored.message.role == Role::User)
                    .map(|stored| message_text(&stored.message))
                    .unwrap_or_default();
                Some(Summary {
                    conversation_id: id.clone(),
                    user_id: conversation.user_id.clone(),
                    recent: conversation.recent,
                    subject,
                    message_count: conversation.messages.len() as u64,
                })
            })
            .collect()
    }

    /// The agent reply (an `assistant` message) with this id, in whichever conversation holds
    /// it. A linear search: the mock's store is bounded, and these calls are rare.
    pub(crate) fn find_answer(&self, message_id: &str) -> Option<Answer> {
        self.conversations.iter().find_map(|(id, conversation)| {
            let stored = conversation.messages.iter().find(|stored| {
                stored.message.role == Role::Assistant && stored.message.message_id == message_id
            })?;
            Some(Answer {
                conversation_id: id.clone(),
                question_id: stored.message.parent_message_id.clone(),
                text: message_text(&stored.message),
            })
        })
    }

    /// Sets (or, with `None`, clears) the feedback conversation detail shows on an agent
    /// reply.
    pub(crate) fn set_feedback(
        &mut self,
        message_id: &str,
        feedback: Option<gptbots_protocol::conversation::RecordedFeedback>,
    ) {
        for conversation in self.conversations.values_mut() {
            for stored in conversation.messages.iter_mut() {
                if stored.message.role == Role::Assistant && stored.message.message_id == message_id
                {
                    stored.message.feedback = feedback;
                    return;
                }
            }
        }
    }

    /// Forgets the oldest conversation other than `keep`; `false` if there is none.
    fn evict_oldest(&mut self, keep: Option<&str>) -> bool {
        let position = self.order.iter().position(|id| Some(id.as_str()) != keep);
        let Some(id) = position.and_then(|at| self.order.remove(at)) else {
            return false;
        };
        if let Some(gone) = self.conversations.remove(&id) {
            self.bytes = self.bytes.saturating_sub(gone.bytes);
        }
        true
    }
}

/// The text parts of a message, joined with spaces.
pub(crate) fn message_text(message: &ConversationMessage) -> String {
    let texts: Vec<&str> = message
        .content
        .iter()
        .flat_map(|branch| &branch.branch_content)
        .filter_map(|part| match part {
            ContentPart::Text { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    texts.join(" ")
}

/// The length of a message as JSON, counted without building the text.
fn json_len(message: &ConversationMessage) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 = self.0.saturating_add(buf.len());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // A message always serializes; were it not to, its size is still counted as what was
    // written, plus a floor for the bookkeeping.
    let _ = serde_json::to_writer(&mut count, message);
    count.0.saturating_add(64)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn message(id: &str, text: &str) -> Stored {
        Stored::new(ConversationMessage::new(
            id,
            Role::User,
            0,
            vec![ContentPart::text(text)],
        ))
    }

    fn ids(store: &Store, id: &str) -> Vec<String> {
        let (_, page) = store.page(id, 0, usize::MAX).unwrap();
        page.into_iter().map(|m| m.message_id).collect()
    }

    #[test]
    fn the_oldest_conversation_goes_first() {
        let mut store = Store::new(&MockConfig::default().with_max_conversations(2));
        for id in ["a", "b", "c"] {
            store.create(id.to_owned(), "u", 0);
        }
        assert_eq!(store.len(), 2);
        assert!(!store.contains("a") && store.contains("b") && store.contains("c"));
    }

    #[test]
    fn the_byte_budget_forgets_old_conversations_then_old_messages() {
        let mut store = Store::new(&MockConfig::default().with_max_stored_bytes(1_000));
        store.create("old".to_owned(), "u", 0);
        assert!(store.push("old", vec![message("m0", &"x".repeat(400))]));
        store.create("new".to_owned(), "u", 0);
        assert!(store.push("new", vec![message("m1", &"y".repeat(400))]));
        assert!(!store.contains("old"));
        assert!(store.push("new", vec![message("m2", &"z".repeat(400))]));
        assert_eq!(ids(&store, "new"), ["m2"]);
        assert!(store.bytes <= 1_000);
    }
}
