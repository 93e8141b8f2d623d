//! Peak memory while decoding, against the bound "largest frame plus one chunk" (issue 3).
//!
//! `cargo bench -p gptbots-protocol --bench decoder_memory` prints a table (no timing). For
//! each body, style and chunk size it reports, for our decoder fed through a `BytesMut`:
//! - `buffered`: the most bytes held in the buffer at any time (after appending a chunk,
//!   before decoding it), the quantity the issue bounds by the largest frame plus one chunk;
//! - `capacity`: the largest capacity the `BytesMut` reached (its growth policy, not ours);
//! - `heap`: the peak of all heap bytes allocated during the decode (a counting global
//!   allocator), so including the decoded frame being built and serde_json's own allocations;
//!
//! and the heap peak of the baselines on the same input. The body itself is allocated before
//! the measurement starts and is not counted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::alloc::System;

use bytes::BytesMut;
use common::{Body, MIB, Style, eventsource, floor, ours_with, reparse};
use gptbots_protocol::stream::{DecodedItem, FrameDecoder, StreamError};
use gptbots_protocol::testing::Driver;
use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};

#[global_allocator]
static GLOBAL: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Peak heap bytes allocated while running `f` (above what was allocated before it).
fn heap_peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
    GLOBAL.reset_peak_memory();
    let out = f();
    (out, GLOBAL.get_peak_memory())
}

struct Ours {
    frames: usize,
    buffered: usize,
    capacity: usize,
    heap: usize,
}

fn measure_ours(decoder: FrameDecoder, input: &[u8], chunk: usize) -> Ours {
    let mut buffered = 0;
    let mut capacity = 0;
    let (frames, heap) = heap_peak(|| {
        ours_with(decoder, input, chunk, |buf| {
            buffered = buffered.max(buf.len());
            capacity = capacity.max(buf.capacity());
        })
    });
    Ours {
        frames,
        buffered,
        capacity,
        heap,
    }
}

fn kib(n: usize) -> String {
    format!("{:.1}", n as f64 / 1024.0)
}

fn row(body: &Body, style: Style, chunk: Option<usize>, baselines: bool) {
    let input = body.style(style);
    let size = chunk.unwrap_or(input.len());
    let ours = measure_ours(FrameDecoder::new(), input, size);
    assert_eq!(ours.frames, body.frames);
    let bound = body.largest_frame + size;
    let (es, rp) = if baselines {
        let es = (style == Style::Sse).then(|| heap_peak(|| eventsource(input, size)).1);
        let rp = heap_peak(|| reparse(input, size)).1;
        (es.map_or_else(|| "-".to_owned(), kib), kib(rp))
    } else {
        ("(skipped)".to_owned(), "(skipped)".to_owned())
    };
    println!(
        "| {} | {} | {} | {} | {} | {} | {:.2} | {} | {} | {} | {} |",
        body.name,
        style.name(),
        chunk.map_or_else(|| "whole".to_owned(), |c| c.to_string()),
        kib(body.largest_frame),
        kib(bound),
        kib(ours.buffered),
        ours.buffered as f64 / bound as f64,
        kib(ours.capacity),
        kib(ours.heap),
        es,
        rp,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    println!(
        "| body | style | chunk | largest frame KiB | bound KiB (frame + chunk) | ours buffered KiB | buffered / bound | ours BytesMut capacity KiB | ours heap peak KiB | eventsource heap peak KiB | reparse heap peak KiB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let text = common::text_body();
    let audio = common::audio_body();
    let big = common::big_frame_body();
    for body in [&text, &audio, &big] {
        let floor_heap = heap_peak(|| floor(&body.bare)).1;
        for style in [Style::Bare, Style::Sse] {
            for chunk in [Some(1), Some(16), Some(1460), Some(65536), None] {
                // The quadratic baselines only where they finish in seconds.
                let size = chunk.unwrap_or(body.bare.len());
                let baselines = body.largest_frame <= 64 * 1024 || size >= 8 * 1024;
                row(body, style, chunk, baselines);
            }
        }
        println!(
            "| {} | bare | whole | serde_json floor heap peak: {} KiB | | | | | | | |",
            body.name,
            kib(floor_heap)
        );
    }

    // An oversized frame: 8 MiB against a 1 MiB maximum, in 8 KiB chunks. The decoder must
    // drop its bytes as it scans them, so it never holds more than the maximum plus a chunk.
    println!();
    println!(
        "| oversized frame (max 1 MiB) | style | chunk | bound KiB (max + chunk) | ours buffered KiB | ours heap peak KiB | items |"
    );
    println!("|---|---|---|---|---|---|---|");
    for style in [Style::Bare, Style::Sse] {
        let input = big.style(style);
        let chunk = 8 * 1024;
        let mut buffered = 0;
        let mut items = Vec::new();
        let (_, heap) = heap_peak(|| {
            let mut driver = Driver::new(FrameDecoder::with_max_frame_size(MIB));
            let mut each = |item: DecodedItem, _: &FrameDecoder, _: &BytesMut| {
                items.push(item.map(|_| "frame").map_err(|e| e.kind.to_string()));
                Ok::<(), StreamError>(())
            };
            for piece in input.chunks(chunk) {
                driver.push(piece);
                buffered = buffered.max(driver.buffer().len());
                driver.drain(&mut each).unwrap();
            }
            driver.finish(&mut each).unwrap();
        });
        println!(
            "| 8 MiB frame | {} | {} | {} | {} | {} | {:?} |",
            style.name(),
            chunk,
            kib(MIB + chunk),
            kib(buffered),
            kib(heap),
            items
        );
    }
}
