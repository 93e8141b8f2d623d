//! The committed JSON Schemas accept every documented example and reject wrong payloads,
//! checked with an independent validator (the jsonschema crate), the way schemars' own tests do.
#![cfg(feature = "schemars")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{Kind, all_vectors, kind_of, schemas_dir, stream_values};
use serde_json::{Value, json};

fn validator(name: &str) -> jsonschema::Validator {
    let path = schemas_dir().join(format!("{name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "{name}: not draft 2020-12"
    );
    jsonschema::draft202012::new(&schema)
        .unwrap_or_else(|e| panic!("{name}: not a valid schema: {e}"))
}

fn assert_valid(schema: &str, instance: &Value, what: &str) {
    let errors: Vec<String> = validator(schema)
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} should validate against {schema}: {errors:#?}"
    );
}

fn assert_invalid(schema: &str, instance: &Value, what: &str) {
    assert!(
        !validator(schema).is_valid(instance),
        "{what} should be rejected by {schema}: {instance:#}"
    );
}

fn vector(name: &str) -> Value {
    let (_, bytes) = all_vectors().into_iter().find(|(n, _)| n == name).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn every_committed_schema_is_generated_by_the_types() {
    for schema in gptbots_protocol::schema::wire_schemas() {
        let path = schemas_dir().join(format!("{}.schema.json", schema.name));
        let committed =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            committed == schema.to_canonical_string(),
            "{} is out of date: run `cargo dev schemas`",
            path.display()
        );
    }
}

#[test]
fn every_vector_validates_against_its_schema() {
    let mut checked = 0;
    for (name, bytes) in all_vectors() {
        let kind =
            kind_of(&name).unwrap_or_else(|| panic!("{name}: no schema known for this vector"));
        let values = if kind == Kind::Stream {
            stream_values(&bytes)
        } else {
            vec![serde_json::from_slice(&bytes).unwrap()]
        };
        for (i, value) in values.iter().enumerate() {
            assert_valid(kind.schema(), value, &format!("{name} value {i}"));
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} values checked");
}

#[test]
fn a_string_where_a_number_belongs_is_rejected() {
    let mut reply = vector("v2/send-message-response.json");
    reply["create_time"] = json!("1679587005");
    assert_invalid(
        "send-message-response-v2",
        &reply,
        "create_time as a string",
    );

    let mut reply = vector("v2/send-message-response.json");
    reply["usage"]["tokens"]["total_tokens"] = json!("29");
    assert_invalid(
        "send-message-response-v2",
        &reply,
        "total_tokens as a string",
    );

    assert_invalid(
        "error-response",
        &json!({"code": "40127", "message": "x"}),
        "code as a string",
    );
    assert_invalid(
        "stream-frame",
        &json!({"code": "3", "message": "Text", "data": "x"}),
        "frame code as a string",
    );
    assert_invalid(
        "stream-frame",
        &json!({"code": 3, "message": "Text", "data": 7}),
        "Text data as a number",
    );

    let mut request = vector("v1/send-message-request.json");
    request["files"][0]["width"] = json!("200");
    assert_invalid("send-message-request-v1", &request, "width as a string");
}

#[test]
fn a_missing_required_field_is_rejected() {
    let mut request = vector("v2/send-message-request.json");
    request.as_object_mut().unwrap().remove("conversation_id");
    assert_invalid(
        "send-message-request-v2",
        &request,
        "a request without conversation_id",
    );

    let mut request = vector("v2/send-message-request.json");
    request.as_object_mut().unwrap().remove("messages");
    assert_invalid(
        "send-message-request-v2",
        &request,
        "a request without messages",
    );

    let mut reply = vector("v2/send-message-response.json");
    reply.as_object_mut().unwrap().remove("message_id");
    assert_invalid(
        "send-message-response-v2",
        &reply,
        "a reply without message_id",
    );

    let mut reply = vector("v1/send-message-response.json");
    reply.as_object_mut().unwrap().remove("message_type");
    assert_invalid(
        "send-message-response-v1",
        &reply,
        "a v1 reply without message_type",
    );

    assert_invalid("webhook-ack", &json!({"code": 200}), "an ack without msg");
    assert_invalid(
        "stream-frame",
        &json!({"message": "Text", "data": "x"}),
        "a frame without code",
    );
    assert_invalid(
        "create-conversation-request",
        &json!({}),
        "create conversation without user_id",
    );
    assert_invalid(
        "human-handoff-close",
        &json!({"conversation_id": "c", "timestamp": 1}),
        "close without type",
    );
}

#[test]
fn a_wrong_enum_literal_in_a_request_is_rejected() {
    let mut request = vector("v2/send-message-request.json");
    request["response_mode"] = json!("sync");
    assert_invalid("send-message-request-v2", &request, "response_mode sync");

    let mut request = vector("v2/send-message-request.json");
    request["messages"][0]["role"] = json!("robot");
    assert_invalid("send-message-request-v2", &request, "role robot");

    let mut request = vector("v2/send-message-request.json");
    request["messages"][2]["content"][1]["type"] = json!("video");
    assert_invalid("send-message-request-v2", &request, "part type video");

    let mut request = vector("v1/send-message-request.json");
    request["response_mode"] = json!("Streaming");
    assert_invalid(
        "send-message-request-v1",
        &request,
        "response_mode Streaming (case matters)",
    );
}

#[test]
fn request_rules_beyond_types_are_in_the_schemas() {
    assert_invalid(
        "create-conversation-request",
        &json!({"user_id": "x".repeat(33)}),
        "a user_id of 33 characters",
    );
    assert_valid(
        "create-conversation-request",
        &json!({"user_id": "x".repeat(32)}),
        "a user_id of 32 characters",
    );

    let mut request = vector("v2/send-message-request.json");
    request["messages"][2]["content"][3]["document"]["url"] = json!("https://example.com/a.pdf");
    assert_invalid(
        "send-message-request-v2",
        &request,
        "an attachment with both url and base64_content",
    );

    // What `validate()` refuses, the request schemas refuse too.
    assert_invalid(
        "create-conversation-request",
        &json!({"user_id": ""}),
        "an empty user_id",
    );
    let mut v2 = vector("v2/send-message-request.json");
    v2["messages"] = json!([]);
    assert_invalid("send-message-request-v2", &v2, "no messages");
    let mut v2 = vector("v2/send-message-request.json");
    v2["conversation_id"] = json!("");
    assert_invalid("send-message-request-v2", &v2, "an empty conversation_id");
    let mut v2 = vector("v2/send-message-request.json");
    v2["messages"][0]["content"] = json!([]);
    assert_invalid("send-message-request-v2", &v2, "a message of no parts");
    let mut v2 = vector("v2/send-message-request.json");
    v2["messages"] = json!([{"role": "assistant", "content": "Hi"}]);
    assert_invalid("send-message-request-v2", &v2, "no user message");
    // What the schemas accept as an integer (`52.0` is one), the request types read.
    let close = json!({"conversation_id": "c1", "timestamp": 52.0});
    assert_valid(
        "human-close-request",
        &close,
        "an integral decimal timestamp",
    );
    let read: gptbots_protocol::HumanCloseRequest = serde_json::from_value(close).unwrap();
    assert_eq!(read.timestamp, 52);
    let file = json!({"url": "https://example.com/a.png", "name": "a.png", "width": 9093.0});
    let read: gptbots_protocol::message_v1::FileV1 = serde_json::from_value(file).unwrap();
    assert_eq!(read.width, Some(9093));
    let base = json!({"conversation_id": "c1", "response_mode": "blocking"});
    assert_invalid("send-message-request-v1", &base, "neither text nor files");
    let with = |key: &str, value: Value| {
        let mut request = base.clone();
        request[key] = value;
        request
    };
    assert_invalid(
        "send-message-request-v1",
        &with("text", json!("")),
        "an empty text alone",
    );
    assert_invalid(
        "send-message-request-v1",
        &with("files", json!([])),
        "no files alone",
    );
    assert_valid(
        "send-message-request-v1",
        &with("text", json!("Hi")),
        "a text",
    );
    let file = json!({"url": "https://example.com/a.pdf", "name": "a.pdf"});
    assert_valid(
        "send-message-request-v1",
        &with("files", json!([file])),
        "a file",
    );
    assert_invalid(
        "send-message-request-v1",
        &with("files", json!(vec![file; 10])),
        "ten files",
    );
    let page = |page: u32, page_size: u32| json!({"conversation_id": "c1", "page": page, "page_size": page_size});
    for schema in [
        "conversation-detail-query-v1",
        "conversation-detail-query-v2",
    ] {
        assert_valid(schema, &page(1, 100), "page 1 of 100");
        assert_invalid(schema, &page(0, 10), "page 0");
        assert_invalid(schema, &page(1, 0), "a page size of 0");
        assert_invalid(schema, &page(1, 101), "a page size of 101");
    }
    for (schema, id) in [
        ("message-feedback-request", "answer_id"),
        ("message-quality-request", "answer_id"),
        ("suggested-questions-query", "answer_id"),
        ("referenced-knowledge-query", "message_id"),
    ] {
        assert_invalid(schema, &json!({ id: "" }), "an empty id");
    }
    let list = json!({"conversation_type": "ALL", "start_time": 0, "end_time": 1,
        "page": 1, "page_size": 10});
    assert_valid("conversation-list-query", &list, "a list query");
    for (key, value) in [
        ("user_id", json!("")),
        ("start_time", json!(-1)),
        ("page", json!(0)),
    ] {
        let mut query = list.clone();
        query[key] = value;
        assert_invalid("conversation-list-query", &query, key);
    }
}

#[test]
fn the_schemas_accept_what_a_newer_server_may_send() {
    // Unknown fields anywhere, unknown frame codes, a newer message_type: all valid.
    let mut reply = vector("v2/send-message-response.json");
    reply["brand_new_field"] = json!({"x": 1});
    assert_valid(
        "send-message-response-v2",
        &reply,
        "a reply with an unknown field",
    );
    assert_valid(
        "stream-frame",
        &json!({"code": 41, "message": "Thought", "data": {"x": 1}}),
        "code 41",
    );
    assert_valid("stream-frame", &json!({"code": 5}), "code 5 without data");
    assert_valid(
        "stream-frame",
        &json!({"code": 40127, "message": "开发者鉴权失败"}),
        "an error frame",
    );
    assert_invalid(
        "stream-frame",
        &json!({"code": 3, "message": "Text"}),
        "a Text frame without data",
    );
    let mut reply = vector("v1/send-message-response.json");
    reply["message_type"] = json!("SYSTEM");
    assert_valid("send-message-response-v1", &reply, "a newer message_type");
    assert_valid("webhook-message", &json!({"istest": true}), "a probe");
    // The webhook body may be a v1 reply too.
    assert_valid(
        "webhook-message",
        &vector("v1/send-message-response.json"),
        "a v1 reply as a webhook body",
    );
}

/// The branches of `anyOf` at the root of `schema` that `instance` matches, by title. Each
/// branch is checked on its own, with the schema's `$defs` beside it.
fn matching_branches(schema: &str, instance: &Value) -> Vec<String> {
    let path = schemas_dir().join(format!("{schema}.schema.json"));
    let root: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut titles = Vec::new();
    for branch in root["anyOf"].as_array().unwrap() {
        let mut alone = branch.clone();
        alone["$defs"] = root["$defs"].clone();
        alone["$schema"] = root["$schema"].clone();
        if jsonschema::draft202012::new(&alone)
            .unwrap()
            .is_valid(instance)
        {
            titles.push(branch["title"].as_str().unwrap().to_owned());
        }
    }
    titles
}

#[test]
fn union_branches_have_titles_that_name_types() {
    let frame = |v: Value| matching_branches("stream-frame", &v);
    assert_eq!(frame(json!({"code": 3, "data": "Hi"})), ["TextFrame"]);
    assert_eq!(frame(json!({"code": 0})), ["EndFrame"]);
    assert_eq!(
        frame(json!({"code": 41, "message": "x", "data": {"k": [1]}})),
        ["UnknownFrame"]
    );
    assert_eq!(
        frame(json!({"code": 40000, "message": "bad"})),
        ["ErrorFrame"]
    );
    // A malformed known frame matches no branch, the unknown one included.
    assert!(frame(json!({"code": 3, "data": 7})).is_empty());

    let webhook = |v: Value| matching_branches("webhook-message", &v);
    let mut reply = vector("webhook/message.json");
    assert_eq!(webhook(reply.clone()), ["WebhookReplyV2"]);
    // A probe wins over a reply: a full reply body with `istest: true` is only a probe.
    reply["istest"] = json!(true);
    assert_eq!(webhook(reply), ["WebhookProbe"]);
    let mut v1 = vector("v1/send-message-response.json");
    assert_eq!(webhook(v1.clone()), ["WebhookReplyV1"]);
    v1["istest"] = json!(true);
    assert_eq!(webhook(v1), ["WebhookProbe"]);
}

/// Rust in a description: a path, `Option`'s variants, a doc link, `Self`, the crate.
const RUST_ISMS: &[&str] = &["::", "Some(", "None", "[`", "Self", "crate", "gptbots_"];

/// Every `description` and `title` under `value` that reads as Rust, as `file: path: text`.
fn rust_isms(file: &str, path: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                let here = format!("{path}/{key}");
                match member {
                    Value::String(text) if key == "description" || key == "title" => {
                        if let Some(found) = RUST_ISMS.iter().find(|r| text.contains(*r)) {
                            out.push(format!("{file}: {here}: {found:?} in {text:?}"));
                        }
                    }
                    other => rust_isms(file, &here, other, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                rust_isms(file, &format!("{path}/{i}"), item, out);
            }
        }
        _ => {}
    }
}

#[test]
fn descriptions_are_plain_prose_without_rust() {
    let mut found = Vec::new();
    for schema in gptbots_protocol::schema::wire_schemas() {
        rust_isms(
            &format!("schemas/{}.schema.json", schema.name),
            "",
            &schema.schema,
            &mut found,
        );
    }
    assert!(
        found.is_empty(),
        "Rust in descriptions:\n{}",
        found.join("\n")
    );
    // The scan does find Rust where there is some, and names where.
    let sample = json!({"$defs": {"A": {"description": "`None` when absent"}}});
    rust_isms("x", "", &sample, &mut found);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("x: /$defs/A/description: "),
        "{found:?}"
    );
}

/// Every branch of a union under `value` that a code generator turns into a class of its own (an
/// inline object: `properties` or `allOf`, or `required` beside other keywords) but that has no
/// `title`, as `path`.
fn untitled_branches(path: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for key in ["anyOf", "oneOf"] {
                for (i, branch) in map
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    // `{"required": [...]}` alone is a constraint that generators fold into
                    // the type around it.
                    let class = ["properties", "allOf"]
                        .iter()
                        .any(|k| branch.get(k).is_some())
                        || branch.as_object().is_some_and(|b| {
                            b.contains_key("required") && b.keys().any(|k| k != "required")
                        });
                    if class && branch.get("title").is_none() {
                        out.push(format!("{path}/{key}/{i}"));
                    }
                }
            }
            for (key, member) in map {
                untitled_branches(&format!("{path}/{key}"), member, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                untitled_branches(&format!("{path}/{i}"), item, out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_union_branch_that_becomes_a_type_has_a_title() {
    let mut found = Vec::new();
    for schema in gptbots_protocol::schema::wire_schemas() {
        untitled_branches(schema.name, &schema.schema, &mut found);
    }
    assert!(
        found.is_empty(),
        "untitled union branches:\n{}",
        found.join("\n")
    );
    let sample = json!({"anyOf": [{"required": ["a"]}, {"required": ["a"], "type": "object"}]});
    untitled_branches("x", &sample, &mut found);
    assert_eq!(found, ["x/anyOf/1"]);
}
