#![doc = include_str!("../README.md")]
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
