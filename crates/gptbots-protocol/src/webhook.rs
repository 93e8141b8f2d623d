//! Webhook mode: what GPTBots POSTs to the developer's URL, and the acknowledgement.
//!
//! Upstream: <https://www.gptbots.ai/docs/api-reference/conversation-api/webhook-mode>. Each
//! reply, the agent's and a human agent's, is POSTed as the v2 blocking reply object (or the v1
//! reply object for v1 integrations). Availability probes carry `"istest": true`: answer them
//! with the acknowledgement and do not treat them as messages.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::message_v1::SendMessageResponseV1;
use crate::message_v2::SendMessageResponse;
use crate::parse::ParseError;

/// The key whose value `true` makes a body an availability probe.
const PROBE_KEY: &str = "istest";
/// Keys only a v2 reply has.
const V2_KEYS: &[&str] = &["output", "usage"];
/// Keys only a v1 reply has.
const V1_KEYS: &[&str] = &["message_type", "flow_output", "text"];

/// A webhook body: a v2 reply, a v1 reply, or an availability probe.
///
/// Told apart by content: `"istest": true` is a probe (whatever else it carries); an object
/// with `output` or `usage` is a v2 reply; one with `message_type`, `flow_output` or `text` is a
/// v1 reply. Serializes back to the body it came from.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WebhookMessage {
    /// An availability probe: answer 200, do not process.
    Probe(WebhookProbe),
    /// A v2 reply (the usual case).
    V2(SendMessageResponse),
    /// A v1 reply.
    V1(SendMessageResponseV1),
}

impl WebhookMessage {
    /// Parses a webhook body: the same value, or the same error, as
    /// [`crate::from_slice::<WebhookMessage>`](crate::from_slice), reached faster for replies.
    ///
    /// The generic `Deserialize` must read the body into a map of values before it knows which
    /// kind it is (about 4 times the cost of the typed parse for the documented reply). From
    /// bytes there is a faster way to the same value: one pass that only notes which of the
    /// telling keys are present, then a direct typed parse. A probe, or a body that fails either
    /// pass, takes the general way, which also gives an error its JSON path.
    pub fn from_slice(body: &[u8]) -> Result<WebhookMessage, ParseError> {
        match fast::parse(body) {
            Some(message) => Ok(message),
            None => crate::from_slice(body),
        }
    }

    /// Whether this is an availability probe.
    pub fn is_probe(&self) -> bool {
        matches!(self, WebhookMessage::Probe(_))
    }

    /// The reply's message id (`None` for a probe).
    pub fn message_id(&self) -> Option<&str> {
        match self {
            WebhookMessage::Probe(_) => None,
            WebhookMessage::V2(reply) => Some(&reply.message_id),
            WebhookMessage::V1(reply) => Some(&reply.message_id),
        }
    }

    /// The reply's conversation id (`None` for a probe).
    pub fn conversation_id(&self) -> Option<&str> {
        match self {
            WebhookMessage::Probe(_) => None,
            WebhookMessage::V2(reply) => Some(&reply.conversation_id),
            WebhookMessage::V1(reply) => Some(&reply.conversation_id),
        }
    }
}

/// The body of an availability probe, kept whole.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct WebhookProbe {
    /// Every field as it came, `istest` included.
    pub raw: Map<String, Value>,
}

impl WebhookProbe {
    /// A probe body `{"istest": true}`.
    pub fn new() -> Self {
        let mut raw = Map::new();
        raw.insert(PROBE_KEY.to_owned(), Value::Bool(true));
        WebhookProbe { raw }
    }
}

impl Serialize for WebhookMessage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            WebhookMessage::Probe(probe) => probe.raw.serialize(serializer),
            WebhookMessage::V2(reply) => reply.serialize(serializer),
            WebhookMessage::V1(reply) => reply.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for WebhookMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Map::<String, Value>::deserialize(deserializer)?;
        if raw.get(PROBE_KEY) == Some(&Value::Bool(true)) {
            return Ok(WebhookMessage::Probe(WebhookProbe { raw }));
        }
        let is_v2 = V2_KEYS.iter().any(|key| raw.contains_key(*key));
        let is_v1 = V1_KEYS.iter().any(|key| raw.contains_key(*key));
        fn typed<T: serde::de::DeserializeOwned, E: de::Error>(
            raw: Map<String, Value>,
            kind: &str,
        ) -> Result<T, E> {
            serde_path_to_error::deserialize(Value::Object(raw)).map_err(|err| {
                E::custom(format_args!(
                    "{kind} reply at {}: {}",
                    err.path(),
                    err.inner()
                ))
            })
        }
        if is_v2 {
            typed(raw, "v2").map(WebhookMessage::V2)
        } else if is_v1 {
            typed(raw, "v1").map(WebhookMessage::V1)
        } else {
            Err(de::Error::custom(
                "expected a v2 reply (with `output`), a v1 reply (with `message_type`) or a probe (`\"istest\": true`)",
            ))
        }
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for WebhookMessage {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "WebhookMessage".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let v2 = generator.subschema_for::<SendMessageResponse>();
        let v1 = generator.subschema_for::<SendMessageResponseV1>();
        // As the Rust type tells them apart: a key only a v2 reply has makes it one.
        let has_v2_key = serde_json::json!({
            "anyOf": V2_KEYS.iter().map(|key| serde_json::json!({ "required": [key] })).collect::<Vec<_>>()
        });
        // A probe wins over a reply, whatever else the body carries.
        let not_probe = serde_json::json!({
            "not": { "properties": { "istest": { "const": true } }, "required": ["istest"] }
        });
        schemars::json_schema!({
            "description": "A webhook body: an availability probe (`istest` true), a v2 reply (with `output` or `usage`) or a v1 reply (with neither).",
            "anyOf": [
                {
                    "title": "WebhookProbe",
                    "description": "An availability probe: answer it, there is no reply in it.",
                    "type": "object",
                    "properties": { "istest": { "const": true } },
                    "required": ["istest"]
                },
                {
                    "title": "WebhookReplyV2",
                    "description": "A v2 reply: a key only a v2 reply has (`output` or `usage`), and not a probe.",
                    "allOf": [v2, has_v2_key, not_probe]
                },
                {
                    "title": "WebhookReplyV1",
                    "description": "A v1 reply: none of the keys only a v2 reply has, and not a probe.",
                    "allOf": [v1, { "not": has_v2_key }, not_probe]
                }
            ]
        })
    }
}

/// The receiver's answer: `{"code": 200, "msg": "success"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct WebhookAck {
    /// 200.
    pub code: i64,
    /// `success`.
    pub msg: String,
}

impl WebhookAck {
    /// The documented acknowledgement.
    pub fn success() -> Self {
        WebhookAck {
            code: 200,
            msg: "success".to_owned(),
        }
    }
}

impl Default for WebhookAck {
    fn default() -> Self {
        WebhookAck::success()
    }
}

/// The fast way of [`WebhookMessage::from_slice`].
mod fast {
    use std::fmt;

    use super::{PROBE_KEY, V1_KEYS, V2_KEYS, WebhookMessage};
    use crate::message_v1::SendMessageResponseV1;
    use crate::message_v2::SendMessageResponse;
    use serde::Deserialize;
    use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
    use serde_json::Value;

    /// Which of the keys that tell the kinds apart a body has.
    #[derive(Default)]
    struct Keys {
        probe: bool,
        v2: bool,
        v1: bool,
    }

    enum Key {
        IsTest,
        V2,
        V1,
        Other,
    }

    impl<'de> Deserialize<'de> for Key {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct KeyVisitor;
            impl Visitor<'_> for KeyVisitor {
                type Value = Key;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a key")
                }
                fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                    Ok(if key == PROBE_KEY {
                        Key::IsTest
                    } else if V2_KEYS.contains(&key) {
                        Key::V2
                    } else if V1_KEYS.contains(&key) {
                        Key::V1
                    } else {
                        Key::Other
                    })
                }
            }
            deserializer.deserialize_str(KeyVisitor)
        }
    }

    impl<'de> Deserialize<'de> for Keys {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct KeysVisitor;
            impl<'de> Visitor<'de> for KeysVisitor {
                type Value = Keys;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                    let mut keys = Keys::default();
                    while let Some(key) = map.next_key::<Key>()? {
                        match key {
                            // the last `istest` wins, as in a map
                            Key::IsTest => {
                                keys.probe = map.next_value::<Value>()? == Value::Bool(true);
                            }
                            Key::V2 => {
                                keys.v2 = true;
                                map.next_value::<IgnoredAny>()?;
                            }
                            Key::V1 => {
                                keys.v1 = true;
                                map.next_value::<IgnoredAny>()?;
                            }
                            Key::Other => {
                                map.next_value::<IgnoredAny>()?;
                            }
                        }
                    }
                    Ok(keys)
                }
            }
            deserializer.deserialize_map(KeysVisitor)
        }
    }

    /// The reply, when both passes succeed; `None` sends the body the general way.
    ///
    /// A direct typed parse that succeeds gives the value the general way gives: each known
    /// field occurred once (a repeated one fails the direct parse), unknown fields are ignored
    /// by both, and numbers and strings decode alike.
    pub(super) fn parse(body: &[u8]) -> Option<WebhookMessage> {
        let keys: Keys = serde_json::from_slice(body).ok()?;
        if keys.probe {
            None
        } else if keys.v2 {
            serde_json::from_slice::<SendMessageResponse>(body)
                .ok()
                .map(WebhookMessage::V2)
        } else if keys.v1 {
            serde_json::from_slice::<SendMessageResponseV1>(body)
                .ok()
                .map(WebhookMessage::V1)
        } else {
            None
        }
    }
}
