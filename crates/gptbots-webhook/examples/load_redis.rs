//! Several receivers' cost: the receiver with its in-memory window, the same receiver with the
//! Redis store (claim, then mark delivered), the `webhook listen --redis` sink
//! (claim-and-append in one script) and a bare axum handler, in the same run.
//!
//! `GPTBOTS_BENCH_REDIS_URL=redis://127.0.0.1:6379/ cargo run --release -p gptbots-webhook
//! --features redis --example load_redis [-- REQUESTS SENDERS ROUNDS]` (defaults 20000, 32, 3).
//! The load is `load.rs`'s valid-only plan (distinct valid replies, each parsed, de-duplicated
//! and delivered); every round of a receiver is checked for exactly-once delivery, and the
//! Redis commands processed per message are read from `INFO stats` around each round.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::time::Duration;

#[path = "../tests/support/load.rs"]
mod load;

use gptbots_protocol::WebhookMessage;
use gptbots_webhook::{
    Appended, Callback, DedupConfig, Receiver, RedisStore, RedisStoreConfig, Webhooks,
};
use load::{RunResult, Seen, Server};

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn row(name: &str, round: &str, r: &RunResult, per_message: Option<f64>) -> String {
    format!(
        "| {name} | {round} | {:.0} | {} | {} | {} |",
        r.throughput(),
        ms(r.percentile(50.0)),
        ms(r.percentile(99.0)),
        per_message.map_or("".to_owned(), |c| format!("{c:.2}")),
    )
}

fn median(mut runs: Vec<(RunResult, Option<f64>)>) -> (RunResult, Option<f64>) {
    runs.sort_by(|a, b| a.0.throughput().total_cmp(&b.0.throughput()));
    runs.swap_remove(runs.len() / 2)
}

async fn commands(connection: &mut redis::aio::MultiplexedConnection) -> u64 {
    let info: String = redis::cmd("INFO")
        .arg("stats")
        .query_async(connection)
        .await
        .unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("total_commands_processed:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The `webhook listen --redis` sink as a router: dedup in the script, not in memory.
fn sink_router(store: RedisStore, stream: String, seen: &Seen) -> axum::Router {
    let seen = seen.clone();
    let stream: Arc<str> = Arc::from(stream.as_str());
    let config = load::receiver_config().with_dedup(DedupConfig::disabled());
    Webhooks::new(config)
        .replies(
            "/",
            Callback::from_fn(move |message: WebhookMessage| {
                let (store, stream, seen) = (store.clone(), Arc::clone(&stream), seen.clone());
                async move {
                    let id = message.message_id().unwrap_or_default().to_owned();
                    let json = serde_json::to_string(&message)?;
                    if store.append_once(&stream, &id, &json).await? == Appended::Added {
                        *seen.0.lock().unwrap().entry(id).or_default() += 1;
                    }
                    Ok::<(), gptbots_webhook::BoxError>(())
                }
            }),
        )
        .into_router()
        .unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let url = std::env::var("GPTBOTS_BENCH_REDIS_URL").expect("set GPTBOTS_BENCH_REDIS_URL");
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: REQUESTS SENDERS ROUNDS"))
        .collect();
    let requests = args.first().copied().unwrap_or(20_000);
    let senders = args.get(1).copied().unwrap_or(32);
    let rounds = args.get(2).copied().unwrap_or(3).max(1);
    let limit = Duration::from_secs(300);
    let plan = load::plan_valid_only(requests);
    let mut info = redis::Client::open(url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let nonce = std::process::id();

    println!("\n### valid only: {requests} requests, {senders} senders\n");
    println!("| server | round | req/s | p50 ms | p99 ms | Redis commands / message |");
    println!("|---|---|---|---|---|---|");
    let names = ["bare axum ack", "in-memory", "Redis store", "Redis sink"];
    let mut runs: Vec<Vec<(RunResult, Option<f64>)>> = vec![Vec::new(); names.len()];
    // round 0 is a warm-up, not reported
    for round in 0..=rounds {
        for (which, name) in names.iter().enumerate() {
            let seen = Seen::default();
            let prefix = format!("gptbots:bench:{nonce}:{round}:{which}:");
            let stream = format!("{prefix}stream");
            let store =
                RedisStore::new(&url, RedisStoreConfig::new().with_key_prefix(&prefix)).unwrap();
            let router = match which {
                0 => load::bare_router(),
                1 => load::receiver_router(&seen),
                2 => load::receiver_router_on(
                    Receiver::new(load::receiver_config()).with_store(Arc::new(store)),
                    &seen,
                ),
                _ => sink_router(store, stream.clone(), &seen),
            };
            let server = if which == 0 {
                Server::start(router).await
            } else {
                Server::start_bounded(router).await
            };
            let before = commands(&mut info).await;
            let result = load::run(server.addr, &plan, senders, limit).await;
            let after = commands(&mut info).await;
            server.stop().await;
            if which > 0 {
                load::check(&plan, &result, &seen);
            }
            // the INFO call itself is one command
            let per_message =
                (which >= 2).then(|| (after - before).saturating_sub(1) as f64 / requests as f64);
            let _: redis::RedisResult<i64> =
                redis::cmd("DEL").arg(&stream).query_async(&mut info).await;
            if round > 0 {
                println!("{}", row(name, &round.to_string(), &result, per_message));
                runs[which].push((result, per_message));
            }
        }
    }
    let medians: Vec<_> = runs.into_iter().map(median).collect();
    for (name, (result, per)) in names.iter().zip(&medians) {
        println!("{}", row(name, "median", result, *per));
    }
    let memory = medians[1].0.throughput();
    println!(
        "\nRedis store / in-memory: {:.2}; Redis sink / in-memory: {:.2}; in-memory / bare: {:.2} (median rounds; every receiver round checked)",
        medians[2].0.throughput() / memory,
        medians[3].0.throughput() / memory,
        memory / medians[0].0.throughput(),
    );
}
