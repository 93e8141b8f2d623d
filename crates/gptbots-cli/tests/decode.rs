//! `gptbots decode`, run as a program on the documented streams and on broken ones.
// Tests may panic on what they did not expect.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn vector(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../conformance/vectors/stream"
    ))
    .join(name)
}

fn gptbots(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gptbots"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn decodes_every_documented_stream_at_any_chunk_size() {
    for (name, frames) in [
        ("v1-text.txt", 8),
        ("v2-audio.txt", 11),
        ("v2-text.txt", 12),
    ] {
        let path = vector(name);
        let path = path.to_str().unwrap();
        let whole = gptbots(&["decode", path], None);
        assert!(whole.status.success(), "{name}: {whole:?}");
        assert!(whole.stderr.is_empty());
        assert_eq!(lines(&whole).len(), frames, "{name}");
        for size in ["1", "2", "7", "64"] {
            let run = gptbots(&["decode", "--chunk-size", size, path], None);
            assert!(run.status.success(), "{name} in {size}s");
            assert_eq!(run.stdout, whole.stdout, "{name} in {size}s");
        }
    }
}

#[test]
fn prints_canonical_messages_for_known_codes_and_the_rest_as_it_came() {
    let body = br#"{"code":0,"message":"Ende","data":null}
data: {"code":3,"message":"txt","data":"a","extra":1}

{"code":41,"message":"Gedanke","data":[1]}{"code":20022,"message":"no credits"}"#;
    let out = gptbots(&["decode"], Some(body));
    assert!(out.status.success(), "{out:?}");
    let got = lines(&out);
    assert_eq!(
        got[0],
        serde_json::json!({"code":0,"message":"End","data":null})
    );
    assert_eq!(
        got[1],
        serde_json::json!({"code":3,"message":"Text","data":"a","extra":1})
    );
    assert_eq!(
        got[2],
        serde_json::json!({"code":41,"message":"Gedanke","data":[1]})
    );
    assert_eq!(
        got[3],
        serde_json::json!({"code":20022,"message":"no credits"})
    );
}

#[test]
fn reads_standard_input_given_as_a_dash() {
    let body = std::fs::read(vector("v2-text.txt")).unwrap();
    let out = gptbots(&["decode", "-", "--chunk-size", "3"], Some(&body));
    assert!(out.status.success());
    assert_eq!(lines(&out).len(), 12);
}

#[test]
fn truncated_stream_prints_frames_then_the_error_and_fails() {
    let out = gptbots(
        &["decode"],
        Some(b"{\"code\":3,\"data\":\"a\"}\n{\"code\":3,"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(lines(&out).len(), 1);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("at byte 22"), "{err}");
    assert!(err.contains("10 bytes left"), "{err}");
}

#[test]
fn bad_frame_stops_at_the_fault() {
    let out = gptbots(
        &["decode", "--chunk-size", "1"],
        Some(b"data: {\"code\":3,\"data\":\"a\"}\n\ndata: {\"code\":3,\"data\":x}\n\ndata: {\"code\":0}\n\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(lines(&out).len(), 1);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("at byte 35: invalid JSON"), "{err}");
}

#[test]
fn assemble_prints_one_reply() {
    let out = gptbots(
        &[
            "decode",
            "--assemble",
            vector("v2-audio.txt").to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{out:?}");
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["status"], "complete");
    assert_eq!(reply["message_id"], "67b857b6be1f2906861a5e75");
    assert_eq!(reply["audio"]["pieces"].as_array().unwrap().len(), 3);
    assert_eq!(reply["flow_output"][0]["component_id"], 12);
    assert_eq!(reply["tokens"]["total_tokens"], 4990);
}

#[test]
fn assemble_fails_when_cut_off_or_on_an_error_frame() {
    let cut = gptbots(
        &["decode", "--assemble"],
        Some(b"{\"code\":3,\"data\":\"a\"}"),
    );
    assert_eq!(cut.status.code(), Some(1));
    let reply: Value = serde_json::from_slice(&cut.stdout).unwrap();
    assert_eq!(reply["status"], "cut_off");
    assert_eq!(reply["text"], "a");

    let error = gptbots(
        &["decode", "--assemble"],
        Some(b"{\"code\":40127,\"message\":\"bad key\"}{\"code\":0,\"data\":null}"),
    );
    assert_eq!(error.status.code(), Some(1));
    let reply: Value = serde_json::from_slice(&error.stdout).unwrap();
    assert_eq!(reply["status"], "error");
    assert_eq!(reply["errors"][0]["code"], 40127);
}

#[test]
fn missing_file_fails() {
    let out = gptbots(&["decode", "/nonexistent/stream.txt"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(!out.stderr.is_empty());
}

#[test]
fn zero_chunk_size_is_a_usage_error() {
    let out = gptbots(&["decode", "--chunk-size", "0"], Some(b""));
    assert_eq!(out.status.code(), Some(2));
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn assembled(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

const END: &str = r#"{"code":0,"message":"End","data":null}"#;

/// What a real server sends beside the documented shapes decodes, and prints back as it came
/// where the frame keeps it (a lone surrogate, an unknown frame's numbers and key order).
#[test]
fn decode_prints_what_a_real_server_sends() {
    let body = [
        r#"{"code":3,"message":null,"data":"I like \ud83d"}"#,
        r#"{"code":10,"message":"FlowOutput","data":[{"content":null,"branch":1}],"componentId":12.0}"#,
        r#"{"code":5,"data":{"z":1,"a":12345678901234567890123,"s":"\u00e9"}}"#,
        r#"{"code":20022,"message":"not enough credits","data":null}"#,
    ]
    .join("\n");
    let output = gptbots(&["decode"], Some(body.as_bytes()));
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    let printed: Vec<&str> = text.lines().collect();
    assert_eq!(
        printed[0],
        r#"{"code":3,"message":"Text","data":"I like \ud83d"}"#
    );
    assert_eq!(
        printed[1],
        r#"{"code":10,"message":"FlowOutput","data":[{"content":"","branch":"1"}],"componentId":12}"#
    );
    assert_eq!(
        printed[2],
        r#"{"code":5,"data":{"z":1,"a":12345678901234567890123,"s":"\u00e9"}}"#
    );
    assert_eq!(
        printed[3],
        r#"{"code":20022,"message":"not enough credits"}"#
    );
}

#[test]
fn decode_assemble_steps_over_a_bad_frame_and_warns() {
    let body = [
        r#"{"code":3,"message":"Text","data":"a \ud83d"}"#,
        r#"{"code":3,"message":"Text","data":7}"#,
        r#"{"code":3,"message":"Text","data":"\ude00 b"}"#,
        r#"{"code":20,"message":"Citation","data":[{"citation":{"index":"1","botId":null}}]}"#,
        END,
    ]
    .join("\n");
    let output = gptbots(&["decode", "--assemble"], Some(body.as_bytes()));
    assert!(output.status.success(), "{output:?}");
    let reply = assembled(&output);
    assert_eq!(reply["status"], "complete_with_faults");
    assert_eq!(reply["text"], "a 😀 b");
    assert_eq!(reply["citations"][0]["citation"]["index"], "1");
    assert_eq!(reply["faults"][0]["offset"], 46);
    let warnings = stderr(&output);
    assert_eq!(warnings.lines().count(), 1, "{warnings}");
    assert!(
        warnings.contains("warning") && warnings.contains("at byte 46"),
        "{warnings}"
    );
}

#[test]
fn decode_assemble_error_frame_with_data_null_is_an_error() {
    let body = [
        r#"{"code":3,"message":"Text","data":"a"}"#,
        r#"{"code":20022,"message":"not enough credits","data":null}"#,
    ]
    .join("\n");
    let output = gptbots(&["decode", "--assemble"], Some(body.as_bytes()));
    assert!(!output.status.success());
    let reply = assembled(&output);
    assert_eq!(reply["status"], "error");
    assert_eq!(reply["errors"][0]["code"], 20022);
}

/// Past `--max-reply-bytes` nothing more is kept: the output stays small and says so.
#[test]
fn decode_assemble_is_bounded() {
    let unknown =
        r#"{"code":41,"message":"Thought","data":"0123456789012345678901234567890123456789"}"#;
    let mut body = String::new();
    for _ in 0..5_000 {
        body.push_str(unknown);
        body.push('\n');
    }
    body.push_str(END);
    let output = gptbots(
        &["decode", "--assemble", "--max-reply-bytes", "1000"],
        Some(body.as_bytes()),
    );
    assert!(!output.status.success());
    assert!(
        output.stdout.len() < 10_000,
        "{} bytes",
        output.stdout.len()
    );
    let reply = assembled(&output);
    assert_eq!(reply["status"], "too_large");
    assert_eq!(reply["frame_count"], 5_001);
    assert!(reply["kept_bytes"].as_u64().unwrap() <= 1000);
}

/// Frames after End are counted, not kept.
#[test]
fn decode_assemble_counts_frames_after_end() {
    let mut body = format!("{}\n{END}\n", r#"{"code":3,"message":"Text","data":"a"}"#);
    for _ in 0..5_000 {
        body.push_str(r#"{"code":41,"data":"0123456789"}"#);
    }
    let output = gptbots(
        &["decode", "--assemble", "--max-reply-bytes", "1000"],
        Some(body.as_bytes()),
    );
    assert!(output.status.success(), "{output:?}");
    let reply = assembled(&output);
    assert_eq!(reply["status"], "frames_after_end");
    assert_eq!(reply["frames_after_end"], 5_000);
    assert_eq!(reply["unknown_frames"], serde_json::json!([]));
}
