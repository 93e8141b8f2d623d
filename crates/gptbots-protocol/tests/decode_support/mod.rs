//! Drives a `FrameDecoder` over a body cut into chunks, the way a transport would, and records
//! everything it says. Shared by the decoder's test files.
// Test support may panic on what it did not expect; not every test file uses every helper.
#![allow(dead_code, clippy::expect_used, clippy::panic)]

use bytes::BytesMut;
use gptbots_protocol::stream::{Frame, FrameDecoder, FrameError};

/// One item the decoder gave.
pub type Item = Result<Frame, FrameError>;

/// Everything one decode of a body gave: the items in order, and how the stream ended
/// (`Ok(())` clean, `Err` with the error that ended it).
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub items: Vec<Item>,
    pub end: Result<(), FrameError>,
    /// The largest the buffer was between chunks (after the decoder had its say).
    pub max_held: usize,
}

impl Run {
    pub fn frames(&self) -> Vec<Frame> {
        self.items
            .iter()
            .filter_map(|i| i.as_ref().ok().cloned())
            .collect()
    }

    pub fn errors(&self) -> Vec<FrameError> {
        self.items
            .iter()
            .filter_map(|i| i.as_ref().err().cloned())
            .collect()
    }

    /// The frames, asserting there was no error of any kind.
    #[track_caller]
    pub fn clean_frames(&self) -> Vec<Frame> {
        assert_eq!(self.errors(), vec![], "item errors in {self:#?}");
        assert_eq!(self.end, Ok(()), "stream error in {self:#?}");
        self.frames()
    }
}

pub fn decoder(max: Option<usize>) -> FrameDecoder {
    match max {
        Some(max) => FrameDecoder::with_max_frame_size(max),
        None => FrameDecoder::new(),
    }
}

/// Feeds `body` in the given chunk lengths (the last chunk takes the rest), then ends it.
pub fn run_chunks(body: &[u8], chunks: impl IntoIterator<Item = usize>, max: Option<usize>) -> Run {
    let mut dec = decoder(max);
    let mut buf = BytesMut::new();
    let mut items = Vec::new();
    let mut max_held = 0;
    let mut rest = body;
    let mut chunks = chunks.into_iter();
    while !rest.is_empty() {
        let n = chunks.next().unwrap_or(rest.len()).clamp(1, rest.len());
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        buf.extend_from_slice(chunk);
        loop {
            match dec.decode(&mut buf) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => break,
                Err(e) => panic!("decode returned a stream error: {e}"),
            }
        }
        max_held = max_held.max(buf.len());
    }
    // decode_eof must settle within as many calls as there are bytes left, plus one.
    for _ in 0..=buf.len() + 1 {
        match dec.decode_eof(&mut buf) {
            Ok(Some(item)) => items.push(item),
            Ok(None) => {
                return Run {
                    items,
                    end: Ok(()),
                    max_held,
                };
            }
            Err(e) => {
                let err = e.as_frame_error().cloned().expect("a located stream error");
                // After the stream error the decoder is done.
                assert!(matches!(dec.decode_eof(&mut buf), Ok(None)));
                return Run {
                    items,
                    end: Err(err),
                    max_held,
                };
            }
        }
    }
    panic!("decode_eof kept yielding");
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
