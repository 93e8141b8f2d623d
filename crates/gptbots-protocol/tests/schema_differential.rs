//! The committed JSON Schemas and the Rust types give the same verdict on every payload of a
//! corpus: what one accepts the other accepts, what one rejects the other rejects.
//!
//! The corpus is `tests/differential/*.jsonl`, one case a line:
//! `{"schema": "<file stem in schemas/>", "accept": true|false, "note": "...", "payload": ...}`.
//! The payload is read as raw JSON text, so `29.0`, `1e3` and big integers reach Rust's parser
//! exactly as written. For each case the payload is parsed with the Rust type of that schema and
//! validated against `schemas/<schema>.schema.json` (with the jsonschema crate); both verdicts
//! must equal `accept`. Every mismatch is listed with its file, line and note.
//!
//! A second part (proptest) takes the documented examples and makes the variations a real
//! server sends (an optional field `null` or dropped, an integer as an integral decimal, an
//! unknown field): Rust must accept each, and the schema must agree.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use gptbots_protocol::{WebhookMessage, wire};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// One line of the corpus.
#[derive(Deserialize)]
struct Case {
    schema: String,
    accept: bool,
    note: String,
    payload: Box<RawValue>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential")
}

/// Rust's verdict: `Ok` when the type of `schema` parses `payload`, else why not. `None` when
/// no wire type has that schema name.
fn rust_verdict(schema: &str, payload: &[u8]) -> Option<Result<(), String>> {
    let verdict = wire::by_name(schema)?
        .parse(payload)
        .map_err(|e| e.to_string());
    if schema == "webhook-message" {
        // The receiver's fast path must give the same verdict as the generic parse.
        let fast = WebhookMessage::from_slice(payload).map(drop);
        if verdict.is_ok() != fast.is_ok() {
            return Some(Err(format!(
                "WebhookMessage::from_slice ({fast:?}) and the generic parse ({verdict:?}) disagree"
            )));
        }
    }
    Some(verdict)
}

/// The compiled validator of each committed schema, compiled once.
static VALIDATORS: LazyLock<Mutex<BTreeMap<String, std::sync::Arc<jsonschema::Validator>>>> =
    LazyLock::new(|| Mutex::new(BTreeMap::new()));

fn validator(schema: &str) -> Result<std::sync::Arc<jsonschema::Validator>, String> {
    let mut cache = VALIDATORS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(validator) = cache.get(schema) {
        return Ok(validator.clone());
    }
    let path = common::schemas_dir().join(format!("{schema}.schema.json"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| format!("{schema}: {e}"))?;
    let validator = std::sync::Arc::new(
        jsonschema::draft202012::new(&value).map_err(|e| format!("{schema}: {e}"))?,
    );
    cache.insert(schema.to_owned(), validator.clone());
    Ok(validator)
}

/// The schema's verdict: `Ok` when the payload validates, else the validator's errors.
fn schema_verdict(schema: &str, payload: &str) -> Result<Result<(), String>, String> {
    let validator = validator(schema)?;
    let instance: Value = serde_json::from_str(payload).map_err(|e| format!("payload: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    Ok(if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    })
}

/// The verdicts of one case; `Err` describes a mismatch (or a case that cannot be run).
fn check_case(case: &Case) -> Result<(), String> {
    let payload = case.payload.get();
    let rust = rust_verdict(&case.schema, payload.as_bytes())
        .ok_or_else(|| format!("no Rust type is known for schema {:?}", case.schema))?;
    let schema = schema_verdict(&case.schema, payload)?;
    let mut faults = Vec::new();
    if rust.is_ok() != case.accept {
        faults.push(match &rust {
            Ok(()) => "Rust accepts it".to_owned(),
            Err(e) => format!("Rust rejects it: {e}"),
        });
    }
    if schema.is_ok() != case.accept {
        faults.push(match &schema {
            Ok(()) => "the schema accepts it".to_owned(),
            Err(e) => format!("the schema rejects it: {e}"),
        });
    }
    if faults.is_empty() {
        Ok(())
    } else {
        Err(faults.join("; "))
    }
}

#[test]
fn rust_and_the_schemas_agree_on_every_corpus_case() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no corpus under {}",
        corpus_dir().display()
    );

    let mut failures = Vec::new();
    let (mut accepted, mut rejected) = (0usize, 0usize);
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).unwrap();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let at = format!("{name}:{}", i + 1);
            let case: Case = match serde_json::from_str(line) {
                Ok(case) => case,
                Err(e) => {
                    failures.push(format!("{at}: not a corpus case: {e}"));
                    continue;
                }
            };
            if case.accept {
                accepted += 1;
            } else {
                rejected += 1;
            }
            if let Err(fault) = check_case(&case) {
                let expected = if case.accept { "accept" } else { "reject" };
                failures.push(format!(
                    "{at} ({}; expected {expected}; {}): {fault}",
                    case.schema, case.note
                ));
            }
        }
    }
    println!("{accepted} cases accepted, {rejected} rejected");
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree:\n{}",
        failures.len(),
        accepted + rejected,
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Variations of the documented examples

mod variations {
    use super::*;
    use proptest::prelude::*;

    /// A documented example: its schema, and its text.
    fn examples() -> Vec<(&'static str, String)> {
        let vector = |path: &str| {
            let path = common::vectors_dir().join(path);
            let value: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            value.to_string()
        };
        vec![
            (
                "send-message-response-v2",
                vector("v2/send-message-response.json"),
            ),
            (
                "send-message-response-v1",
                vector("v1/send-message-response.json"),
            ),
            ("webhook-message", vector("webhook/message.json")),
            ("error-response", vector("errors/40000.json")),
            ("error-response", vector("errors/20055.json")),
            ("conversation-detail-response-v2", DETAIL_EXAMPLE.to_owned()),
        ]
    }

    /// A conversation detail page in the shape of the upstream page's examples (its assistant
    /// example has trailing commas; this is a repaired copy).
    const DETAIL_EXAMPLE: &str = r#"{"total":2,"conversation_content":[{"message_id":"6658fd13e77bcb5a2bda9b8c","parent_message_id":"","create_time":1717042451000,"role":"user","feedback":"","content":[{"branch_content":[{"type":"text","text":"What is in the picture?"},{"type":"image","image":[{"url":"https://example.com/a.png","format":"png","name":"a.png","size":10240}]}]}]},{"message_id":"6658fd13e77bcb5a2bda9b8d","parent_message_id":"6658fd13e77bcb5a2bda9b8c","create_time":1717042452000,"role":"assistant","feedback":"POSITIVE","content":[{"from_component_branch":"1","branch_content":[{"type":"text","text":"A cat."},{"type":"audio","audio":[{"url":"https://example.com/b.mp3","transcript":"A cat."}]}]}]}]}"#;

    /// Fields that must stay present and non-null: the required ones, at any depth.
    const REQUIRED: &[&str] = &[
        "create_time",
        "conversation_id",
        "message_id",
        "message_type",
        "code",
        "total_tokens",
        "prompt_tokens",
        "completion_tokens",
        "audio",
        "image",
        "document",
        "video",
        "file",
        "role",
        "type",
        "text",
        "total",
        "branch_content",
    ];

    /// What one variation does at one place of the example.
    #[derive(Debug, Clone)]
    enum Change {
        /// An optional or defaulted member set to `null`.
        Null,
        /// An optional or defaulted member left out.
        Drop,
        /// An unknown member added beside.
        Unknown,
        /// An integer written as an integral decimal (`29.0`) or with an exponent (`29e0`).
        Decimal { exponent: bool },
    }

    /// Every path (object member) of `value`, with its value.
    fn members(value: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Value)>) {
        match value {
            Value::Object(map) => {
                for (key, member) in map {
                    path.push(key.clone());
                    out.push((path.clone(), member.clone()));
                    members(member, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(format!("[{i}]"));
                    members(item, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    fn parent_mut<'v>(value: &'v mut Value, path: &[String]) -> Option<&'v mut Value> {
        let mut at = value;
        for step in path {
            at = match step.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                Some(index) => at.get_mut(index.parse::<usize>().ok()?)?,
                None => at.get_mut(step)?,
            };
        }
        Some(at)
    }

    /// The example's text with `change` applied at the member `path`; `None` when the change
    /// does not apply there (a required member, an integer change on a non-integer...).
    fn vary(schema: &str, example: &str, path: &[String], change: &Change) -> Option<String> {
        let (last, parents) = path.split_last()?;
        // The items of a v1 reply's `flow_output` are the stream's FlowOutput items, whose
        // tolerance belongs with the stream frames.
        if parents.first().is_some_and(|p| p == "flow_output") {
            return None;
        }
        // A webhook body is a v2 reply because it has `output` or `usage`: keep them present.
        if schema == "webhook-message"
            && parents.is_empty()
            && matches!(change, Change::Drop)
            && (last == "output" || last == "usage")
        {
            return None;
        }
        let mut value: Value = serde_json::from_str(example).ok()?;
        let parent = parent_mut(&mut value, parents)?.as_object_mut()?;
        let is_required = REQUIRED.contains(&last.as_str());
        match change {
            Change::Null if !is_required => {
                parent.insert(last.clone(), Value::Null);
            }
            Change::Drop if !is_required => {
                parent.remove(last);
            }
            Change::Unknown => {
                parent.insert(
                    format!("{last}_x_added"),
                    serde_json::json!({"n": [1, null]}),
                );
            }
            Change::Decimal { exponent } => {
                let n = parent.get(last)?.as_i64()?;
                // A marker replaced in the text: serde_json would write 29.0 back as 29.0, but
                // not 29e0.
                let marker = format!("\"@@{n}@@\"");
                parent.insert(last.clone(), Value::String(format!("@@{n}@@")));
                let text = value.to_string();
                let written = if *exponent {
                    format!("{n}e0")
                } else {
                    format!("{n}.0")
                };
                return Some(text.replacen(&marker, &written, 1));
            }
            _ => return None,
        }
        Some(value.to_string())
    }

    fn change() -> impl Strategy<Value = Change> {
        prop_oneof![
            Just(Change::Null),
            Just(Change::Drop),
            Just(Change::Unknown),
            any::<bool>().prop_map(|exponent| Change::Decimal { exponent }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        /// One to three changes at random places of a documented example: Rust accepts the
        /// result, and so does the schema.
        #[test]
        fn documented_examples_with_server_variations_are_read_and_the_schema_agrees(
            which in 0usize..6,
            changes in proptest::collection::vec((any::<prop::sample::Index>(), change()), 1..4),
        ) {
            let all = examples();
            let (schema, example) = &all[which % all.len()];
            let mut text = example.clone();
            let mut applied = Vec::new();
            for (index, change) in &changes {
                let mut paths = Vec::new();
                let value: Value = serde_json::from_str(&text).unwrap();
                members(&value, &mut Vec::new(), &mut paths);
                if paths.is_empty() {
                    continue;
                }
                let (path, _) = &paths[index.index(paths.len())];
                if let Some(varied) = vary(schema, &text, path, change) {
                    applied.push(format!("{change:?} at {}", path.join(".")));
                    text = varied;
                }
            }
            prop_assume!(!applied.is_empty(), "no change applied");
            let rust = rust_verdict(schema, text.as_bytes()).unwrap();
            prop_assert!(rust.is_ok(), "Rust rejects {} ({:?}): {:?}\n{}", schema, applied, rust, text);
            let verdict = schema_verdict(schema, &text).unwrap();
            prop_assert!(verdict.is_ok(), "the schema rejects {} ({:?}): {:?}\n{}", schema, applied, verdict, text);
        }
    }
}
