//! Drives a `FrameDecoder` over a body cut into chunks, the way a transport would, and records
//! everything it says. Shared by the decoder's test files.
// Test support may panic on what it did not expect; not every test file uses every helper.
#![allow(dead_code, clippy::expect_used, clippy::panic)]

use gptbots_protocol::stream::{Frame, FrameDecoder, FrameError};
use gptbots_protocol::testing;

/// One item the decoder gave.
pub type Item = Result<Frame, FrameError>;

pub use gptbots_protocol::testing::Run;

pub fn decoder(max: Option<usize>) -> FrameDecoder {
    match max {
        Some(max) => FrameDecoder::with_max_frame_size(max),
        None => FrameDecoder::new(),
    }
}

/// Feeds `body` in the given chunk lengths (the last chunk takes the rest), then ends it.
pub fn run_chunks(body: &[u8], chunks: impl IntoIterator<Item = usize>, max: Option<usize>) -> Run {
    testing::run(decoder(max), body, chunks)
}

pub fn run_whole(body: &[u8], max: Option<usize>) -> Run {
    run_chunks(body, [body.len()], max)
}

/// Cuts `body` at the given (sorted) points.
pub fn run_cut(body: &[u8], points: &[usize], max: Option<usize>) -> Run {
    let mut lens = Vec::new();
    let mut last = 0;
    for &p in points {
        lens.push(p - last);
        last = p;
    }
    lens.push(body.len() - last);
    run_chunks(body, lens.into_iter().filter(|&n| n > 0), max)
}

/// Asserts that every cut of `body` at one point, at every pair of points (bodies up to 200
/// bytes), and byte by byte, gives exactly what the whole body gives. Returns the whole run.
#[track_caller]
pub fn assert_split_invariant(body: &[u8], max: Option<usize>) -> Run {
    let whole = run_whole(body, max);
    let bytewise = run_chunks(body, std::iter::repeat(1), max);
    assert_eq!(bytewise.items, whole.items, "byte by byte differs");
    assert_eq!(bytewise.end, whole.end, "byte by byte differs at the end");
    for a in 1..body.len() {
        let run = run_cut(body, &[a], max);
        assert_eq!(run.items, whole.items, "cut at {a} differs");
        assert_eq!(run.end, whole.end, "cut at {a} differs at the end");
    }
    if body.len() <= 200 {
        for a in 1..body.len() {
            for b in a + 1..body.len() {
                let run = run_cut(body, &[a, b], max);
                assert_eq!(run.items, whole.items, "cuts at {a} and {b} differ");
                assert_eq!(run.end, whole.end, "cuts at {a} and {b} differ at the end");
            }
        }
    }
    whole
}
