//! Streaming replies as a real server may send them, through `FrameStream::assemble` against
//! scripted loopback servers: nulls and numbers where the docs show otherwise, split
//! characters, typed citations, bad frames stepped over, error frames with `"data": null`, the
//! assembler's limit, and a connection left open after the End frame.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use axum::Router;
use axum::routing::post;
use gptbots_client::{Client, ClientConfig, ErrorKind};
use gptbots_protocol::stream::{ReplyAssembler, ReplyStatus};
use gptbots_protocol::{ErrorCode, SendMessageRequest};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client(base_url: &str) -> Client {
    Client::new(
        ClientConfig::new("k")
            .with_base_url(base_url)
            .with_request_timeout(Duration::from_secs(120)),
    )
    .unwrap()
}

/// A loopback server that answers every streaming call with `body`, as SSE.
async fn serve(body: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route(
        "/v2/conversation/message",
        post(move || {
            let body = body.clone();
            async move { ([("content-type", "text/event-stream")], body) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn sse(frames: &[&str]) -> String {
    frames.iter().map(|f| format!("data: {f}\n\n")).collect()
}

const END: &str = r#"{"code":0,"message":"End","data":null}"#;

#[tokio::test]
async fn assemble_reads_the_variations_of_a_real_server() {
    let body = sse(&[
        r#"{"code":11,"message":null,"data":{"message_id":"m1"}}"#,
        r#"{"code":3,"message":"Text","data":"I like \ud83d"}"#,
        r#"{"code":3,"message":"Text","data":"\ude00 $[1]$"}"#,
        r#"{"code":39,"message":"Audio","data":{"audioAnswer":null,"transcript":null}}"#,
        r#"{"code":10,"message":"FlowOutput","data":[{"content":null,"branch":1,"audioDatas":null}],"componentId":12.0}"#,
        r#"{"code":20,"message":"Citation","data":[{"citation":{"index":"1","name":"doc.pdf","botId":null}}]}"#,
        r#"{"code":83,"data":[{"dataId":"d1","segmentIndex":2.0}]}"#,
        r#"{"code":5,"data":{"a":12345678901234567890123}}"#,
        r#"{"code":4,"message":"Cost","data":{"total_tokens":3,"prompt_tokens":1,"completion_tokens":2,"credits":{"total_credits":0.5}}}"#,
        END,
    ]);
    let url = serve(body).await;
    let mut printed = String::new();
    let reply = client(&url)
        .send_message_streaming(SendMessageRequest::text("c", "x"))
        .await
        .unwrap()
        .assemble(|piece| printed.push_str(piece))
        .await
        .unwrap();
    assert_eq!(reply.status(), ReplyStatus::Complete, "{reply:#?}");
    assert_eq!(reply.text, "I like 😀 $[1]$");
    assert_eq!(printed, reply.text);
    assert_eq!(reply.message_id.as_deref(), Some("m1"));
    assert_eq!(reply.flow_output[0].component_id, Some(12));
    assert_eq!(
        reply.flow_output[0].items[0].branch,
        Some(Some("1".to_owned()))
    );
    assert_eq!(reply.citations.len(), 1);
    assert_eq!(reply.attachments.len(), 1);
    assert_eq!(reply.unknown_frames.len(), 1);
    let json = serde_json::to_string(&reply).unwrap();
    assert!(json.contains("12345678901234567890123"), "{json}");
    assert!(reply.cost_extra.contains_key("credits"));
}

#[tokio::test]
async fn assemble_steps_over_a_bad_frame() {
    let body = sse(&[
        r#"{"code":3,"message":"Text","data":"a"}"#,
        r#"{"code":3,"message":"Text","data":7}"#,
        r#"{"code":3,"message":"Text","data":"b"}"#,
        END,
    ]);
    let url = serve(body).await;
    let reply = client(&url)
        .send_message_streaming(SendMessageRequest::text("c", "x"))
        .await
        .unwrap()
        .assemble(|_| {})
        .await
        .unwrap();
    assert_eq!(reply.text, "ab");
    assert_eq!(reply.status(), ReplyStatus::CompleteWithFaults);
    assert_eq!(reply.faults.len(), 1);
    assert!(
        reply.faults[0].reason.contains("Text frame"),
        "{:?}",
        reply.faults
    );
}

#[tokio::test]
async fn error_frame_with_data_null_is_the_api_error() {
    let body = sse(&[
        r#"{"code":11,"message":"MessageInfo","data":{"message_id":"m1"}}"#,
        r#"{"code":3,"message":"Text","data":"a"}"#,
        r#"{"code":20022,"message":"not enough credits","data":null}"#,
    ]);
    let url = serve(body).await;
    let err = client(&url)
        .send_message_streaming(SendMessageRequest::text("c", "x"))
        .await
        .unwrap()
        .assemble(|_| {})
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(ErrorCode::NOT_ENOUGH_CREDITS), "{err}");
    assert_eq!(err.api_message(), Some("not enough credits"));
}

#[tokio::test]
async fn assemble_stops_at_its_limit() {
    let pieces: Vec<String> = (0..50)
        .map(|_| r#"{"code":3,"message":"Text","data":"0123456789"}"#.to_owned())
        .collect();
    let mut frames: Vec<&str> = pieces.iter().map(String::as_str).collect();
    frames.push(END);
    let url = serve(sse(&frames)).await;
    let err = client(&url)
        .send_message_streaming(SendMessageRequest::text("c", "x"))
        .await
        .unwrap()
        .assemble_with(ReplyAssembler::with_limit(100), |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::TooLarge { limit: 100 }, "{err}");
}

/// A server that sends a complete reply and then keeps the connection open, saying nothing:
/// the call completes at the End frame (within a generous bound, far below the 120 s request
/// timeout), and the server sees the connection closed.
#[tokio::test]
async fn assemble_completes_at_end_on_a_connection_left_open() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        read_request(&mut socket).await;
        let body = sse(&[r#"{"code":3,"message":"Text","data":"hi"}"#, END]);
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
                    transfer-encoding: chunked\r\n\r\n";
        let chunk = format!("{:x}\r\n{body}\r\n", body.len());
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(chunk.as_bytes()).await.unwrap();
        socket.flush().await.unwrap();
        // No last chunk: the body stays open. Wait for the client to let go.
        let mut rest = [0u8; 64];
        while let Ok(n) = socket.read(&mut rest).await {
            if n == 0 {
                break;
            }
        }
        let _ = closed_tx.send(());
    });
    let call = async {
        client(&url)
            .send_message_streaming(SendMessageRequest::text("c", "x"))
            .await
            .unwrap()
            .assemble(|_| {})
            .await
    };
    let reply = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("the call should complete at the End frame")
        .unwrap();
    assert_eq!(reply.text, "hi");
    assert_eq!(reply.status(), ReplyStatus::Complete);
    tokio::time::timeout(Duration::from_secs(10), closed_rx)
        .await
        .expect("the client should drop the connection after End")
        .unwrap();
}

/// Reads one HTTP request (head and a `content-length` body).
async fn read_request(socket: &mut tokio::net::TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = socket.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the client closed before its request was read");
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_ascii_lowercase();
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length = text[..head_end]
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= head_end + 4 + length {
                return;
            }
        }
    }
}

/// A caller that prints each piece and keeps nothing (as `gptbots chat --stream` does) holds
/// none of the reply, however long: a reply of 2 MB passes an assembler limited to 1 KB.
#[tokio::test]
async fn assemble_keeping_no_content_holds_nothing() {
    let piece = format!(
        r#"{{"code":3,"message":"Text","data":"{}"}}"#,
        "x".repeat(1000)
    );
    let pieces = vec![piece; 2_000];
    let mut frames: Vec<&str> = pieces.iter().map(String::as_str).collect();
    frames.push(END);
    let url = serve(sse(&frames)).await;
    let mut seen = 0;
    let reply = client(&url)
        .send_message_streaming(SendMessageRequest::text("c", "x"))
        .await
        .unwrap()
        .assemble_with(
            ReplyAssembler::with_limit(1024).keep_content(false),
            |piece| seen += piece.len(),
        )
        .await
        .unwrap();
    assert_eq!(seen, 2_000_000);
    assert_eq!(reply.text, "");
    assert_eq!(reply.kept_bytes, 0);
    assert_eq!(reply.frame_count, 2_001);
    assert_eq!(reply.status(), ReplyStatus::Complete);
}
