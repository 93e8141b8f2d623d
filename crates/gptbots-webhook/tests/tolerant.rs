//! What a real server may POST beyond the documented example (nulls, integral decimals, a
//! number for a branch, citations) reaches the callback once, with the values kept.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use gptbots_protocol::WebhookMessage;
use gptbots_webhook::{Callback, ReceiverConfig, Webhooks};
use serde_json::{Value, json};

#[path = "support/load.rs"]
mod load;

/// A v2 body as a real server may send it: the issue-13 variations all at once.
const TOLERANT_V2: &str = r#"{
  "create_time": 1679587005.0,
  "conversation_id": "657303a8a764d47094874bbe",
  "message_id": "65a4ccfC7ce58e728d5897e0",
  "output": [
    {"from_component_branch": 1, "from_component_name": null,
     "content": {"text": "Hi", "audio": [{"audio": "http://gptbots.ai/a.mp3", "transcript": null}]}},
    {"from_component_name": "Second", "content": null}
  ],
  "usage": {
    "tokens": {"total_tokens": 29.0, "prompt_tokens": 19, "completion_tokens": 1e1,
               "prompt_tokens_details": null,
               "completion_tokens_details": {"reasoning_tokens": null, "audio_tokens": 0, "text_tokens": 10.0}},
    "credits": {"total_credits": null, "text_input_credits": 0.5, "text_output_credits": null,
                "audio_input_credits": null, "audio_output_credits": null}
  },
  "citations": [{"index": 1, "name": "Handbook", "type": "doc", "segment_index": 2.0, "bot_id": null, "score": 0.9}]
}"#;

/// A callback that keeps every message it is given.
fn recording() -> (Callback<WebhookMessage>, Arc<Mutex<Vec<WebhookMessage>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let callback = Callback::from_fn(move |message: WebhookMessage| {
        let sink = Arc::clone(&sink);
        async move {
            sink.lock().unwrap().push(message);
            Ok::<(), Infallible>(())
        }
    });
    (callback, seen)
}

#[tokio::test]
async fn a_v2_body_with_nulls_and_integral_decimals_is_delivered_once_and_acknowledged() {
    let (callback, seen) = recording();
    let router = Webhooks::new(ReceiverConfig::new())
        .replies("/", callback)
        .into_router()
        .unwrap();
    let server = load::Server::start(router).await;

    let response = reqwest::Client::new()
        .post(format!("http://{}/", server.addr))
        .header("content-type", "application/json")
        .body(TOLERANT_V2)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body, json!({"code": 200, "msg": "success"}));

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "the callback is called exactly once");
    let WebhookMessage::V2(reply) = &seen[0] else {
        panic!("not read as a v2 reply: {:?}", seen[0]);
    };
    assert_eq!(reply.create_time, 1_679_587_005);
    assert_eq!(reply.output.len(), 2);
    assert_eq!(reply.output[0].from_component_branch.as_deref(), Some("1"));
    assert_eq!(reply.output[0].content.text.as_deref(), Some("Hi"));
    let audio = reply.output[0].content.audio.as_ref().unwrap();
    assert_eq!(audio[0].transcript, "");
    assert_eq!(reply.output[1].content.text, None);
    let usage = reply.usage.as_ref().unwrap();
    assert_eq!(
        (
            usage.tokens.total_tokens,
            usage.tokens.prompt_tokens,
            usage.tokens.completion_tokens
        ),
        (29, 19, 10)
    );
    assert_eq!(usage.tokens.prompt_tokens_details, None);
    let credits = usage.credits.as_ref().unwrap();
    assert_eq!(
        (credits.total_credits, credits.text_input_credits),
        (0.0, 0.5)
    );
    let citations = reply.citations.as_ref().unwrap();
    assert_eq!(citations[0].index.as_deref(), Some("1"));
    assert_eq!(citations[0].segment_index, Some(2));
    assert_eq!(citations[0].extra.get("score"), Some(&json!(0.9)));
    server.stop().await;
}

#[tokio::test]
async fn a_v2_body_with_a_null_message_id_is_refused_without_the_callback() {
    let (callback, seen) = recording();
    let router = Webhooks::new(ReceiverConfig::new())
        .replies("/", callback)
        .into_router()
        .unwrap();
    let server = load::Server::start(router).await;

    let mut body: Value = serde_json::from_str(TOLERANT_V2).unwrap();
    body["message_id"] = Value::Null;
    let response = reqwest::Client::new()
        .post(format!("http://{}/", server.addr))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let answer: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert!(
        answer.to_string().contains("message_id"),
        "the refusal names the field: {answer}"
    );
    assert!(seen.lock().unwrap().is_empty());
    server.stop().await;
}
