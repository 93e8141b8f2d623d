//! The decoder with its tries (a frame read before it is scanned) against the
//! scanner alone: the same items and the same end at every split. The named edge cases of
//! the whole decoder are in `tests/decoder.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;
use crate::testing::{Driver, pieces};

/// Items and the end of a run, plus, for each frame, whether it closed without a scan.
#[derive(Debug, PartialEq)]
struct Run {
    items: Vec<DecodedItem>,
    end: Option<FrameError>,
    speculated: Vec<bool>,
}

fn run(body: &[u8], chunks: &[usize], max: usize, speculate: bool) -> Run {
    let mut dec = FrameDecoder::with_max_frame_size(max);
    dec.tries.speculate = speculate;
    let mut driver = Driver::new(dec);
    let (mut items, mut speculated) = (Vec::new(), Vec::new());
    let mut each = |item: DecodedItem, dec: &FrameDecoder, _: &BytesMut| {
        if item.is_ok() {
            speculated.push(dec.tries.spec);
        }
        items.push(item);
        Ok::<(), StreamError>(())
    };
    for piece in pieces(body, chunks.iter().copied().cycle()) {
        driver.feed(piece, &mut each).unwrap();
        let held = driver.buffer().len();
        assert!(
            held <= max + piece.len() + 64,
            "buffer {held} past the bound"
        );
    }
    let end = driver.finish(&mut each).err();
    Run {
        items,
        end: end.and_then(|err| err.as_frame_error().cloned()),
        speculated,
    }
}

/// Every cut at one point and byte by byte, with and without speculation, gives what the
/// scanner alone gives on the whole body. Returns the speculative whole-body run.
fn same_at_every_split(body: &[u8], max: usize) -> Run {
    let reference = run(body, &[body.len()], max, false);
    let whole = run(body, &[body.len()], max, true);
    assert_eq!(whole.items, reference.items, "whole");
    assert_eq!(whole.end, reference.end, "whole, end");
    for speculate in [true, false] {
        let bytewise = run(body, &[1], max, speculate);
        assert_eq!(bytewise.items, reference.items, "byte by byte");
        assert_eq!(bytewise.end, reference.end, "byte by byte, end");
        for a in 1..body.len() {
            let cut = run(body, &[a, body.len()], max, speculate);
            assert_eq!(cut.items, reference.items, "cut at {a} ({speculate})");
            assert_eq!(cut.end, reference.end, "cut at {a}, end ({speculate})");
        }
    }
    whole
}

const TEXT: &str = r#"{"code":3,"message":"Text","data":"a}b{c"}"#;
const INFO: &str = r#"{"code":11,"message":"MessageInfo","data":{"message_id":"m1"}}"#;

#[test]
fn speculation_parses_whole_frames_without_a_scan() {
    let body = format!("{INFO}\n{TEXT} {TEXT}{TEXT}\r\n");
    let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
    assert_eq!(whole.items.len(), 4);
    assert!(whole.items.iter().all(Result::is_ok));
    assert_eq!(whole.speculated, vec![true; 4]);
    // Byte by byte, a frame is tried when its first `}` comes. For INFO (nested, read by
    // serde_json) that `}` is not the last, so the try runs out of bytes after a `}` and
    // the scanner takes the frame (see `SPEC_TRIES`). TEXT's first `}` is in its text: the
    // compact reader finds the bytes short of the frame's end, and the frame waits for the
    // next `}`...
    let bytewise = run(body.as_bytes(), &[1], DEFAULT_MAX_FRAME_SIZE, true);
    assert_eq!(bytewise.speculated, vec![false, true, true, true]);
    // ...while a frame whose only `}` is its last is parsed without a scan.
    let plain = r#"{"code":3,"message":"Text","data":"plain"}"#;
    let body = format!(
        "{plain}
{plain}{plain}"
    );
    let bytewise = run(body.as_bytes(), &[1], DEFAULT_MAX_FRAME_SIZE, true);
    assert_eq!(bytewise.speculated, vec![true; 3]);
    same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
}

#[test]
fn speculation_parses_sse_frames_on_their_line() {
    let body = format!("data: {INFO}\n\ndata:{TEXT}{TEXT}\r\n\r\ndata: {TEXT}\n");
    let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
    assert_eq!(whole.speculated, vec![true; 4]);
}

#[test]
fn speculation_falls_back_on_an_incomplete_frame() {
    // `}` in strings before the end: byte by byte, the try at the first `}` finds the
    // bytes short and waits; the try at the second finds them short again, the frame's one
    // wait is taken, and the frame is scanned from its start. (The next frame has a single
    // `}` in its text, and waits once.)
    let frame = r#"{"code":3,"message":"Text","data":"}}}}"}"#;
    let body = format!("{frame}\n{TEXT}");
    let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
    assert_eq!(whole.speculated, vec![true, true]);
    let bytewise = run(body.as_bytes(), &[1], DEFAULT_MAX_FRAME_SIZE, true);
    assert_eq!(bytewise.speculated, vec![false, true]);
    // Cut short: the frame is truncated, as the scanner says.
    let cut = &body.as_bytes()[..frame.len() - 1];
    let whole = same_at_every_split(cut, DEFAULT_MAX_FRAME_SIZE);
    assert!(matches!(
        whole.end.map(|e| e.kind),
        Some(FrameErrorKind::Truncated { bytes_left }) if bytes_left == cut.len() as u64
    ));
}

/// An Audio frame ends `"}}`: a chunk that ends between the two `}` finds the compact
/// reader short, and the frame waits for the next `}` rather than being scanned (which, on
/// megabytes of base64, costs a failed serde_json read, a scan and a parse).
#[test]
fn speculation_waits_between_an_audio_frames_closing_braces() {
    let audio = r#"{"code":39,"message":"Audio","data":{"audioAnswer":"QUJD","transcript":"}"}}"#;
    for body in [
        format!("{audio}\n{TEXT}"),
        format!("data: {audio}\n\ndata: {TEXT}\n\n"),
    ] {
        let body = body.as_bytes();
        let whole = same_at_every_split(body, DEFAULT_MAX_FRAME_SIZE);
        assert_eq!(whole.speculated, vec![true, true]);
        // Cut just before the last `}`.
        let between = body.windows(3).position(|w| w == br#""}}"#).unwrap() + 2;
        let cut = run(body, &[between, body.len()], DEFAULT_MAX_FRAME_SIZE, true);
        assert_eq!(cut.speculated, vec![true, true], "cut between the braces");
        // Byte by byte, the `}` in the transcript takes the one wait, and the frame is
        // scanned.
        let bytewise = run(body, &[1], DEFAULT_MAX_FRAME_SIZE, true);
        assert_eq!(bytewise.speculated, vec![false, true]);
    }
}

#[test]
fn speculation_falls_back_on_invalid_json_and_non_frames() {
    let body = format!(
        "{TEXT}{{\"code\":3,\"data\":\"a\",}}\n{TEXT}{{\"code\":\"3\"}}{TEXT}{{\"code\":3,\"data\":\"\\q\"}}{TEXT}"
    );
    let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
    let kinds: Vec<_> = whole
        .items
        .iter()
        .map(|i| i.as_ref().err().map(|e| &e.kind))
        .collect();
    assert!(matches!(kinds[1], Some(FrameErrorKind::InvalidJson { .. })));
    assert!(matches!(kinds[3], Some(FrameErrorKind::NotAFrame { .. })));
    assert!(matches!(kinds[5], Some(FrameErrorKind::InvalidJson { .. })));
    assert_eq!(whole.speculated, vec![true; 4]);
}

#[test]
fn speculation_falls_back_on_invalid_utf8() {
    let mut body = TEXT.as_bytes().to_vec();
    body.extend_from_slice(b"{\"code\":3,\"data\":\"\xF0\x9F\x98\"}");
    body.extend_from_slice(TEXT.as_bytes());
    let whole = same_at_every_split(&body, DEFAULT_MAX_FRAME_SIZE);
    assert!(matches!(
        whole.items[1].as_ref().map_err(|e| &e.kind),
        Err(FrameErrorKind::InvalidUtf8 { .. })
    ));
}

#[test]
fn speculation_never_passes_an_oversized_frame() {
    // Valid frames, one byte over the limit and exactly at it, whole in the buffer.
    let max = TEXT.len();
    let over = r#"{"code":3,"message":"Text","data":"a}b{cd"}"#;
    assert_eq!(over.len(), max + 1);
    let body = format!("{over}{TEXT}\n{over}");
    let whole = same_at_every_split(body.as_bytes(), max);
    let ok: Vec<bool> = whole.items.iter().map(Result::is_ok).collect();
    assert_eq!(ok, vec![false, true, false]);
    assert!(matches!(
        whole.items[0].as_ref().map_err(|e| &e.kind),
        Err(FrameErrorKind::TooLarge { limit }) if *limit == max
    ));
}

#[test]
fn speculation_stops_at_the_line_end_of_a_data_line() {
    // serde_json alone would read this frame across its line end; SSE ends the event at the
    // second line, which is not a `data:` line.
    let body = "data: {\"code\":3,\"message\":\"Text\",\n\"data\":\"x\"}\n\ndata: {\"code\":0,\n\ndata: {\"code\":0,\ndata: \"data\":null}\n\n";
    let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
    let ok: Vec<bool> = whole.items.iter().map(Result::is_ok).collect();
    assert!(ok.contains(&false), "{whole:?}");
    assert_eq!(whole.items.last().map(Result::is_ok), Some(true));
    assert_eq!(whole.speculated, vec![false]);
}

#[test]
fn frames_read_where_they_lie_come_out_as_the_steps_give_them() {
    // Separators stepped over in one go (`\n`, `\r\n`, blank lines, tabs and spaces,
    // `data:` with and without its space, `}{` on one data line), and ones left to the
    // steps (a comment, `event:`, `[DONE]`); frames longer than the one before (tried
    // before all of them has come when split), and a `data:` frame its line end cuts.
    let body = format!(
        "{TEXT}\n{INFO}\r\n\t {TEXT}data:{TEXT}{TEXT}\n\ndata: \t{INFO}\r\n\r\n: c\nevent: e\n\
         data: [DONE]\ndata: {TEXT}\n{TEXT}\ndata: {{\"code\":3,\n\"data\":\"x\"}}\n\n{TEXT}"
    );
    let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
    let ok: Vec<bool> = whole.items.iter().map(Result::is_ok).collect();
    assert_eq!(
        ok,
        [vec![true; 8], vec![false, false], vec![true]].concat(),
        "{whole:?}"
    );
    assert!(matches!(
        whole.items[8].as_ref().map_err(|e| &e.kind),
        Err(FrameErrorKind::InvalidJson { .. })
    ));
}

#[test]
fn scanner_counts_backslash_runs_at_every_split() {
    // Runs of backslashes of every length before a quote, with speculation off and on.
    let mut body = String::new();
    for run in 0..6 {
        let escapes = "\\\\".repeat(run / 2) + if run % 2 == 1 { "\\\"" } else { "" };
        body += &format!(r#"{{"code":3,"data":"{escapes}}}{{\\"}}"#);
    }
    let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
    assert_eq!(whole.items.len(), 6);
    assert!(whole.items.iter().all(Result::is_ok), "{whole:?}");
}

proptest::proptest! {
    /// JSON-ish and SSE-ish fragments in any order, any limit, split anywhere: the same
    /// items and end with speculation as with the scanner alone.
    #[test]
    fn speculation_never_changes_what_comes_out(
        parts in proptest::collection::vec(0usize..FRAGMENTS.len(), 0..48),
        max in proptest::prop_oneof![proptest::strategy::Just(DEFAULT_MAX_FRAME_SIZE), 1usize..64],
        chunks in proptest::collection::vec(1usize..24, 1..8),
    ) {
        let body: Vec<u8> = parts.iter().flat_map(|&i| FRAGMENTS[i].iter().copied()).collect();
        let reference = run(&body, &[body.len().max(1)], max, false);
        for speculate in [true, false] {
            let whole = run(&body, &[body.len().max(1)], max, speculate);
            proptest::prop_assert_eq!(&whole.items, &reference.items);
            proptest::prop_assert_eq!(&whole.end, &reference.end);
            let split = run(&body, &chunks, max, speculate);
            proptest::prop_assert_eq!(&split.items, &reference.items);
            proptest::prop_assert_eq!(&split.end, &reference.end);
        }
    }
}

const FRAGMENTS: &[&[u8]] = &[
    b"{",
    b"}",
    b"\"",
    b"\\",
    b":",
    b",",
    b"\"code\":3,",
    b"{\"code\":3,\"message\":\"Text\",\"data\":\"a\"}",
    b"{\"code\":11,\"data\":{\"message_id\":\"m\"}}",
    b"\"data\":",
    b"\"x\"",
    b"\n",
    b"\r\n",
    b"data: ",
    b"data:",
    b" ",
    b"[DONE]",
    b"\xF0\x9F",
    b"[",
    b"]",
    b"null",
    b"\\\"",
    // The pieces of the compact Text and Audio frames that `first_frame` reads without
    // serde_json, and what their strings may hold.
    b"{\"code\":3,\"message\":\"",
    b"\",\"data\":\"",
    b"\"}",
    b"{\"code\":39,\"message\":\"",
    b"\",\"data\":{\"audioAnswer\":\"",
    b"\",\"transcript\":\"",
    b"\"}}",
    b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx",
    b"\\u00e9",
    b"\\ud83d",
    b"\\ude00",
    b"\\n",
    b"\t",
    b"\xe4\xbd\xa0",
];
