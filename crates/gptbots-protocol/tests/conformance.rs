//! Runs the language-neutral stream corpus in `conformance/streams/` (see its README): every
//! body, fed whole and in chunks of 1, 7 and 4096 bytes, must give exactly the lines of its
//! `NAME.expected.jsonl`, and the reply assembled from it the facts of `NAME.assembled.json`.
//!
//! The expected files were written by `write_expected` below and then read line by line
//! against the protocol; to rewrite them after a deliberate change, run
//! `CONFORMANCE_WRITE=1 cargo test -p gptbots-protocol --test conformance -- --ignored` and
//! review the diff.
// Tests may panic on what they did not expect.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod decode_support;

use std::path::{Path, PathBuf};

use gptbots_protocol::stream::{
    FrameError, FrameErrorKind, FramePayload, ReplyAssembler, ReplyStatus,
};
use serde_json::{Value, json};

use decode_support::{Run, run_chunks, run_whole};

/// The chunk sizes every body is fed in, besides whole.
const CHUNK_SIZES: [usize; 3] = [1, 7, 4096];

fn streams_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/streams")
}

/// One case of the corpus.
struct Case {
    name: String,
    body: Vec<u8>,
    /// The case's own maximum frame size (`NAME.manifest.json`), if it has one.
    max_frame_bytes: Option<usize>,
}

fn cases() -> Vec<Case> {
    let dir = streams_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".body").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 30, "only {} stream cases", names.len());
    names
        .into_iter()
        .map(|name| {
            let body = std::fs::read(dir.join(format!("{name}.body"))).unwrap();
            let manifest = dir.join(format!("{name}.manifest.json"));
            let max_frame_bytes = manifest.exists().then(|| {
                let value: Value =
                    serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
                let max = value["max_frame_bytes"]
                    .as_u64()
                    .unwrap_or_else(|| panic!("{name}: manifest without max_frame_bytes"));
                usize::try_from(max).unwrap()
            });
            Case {
                name,
                body,
                max_frame_bytes,
            }
        })
        .collect()
}

/// The stable name of a fault kind, as the corpus writes it.
fn kind_name(err: &FrameError) -> &'static str {
    match err.kind {
        FrameErrorKind::InvalidJson { .. } => "invalid_json",
        FrameErrorKind::NotAFrame { .. } => "not_a_frame",
        FrameErrorKind::InvalidUtf8 { .. } => "invalid_utf8",
        FrameErrorKind::TooLarge { .. } => "too_large",
        FrameErrorKind::UnexpectedByte { .. } => "unexpected_byte",
        FrameErrorKind::Truncated { .. } => "truncated",
        _ => panic!("a fault kind the corpus does not name: {err}"),
    }
}

/// A run as the lines of an `expected.jsonl` file.
fn lines_of(run: &Run) -> Vec<String> {
    let mut out: Vec<String> = run
        .items
        .iter()
        .map(|item| match item {
            Ok(frame) => format!("{{\"frame\":{}}}", serde_json::to_string(frame).unwrap()),
            Err(err) => {
                json!({"fault": {"offset": err.offset, "kind": kind_name(err)}}).to_string()
            }
        })
        .collect();
    out.push(match &run.end {
        Ok(()) => json!({"end": "clean"}).to_string(),
        Err(err) => {
            assert!(
                matches!(err.kind, FrameErrorKind::Truncated { .. }),
                "the stream ended on {err}"
            );
            json!({"end": {"truncated": err.offset}}).to_string()
        }
    });
    out
}

/// The key facts of the reply assembled from a run (faults from the items; a truncated end is
/// not a fault, the missing End says it).
fn assembled_of(run: &Run) -> Value {
    let mut assembler = ReplyAssembler::new();
    for item in &run.items {
        assembler.push_item(item);
    }
    let reply = assembler.finish();
    let status: ReplyStatus = reply.status();
    json!({
        "status": status.as_str(),
        "message_id": reply.message_id,
        "text": reply.text,
        "audio_transcript": reply.audio_transcript,
        "flow_outputs": reply.flow_output.len(),
        "citations": reply.citations.len(),
        "attachments": reply.attachments.len(),
        "error_codes": reply.errors.iter().map(|e| e.code.0).collect::<Vec<_>>(),
        "unknown_codes": reply.unknown_frames.iter().map(|f| f.code()).collect::<Vec<_>>(),
        "fault_count": reply.fault_count,
        "fault_offsets": reply.faults.iter().map(|f| f.offset).collect::<Vec<_>>(),
        "frames_after_end": reply.frames_after_end,
    })
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_stream_gives_its_expected_lines_at_every_chunk_size() {
    for case in cases() {
        let path = streams_dir().join(format!("{}.expected.jsonl", case.name));
        let expected = read_lines(&path);
        // Each line is one JSON object of one of the three shapes. (A frame line is not
        // parsed here: a lone surrogate escape in a Text piece is valid JSON text that
        // serde_json refuses to turn into a `Value`; it is compared as text below.)
        for line in &expected {
            if line.starts_with("{\"frame\":{") && line.ends_with("}}") {
                continue;
            }
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}: {line}: {e}", path.display()));
            let obj = value.as_object().unwrap();
            assert_eq!(obj.len(), 1, "{}: {line}", path.display());
            assert!(
                obj.contains_key("fault") || obj.contains_key("end"),
                "{}: {line}",
                path.display()
            );
        }
        assert!(
            expected.last().is_some_and(|l| l.starts_with("{\"end\":")),
            "{}: the last line is not the end",
            case.name
        );
        let whole = run_whole(&case.body, case.max_frame_bytes);
        assert_eq!(lines_of(&whole), expected, "{} whole", case.name);
        for size in CHUNK_SIZES {
            let run = run_chunks(&case.body, std::iter::repeat(size), case.max_frame_bytes);
            assert_eq!(
                lines_of(&run),
                expected,
                "{} in chunks of {size}",
                case.name
            );
        }
    }
}

#[test]
fn every_stream_assembles_to_its_expected_facts() {
    for case in cases() {
        let path = streams_dir().join(format!("{}.assembled.json", case.name));
        let expected: Value = serde_json::from_slice(
            &std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .unwrap();
        let run = run_whole(&case.body, case.max_frame_bytes);
        assert_eq!(assembled_of(&run), expected, "{}", case.name);
    }
}

/// The corpus covers what it says it covers: each status, each fault kind, a truncated end.
#[test]
fn the_corpus_covers_every_status_and_fault_kind() {
    let mut statuses = Vec::new();
    let mut kinds = Vec::new();
    let mut truncated = 0;
    let mut payloads = Vec::new();
    for case in cases() {
        let run = run_whole(&case.body, case.max_frame_bytes);
        statuses.push(assembled_of(&run)["status"].as_str().unwrap().to_owned());
        for item in &run.items {
            match item {
                Ok(frame) => payloads.push(std::mem::discriminant(&frame.payload)),
                Err(err) => kinds.push(kind_name(err)),
            }
        }
        truncated += usize::from(run.end.is_err());
    }
    for status in [
        "complete",
        "complete_with_faults",
        "cut_off",
        "error",
        "frames_after_end",
    ] {
        assert!(
            statuses.iter().any(|s| s == status),
            "no case ends {status}"
        );
    }
    for kind in [
        "invalid_json",
        "not_a_frame",
        "invalid_utf8",
        "too_large",
        "unexpected_byte",
    ] {
        assert!(kinds.contains(&kind), "no case has a {kind} fault");
    }
    assert!(truncated >= 2, "fewer than two truncated cases");
    let citation = FramePayload::Citation(Vec::new());
    let attachment = FramePayload::CorrelateAttachment(Vec::new());
    for payload in [citation, attachment, FramePayload::End] {
        assert!(
            payloads.contains(&std::mem::discriminant(&payload)),
            "no case carries {payload:?}"
        );
    }
}

/// Writes the expected files of every case from what the decoder does now. Run it only after
/// a deliberate change, and review every changed line.
#[test]
#[ignore = "writes the corpus's expected files; run by hand with CONFORMANCE_WRITE=1"]
fn write_expected() {
    if std::env::var_os("CONFORMANCE_WRITE").is_none() {
        return;
    }
    let dir = streams_dir();
    for case in cases() {
        let run = run_whole(&case.body, case.max_frame_bytes);
        let mut lines = lines_of(&run).join("\n");
        lines.push('\n');
        std::fs::write(dir.join(format!("{}.expected.jsonl", case.name)), lines).unwrap();
        let mut facts = serde_json::to_string_pretty(&assembled_of(&run)).unwrap();
        facts.push('\n');
        std::fs::write(dir.join(format!("{}.assembled.json", case.name)), facts).unwrap();
    }
}
