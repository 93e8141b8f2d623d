//! The receiver served by `gptbots_webhook::serve` under the attacks of issue 15, over real
//! sockets on 127.0.0.1 with short configured deadlines (1 s): each test fails on a server
//! without the bound it names (`axum::serve` sets none) and passes with it. Elapsed times are
//! only checked against generous liveness bounds.
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

use axum::Router;
use gptbots_protocol::WebhookMessage;
use gptbots_webhook::{
    Callback, DedupConfig, Receiver, ReceiverConfig, ServeLimits, Webhooks, dedup::ENTRY_OVERHEAD,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const V2: &str = include_str!("../../../conformance/vectors/webhook/message.json");
const V2_ID: &str = "65a4ccfC7ce58e728d5897e0";
/// Long enough for anything on loopback; only a server that never answers reaches it.
const LIVENESS: Duration = Duration::from_secs(15);

fn short_limits() -> ServeLimits {
    ServeLimits::DEFAULT
        .with_header_read_timeout(Duration::from_secs(1))
        .with_body_read_timeout(Duration::from_secs(1))
        .with_idle_timeout(Duration::from_secs(1))
        .with_shutdown_grace(Duration::from_secs(2))
}

type Seen = Arc<Mutex<Vec<String>>>;

fn router_over(receiver: Receiver) -> (Router, Seen) {
    let seen: Seen = Arc::default();
    let sink = Arc::clone(&seen);
    let router = Webhooks::from_receiver(receiver)
        .replies(
            "/",
            Callback::from_fn(move |m: WebhookMessage| {
                let sink = Arc::clone(&sink);
                async move {
                    sink.lock()
                        .unwrap()
                        .push(m.message_id().unwrap_or_default().to_owned());
                    Ok::<(), Infallible>(())
                }
            }),
        )
        .into_router()
        .unwrap();
    (router, seen)
}

struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<gptbots_webhook::Stopped>,
}

async fn start(router: Router, limits: ServeLimits) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(gptbots_webhook::serve(
        listener,
        router,
        limits,
        async move {
            let _ = stopped.await;
        },
    ));
    Running {
        addr,
        stop: Some(stop),
        task,
    }
}

impl Running {
    async fn stop(mut self) -> gptbots_webhook::Stopped {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(LIVENESS, self.task)
            .await
            .unwrap()
            .unwrap()
    }
}

fn v2_with_id(id: &str) -> String {
    V2.replace(V2_ID, id)
}

fn head(len: usize) -> String {
    format!(
        "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n"
    )
}

/// A response as read off the wire: status, lower-cased head, body.
struct Response {
    status: u16,
    head: String,
    body: String,
}

/// Reads one response from `stream`, or `None` if the server closed the connection first.
async fn read_response(stream: &mut TcpStream) -> Option<Response> {
    let mut buf = Vec::new();
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
                return Some(Response {
                    status: head[9..12].parse().unwrap(),
                    body: String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).into_owned(),
                    head,
                });
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

async fn post(addr: SocketAddr, body: &str) -> Response {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head(body.len()).as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    tokio::time::timeout(LIVENESS, read_response(&mut stream))
        .await
        .unwrap()
        .expect("the server closed the connection without answering")
}

/// Whether the server closes `stream` (end of file or reset) within the liveness bound,
/// reading and discarding anything it sends first.
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut chunk = [0u8; 1024];
    let closed = async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(LIVENESS, closed).await.is_ok()
}

#[tokio::test]
async fn slowloris_headers_are_cut_at_the_header_timeout() {
    let (router, _) = router_over(Receiver::new(ReceiverConfig::new()));
    let server = start(router, short_limits()).await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    let head = head(10);
    let dripping = async {
        // a byte every 200 ms: the head would take 16 s; the server must not wait for it
        for byte in head.as_bytes() {
            if slow.write_all(&[*byte]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        false
    };
    let cut_while_writing = tokio::time::timeout(LIVENESS, dripping).await.unwrap();
    assert!(
        cut_while_writing || closed_by_server(&mut slow).await,
        "the connection was kept open"
    );
    // the server serves on
    assert_eq!(
        post(server.addr, &v2_with_id("after-slowloris"))
            .await
            .status,
        200
    );
    server.stop().await;
}

#[tokio::test]
async fn a_stalled_body_gets_408_and_its_bytes_are_given_back() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let (router, seen) = router_over(receiver.clone());
    let server = start(router, short_limits()).await;
    let mut stalled = TcpStream::connect(server.addr).await.unwrap();
    stalled
        .write_all(head(1024 * 1024).as_bytes())
        .await
        .unwrap();
    stalled.write_all(&[b' '; 256 * 1024]).await.unwrap();
    // half a body arrived and nothing more comes: the body deadline answers it
    let response = tokio::time::timeout(LIVENESS, read_response(&mut stalled))
        .await
        .unwrap();
    if let Some(response) = response {
        assert_eq!(response.status, 408, "{}", response.body);
    }
    assert!(closed_by_server(&mut stalled).await);
    let budget = receiver.body_budget();
    assert_eq!(budget.available(), budget.total(), "bytes still held");
    assert_eq!(
        post(server.addr, &v2_with_id("after-stall")).await.status,
        200
    );
    assert_eq!(*seen.lock().unwrap(), vec!["after-stall".to_owned()]);
    server.stop().await;
}

#[tokio::test]
async fn a_dripped_body_is_cut_at_the_deadline_not_kept_alive_by_each_byte() {
    let (router, _) = router_over(Receiver::new(ReceiverConfig::new()));
    let server = start(router, short_limits()).await;
    let mut drip = TcpStream::connect(server.addr).await.unwrap();
    drip.write_all(head(100).as_bytes()).await.unwrap();
    let dripping = async {
        for _ in 0..100 {
            if drip.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    // 100 bytes at 10 a second would take 10 s; a 1 s deadline answers long before
    let _ = tokio::time::timeout(Duration::from_secs(3), dripping).await;
    let response = tokio::time::timeout(LIVENESS, read_response(&mut drip))
        .await
        .unwrap();
    assert_eq!(response.map(|r| r.status), Some(408));
    server.stop().await;
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    let (router, _) = router_over(Receiver::new(ReceiverConfig::new()));
    let limits = short_limits()
        .with_max_connections(2)
        .with_header_read_timeout(Duration::from_secs(30))
        .with_idle_timeout(Duration::from_secs(30));
    let server = start(router, limits).await;
    let first = TcpStream::connect(server.addr).await.unwrap();
    let _second = TcpStream::connect(server.addr).await.unwrap();
    // give the server time to take both (it accepts in its own task)
    tokio::time::sleep(Duration::from_millis(200)).await;
    let body = v2_with_id("third");
    let mut third = TcpStream::connect(server.addr).await.unwrap(); // queued by the kernel
    third.write_all(head(body.len()).as_bytes()).await.unwrap();
    third.write_all(body.as_bytes()).await.unwrap();
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(500), third.peek(&mut byte)).await;
    assert!(
        early.is_err(),
        "a third connection was served past a cap of 2"
    );
    drop(first);
    let response = tokio::time::timeout(LIVENESS, read_response(&mut third))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(response.status, 200);
    server.stop().await;
}

/// Opens a connection that declares 60 KiB and sends `kib` KiB of it; then, if `trickle`, a
/// byte every 100 ms (a body still arriving), else nothing (a stalled body).
async fn holder(addr: SocketAddr, kib: usize, trickle: bool) -> JoinHandle<Option<u16>> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head(60 * 1024).as_bytes()).await.unwrap();
    stream.write_all(&vec![b' '; kib * 1024]).await.unwrap();
    tokio::spawn(async move {
        if trickle {
            for _ in 0..(10 * 1024) {
                if stream.write_all(b" ").await.is_err() {
                    break;
                }
                let mut byte = [0u8; 1];
                let answered =
                    tokio::time::timeout(Duration::from_millis(100), stream.peek(&mut byte)).await;
                if answered.is_ok() {
                    break;
                }
            }
        }
        read_response(&mut stream).await.map(|r| r.status)
    })
}

fn budget_receiver() -> Receiver {
    Receiver::new(
        ReceiverConfig::new()
            .with_body_limit(64 * 1024)
            .with_body_budget(96 * 1024),
    )
}

/// Waits until at most `left` bytes of the budget are free.
async fn until_spent(receiver: &Receiver, left: usize) {
    let spent = async {
        while receiver.body_budget().available() > left {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(LIVENESS, spent).await.unwrap();
}

#[tokio::test]
async fn past_the_body_budget_a_request_gets_503_with_retry_after() {
    let receiver = budget_receiver();
    let (router, _) = router_over(receiver.clone());
    let limits = short_limits().with_body_read_timeout(Duration::from_secs(30));
    let server = start(router, limits).await;
    // two bodies of 46 KiB still arriving, a byte at a time: 4 KiB of the budget is left
    let holders = [
        holder(server.addr, 46, true).await,
        holder(server.addr, 46, true).await,
    ];
    until_spent(&receiver, 4 * 1024).await;
    // a body of 9 KiB does not fit, and no body can be cut: every one is arriving
    let padded = format!("{}{}", v2_with_id("over-budget"), " ".repeat(8 * 1024));
    let response = post(server.addr, &padded).await;
    assert_eq!(response.status, 503, "{}", response.body);
    assert!(
        response.head.contains("retry-after: 1"),
        "{}",
        response.head
    );
    assert!(response.body.contains("\"code\":503"), "{}", response.body);
    // once they are gone, the budget serves again
    for holder in holders {
        holder.abort();
    }
    let freed = async {
        while receiver.body_budget().available() < receiver.body_budget().total() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(LIVENESS, freed).await.unwrap();
    assert_eq!(
        post(server.addr, &v2_with_id("in-budget")).await.status,
        200
    );
    server.stop().await;
}

#[tokio::test]
async fn a_stalled_body_is_cut_to_make_room_when_the_budget_is_short() {
    let receiver = budget_receiver();
    let (router, seen) = router_over(receiver.clone());
    let limits = short_limits().with_body_read_timeout(Duration::from_secs(30));
    let server = start(router, limits).await;
    // two bodies of 48 KiB that stopped arriving: the budget is spent
    let holders = [
        holder(server.addr, 48, false).await,
        holder(server.addr, 48, false).await,
    ];
    until_spent(&receiver, 0).await;
    tokio::time::sleep(gptbots_webhook::limits::STALLED_AFTER + Duration::from_millis(200)).await;
    // a body that arrives is let in; a stalled one is cut (408) to make room
    let response = post(server.addr, &v2_with_id("room-made")).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(*seen.lock().unwrap(), vec!["room-made".to_owned()]);
    let mut statuses = Vec::new();
    for holder in holders {
        let status = tokio::time::timeout(Duration::from_millis(500), holder).await;
        statuses.push(status.ok().and_then(Result::ok).flatten());
    }
    assert!(statuses.contains(&Some(408)), "{statuses:?}");
    server.stop().await;
}

#[tokio::test]
async fn http2_streams_per_connection_are_capped() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let (router, _) = router_over(receiver.clone());
    let limits = short_limits()
        .with_max_concurrent_streams(4)
        .with_body_read_timeout(Duration::from_secs(30));
    let server = start(router, limits).await;
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    let (client, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut client = client.ready().await.unwrap();
    // one whole request first, so that the server's settings have surely arrived
    let probe = http::Request::get(format!("http://{}/", server.addr))
        .body(())
        .unwrap();
    let (response, _) = client.send_request(probe, true).unwrap();
    assert_eq!(response.await.unwrap().status(), 405);
    assert_eq!(client.current_max_send_streams(), 4);
    // ten stalled-body streams: the client may queue them, the server reads at most four
    const PART: &[u8] = b"{\"message_id\":";
    let mut open = Vec::new();
    for _ in 0..10 {
        let request = http::Request::post(format!("http://{}/", server.addr))
            .header("content-type", "application/json")
            .body(())
            .unwrap();
        client = client.ready().await.unwrap();
        let (response, mut body) = client.send_request(request, false).unwrap();
        body.send_data(bytes::Bytes::from_static(PART), false)
            .unwrap();
        open.push((response, body));
    }
    let budget = receiver.body_budget();
    let taken = || budget.total() - budget.available();
    let four = async {
        while taken() < 4 * PART.len() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(LIVENESS, four).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        taken(),
        4 * PART.len(),
        "the server read more than 4 streams at once"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_message_id_over_256_bytes_is_refused() {
    let (router, seen) = router_over(Receiver::new(ReceiverConfig::new()));
    let server = start(router, short_limits()).await;
    let response = post(server.addr, &v2_with_id(&"i".repeat(257))).await;
    assert_eq!(response.status, 400, "{}", response.body);
    assert!(response.body.contains("256"), "{}", response.body);
    let response = post(server.addr, &v2_with_id(&"i".repeat(256))).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(seen.lock().unwrap().len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn the_dedup_memory_is_bounded_in_bytes() {
    let bound = 10 * (200 + ENTRY_OVERHEAD);
    let receiver = Receiver::new(
        ReceiverConfig::new()
            .with_dedup(DedupConfig::new(Duration::from_secs(3600), 100_000).with_max_bytes(bound)),
    );
    let (router, seen) = router_over(receiver.clone());
    let server = start(router, short_limits()).await;
    let id = |i: usize| format!("{i:0>200}");
    for i in 0..50 {
        assert_eq!(post(server.addr, &v2_with_id(&id(i))).await.status, 200);
        assert!(receiver.dedup().remembered_bytes() <= bound);
    }
    assert_eq!(receiver.dedup().remembered(), 10);
    // the newest are still known; the oldest were let go and are delivered again
    assert_eq!(post(server.addr, &v2_with_id(&id(49))).await.status, 200);
    assert_eq!(post(server.addr, &v2_with_id(&id(0))).await.status, 200);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 51);
    assert_eq!(seen.last(), Some(&id(0)));
    server.stop().await;
}

#[tokio::test]
async fn an_idle_http2_connection_is_closed() {
    let (router, _) = router_over(Receiver::new(ReceiverConfig::new()));
    let server = start(
        router,
        short_limits().with_header_read_timeout(Duration::from_secs(30)),
    )
    .await;
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    let (_client, connection) = h2::client::handshake(tcp).await.unwrap();
    // the connection future ends when the server sends GOAWAY and closes
    let ended = tokio::time::timeout(LIVENESS, connection).await;
    assert!(ended.is_ok(), "an idle HTTP/2 connection was kept open");
    server.stop().await;
}

#[tokio::test]
async fn shutdown_lets_a_request_in_progress_finish_and_cuts_a_stalled_one() {
    let (tx, rx) = oneshot::channel::<()>();
    let rx = Arc::new(tokio::sync::Mutex::new(Some(rx)));
    let router = Webhooks::new(ReceiverConfig::new())
        .replies(
            "/",
            Callback::from_fn(move |_: WebhookMessage| {
                let rx = Arc::clone(&rx);
                async move {
                    if let Some(rx) = rx.lock().await.take() {
                        let _ = rx.await;
                    }
                    Ok::<(), Infallible>(())
                }
            }),
        )
        .into_router()
        .unwrap();
    let limits = short_limits()
        .with_body_read_timeout(Duration::from_secs(60))
        .with_header_read_timeout(Duration::from_secs(60))
        .with_shutdown_grace(Duration::from_secs(1));
    let server = start(router, limits).await;
    let body = v2_with_id("in-progress");
    let mut busy = TcpStream::connect(server.addr).await.unwrap();
    busy.write_all(head(body.len()).as_bytes()).await.unwrap();
    busy.write_all(body.as_bytes()).await.unwrap();
    let mut stalled = TcpStream::connect(server.addr).await.unwrap();
    stalled.write_all(head(100).as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stopping = tokio::spawn(server.stop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    tx.send(()).unwrap();
    let response = tokio::time::timeout(LIVENESS, read_response(&mut busy))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(response.status, 200);
    let stopped = stopping.await.unwrap();
    assert_eq!(
        stopped.cut, 1,
        "the stalled request should be cut at the grace deadline"
    );
    assert!(closed_by_server(&mut stalled).await);
}
