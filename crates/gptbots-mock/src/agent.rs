//! The agent behind the mock: what it answers to a message.

use std::sync::Mutex;

use gptbots_protocol::stream::FlowOutputItem;
use gptbots_protocol::{Frame, Tokens};

/// Which send-message endpoint a message came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiVersion {
    /// `POST /v1/conversation/message`.
    V1,
    /// `POST /v2/conversation/message`.
    V2,
}

/// A file the user attached.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttachmentInfo {
    /// `audio`, `image` or `document` (v2 part types, or an unknown part's type), or for v1,
    /// `image` (by the name's extension) or `file`.
    pub kind: String,
    /// The file's name, when given.
    pub name: Option<String>,
    /// The file's format, when given (v2 only).
    pub format: Option<String>,
}

/// What the agent is asked: the last user message of a send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AgentRequest {
    /// The conversation.
    pub conversation_id: String,
    /// The id the mock gave the reply; the MessageInfo frame should carry it.
    pub message_id: String,
    /// The user's text (text parts joined with a space).
    pub text: String,
    /// The user's attachments, in order.
    pub attachments: Vec<AttachmentInfo>,
    /// The endpoint the message came through.
    pub api: ApiVersion,
}

/// What the agent answers: the frames of a streaming reply, from MessageInfo to End.
///
/// The mock sends these frames in streaming mode, and assembles them (with the protocol
/// crate's `ReplyAssembler`) into the blocking reply and the webhook body, so every mode says
/// the same thing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AgentReply {
    /// The frames, in order.
    pub frames: Vec<Frame>,
    /// In streaming mode, drop this many bytes from the end of the encoded body: a stream cut
    /// off mid-frame, for testing clients. 0 sends everything.
    pub truncate_bytes: usize,
}

impl AgentReply {
    /// A reply of these frames.
    pub fn new(frames: Vec<Frame>) -> Self {
        AgentReply {
            frames,
            truncate_bytes: 0,
        }
    }
}

/// An agent: answers each message with frames. Implement it to script the mock.
pub trait Agent: Send + Sync + 'static {
    /// The reply to this message.
    fn reply(&self, request: &AgentRequest) -> AgentReply;
}

/// The default agent: answers with the user's own text, and names the attachments, so that
/// every reply is predictable.
///
/// For `Hello` with an image named `cat.png`, the reply text is
/// `Hello [image: cat.png]`; for attachments alone it is just the brackets. The stream is
/// MessageInfo, one Text frame per word (spaces kept, so the pieces join to the text), a
/// FlowOutput with the whole text from component `Echo`, a Cost (prompt tokens: the words of
/// the message; completion tokens: the Text frames) and End.
#[derive(Debug, Clone, Copy, Default)]
pub struct EchoAgent;

/// The component name the echo agent's output carries.
pub const ECHO_COMPONENT: &str = "Echo";

impl EchoAgent {
    /// The text the echo agent answers to a message.
    pub fn reply_text(request: &AgentRequest) -> String {
        let mut text = request.text.trim().to_owned();
        for attachment in &request.attachments {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push('[');
            text.push_str(&attachment.kind);
            if let Some(name) = attachment.name.as_deref().or(attachment.format.as_deref()) {
                text.push_str(": ");
                text.push_str(name);
            }
            text.push(']');
        }
        if text.is_empty() {
            text.push_str("(empty message)");
        }
        text
    }
}

impl Agent for EchoAgent {
    fn reply(&self, request: &AgentRequest) -> AgentReply {
        let text = EchoAgent::reply_text(request);
        let mut frames = vec![Frame::message_info(request.message_id.clone())];
        let mut pieces = 0u64;
        for piece in text.split_inclusive(' ') {
            frames.push(Frame::text(piece));
            pieces += 1;
        }
        let mut item = FlowOutputItem::new(text.clone(), ECHO_COMPONENT);
        item.branch = Some(None);
        frames.push(Frame::flow_output(vec![item], None));
        let prompt =
            request.text.split_whitespace().count() as u64 + request.attachments.len() as u64;
        frames.push(Frame::cost(Tokens::new(prompt, pieces)));
        frames.push(Frame::end());
        AgentReply::new(frames)
    }
}

/// An agent that replays given frames.
///
/// Each message gets the next script in turn; the last script is repeated once the others
/// are used up.
///
/// ```
/// use gptbots_mock::{Agent, ScriptedAgent};
/// use gptbots_protocol::Frame;
///
/// // A stream cut off in the middle of its last frame.
/// let agent = ScriptedAgent::new(vec![Frame::message_info("m1"), Frame::text("Hel")])
///     .truncated(5);
/// ```
#[derive(Debug)]
pub struct ScriptedAgent {
    scripts: Mutex<Vec<AgentReply>>,
}

impl ScriptedAgent {
    /// An agent that answers every message with these frames.
    pub fn new(frames: Vec<Frame>) -> Self {
        ScriptedAgent::replies(vec![AgentReply::new(frames)])
    }

    /// An agent that answers the first message with the first reply, the second with the
    /// second, and so on; the last is repeated. No replies: every message gets just End.
    pub fn replies(replies: Vec<AgentReply>) -> Self {
        let mut scripts = replies;
        scripts.reverse();
        ScriptedAgent {
            scripts: Mutex::new(scripts),
        }
    }

    /// This agent with the streaming body of its first reply cut short by `bytes` bytes.
    pub fn truncated(self, bytes: usize) -> Self {
        let mut scripts = self.into_scripts();
        if let Some(first) = scripts.last_mut() {
            first.truncate_bytes = bytes;
        }
        ScriptedAgent {
            scripts: Mutex::new(scripts),
        }
    }

    fn into_scripts(self) -> Vec<AgentReply> {
        match self.scripts.into_inner() {
            Ok(scripts) => scripts,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

impl Agent for ScriptedAgent {
    fn reply(&self, _request: &AgentRequest) -> AgentReply {
        let mut scripts = match self.scripts.lock() {
            Ok(scripts) => scripts,
            Err(poisoned) => poisoned.into_inner(),
        };
        if scripts.len() > 1 {
            if let Some(next) = scripts.pop() {
                return next;
            }
        }
        scripts
            .last()
            .cloned()
            .unwrap_or_else(|| AgentReply::new(vec![Frame::end()]))
    }
}
