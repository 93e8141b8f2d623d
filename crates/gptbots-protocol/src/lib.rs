//! The GPTBots conversation API's wire protocol: request, reply, webhook and error types, and an
//! incremental decoder for streaming replies.
//!
//! This crate performs no I/O, reads no clock and starts no runtime: transports (the HTTP
//! client, the webhook receiver, the mock server) live in their own crates and depend on it.
//! The specification is the workspace's `PROTOCOL.md`; upstream docs:
//! <https://www.gptbots.ai/docs/api-reference/conversation-api/send-message>.
#![warn(missing_docs)]

pub(crate) mod open_enum;
pub(crate) mod serde_util;

pub mod error;
pub mod stream;
pub mod usage;

pub use error::{ErrorCode, ErrorResponse};
pub use stream::{Frame, FramePayload};
pub use usage::{CompletionTokensDetails, Credits, PromptTokensDetails, Tokens, Usage};
