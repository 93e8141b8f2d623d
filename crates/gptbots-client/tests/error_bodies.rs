//! Error bodies as a real server sends them (a 200 with only a code, a null message, `msg`
//! for `message`) are the API error they say, and a reply with nulls and integral decimals is
//! the reply: against a scripted loopback server, and the mock for 40005.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use gptbots_client::{Client, ClientConfig, Error, ErrorKind};
use gptbots_mock::{DEFAULT_API_KEY, MockConfig, MockServer};
use gptbots_protocol::{
    ConversationDetailQuery, CreateConversationRequest, ErrorCode, SendMessageRequest,
    SendMessageRequestV1,
};

fn client(base_url: &str) -> Client {
    Client::new(
        ClientConfig::new(DEFAULT_API_KEY)
            .with_base_url(base_url)
            .with_request_timeout(Duration::from_secs(20)),
    )
    .unwrap()
}

/// A loopback server that answers each route with a fixed status and body.
async fn scripted(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// The error is the API error `code`, with this status and message.
fn assert_api(err: &Error, code: ErrorCode, status: StatusCode, message: &str) {
    match err.kind() {
        ErrorKind::Api {
            code: got,
            message: got_message,
            status: got_status,
        } => {
            assert_eq!(*got, code, "{err}");
            assert_eq!(*got_status, Some(status), "{err}");
            assert_eq!(got_message, message, "{err}");
        }
        other => panic!("expected API error {code}, got {other:?}"),
    }
}

#[tokio::test]
async fn code_20055_alone_with_200_is_api_error_20055_not_a_malformed_reply() {
    let url = scripted(Router::new().route(
        "/v2/conversation/message",
        post(|| async { (StatusCode::OK, r#"{"code":20055}"#) }),
    ))
    .await;
    let err = client(&url)
        .send_message(SendMessageRequest::text("c", "hi"))
        .await
        .unwrap_err();
    assert_api(&err, ErrorCode::API_ACCESS_DISABLED, StatusCode::OK, "");
    assert!(
        err.to_string().contains("API access is switched off"),
        "{err}"
    );
}

#[tokio::test]
async fn code_40000_with_a_null_message_and_400_keeps_its_code() {
    let url = scripted(Router::new().route(
        "/v1/conversation",
        post(|| async { (StatusCode::BAD_REQUEST, r#"{"code":40000,"message":null}"#) }),
    ))
    .await;
    let err = client(&url)
        .create_conversation(&CreateConversationRequest::new("u"))
        .await
        .unwrap_err();
    assert_api(
        &err,
        ErrorCode::PARAMETER_ERROR,
        StatusCode::BAD_REQUEST,
        "",
    );
}

#[tokio::test]
async fn an_error_body_with_msg_for_message_keeps_the_text() {
    let url = scripted(Router::new().route(
        "/v1/conversation/message",
        post(|| async { (StatusCode::OK, r#"{"code":40379,"msg":"余额不足"}"#) }),
    ))
    .await;
    let err = client(&url)
        .send_message_v1(SendMessageRequestV1::text("c", "hi"))
        .await
        .unwrap_err();
    assert_api(
        &err,
        ErrorCode::NOT_ENOUGH_CREDITS_40379,
        StatusCode::OK,
        "余额不足",
    );
}

#[tokio::test]
async fn an_error_body_in_a_200_to_webhook_mode_is_the_api_error() {
    let url = scripted(Router::new().route(
        "/v2/conversation/message",
        post(|| async { (StatusCode::OK, r#"{"code":20059,"message":null}"#) }),
    ))
    .await;
    let err = client(&url)
        .send_message_webhook(SendMessageRequest::text("c", "hi"))
        .await
        .unwrap_err();
    assert_api(&err, ErrorCode::AGENT_DELETED, StatusCode::OK, "");
}

#[tokio::test]
async fn a_reply_with_nulls_and_integral_decimals_is_the_reply() {
    let body = r#"{"create_time":1679587005.0,"conversation_id":"c","message_id":"m",
        "output":[{"from_component_branch":1,"content":{"text":"Hi","audio":null}},{"content":null}],
        "usage":{"tokens":{"total_tokens":29.0,"prompt_tokens":19,"completion_tokens":10},"credits":null}}"#;
    let url = scripted(Router::new().route(
        "/v2/conversation/message",
        post(move || async move { (StatusCode::OK, body) }),
    ))
    .await;
    let reply = client(&url)
        .send_message(SendMessageRequest::text("c", "hi"))
        .await
        .unwrap();
    assert_eq!(reply.create_time, 1_679_587_005);
    assert_eq!(reply.text(), "Hi");
    assert_eq!(reply.output[0].from_component_branch.as_deref(), Some("1"));
    assert_eq!(reply.usage.unwrap().tokens.total_tokens, 29);
}

#[tokio::test]
async fn a_detail_page_with_total_as_a_string_is_read() {
    let body = r#"{"total":"2","conversation_content":[{"message_id":"m","create_time":1717042451000.0,
        "role":"assistant","feedback":"","content":[{"from_component_branch":null,
        "branch_content":[{"type":"video","video":[{"url":"https://x/v.mp4","size":2048}]}]}]}]}"#;
    let url = scripted(Router::new().route(
        "/v2/messages",
        get(move || async move { (StatusCode::OK, body) }),
    ))
    .await;
    let page = client(&url)
        .conversation_detail(&ConversationDetailQuery::new("c", 1, 10))
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let message = &page.conversation_content[0];
    assert_eq!(message.feedback, None);
    assert_eq!(message.create_time, 1_717_042_451_000);
    let part = &message.content[0].branch_content[0];
    assert_eq!(part.part_type(), "video");
    let (_, attachments) = part.attachments().unwrap();
    assert_eq!(attachments.as_slice()[0].size, Some(2048));
}

#[tokio::test]
async fn the_mock_answers_40005_for_a_page_past_the_end() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let client = client(&server.url());
    let id = client
        .create_conversation(&CreateConversationRequest::new("u"))
        .await
        .unwrap()
        .conversation_id;
    client
        .send_message(SendMessageRequest::text(&id, "hello"))
        .await
        .unwrap();
    let first = client
        .conversation_detail(&ConversationDetailQuery::new(&id, 1, 10))
        .await
        .unwrap();
    assert_eq!(first.total, 2);
    let err = client
        .conversation_detail(&ConversationDetailQuery::new(&id, 2, 10))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(ErrorCode::PAGE_PAST_END), "{err}");
    assert!(
        err.to_string()
            .contains("the page asked for lies past the end"),
        "{err}"
    );
}
