//! The transport over real loopback sockets: redirects, connection failures named by their
//! cause, passwords kept out of errors, base URLs refused at configuration time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gptbots_client::{Client, ClientConfig, ConnectionCause, Error, ErrorKind};
use gptbots_protocol::{CreateConversationRequest, SendMessageRequest};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as a scripted server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    body: String,
}

/// Reads one HTTP/1.1 request (head, then a `Content-Length` body).
async fn read_request(socket: &mut TcpStream) -> Option<Seen> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let mut words = head.split_whitespace();
    Some(Seen {
        method: words.next()?.to_owned(),
        path: words.next()?.to_owned(),
        body: String::from_utf8_lossy(&data[head_end..]).into_owned(),
    })
}

/// A server that records every request and answers each with `answer(path)`.
async fn scripted(
    answer: impl Fn(&str) -> String + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = log.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                while let Some(request) = read_request(&mut socket).await {
                    let reply = answer(&request.path);
                    log.lock().unwrap().push(request);
                    if socket.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, seen)
}

fn ok_conversation() -> String {
    let body = r#"{"conversation_id":"c-1"}"#;
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn redirect(status: &str, location: &str) -> String {
    format!("HTTP/1.1 {status}\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n")
}

fn client(config: ClientConfig) -> Client {
    Client::new(config.with_request_timeout(Duration::from_secs(20))).unwrap()
}

async fn create(client: &Client) -> Result<String, Error> {
    client
        .create_conversation(&CreateConversationRequest::new("user-1"))
        .await
        .map(|created| created.conversation_id)
}

/// A closed loopback port: bound, then released.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn redirects_to_another_host_are_refused_and_nothing_reaches_it() {
    let (other, other_seen) = scripted(|_| ok_conversation()).await;
    for status in [
        "302 Found",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let location = format!("{other}/v1/conversation");
        let (url, seen) = scripted(move |_| redirect(status, &location)).await;
        for follow in [false, true] {
            let client = client(
                ClientConfig::new("key")
                    .with_base_url(&url)
                    .with_follow_redirects(follow),
            );
            let err = create(&client).await.unwrap_err();
            match err.kind() {
                ErrorKind::Redirect {
                    status: got,
                    location,
                } => {
                    assert_eq!(got.as_str(), &status[..3]);
                    assert_eq!(
                        location.as_deref(),
                        Some(format!("{other}/v1/conversation").as_str())
                    );
                }
                other => panic!("{status}, follow {follow}: {other:?}"),
            }
            assert!(err.to_string().contains(&other), "{err}");
        }
        assert_eq!(seen.lock().unwrap().len(), 2, "{status}");
    }
    assert!(
        other_seen.lock().unwrap().is_empty(),
        "a request reached the other host: {:?}",
        other_seen.lock().unwrap()
    );
}

#[tokio::test]
async fn a_streaming_send_is_not_redirected_either() {
    let (other, other_seen) = scripted(|_| ok_conversation()).await;
    let location = format!("{other}/v2/conversation/message");
    let (url, _seen) = scripted(move |_| redirect("307 Temporary Redirect", &location)).await;
    let client = client(
        ClientConfig::new("key")
            .with_base_url(&url)
            .with_follow_redirects(true),
    );
    let err = client
        .send_message_streaming(SendMessageRequest::text("c-1", "Hello"))
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Redirect { .. }), "{err:?}");
    assert!(other_seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_302_on_the_same_host_is_not_turned_into_a_get() {
    let (url, seen) = scripted(|path| match path {
        "/v1/conversation" => redirect("302 Found", "/moved"),
        _ => ok_conversation(),
    })
    .await;
    let client = client(
        ClientConfig::new("key")
            .with_base_url(&url)
            .with_follow_redirects(true),
    );
    let err = create(&client).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Redirect { .. }), "{err:?}");
    assert!(err.to_string().contains(&format!("{url}/moved")), "{err}");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
}

#[tokio::test]
async fn a_307_on_the_same_origin_is_followed_when_told_with_method_and_body() {
    let (url, seen) = scripted(|path| match path {
        "/v1/conversation" => redirect("307 Temporary Redirect", "/moved"),
        _ => ok_conversation(),
    })
    .await;
    let default = client(ClientConfig::new("key").with_base_url(&url));
    assert!(matches!(
        create(&default).await.unwrap_err().kind(),
        ErrorKind::Redirect { .. }
    ));
    let following = client(
        ClientConfig::new("key")
            .with_base_url(&url)
            .with_follow_redirects(true),
    );
    assert_eq!(create(&following).await.unwrap(), "c-1");
    let seen = seen.lock().unwrap();
    let moved = seen.last().unwrap();
    assert_eq!(
        (moved.method.as_str(), moved.path.as_str()),
        ("POST", "/moved")
    );
    assert!(moved.body.contains("user-1"), "{moved:?}");
}

#[tokio::test]
async fn a_dns_failure_names_the_host() {
    let client = client(ClientConfig::new("key").with_base_url("http://gptbots-test.invalid"));
    let err = create(&client).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Connection, "{err:?}");
    match err.connection_cause() {
        Some(ConnectionCause::Dns { host, .. }) => assert_eq!(host, "gptbots-test.invalid"),
        other => panic!("{other:?} in {err:?}"),
    }
    let shown = err.to_string();
    assert!(
        shown.contains("DNS lookup failed for gptbots-test.invalid"),
        "{shown}"
    );
    assert!(err.request_not_sent());
}

#[tokio::test]
async fn a_refused_connection_names_the_address() {
    let port = closed_port();
    let client = client(ClientConfig::new("key").with_base_url(format!("http://127.0.0.1:{port}")));
    let err = create(&client).await.unwrap_err();
    assert_eq!(
        err.connection_cause(),
        Some(&ConnectionCause::Refused {
            addr: format!("127.0.0.1:{port}")
        }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains(&format!("connection refused at 127.0.0.1:{port}")),
        "{err}"
    );
    assert!(err.request_not_sent());
}

#[tokio::test]
async fn https_to_a_plain_server_is_a_tls_failure() {
    // A plain HTTP server: it answers the ClientHello's first bytes with an HTTP error.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let https = format!("https://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = socket.read(&mut buf).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    let client = client(ClientConfig::new("key").with_base_url(&https));
    let err = create(&client).await.unwrap_err();
    match err.connection_cause() {
        Some(ConnectionCause::Tls { message }) => assert!(!message.is_empty()),
        other => panic!("{other:?} in {err:?}"),
    }
    assert!(err.to_string().contains("TLS handshake failed"), "{err}");
}

#[tokio::test]
async fn a_timeout_says_how_long() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // Accepts and reads, never answers.
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = Client::new(
        ClientConfig::new("key")
            .with_base_url(&url)
            .with_request_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let err = create(&client).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.to_string().contains("timed out after 0.3 s"), "{err}");
}

#[tokio::test]
async fn a_password_in_the_base_url_never_shows_in_errors() {
    let port = closed_port();
    let client = client(
        ClientConfig::new("key").with_base_url(format!("http://user:hunter2@127.0.0.1:{port}")),
    );
    let err = create(&client).await.unwrap_err();
    let shown = format!("{err} {err:?} {client:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(!err.url().unwrap().contains("hunter2"));

    for bad in [
        "http://user:hunter2@host/a?x=1",
        "ftp://user:hunter2@host/",
        "http://user:hunter2@ho st/",
    ] {
        let err = Client::new(ClientConfig::new("key").with_base_url(bad)).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(matches!(err.kind(), ErrorKind::Config { .. }), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}

#[tokio::test]
async fn a_base_url_with_a_query_or_fragment_is_refused() {
    for bad in [
        "https://proxy.example/gptbots?tenant=1",
        "https://proxy.example/#x",
    ] {
        let err = Client::new(ClientConfig::new("key").with_base_url(bad)).unwrap_err();
        match err.kind() {
            ErrorKind::Config { message } => {
                assert!(message.contains("query"), "{message}");
                assert!(message.contains(bad), "{message}");
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    assert!(
        Client::new(ClientConfig::new("key").with_base_url("https://proxy.example/g/")).is_ok()
    );
}
