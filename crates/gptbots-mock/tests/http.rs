//! The mock on the wire, seen with a plain HTTP client over loopback: statuses, headers and
//! bodies exactly as they are sent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use gptbots_mock::{
    AgentReply, DEFAULT_API_KEY, EncodeStyle, ErrorStatus, MockConfig, MockServer, Scheme,
    ScriptedAgent, WebhookTarget,
};
use gptbots_protocol::stream::FrameDecoder;
use gptbots_protocol::{
    CreateConversationResponse, ErrorCode, ErrorResponse, Frame, SendMessageResponseV1,
    WebhookMessage,
};
use serde_json::{Value, json};

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn post(
    server: &MockServer,
    path: &str,
    key: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut request = http()
        .post(format!("{}{path}", server.url()))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    request.send().await.unwrap()
}

async fn conversation(server: &MockServer) -> String {
    let response = post(
        server,
        "/v1/conversation",
        Some(DEFAULT_API_KEY),
        json!({"user_id": "u"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: CreateConversationResponse =
        gptbots_protocol::from_slice(&response.bytes().await.unwrap()).unwrap();
    body.conversation_id
}

async fn error_body(response: reqwest::Response) -> (u16, ErrorResponse) {
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (status, gptbots_protocol::from_slice(&body).unwrap())
}

fn decode_all(body: &[u8]) -> Vec<Frame> {
    let run = gptbots_protocol::testing::run(FrameDecoder::new(), body, [body.len()]);
    run.clean_frames()
}

#[tokio::test]
async fn missing_or_wrong_key_is_40127_with_a_matching_status() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let (status, body) =
        error_body(post(&server, "/v1/conversation", None, json!({"user_id": "u"})).await).await;
    assert_eq!((status, body.code), (401, ErrorCode::AUTHENTICATION_FAILED));
    assert!(body.message.contains("Authorization"), "{}", body.message);

    let (status, body) = error_body(
        post(
            &server,
            "/v1/conversation",
            Some("nope"),
            json!({"user_id": "u"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, body.code), (401, ErrorCode::AUTHENTICATION_FAILED));
    assert!(!body.message.contains("nope"));
    assert!(!body.message.contains(DEFAULT_API_KEY));
}

#[tokio::test]
async fn always_ok_sends_errors_with_200() {
    let server = MockServer::start(
        MockConfig::default()
            .with_error_status(ErrorStatus::AlwaysOk)
            .with_api_key("other-key"),
    )
    .await
    .unwrap();
    let (status, body) = error_body(
        post(
            &server,
            "/v1/conversation",
            Some(DEFAULT_API_KEY),
            json!({"user_id": "u"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, body.code), (200, ErrorCode::AUTHENTICATION_FAILED));
    let ok = post(
        &server,
        "/v1/conversation",
        Some("other-key"),
        json!({"user_id": "u"}),
    )
    .await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn parameter_errors_name_the_field() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let id = conversation(&server).await;
    let cases = [
        (
            "/v2/conversation/message",
            json!({"conversation_id": id, "response_mode": "blocking", "messages": [{"role": "robot", "content": "x"}]}),
            "messages[0].role",
        ),
        (
            "/v2/conversation/message",
            json!({"conversation_id": id, "response_mode": "sometimes", "messages": [{"role": "user", "content": "x"}]}),
            "response_mode",
        ),
        (
            "/v2/conversation/message",
            json!({"conversation_id": id, "response_mode": "blocking"}),
            "messages",
        ),
        (
            "/v2/conversation/message",
            json!({"conversation_id": id, "response_mode": "blocking", "messages": [{"role": "user", "content": [{"type": "image", "image": {"format": "png"}}]}]}),
            "messages[0].content[0].image",
        ),
        (
            "/v2/conversation/message",
            json!({"conversation_id": id, "response_mode": "blocking", "messages": [{"role": "assistant", "content": "x"}]}),
            "messages: at least one message must be the user's",
        ),
        (
            "/v1/conversation/message",
            json!({"conversation_id": id, "response_mode": "blocking", "files": [{"url": "u", "name": "a.jpg"}]}),
            "files[0].width",
        ),
        ("/v1/conversation", json!({"user": "x"}), "user_id"),
    ];
    for (path, body, field) in cases {
        let (status, error) =
            error_body(post(&server, path, Some(DEFAULT_API_KEY), body).await).await;
        assert_eq!(
            (status, error.code),
            (400, ErrorCode::PARAMETER_ERROR),
            "{field}"
        );
        assert!(error.message.contains(field), "{field}: {}", error.message);
    }
    // Not JSON at all.
    let response = http()
        .post(format!("{}/v1/conversation", server.url()))
        .header("authorization", format!("Bearer {DEFAULT_API_KEY}"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, error) = error_body(response).await;
    assert_eq!((status, error.code), (400, ErrorCode::PARAMETER_ERROR));

    let detail = http()
        .get(format!(
            "{}/v2/messages?conversation_id={id}&page=one",
            server.url()
        ))
        .header("authorization", format!("Bearer {DEFAULT_API_KEY}"))
        .send()
        .await
        .unwrap();
    let (status, error) = error_body(detail).await;
    assert_eq!((status, error.code), (400, ErrorCode::PARAMETER_ERROR));
    assert!(error.message.contains("page"), "{}", error.message);
}

#[tokio::test]
async fn unknown_conversation_is_40356_with_404() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let (status, error) = error_body(
        post(
            &server,
            "/v2/conversation/message",
            Some(DEFAULT_API_KEY),
            json!({"conversation_id": "nope", "response_mode": "streaming", "messages": [{"role": "user", "content": "x"}]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, error.code),
        (404, ErrorCode::CONVERSATION_NOT_FOUND)
    );
}

#[tokio::test]
async fn unknown_path_is_a_plain_404() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let response = post(&server, "/v3/anything", Some(DEFAULT_API_KEY), json!({})).await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("no such endpoint"));
}

#[tokio::test]
async fn streaming_styles_have_their_layout_and_content_type() {
    for (style, content_type, starts) in [
        (EncodeStyle::Sse, "text/event-stream", "data: {"),
        (EncodeStyle::Lines, "application/x-ndjson", "{\"code\":11"),
        (EncodeStyle::Joined, "application/json", "{\"code\":11"),
    ] {
        let server = MockServer::start(MockConfig::default().with_style(style))
            .await
            .unwrap();
        let id = conversation(&server).await;
        let response = post(
            &server,
            "/v2/conversation/message",
            Some(DEFAULT_API_KEY),
            json!({"conversation_id": id, "response_mode": "streaming", "messages": [{"role": "user", "content": "a b"}]}),
        )
        .await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            content_type
        );
        let body = response.bytes().await.unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(text.starts_with(starts), "{style:?}: {text}");
        match style {
            EncodeStyle::Joined => assert!(text.contains("}{")),
            EncodeStyle::Lines => assert!(text.ends_with("}\n") && !text.contains("\n\n")),
            _ => assert!(text.ends_with("}\n\n")),
        }
        let codes: Vec<i64> = decode_all(&body).iter().map(Frame::code).collect();
        assert_eq!(codes, [11, 3, 3, 10, 4, 0], "{style:?}");
    }
}

#[tokio::test]
async fn chaos_cuts_the_body_into_many_small_chunks_without_changing_it() {
    let plain = MockServer::start(MockConfig::default()).await.unwrap();
    let chaotic = MockServer::start(MockConfig::default().with_chaos_seed(42))
        .await
        .unwrap();
    let text = "Ünïcödé 👋 pieces everywhere";
    let mut bodies = Vec::new();
    for server in [&plain, &chaotic] {
        let id = conversation(server).await;
        let mut response = post(
            server,
            "/v2/conversation/message",
            Some(DEFAULT_API_KEY),
            json!({"conversation_id": id, "response_mode": "streaming", "messages": [{"role": "user", "content": text}]}),
        )
        .await;
        let mut chunks = 0;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.unwrap() {
            chunks += 1;
            body.extend_from_slice(&chunk);
        }
        bodies.push((chunks, body));
    }
    let frames = |body: &[u8]| -> Vec<Frame> {
        decode_all(body)
            .into_iter()
            .map(|mut f| {
                // Ids differ between the servers; the rest must not.
                if f.code() == 11 {
                    f = Frame::message_info("x");
                }
                f
            })
            .collect()
    };
    assert_eq!(frames(&bodies[0].1), frames(&bodies[1].1));
    // Chunks are at most 64 bytes, so the chaotic body comes in many more pieces.
    assert!(
        bodies[1].0 > bodies[0].0,
        "{} vs {}",
        bodies[1].0,
        bodies[0].0
    );
}

#[tokio::test]
async fn truncated_script_stops_mid_frame() {
    let frames = vec![Frame::message_info("m"), Frame::text("abc"), Frame::end()];
    let full = gptbots_protocol::stream::FrameEncoder::new(EncodeStyle::Sse).encode_to_vec(&frames);
    let server = MockServer::start(
        MockConfig::default().with_agent(ScriptedAgent::new(frames).truncated(7)),
    )
    .await
    .unwrap();
    let id = conversation(&server).await;
    let body = post(
        &server,
        "/v2/conversation/message",
        Some(DEFAULT_API_KEY),
        json!({"conversation_id": id, "response_mode": "streaming", "messages": [{"role": "user", "content": "x"}]}),
    )
    .await
    .bytes()
    .await
    .unwrap();
    assert_eq!(body.as_ref(), &full[..full.len() - 7]);
}

#[tokio::test]
async fn scripted_agent_answers_in_turn_and_repeats_the_last() {
    let agent = ScriptedAgent::replies(vec![
        AgentReply::new(vec![
            Frame::message_info("m1"),
            Frame::text("one"),
            Frame::end(),
        ]),
        AgentReply::new(vec![
            Frame::message_info("m2"),
            Frame::text("two"),
            Frame::end(),
        ]),
    ]);
    let server = MockServer::start(MockConfig::default().with_agent(agent))
        .await
        .unwrap();
    let id = conversation(&server).await;
    let mut texts = Vec::new();
    for _ in 0..3 {
        let body = post(
            &server,
            "/v1/conversation/message",
            Some(DEFAULT_API_KEY),
            json!({"conversation_id": id, "response_mode": "blocking", "text": "x"}),
        )
        .await
        .bytes()
        .await
        .unwrap();
        let reply: SendMessageResponseV1 = gptbots_protocol::from_slice(&body).unwrap();
        texts.push((reply.message_id, reply.text));
    }
    let expected =
        [("m1", "one"), ("m2", "two"), ("m2", "two")].map(|(m, t)| (m.to_owned(), t.to_owned()));
    assert_eq!(texts, expected);
}

#[tokio::test]
async fn v1_webhook_posts_the_v1_reply_with_authorization() {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Option<String>, Vec<u8>)>(4);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let tx = tx.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .map(|v| v.to_str().unwrap().to_owned());
                    tx.send((auth, body.to_vec())).await.unwrap();
                    "{\"code\":200,\"msg\":\"success\"}"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let server = MockServer::start(
        MockConfig::default()
            .with_webhook(WebhookTarget::new(hook).with_token(Scheme::Basic, "dTpw")),
    )
    .await
    .unwrap();
    let id = conversation(&server).await;
    let response = post(
        &server,
        "/v1/conversation/message",
        Some(DEFAULT_API_KEY),
        json!({"conversation_id": id, "response_mode": "webhook", "text": "via hook"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let ack: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(ack["conversation_id"], json!(id));
    let message_id = ack["message_id"].as_str().unwrap().to_owned();

    let (auth, body) = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(auth.as_deref(), Some("Basic dTpw"));
    match gptbots_protocol::from_slice::<WebhookMessage>(&body).unwrap() {
        WebhookMessage::V1(reply) => {
            assert_eq!(reply.message_id, message_id);
            assert_eq!(reply.text, "via hook");
        }
        other => panic!("{other:?}"),
    }
    // The outcome is logged once the POST is answered.
    let mut deliveries = Vec::new();
    for _ in 0..200 {
        deliveries = server.webhook_deliveries();
        if !deliveries.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].message_id, message_id);
    assert_eq!(deliveries[0].outcome, Ok(200));
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let url = server.url();
    server.shutdown().await;
    let err = http()
        .post(format!("{url}/v1/conversation"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
}

#[test]
fn config_debug_hides_secrets() {
    let config = MockConfig::default()
        .with_api_key("sk-mock-secret")
        .with_webhook(
            WebhookTarget::new("http://user:url-secret@127.0.0.1:1/hook")
                .with_token(Scheme::Bearer, "tok-secret"),
        );
    let shown = format!("{config:?}");
    assert!(!shown.contains("url-secret"), "{shown}");
    assert!(!shown.contains("sk-mock-secret"), "{shown}");
    assert!(!shown.contains("tok-secret"), "{shown}");
}
