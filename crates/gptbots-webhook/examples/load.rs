//! Throughput and latency of the receiver next to a bare axum handler, in the same run.
//!
//! `cargo run --release -p gptbots-webhook --example load [-- REQUESTS SENDERS ROUNDS]`
//! (defaults 20000, 32, 3). The bare handler is served by `axum::serve`, the receiver by
//! `gptbots_webhook::serve` with its default bounds, as `gptbots webhook listen` serves it. Both servers and the senders share one process and one Tokio
//! runtime on 127.0.0.1; rounds alternate bare / receiver after a warm-up of each, and every
//! receiver round is checked for correctness as in `tests/load.rs`. Two plans: the mixed one
//! of the test (valid, duplicate, unauthorized, malformed) and one of distinct valid replies
//! only (every request parsed and delivered).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

#[path = "../tests/support/load.rs"]
mod load;

use load::{RunResult, Seen, Server};

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn row(name: &str, round: &str, r: &RunResult) -> String {
    format!(
        "| {name} | {round} | {} | {:.0} | {} | {} | {} | {} |",
        r.statuses.len(),
        r.throughput(),
        ms(r.percentile(50.0)),
        ms(r.percentile(90.0)),
        ms(r.percentile(99.0)),
        ms(r.percentile(100.0)),
    )
}

fn median(mut runs: Vec<RunResult>) -> RunResult {
    runs.sort_by(|a, b| a.throughput().total_cmp(&b.throughput()));
    runs.swap_remove(runs.len() / 2)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: REQUESTS SENDERS ROUNDS"))
        .collect();
    let requests = args.first().copied().unwrap_or(20_000);
    let senders = args.get(1).copied().unwrap_or(32);
    let rounds = args.get(2).copied().unwrap_or(3).max(1);
    let limit = Duration::from_secs(120);
    let plan = load::plan(requests);

    // warm-up (not reported)
    let warm = load::plan(2_000);
    let bare = Server::start(load::bare_router()).await;
    load::run(bare.addr, &warm, senders, limit).await;
    bare.stop().await;
    let warm_seen = Seen::default();
    let ours = Server::start_bounded(load::receiver_router(&warm_seen)).await;
    load::run(ours.addr, &warm, senders, limit).await;
    ours.stop().await;

    for (name, plan) in [
        ("mixed", plan),
        ("valid only", load::plan_valid_only(requests)),
    ] {
        println!("\n### {name}: {requests} requests, {senders} senders\n");
        println!("| server | round | requests | req/s | p50 ms | p90 ms | p99 ms | max ms |");
        println!("|---|---|---|---|---|---|---|---|");
        let (mut bare_runs, mut our_runs) = (Vec::new(), Vec::new());
        for round in 1..=rounds {
            let bare = Server::start(load::bare_router()).await;
            let result = load::run(bare.addr, &plan, senders, limit).await;
            bare.stop().await;
            println!("{}", row("bare axum ack", &round.to_string(), &result));
            bare_runs.push(result);

            // a fresh receiver each round, so every round delivers the same messages
            let seen = Seen::default();
            let ours = Server::start_bounded(load::receiver_router(&seen)).await;
            let result = load::run(ours.addr, &plan, senders, limit).await;
            ours.stop().await;
            load::check(&plan, &result, &seen);
            println!("{}", row("gptbots-webhook", &round.to_string(), &result));
            our_runs.push(result);
        }
        let ratios: Vec<String> = our_runs
            .iter()
            .zip(&bare_runs)
            .map(|(o, b)| format!("{:.2}", o.throughput() / b.throughput()))
            .collect();
        let (bare, ours) = (median(bare_runs), median(our_runs));
        println!("{}", row("bare axum ack", "median", &bare));
        println!("{}", row("gptbots-webhook", "median", &ours));
        println!(
            "\nratio receiver / bare: {:.2} (median rounds); per round: {}; every receiver round checked",
            ours.throughput() / bare.throughput(),
            ratios.join(", ")
        );
    }
}
