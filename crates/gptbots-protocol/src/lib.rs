//! The GPTBots conversation API's wire protocol: request, reply, webhook and error types, and an
//! incremental decoder for streaming replies.
//!
//! This crate performs no I/O, reads no clock and starts no runtime: transports (the HTTP
//! client, the webhook receiver, the mock server) live in their own crates and depend on it.
//! Upstream docs:
//! <https://www.gptbots.ai/docs/api-reference/conversation-api/send-message>.
//!
//! | module | API area |
//! |---|---|
//! | [`conversation`] | create conversation, conversation detail v2 |
//! | [`message_v2`] | send message v2: request, blocking reply |
//! | [`citation`] | the citations of a blocking reply |
//! | [`message_v1`] | send message v1 (deprecated): request, blocking reply |
//! | [`stream`] | streaming frames, decoder, encoder, reply assembler |
//! | [`webhook`] | webhook bodies and the acknowledgement |
//! | [`handoff`] | human hand-off bodies and calls back |
//! | [`error`] | the `{code, message}` body and error codes |
//! | [`usage`] | tokens and credits |
//! | [`endpoint`] | hosts, paths, the API key |
//! | [`wire`] | the one list of wire types and their schema names |
//!
//! Decisions where the upstream pages are silent or disagree:
//! - Unknown fields are ignored; unknown enum values, part types, frame codes and error codes
//!   are kept and serialize back unchanged.
//! - What the server sends is read tolerantly: `null` for an optional or defaulted field is
//!   read as absent, integral decimals (`29.0`) as integers, numbers where text is expected as
//!   their text, counts as numbers or strings. What we send is strict.
//! - Optional fields left unset are omitted from the JSON, never sent as `null`.
//! - `usage.tokens` is an object (the tables say "JSON Array"; every example shows an object).
//! - `text_output__credits` (a typo of one table) is read as `text_output_credits`.
//! - Every id is an opaque string (documented ids contain upper-case letters).
#![warn(missing_docs)]

pub(crate) mod open_enum;
// `string_or_number` is for the stream frames' text fields; the response types use the rest.
#[allow(dead_code)]
pub(crate) mod serde_util;

pub mod citation;
pub mod conversation;
pub mod endpoint;
pub mod error;
pub mod handoff;
pub mod message_v1;
pub mod message_v2;
pub mod parse;
#[cfg(feature = "schemars")]
pub mod schema;
pub mod stream;
#[doc(hidden)]
pub mod testing;
pub mod usage;
pub mod validate;
pub mod webhook;
pub mod wire;

pub use conversation::{
    ConversationDetailQuery, ConversationDetailResponse, CreateConversationRequest,
    CreateConversationResponse,
};
pub use endpoint::{ApiKey, ExposeSecret, Region, SecretString};
pub use error::{ErrorCode, ErrorResponse};
pub use handoff::{
    HandoffChat, HandoffClose, HandoffEstablish, HandoffReply, HumanCloseRequest,
    HumanMessageRequest,
};
pub use message_v1::{SendMessageRequestV1, SendMessageResponseV1};
pub use message_v2::{SendMessageRequest, SendMessageResponse};
pub use parse::{ParseError, from_slice, from_str};
pub use stream::{Frame, FramePayload};
pub use usage::{CompletionTokensDetails, Credits, PromptTokensDetails, Tokens, Usage};
pub use validate::{ValidationErrors, Violation};
pub use webhook::{WebhookAck, WebhookMessage};

pub mod agent;
pub mod feedback;
pub mod history;
pub mod human_calls;
pub mod reply_extras;
pub mod webhook_check;

pub use agent::{AgentDetailResponse, BotType};
pub use feedback::{
    AffectCountResponse, Feedback, MessageFeedbackRequest, MessageQualityRequest, Quality,
};
pub use history::{
    ConversationDetailV1Query, ConversationDetailV1Response, ConversationListQuery,
    ConversationListResponse, ConversationSummary, ConversationType, HistoryMessage,
};
pub use human_calls::HumanCallResponse;
pub use reply_extras::{
    ReferencedKnowledgeQuery, ReferencedKnowledgeResponse, ReferencedPassage,
    SuggestedQuestionsQuery, SuggestedQuestionsResponse,
};
pub use webhook_check::{WebhookCheckResponse, WebhookCheckResult, WebhookKind};
