//! The simulated human hand-off end to end, over real sockets: the mock POSTs establish,
//! chat and close to a capturing server standing in for the developer's service, and the
//! human's replies to the reply webhook.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use gptbots_mock::{
    DEFAULT_API_KEY, HUMAN_COMPONENT, HandoffTarget, MOCK_BOT_ID, MockConfig, MockServer,
    WebhookTarget,
};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// Generous: a liveness bound, not a timing assertion.
const WAIT: Duration = Duration::from_secs(20);

/// A developer's service that records every POST as (path, body) and answers 200.
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

async fn next(rx: &mut mpsc::UnboundedReceiver<(String, Value)>) -> (String, Value) {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("a POST within the liveness bound")
        .unwrap()
}

async fn post(server: &MockServer, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", server.url()))
        .bearer_auth(DEFAULT_API_KEY)
        .header("content-type", "application/json")
        .body(body.to_string())
        .timeout(WAIT)
        .send()
        .await
        .unwrap();
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

async fn send(server: &MockServer, conversation_id: &str, text: &str) -> Value {
    post(
        server,
        "/v2/conversation/message",
        json!({"conversation_id": conversation_id, "response_mode": "webhook",
               "messages": [{"role": "user", "content": text}]}),
    )
    .await
}

async fn start(timeout: Duration) -> (MockServer, mpsc::UnboundedReceiver<(String, Value)>) {
    let (url, rx) = capture().await;
    let config = MockConfig::default()
        .with_webhook(WebhookTarget::new(format!("{url}/reply")))
        .with_handoff(
            HandoffTarget::new(format!("{url}/hs"), "human please").with_timeout(timeout),
        );
    (MockServer::start(config).await.unwrap(), rx)
}

async fn conversation(server: &MockServer) -> String {
    let created = post(server, "/v1/conversation", json!({"user_id": "user-7"})).await;
    created["conversation_id"].as_str().unwrap().to_owned()
}

fn reply_text(body: &Value) -> &str {
    body["output"][0]["content"]["text"].as_str().unwrap()
}

#[tokio::test]
async fn a_hand_off_from_trigger_to_close() {
    let (server, mut rx) = start(Duration::from_secs(600)).await;
    let id = conversation(&server).await;

    send(&server, &id, "hello").await;
    let (path, reply) = next(&mut rx).await;
    assert_eq!(path, "/reply");
    assert_eq!(reply_text(&reply), "hello");

    // The trigger: establish, with the conversation so far, and no agent reply.
    let ack = send(&server, &id, " human please ").await;
    assert_eq!(ack["conversation_id"], json!(id));
    let (path, establish) = next(&mut rx).await;
    assert_eq!(path, "/hs/conversation/establish");
    let session = establish["conversation_id"].as_str().unwrap().to_owned();
    assert!(!session.is_empty() && session != id);
    assert!(
        establish["timestamp"].as_i64().unwrap() > 1_000_000_000_000,
        "milliseconds"
    );
    assert_eq!(establish["bot_id"], MOCK_BOT_ID);
    assert_eq!(
        establish["body"],
        json!([
            {"text": "hello", "message_type": "QUESTION"},
            {"text": "hello", "message_type": "ANSWER"},
            {"text": " human please ", "message_type": "QUESTION"},
        ])
    );
    assert_eq!(establish["user_info"]["user_id"], "user-7");

    // While open, the user's messages go to the human; the agent is silent.
    send(&server, &id, "are you there?").await;
    let (path, chat) = next(&mut rx).await;
    assert_eq!(path, "/hs/chat");
    assert_eq!(chat["conversation_id"], json!(session));
    assert_eq!(chat["body"], "are you there?");
    assert!(chat["timestamp"].as_i64().unwrap() > 1_000_000_000_000);

    // The human answers: one v2 reply of the agent conversation on the reply webhook.
    let answer = post(
        &server,
        "/v1/human/message/receive",
        json!({"conversation_id": session, "timestamp": 1, "body": "Yes, Ann here."}),
    )
    .await;
    assert_eq!(answer, json!({"code": 200, "message": "success"}));
    let (path, human) = next(&mut rx).await;
    assert_eq!(path, "/reply");
    assert_eq!(human["conversation_id"], json!(id));
    assert_eq!(reply_text(&human), "Yes, Ann here.");
    assert_eq!(human["output"][0]["from_component_name"], HUMAN_COMPONENT);

    // Closed by the developer: the agent answers the next message again.
    let closed = post(
        &server,
        "/v1/human/close",
        json!({"conversation_id": session, "timestamp": 2}),
    )
    .await;
    assert_eq!(closed["code"], 200);
    send(&server, &id, "back to the bot").await;
    let (path, reply) = next(&mut rx).await;
    assert_eq!(
        path, "/reply",
        "the human's reply came exactly once, then the agent"
    );
    assert_eq!(reply_text(&reply), "back to the bot");
    let again = post(
        &server,
        "/v1/human/message/receive",
        json!({"conversation_id": session, "timestamp": 3, "body": "late"}),
    )
    .await;
    assert_eq!(again["code"], 40356);

    // Detail shows the human's reply among the conversation's messages.
    let detail: Value = serde_json::from_slice(
        &reqwest::Client::new()
            .get(format!("{}/v2/messages?conversation_id={id}", server.url()))
            .bearer_auth(DEFAULT_API_KEY)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(detail["total"], 7);

    // Webhook check probes both webhooks with {"istest": true}.
    let check = post(&server, "/v1/webhook/check", json!({})).await;
    let results = check["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["type"], "message");
    assert!(
        results[0]["webhook_url"]
            .as_str()
            .unwrap()
            .ends_with("/reply")
    );
    assert_eq!(results[1]["type"], "human_service");
    assert!(
        results[1]["webhook_url"]
            .as_str()
            .unwrap()
            .ends_with("/hs/conversation/establish")
    );
    for result in results {
        assert_eq!(result["reachable"], true);
        assert_eq!(result["http_status"], 200);
        assert!(result["latency_ms"].is_u64());
    }
    let probes = [next(&mut rx).await, next(&mut rx).await];
    let mut paths: Vec<&str> = probes.iter().map(|(p, _)| p.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/hs/conversation/establish", "/reply"]);
    assert!(
        probes
            .iter()
            .all(|(_, body)| body == &json!({"istest": true}))
    );
    assert!(rx.try_recv().is_err(), "nothing else was POSTed");
}

#[tokio::test]
async fn a_silent_hand_off_times_out() {
    let (server, mut rx) = start(Duration::from_secs(1)).await;
    let id = conversation(&server).await;
    send(&server, &id, "human please").await;
    let (path, establish) = next(&mut rx).await;
    assert_eq!(path, "/hs/conversation/establish");
    let session = establish["conversation_id"].as_str().unwrap().to_owned();
    let (path, close) = next(&mut rx).await;
    assert_eq!(path, "/hs/conversation/close");
    assert_eq!(close["conversation_id"], json!(session));
    assert_eq!(close["type"], "TIMEOUT");
    assert!(close["timestamp"].as_i64().unwrap() > 1_000_000_000_000);
    // Ended: the human can no longer answer, and the agent answers the user.
    let late = post(
        &server,
        "/v1/human/message/receive",
        json!({"conversation_id": session, "timestamp": 1, "body": "sorry"}),
    )
    .await;
    assert_eq!(late["code"], 40356);
    send(&server, &id, "anyone?").await;
    let (path, reply) = next(&mut rx).await;
    assert_eq!(path, "/reply");
    assert_eq!(reply_text(&reply), "anyone?");
}

#[tokio::test]
async fn a_failing_establish_opens_nothing_and_says_busy() {
    let (url, mut rx) = capture().await;
    let config = MockConfig::default()
        .with_webhook(WebhookTarget::new(format!("{url}/reply")).with_retries(0))
        .with_handoff(HandoffTarget::new("http://127.0.0.1:1/hs", "human please"));
    let server = MockServer::start(config).await.unwrap();
    let id = conversation(&server).await;
    send(&server, &id, "human please").await;
    let (path, busy) = next(&mut rx).await;
    assert_eq!(path, "/reply");
    assert!(reply_text(&busy).contains("Busy"));
    send(&server, &id, "still here").await;
    let (_, reply) = next(&mut rx).await;
    assert_eq!(reply_text(&reply), "still here");
}

#[tokio::test]
async fn open_hand_offs_are_bounded() {
    let (url, mut rx) = capture().await;
    let config = MockConfig::default()
        .with_max_conversations(1)
        .with_webhook(WebhookTarget::new(format!("{url}/reply")))
        .with_handoff(HandoffTarget::new(format!("{url}/hs"), "human please"));
    let server = MockServer::start(config).await.unwrap();
    let first = conversation(&server).await;
    send(&server, &first, "human please").await;
    assert_eq!(next(&mut rx).await.0, "/hs/conversation/establish");
    // The first conversation is forgotten, its hand-off is not: no room for another.
    let second = conversation(&server).await;
    send(&server, &second, "human please").await;
    let (path, busy) = next(&mut rx).await;
    assert_eq!(path, "/reply");
    assert!(reply_text(&busy).contains("Busy"));
}

#[tokio::test]
async fn a_stopped_mock_sends_no_timeout() {
    let (server, mut rx) = start(Duration::from_secs(1)).await;
    let id = conversation(&server).await;
    send(&server, &id, "human please").await;
    assert_eq!(next(&mut rx).await.0, "/hs/conversation/establish");
    server.shutdown().await;
    let late = tokio::time::timeout(Duration::from_secs(3), rx.recv()).await;
    assert!(late.is_err(), "nothing after the mock stopped: {late:?}");
}
