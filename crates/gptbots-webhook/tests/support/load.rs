//! The load run shared by `tests/load.rs` (correctness, in CI) and `examples/load.rs` (figures):
//! concurrent senders on 127.0.0.1 post a planned mix of valid, duplicate, unauthorized and
//! malformed webhooks, and every answer is checked against the plan.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use bytes::Bytes;
use gptbots_protocol::{SendMessageResponse, WebhookAck, WebhookMessage};
use gptbots_webhook::{Auth, Callback, Receiver, ReceiverConfig, Webhooks};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The token the receiver requires.
pub const TOKEN: &str = "load-test-token-0123456789abcdef";
const VECTOR: &str = include_str!("../../../../conformance/vectors/webhook/message.json");

/// What a planned request is, and so which status it must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A new message: 200, delivered.
    Valid,
    /// A copy of a valid message: 200, not delivered again.
    Duplicate,
    /// A valid body with a wrong or missing token: 401, never delivered.
    Unauthorized,
    /// Not JSON: 400.
    Malformed,
    /// JSON of the wrong shape: 400.
    WrongShape,
}

impl Kind {
    /// The status the receiver must answer.
    pub fn expected_status(self) -> u16 {
        match self {
            Kind::Valid | Kind::Duplicate => 200,
            Kind::Unauthorized => 401,
            Kind::Malformed | Kind::WrongShape => 400,
        }
    }
}

/// One planned request.
#[derive(Debug, Clone)]
pub struct Planned {
    /// What it is.
    pub kind: Kind,
    /// The body.
    pub body: Bytes,
    /// The Authorization header, if any.
    pub authorization: Option<&'static str>,
}

/// The whole run, built before any timing starts.
#[derive(Debug, Clone)]
pub struct Plan {
    /// In sending order.
    pub requests: Vec<Planned>,
    /// The id of every valid message (each must be delivered exactly once).
    pub valid_ids: Vec<String>,
}

fn reply_body(template: &SendMessageResponse, id: &str) -> Bytes {
    let mut reply = template.clone();
    reply.message_id = id.to_owned();
    Bytes::from(serde_json::to_vec(&reply).unwrap())
}

/// A plan of `total` requests: of every 20, 12 valid, 3 duplicates (alternately of the
/// previous valid message, likely still in flight, and of one long delivered), 2
/// unauthorized (wrong token, no header), 2 not JSON and 1 of the wrong shape.
pub fn plan(total: usize) -> Plan {
    let template: SendMessageResponse = serde_json::from_str(VECTOR).unwrap();
    let wrong_token: &'static str = "Bearer not-the-token";
    let right: &'static str = Box::leak(format!("Bearer {TOKEN}").into_boxed_str());
    let mut requests = Vec::with_capacity(total);
    let mut valid_ids: Vec<String> = Vec::new();
    for i in 0..total {
        let slot = i % 20;
        let planned = match slot {
            0..=11 => {
                let id = format!("msg-{i:08}");
                let body = reply_body(&template, &id);
                valid_ids.push(id);
                Planned {
                    kind: Kind::Valid,
                    body,
                    authorization: Some(right),
                }
            }
            12..=14 if !valid_ids.is_empty() => {
                let id = if slot == 13 {
                    &valid_ids[valid_ids.len() / 2]
                } else {
                    &valid_ids[valid_ids.len() - 1]
                };
                Planned {
                    kind: Kind::Duplicate,
                    body: reply_body(&template, id),
                    authorization: Some(right),
                }
            }
            12..=16 => Planned {
                kind: Kind::Unauthorized,
                body: reply_body(&template, &format!("unauthorized-{i:08}")),
                authorization: if slot % 2 == 0 {
                    None
                } else {
                    Some(wrong_token)
                },
            },
            17 => Planned {
                kind: Kind::Malformed,
                body: Bytes::from(format!(r#"{{"message_id":"bad-{i}","output":[{{"#)),
                authorization: Some(right),
            },
            18 => Planned {
                kind: Kind::Malformed,
                body: Bytes::from_static(b"\x00\xff not json at all"),
                authorization: Some(right),
            },
            _ => Planned {
                kind: Kind::WrongShape,
                body: Bytes::from(format!(
                    r#"{{"message_id":"shape-{i}","conversation_id":"c","create_time":"yesterday","output":[]}}"#
                )),
                authorization: Some(right),
            },
        };
        requests.push(planned);
    }
    Plan {
        requests,
        valid_ids,
    }
}

/// A plan of `total` distinct valid replies: every request is parsed, de-duplicated and
/// delivered, the receiver's most expensive path.
pub fn plan_valid_only(total: usize) -> Plan {
    let template: SendMessageResponse = serde_json::from_str(VECTOR).unwrap();
    let right: &'static str = Box::leak(format!("Bearer {TOKEN}").into_boxed_str());
    let valid_ids: Vec<String> = (0..total).map(|i| format!("only-{i:08}")).collect();
    let requests = valid_ids
        .iter()
        .map(|id| Planned {
            kind: Kind::Valid,
            body: reply_body(&template, id),
            authorization: Some(right),
        })
        .collect();
    Plan {
        requests,
        valid_ids,
    }
}

/// A running server that stops when dropped (or with [`Server::stop`]).
pub struct Server {
    /// Where it listens (on 127.0.0.1).
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    /// Serves `router` on 127.0.0.1, on a free port.
    pub async fn start(router: Router) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Server {
            addr,
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    /// Serves `router` on 127.0.0.1 as `gptbots webhook listen` does: with
    /// `gptbots_webhook::serve` and the default bounds.
    pub async fn start_bounded(router: Router) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let limits = gptbots_webhook::ServeLimits::DEFAULT;
        let task = tokio::spawn(async move {
            gptbots_webhook::serve(listener, router, limits, async move {
                let _ = stopped.await;
            })
            .await;
        });
        Server {
            addr,
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    /// Stops it, waiting at most 5 s for connections to close.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// What the receiver's callback saw: how many times each message id arrived.
#[derive(Clone, Default)]
pub struct Seen(pub Arc<Mutex<HashMap<String, u32>>>);

/// The receiver under test: Bearer token, default limits and dedup, a callback that counts.
pub fn receiver_router(seen: &Seen) -> Router {
    receiver_router_on(Receiver::new(receiver_config()), seen)
}

/// The receiver's configuration under test: Bearer token, default limits and dedup.
pub fn receiver_config() -> ReceiverConfig {
    ReceiverConfig::new().with_auth(Auth::bearer(TOKEN))
}

/// The router of [`receiver_router`] over a given receiver (e.g. one with another store).
pub fn receiver_router_on(receiver: Receiver, seen: &Seen) -> Router {
    let seen = seen.clone();
    Webhooks::from_receiver(receiver)
        .replies(
            "/",
            Callback::from_fn(move |message: WebhookMessage| {
                let seen = seen.clone();
                async move {
                    let id = message.message_id().unwrap_or("<probe>").to_owned();
                    *seen.0.lock().unwrap().entry(id).or_default() += 1;
                    Ok::<(), std::convert::Infallible>(())
                }
            }),
        )
        .into_router()
        .unwrap()
}

/// The baseline: a bare axum handler that reads the body and answers the acknowledgement.
pub fn bare_router() -> Router {
    Router::new().route(
        "/",
        post(|_body: Bytes| async { axum::Json(WebhookAck::success()) }),
    )
}

/// The result of one run.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The status of each planned request, by index (`None`: the request failed).
    pub statuses: Vec<Option<u16>>,
    /// Each request's latency, in completion order.
    pub latencies: Vec<Duration>,
    /// From the first send to the last answer.
    pub elapsed: Duration,
}

impl RunResult {
    /// Requests per second over the run.
    pub fn throughput(&self) -> f64 {
        self.statuses.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency at percentile `p` (0 to 100), nearest rank.
    pub fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }
}

/// Sends the plan to `addr` from `senders` concurrent tasks over keep-alive HTTP/1.1
/// connections; gives up after `limit` (the run is bounded in time as well as in count).
pub async fn run(addr: SocketAddr, plan: &Plan, senders: usize, limit: Duration) -> RunResult {
    let client = reqwest::Client::builder()
        .http1_only()
        .no_proxy()
        .pool_max_idle_per_host(senders)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let url = format!("http://{addr}/");
    let requests = Arc::new(plan.requests.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + limit;
    let started = Instant::now();
    let tasks: Vec<_> = (0..senders)
        .map(|_| {
            let client = client.clone();
            let url = url.clone();
            let requests = Arc::clone(&requests);
            let next = Arc::clone(&next);
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(planned) = requests.get(i) else {
                        break;
                    };
                    if Instant::now() > deadline {
                        statuses.push((i, None));
                        continue;
                    }
                    let mut request = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(planned.body.clone());
                    if let Some(auth) = planned.authorization {
                        request = request.header("authorization", auth);
                    }
                    let start = Instant::now();
                    let status = match request.send().await {
                        Ok(response) => {
                            let status = response.status().as_u16();
                            response.bytes().await.ok().map(|_| status)
                        }
                        Err(_) => None,
                    };
                    latencies.push(start.elapsed());
                    statuses.push((i, status));
                }
                (statuses, latencies)
            })
        })
        .collect();
    let mut statuses = vec![None; plan.requests.len()];
    let mut latencies = Vec::with_capacity(plan.requests.len());
    for task in tasks {
        let (task_statuses, task_latencies) = task.await.unwrap();
        for (i, status) in task_statuses {
            statuses[i] = status;
        }
        latencies.extend(task_latencies);
    }
    RunResult {
        statuses,
        latencies,
        elapsed: started.elapsed(),
    }
}

/// Checks a run against the receiver: every sender got its planned status, and the callback
/// saw every valid message exactly once and nothing else. Returns the count of each kind.
pub fn check(plan: &Plan, result: &RunResult, seen: &Seen) -> HashMap<Kind, usize> {
    let mut counts = HashMap::new();
    let mut wrong = Vec::new();
    for (i, (planned, status)) in plan.requests.iter().zip(&result.statuses).enumerate() {
        *counts.entry(planned.kind).or_default() += 1;
        if *status != Some(planned.kind.expected_status()) {
            wrong.push((i, planned.kind, *status));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} requests got the wrong status, first ones: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(10)]
    );
    let seen = seen.0.lock().unwrap();
    let mut missing_or_repeated = Vec::new();
    for id in &plan.valid_ids {
        if seen.get(id) != Some(&1) {
            missing_or_repeated.push((id.clone(), seen.get(id).copied()));
        }
    }
    assert!(
        missing_or_repeated.is_empty(),
        "{} valid messages not delivered exactly once: {:?}",
        missing_or_repeated.len(),
        &missing_or_repeated[..missing_or_repeated.len().min(10)]
    );
    assert_eq!(
        seen.len(),
        plan.valid_ids.len(),
        "the callback saw messages that were not valid"
    );
    counts
}
