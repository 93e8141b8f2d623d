//! Several `gptbots webhook listen --redis` receivers sharing one Redis, over real sockets:
//! each message lands in the stream exactly once, whatever copies reach which receiver, while
//! Redis is stopped and started again, and while a receiver is killed and restarted.
//!
//! Redis: `GPTBOTS_TEST_REDIS_URL` (`.ci/run` starts one); the fault test starts its own
//! `redis-server`. Without them these tests are skipped with a printed reason, unless `CI` is
//! set, where they fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use redis::streams::StreamRangeReply;
use support::{Server, gptbots};

const V2: &str = include_str!("../../../conformance/vectors/webhook/message.json");
const V2_ID: &str = "65a4ccfC7ce58e728d5897e0";
/// A liveness bound for one message: past it, the test fails instead of hanging.
const DELIVERY_BOUND: Duration = Duration::from_secs(60);

/// `Some(reason)` when Redis tests may be skipped here; panics in CI.
fn skip(reason: &str) -> Option<()> {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set and {reason}: the Redis tests cannot be skipped in CI"
    );
    eprintln!("skipped: {reason} (set GPTBOTS_TEST_REDIS_URL to run the Redis tests)");
    None
}

fn redis_url() -> Option<String> {
    match std::env::var("GPTBOTS_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => skip("GPTBOTS_TEST_REDIS_URL is not set").and(None),
    }
}

/// Names no other test or run uses: the stream and the key prefix.
fn names(test: &str) -> (String, String) {
    let nonce = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    );
    (
        format!("gptbots:test:{test}:{nonce}:stream"),
        format!("gptbots:test:{test}:{nonce}:id:"),
    )
}

/// `gptbots webhook listen --redis` at `addr` (port 0: any): the process and its address.
fn listener(redis: &str, stream: &str, prefix: &str, addr: &str) -> (Server, SocketAddr) {
    let server = Server::spawn(gptbots(&[
        "webhook",
        "listen",
        "--addr",
        addr,
        "--path",
        "/",
        "--redis",
        redis,
        "--redis-stream",
        stream,
        "--redis-key-prefix",
        prefix,
        "--max-connections",
        "256",
    ]));
    let line = server.err_line("listening on http://");
    let addr = line
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split(['/', ' ']).next())
        .unwrap_or_else(|| panic!("unexpected line: {line}"))
        .parse()
        .unwrap();
    (server, addr)
}

fn body(id: &str) -> String {
    V2.replace(V2_ID, id)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Posts `id` to `addr` until it is answered 200, as GPTBots retries a failed delivery; how
/// many answers were not 200.
async fn deliver(client: &reqwest::Client, addr: SocketAddr, id: &str) -> usize {
    let started = Instant::now();
    let payload = body(id);
    let mut refused = 0;
    loop {
        let sent = client
            .post(format!("http://{addr}/"))
            .header("content-type", "application/json")
            .body(payload.clone())
            .send()
            .await;
        match sent {
            Ok(response) if response.status() == 200 => return refused,
            _ => refused += 1,
        }
        assert!(
            started.elapsed() < DELIVERY_BOUND,
            "{id} not accepted within {DELIVERY_BOUND:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// How many times each message id is in the stream.
async fn stream_counts(url: &str, stream: &str) -> HashMap<String, usize> {
    let client = redis::Client::open(url).unwrap();
    // pages of a few MB under a loaded machine: longer than the client's default 500 ms
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(10)))
        .set_response_timeout(Some(Duration::from_secs(30)));
    let mut connection = client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .unwrap();
    let mut counts = HashMap::new();
    let mut start = "-".to_owned();
    loop {
        let page: StreamRangeReply = redis::cmd("XRANGE")
            .arg(stream)
            .arg(&start)
            .arg("+")
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut connection)
            .await
            .unwrap();
        let Some(last) = page.ids.last() else {
            break;
        };
        start = format!("({}", last.id);
        for entry in &page.ids {
            let id: String = entry.get("message_id").unwrap();
            let message: String = entry.get("message").unwrap();
            let parsed: serde_json::Value = serde_json::from_str(&message).unwrap();
            assert_eq!(parsed["message_id"], serde_json::json!(id));
            *counts.entry(id).or_insert(0) += 1;
        }
    }
    let _: redis::RedisResult<i64> = redis::cmd("DEL")
        .arg(stream)
        .query_async(&mut connection)
        .await;
    counts
}

fn assert_each_once(counts: &HashMap<String, usize>, ids: &[String]) {
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n != 1).take(5).collect();
    assert!(twice.is_empty(), "appended more than once: {twice:?}");
    let missing: Vec<_> = ids
        .iter()
        .filter(|id| !counts.contains_key(*id))
        .take(5)
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged but not in the stream: {missing:?}"
    );
    assert_eq!(counts.len(), ids.len());
}

/// `count` distinct messages from `senders` senders, sender `k` posting to receiver `k % 2`;
/// `during` runs once a third of them are acknowledged. The ids, and the answers not 200.
async fn run<F, Fut>(
    addrs: [SocketAddr; 2],
    prefix: &str,
    count: usize,
    senders: usize,
    during: F,
) -> (Vec<String>, usize)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let ids: Arc<Vec<String>> = Arc::new((0..count).map(|i| format!("{prefix}{i}")).collect());
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for k in 0..senders {
        let (ids, next, done) = (Arc::clone(&ids), Arc::clone(&next), Arc::clone(&done));
        let addr = addrs[k % 2];
        tasks.spawn(async move {
            let client = client();
            let mut refused = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(id) = ids.get(i) else {
                    return refused;
                };
                refused += deliver(&client, addr, id).await;
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    let started = Instant::now();
    while done.load(Ordering::Relaxed) < count / 3 {
        assert!(started.elapsed() < DELIVERY_BOUND * 2, "no progress");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    during().await;
    let mut refused = 0;
    while let Some(result) = tasks.join_next().await {
        refused += result.unwrap();
    }
    (
        Arc::try_unwrap(ids).unwrap_or_else(|ids| (*ids).clone()),
        refused,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_message_to_two_receivers_at_once_is_appended_once() {
    let Some(url) = redis_url() else { return };
    let (stream, prefix) = names("same");
    let (server_a, a) = listener(&url, &stream, &prefix, "127.0.0.1:0");
    let (server_b, b) = listener(&url, &stream, &prefix, "127.0.0.1:0");
    let (ca, cb) = (client(), client());
    let mut ids = Vec::new();
    let mut refused = 0;
    for round in 0..200 {
        let id = format!("same-{round}");
        let (ra, rb) = tokio::join!(deliver(&ca, a, &id), deliver(&cb, b, &id));
        refused += ra + rb;
        ids.push(id);
    }
    let counts = stream_counts(&url, &stream).await;
    assert_each_once(&counts, &ids);
    // each round's second copy was told apart as a duplicate, on one receiver or the other
    let mut duplicates = 0;
    let started = Instant::now();
    while duplicates < 200 && started.elapsed() < support::WAIT {
        for server in [&server_a, &server_b] {
            while let Ok(line) = server.err.try_recv() {
                duplicates += usize::from(line.starts_with("duplicate: same-"));
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(duplicates >= 200, "{duplicates} duplicate lines");
    eprintln!("200 rounds: each appended once; {refused} answers were not 200 (retried)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distinct_messages_from_32_senders_over_two_receivers_are_each_appended_once() {
    let Some(url) = redis_url() else { return };
    let (stream, prefix) = names("distinct");
    let (_a, a) = listener(&url, &stream, &prefix, "127.0.0.1:0");
    let (_b, b) = listener(&url, &stream, &prefix, "127.0.0.1:0");
    let started = Instant::now();
    let (ids, refused) = run([a, b], "distinct-", 20_000, 32, || async {}).await;
    let elapsed = started.elapsed();
    let counts = stream_counts(&url, &stream).await;
    assert_each_once(&counts, &ids);
    eprintln!("20000 messages in {elapsed:?}: each appended once; {refused} answers were not 200");
}

/// A `redis-server` of the test's own, persisting every write (so that stopping it loses
/// nothing acknowledged), on a fixed port so that it can be started again.
struct OwnRedis {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

impl OwnRedis {
    fn start() -> Option<OwnRedis> {
        let found = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            return skip("redis-server is not installed").and(None);
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("gptbots-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = OwnRedis {
            child: None,
            port,
            dir,
        };
        redis.spawn();
        Some(redis)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops it as an operator would (SIGTERM) and waits for it to be gone.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_mid_run_and_started_3_s_later_loses_and_doubles_nothing() {
    if redis_url().is_none() {
        return;
    }
    let Some(redis) = OwnRedis::start() else {
        return;
    };
    let url = redis.url();
    let (stream, prefix) = names("redis-down");
    let (_a, a) = listener(&url, &stream, &prefix, "127.0.0.1:0");
    let (_b, b) = listener(&url, &stream, &prefix, "127.0.0.1:0");
    let redis = Arc::new(std::sync::Mutex::new(redis));
    let during = Arc::clone(&redis);
    let (ids, refused) = run([a, b], "down-", 6_000, 32, || async move {
        tokio::task::spawn_blocking(move || {
            during.lock().unwrap().stop();
            std::thread::sleep(Duration::from_secs(3));
            during.lock().unwrap().spawn();
        })
        .await
        .unwrap();
    })
    .await;
    let counts = stream_counts(&url, &stream).await;
    assert_each_once(&counts, &ids);
    assert!(refused > 0, "Redis was down 3 s and no sender was refused");
    eprintln!("6000 messages, Redis down 3 s: each appended once; {refused} answers were not 200");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_killed_mid_run_and_restarted_loses_and_doubles_nothing() {
    let Some(url) = redis_url() else { return };
    let (stream, prefix) = names("kill");
    let (a_server, a) = listener(&url, &stream, &prefix, "127.0.0.1:0");
    let (_b, b) = listener(&url, &stream, &prefix, "127.0.0.1:0");
    let restarted = Arc::new(std::sync::Mutex::new(None));
    let keep = Arc::clone(&restarted);
    let (args, addr) = ((url.clone(), stream.clone(), prefix.clone()), a.to_string());
    let (ids, refused) = run([a, b], "kill-", 6_000, 32, || async move {
        tokio::task::spawn_blocking(move || {
            // Server's drop is SIGKILL
            drop(a_server);
            std::thread::sleep(Duration::from_millis(500));
            let (server, _) = listener(&args.0, &args.1, &args.2, &addr);
            *keep.lock().unwrap() = Some(server);
        })
        .await
        .unwrap();
    })
    .await;
    let counts = stream_counts(&url, &stream).await;
    assert_each_once(&counts, &ids);
    assert!(restarted.lock().unwrap().is_some());
    eprintln!(
        "6000 messages, a receiver SIGKILLed and restarted: each appended once; {refused} answers were not 200"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_unreachable_answers_503_with_retry_after_and_probes_and_refusals_go_on() {
    // a port nothing listens on: needs no Redis at all
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}/");
    let (stream, prefix) = names("unreachable");
    let (_server, addr) = listener(&url, &stream, &prefix, "127.0.0.1:0");
    let client = client();
    let post = |body: String, content_type: &'static str| {
        client
            .post(format!("http://{addr}/"))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let message = post(body("unreachable-1"), "application/json")
        .await
        .unwrap();
    assert_eq!(message.status(), 503);
    assert_eq!(message.headers()["retry-after"], "1");
    let probe = post(r#"{"istest": true}"#.to_owned(), "application/json")
        .await
        .unwrap();
    assert_eq!(probe.status(), 200);
    let refused = post(body("unreachable-2"), "text/plain").await.unwrap();
    assert_eq!(refused.status(), 415);
}
