//! Passes of the stream decoder, the serde_json floor or feeding alone over one of the bench
//! bodies, and nothing else: the program to count instructions of with callgrind, which,
//! unlike timings on a shared virtual machine, repeats to the instruction.
//!
//! ```sh
//! cargo build --release -p gptbots-protocol --example decode_pass
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/decode_pass text bare 1460 3
//! ```
//!
//! Arguments: `text|audio|big` (`big`: the 8 MiB frame), `bare|sse`, what to run (`N`: ours in N-byte chunks, `whole`,
//! `floor`, `feedN`: feeding alone in N-byte chunks) and how many passes. One pass costs the
//! difference between the counts for `P` and `P - 1` passes (the bodies are built first, the
//! same in both). BENCHMARKS.md has the figures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../benches/common/mod.rs"]
mod common;

use common::{Style, feed_only, floor, ours};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: decode_pass text|audio|big bare|sse N|whole|floor|feedN PASSES";
    let [body, style, what, passes] = args.as_slice() else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let body = match body.as_str() {
        "text" => common::text_body(),
        "audio" => common::audio_body(),
        "big" => common::big_frame_body(),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let style = if style == "sse" {
        Style::Sse
    } else {
        Style::Bare
    };
    let input = body.style(style);
    let passes: usize = passes.parse().expect("PASSES is a number");
    for _ in 0..passes {
        let n = match what.as_str() {
            "floor" => floor(&body.bare),
            "whole" => ours(input, input.len()),
            feed if feed.starts_with("feed") => {
                let chunk = feed["feed".len()..].parse().expect("feedN");
                feed_only(input, chunk, body.ends(style))
            }
            chunk => ours(input, chunk.parse().expect("a chunk size")),
        };
        std::hint::black_box(n);
    }
}
