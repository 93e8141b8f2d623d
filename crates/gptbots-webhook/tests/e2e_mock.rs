//! End to end: the mock GPTBots server in webhook mode delivers replies to the receiver over
//! 127.0.0.1; every reply sent arrives exactly once, with the right content.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gptbots_mock::{DEFAULT_API_KEY, MockConfig, MockServer, Scheme, WebhookTarget};
use gptbots_protocol::message_v2::{ResponseMode, SendMessageRequest};
use gptbots_protocol::{
    CreateConversationRequest, CreateConversationResponse, SendMessageRequestV1, WebhookMessage,
};
use gptbots_webhook::{Auth, Callback, ReceiverConfig, Webhooks};
use serde_json::Value;

#[path = "support/load.rs"]
mod load;

type Inbox = Arc<Mutex<Vec<WebhookMessage>>>;

async fn receiver(token: &str) -> (load::Server, Inbox) {
    let inbox: Inbox = Arc::default();
    let sink = Arc::clone(&inbox);
    let router = Webhooks::new(ReceiverConfig::new().with_auth(Auth::bearer(token)))
        .replies(
            "/gptbots/webhook",
            Callback::from_fn(move |message: WebhookMessage| {
                let sink = Arc::clone(&sink);
                async move {
                    sink.lock().unwrap().push(message);
                    Ok::<(), Infallible>(())
                }
            }),
        )
        .into_router()
        .unwrap();
    (load::Server::start(router).await, inbox)
}

async fn post_json(client: &reqwest::Client, url: String, body: Vec<u8>) -> Value {
    let response = client
        .post(url)
        .bearer_auth(DEFAULT_API_KEY)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

/// Waits (at most 10 s) until the inbox holds `count` messages.
async fn wait_for(inbox: &Inbox, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while inbox.lock().unwrap().len() < count && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_webhook_replies_arrive_exactly_once() {
    let token = "e2e-hook-token";
    let (server, inbox) = receiver(token).await;
    let target = WebhookTarget::new(format!("http://{}/gptbots/webhook", server.addr))
        .with_token(Scheme::Bearer, token);
    let mock = MockServer::start(MockConfig::new().with_webhook(target))
        .await
        .unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();

    let created = post_json(
        &client,
        format!("{}/v1/conversation", mock.url()),
        serde_json::to_vec(&CreateConversationRequest::new("e2e-user")).unwrap(),
    )
    .await;
    let conversation: CreateConversationResponse = serde_json::from_value(created).unwrap();
    let conversation_id = conversation.conversation_id;

    // 30 messages, v2 and v1 in turn, sent without waiting for the deliveries
    let mut sent = Vec::new();
    for i in 0..30 {
        let text = format!("hello number {i}");
        let (url, body) = if i % 3 == 2 {
            let request = SendMessageRequestV1::text(&conversation_id, &text)
                .with_response_mode(ResponseMode::Webhook);
            (
                format!("{}/v1/conversation/message", mock.url()),
                serde_json::to_vec(&request).unwrap(),
            )
        } else {
            let request = SendMessageRequest::text(&conversation_id, &text)
                .with_response_mode(ResponseMode::Webhook);
            (
                format!("{}/v2/conversation/message", mock.url()),
                serde_json::to_vec(&request).unwrap(),
            )
        };
        let ack = post_json(&client, url, body).await;
        let message_id = ack["message_id"].as_str().unwrap().to_owned();
        sent.push((message_id, text, i % 3 == 2));
    }

    wait_for(&inbox, sent.len()).await;
    // a moment more, so that a second copy of anything would have arrived too
    tokio::time::sleep(Duration::from_millis(200)).await;
    let received = inbox.lock().unwrap().clone();
    assert_eq!(received.len(), sent.len(), "{received:#?}");
    for (message_id, text, v1) in &sent {
        let copies: Vec<_> = received
            .iter()
            .filter(|m| m.message_id() == Some(message_id))
            .collect();
        assert_eq!(
            copies.len(),
            1,
            "{message_id} arrived {} times",
            copies.len()
        );
        let message = copies[0];
        assert_eq!(message.conversation_id(), Some(conversation_id.as_str()));
        match message {
            WebhookMessage::V2(reply) if !v1 => assert_eq!(&reply.text(), text),
            WebhookMessage::V1(reply) if *v1 => assert_eq!(&reply.text, text),
            other => panic!("{message_id}: wrong kind {other:?}"),
        }
    }
    // and the mock saw every delivery acknowledged
    let deliveries = mock.webhook_deliveries();
    assert_eq!(deliveries.len(), sent.len());
    assert!(
        deliveries.iter().all(|d| d.outcome == Ok(200)),
        "{deliveries:?}"
    );

    mock.shutdown().await;
    drop(client);
    server.stop().await;
}

#[tokio::test]
async fn mock_with_the_wrong_token_is_refused_and_nothing_arrives() {
    let (server, inbox) = receiver("right-token").await;
    let target = WebhookTarget::new(format!("http://{}/gptbots/webhook", server.addr))
        .with_token(Scheme::Bearer, "wrong-token");
    let mock = MockServer::start(MockConfig::new().with_webhook(target))
        .await
        .unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let created = post_json(
        &client,
        format!("{}/v1/conversation", mock.url()),
        serde_json::to_vec(&CreateConversationRequest::new("e2e-user")).unwrap(),
    )
    .await;
    let conversation_id = created["conversation_id"].as_str().unwrap().to_owned();
    let request =
        SendMessageRequest::text(&conversation_id, "hi").with_response_mode(ResponseMode::Webhook);
    post_json(
        &client,
        format!("{}/v2/conversation/message", mock.url()),
        serde_json::to_vec(&request).unwrap(),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while mock.webhook_deliveries().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let deliveries = mock.webhook_deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].outcome, Ok(401));
    assert!(inbox.lock().unwrap().is_empty());
    mock.shutdown().await;
    drop(client);
    server.stop().await;
}
