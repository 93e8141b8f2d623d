//! Every documented stream in `conformance/vectors/stream` decodes to the same frames whole, at
//! every chunk size from 1 to 64, and re-laid out as SSE (with `\r\n`, a BOM and `[DONE]`) or
//! run together; the frames are pinned by an insta snapshot.
// Tests may panic on what they did not expect.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod decode_support;

use std::path::PathBuf;

use gptbots_protocol::stream::{EncodeStyle, Frame, FrameEncoder, ReplyAssembler, ReplyStatus};

use decode_support::{run_chunks, run_whole};

fn stream_vectors() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../conformance/vectors/stream"
    ));
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    assert!(out.len() >= 3, "expected the three documented streams");
    out
}

/// Lays a bare body out as SSE events, line by line (each documented stream has at least one
/// frame a line, one line with two frames run together), with CRLF, a BOM, an SSE preamble
/// and `[DONE]`.
fn as_sse(body: &[u8]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF: connected\r\nevent: message\r\nretry: 3000\r\n\r\n".to_vec();
    for line in body.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        out.extend_from_slice(b"data:");
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n\r\n");
    }
    out.extend_from_slice(b"data: [DONE]\r\n\r\n");
    out
}

#[test]
fn every_stream_decodes_the_same_at_every_chunk_size() {
    for (name, body) in stream_vectors() {
        let whole = run_whole(&body, None);
        let frames = whole.clean_frames();
        assert!(frames.last().is_some_and(Frame::is_end), "{name}: no End");
        for size in 1..=64 {
            let run = run_chunks(&body, std::iter::repeat(size), None);
            assert_eq!(run.items, whole.items, "{name} in chunks of {size}");
            assert_eq!(run.end, Ok(()), "{name} in chunks of {size}");
        }
        let sse = as_sse(&body);
        for size in (1..=64).chain([sse.len()]) {
            let run = run_chunks(&sse, std::iter::repeat(size), None);
            assert_eq!(
                run.clean_frames(),
                frames,
                "{name} as SSE in chunks of {size}"
            );
        }
        insta::assert_json_snapshot!(format!("stream-{name}"), frames);
    }
}

#[test]
fn every_stream_survives_re_encoding_in_every_style() {
    for (name, body) in stream_vectors() {
        let frames = run_whole(&body, None).clean_frames();
        for style in [EncodeStyle::Sse, EncodeStyle::Lines, EncodeStyle::Joined] {
            let wire = FrameEncoder::new(style).encode_to_vec(&frames);
            for size in [1, 2, 3, 5, 16, 64, wire.len()] {
                let run = run_chunks(&wire, std::iter::repeat(size), None);
                assert_eq!(run.clean_frames(), frames, "{name} as {style:?} in {size}s");
            }
        }
    }
}

#[test]
fn every_stream_assembles_complete() {
    for (name, body) in stream_vectors() {
        let mut assembler = ReplyAssembler::new();
        for frame in run_whole(&body, None).clean_frames() {
            assembler.push(&frame);
        }
        let reply = assembler.finish();
        assert_eq!(reply.status(), ReplyStatus::Complete, "{name}");
        assert!(reply.message_id.is_some(), "{name}");
        insta::assert_json_snapshot!(format!("assembled-{name}"), reply);
    }
}
