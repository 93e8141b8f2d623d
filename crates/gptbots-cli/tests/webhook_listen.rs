//! `gptbots webhook listen` as a user runs it: accepted messages on standard output as JSON
//! lines, refusals on standard error; on 127.0.0.1, the process ended by the test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

const V2: &str = include_str!("../../../conformance/vectors/webhook/message.json");

/// Kills the child when the test ends, whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn post(addr: SocketAddr, path: &str, auth: Option<&str>, content_type: &str, body: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let auth = auth
        .map(|a| format!("authorization: {a}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: {content_type}\r\n{auth}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response[9..12].parse().unwrap()
}

#[test]
fn listen_prints_accepted_messages_and_refusals() {
    let child = Command::new(env!("CARGO_BIN_EXE_gptbots"))
        .args([
            "webhook",
            "listen",
            "--addr",
            "127.0.0.1:0",
            "--path",
            "/hook",
        ])
        .env("GPTBOTS_WEBHOOK_TOKEN", "cli-secret")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Running(child);
    let stdout = BufReader::new(child.0.stdout.take().unwrap());
    let stderr = BufReader::new(child.0.stderr.take().unwrap());
    let (err_tx, err_rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = err_tx.send(line);
        }
    });
    let (out_tx, out_rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = out_tx.send(line);
        }
    });
    let first = err_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    let addr: SocketAddr = first
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .parse()
        .unwrap();
    let bearer = Some("Bearer cli-secret");

    assert_eq!(post(addr, "/hook", bearer, "application/json", V2), 200);
    assert_eq!(post(addr, "/hook", bearer, "application/json", V2), 200); // duplicate
    assert_eq!(post(addr, "/hook", None, "application/json", V2), 401);
    assert_eq!(post(addr, "/hook", bearer, "text/plain", V2), 415);
    assert_eq!(
        post(addr, "/hook", bearer, "application/json", "{\"output\": 1}"),
        400
    );
    assert_eq!(
        post(
            addr,
            "/hook",
            bearer,
            "application/json",
            r#"{"istest":true}"#
        ),
        200
    );
    let chat = r#"{"conversation_id":"c9","timestamp":5,"body":"from the user"}"#;
    assert_eq!(post(addr, "/chat", bearer, "application/json", chat), 200);

    // standard output: exactly the two accepted messages, one JSON line each
    let line = out_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    let printed: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(printed, serde_json::from_str::<Value>(V2).unwrap());
    let line = out_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    let printed: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(printed["handoff"], "chat");
    assert_eq!(printed["body"], "from the user");
    assert!(out_rx.recv_timeout(Duration::from_millis(200)).is_err());

    // standard error: one line per refusal, with the reason, and never the token
    let mut lines = Vec::new();
    while let Ok(line) = err_rx.recv_timeout(Duration::from_millis(500)) {
        lines.push(line);
    }
    let refused: Vec<_> = lines.iter().filter(|l| l.starts_with("refused")).collect();
    assert_eq!(refused.len(), 3, "{lines:?}");
    assert!(
        refused[0].contains("401 missing Authorization header"),
        "{lines:?}"
    );
    assert!(refused[1].contains("415"), "{lines:?}");
    assert!(refused[2].contains("400 invalid body at"), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("duplicate /hook")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("probe /hook")),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.contains("cli-secret")));
}

#[test]
fn a_path_that_clashes_with_the_handoff_paths_is_an_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_gptbots"))
        .args([
            "webhook",
            "listen",
            "--addr",
            "127.0.0.1:0",
            "--path",
            "/chat",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("mounted twice"), "{stderr}");
}
