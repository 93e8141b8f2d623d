//! Our decoder against the serde_json floor, timed in interleaved pairs (issue 3's targets).
//!
//! `cargo bench -p gptbots-protocol --bench decoder_ratio [-- PAIRS [FILTER]]`
//!
//! The criterion bench (`--bench decoder`) times the floor first and then each chunk size, a
//! minute or more apart; on a virtual machine whose speed drifts by 20 to 50 % over minutes,
//! that drift goes straight into the ratio. Here each measurement is a *pair*: one pass of
//! the floor over the bare body and one pass of our decoder over the same frames, run back to
//! back (in alternating order, so neither always runs second), and the ratio is taken within
//! the pair: `floor time / our time` (1.0 = as fast as the floor). The table gives the median
//! and the quartiles of PAIRS pairs (default 41) for every body, style and chunk size, and
//! the same for feeding alone (`feed_only`: appending the chunks to a `BytesMut` and dropping
//! each frame once all of it is there, no decoding). Feeding alone takes `1 / feed` floor
//! times, so a decoder fed through a buffer that parses as the floor does (serde_json into
//! `Frame`) cannot beat `ceiling = 1 / (1 + 1 / feed)`: the table gives that too. Ours reads
//! the usual Text frame with a reader of its own, faster than serde_json, so on the text body
//! it goes past that ceiling; the last column times it against parsing alone with that same
//! reader (`same_parse`, the frames of the bare body one by one), which is what the decoder
//! adds to its own parsing: feeding, finding frames, the calls.
//!
//! A first line times the floor against itself the same way: it should read 1.00, and how far
//! its quartiles spread is the instrument's own noise.
//!
//! FILTER keeps the cases whose name (`text_1mb/sse/16`) contains it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::hint::black_box;
use std::time::Instant;

use common::{Body, Style, feed_only, floor, ours, same_parse};

const CHUNKS: &[Option<usize>] = &[Some(1), Some(16), Some(1460), Some(65536), None];

/// The target for a chunk size: at least this many times the floor's throughput.
fn target(chunk: Option<usize>) -> f64 {
    if chunk == Some(1) { 0.5 } else { 0.9 }
}

fn seconds(f: impl FnOnce() -> usize) -> f64 {
    let start = Instant::now();
    black_box(f());
    start.elapsed().as_secs_f64()
}

/// Median and quartiles of `floor / subject` over `pairs` interleaved pairs.
fn pair_ratios(
    pairs: usize,
    floor_run: impl Fn() -> usize,
    subject: impl Fn() -> usize,
) -> [f64; 3] {
    // Warm both up (page faults, allocator, caches) before the first pair.
    black_box(floor_run());
    black_box(subject());
    let mut ratios: Vec<f64> = (0..pairs)
        .map(|i| {
            let (f, s) = if i % 2 == 0 {
                let f = seconds(&floor_run);
                (f, seconds(&subject))
            } else {
                let s = seconds(&subject);
                (seconds(&floor_run), s)
            };
            f / s
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    [at(0.25), at(0.5), at(0.75)]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let pairs: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(41);
    let filter = args.get(1).cloned().unwrap_or_default();
    println!("{pairs} interleaved pairs per case; ratio = floor time / time (median [quartiles])");
    println!();
    // The instrument itself: the floor against itself, which should read 1.00.
    let text = common::text_body();
    let [lo, mid, hi] = pair_ratios(pairs, || floor(&text.bare), || floor(&text.bare));
    println!("calibration, floor / floor on text_1mb: {mid:.2} [{lo:.2}, {hi:.2}]");
    drop(text);
    println!();
    println!(
        "| body | style | chunk | ours / floor | target | feed only / floor | ceiling if parsed as the floor | ours / same parse alone |"
    );
    println!("|---|---|---|---:|---|---:|---:|---:|");
    let bodies: [fn() -> Body; 2] = [common::text_body, common::audio_body];
    for make in bodies {
        let body = make();
        for style in [Style::Bare, Style::Sse] {
            let input = body.style(style);
            for &chunk in CHUNKS {
                let name = chunk.map_or_else(|| "whole".to_owned(), |c| c.to_string());
                let case = format!("{}/{}/{}", body.name, style.name(), name);
                if !case.contains(&filter) {
                    continue;
                }
                let size = chunk.unwrap_or(input.len());
                assert_eq!(ours(input, size), body.frames, "{case}");
                let floor_run = || floor(&body.bare);
                let [lo, mid, hi] = pair_ratios(pairs, floor_run, || ours(input, size));
                let [flo, fmid, fhi] = pair_ratios(pairs.min(11), floor_run, || {
                    feed_only(input, size, body.ends(style))
                });
                let ceiling = 1.0 / (1.0 + 1.0 / fmid);
                let bare_ends = &body.bare_ends;
                let [slo, smid, shi] = pair_ratios(
                    pairs.min(11),
                    || same_parse(&body.bare, bare_ends),
                    || ours(input, size),
                );
                let want = target(chunk);
                let verdict = if mid >= want { "met" } else { "**missed**" };
                println!(
                    "| {} | {} | {name} | {mid:.2} [{lo:.2}, {hi:.2}] | ≥ {want} {verdict} | {fmid:.2} [{flo:.2}, {fhi:.2}] | {ceiling:.2} | {smid:.2} [{slo:.2}, {shi:.2}] |",
                    body.name,
                    style.name()
                );
            }
        }
    }
}
