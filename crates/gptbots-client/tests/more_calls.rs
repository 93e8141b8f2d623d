//! Each call beyond sending messages, against a scripted loopback server that records what it
//! received: the method, path, query string, `Authorization` header and body are the ones the
//! upstream pages document, the documented reply comes back typed, and each documented error
//! comes back as an API error with its code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use gptbots_client::{Client, ClientConfig, Error, ErrorKind};
use gptbots_protocol::{
    AffectCountResponse, AgentDetailResponse, ConversationDetailV1Query,
    ConversationDetailV1Response, ConversationListQuery, ConversationListResponse,
    ConversationType, ErrorCode, Feedback, HumanCallResponse, HumanCloseRequest,
    HumanMessageRequest, MessageFeedbackRequest, MessageQualityRequest, Quality,
    ReferencedKnowledgeQuery, ReferencedKnowledgeResponse, SuggestedQuestionsQuery,
    SuggestedQuestionsResponse, WebhookCheckResponse, from_slice,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

const KEY: &str = "test-key-123";

/// What the scripted server received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: Option<String>,
    authorization: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// A loopback server that answers every request with `status` and `body`, and records it.
async fn scripted(status: StatusCode, body: &'static str) -> (Client, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let app = Router::new().fallback(move |request: Request| {
        let log = Arc::clone(&log);
        async move {
            let (parts, request_body) = request.into_parts();
            let header = |name: &str| {
                parts
                    .headers
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_owned())
            };
            let bytes = axum::body::to_bytes(request_body, 1 << 20).await.unwrap();
            log.lock().unwrap().push(Seen {
                method: parts.method.to_string(),
                path: parts.uri.path().to_owned(),
                query: parts.uri.query().map(str::to_owned),
                authorization: header("authorization"),
                content_type: header("content-type"),
                body: bytes.to_vec(),
            });
            (
                status,
                [("content-type", "application/json")],
                Body::from(body),
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::new(ClientConfig::new(KEY).with_base_url(url)).unwrap();
    (client, seen)
}

/// The one request the server saw, with the key in the header.
fn only(seen: &Arc<Mutex<Vec<Seen>>>) -> Seen {
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:#?}");
    let request = seen[0].clone();
    assert_eq!(
        request.authorization.as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );
    request
}

fn vector_text(name: &str) -> &'static str {
    let path = format!(
        "{}/../../conformance/vectors/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Box::leak(text.into_boxed_str())
}

fn vector<T: DeserializeOwned>(name: &str) -> T {
    from_slice(vector_text(name).as_bytes()).unwrap()
}

/// The body the server saw is exactly the documented request.
fn assert_body(request: &Seen, vector_name: &str) {
    assert_eq!(request.content_type.as_deref(), Some("application/json"));
    let sent: Value = serde_json::from_slice(&request.body).unwrap();
    let documented: Value = serde_json::from_str(vector_text(vector_name)).unwrap();
    assert_eq!(sent, documented);
}

fn assert_api(result: Result<impl std::fmt::Debug, Error>, code: i64) -> Error {
    let err = result.unwrap_err();
    assert_eq!(err.api_code(), Some(ErrorCode(code)), "{err:?}");
    err
}

#[tokio::test]
async fn human_message_sends_the_documented_body() {
    let (client, seen) = scripted(StatusCode::OK, vector_text("human-calls/response.json")).await;
    let request: HumanMessageRequest = vector("human-calls/message-request.json");
    let reply = client.human_message(&request).await.unwrap();
    assert_eq!(reply, HumanCallResponse::success());
    let request = only(&seen);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v1/human/message/receive")
    );
    assert_eq!(request.query, None);
    assert_body(&request, "human-calls/message-request.json");
}

#[tokio::test]
async fn human_close_sends_the_documented_body() {
    let (client, seen) = scripted(StatusCode::OK, vector_text("human-calls/response.json")).await;
    let request: HumanCloseRequest = vector("human-calls/close-request.json");
    let reply = client.human_close(&request).await.unwrap();
    assert_eq!(reply, HumanCallResponse::success());
    let request = only(&seen);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v1/human/close")
    );
    assert_body(&request, "human-calls/close-request.json");
}

#[tokio::test]
async fn human_calls_accept_an_empty_2xx_or_any_object() {
    for status in [StatusCode::OK, StatusCode::NO_CONTENT] {
        let (client, _) = scripted(status, "").await;
        let reply = client
            .human_message(&HumanMessageRequest::new("h", 1, "hi"))
            .await
            .unwrap();
        assert_eq!(reply, HumanCallResponse::default());
        let reply = client
            .human_close(&HumanCloseRequest::new("h", 1))
            .await
            .unwrap();
        assert_eq!(reply, HumanCallResponse::default());
    }
    let (client, _) = scripted(StatusCode::OK, r#"{"ok":true}"#).await;
    let reply = client
        .human_close(&HumanCloseRequest::new("h", 1))
        .await
        .unwrap();
    assert_eq!(reply.code, None);
    assert_eq!(reply.extra["ok"], Value::Bool(true));
}

#[tokio::test]
async fn human_calls_for_an_unknown_session_are_40356() {
    for status in [StatusCode::OK, StatusCode::NOT_FOUND] {
        let (client, _) = scripted(status, vector_text("errors/40356.json")).await;
        let err = assert_api(
            client
                .human_message(&HumanMessageRequest::new("gone", 1, "hi"))
                .await,
            40356,
        );
        match err.kind() {
            ErrorKind::Api { status: got, .. } => assert_eq!(*got, Some(status)),
            other => panic!("{other:?}"),
        }
        assert_api(
            client.human_close(&HumanCloseRequest::new("gone", 1)).await,
            40356,
        );
    }
}

#[tokio::test]
async fn webhook_check_posts_no_body() {
    let (client, seen) = scripted(StatusCode::OK, vector_text("webhook-check/response.json")).await;
    let reply = client.webhook_check().await.unwrap();
    assert_eq!(
        reply,
        vector::<WebhookCheckResponse>("webhook-check/response.json")
    );
    assert!(reply.all_reachable());
    let request = only(&seen);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v1/webhook/check")
    );
    assert_eq!(request.query, None);
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn message_feedback_sends_the_documented_body() {
    let (client, seen) = scripted(StatusCode::OK, vector_text("feedback/response.json")).await;
    let request: MessageFeedbackRequest = vector("feedback/request.json");
    assert_eq!(request.feedback, Feedback::Positive);
    let reply = client.message_feedback(&request).await.unwrap();
    assert_eq!(reply, AffectCountResponse::new(0));
    let request = only(&seen);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v1/message/feedback")
    );
    assert_body(&request, "feedback/request.json");
}

#[tokio::test]
async fn message_quality_sends_the_documented_body() {
    let (client, seen) = scripted(StatusCode::OK, vector_text("quality/response.json")).await;
    let request: MessageQualityRequest = vector("quality/request.json");
    assert_eq!(request.quality, Quality::FullyResolved);
    let reply = client.message_quality(&request).await.unwrap();
    assert_eq!(reply, AffectCountResponse::new(2));
    let request = only(&seen);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v1/message/quality")
    );
    assert_body(&request, "quality/request.json");
}

/// An error body in a 200 reads as an error, not as a reply whose count is missing.
#[tokio::test]
async fn feedback_errors_in_a_200_are_api_errors() {
    let (client, _) = scripted(
        StatusCode::OK,
        r#"{"code":40000,"message":"answer_id: must not be empty"}"#,
    )
    .await;
    let err = assert_api(
        client
            .message_feedback(&MessageFeedbackRequest::new("", Feedback::Negative))
            .await,
        40000,
    );
    assert!(err.api_message().unwrap().contains("answer_id"));
    let (client, _) = scripted(StatusCode::OK, r#"{"code":20059,"message":"deleted"}"#).await;
    assert_api(
        client
            .message_quality(&MessageQualityRequest::new("a", Quality::Unresolved))
            .await,
        20059,
    );
    // A reply needs a body: an empty 200 is a decode fault, not a success.
    let (client, _) = scripted(StatusCode::OK, "").await;
    let err = client
        .message_feedback(&MessageFeedbackRequest::new("a", Feedback::Canceled))
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn conversation_list_sends_the_documented_query() {
    let (client, seen) = scripted(
        StatusCode::OK,
        vector_text("conversation-list/response.json"),
    )
    .await;
    let query: ConversationListQuery = vector("conversation-list/request.json");
    let reply = client.conversation_list(&query).await.unwrap();
    assert_eq!(
        reply,
        vector::<ConversationListResponse>("conversation-list/response.json")
    );
    assert_eq!(reply.total, 2);
    assert_eq!(reply.list[1].message_count, Some(20));
    let request = only(&seen);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/v1/bot/conversation/page")
    );
    assert_eq!(
        request.query.as_deref(),
        Some(
            "conversation_type=API&user_id=1234567890&start_time=1691942400000\
             &end_time=1699868066999&page=1&page_size=50"
        )
    );
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn conversation_list_errors() {
    let (client, _) = scripted(
        StatusCode::OK,
        r#"{"code":40005,"message":"page out of range"}"#,
    )
    .await;
    let query = ConversationListQuery::new(ConversationType::All, 0, 1).with_page(9, 100);
    assert_api(client.conversation_list(&query).await, 40005);

    let (client, seen) = scripted(
        StatusCode::BAD_REQUEST,
        r#"{"code":40000,"message":"page_size must be between 1 and 100"}"#,
    )
    .await;
    let query = ConversationListQuery::new(ConversationType::Api, 0, 1).with_page(1, 500);
    let err = assert_api(client.conversation_list(&query).await, 40000);
    assert!(err.api_message().unwrap().contains("page_size"));
    assert!(
        query
            .validate()
            .unwrap_err()
            .to_string()
            .contains("page_size")
    );
    // The bad value is sent as it is: the service is the judge.
    let request = only(&seen);
    assert_eq!(
        request.query.as_deref(),
        Some("conversation_type=API&start_time=0&end_time=1&page=1&page_size=500")
    );
}

#[tokio::test]
async fn conversation_detail_v1_sends_the_documented_query() {
    let (client, seen) = scripted(StatusCode::OK, vector_text("detail-v1/response.json")).await;
    let query: ConversationDetailV1Query = vector("detail-v1/request.json");
    let reply = client.conversation_detail_v1(&query).await.unwrap();
    assert_eq!(
        reply,
        vector::<ConversationDetailV1Response>("detail-v1/response.json")
    );
    assert_eq!(reply.messages.len(), 3);
    let request = only(&seen);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/v1/messages")
    );
    assert_eq!(
        request.query.as_deref(),
        Some("conversation_id=xxxxxx&user_id=123456&page=1&page_size=100")
    );
}

#[tokio::test]
async fn conversation_detail_v1_errors() {
    let (client, _) = scripted(
        StatusCode::OK,
        r#"{"code":40005,"message":"page out of range"}"#,
    )
    .await;
    assert_api(
        client
            .conversation_detail_v1(&ConversationDetailV1Query::new("c", 99, 100))
            .await,
        40005,
    );
    let (client, _) = scripted(StatusCode::NOT_FOUND, vector_text("errors/40356.json")).await;
    let err = assert_api(
        client
            .conversation_detail_v1(&ConversationDetailV1Query::new("gone", 1, 10))
            .await,
        40356,
    );
    assert_eq!(err.api_message(), Some("会话不存在"));
    let (client, _) = scripted(
        StatusCode::OK,
        r#"{"code":40000,"message":"conversation_id is required"}"#,
    )
    .await;
    let err = assert_api(
        client
            .conversation_detail_v1(&ConversationDetailV1Query::new("", 1, 10))
            .await,
        40000,
    );
    assert!(err.api_message().unwrap().contains("conversation_id"));
}

#[tokio::test]
async fn suggested_questions_sends_the_documented_query() {
    let (client, seen) = scripted(
        StatusCode::OK,
        vector_text("suggested-questions/response.json"),
    )
    .await;
    let query: SuggestedQuestionsQuery = vector("suggested-questions/request.json");
    let reply = client.suggested_questions(&query).await.unwrap();
    assert_eq!(
        reply,
        vector::<SuggestedQuestionsResponse>("suggested-questions/response.json")
    );
    assert_eq!(reply.questions.len(), 3);
    let request = only(&seen);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/v1/next/question")
    );
    assert_eq!(
        request.query.as_deref(),
        Some("answer_id=65deb0cb2bab4d7c8061d87d")
    );

    let (client, _) = scripted(StatusCode::OK, r#"{"code":200222,"message":"not enabled"}"#).await;
    assert_api(client.suggested_questions(&query).await, 200_222);
}

#[tokio::test]
async fn referenced_knowledge_sends_the_documented_query() {
    let (client, seen) = scripted(
        StatusCode::OK,
        vector_text("referenced-knowledge/response.json"),
    )
    .await;
    let query: ReferencedKnowledgeQuery = vector("referenced-knowledge/request.json");
    let reply = client.referenced_knowledge(&query).await.unwrap();
    assert_eq!(
        reply,
        vector::<ReferencedKnowledgeResponse>("referenced-knowledge/response.json")
    );
    assert_eq!(reply.correlate_dataset[0].score, Some(0.934_926_33));
    let request = only(&seen);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/v1/correlate/dataset")
    );
    assert_eq!(
        request.query.as_deref(),
        Some("message_id=65e04591a0e1e42392696d78")
    );

    let (client, _) = scripted(StatusCode::OK, r#"{"code":40379,"message":"credits"}"#).await;
    assert_api(client.referenced_knowledge(&query).await, 40379);
}

#[tokio::test]
async fn agent_detail_reads_the_documented_reply() {
    let (client, seen) = scripted(StatusCode::OK, vector_text("agent/response.json")).await;
    let reply = client.agent_detail().await.unwrap();
    assert_eq!(reply, vector::<AgentDetailResponse>("agent/response.json"));
    assert_eq!(reply.creativity_level, Some(0.3));
    let request = only(&seen);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/v1/bot/detail")
    );
    assert_eq!(request.query, None);
    assert!(request.body.is_empty());

    let (client, _) = scripted(StatusCode::UNAUTHORIZED, vector_text("errors/40127.json")).await;
    assert_api(client.agent_detail().await, 40127);
}
