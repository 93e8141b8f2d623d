//! Shared by the vector and schema tests: where the documented examples are, and which wire
//! type and schema each one is.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// `conformance/vectors` relative to the repository root.
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/vectors")
}

/// The committed `schemas/` directory.
pub fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

/// What a vector file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ErrorResponse,
    Stream,
    SendMessageRequestV1,
    SendMessageResponseV1,
    SendMessageRequestV2,
    SendMessageResponseV2,
    WebhookAck,
    WebhookMessage,
}

impl Kind {
    /// The schema file stem for one value of this kind (for a stream: one frame).
    pub fn schema(self) -> &'static str {
        match self {
            Kind::ErrorResponse => "error-response",
            Kind::Stream => "stream-frame",
            Kind::SendMessageRequestV1 => "send-message-request-v1",
            Kind::SendMessageResponseV1 => "send-message-response-v1",
            Kind::SendMessageRequestV2 => "send-message-request-v2",
            Kind::SendMessageResponseV2 => "send-message-response-v2",
            Kind::WebhookAck => "webhook-ack",
            Kind::WebhookMessage => "webhook-message",
        }
    }
}

/// The kind of the vector at `relative` (a path under the vectors directory, `/`-separated).
/// `None` for a file no test knows: the tests fail on it, so a new vector is never skipped.
pub fn kind_of(relative: &str) -> Option<Kind> {
    let (dir, file) = relative.split_once('/')?;
    Some(match (dir, file) {
        ("errors", f) if f.ends_with(".json") => Kind::ErrorResponse,
        ("stream", f) if f.ends_with(".txt") => Kind::Stream,
        ("v1", "send-message-request.json") => Kind::SendMessageRequestV1,
        ("v1", "send-message-response.json") => Kind::SendMessageResponseV1,
        ("v2", "send-message-request.json") => Kind::SendMessageRequestV2,
        ("v2", "send-message-response.json") => Kind::SendMessageResponseV2,
        ("webhook", "ack.json") => Kind::WebhookAck,
        ("webhook", "message.json") => Kind::WebhookMessage,
        _ => return None,
    })
}

/// Every vector file as (relative path, bytes), sorted by path.
pub fn all_vectors() -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    let root = vectors_dir();
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.retain(|(rel, _)| !is_more_api_vector(rel));
    out.sort();
    assert!(
        !out.is_empty(),
        "no documented vectors under {}",
        root.display()
    );
    out
}

/// The JSON values of a stream body: objects separated by white space or nothing.
pub fn stream_values(bytes: &[u8]) -> Vec<Value> {
    serde_json::Deserializer::from_slice(bytes)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("a documented stream is a sequence of JSON values")
}

/// JSON equality with numbers compared by value (`3` and `3.0` are the same JSON number).
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(i), Some(j), _, _) => i == j,
                (_, _, Some(i), Some(j)) => i == j,
                _ => x.as_f64() == y.as_f64(),
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// The vector folders of the calls beyond sending and reading messages (feedback, history,
/// hand-off calls back...). `tests/more_api.rs` reads them, and fails on a file it does not
/// know; [`all_vectors`] leaves them out.
pub const MORE_API_DIRS: &[&str] = &[
    "agent",
    "conversation-list",
    "detail-v1",
    "feedback",
    "human-calls",
    "quality",
    "referenced-knowledge",
    "suggested-questions",
    "webhook-check",
];

/// Whether the vector at `relative` is in one of [`MORE_API_DIRS`].
pub fn is_more_api_vector(relative: &str) -> bool {
    relative
        .split_once('/')
        .is_some_and(|(dir, _)| MORE_API_DIRS.contains(&dir))
}
