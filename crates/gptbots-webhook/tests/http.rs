//! The axum binding over real sockets on 127.0.0.1: routes, limits enforced on the wire, the
//! server serving on after a refusal, the observer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gptbots_protocol::WebhookMessage;
use gptbots_webhook::{Callback, HandoffEvent, Outcome, ReceiverConfig, Webhooks};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[path = "support/load.rs"]
mod load;

const V2: &str = include_str!("../../../conformance/vectors/webhook/message.json");

fn counting() -> (Callback<WebhookMessage>, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let callback = Callback::from_fn(move |m: WebhookMessage| {
        let sink = Arc::clone(&sink);
        async move {
            sink.lock()
                .unwrap()
                .push(m.message_id().unwrap_or_default().to_owned());
            Ok::<(), Infallible>(())
        }
    });
    (callback, seen)
}

/// Writes `head` and `body` on a fresh connection, stops writing, and reads one response:
/// the status and the JSON body.
async fn raw(addr: SocketAddr, head: &str, body: &[u8]) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    // the server may answer and close before it has read all of this: that is the point
    let _ = stream.write_all(body).await;
    let mut buf = Vec::new();
    let read = async {
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map(|v| v.trim().parse().unwrap())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    let status = head[9..12].parse().unwrap();
                    let body = serde_json::from_slice(&buf[end + 4..end + 4 + len]).unwrap();
                    return (status, body);
                }
            }
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed before a full response: {buf:?}");
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .unwrap()
}

async fn post_v2(addr: SocketAddr, id: &str) -> (u16, Value) {
    let body = V2.replace("65a4ccfC7ce58e728d5897e0", id);
    let head = format!(
        "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    raw(addr, &head, body.as_bytes()).await
}

#[tokio::test]
async fn over_the_limit_on_the_wire_then_serving_on() {
    let (callback, seen) = counting();
    let router = Webhooks::new(ReceiverConfig::new().with_body_limit(4096))
        .replies("/", callback)
        .into_router()
        .unwrap();
    let server = load::Server::start(router).await;

    // a declared length of 1 GiB: refused from the head, nothing like it is ever read
    let head = "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1073741824\r\n\r\n";
    // (no body bytes follow: had the server left unread bytes behind when it closed, the
    // kernel could reset the connection and lose the answer before this test reads it)
    let (status, body) = raw(server.addr, head, &[]).await;
    assert_eq!(status, 413);
    assert_eq!(body["code"], 413);
    assert_eq!(post_v2(server.addr, "after-declared").await.0, 200);

    // chunked, no length: refused once 4 KiB have come
    let head = "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    let mut chunks = Vec::new();
    // five 1 KiB chunks: over the limit, and small enough to arrive in one read
    for _ in 0..5 {
        chunks.extend_from_slice(b"400\r\n");
        chunks.extend_from_slice(&[b' '; 0x400]);
        chunks.extend_from_slice(b"\r\n");
    }
    let (status, _) = raw(server.addr, head, &chunks).await;
    assert_eq!(status, 413);
    assert_eq!(post_v2(server.addr, "after-chunked").await.0, 200);

    // a lying Content-Length is the HTTP layer's business; a body under it is fine
    assert_eq!(
        *seen.lock().unwrap(),
        vec!["after-declared".to_owned(), "after-chunked".to_owned()]
    );
    server.stop().await;
}

#[tokio::test]
async fn replies_and_handoff_mounted_together_with_an_observer() {
    let (callback, seen) = counting();
    let events = Arc::new(Mutex::new(Vec::new()));
    let handoffs = Arc::new(Mutex::new(Vec::new()));
    let (events_sink, handoff_sink) = (Arc::clone(&events), Arc::clone(&handoffs));
    let router = Webhooks::new(ReceiverConfig::new())
        .replies("/hooks/gptbots", callback)
        .handoff(
            "/human",
            Callback::from_fn(move |e: HandoffEvent| {
                let sink = Arc::clone(&handoff_sink);
                async move {
                    sink.lock().unwrap().push(e.kind());
                    Ok::<(), Infallible>(())
                }
            }),
        )
        .observe(move |event| {
            let status = match event.outcome {
                Outcome::Refused(r) => r.status().as_u16(),
                _ => 200,
            };
            events_sink
                .lock()
                .unwrap()
                .push((event.path.to_owned(), status));
        })
        .into_router()
        .unwrap();
    let server = load::Server::start(router).await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = |path: &str| format!("http://{}{path}", server.addr);

    let reply = client
        .post(url("/hooks/gptbots"))
        .header("content-type", "application/json")
        .body(V2)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&reply.bytes().await.unwrap()).unwrap(),
        json!({"code":200,"msg":"success"})
    );
    let chat = client
        .post(url("/human/chat"))
        .header("content-type", "application/json")
        .body(r#"{"conversation_id":"c","timestamp":1,"body":"hi"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(chat.status(), 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&chat.bytes().await.unwrap()).unwrap(),
        json!({"code":200,"message":"success"})
    );
    let close = client
        .post(url("/human/conversation/close"))
        .header("content-type", "application/json")
        .body(r#"{"conversation_id":"c","timestamp":2,"type":"TIMEOUT"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(close.status(), 200);
    let get = client.get(url("/hooks/gptbots")).send().await.unwrap();
    assert_eq!(get.status(), 405);
    assert_eq!(get.headers()["allow"], "POST");
    let elsewhere = client
        .post(url("/chat"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 404);

    assert_eq!(seen.lock().unwrap().len(), 1);
    assert_eq!(handoffs.lock().unwrap().len(), 2);
    assert_eq!(
        *events.lock().unwrap(),
        vec![
            ("/hooks/gptbots".to_owned(), 200),
            ("/human/chat".to_owned(), 200),
            ("/human/conversation/close".to_owned(), 200),
            ("/hooks/gptbots".to_owned(), 405),
        ]
    );
    drop(client);
    server.stop().await;
}

#[test]
fn unusable_paths_are_errors_not_panics() {
    let (callback, _) = counting();
    let handoff = Callback::from_fn(|_: HandoffEvent| async { Ok::<(), Infallible>(()) });
    for path in ["", "hooks", "/{id}", "/a b"] {
        let err = Webhooks::new(ReceiverConfig::new())
            .replies(path, callback.clone())
            .into_router()
            .unwrap_err();
        assert_eq!(err.path, path);
    }
    let err = Webhooks::new(ReceiverConfig::new())
        .replies("/chat", callback.clone())
        .handoff("", handoff.clone())
        .into_router()
        .unwrap_err();
    assert_eq!(err.reason, "mounted twice");
    // the documented paths beside the default `/`
    assert!(
        Webhooks::new(ReceiverConfig::new())
            .replies("/", callback)
            .handoff("/", handoff)
            .into_router()
            .is_ok()
    );
}
