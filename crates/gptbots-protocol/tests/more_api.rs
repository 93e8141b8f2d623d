//! The calls beyond sending and reading messages: hand-off calls back, webhook check, feedback,
//! reply quality, conversation list, conversation detail v1, suggested questions, referenced
//! knowledge and agent information.
//!
//! Every documented example in their `conformance/vectors` folders parses into its type and
//! serializes back, and validates against its committed schema; the variations a real server
//! sends are read; malformed payloads and bad queries are rejected, naming what is wrong.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{MORE_API_DIRS, same_json, vectors_dir};
use gptbots_protocol::message_v1::MessageType;
use gptbots_protocol::{
    AffectCountResponse, AgentDetailResponse, BotType, ConversationDetailV1Query,
    ConversationDetailV1Response, ConversationListQuery, ConversationListResponse,
    ConversationType, Feedback, HumanCallResponse, HumanCloseRequest, HumanMessageRequest,
    MessageFeedbackRequest, MessageQualityRequest, Quality, ReferencedKnowledgeQuery,
    ReferencedKnowledgeResponse, SuggestedQuestionsQuery, SuggestedQuestionsResponse,
    WebhookCheckResponse, WebhookKind, from_slice, from_str,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// What a vector is: a request (or query) that must serialize back exactly, or a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Request,
    Response,
}

/// Every vector of these folders: (relative path, the type's name, the schema, request or
/// response). A file in the folders that is not here fails [`every_vector_is_known`].
const VECTORS: &[(&str, &str, Dir)] = &[
    (
        "agent/response.json",
        "agent-detail-response",
        Dir::Response,
    ),
    (
        "conversation-list/request.json",
        "conversation-list-query",
        Dir::Request,
    ),
    (
        "conversation-list/response.json",
        "conversation-list-response",
        Dir::Response,
    ),
    (
        "detail-v1/request.json",
        "conversation-detail-query-v1",
        Dir::Request,
    ),
    (
        "detail-v1/response.json",
        "conversation-detail-response-v1",
        Dir::Response,
    ),
    (
        "feedback/request.json",
        "message-feedback-request",
        Dir::Request,
    ),
    (
        "feedback/response.json",
        "message-feedback-response",
        Dir::Response,
    ),
    (
        "human-calls/close-request.json",
        "human-close-request",
        Dir::Request,
    ),
    (
        "human-calls/message-request.json",
        "human-message-request",
        Dir::Request,
    ),
    (
        "human-calls/response.json",
        "human-call-response",
        Dir::Response,
    ),
    (
        "quality/request.json",
        "message-quality-request",
        Dir::Request,
    ),
    (
        "quality/response.json",
        "message-quality-response",
        Dir::Response,
    ),
    (
        "referenced-knowledge/request.json",
        "referenced-knowledge-query",
        Dir::Request,
    ),
    (
        "referenced-knowledge/response.json",
        "referenced-knowledge-response",
        Dir::Response,
    ),
    (
        "suggested-questions/request.json",
        "suggested-questions-query",
        Dir::Request,
    ),
    (
        "suggested-questions/response.json",
        "suggested-questions-response",
        Dir::Response,
    ),
    (
        "webhook-check/response.json",
        "webhook-check-response",
        Dir::Response,
    ),
];

fn read_vector(name: &str) -> Vec<u8> {
    let path = vectors_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `null` means absent in a response ("null = absent"), and the types leave absent fields out:
/// so a response is compared with its `null` members removed.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// Parses `bytes` as `T`, serializes it back and compares: a request exactly (it is what we
/// send), a response once its `null` members are dropped. Then the written form parses back
/// to the same value.
fn round_trip<T: DeserializeOwned + Serialize + std::fmt::Debug + PartialEq>(
    name: &str,
    bytes: &[u8],
    dir: Dir,
) {
    let value: T = from_slice(bytes).unwrap_or_else(|e| panic!("{name}: does not parse: {e}"));
    let original: Value = serde_json::from_slice(bytes).unwrap();
    let written = serde_json::to_value(&value).unwrap();
    let expected = match dir {
        Dir::Request => original.clone(),
        Dir::Response => without_nulls(&original),
    };
    assert!(
        same_json(&expected, &written),
        "{name}: serializes back differently\noriginal: {original:#}\nwritten:  {written:#}"
    );
    if dir == Dir::Request {
        // Exactly: not even a number written as another number of the same value.
        assert_eq!(
            expected, written,
            "{name}: a request must serialize back exactly"
        );
    }
    let again: T = from_slice(&serde_json::to_vec(&written).unwrap()).unwrap();
    assert_eq!(again, value, "{name}: second round trip differs");
}

fn check_vector(name: &str, dir: Dir) {
    let bytes = read_vector(name);
    match name {
        "agent/response.json" => round_trip::<AgentDetailResponse>(name, &bytes, dir),
        "conversation-list/request.json" => round_trip::<ConversationListQuery>(name, &bytes, dir),
        "conversation-list/response.json" => {
            round_trip::<ConversationListResponse>(name, &bytes, dir)
        }
        "detail-v1/request.json" => round_trip::<ConversationDetailV1Query>(name, &bytes, dir),
        "detail-v1/response.json" => round_trip::<ConversationDetailV1Response>(name, &bytes, dir),
        "feedback/request.json" => round_trip::<MessageFeedbackRequest>(name, &bytes, dir),
        "feedback/response.json" | "quality/response.json" => {
            round_trip::<AffectCountResponse>(name, &bytes, dir)
        }
        "human-calls/close-request.json" => round_trip::<HumanCloseRequest>(name, &bytes, dir),
        "human-calls/message-request.json" => round_trip::<HumanMessageRequest>(name, &bytes, dir),
        "human-calls/response.json" => round_trip::<HumanCallResponse>(name, &bytes, dir),
        "quality/request.json" => round_trip::<MessageQualityRequest>(name, &bytes, dir),
        "referenced-knowledge/request.json" => {
            round_trip::<ReferencedKnowledgeQuery>(name, &bytes, dir)
        }
        "referenced-knowledge/response.json" => {
            round_trip::<ReferencedKnowledgeResponse>(name, &bytes, dir)
        }
        "suggested-questions/request.json" => {
            round_trip::<SuggestedQuestionsQuery>(name, &bytes, dir)
        }
        "suggested-questions/response.json" => {
            round_trip::<SuggestedQuestionsResponse>(name, &bytes, dir)
        }
        "webhook-check/response.json" => round_trip::<WebhookCheckResponse>(name, &bytes, dir),
        other => panic!("{other}: no type for this vector"),
    }
}

#[test]
fn every_vector_parses_and_round_trips() {
    for (name, _, dir) in VECTORS {
        check_vector(name, *dir);
    }
}

#[test]
fn every_vector_is_known() {
    let mut found = Vec::new();
    for dir in MORE_API_DIRS {
        for entry in std::fs::read_dir(vectors_dir().join(dir)).unwrap() {
            let file = entry.unwrap().file_name().to_string_lossy().into_owned();
            found.push(format!("{dir}/{file}"));
        }
    }
    found.sort();
    let mut known: Vec<String> = VECTORS.iter().map(|(n, _, _)| (*n).to_owned()).collect();
    known.sort();
    assert_eq!(
        found, known,
        "a vector file without a test, or a test without its file"
    );
}

/// Parses JSON text as `T`, panicking with the error.
fn parse<T: DeserializeOwned>(text: &str) -> T {
    from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The parse error's text, for a payload that must be rejected.
fn rejected<T: DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
    match from_str::<T>(text) {
        Ok(value) => panic!("{text} should be rejected, read as {value:?}"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn nulls_read_as_absent() {
    let agent: AgentDetailResponse = parse(
        r#"{"bot_id":"b","name":null,"logo":null,"bot_type":null,"welcome_message":null,
            "introduction":null,"tags":null,"identity_prompt":null,"creativity_level":null,
            "doc_correlation":null,"irrelevant_questions":null,"question_limit":null,
            "long_term_memory":null}"#,
    );
    assert_eq!(agent, AgentDetailResponse::new("b"));

    let list: ConversationListResponse = parse(
        r#"{"list":[{"conversation_id":"c","user_id":null,"recent_chat_time":null,"subject":null,
            "conversation_type":null,"message_count":null,"cost_credit":null,"bot_id":null}],
            "total":null}"#,
    );
    assert_eq!(list.total, 0);
    assert_eq!(list.list[0].conversation_id, "c");
    assert_eq!(list.list[0].message_count, None);
    let empty: ConversationListResponse = parse(r#"{"list":null,"total":null}"#);
    assert!(empty.list.is_empty());

    let detail: ConversationDetailV1Response = parse(
        r#"{"total":null,"messages":[{"message_id":"m","parent_message_id":null,
            "message_type":"QUESTION","text":null,"create_time":null}]}"#,
    );
    assert_eq!(detail.messages[0].text, "");
    assert_eq!(detail.messages[0].parent_message_id, None);

    let refs: ReferencedKnowledgeResponse = parse(
        r#"{"conversation_id":"c","question_id":"q","answer_id":"a","correlate_dataset":[
            {"content":null,"data_id":null,"data_name":null,"source_url":null,"score":null}]}"#,
    );
    assert_eq!(refs.correlate_dataset[0].content, "");
    assert_eq!(refs.correlate_dataset[0].score, None);

    let check: WebhookCheckResponse = parse(
        r#"{"results":[{"type":"human_service","component_id":null,"component_name":null,
            "webhook_url":null,"reachable":null,"http_status":null,"latency_ms":null}]}"#,
    );
    assert!(!check.results[0].reachable);
    assert_eq!(check.results[0].http_status, None);
    assert!(!check.all_reachable());

    let questions: SuggestedQuestionsResponse = parse(r#"{"questions":null}"#);
    assert!(questions.questions.is_empty());
    let count: AffectCountResponse = parse(r#"{"affectCount":null}"#);
    assert_eq!(count.affect_count, None);
    let human: HumanCallResponse = parse(r#"{"code":null,"message":null}"#);
    assert_eq!(human, HumanCallResponse::default());
    assert!(!human.is_error());
}

#[test]
fn integral_decimals_read_as_integers() {
    let agent: AgentDetailResponse = parse(r#"{"bot_id":"b","question_limit":29.0}"#);
    assert_eq!(agent.question_limit, Some(29));
    let count: AffectCountResponse = parse(r#"{"affectCount":1.0}"#);
    assert_eq!(count.affect_count, Some(1));
    let list: ConversationListResponse = parse(
        r#"{"list":[{"conversation_id":"c","recent_chat_time":1.694572952383e12,
            "message_count":2.0}],"total":2.0}"#,
    );
    assert_eq!(list.list[0].recent_chat_time, Some(1_694_572_952_383));
    assert_eq!(list.list[0].message_count, Some(2));
    assert_eq!(list.total, 2);
    let check: WebhookCheckResponse = parse(
        r#"{"results":[{"type":"message","reachable":true,"http_status":200.0,"latency_ms":156.0}]}"#,
    );
    assert_eq!(check.results[0].http_status, Some(200));
    assert_eq!(check.results[0].latency_ms, Some(156));
    let human: HumanCallResponse = parse(r#"{"code":200.0,"message":"success"}"#);
    assert_eq!(human, HumanCallResponse::success());
}

#[test]
fn numbers_as_strings_are_read() {
    // `total` is a number in the examples and a string in a table; written back as a number.
    let detail: ConversationDetailV1Response = parse(r#"{"total":"12","messages":[]}"#);
    assert_eq!(detail.total, 12);
    assert_eq!(serde_json::to_value(&detail).unwrap()["total"], json!(12));
    let list: ConversationListResponse = parse(r#"{"list":[],"total":"7"}"#);
    assert_eq!(list.total, 7);
    // `score` likewise.
    let refs: ReferencedKnowledgeResponse = parse(
        r#"{"conversation_id":"c","question_id":"q","answer_id":"a",
            "correlate_dataset":[{"content":"x","score":"0.93492633"}]}"#,
    );
    assert_eq!(refs.correlate_dataset[0].score, Some(0.934_926_33));
    assert_eq!(
        serde_json::to_value(&refs).unwrap()["correlate_dataset"][0]["score"],
        json!(0.934_926_33)
    );
    // An id sent as a number keeps the number's text.
    let list: ConversationListResponse =
        parse(r#"{"list":[{"conversation_id":"c","user_id":3}],"total":1}"#);
    assert_eq!(list.list[0].user_id.as_deref(), Some("3"));
}

#[test]
fn unknown_enum_values_are_kept_and_written_back() {
    let text = r#"{"bot_id":"b","bot_type":"Workflow2030"}"#;
    let agent: AgentDetailResponse = parse(text);
    assert_eq!(
        agent.bot_type,
        Some(BotType::Unknown("Workflow2030".into()))
    );
    assert_eq!(
        serde_json::to_value(&agent).unwrap(),
        serde_json::from_str::<Value>(text).unwrap()
    );
    let agent: AgentDetailResponse = parse(r#"{"bot_id":"b","bot_type":"Flow"}"#);
    assert_eq!(agent.bot_type, Some(BotType::Flow));

    let text = r#"{"list":[{"conversation_id":"c","conversation_type":"WECHAT_MP"}],"total":1}"#;
    let list: ConversationListResponse = parse(text);
    assert_eq!(
        list.list[0].conversation_type,
        Some(ConversationType::Unknown("WECHAT_MP".into()))
    );
    assert_eq!(
        serde_json::to_value(&list).unwrap(),
        serde_json::from_str::<Value>(text).unwrap()
    );

    let text = r#"{"results":[{"type":"mcp_tool","webhook_url":"https://x","reachable":false}]}"#;
    let check: WebhookCheckResponse = parse(text);
    assert_eq!(
        check.results[0].kind,
        WebhookKind::Unknown("mcp_tool".into())
    );
    assert_eq!(
        serde_json::to_value(&check).unwrap(),
        serde_json::from_str::<Value>(text).unwrap()
    );

    // A feedback value read back (from our own request, or a newer server) is kept too.
    let request: MessageFeedbackRequest = parse(r#"{"answer_id":"a","feedback":"LOVE"}"#);
    assert_eq!(request.feedback, Feedback::Unknown("LOVE".into()));
    let history: ConversationDetailV1Response =
        parse(r#"{"total":1,"messages":[{"message_id":"m","message_type":"SYSTEM","text":"t"}]}"#);
    assert_eq!(
        history.messages[0].message_type,
        MessageType::Unknown("SYSTEM".into())
    );
}

#[test]
fn unknown_fields_are_kept_where_useful() {
    let text = r#"{"bot_id":"b","ai_model":"ChatGPT","ai_model_version":"3.5"}"#;
    let agent: AgentDetailResponse = parse(text);
    assert_eq!(agent.extra["ai_model"], json!("ChatGPT"));
    assert_eq!(
        serde_json::to_value(&agent).unwrap(),
        serde_json::from_str::<Value>(text).unwrap()
    );
    let human: HumanCallResponse = parse(r#"{"code":200,"message":"ok","data":{"id":1}}"#);
    assert_eq!(human.extra["data"], json!({"id": 1}));
}

#[test]
fn malformed_payloads_are_rejected() {
    // A fraction where an integer belongs.
    let err = rejected::<AgentDetailResponse>(r#"{"bot_id":"b","question_limit":29.5}"#);
    assert!(
        err.contains("question_limit") && err.contains("29.5"),
        "{err}"
    );
    let err = rejected::<ConversationListResponse>(r#"{"list":[],"total":2.5}"#);
    assert!(err.contains("total"), "{err}");
    let err = rejected::<ConversationDetailV1Response>(r#"{"total":"1.5","messages":[]}"#);
    assert!(err.contains("total"), "{err}");
    let err = rejected::<AffectCountResponse>(r#"{"affectCount":0.5}"#);
    assert!(err.contains("affectCount"), "{err}");
    let err = rejected::<WebhookCheckResponse>(
        r#"{"results":[{"type":"message","reachable":true,"latency_ms":1.5}]}"#,
    );
    assert!(err.contains("latency_ms"), "{err}");
    // A missing or null required id.
    let err = rejected::<AgentDetailResponse>(r#"{"name":"x"}"#);
    assert!(err.contains("bot_id"), "{err}");
    let err = rejected::<ReferencedKnowledgeResponse>(
        r#"{"conversation_id":"c","question_id":"q","correlate_dataset":[]}"#,
    );
    assert!(err.contains("answer_id"), "{err}");
    let err = rejected::<ConversationDetailV1Response>(
        r#"{"total":1,"messages":[{"message_id":null,"message_type":"ANSWER","text":"t"}]}"#,
    );
    assert!(err.contains("message_id"), "{err}");
    let err = rejected::<ConversationListResponse>(r#"{"list":[{"user_id":"u"}],"total":1}"#);
    assert!(err.contains("conversation_id"), "{err}");
    // A score that is not a number.
    let err = rejected::<ReferencedKnowledgeResponse>(
        r#"{"conversation_id":"c","question_id":"q","answer_id":"a",
            "correlate_dataset":[{"content":"x","score":"high"}]}"#,
    );
    assert!(err.contains("score"), "{err}");
    // A result without its kind.
    let err = rejected::<WebhookCheckResponse>(r#"{"results":[{"reachable":true}]}"#);
    assert!(err.contains("type"), "{err}");
}

fn violated_fields(result: Result<(), gptbots_protocol::ValidationErrors>) -> Vec<String> {
    match result {
        Ok(()) => Vec::new(),
        Err(errors) => errors.violations().iter().map(|v| v.path.clone()).collect(),
    }
}

#[test]
fn query_validation_names_the_field() {
    let good = ConversationListQuery::new(ConversationType::All, 1, 2);
    assert!(good.validate().is_ok());
    assert_eq!(
        violated_fields(good.clone().with_page(0, 10).validate()),
        ["page"]
    );
    assert_eq!(
        violated_fields(good.clone().with_page(1, 101).validate()),
        ["page_size"]
    );
    assert_eq!(
        violated_fields(good.clone().with_page(1, 0).validate()),
        ["page_size"]
    );
    assert_eq!(
        violated_fields(ConversationListQuery::new(ConversationType::Api, 5, 4).validate()),
        ["end_time"]
    );
    assert_eq!(
        violated_fields(ConversationListQuery::new(ConversationType::Api, -1, 4).validate()),
        ["start_time"]
    );
    assert_eq!(
        violated_fields(good.clone().with_user_id("").validate()),
        ["user_id"]
    );
    assert_eq!(
        violated_fields(ConversationListQuery::new(ConversationType::from(""), 1, 2).validate()),
        ["conversation_type"]
    );
    let err = good.with_page(0, 500).validate().unwrap_err().to_string();
    assert!(err.contains("page:") && err.contains("page_size:"), "{err}");

    assert!(
        ConversationDetailV1Query::new("c", 1, 100)
            .validate()
            .is_ok()
    );
    assert_eq!(
        violated_fields(ConversationDetailV1Query::new("", 0, 101).validate()),
        ["conversation_id", "page", "page_size"]
    );
    assert_eq!(
        violated_fields(SuggestedQuestionsQuery::new("").validate()),
        ["answer_id"]
    );
    assert_eq!(
        violated_fields(ReferencedKnowledgeQuery::new("").validate()),
        ["message_id"]
    );
    assert_eq!(
        violated_fields(MessageFeedbackRequest::new("", Feedback::from("LIKE")).validate()),
        ["answer_id", "feedback"]
    );
    assert_eq!(
        violated_fields(MessageQualityRequest::new("a", Quality::from("GOOD")).validate()),
        ["quality"]
    );
    assert!(
        MessageQualityRequest::new("a", Quality::None)
            .validate()
            .is_ok()
    );
}

#[test]
fn requests_leave_unset_fields_out() {
    let query = ConversationListQuery::new(ConversationType::All, 1, 2);
    assert_eq!(
        serde_json::to_value(&query).unwrap(),
        json!({"conversation_type":"ALL","start_time":1,"end_time":2,"page":1,"page_size":100})
    );
    let query = ConversationDetailV1Query::new("c", 2, 10);
    assert_eq!(
        serde_json::to_value(&query).unwrap(),
        json!({"conversation_id":"c","page":2,"page_size":10})
    );
}

#[test]
fn human_call_error_codes() {
    assert!(HumanCallResponse::new(40356, "gone").is_error());
    assert!(!HumanCallResponse::success().is_error());
    assert!(!HumanCallResponse::new(0, "ok").is_error());
    assert!(!parse::<HumanCallResponse>("{}").is_error());
}

#[cfg(feature = "schemars")]
mod schemas {
    use super::*;
    use common::schemas_dir;

    fn validator(name: &str) -> jsonschema::Validator {
        let path = schemas_dir().join(format!("{name}.schema.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::draft202012::new(&schema)
            .unwrap_or_else(|e| panic!("{name}: not a valid schema: {e}"))
    }

    fn assert_valid(schema: &str, instance: &Value) {
        let errors: Vec<String> = validator(schema)
            .iter_errors(instance)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{instance:#} against {schema}: {errors:#?}"
        );
    }

    fn assert_invalid(schema: &str, instance: &Value) {
        assert!(
            !validator(schema).is_valid(instance),
            "{instance:#} should be rejected by {schema}"
        );
    }

    #[test]
    fn every_vector_validates_against_its_schema() {
        for (name, schema, _) in VECTORS {
            let value: Value = serde_json::from_slice(&read_vector(name)).unwrap();
            assert_valid(schema, &value);
        }
    }

    /// What the types read, the schemas accept; what they reject, the schemas reject.
    #[test]
    fn schemas_agree_with_the_types() {
        let accepted = [
            (
                "conversation-detail-response-v1",
                json!({"total": "12", "messages": null}),
            ),
            (
                "conversation-list-response",
                json!({"list": [{"conversation_id": "c", "user_id": 3, "conversation_type": "WECHAT_MP"}], "total": 2.0}),
            ),
            (
                "referenced-knowledge-response",
                json!({"conversation_id": "c", "question_id": "q", "answer_id": "a", "correlate_dataset": [{"content": null, "score": "0.5"}]}),
            ),
            (
                "agent-detail-response",
                json!({"bot_id": "b", "bot_type": "Workflow2030", "question_limit": 29.0, "name": null, "ai_model": "x"}),
            ),
            (
                "webhook-check-response",
                json!({"results": [{"type": "mcp_tool", "reachable": null, "http_status": null}]}),
            ),
            ("human-call-response", json!({})),
            ("message-feedback-response", json!({"affectCount": 1.0})),
        ];
        for (schema, value) in &accepted {
            assert_valid(schema, value);
        }
        let rejected = [
            (
                "conversation-detail-response-v1",
                json!({"total": "1.5", "messages": []}),
            ),
            (
                "conversation-list-response",
                json!({"list": [], "total": 2.5}),
            ),
            (
                "referenced-knowledge-response",
                json!({"conversation_id": "c", "question_id": "q", "correlate_dataset": []}),
            ),
            (
                "referenced-knowledge-response",
                json!({"conversation_id": "c", "question_id": "q", "answer_id": "a", "correlate_dataset": [{"score": "high"}]}),
            ),
            (
                "agent-detail-response",
                json!({"bot_id": "b", "question_limit": 29.5}),
            ),
            ("agent-detail-response", json!({"name": "x"})),
            (
                "webhook-check-response",
                json!({"results": [{"reachable": true}]}),
            ),
            ("message-feedback-response", json!({"affectCount": 0.5})),
            (
                "message-feedback-request",
                json!({"answer_id": "a", "feedback": "LIKE"}),
            ),
            ("message-quality-request", json!({"answer_id": "a"})),
            (
                "conversation-list-query",
                json!({"conversation_type": "ALL", "start_time": 1, "end_time": 2, "page": 1}),
            ),
        ];
        for (schema, value) in &rejected {
            assert_invalid(schema, value);
            // And the types reject them too.
            let text = value.to_string();
            let read = match *schema {
                "conversation-detail-response-v1" => {
                    from_str::<ConversationDetailV1Response>(&text).is_ok()
                }
                "conversation-list-response" => from_str::<ConversationListResponse>(&text).is_ok(),
                "referenced-knowledge-response" => {
                    from_str::<ReferencedKnowledgeResponse>(&text).is_ok()
                }
                "agent-detail-response" => from_str::<AgentDetailResponse>(&text).is_ok(),
                "webhook-check-response" => from_str::<WebhookCheckResponse>(&text).is_ok(),
                "message-feedback-response" => from_str::<AffectCountResponse>(&text).is_ok(),
                "message-quality-request" => from_str::<MessageQualityRequest>(&text).is_ok(),
                "conversation-list-query" => from_str::<ConversationListQuery>(&text).is_ok(),
                // A request enum is open in Rust (it reads back what a newer server echoes) and
                // strict in the schema (a misspelt request fails); `validate` catches it.
                "message-feedback-request" => {
                    let request: MessageFeedbackRequest = parse(&text);
                    request.validate().is_ok()
                }
                other => panic!("{other}"),
            };
            assert!(
                !read,
                "{schema}: the types accept what the schema rejects: {text}"
            );
        }
    }
}
