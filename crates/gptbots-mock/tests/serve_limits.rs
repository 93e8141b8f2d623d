//! The mock is served with the same bounds as the receiver: a client sending its headers a
//! byte at a time, or half a body and then nothing, is cut at the configured deadline (1 s
//! here) instead of holding its connection for good. Elapsed times are only checked against
//! generous liveness bounds.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use gptbots_mock::{MockConfig, MockServer, ServeLimits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LIVENESS: Duration = Duration::from_secs(15);

async fn start() -> MockServer {
    let limits = ServeLimits::DEFAULT
        .with_header_read_timeout(Duration::from_secs(1))
        .with_body_read_timeout(Duration::from_secs(1))
        .with_idle_timeout(Duration::from_secs(1))
        .with_shutdown_grace(Duration::from_secs(1));
    MockServer::start(MockConfig::default().with_limits(limits))
        .await
        .unwrap()
}

/// Reads until the server closes the connection; what it sent before, as text.
async fn read_until_closed(stream: &mut TcpStream) -> Option<String> {
    let mut all = Vec::new();
    let mut chunk = [0u8; 1024];
    let read = async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => all.extend_from_slice(&chunk[..n]),
            }
        }
    };
    tokio::time::timeout(LIVENESS, read).await.ok()?;
    Some(String::from_utf8_lossy(&all).into_owned())
}

#[tokio::test]
async fn slowloris_headers_are_cut() {
    let server = start().await;
    let mut slow = TcpStream::connect(server.addr()).await.unwrap();
    let head = "POST /v2/conversation/message HTTP/1.1\r\nhost: x\r\n";
    let dripping = async {
        for byte in head.as_bytes() {
            if slow.write_all(&[*byte]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        false
    };
    let cut = tokio::time::timeout(LIVENESS, dripping).await.unwrap();
    assert!(cut || read_until_closed(&mut slow).await.is_some());
    server.shutdown().await;
}

#[tokio::test]
async fn a_stalled_body_is_cut() {
    let server = start().await;
    let mut stalled = TcpStream::connect(server.addr()).await.unwrap();
    stalled
        .write_all(
            b"POST /v2/conversation/message HTTP/1.1\r\nhost: x\r\nauthorization: Bearer mock-api-key\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{\"conversation_id\":",
        )
        .await
        .unwrap();
    let sent = read_until_closed(&mut stalled).await;
    assert!(sent.is_some(), "the connection was kept open");
    server.shutdown().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = start().await;
    let mut idle = TcpStream::connect(server.addr()).await.unwrap();
    let sent = read_until_closed(&mut idle).await;
    assert_eq!(
        sent.as_deref(),
        Some(""),
        "the idle connection was kept open"
    );
    server.shutdown().await;
}
