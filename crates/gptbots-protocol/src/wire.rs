//! The one list of wire types: every JSON message of the API, with the name of its schema.
//!
//! [`WIRE_TYPES`] is what the JSON Schema export writes (one `schemas/{name}.schema.json` per
//! entry), what the fuzz target `wire_types` chooses from, and what the tests iterate to parse
//! a payload as "the type of schema X". Adding a message to the API is one line here.
//!
//! ```
//! use gptbots_protocol::wire;
//!
//! let ack = wire::by_name("webhook-ack").expect("a known schema");
//! assert_eq!(ack.direction, wire::Direction::Sent);
//! assert!(ack.parse(br#"{"code":200,"msg":"ok"}"#).is_ok());
//! assert!(ack.parse(b"[]").is_err());
//! ```

use std::fmt::{self, Debug};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::parse::{ParseError, from_slice};
use crate::*;

/// Who writes a wire type, which decides how strict its schema is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Written by us (requests, the webhook acknowledgement, hand-off replies): the schema is
    /// strict, an optional field is left out, never `null`.
    Sent,
    /// Written by a GPTBots server (replies, webhooks, hand-off bodies, errors): the schema
    /// accepts what the Rust type reads tolerantly (`null`, integral decimals, ...).
    Received,
}

/// One wire type of [`WIRE_TYPES`].
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct WireType {
    /// The schema's file stem: `schemas/{name}.schema.json`.
    pub name: &'static str,
    /// The Rust type, as written in the list (`SendMessageRequest`).
    pub type_name: &'static str,
    /// Who writes it.
    pub direction: Direction,
    /// The first byte of a `wire_types` fuzz input that chooses this type. Never reused or
    /// renumbered: the committed seeds are named by it.
    pub fuzz_selector: u8,
    parse: fn(&[u8]) -> Result<(), ParseError>,
    pub(crate) round_trip: fn(&[u8]) -> Result<RoundTrip, RoundTripError>,
    #[cfg(feature = "schemars")]
    schema: fn(&'static str, Direction) -> crate::schema::WireSchema,
}

impl Debug for WireType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireType")
            .field("name", &self.name)
            .field("type_name", &self.type_name)
            .field("direction", &self.direction)
            .finish_non_exhaustive()
    }
}

impl WireType {
    /// Parses `bytes` as this type (with [`from_slice`]'s located errors), keeping nothing.
    pub fn parse(&self, bytes: &[u8]) -> Result<(), ParseError> {
        (self.parse)(bytes)
    }

    /// Parses `bytes` as this type, writes the value back, and parses and writes that again:
    /// the value must come back equal and its JSON the same.
    pub fn round_trip(&self, bytes: &[u8]) -> Result<RoundTrip, RoundTripError> {
        (self.round_trip)(bytes)
    }

    /// This type's JSON Schema, as [`crate::schema::wire_schemas`] exports it.
    #[cfg(feature = "schemars")]
    pub fn schema(&self) -> crate::schema::WireSchema {
        (self.schema)(self.name, self.direction)
    }
}

/// A value read and written back: see [`WireType::round_trip`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RoundTrip {
    /// The value's `{:#?}` form.
    pub debug: String,
    /// The value written as JSON.
    pub written: Vec<u8>,
}

/// Why a [`WireType::round_trip`] failed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RoundTripError {
    /// The bytes are not this type: not a fault of the type.
    Parse(ParseError),
    /// The bytes parse, but writing the value back loses or changes something: a bug.
    Unstable(String),
}

impl fmt::Display for RoundTripError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoundTripError::Parse(e) => write!(f, "does not parse: {e}"),
            RoundTripError::Unstable(why) => write!(f, "does not round-trip: {why}"),
        }
    }
}

impl std::error::Error for RoundTripError {}

fn parse_as<T: DeserializeOwned>(bytes: &[u8]) -> Result<(), ParseError> {
    from_slice::<T>(bytes).map(drop)
}

pub(crate) fn round_trip_as<T>(bytes: &[u8]) -> Result<RoundTrip, RoundTripError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let value: T = from_slice(bytes).map_err(RoundTripError::Parse)?;
    let unstable = |why: String| RoundTripError::Unstable(format!("{value:?}: {why}"));
    let written = serde_json::to_vec(&value).map_err(|e| unstable(format!("not written: {e}")))?;
    let text = String::from_utf8_lossy(&written);
    let back: T = from_slice(&written)
        .map_err(|e| unstable(format!("written as {text}, which does not parse back: {e}")))?;
    if back != value {
        return Err(unstable(format!(
            "written as {text}, read back as {back:?}"
        )));
    }
    let again = serde_json::to_vec(&back).map_err(|e| unstable(format!("not written: {e}")))?;
    if again != written {
        return Err(unstable(format!(
            "written as {text}, then as {}",
            String::from_utf8_lossy(&again)
        )));
    }
    Ok(RoundTrip {
        debug: format!("{value:#?}"),
        written,
    })
}

macro_rules! wire_types {
    ($($selector:literal $direction:ident $name:literal => $ty:ty,)+) => {
        /// Every wire type, in the order the schemas are exported.
        pub static WIRE_TYPES: &[WireType] = &[$(
            WireType {
                name: $name,
                type_name: stringify!($ty),
                direction: Direction::$direction,
                fuzz_selector: $selector,
                parse: parse_as::<$ty>,
                round_trip: round_trip_as::<$ty>,
                #[cfg(feature = "schemars")]
                schema: crate::schema::wire_schema::<$ty>,
            },
        )+];
    };
}

wire_types! {
    b'c' Sent "create-conversation-request" => CreateConversationRequest,
    b'C' Received "create-conversation-response" => CreateConversationResponse,
    b's' Sent "send-message-request-v2" => SendMessageRequest,
    b'S' Received "send-message-response-v2" => SendMessageResponse,
    b'v' Sent "send-message-request-v1" => SendMessageRequestV1,
    b'V' Received "send-message-response-v1" => SendMessageResponseV1,
    b'q' Sent "conversation-detail-query-v2" => ConversationDetailQuery,
    b'd' Received "conversation-detail-response-v2" => ConversationDetailResponse,
    b'F' Received "stream-frame" => Frame,
    b'w' Received "webhook-message" => WebhookMessage,
    b'W' Sent "webhook-ack" => WebhookAck,
    b'E' Received "error-response" => ErrorResponse,
    b'h' Received "human-handoff-establish" => HandoffEstablish,
    b'H' Received "human-handoff-chat" => HandoffChat,
    b'x' Received "human-handoff-close" => HandoffClose,
    b'r' Sent "human-handoff-reply" => HandoffReply,
    b'm' Sent "human-message-request" => HumanMessageRequest,
    b'k' Sent "human-close-request" => HumanCloseRequest,
    b'K' Received "human-call-response" => HumanCallResponse,
    b'B' Received "webhook-check-response" => WebhookCheckResponse,
    b'f' Sent "message-feedback-request" => MessageFeedbackRequest,
    b'A' Received "message-feedback-response" => AffectCountResponse,
    b'g' Sent "message-quality-request" => MessageQualityRequest,
    b'G' Received "message-quality-response" => AffectCountResponse,
    b'l' Sent "conversation-list-query" => ConversationListQuery,
    b'L' Received "conversation-list-response" => ConversationListResponse,
    b'o' Sent "conversation-detail-query-v1" => ConversationDetailV1Query,
    b'O' Received "conversation-detail-response-v1" => ConversationDetailV1Response,
    b'n' Sent "suggested-questions-query" => SuggestedQuestionsQuery,
    b'N' Received "suggested-questions-response" => SuggestedQuestionsResponse,
    b'p' Sent "referenced-knowledge-query" => ReferencedKnowledgeQuery,
    b'P' Received "referenced-knowledge-response" => ReferencedKnowledgeResponse,
    b'a' Received "agent-detail-response" => AgentDetailResponse,
}

/// The wire type whose schema is `schemas/{name}.schema.json`.
pub fn by_name(name: &str) -> Option<&'static WireType> {
    WIRE_TYPES.iter().find(|w| w.name == name)
}

/// The wire type a `wire_types` fuzz input's first byte chooses.
pub fn by_fuzz_selector(selector: u8) -> Option<&'static WireType> {
    WIRE_TYPES.iter().find(|w| w.fuzz_selector == selector)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn names_and_selectors_are_unique() {
        for (i, a) in WIRE_TYPES.iter().enumerate() {
            for b in WIRE_TYPES.get(i + 1..).unwrap_or_default() {
                assert_ne!(a.name, b.name);
                assert_ne!(
                    a.fuzz_selector, b.fuzz_selector,
                    "{} and {}",
                    a.name, b.name
                );
            }
        }
    }

    #[test]
    fn a_round_trip_tells_a_parse_failure_from_an_unstable_type() {
        let ack = by_name("webhook-ack").unwrap();
        let done = ack.round_trip(br#"{"code":200,"msg":"ok","x":1}"#).unwrap();
        assert_eq!(done.written, br#"{"code":200,"msg":"ok"}"#);
        assert!(matches!(
            ack.round_trip(b"{}"),
            Err(RoundTripError::Parse(e)) if e.message.contains("code")
        ));
        assert_eq!(by_fuzz_selector(b'W').unwrap().name, "webhook-ack");
        assert!(by_fuzz_selector(b'U').is_none());
    }
}
