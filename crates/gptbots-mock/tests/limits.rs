//! The mock's bounds over loopback: conversations, messages, bodies, pages and webhook
//! deliveries; ids that differ between runs; the key scheme in any case.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gptbots_mock::{DEFAULT_API_KEY, MockConfig, MockServer, WebhookDelivery, WebhookTarget};
use gptbots_protocol::{ConversationDetailResponse, CreateConversationResponse, ErrorResponse};
use serde_json::json;
use tokio::io::AsyncReadExt;

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn post(server: &MockServer, path: &str, body: String) -> reqwest::Response {
    http()
        .post(format!("{}{path}", server.url()))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {DEFAULT_API_KEY}"))
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn conversation(server: &MockServer) -> String {
    let response = post(
        server,
        "/v1/conversation",
        json!({"user_id": "u"}).to_string(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: CreateConversationResponse =
        gptbots_protocol::from_slice(&response.bytes().await.unwrap()).unwrap();
    body.conversation_id
}

async fn send(server: &MockServer, id: &str, text: &str, mode: &str) -> reqwest::Response {
    let body = json!({
        "conversation_id": id,
        "response_mode": mode,
        "messages": [{"role": "user", "content": text}],
    });
    post(server, "/v2/conversation/message", body.to_string()).await
}

async fn detail(server: &MockServer, id: &str, page_size: u32) -> reqwest::Response {
    http()
        .get(format!(
            "{}/v2/messages?conversation_id={id}&page=1&page_size={page_size}",
            server.url()
        ))
        .header("authorization", format!("Bearer {DEFAULT_API_KEY}"))
        .send()
        .await
        .unwrap()
}

async fn error_body(response: reqwest::Response) -> (u16, ErrorResponse) {
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (status, gptbots_protocol::from_slice(&body).unwrap())
}

#[tokio::test]
async fn past_the_cap_the_oldest_conversation_is_forgotten() {
    let server = MockServer::start(MockConfig::default().with_max_conversations(3))
        .await
        .unwrap();
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(conversation(&server).await);
    }
    assert_eq!(server.conversation_count(), 3);
    for (i, id) in ids.iter().enumerate() {
        let status = detail(&server, id, 10).await.status().as_u16();
        assert_eq!(status, if i < 2 { 404 } else { 200 }, "conversation {i}");
    }
    let (status, body) = error_body(send(&server, &ids[0], "hi", "blocking").await).await;
    assert_eq!((status, body.code.0), (404, 40356));
}

#[tokio::test]
async fn a_conversation_keeps_only_its_latest_messages() {
    let server = MockServer::start(MockConfig::default().with_max_messages_per_conversation(4))
        .await
        .unwrap();
    let id = conversation(&server).await;
    for n in 0..5 {
        let response = send(&server, &id, &format!("message {n}"), "blocking").await;
        assert_eq!(response.status(), 200);
    }
    let body: ConversationDetailResponse =
        gptbots_protocol::from_slice(&detail(&server, &id, 100).await.bytes().await.unwrap())
            .unwrap();
    assert_eq!(body.total, 4);
    let texts: Vec<String> = body
        .conversation_content
        .iter()
        .map(|m| serde_json::to_string(&m.content).unwrap())
        .collect();
    assert_eq!(texts.len(), 4);
    assert!(texts[0].contains("message 3"), "{texts:?}");
    assert!(texts[3].contains("message 4"), "{texts:?}");
}

#[tokio::test]
async fn the_byte_budget_forgets_old_conversations() {
    let server = MockServer::start(
        MockConfig::default()
            .with_max_body_bytes(200_000)
            .with_max_stored_bytes(250_000),
    )
    .await
    .unwrap();
    let big = "x".repeat(100_000);
    let mut ids = Vec::new();
    for _ in 0..5 {
        let id = conversation(&server).await;
        assert_eq!(send(&server, &id, &big, "blocking").await.status(), 200);
        ids.push(id);
    }
    // Each conversation holds about 200 kB (the message and its echo): one fits.
    assert_eq!(server.conversation_count(), 1);
    assert_eq!(detail(&server, &ids[4], 10).await.status(), 200);
    assert_eq!(detail(&server, &ids[0], 10).await.status(), 404);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_with_a_gptbots_error() {
    let server = MockServer::start(MockConfig::default().with_max_body_bytes(1024))
        .await
        .unwrap();
    let id = conversation(&server).await;
    let (status, body) = error_body(send(&server, &id, &"y".repeat(2048), "blocking").await).await;
    assert_eq!(status, 413);
    assert_eq!(body.code.0, 40000);
    assert!(
        body.message.contains("larger than 1024 bytes"),
        "{}",
        body.message
    );
    // Just under the limit is fine.
    assert_eq!(send(&server, &id, "small", "blocking").await.status(), 200);
}

#[tokio::test]
async fn a_page_larger_than_100_is_refused_naming_page_size() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let id = conversation(&server).await;
    let (status, body) = error_body(detail(&server, &id, 101).await).await;
    assert_eq!((status, body.code.0), (400, 40000));
    assert!(body.message.contains("page_size"), "{}", body.message);
    assert_eq!(detail(&server, &id, 100).await.status(), 200);
}

#[tokio::test]
async fn ids_differ_between_runs_unless_seeded() {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        ids.push(conversation(&server).await);
        server.shutdown().await;
    }
    assert_ne!(ids[0], ids[1]);
    let mut seeded = Vec::new();
    for _ in 0..2 {
        let server = MockServer::start(MockConfig::default().with_seed(7))
            .await
            .unwrap();
        seeded.push((conversation(&server).await, conversation(&server).await));
        server.shutdown().await;
    }
    assert_eq!(seeded[0], seeded[1]);
    assert_ne!(seeded[0].0, seeded[0].1);
}

#[tokio::test]
async fn the_bearer_scheme_is_accepted_in_any_case() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    for scheme in ["bearer", "BEARER", "Bearer", "bEaReR"] {
        let response = http()
            .post(format!("{}/v1/conversation", server.url()))
            .header("content-type", "application/json")
            .header("authorization", format!("{scheme} {DEFAULT_API_KEY}"))
            .body(json!({"user_id": "u"}).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
    }
    for wrong in [
        format!("Basic {DEFAULT_API_KEY}"),
        format!("Bearer{DEFAULT_API_KEY}"),
        format!("bearer {DEFAULT_API_KEY}x"),
        DEFAULT_API_KEY.to_owned(),
    ] {
        let response = http()
            .post(format!("{}/v1/conversation", server.url()))
            .header("authorization", wrong.clone())
            .body(json!({"user_id": "u"}).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{wrong}");
    }
}

/// A webhook receiver that accepts connections and never answers: deliveries stay within the
/// concurrency cap, each attempt times out, and each failure is reported without the URL's
/// password.
#[tokio::test]
async fn deliveries_to_a_silent_server_are_bounded_and_reported() {
    const CAP: usize = 2;
    const SENDS: usize = 6;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let open = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    {
        let (open, accepted) = (open.clone(), accepted.clone());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                open.fetch_add(1, Ordering::SeqCst);
                accepted.fetch_add(1, Ordering::SeqCst);
                let open = open.clone();
                tokio::spawn(async move {
                    // Read (and never answer) until the client gives up and closes.
                    let mut buf = [0u8; 4096];
                    while matches!(socket.read(&mut buf).await, Ok(n) if n > 0) {}
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
    }
    let failures: Arc<Mutex<Vec<WebhookDelivery>>> = Arc::default();
    let reported = failures.clone();
    let server = MockServer::start(
        MockConfig::default()
            .with_webhook(
                WebhookTarget::new(format!("http://user:hunter2@{addr}/hook"))
                    .with_concurrency(CAP)
                    .with_timeout(Duration::from_millis(600))
                    .with_retries(1),
            )
            .with_delivery_failure_hook(move |delivery| {
                reported.lock().unwrap().push(delivery.clone());
            }),
    )
    .await
    .unwrap();
    let id = conversation(&server).await;
    for n in 0..SENDS {
        let response = send(&server, &id, &format!("hook {n}"), "webhook").await;
        assert_eq!(response.status(), 200);
    }
    // Within the first attempts' timeout, only CAP connections are made.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let early = accepted.load(Ordering::SeqCst);
    assert!((1..=CAP).contains(&early), "{early} connections at once");

    let deadline = Instant::now() + Duration::from_secs(60);
    while failures.lock().unwrap().len() < SENDS && Instant::now() < deadline {
        assert!(open.load(Ordering::SeqCst) <= CAP + 1, "too many open");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let failures = failures.lock().unwrap().clone();
    assert_eq!(failures.len(), SENDS, "{failures:?}");
    for failure in &failures {
        assert!(!failure.succeeded());
        assert_eq!(failure.attempts, 2);
        assert_eq!(failure.url, format!("http://***@{addr}/hook"));
        let shown = failure.to_string();
        assert!(shown.contains("no answer within 0.6 s"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    // Every attempt made its own connection, never more than CAP at once (checked above).
    assert_eq!(accepted.load(Ordering::SeqCst), SENDS * 2);
    assert_eq!(server.webhook_deliveries().len(), SENDS);
}
