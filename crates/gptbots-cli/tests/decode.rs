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
