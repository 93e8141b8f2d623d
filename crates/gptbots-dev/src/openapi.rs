//! The OpenAPI 3.1 document of the GPTBots conversation API, built from the same schemas as
//! `schemas/` ([`wire_schemas`]), so that the two never disagree.
//!
//! How the wire schemas become components:
//!
//! - each wire schema is a component named after its file stem in PascalCase
//!   (`send-message-request-v2` becomes `SendMessageRequestV2`), without its `$schema`, `$id`
//!   and `$defs`;
//! - each of its `$defs` becomes a component of its own, and every `$ref` to `#/$defs/X` points to
//!   that component instead;
//! - a definition that is a whole wire schema (same title, same schema apart from the title,
//!   including everything it refers to) points to that wire schema's component;
//! - two definitions of the same name are one component when they are the same schema, including
//!   everything they refer to. When they differ, or when the name is a wire schema's, the later one
//!   (in the order of [`wire_schemas`], definitions by name) is renamed to its wire schema's
//!   component name followed by the definition's (`ConversationDetailResponseV2Attachment`);
//! - the error code becomes the `ErrorCode` component, which lists the documented codes and still
//!   accepts any integer.

use std::collections::{BTreeMap, BTreeSet};

use gptbots_protocol::conversation::MAX_PAGE_SIZE;
use gptbots_protocol::endpoint::{self, Region};
use gptbots_protocol::schema::wire_schemas;
use gptbots_protocol::{ErrorCode, agent, feedback, handoff, history, reply_extras, webhook_check};
use serde_json::{Map, Value, json};

/// The document's file name, inside `openapi/`.
pub const FILE_NAME: &str = "gptbots.openapi.json";

/// The address `gptbots mock` listens on by default.
pub const MOCK_SERVER: &str = "http://127.0.0.1:8787";

const COMPONENTS: &str = "#/components/schemas/";
const DEFS: &str = "#/$defs/";

/// The document, as canonical text: keys sorted, pretty-printed, a trailing newline.
pub fn canonical_document() -> String {
    let mut text = serde_json::to_string_pretty(&sorted(document())).unwrap_or_default();
    text.push('\n');
    text
}

/// The document.
pub fn document() -> Value {
    let wire = wire_schemas();
    let pairs: Vec<(&str, &Value)> = wire.iter().map(|w| (w.name, &w.schema)).collect();
    let components = Components::build(&pairs);
    let mut paths = Map::new();
    for op in operations() {
        let item = paths
            .entry(op.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(op.method.to_owned(), op.to_value(&components));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "GPTBots conversation API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": INFO_DESCRIPTION,
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" }
        },
        "servers": servers(),
        "security": [ { "bearerAuth": [] } ],
        "tags": tags(),
        "paths": paths,
        "webhooks": webhooks(),
        "components": {
            "schemas": components.schemas,
            "responses": {
                "Error": {
                    "description": ERROR_DESCRIPTION,
                    "content": { "application/json": { "schema": schema_ref("ErrorResponse") } }
                }
            },
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The agent's API key, from the agent's integration settings in the GPTBots console: `Authorization: Bearer {API key}`. The local mock accepts `mock-api-key` unless started with another key."
                },
                "webhookBearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Sent to the reply webhook when the developer switched on its authorization in the console: the token set there."
                },
                "webhookBasic": {
                    "type": "http",
                    "scheme": "basic",
                    "description": "The other form the reply webhook's authorization may take: `Authorization: Basic {token}`."
                }
            }
        }
    })
}

const INFO_DESCRIPTION: &str = "The GPTBots conversation API: create a conversation with an agent, send it messages and receive the reply whole, as a stream of frames, or at a webhook; read conversations back; rate replies; ask for suggested questions and the knowledge a reply drew on; and hand a conversation over to a human agent.\n\nEvery call carries the agent's API key as a bearer token. A failed call answers with a JSON body holding a numeric error code and a message. The HTTP status that comes with an error is not documented, and an error body may come with status 200, so a client reads the code whatever the status.\n\nReplies from the service may carry fields this document does not name, and values of open sets (message types, conversation types and so on) that it does not list: a client keeps or ignores them rather than failing. Requests, on the other hand, are described strictly.\n\nThe `webhooks` section describes the calls the service makes to the developer: the reply webhook (replies in webhook mode, including a human agent's replies after a hand-off) and the three hand-off calls. The hand-off calls go to a base address configured in the console, followed by the path each one names.";

const ERROR_DESCRIPTION: &str = "An error: `{\"code\": integer, \"message\": string}`. The HTTP status that comes with it is not documented (a 4xx or 5xx is likely, but the same body may also come with status 200), so read `code` whatever the status. Some servers send `msg` instead of `message`, or no message at all.";

fn servers() -> Value {
    let regions: Vec<&str> = Region::KNOWN.to_vec();
    json!([
        {
            "url": "https://api-{endpoint}.gptbots.ai",
            "description": "The GPTBots service, in the data centre of the agent's account.",
            "variables": {
                "endpoint": {
                    "default": Region::default().as_str(),
                    "enum": regions,
                    "description": "The data centre: sg (Singapore), jp (Japan) or th (Thailand)."
                }
            }
        },
        {
            "url": MOCK_SERVER,
            "description": "The workspace's local mock (`gptbots mock`), at its default address. It serves create conversation, send message v2 and v1, and conversation detail v2."
        }
    ])
}

fn tags() -> Value {
    json!([
        { "name": "Conversations", "description": "Create a conversation and read conversations back." },
        { "name": "Messages", "description": "Send a message and receive the agent's reply." },
        { "name": "Replies", "description": "Feedback on a reply, and what comes with it: suggested questions, referenced knowledge." },
        { "name": "Human hand-off", "description": "A human agent's answers, sent back to the service during a hand-off." },
        { "name": "Agent", "description": "The agent and its webhooks." }
    ])
}

/// `{"$ref": "#/components/schemas/NAME"}`.
fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("{COMPONENTS}{name}") })
}

/// The component name of a wire schema: its file stem in PascalCase.
pub fn component_name(stem: &str) -> String {
    let mut name = String::new();
    for part in stem.split(['-', '_']) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    sanitize(&name)
}

/// A component key may only hold letters, digits, `.`, `-` and `_`.
fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `components/schemas`, and how each wire schema's definitions were named there.
struct Components {
    schemas: Map<String, Value>,
}

impl Components {
    /// `wire`: each wire schema's file stem and schema, in order.
    fn build(wire: &[(&str, &Value)]) -> Components {
        let reserved: BTreeSet<String> =
            wire.iter().map(|(stem, _)| component_name(stem)).collect();
        // A definition that is a whole wire schema (the webhook body holds the v1 and v2 replies)
        // points to that wire schema's component: (title, identity) -> component.
        let mut whole: BTreeMap<(String, String), String> = BTreeMap::new();
        for &(stem, schema) in wire {
            let Some(title) = schema.get("title").and_then(Value::as_str) else {
                continue;
            };
            let mut defs = defs_of(schema);
            if defs.contains_key(title) {
                continue;
            }
            let mut body = root_body(schema);
            if let Value::Object(map) = &mut body {
                map.remove("title");
            }
            defs.insert(title.to_owned(), body);
            whole
                .entry((title.to_owned(), identity(&defs, title)))
                .or_insert_with(|| component_name(stem));
        }
        // name -> identity of the definition that took it
        let mut taken: BTreeMap<String, String> = BTreeMap::new();
        let mut schemas = Map::new();
        for &(stem, schema) in wire {
            let owner = component_name(stem);
            let defs = defs_of(schema);
            let mut names: BTreeMap<String, String> = BTreeMap::new();
            for def in defs.keys() {
                if def == "ErrorCode" {
                    // The same type wherever it appears: the richer component below.
                    names.insert(def.clone(), "ErrorCode".to_owned());
                    continue;
                }
                let identity = identity(&defs, def);
                if let Some(component) = whole.get(&(def.clone(), identity.clone())) {
                    names.insert(def.clone(), component.clone());
                    continue;
                }
                let mut candidates = vec![sanitize(def), format!("{owner}{}", sanitize(def))];
                candidates.extend(
                    (2..)
                        .take(64)
                        .map(|n| format!("{owner}{}{n}", sanitize(def))),
                );
                for candidate in candidates {
                    if reserved.contains(&candidate) || candidate == "ErrorCode" {
                        continue;
                    }
                    match taken.get(&candidate) {
                        Some(other) if *other != identity => continue,
                        Some(_) => {}
                        None => {
                            taken.insert(candidate.clone(), identity.clone());
                        }
                    }
                    names.insert(def.clone(), candidate);
                    break;
                }
            }
            for (def, body) in &defs {
                if let Some(name) = names.get(def) {
                    if !reserved.contains(name)
                        && name != "ErrorCode"
                        && !schemas.contains_key(name)
                    {
                        schemas.insert(name.clone(), rewrite_refs(body.clone(), &names));
                    }
                }
            }
            schemas.insert(owner, rewrite_refs(root_body(schema), &names));
        }
        // The error body's code: always the documented list, whatever the type's schema says.
        if let Some(code) = schemas
            .get_mut("ErrorResponse")
            .and_then(|e| e.pointer_mut("/properties/code"))
        {
            *code = json!({ "$ref": format!("{COMPONENTS}ErrorCode"), "description": "The error code." });
        }
        schemas.insert("ErrorCode".to_owned(), error_code());
        schemas.insert("WebhookAccepted".to_owned(), webhook_accepted());
        schemas.insert("StreamEvent".to_owned(), stream_event());
        Components { schemas }
    }
}

/// A wire schema without `$schema`, `$id` and `$defs`.
fn root_body(schema: &Value) -> Value {
    let mut body = schema.clone();
    if let Value::Object(map) = &mut body {
        map.remove("$schema");
        map.remove("$id");
        map.remove("$defs");
    }
    body
}

fn defs_of(schema: &Value) -> BTreeMap<String, Value> {
    schema
        .get("$defs")
        .and_then(Value::as_object)
        .map(|defs| defs.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// What makes two definitions the same: the definition and every definition it reaches, as text.
fn identity(defs: &BTreeMap<String, Value>, root: &str) -> String {
    let mut seen = BTreeMap::new();
    let mut todo = vec![root.to_owned()];
    while let Some(name) = todo.pop() {
        if seen.contains_key(&name) {
            continue;
        }
        let body = defs.get(&name).cloned().unwrap_or(Value::Null);
        let mut refs = Vec::new();
        collect_refs(&body, &mut refs);
        todo.extend(refs.iter().filter_map(|r| def_name(r)));
        seen.insert(name, sorted(body));
    }
    format!("{root}:{}", Value::Object(seen.into_iter().collect()))
}

/// `#/$defs/X` -> `X` (JSON Pointer escapes undone).
fn def_name(reference: &str) -> Option<String> {
    reference
        .strip_prefix(DEFS)
        .map(|name| name.replace("~1", "/").replace("~0", "~"))
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(item, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

fn rewrite_refs(value: Value, names: &BTreeMap<String, String>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, item)| {
                    let item = match (key.as_str(), item) {
                        ("$ref", Value::String(r)) => {
                            let target = def_name(&r).and_then(|d| names.get(&d).cloned());
                            Value::String(match target {
                                Some(name) => format!("{COMPONENTS}{name}"),
                                None => r,
                            })
                        }
                        (_, item) => rewrite_refs(item, names),
                    };
                    (key, item)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| rewrite_refs(item, names))
                .collect(),
        ),
        other => other,
    }
}

fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The error code: the protocol crate's schema of it (the documented codes, each with its
/// meaning, and any other integer), the same as in `schemas/`.
fn error_code() -> Value {
    let mut schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<ErrorCode>()
        .to_value();
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
    }
    schema
}

/// Send message v2 in webhook mode: the service's acknowledgement.
fn webhook_accepted() -> Value {
    json!({
        "title": "WebhookAccepted",
        "description": "The answer to a message sent in webhook mode: the service accepted it, and the reply will be POSTed to the webhook set in the console. Its fields are not documented; it may name the conversation and the id the reply will carry.",
        "type": "object",
        "properties": {
            "conversation_id": { "type": "string", "description": "The conversation, when the acknowledgement names it." },
            "message_id": { "type": "string", "description": "The id the reply will carry, when the acknowledgement names it." }
        }
    })
}

/// Where an operation's query parameters come from.
enum Query {
    /// None.
    None,
    /// The properties of this wire schema.
    Wire(&'static str),
    /// Conversation detail v2's query, which has no wire schema of its own.
    DetailV2,
}

/// One call of the API.
struct Operation {
    id: &'static str,
    method: &'static str,
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    description: &'static str,
    query: Query,
    /// The wire schema of the request body.
    body: Option<&'static str>,
    /// The `200` response.
    ok: Value,
    deprecated: bool,
}

/// A `200` response whose body is this wire schema.
fn ok_json(description: &str, stem: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": schema_ref(&component_name(stem)) } }
    })
}

/// The frame stream, as `text/event-stream`: the schema is that of one event (the convention of
/// OpenAPI's media type registry, which OpenAPI 3.2 calls `itemSchema`).
fn event_stream() -> Value {
    json!({ "schema": schema_ref("StreamEvent") })
}

/// One event of the frame stream: its `data` is a frame, as JSON text.
fn stream_event() -> Value {
    json!({
        "title": "StreamEvent",
        "description": "One event of a streaming reply. Its data is one frame as JSON text (the StreamFrame schema). The first frame names the message, text frames carry the reply piece by piece, and the frame with code 0 ends the stream; a stream without it was cut off. Besides SSE `data:` lines, the service has also been seen sending bare JSON objects, one a line or run together, so a robust client accepts both.",
        "type": "object",
        "properties": {
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": schema_ref("StreamFrame")
            },
            "event": { "type": "string" },
            "id": { "type": "string" },
            "retry": { "type": "integer", "minimum": 0 }
        },
        "required": ["data"]
    })
}

fn operations() -> Vec<Operation> {
    let v2 = "send-message-response-v2";
    vec![
        Operation {
            id: "create_conversation",
            method: "post",
            path: endpoint::CREATE_CONVERSATION,
            tag: "Conversations",
            summary: "Create a conversation",
            description: "Starts a conversation between the agent and one of the developer's users. Messages are then sent in it by its id.",
            query: Query::None,
            body: Some("create-conversation-request"),
            ok: ok_json("The new conversation's id.", "create-conversation-response"),
            deprecated: false,
        },
        Operation {
            id: "send_message",
            method: "post",
            path: endpoint::SEND_MESSAGE_V2,
            tag: "Messages",
            summary: "Send a message (v2)",
            description: "Sends messages to the agent in a conversation. `response_mode` decides how the reply comes: `blocking` waits for the whole reply, `streaming` sends it as a stream of frames while it is written, and `webhook` answers at once and POSTs the reply to the webhook set in the console (see the `reply` webhook).",
            query: Query::None,
            body: Some("send-message-request-v2"),
            ok: json!({
                "description": "In blocking mode, the reply. In webhook mode, an acknowledgement; the reply goes to the webhook. In streaming mode, the stream of frames. An error body may also come with this status.",
                "content": {
                    "application/json": {
                        "schema": {
                            "anyOf": [
                                schema_ref(&component_name(v2)),
                                schema_ref("WebhookAccepted")
                            ]
                        }
                    },
                    "text/event-stream": event_stream()
                }
            }),
            deprecated: false,
        },
        Operation {
            id: "send_message_v1",
            method: "post",
            path: endpoint::SEND_MESSAGE_V1,
            tag: "Messages",
            summary: "Send a message (v1, deprecated)",
            description: "The older way to send a message: text and up to 9 files. Still served; prefer send message v2. `response_mode` works as in v2.",
            query: Query::None,
            body: Some("send-message-request-v1"),
            ok: json!({
                "description": "In blocking mode, the v1 reply. In webhook mode, an acknowledgement; the reply goes to the webhook. In streaming mode, the stream of frames. An error body may also come with this status.",
                "content": {
                    "application/json": {
                        "schema": {
                            "anyOf": [
                                schema_ref(&component_name("send-message-response-v1")),
                                schema_ref("WebhookAccepted")
                            ]
                        }
                    },
                    "text/event-stream": event_stream()
                }
            }),
            deprecated: true,
        },
        Operation {
            id: "conversation_detail",
            method: "get",
            path: endpoint::CONVERSATION_DETAIL_V2,
            tag: "Conversations",
            summary: "Conversation detail (v2)",
            description: "One page of a conversation's messages, with every kind of content. A page past the last one is error 40005.",
            query: Query::DetailV2,
            body: None,
            ok: ok_json("A page of messages.", "conversation-detail-response-v2"),
            deprecated: false,
        },
        Operation {
            id: "conversation_detail_v1",
            method: "get",
            path: history::CONVERSATION_DETAIL_V1_PATH,
            tag: "Conversations",
            summary: "Conversation detail (v1, legacy)",
            description: "One page of a conversation's messages, text only. A page past the last one is error 40005; an unknown conversation is 40356. Prefer conversation detail v2.",
            query: Query::Wire("conversation-detail-query-v1"),
            body: None,
            ok: ok_json("A page of messages.", "conversation-detail-response-v1"),
            deprecated: false,
        },
        Operation {
            id: "conversation_list",
            method: "get",
            path: history::CONVERSATION_LIST_PATH,
            tag: "Conversations",
            summary: "Conversation list",
            description: "One page of the agent's conversations whose last message falls between two times, on one channel or on all of them.",
            query: Query::Wire("conversation-list-query"),
            body: None,
            ok: ok_json("A page of conversations.", "conversation-list-response"),
            deprecated: false,
        },
        Operation {
            id: "message_feedback",
            method: "post",
            path: feedback::MESSAGE_FEEDBACK_PATH,
            tag: "Replies",
            summary: "Feedback on a reply",
            description: "Records the user's thumbs up or down on a reply, or takes it back.",
            query: Query::None,
            body: Some("message-feedback-request"),
            ok: ok_json(
                "Recorded. The count it carries is for information only.",
                "message-feedback-response",
            ),
            deprecated: false,
        },
        Operation {
            id: "message_quality",
            method: "post",
            path: feedback::MESSAGE_QUALITY_PATH,
            tag: "Replies",
            summary: "Rate how well a reply resolved the question",
            description: "Records how far a reply resolved the user's question.",
            query: Query::None,
            body: Some("message-quality-request"),
            ok: ok_json(
                "Recorded. The count it carries is for information only.",
                "message-quality-response",
            ),
            deprecated: false,
        },
        Operation {
            id: "suggested_questions",
            method: "get",
            path: reply_extras::SUGGESTED_QUESTIONS_PATH,
            tag: "Replies",
            summary: "Suggested questions after a reply",
            description: "Questions the user might ask next, after one of the agent's replies. Error 200222 when the agent's settings do not enable them.",
            query: Query::Wire("suggested-questions-query"),
            body: None,
            ok: ok_json("The questions.", "suggested-questions-response"),
            deprecated: false,
        },
        Operation {
            id: "referenced_knowledge",
            method: "get",
            path: reply_extras::REFERENCED_KNOWLEDGE_PATH,
            tag: "Replies",
            summary: "The knowledge a reply drew on",
            description: "The knowledge-base passages behind one of the agent's replies. Error 200222 when the agent's settings do not enable them.",
            query: Query::Wire("referenced-knowledge-query"),
            body: None,
            ok: ok_json("The passages.", "referenced-knowledge-response"),
            deprecated: false,
        },
        Operation {
            id: "agent_detail",
            method: "get",
            path: agent::AGENT_DETAIL_PATH,
            tag: "Agent",
            summary: "Agent information",
            description: "The settings of the agent the API key belongs to. Also the cheapest way to check that a key works: a wrong key is error 40127.",
            query: Query::None,
            body: None,
            ok: ok_json("The agent.", "agent-detail-response"),
            deprecated: false,
        },
        Operation {
            id: "webhook_check",
            method: "post",
            path: webhook_check::WEBHOOK_CHECK_PATH,
            tag: "Agent",
            summary: "Check the agent's webhooks",
            description: "Sends a test call to each webhook configured for the agent (the reply webhook and the hand-off webhooks) and says which answered. The test calls carry `\"istest\": true`. The request has no body.",
            query: Query::None,
            body: None,
            ok: ok_json("One result per webhook.", "webhook-check-response"),
            deprecated: false,
        },
        Operation {
            id: "human_message",
            method: "post",
            path: handoff::HUMAN_MESSAGE_PATH,
            tag: "Human hand-off",
            summary: "Send a human agent's message to the user",
            description: "During a hand-off, sends the human agent's answer to the user. The first one must come within the agent's wait timeout (60 seconds by default) after the establish call, or the service ends the session. `conversation_id` is the hand-off session's id from the establish call.",
            query: Query::None,
            body: Some("human-message-request"),
            ok: ok_json(
                "Delivered. The body may also be empty.",
                "human-call-response",
            ),
            deprecated: false,
        },
        Operation {
            id: "human_close",
            method: "post",
            path: handoff::HUMAN_CLOSE_PATH,
            tag: "Human hand-off",
            summary: "End a hand-off session",
            description: "Ends a hand-off session from the developer's side.",
            query: Query::None,
            body: Some("human-close-request"),
            ok: ok_json("Ended. The body may also be empty.", "human-call-response"),
            deprecated: false,
        },
    ]
}

impl Operation {
    fn to_value(&self, components: &Components) -> Value {
        let mut op = json!({
            "operationId": self.id,
            "tags": [self.tag],
            "summary": self.summary,
            "description": self.description,
            "responses": {
                "200": self.ok,
                "default": { "$ref": "#/components/responses/Error" }
            }
        });
        let Value::Object(map) = &mut op else {
            return op;
        };
        if self.deprecated {
            map.insert("deprecated".to_owned(), Value::Bool(true));
        }
        if let Some(stem) = self.body {
            map.insert(
                "requestBody".to_owned(),
                json!({
                    "required": true,
                    "content": { "application/json": { "schema": schema_ref(&component_name(stem)) } }
                }),
            );
        }
        let parameters = match self.query {
            Query::None => Vec::new(),
            Query::Wire(stem) => components
                .schemas
                .get(&component_name(stem))
                .map(query_parameters)
                .unwrap_or_default(),
            Query::DetailV2 => query_parameters(&detail_v2_query()),
        };
        if !parameters.is_empty() {
            map.insert("parameters".to_owned(), Value::Array(parameters));
        }
        op
    }
}

/// Conversation detail v2's query, from its type (it is not one of the wire schemas).
fn detail_v2_query() -> Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<gptbots_protocol::ConversationDetailQuery>()
        .to_value();
    gptbots_protocol::schema::plain_descriptions(schema)
}

/// Query parameters from an object schema: one per property, `required` as the schema says.
fn query_parameters(schema: &Value) -> Vec<Value> {
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut parameters = Vec::new();
    for (name, property) in properties {
        let mut property = property.clone();
        let description = match &mut property {
            Value::Object(map) => map.remove("description"),
            _ => None,
        };
        let mut property = not_null(property);
        bounds(name, &mut property);
        let mut parameter = json!({
            "name": name,
            "in": "query",
            "required": required.contains(name.as_str()),
            "schema": property
        });
        if let (Some(description), Value::Object(map)) = (description, &mut parameter) {
            map.insert("description".to_owned(), description);
        }
        parameters.push(parameter);
    }
    parameters
}

/// A query parameter is absent or has a value, never `null`: drop `null` from the schema.
fn not_null(mut schema: Value) -> Value {
    if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            if let Some(t) = schema.get_mut("type") {
                *t = only;
            }
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(variants)) = schema.get_mut(key) {
            variants.retain(|v| v.get("type").and_then(Value::as_str) != Some("null"));
            if let [only] = variants.as_slice() {
                let only = only.clone();
                if let Value::Object(map) = &mut schema {
                    map.remove(key);
                    if let Value::Object(inner) = only {
                        map.extend(inner);
                    }
                }
            }
        }
    }
    schema
}

/// The documented bounds of query parameters (the queries' `validate()` checks the same), and
/// the range of the type behind an integer (`uint32`: at most 4294967295).
fn bounds(name: &str, schema: &mut Value) {
    let Value::Object(map) = schema else {
        return;
    };
    if map.get("format").and_then(Value::as_str) == Some("uint32") {
        map.insert("maximum".to_owned(), json!(u32::MAX));
    }
    match name {
        "page" => {
            map.insert("minimum".to_owned(), json!(1));
        }
        "page_size" => {
            map.insert("minimum".to_owned(), json!(1));
            map.insert("maximum".to_owned(), json!(MAX_PAGE_SIZE));
        }
        "conversation_id" | "answer_id" | "message_id" => {
            map.insert("minLength".to_owned(), json!(1));
        }
        "start_time" | "end_time" => {
            map.insert("minimum".to_owned(), json!(0));
        }
        _ => {}
    }
}

/// A webhook: a POST the service makes to the developer.
fn webhook(summary: &str, description: &str, body: &str, answer: &str, security: Value) -> Value {
    json!({
        "post": {
            "summary": summary,
            "description": description,
            "security": security,
            "requestBody": {
                "required": true,
                "content": { "application/json": { "schema": schema_ref(&component_name(body)) } }
            },
            "responses": {
                "200": {
                    "description": "Accepted.",
                    "content": { "application/json": { "schema": schema_ref(&component_name(answer)) } }
                }
            }
        }
    })
}

fn webhooks() -> Value {
    let none = json!([]);
    json!({
        "reply": webhook(
            "A reply, POSTed to the reply webhook",
            "In webhook mode, each reply (the agent's, and a human agent's after a hand-off) is POSTed to the URL set in the console: the v2 reply object, or the v1 reply object for messages sent with v1. Availability probes carry `\"istest\": true`: answer 200 and do not treat them as messages. The request carries `Authorization: Bearer {token}` or `Basic {token}` when the developer switched authorization on, and no Authorization header otherwise.",
            "webhook-message",
            "webhook-ack",
            json!([ {}, { "webhookBearer": [] }, { "webhookBasic": [] } ]),
        ),
        "human_handoff_establish": webhook(
            "A hand-off starts",
            &format!("POSTed to the hand-off base URL set in the console followed by `{}`, when a user asks for a human. Answering 200 opens the session; the first answer to the user must follow within the agent's wait timeout through the human message call. A test call carries `\"istest\": true` (and possibly nothing else): answer 200 and open no session. No authorization is documented for this call.", handoff::ESTABLISH_PATH),
            "human-handoff-establish",
            "human-handoff-reply",
            none.clone(),
        ),
        "human_handoff_chat": webhook(
            "A user's message during a hand-off",
            &format!("POSTed to the hand-off base URL followed by `{}`, for each further message of the user. A test call carries `\"istest\": true`: answer 200 and deliver nothing. No authorization is documented for this call.", handoff::CHAT_PATH),
            "human-handoff-chat",
            "human-handoff-reply",
            none.clone(),
        ),
        "human_handoff_close": webhook(
            "A hand-off ends",
            &format!("POSTed to the hand-off base URL followed by `{}`, when the service ends the session: the user went quiet (TIMEOUT) or closed it (USER_CLOSED). No authorization is documented for this call.", handoff::CLOSE_PATH),
            "human-handoff-close",
            "human-handoff-reply",
            none,
        ),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::*;

    fn names(components: &Components) -> Vec<&str> {
        components.schemas.keys().map(String::as_str).collect()
    }

    #[test]
    fn definitions_become_components_and_collisions_get_the_owners_name() {
        // Two request-like schemas share `Shared` (the same schema) and both define `Role`
        // differently; `Part` is the same text in both but refers to their different `Role`s.
        let first = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://example.invalid/first.schema.json",
            "title": "First",
            "type": "object",
            "properties": {
                "shared": { "$ref": "#/$defs/Shared" },
                "role": { "$ref": "#/$defs/Role" },
                "part": { "$ref": "#/$defs/Part" }
            },
            "$defs": {
                "Shared": { "type": "string" },
                "Role": { "enum": ["user", "assistant"] },
                "Part": { "type": "object", "properties": { "role": { "$ref": "#/$defs/Role" } } }
            }
        });
        let second = json!({
            "title": "Second",
            "type": "object",
            "properties": {
                "shared": { "$ref": "#/$defs/Shared" },
                "role": { "$ref": "#/$defs/Role" },
                "part": { "$ref": "#/$defs/Part" },
                "bad~name": { "$ref": "#/$defs/a~1b" }
            },
            "$defs": {
                "Shared": { "type": "string" },
                "Role": { "type": "string" },
                "Part": { "type": "object", "properties": { "role": { "$ref": "#/$defs/Role" } } },
                "a/b": { "type": "integer" }
            }
        });
        // Holds the whole of `first` (less its title) as a definition, the way the webhook body
        // holds the replies: it points to the First component, and its parts to first's.
        let third = json!({
            "title": "Third",
            "anyOf": [ { "$ref": "#/$defs/First" } ],
            "$defs": {
                "First": {
                    "type": "object",
                    "properties": {
                        "shared": { "$ref": "#/$defs/Shared" },
                        "role": { "$ref": "#/$defs/Role" },
                        "part": { "$ref": "#/$defs/Part" }
                    }
                },
                "Shared": { "type": "string" },
                "Role": { "enum": ["user", "assistant"] },
                "Part": { "type": "object", "properties": { "role": { "$ref": "#/$defs/Role" } } }
            }
        });
        let components = Components::build(&[
            ("first", &first),
            ("second-one", &second),
            ("third", &third),
        ]);
        let s = &components.schemas;
        assert_eq!(
            names(&components),
            [
                "ErrorCode",
                "First",
                "Part",
                "Role",
                "SecondOne",
                "SecondOnePart",
                "SecondOneRole",
                "Shared",
                "StreamEvent",
                "Third",
                "WebhookAccepted",
                "a_b"
            ]
        );
        // The first owner keeps the plain names; the second's differing ones carry its name.
        assert_eq!(
            s["First"]["properties"]["role"]["$ref"],
            "#/components/schemas/Role"
        );
        assert_eq!(
            s["Part"]["properties"]["role"]["$ref"],
            "#/components/schemas/Role"
        );
        assert_eq!(
            s["SecondOne"]["properties"]["role"]["$ref"],
            "#/components/schemas/SecondOneRole"
        );
        assert_eq!(
            s["SecondOne"]["properties"]["part"]["$ref"],
            "#/components/schemas/SecondOnePart"
        );
        assert_eq!(
            s["SecondOnePart"]["properties"]["role"]["$ref"],
            "#/components/schemas/SecondOneRole"
        );
        // The same schema under the same name is one component.
        assert_eq!(
            s["SecondOne"]["properties"]["shared"]["$ref"],
            "#/components/schemas/Shared"
        );
        // A definition that is a whole wire schema points to it.
        assert_eq!(s["Third"]["anyOf"][0]["$ref"], "#/components/schemas/First");
        // A name a component key cannot hold is made one that it can.
        assert_eq!(
            s["SecondOne"]["properties"]["bad~name"]["$ref"],
            "#/components/schemas/a_b"
        );
        // No schema keeps its definitions, id or dialect.
        for (name, schema) in s {
            for key in ["$defs", "$id", "$schema"] {
                assert!(schema.get(key).is_none(), "{name} keeps {key}");
            }
        }
        // Built twice, the same.
        let again = Components::build(&[
            ("first", &first),
            ("second-one", &second),
            ("third", &third),
        ]);
        assert_eq!(again.schemas, components.schemas);
    }

    #[test]
    fn a_definition_named_like_a_wire_schema_is_renamed() {
        let one = json!({ "title": "One", "type": "string" });
        let two = json!({
            "title": "Two",
            "properties": { "x": { "$ref": "#/$defs/One" } },
            "$defs": { "One": { "type": "integer" } }
        });
        let components = Components::build(&[("one", &one), ("two", &two)]);
        let s = &components.schemas;
        assert_eq!(s["One"]["type"], "string");
        assert_eq!(
            s["Two"]["properties"]["x"]["$ref"],
            "#/components/schemas/TwoOne"
        );
        assert_eq!(s["TwoOne"]["type"], "integer");
    }

    #[test]
    fn query_parameters_drop_null_and_carry_bounds() {
        let query = json!({
            "type": "object",
            "properties": {
                "page": { "type": "integer", "format": "uint32", "minimum": 0, "description": "The page." },
                "user_id": { "type": ["string", "null"] },
                "kind": { "anyOf": [ { "$ref": "#/components/schemas/Kind" }, { "type": "null" } ] }
            },
            "required": ["page"]
        });
        let params = query_parameters(&query);
        assert_eq!(
            Value::Array(params),
            json!([
                { "name": "kind", "in": "query", "required": false,
                  "schema": { "$ref": "#/components/schemas/Kind" } },
                { "name": "page", "in": "query", "required": true, "description": "The page.",
                  "schema": { "type": "integer", "format": "uint32", "minimum": 1, "maximum": 4294967295u32 } },
                { "name": "user_id", "in": "query", "required": false, "schema": { "type": "string" } }
            ])
        );
    }

    #[test]
    fn component_names_are_pascal_case_stems() {
        assert_eq!(
            component_name("send-message-request-v2"),
            "SendMessageRequestV2"
        );
        assert_eq!(component_name("webhook-ack"), "WebhookAck");
        assert_eq!(component_name("stream-frame"), "StreamFrame");
    }
}
