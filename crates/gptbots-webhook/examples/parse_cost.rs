//! What one reply costs the receiver beside HTTP: the reply parse (the fast way and the
//! general way it stands in for) and the de-duplication step.
//!
//! `cargo run --release -p gptbots-webhook --example parse_cost`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::time::Instant;

use futures_util::FutureExt;
use gptbots_protocol::{SendMessageResponse, WebhookMessage};
use gptbots_webhook::parse_reply;
use gptbots_webhook::{Dedup, DedupConfig, DedupStore, StoreClaim};

fn main() {
    let body = include_bytes!("../../../conformance/vectors/webhook/message.json");
    let n: u32 = 200_000;
    let per_op = |name: &str, f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        println!("| {name} | {:?} |", start.elapsed() / n);
    };
    println!("| step ({} bytes body) | time per reply |", body.len());
    println!("|---|---|");
    per_op(
        "`parse_reply` = `WebhookMessage::from_slice` (key scan + typed parse)",
        &mut || {
            black_box(parse_reply(black_box(body)).unwrap());
        },
    );
    per_op(
        "`gptbots_protocol::from_slice::<WebhookMessage>` (general way)",
        &mut || {
            black_box(gptbots_protocol::from_slice::<WebhookMessage>(black_box(body)).unwrap());
        },
    );
    per_op("`serde_json` typed v2 reply alone", &mut || {
        black_box(serde_json::from_slice::<SendMessageResponse>(black_box(body)).unwrap());
    });
    let dedup = Dedup::new(DedupConfig::default());
    let ids: Vec<String> = (0..n).map(|i| format!("id-{i:08}")).collect();
    let mut next = ids.iter();
    // the in-memory store answers at once: its futures are ready when made
    per_op(
        "`DedupStore::claim` + `DeliveryTicket::delivered` on `Dedup` (new id)",
        &mut || {
            if let Some(id) = next.next()
                && let Some(Ok(StoreClaim::New(ticket))) = dedup.claim(id).now_or_never()
            {
                black_box(ticket.delivered().now_or_never());
            }
        },
    );
}
