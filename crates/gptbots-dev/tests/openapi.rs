//! The OpenAPI document: the committed file is the generated one, it holds together (every
//! `$ref` resolves), it names every call by the client's method name at the library's path, every
//! wire schema is one of its components, and the check mode notices a changed file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use gptbots_dev::openapi::{self, FILE_NAME, component_name};
use gptbots_protocol::schema::wire_schemas;
use gptbots_protocol::{
    ErrorCode, agent, conversation::MAX_PAGE_SIZE, endpoint, feedback, handoff, history,
    reply_extras, webhook_check,
};
use serde_json::Value;

/// Every call: operationId (the client's method name), method, path constant.
const CALLS: &[(&str, &str, &str)] = &[
    ("create_conversation", "post", endpoint::CREATE_CONVERSATION),
    ("send_message", "post", endpoint::SEND_MESSAGE_V2),
    ("send_message_v1", "post", endpoint::SEND_MESSAGE_V1),
    (
        "conversation_detail",
        "get",
        endpoint::CONVERSATION_DETAIL_V2,
    ),
    (
        "conversation_detail_v1",
        "get",
        history::CONVERSATION_DETAIL_V1_PATH,
    ),
    ("conversation_list", "get", history::CONVERSATION_LIST_PATH),
    ("message_feedback", "post", feedback::MESSAGE_FEEDBACK_PATH),
    ("message_quality", "post", feedback::MESSAGE_QUALITY_PATH),
    (
        "suggested_questions",
        "get",
        reply_extras::SUGGESTED_QUESTIONS_PATH,
    ),
    (
        "referenced_knowledge",
        "get",
        reply_extras::REFERENCED_KNOWLEDGE_PATH,
    ),
    ("agent_detail", "get", agent::AGENT_DETAIL_PATH),
    ("webhook_check", "post", webhook_check::WEBHOOK_CHECK_PATH),
    ("human_message", "post", handoff::HUMAN_MESSAGE_PATH),
    ("human_close", "post", handoff::HUMAN_CLOSE_PATH),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn repo_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../openapi")
        .join(FILE_NAME)
}

fn committed() -> Value {
    let path = repo_file();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

/// (operationId, method, path) of every operation under `paths`.
fn operations(doc: &Value) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(METHODS.contains(&method.as_str()), "{path}: {method}?");
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            found.push((id.to_owned(), method.clone(), path.clone()));
        }
    }
    found
}

fn refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if key == "$ref" {
                    out.push((at.to_owned(), item.as_str().unwrap().to_owned()));
                } else {
                    refs(item, &format!("{at}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                refs(item, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_committed_document_parses_and_is_the_generated_one() {
    let path = repo_file();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        openapi::canonical_document(),
        "{} is out of date: run `cargo dev schemas`",
        path.display()
    );
    let doc = committed();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(doc["info"]["title"].as_str().unwrap().contains("GPTBots"));
    assert!(text.ends_with("}\n"));
}

#[test]
fn every_ref_resolves_inside_the_document() {
    let doc = committed();
    let mut found = Vec::new();
    refs(&doc, "", &mut found);
    assert!(found.len() > 50, "only {} $refs", found.len());
    for (at, target) in &found {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{at}: {target} points outside the document"));
        assert!(
            !pointer.contains("$defs"),
            "{at}: {target} was not rewritten"
        );
        assert!(
            doc.pointer(pointer).is_some(),
            "{at}: {target} does not resolve"
        );
    }
    // And no leftover definitions or ids that would change how a $ref resolves.
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        for key in ["$defs", "$id", "$schema"] {
            assert!(schema.get(key).is_none(), "{name} keeps {key}");
        }
    }
}

#[test]
fn operations_are_the_client_calls_at_the_library_paths() {
    let doc = committed();
    let found = operations(&doc);
    let ids: Vec<&str> = found.iter().map(|(id, _, _)| id.as_str()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "an operationId repeats: {ids:?}");
    let found: BTreeSet<(String, String, String)> = found.into_iter().collect();
    let wanted: BTreeSet<(String, String, String)> = CALLS
        .iter()
        .map(|(id, method, path)| (id.to_string(), method.to_string(), path.to_string()))
        .collect();
    assert_eq!(found, wanted);
}

#[test]
fn every_path_is_a_library_path_constant() {
    let doc = committed();
    let constants: BTreeSet<&str> = CALLS.iter().map(|(_, _, path)| *path).collect();
    let paths: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(paths, constants);
    // The hand-off webhooks name the path suffix GPTBots appends to the configured base URL.
    for (webhook, suffix) in [
        ("human_handoff_establish", handoff::ESTABLISH_PATH),
        ("human_handoff_chat", handoff::CHAT_PATH),
        ("human_handoff_close", handoff::CLOSE_PATH),
    ] {
        let description = doc["webhooks"][webhook]["post"]["description"]
            .as_str()
            .unwrap();
        assert!(
            description.contains(&format!("`{suffix}`")),
            "{webhook}: {description}"
        );
    }
}

/// `value` with every `$ref` replaced by what it points to (siblings of the `$ref` kept), and
/// without `title` and `description`.
fn inline(value: &Value, resolve: &dyn Fn(&str) -> Option<Value>) -> Value {
    fn go(value: &Value, resolve: &dyn Fn(&str) -> Option<Value>, depth: usize) -> Value {
        assert!(
            depth < 64,
            "a schema refers to itself: compare it another way"
        );
        match value {
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                if let Some(Value::String(r)) = map.get("$ref") {
                    let target = resolve(r).unwrap_or_else(|| panic!("{r} does not resolve"));
                    if let Value::Object(target) = go(&target, resolve, depth + 1) {
                        out.extend(target);
                    }
                }
                for (key, item) in map {
                    if !matches!(key.as_str(), "$ref" | "title" | "description") {
                        out.insert(key.clone(), go(item, resolve, depth + 1));
                    }
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| go(item, resolve, depth + 1))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    go(value, resolve, 0)
}

#[test]
fn every_wire_schema_is_a_component() {
    let doc = committed();
    let components = doc["components"]["schemas"].as_object().unwrap();
    let mut names = BTreeSet::new();
    for ws in wire_schemas() {
        let name = component_name(ws.name);
        assert!(names.insert(name.clone()), "{name}: two wire schemas");
        let component = components
            .get(&name)
            .unwrap_or_else(|| panic!("{}: no component {name}", ws.name));
        assert_eq!(component.get("title"), ws.schema.get("title"), "{name}");
        assert_eq!(
            component.get("required"),
            ws.schema.get("required"),
            "{name}"
        );
        let keys = |v: &Value| -> Option<BTreeSet<String>> {
            v.get("properties")
                .and_then(Value::as_object)
                .map(|p| p.keys().cloned().collect())
        };
        assert_eq!(keys(component), keys(&ws.schema), "{name}: properties");
        // The same schema once every reference is followed: the definitions became the right
        // components. Titles and descriptions aside (a definition that is a whole wire schema
        // points to that schema's component, which has a title).
        let in_doc = inline(component, &|r: &str| {
            doc.pointer(r.strip_prefix('#')?).cloned()
        });
        let mut in_wire = inline(&ws.schema, &|r: &str| {
            ws.schema.pointer(r.strip_prefix('#')?).cloned()
        });
        for key in ["$defs", "$id", "$schema"] {
            in_wire.as_object_mut().unwrap().remove(key);
        }
        assert_eq!(in_doc, in_wire, "{name}: not the wire schema");
    }
    assert_eq!(
        component_name("send-message-request-v2"),
        "SendMessageRequestV2"
    );
}

#[test]
fn the_error_body_lists_the_documented_codes_and_stays_open() {
    let doc = committed();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["ErrorResponse"]["properties"]["code"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
    let code = &schemas["ErrorCode"];
    let variants = code["anyOf"].as_array().unwrap();
    assert!(variants.iter().all(|v| v["type"] == "integer"));
    for documented in ErrorCode::DOCUMENTED {
        let variant = variants
            .iter()
            .find(|v| v["const"] == documented.0)
            .unwrap_or_else(|| panic!("{} is not listed", documented.0));
        // A type name for generated code: CONVERSATION_NOT_FOUND is ConversationNotFound.
        let title = variant["title"].as_str().unwrap();
        assert_eq!(
            title.to_ascii_uppercase(),
            documented.name().unwrap().replace('_', "")
        );
        assert!(
            variant["description"]
                .as_str()
                .unwrap()
                .contains(documented.description().unwrap())
        );
    }
    // One variant without `const`: any other integer is a code too.
    assert_eq!(
        variants.iter().filter(|v| v.get("const").is_none()).count(),
        1
    );
    // The same list as the error body's schema in schemas/: one source.
    let wire = gptbots_protocol::schema::wire_schemas()
        .into_iter()
        .find(|w| w.name == "error-response")
        .unwrap();
    assert_eq!(wire.schema["$defs"]["ErrorCode"]["anyOf"], code["anyOf"]);
    assert_eq!(variants.len(), ErrorCode::DOCUMENTED.len() + 1);
    // Every operation answers errors with it, and says an error may come with 200.
    let error = &doc["components"]["responses"]["Error"];
    assert_eq!(
        error["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorResponse"
    );
    assert!(error["description"].as_str().unwrap().contains("200"));
    for (id, method, path) in operations(&doc) {
        assert_eq!(
            doc["paths"][&path][&method]["responses"]["default"]["$ref"],
            "#/components/responses/Error",
            "{id}"
        );
    }
}

#[test]
fn send_message_answers_json_or_a_frame_stream() {
    let doc = committed();
    for path in [endpoint::SEND_MESSAGE_V2, endpoint::SEND_MESSAGE_V1] {
        let content = &doc["paths"][path]["post"]["responses"]["200"]["content"];
        assert!(content["application/json"]["schema"].is_object(), "{path}");
        assert_eq!(
            content["text/event-stream"]["schema"]["$ref"], "#/components/schemas/StreamEvent",
            "{path}"
        );
    }
    // Each event's data is a frame, as JSON text.
    let data = &doc["components"]["schemas"]["StreamEvent"]["properties"]["data"];
    assert_eq!(data["type"], "string");
    assert_eq!(data["contentMediaType"], "application/json");
    assert_eq!(
        data["contentSchema"]["$ref"],
        "#/components/schemas/StreamFrame"
    );
    for (path, reply) in [
        (endpoint::SEND_MESSAGE_V2, "SendMessageResponseV2"),
        (endpoint::SEND_MESSAGE_V1, "SendMessageResponseV1"),
    ] {
        let json = &doc["paths"][path]["post"]["responses"]["200"]["content"]["application/json"];
        let targets: Vec<&str> = json["schema"]["anyOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["$ref"].as_str().unwrap())
            .collect();
        assert_eq!(
            targets,
            [
                format!("#/components/schemas/{reply}"),
                "#/components/schemas/WebhookAccepted".to_owned()
            ],
            "{path}: the blocking reply or the webhook-mode acknowledgement"
        );
    }
}

#[test]
fn query_parameters_carry_types_requirement_and_bounds() {
    let doc = committed();
    let params = |path: &str| -> Vec<Value> {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: no parameters"))
            .clone()
    };
    for path in [
        endpoint::CONVERSATION_DETAIL_V2,
        history::CONVERSATION_DETAIL_V1_PATH,
        history::CONVERSATION_LIST_PATH,
    ] {
        let params = params(path);
        let get = |name: &str| params.iter().find(|p| p["name"] == name).unwrap().clone();
        let page = get("page");
        assert_eq!(page["in"], "query");
        assert_eq!(page["required"], true, "{path}");
        assert_eq!(page["schema"]["type"], "integer");
        assert_eq!(page["schema"]["minimum"], 1, "{path}");
        let size = get("page_size");
        assert_eq!(size["schema"]["minimum"], 1, "{path}");
        assert_eq!(size["schema"]["maximum"], MAX_PAGE_SIZE, "{path}");
        assert_eq!(
            page["schema"]["maximum"],
            u32::MAX,
            "{path}: the type's range"
        );
    }
    let list = params(history::CONVERSATION_LIST_PATH);
    let user = list.iter().find(|p| p["name"] == "user_id").unwrap();
    assert_eq!(user["required"], false);
    assert_eq!(
        user["schema"]["type"], "string",
        "a query value is never null"
    );
    for (path, name) in [
        (reply_extras::SUGGESTED_QUESTIONS_PATH, "answer_id"),
        (reply_extras::REFERENCED_KNOWLEDGE_PATH, "message_id"),
        (endpoint::CONVERSATION_DETAIL_V2, "conversation_id"),
    ] {
        let params = params(path);
        let param = params.iter().find(|p| p["name"] == name).unwrap();
        assert_eq!(param["required"], true, "{path} {name}");
        assert_eq!(param["schema"]["type"], "string", "{path} {name}");
        assert_eq!(param["schema"]["minLength"], 1, "{path} {name}");
    }
    assert!(
        doc["paths"][agent::AGENT_DETAIL_PATH]["get"]
            .get("parameters")
            .is_none()
    );
}

#[test]
fn security_servers_and_webhooks() {
    let doc = committed();
    assert_eq!(doc["security"], serde_json::json!([{ "bearerAuth": [] }]));
    let bearer = &doc["components"]["securitySchemes"]["bearerAuth"];
    assert_eq!(bearer["type"], "http");
    assert_eq!(bearer["scheme"], "bearer");
    let servers = doc["servers"].as_array().unwrap();
    let urls: Vec<&str> = servers.iter().map(|s| s["url"].as_str().unwrap()).collect();
    assert_eq!(
        urls,
        ["https://api-{endpoint}.gptbots.ai", openapi::MOCK_SERVER]
    );
    let regions = &servers[0]["variables"]["endpoint"];
    assert_eq!(regions["enum"], serde_json::json!(["sg", "jp", "th"]));
    assert_eq!(regions["default"], "sg");
    let webhooks = doc["webhooks"].as_object().unwrap();
    let bodies: Vec<(&str, &str, &str)> = webhooks
        .iter()
        .map(|(name, item)| {
            let post = &item["post"];
            (
                name.as_str(),
                post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
                    .unwrap(),
                post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
                    .unwrap(),
            )
        })
        .collect();
    let c = "#/components/schemas/";
    assert_eq!(
        bodies,
        [
            (
                "human_handoff_chat",
                &*format!("{c}HumanHandoffChat"),
                &*format!("{c}HumanHandoffReply")
            ),
            (
                "human_handoff_close",
                &*format!("{c}HumanHandoffClose"),
                &*format!("{c}HumanHandoffReply")
            ),
            (
                "human_handoff_establish",
                &*format!("{c}HumanHandoffEstablish"),
                &*format!("{c}HumanHandoffReply")
            ),
            (
                "reply",
                &*format!("{c}WebhookMessage"),
                &*format!("{c}WebhookAck")
            ),
        ]
    );
}

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("gptbots-dev-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tool(scratch: &Scratch, extra: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gptbots-dev"))
        .arg("schemas")
        .arg("--dir")
        .arg(scratch.0.join("schemas"))
        .arg("--openapi-dir")
        .arg(scratch.0.join("openapi"))
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_mode_fails_on_a_changed_or_missing_document() {
    let scratch = Scratch::new("check");
    let file = scratch.0.join("openapi").join(FILE_NAME);

    let (ok, stderr) = tool(&scratch, &["--check"]);
    assert!(!ok, "an empty directory passed the check");
    assert!(
        stderr.contains(&format!("missing: {}", file.display())),
        "{stderr}"
    );

    let (ok, stderr) = tool(&scratch, &[]);
    assert!(ok, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        openapi::canonical_document()
    );
    let (ok, stderr) = tool(&scratch, &["--check"]);
    assert!(ok, "a freshly written directory failed the check: {stderr}");

    let text = std::fs::read_to_string(&file).unwrap();
    let changed = text.replacen("\"3.1.0\"", "\"3.0.3\"", 1);
    assert_ne!(changed, text);
    std::fs::write(&file, changed).unwrap();
    let (ok, stderr) = tool(&scratch, &["--check"]);
    assert!(!ok, "a changed document passed the check");
    assert!(
        stderr.contains(&format!("out of date: {}", file.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("-  \"openapi\": \"3.0.3\","),
        "no diff: {stderr}"
    );
    assert!(
        stderr.contains("+  \"openapi\": \"3.1.0\","),
        "no diff: {stderr}"
    );
    assert!(
        stderr.contains("OpenAPI document is not in step"),
        "{stderr}"
    );
    assert!(!stderr.contains("schemas/ is not in step"), "{stderr}");

    // Writing repairs it.
    let (ok, stderr) = tool(&scratch, &[]);
    assert!(ok, "{stderr}");
    let (ok, stderr) = tool(&scratch, &["--check"]);
    assert!(ok, "{stderr}");
}

/// Every `description`, `title` and `summary` under `value` that reads as Rust (a path,
/// `Option`'s variants, a doc link, `Self`, the crate), as `path: text`.
fn rust_isms(path: &str, value: &Value, out: &mut Vec<String>) {
    const RUST_ISMS: &[&str] = &["::", "Some(", "None", "[`", "Self", "crate", "gptbots_"];
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                let here = format!("{path}/{key}");
                match member {
                    Value::String(text)
                        if ["description", "title", "summary"].contains(&key.as_str()) =>
                    {
                        if let Some(found) = RUST_ISMS.iter().find(|r| text.contains(*r)) {
                            out.push(format!("{here}: {found:?} in {text:?}"));
                        }
                    }
                    other => rust_isms(&here, other, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                rust_isms(&format!("{path}/{i}"), item, out);
            }
        }
        _ => {}
    }
}

#[test]
fn descriptions_are_plain_prose_without_rust() {
    let mut found = Vec::new();
    rust_isms("", &committed(), &mut found);
    assert!(
        found.is_empty(),
        "Rust in the OpenAPI document:\n{}",
        found.join("\n")
    );
    // The scan does find Rust where there is some.
    rust_isms(
        "",
        &serde_json::json!({"description": "see [`Frame`]"}),
        &mut found,
    );
    assert_eq!(found.len(), 1);
}
