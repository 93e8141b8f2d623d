//! Every kind of error the client reports, against the mock (and a few raw loopback routes
//! for what the mock never does).
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
use futures_util::StreamExt;
use gptbots_client::{Client, ClientConfig, Error, ErrorKind};
use gptbots_mock::{DEFAULT_API_KEY, ErrorStatus, MockConfig, MockServer, ScriptedAgent};
use gptbots_protocol::stream::EncodeStyle;
use gptbots_protocol::{
    ConversationDetailQuery, CreateConversationRequest, ErrorCode, Frame, SendMessageRequest,
    SendMessageRequestV1,
};

fn client(base_url: &str, key: &str, timeout: Duration) -> Client {
    Client::new(
        ClientConfig::new(key)
            .with_base_url(base_url)
            .with_request_timeout(timeout),
    )
    .unwrap()
}

async fn mock(config: MockConfig) -> (MockServer, Client) {
    let server = MockServer::start(config).await.unwrap();
    let client = client(&server.url(), DEFAULT_API_KEY, Duration::from_secs(20));
    (server, client)
}

async fn conversation(client: &Client) -> String {
    client
        .create_conversation(&CreateConversationRequest::new("u"))
        .await
        .unwrap()
        .conversation_id
}

fn assert_api(err: &Error, code: ErrorCode) {
    assert_eq!(err.api_code(), Some(code), "{err:?}");
    assert!(err.to_string().contains(&code.0.to_string()), "{err}");
}

/// 40127 for every call with a wrong key, whatever the HTTP status the mock sends with it.
#[tokio::test]
async fn wrong_key_is_40127_on_every_call() {
    for status in [ErrorStatus::Matching, ErrorStatus::AlwaysOk] {
        let (server, good) = mock(MockConfig::default().with_error_status(status)).await;
        let id = conversation(&good).await;
        let bad = client(&server.url(), "wrong-key", Duration::from_secs(20));

        let err = bad
            .create_conversation(&CreateConversationRequest::new("u"))
            .await
            .unwrap_err();
        assert_api(&err, ErrorCode::AUTHENTICATION_FAILED);
        let expected_status = match status {
            ErrorStatus::AlwaysOk => StatusCode::OK,
            _ => StatusCode::UNAUTHORIZED,
        };
        match err.kind() {
            ErrorKind::Api { status, .. } => assert_eq!(*status, Some(expected_status)),
            other => panic!("{other:?}"),
        }
        // The key is not in the error.
        assert!(!format!("{err} {err:?}").contains("wrong-key"));

        let err = bad
            .send_message(SendMessageRequest::text(&id, "x"))
            .await
            .unwrap_err();
        assert_api(&err, ErrorCode::AUTHENTICATION_FAILED);
        let err = bad
            .send_message_streaming(SendMessageRequest::text(&id, "x"))
            .await
            .unwrap_err();
        assert_api(&err, ErrorCode::AUTHENTICATION_FAILED);
        let err = bad
            .send_message_webhook(SendMessageRequest::text(&id, "x"))
            .await
            .unwrap_err();
        assert_api(&err, ErrorCode::AUTHENTICATION_FAILED);
        let err = bad
            .send_message_v1(SendMessageRequestV1::text(&id, "x"))
            .await
            .unwrap_err();
        assert_api(&err, ErrorCode::AUTHENTICATION_FAILED);
        let err = bad
            .send_message_v1_streaming(SendMessageRequestV1::text(&id, "x"))
            .await
            .unwrap_err();
        assert_api(&err, ErrorCode::AUTHENTICATION_FAILED);
        let err = bad
            .conversation_detail(&ConversationDetailQuery::new(&id, 1, 10))
            .await
            .unwrap_err();
        assert_api(&err, ErrorCode::AUTHENTICATION_FAILED);
    }
}

/// 40356 for a conversation the mock never made, in every mode and on detail.
#[tokio::test]
async fn unknown_conversation_is_40356() {
    for status in [ErrorStatus::Matching, ErrorStatus::AlwaysOk] {
        let (_server, client) = mock(MockConfig::default().with_error_status(status)).await;
        let id = "ffffffffffffffffffffffff";
        let err = client
            .send_message(SendMessageRequest::text(id, "x"))
            .await
            .unwrap_err();
        assert_api(&err, ErrorCode::CONVERSATION_NOT_FOUND);
        let err = client
            .send_message_streaming(SendMessageRequest::text(id, "x"))
            .await
            .unwrap_err();
        assert_api(&err, ErrorCode::CONVERSATION_NOT_FOUND);
        let err = client
            .send_message_v1(SendMessageRequestV1::text(id, "x"))
            .await
            .unwrap_err();
        assert_api(&err, ErrorCode::CONVERSATION_NOT_FOUND);
        let err = client
            .send_message_v1_streaming(SendMessageRequestV1::text(id, "x"))
            .await
            .unwrap_err();
        assert_api(&err, ErrorCode::CONVERSATION_NOT_FOUND);
        let err = client
            .conversation_detail(&ConversationDetailQuery::new(id, 1, 10))
            .await
            .unwrap_err();
        assert_api(&err, ErrorCode::CONVERSATION_NOT_FOUND);
    }
}

/// 40000, with a message naming the field, for requests that break a documented rule.
#[tokio::test]
async fn invalid_parameters_are_40000_naming_the_field() {
    let (_server, client) = mock(MockConfig::default()).await;
    let id = conversation(&client).await;

    let err = client
        .create_conversation(&CreateConversationRequest::new("u".repeat(33)))
        .await
        .unwrap_err();
    assert_api(&err, ErrorCode::PARAMETER_ERROR);
    assert!(err.api_message().unwrap().contains("user_id"), "{err}");

    let no_messages = SendMessageRequest::new(
        &id,
        gptbots_protocol::message_v2::ResponseMode::Blocking,
        vec![],
    );
    let err = client.send_message(no_messages).await.unwrap_err();
    assert_api(&err, ErrorCode::PARAMETER_ERROR);
    assert!(err.api_message().unwrap().contains("messages"), "{err}");

    let mut empty_v1 = SendMessageRequestV1::text(&id, "");
    empty_v1.text = None;
    let err = client.send_message_v1(empty_v1).await.unwrap_err();
    assert_api(&err, ErrorCode::PARAMETER_ERROR);
    assert!(err.api_message().unwrap().contains("text"), "{err}");

    let image_without_size = SendMessageRequestV1::text(&id, "look").with_file(
        gptbots_protocol::message_v1::FileV1::url("https://example.invalid/a.png", "a.png"),
    );
    let err = client
        .send_message_v1(image_without_size)
        .await
        .unwrap_err();
    assert_api(&err, ErrorCode::PARAMETER_ERROR);
    assert!(
        err.api_message().unwrap().contains("files[0].width"),
        "{err}"
    );

    let err = client
        .conversation_detail(&ConversationDetailQuery::new(&id, 1, 101))
        .await
        .unwrap_err();
    assert_api(&err, ErrorCode::PARAMETER_ERROR);
    assert!(err.api_message().unwrap().contains("page_size"), "{err}");

    let err = client
        .conversation_detail(&ConversationDetailQuery::new(&id, 0, 10))
        .await
        .unwrap_err();
    assert_api(&err, ErrorCode::PARAMETER_ERROR);
    assert!(err.api_message().unwrap().contains("page"), "{err}");
}

/// A stream cut off in the middle of a frame, in every style: the frames before it arrive,
/// then a cut-off error with the bytes left over.
#[tokio::test]
async fn stream_cut_off_mid_frame_is_reported() {
    for style in [EncodeStyle::Sse, EncodeStyle::Lines, EncodeStyle::Joined] {
        let agent = ScriptedAgent::new(vec![
            Frame::message_info("m1"),
            Frame::text("Hel"),
            Frame::text("lo"),
            Frame::end(),
        ])
        .truncated(12);
        let (_server, client) =
            mock(MockConfig::default().with_agent(agent).with_style(style)).await;
        let id = conversation(&client).await;

        let items: Vec<_> = client
            .send_message_streaming(SendMessageRequest::text(&id, "x"))
            .await
            .unwrap()
            .collect()
            .await;
        assert_eq!(items.len(), 4, "{style:?}: {items:?}");
        assert!(items[..3].iter().all(Result::is_ok));
        let err = items[3].as_ref().unwrap_err();
        assert!(err.is_cut_off(), "{err:?}");
        match err.kind() {
            ErrorKind::CutOff { trailing_bytes } => assert!(*trailing_bytes > 0),
            other => panic!("{other:?}"),
        }

        let mut seen = String::new();
        let err = client
            .send_message_streaming(SendMessageRequest::text(&id, "x"))
            .await
            .unwrap()
            .assemble(|piece| seen.push_str(piece))
            .await
            .unwrap_err();
        assert!(err.is_cut_off(), "{err:?}");
        assert_eq!(seen, "Hello");
    }
}

/// A stream that ends cleanly between frames but without End is cut off too.
#[tokio::test]
async fn stream_without_end_is_cut_off() {
    let agent = ScriptedAgent::new(vec![Frame::message_info("m1"), Frame::text("partial")]);
    let (_server, client) = mock(MockConfig::default().with_agent(agent)).await;
    let id = conversation(&client).await;
    let items: Vec<_> = client
        .send_message_v1_streaming(SendMessageRequestV1::text(&id, "x"))
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    let err = items[2].as_ref().unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::CutOff { trailing_bytes: 0 });
    // The blocking reply of the same agent is refused as an internal error.
    let err = client
        .send_message(SendMessageRequest::text(&id, "x"))
        .await
        .unwrap_err();
    assert_api(&err, ErrorCode::INTERNAL_ERROR);
}

/// An error frame inside a stream is an API error item; blocking mode answers the same code.
#[tokio::test]
async fn error_frame_in_a_stream_is_an_api_error() {
    let agent = ScriptedAgent::new(vec![
        Frame::message_info("m1"),
        Frame::text("I"),
        Frame::error(20022, "积分不足"),
    ]);
    let (_server, client) = mock(MockConfig::default().with_agent(agent)).await;
    let id = conversation(&client).await;
    let items: Vec<_> = client
        .send_message_streaming(SendMessageRequest::text(&id, "x"))
        .await
        .unwrap()
        .collect()
        .await;
    // No cut-off error after it: the error frame explains the end.
    assert_eq!(items.len(), 3, "{items:?}");
    let err = items[2].as_ref().unwrap_err();
    assert_api(err, ErrorCode::NOT_ENOUGH_CREDITS);
    assert_eq!(err.api_message(), Some("积分不足"));
    match err.kind() {
        ErrorKind::Api { status, .. } => assert_eq!(*status, None),
        other => panic!("{other:?}"),
    }
    let err = client
        .send_message(SendMessageRequest::text(&id, "x"))
        .await
        .unwrap_err();
    assert_api(&err, ErrorCode::NOT_ENOUGH_CREDITS);
}

/// A blocking call against a mock that answers late is a timeout.
#[tokio::test]
async fn blocking_call_times_out() {
    let server =
        MockServer::start(MockConfig::default().with_response_delay(Duration::from_secs(5)))
            .await
            .unwrap();
    let client = client(&server.url(), DEFAULT_API_KEY, Duration::from_millis(200));
    let err = client
        .create_conversation(&CreateConversationRequest::new("u"))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.kind(), &ErrorKind::Timeout);
}

/// A stream that stalls between frames ends with a timeout item.
#[tokio::test]
async fn stalled_stream_times_out() {
    let server =
        MockServer::start(MockConfig::default().with_frame_interval(Duration::from_secs(5)))
            .await
            .unwrap();
    let fast = client(&server.url(), DEFAULT_API_KEY, Duration::from_secs(20));
    let id = conversation(&fast).await;
    let impatient = client(&server.url(), DEFAULT_API_KEY, Duration::from_millis(300));
    let items: Vec<_> = impatient
        .send_message_streaming(SendMessageRequest::text(&id, "a b c"))
        .await
        .unwrap()
        .collect()
        .await;
    let first = items.first().unwrap().as_ref().unwrap();
    assert_eq!(first.code(), 11);
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert!(last.is_timeout(), "{last:?}");
}

/// Nothing listens: a connection fault, and the request was certainly not sent.
#[tokio::test]
async fn connection_refused_is_a_connection_fault() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = client(&format!("http://{addr}"), "k", Duration::from_secs(5));
    let err = client
        .send_message(SendMessageRequest::text("c", "x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Connection, "{err:?}");
    assert!(err.request_not_sent());
}

/// A raw loopback server for bodies the mock never sends.
async fn raw(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// A non-2xx status whose body is not a GPTBots error keeps the body.
#[tokio::test]
async fn other_status_keeps_the_body() {
    let (server, _) = mock(MockConfig::default()).await;
    // The mock answers unknown paths with a plain 404.
    let client = client(
        &format!("{}/no/such/prefix", server.url()),
        DEFAULT_API_KEY,
        Duration::from_secs(20),
    );
    let err = client
        .create_conversation(&CreateConversationRequest::new("u"))
        .await
        .unwrap_err();
    match err.kind() {
        ErrorKind::HttpStatus { status, body } => {
            assert_eq!(*status, StatusCode::NOT_FOUND);
            assert!(body.contains("no such endpoint"), "{body}");
        }
        other => panic!("{other:?}"),
    }

    let url = raw(Router::new().route(
        "/v2/conversation/message",
        post(|| async { (StatusCode::BAD_GATEWAY, "<html>upstream down</html>") }),
    ))
    .await;
    let err = self::client(&url, "k", Duration::from_secs(20))
        .send_message_streaming(SendMessageRequest::text("c", "x"))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::HttpStatus {
            status: StatusCode::BAD_GATEWAY,
            body: "<html>upstream down</html>".to_owned()
        }
    );
}

/// A 200 whose body is neither the reply nor an error body is a decode fault with its offset;
/// a 200 with an error body and no reply fields is an API error.
#[tokio::test]
async fn decode_faults_and_api_errors_in_a_200() {
    let url = raw(Router::new()
        .route(
            "/v1/conversation",
            post(|| async { "{\"conversation_id\": 12}" }),
        )
        .route(
            "/v2/messages",
            get(|| async { "{\"code\":40127,\"message\":\"开发者鉴权失败\"}" }),
        ))
    .await;
    let client = client(&url, "k", Duration::from_secs(20));
    let err = client
        .create_conversation(&CreateConversationRequest::new("u"))
        .await
        .unwrap_err();
    match err.kind() {
        ErrorKind::Decode { offset, message } => {
            assert!((19..=23).contains(offset), "{offset}");
            assert!(message.contains("conversation_id"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let err = client
        .conversation_detail(&ConversationDetailQuery::new("c", 1, 10))
        .await
        .unwrap_err();
    assert_api(&err, ErrorCode::AUTHENTICATION_FAILED);
    assert_eq!(err.api_message(), Some("开发者鉴权失败"));
}

/// A frame the decoder steps over is a decode item with its offset, and the stream goes on.
#[tokio::test]
async fn bad_frame_in_a_stream_is_a_decode_item_and_the_stream_goes_on() {
    let body = "data: {\"code\":3,\"message\":\"Text\",\"data\":\"a\"}\n\n\
                data: {\"code\":3,\"data\":}\n\n\
                data: {\"code\":3,\"message\":\"Text\",\"data\":\"b\"}\n\n\
                data: {\"code\":0,\"message\":\"End\",\"data\":null}\n\n";
    let url = raw(Router::new().route(
        "/v2/conversation/message",
        post(move || async move { ([("content-type", "text/event-stream")], body) }),
    ))
    .await;
    let client = client(&url, "k", Duration::from_secs(20));
    let items: Vec<_> = client
        .send_message_streaming(SendMessageRequest::text("c", "x"))
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 4, "{items:?}");
    match items[1].as_ref().unwrap_err().kind() {
        ErrorKind::Decode { offset, .. } => assert_eq!(*offset, 52),
        other => panic!("{other:?}"),
    }
    assert!(items[3].as_ref().unwrap().is_end());
    // assemble() steps over it too, and records it.
    let reply = client
        .send_message_streaming(SendMessageRequest::text("c", "x"))
        .await
        .unwrap()
        .assemble(|_| {})
        .await
        .unwrap();
    assert_eq!(reply.text, "ab");
    assert_eq!(reply.fault_count, 1);
    assert_eq!(reply.faults[0].offset, 52);
    assert_eq!(
        reply.status(),
        gptbots_protocol::stream::ReplyStatus::CompleteWithFaults
    );
}
