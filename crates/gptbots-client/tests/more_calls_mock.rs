//! Each call beyond sending messages, against the real mock (`gptbots-mock`): the success the
//! mock gives and each error it documents comes back typed, as an API error with its code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use gptbots_client::{Client, ClientConfig, Error};
use gptbots_mock::{
    DEFAULT_API_KEY, HandoffTarget, MOCK_BOT_ID, MockConfig, MockServer, WebhookTarget,
};
use gptbots_protocol::{
    BotType, ConversationDetailV1Query, ConversationListQuery, ConversationType,
    CreateConversationRequest, ErrorCode, Feedback, HumanCloseRequest, HumanMessageRequest,
    MessageFeedbackRequest, MessageQualityRequest, Quality, ReferencedKnowledgeQuery,
    SendMessageRequest, SuggestedQuestionsQuery, WebhookKind,
};
use serde_json::Value;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(20);

fn client(server: &MockServer, key: &str) -> Client {
    Client::new(ClientConfig::new(key).with_base_url(server.url())).unwrap()
}

fn assert_api<T: std::fmt::Debug>(result: Result<T, Error>, code: i64) {
    let err = result.unwrap_err();
    assert_eq!(err.api_code(), Some(ErrorCode(code)), "{err}");
}

/// A conversation with one exchange: (conversation id, answer id).
async fn exchange(client: &Client, text: &str) -> (String, String) {
    let created = client
        .create_conversation(&CreateConversationRequest::new("client-user"))
        .await
        .unwrap();
    let reply = client
        .send_message(SendMessageRequest::text(
            created.conversation_id.clone(),
            text,
        ))
        .await
        .unwrap();
    (created.conversation_id, reply.message_id)
}

#[tokio::test]
async fn feedback_and_quality() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let client = client(&server, DEFAULT_API_KEY);
    let (_, answer) = exchange(&client, "rate me").await;
    let done = client
        .message_feedback(&MessageFeedbackRequest::new(
            answer.clone(),
            Feedback::Positive,
        ))
        .await
        .unwrap();
    assert_eq!(done.affect_count, Some(1));
    let done = client
        .message_quality(&MessageQualityRequest::new(answer, Quality::FullyResolved))
        .await
        .unwrap();
    assert_eq!(done.affect_count, Some(1));
    assert_api(
        client
            .message_feedback(&MessageFeedbackRequest::new("nope", Feedback::Negative))
            .await,
        40000,
    );
    assert_api(
        client
            .message_quality(&MessageQualityRequest::new("nope", Quality::None))
            .await,
        40000,
    );
    let wrong = self::client(&server, "wrong-key");
    assert_api(
        wrong
            .message_feedback(&MessageFeedbackRequest::new("x", Feedback::Canceled))
            .await,
        40127,
    );
}

#[tokio::test]
async fn conversation_list_and_detail_v1() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let client = client(&server, DEFAULT_API_KEY);
    let (id, answer) = exchange(&client, "list me").await;
    let query = ConversationListQuery::new(ConversationType::Api, 0, i64::from(u32::MAX) * 1000);
    let list = client.conversation_list(&query).await.unwrap();
    assert_eq!(list.total, 1);
    assert_eq!(list.list[0].conversation_id, id);
    assert_eq!(list.list[0].subject.as_deref(), Some("list me"));
    assert_api(
        client
            .conversation_list(&query.clone().with_page(2, 1))
            .await,
        40005,
    );

    let detail = client
        .conversation_detail_v1(&ConversationDetailV1Query::new(id.clone(), 1, 10))
        .await
        .unwrap();
    assert_eq!(detail.total, 2);
    assert_eq!(detail.messages[1].message_id, answer);
    assert_eq!(detail.messages[1].text, "list me");
    assert_api(
        client
            .conversation_detail_v1(&ConversationDetailV1Query::new(id, 2, 10))
            .await,
        40005,
    );
    assert_api(
        client
            .conversation_detail_v1(&ConversationDetailV1Query::new("nope", 1, 10))
            .await,
        40356,
    );
}

#[tokio::test]
async fn suggested_questions_referenced_knowledge_and_agent_detail() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let client = client(&server, DEFAULT_API_KEY);
    let (id, answer) = exchange(&client, "what next").await;
    let suggested = client
        .suggested_questions(&SuggestedQuestionsQuery::new(answer.clone()))
        .await
        .unwrap();
    assert!(suggested.questions.iter().any(|q| q.contains("what next")));
    let sources = client
        .referenced_knowledge(&ReferencedKnowledgeQuery::new(answer.clone()))
        .await
        .unwrap();
    assert_eq!(sources.conversation_id, id);
    assert_eq!(sources.answer_id, answer);
    assert!(!sources.correlate_dataset.is_empty());
    assert_api(
        client
            .suggested_questions(&SuggestedQuestionsQuery::new("nope"))
            .await,
        40000,
    );
    assert_api(
        client
            .referenced_knowledge(&ReferencedKnowledgeQuery::new("nope"))
            .await,
        40000,
    );
    let agent = client.agent_detail().await.unwrap();
    assert_eq!(agent.bot_id, MOCK_BOT_ID);
    assert_eq!(agent.bot_type, Some(BotType::QuestionAnswer));
    assert_api(self::client(&server, "wrong").agent_detail().await, 40127);
}

/// A developer's service that records each POST's path and answers 200.
async fn capture() -> (String, mpsc::UnboundedReceiver<(String, Value)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: axum::body::Bytes| {
        let tx = tx.clone();
        async move {
            let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let _ = tx.send((uri.path().to_owned(), value));
            "{\"code\":200,\"message\":\"success\"}"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

#[tokio::test]
async fn human_calls_and_webhook_check() {
    let (url, mut rx) = capture().await;
    let config = MockConfig::default()
        .with_webhook(WebhookTarget::new(format!("{url}/reply")))
        .with_handoff(HandoffTarget::new(format!("{url}/hs"), "agent please"));
    let server = MockServer::start(config).await.unwrap();
    let client = client(&server, DEFAULT_API_KEY);
    let created = client
        .create_conversation(&CreateConversationRequest::new("client-user"))
        .await
        .unwrap();
    client
        .send_message_webhook(SendMessageRequest::text(
            created.conversation_id,
            "agent please",
        ))
        .await
        .unwrap();
    let (path, establish) = tokio::time::timeout(WAIT, rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(path, "/hs/conversation/establish");
    let session = establish["conversation_id"].as_str().unwrap().to_owned();

    let answered = client
        .human_message(&HumanMessageRequest::new(session.clone(), 1, "hi"))
        .await
        .unwrap();
    assert!(!answered.is_error());
    let closed = client
        .human_close(&HumanCloseRequest::new(session.clone(), 2))
        .await
        .unwrap();
    assert!(!closed.is_error());
    assert_api(
        client
            .human_message(&HumanMessageRequest::new(session.clone(), 3, "late"))
            .await,
        40356,
    );
    assert_api(
        client
            .human_close(&HumanCloseRequest::new(session, 4))
            .await,
        40356,
    );

    let check = client.webhook_check().await.unwrap();
    assert!(check.all_reachable());
    let kinds: Vec<&WebhookKind> = check.results.iter().map(|r| &r.kind).collect();
    assert_eq!(kinds, [&WebhookKind::Message, &WebhookKind::HumanService]);
    assert_api(self::client(&server, "wrong").webhook_check().await, 40127);
}

#[tokio::test]
async fn every_call_refuses_a_wrong_key_with_40127() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let wrong = client(&server, "wrong-key");
    let list = ConversationListQuery::new(ConversationType::All, 0, 1);
    assert_api(wrong.conversation_list(&list).await, 40127);
    assert_api(
        wrong
            .conversation_detail_v1(&ConversationDetailV1Query::new("c", 1, 10))
            .await,
        40127,
    );
    assert_api(
        wrong
            .message_quality(&MessageQualityRequest::new("m", Quality::None))
            .await,
        40127,
    );
    assert_api(
        wrong
            .suggested_questions(&SuggestedQuestionsQuery::new("m"))
            .await,
        40127,
    );
    assert_api(
        wrong
            .referenced_knowledge(&ReferencedKnowledgeQuery::new("m"))
            .await,
        40127,
    );
    assert_api(
        wrong
            .human_message(&HumanMessageRequest::new("s", 1, "hi"))
            .await,
        40127,
    );
    assert_api(
        wrong.human_close(&HumanCloseRequest::new("s", 1)).await,
        40127,
    );
}
