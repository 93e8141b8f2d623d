//! 20,000 webhook posts from concurrent senders on 127.0.0.1, a mix of valid, duplicate,
//! unauthorized and malformed: every sender gets the right status and the callback sees every
//! valid message exactly once. Correctness only; the figures come from `examples/load.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

#[path = "support/load.rs"]
mod load;

use load::{Kind, Seen, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_thousand_mixed_posts() {
    let plan = load::plan(20_000);
    let seen = Seen::default();
    let server = Server::start_bounded(load::receiver_router(&seen)).await;
    let result = load::run(server.addr, &plan, 32, Duration::from_secs(90)).await;
    server.stop().await;
    let counts = load::check(&plan, &result, &seen);
    assert_eq!(counts.values().sum::<usize>(), 20_000);
    for kind in [
        Kind::Valid,
        Kind::Duplicate,
        Kind::Unauthorized,
        Kind::Malformed,
        Kind::WrongShape,
    ] {
        assert!(
            counts.get(&kind).copied().unwrap_or(0) >= 1000,
            "{kind:?}: {counts:?}"
        );
    }
    eprintln!(
        "{} requests in {:.1?} ({:.0}/s, debug build): {counts:?}",
        result.statuses.len(),
        result.elapsed,
        result.throughput()
    );
}
