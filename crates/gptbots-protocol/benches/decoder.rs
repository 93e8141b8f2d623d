//! Throughput of the stream decoder against its baselines, in one run (issue 3).
//!
//! `cargo bench -p gptbots-protocol --bench decoder` (add `-- --noplot`, or a filter such as
//! `-- text_1mb/sse`). Results and how to read them: BENCHMARKS.md at the workspace root.
//!
//! Groups: `<body>/<style>` for the 1 MiB text body and the 4 x 2 MiB audio body in bare
//! (one JSON a line) and SSE styles, and `frame_8mb/1024_chunks` (where `ours_whole/<style>` is
//! the same frame fed whole, to compare the chunks against). In each group:
//! - `ours/<chunk>`: `FrameDecoder` fed `<chunk>` bytes at a time (`whole` = one chunk);
//! - `serde_json_floor`: serde_json's `StreamDeserializer::<Frame>` over the whole bare body,
//!   the floor (parsing alone); in SSE groups it still runs on the bare body of the same frames;
//! - `same_parse`: `Frame::from_slice` on each frame of the bare body, the reader our decoder
//!   uses (the compact Text frame reader, else serde_json): parsing alone, our way (context for
//!   what the decoder adds to its own parsing, not a baseline of the issue);
//! - `eventsource/<chunk>` (SSE only): eventsource-stream, then `serde_json::from_str::<Frame>`;
//! - `reparse/<chunk>`: the re-parse-from-the-frame-start recipe;
//! - `feed_only/<chunk>`: no decoding, only appending the chunks to a `BytesMut` and dropping
//!   each frame once it is all there (frame ends known beforehand): what feeding alone costs
//!   any buffer-fed decoder at that chunk size (context for the ratios, not a baseline).
//!
//! Quadratic baselines are left out where one iteration would take minutes (the skipped cases
//! are printed, with the estimate).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use common::{Body, MIB, Style, eventsource, feed_only, floor, ours, reparse, same_parse};
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

const CHUNKS: &[Option<usize>] = &[Some(1), Some(16), Some(1460), Some(65536), None];

fn chunk_name(chunk: Option<usize>) -> String {
    chunk.map_or_else(|| "whole".to_owned(), |c| c.to_string())
}

/// Bytes a re-scanning baseline examines: each chunk re-reads the unfinished frame, so about
/// `frame^2 / (2 * chunk)` per frame.
fn rescan_cost(body: &Body, chunk: usize) -> f64 {
    let frame = body.largest_frame as f64;
    let big_frames = (body.bare.len() as f64 / frame).max(1.0);
    big_frames * frame * frame / (2.0 * chunk as f64)
}

/// Beyond this many bytes re-scanned (a few seconds an iteration), a baseline is skipped.
const RESCAN_BUDGET: f64 = 8e9;

fn check(body: &Body) {
    // Every decoder sees the same frames before anything is timed.
    let expected = floor(&body.bare);
    assert_eq!(expected, body.frames, "{}: floor", body.name);
    assert_eq!(ours(&body.bare, 1460), expected, "{}: ours bare", body.name);
    assert_eq!(ours(&body.sse, 1460), expected, "{}: ours sse", body.name);
    assert_eq!(
        eventsource(&body.sse, 65536),
        expected,
        "{}: eventsource",
        body.name
    );
    assert_eq!(
        reparse(&body.bare, 65536),
        expected,
        "{}: reparse bare",
        body.name
    );
    assert_eq!(
        reparse(&body.sse, 65536),
        expected,
        "{}: reparse sse",
        body.name
    );
}

fn body_group(c: &mut Criterion, body: &Body, style: Style) {
    let input = body.style(style);
    let mut group = c.benchmark_group(format!("{}/{}", body.name, style.name()));
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));

    group.throughput(Throughput::Bytes(body.bare.len() as u64));
    group.bench_function("serde_json_floor", |b| b.iter(|| floor(&body.bare)));
    group.bench_function("same_parse", |b| {
        b.iter(|| same_parse(&body.bare, &body.bare_ends))
    });

    group.throughput(Throughput::Bytes(input.len() as u64));
    for &chunk in CHUNKS {
        let size = chunk.unwrap_or(input.len());
        let name = chunk_name(chunk);
        group.bench_with_input(BenchmarkId::new("ours", &name), &size, |b, &size| {
            b.iter(|| ours(input, size))
        });
        group.bench_with_input(BenchmarkId::new("feed_only", &name), &size, |b, &size| {
            b.iter(|| feed_only(input, size, body.ends(style)))
        });
        let cost = rescan_cost(body, size);
        if cost > RESCAN_BUDGET {
            println!(
                "{}/{}: eventsource and reparse skipped at chunk {name}: ~{:.0e} bytes to re-scan",
                body.name,
                style.name(),
                cost
            );
            continue;
        }
        if style == Style::Sse {
            group.bench_with_input(BenchmarkId::new("eventsource", &name), &size, |b, &size| {
                b.iter(|| eventsource(input, size))
            });
        }
        group.bench_with_input(BenchmarkId::new("reparse", &name), &size, |b, &size| {
            b.iter(|| reparse(input, size))
        });
    }
    group.finish();
}

/// One 8 MiB frame fed in 1024 chunks: re-scanning decoders go quadratic here.
fn big_frame(c: &mut Criterion) {
    let body = common::big_frame_body();
    check(&body);
    let mut group = c.benchmark_group("frame_8mb/1024_chunks");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Bytes(body.bare.len() as u64));
    group.bench_function("serde_json_floor", |b| b.iter(|| floor(&body.bare)));
    for style in [Style::Bare, Style::Sse] {
        let input = body.style(style);
        let chunk = input.len().div_ceil(1024);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(format!("ours/{}", style.name()), |b| {
            b.iter(|| ours(input, chunk))
        });
        // The same frame fed whole: what the 1024 chunks are compared against.
        group.bench_function(format!("ours_whole/{}", style.name()), |b| {
            b.iter(|| ours(input, input.len()))
        });
        if style == Style::Sse {
            group.bench_function("eventsource/sse", |b| b.iter(|| eventsource(input, chunk)));
        }
        group.bench_function(format!("reparse/{}", style.name()), |b| {
            b.iter(|| reparse(input, chunk))
        });
    }
    group.finish();
}

fn bodies(c: &mut Criterion) {
    for body in [common::text_body(), common::audio_body()] {
        check(&body);
        println!(
            "{}: {} frames, bare {} bytes, sse {} bytes, largest frame {} bytes ({:.2} MiB)",
            body.name,
            body.frames,
            body.bare.len(),
            body.sse.len(),
            body.largest_frame,
            body.bare.len() as f64 / MIB as f64
        );
        for style in [Style::Bare, Style::Sse] {
            body_group(c, &body, style);
        }
    }
}

criterion_group!(benches, bodies, big_frame);
criterion_main!(benches);
