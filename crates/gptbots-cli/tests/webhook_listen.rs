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
    // the hand-off paths do not require the reply webhook's token; their probes are answered
    // before the body's shape is looked at
    assert_eq!(post(addr, "/chat", None, "application/json", chat), 200);
    assert_eq!(
        post(
            addr,
            "/conversation/establish",
            None,
            "application/json",
            r#"{"istest":true}"#
        ),
        200
    );

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

/// Starts `gptbots webhook listen` on a free port with these extra arguments; standard error
/// is read by a thread (its lines come out of the receiver), standard output is left to the
/// caller. Returns the process, its address and the stderr lines.
fn listen(args: &[&str]) -> (Running, SocketAddr, mpsc::Receiver<String>) {
    let child = Command::new(env!("CARGO_BIN_EXE_gptbots"))
        .args(["webhook", "listen", "--addr", "127.0.0.1:0"])
        .args(args)
        .env_remove("GPTBOTS_WEBHOOK_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Running(child);
    let stderr = BufReader::new(child.0.stderr.take().unwrap());
    let (err_tx, err_rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = err_tx.send(line);
        }
    });
    let first = err_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    let addr: SocketAddr = first
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .parse()
        .unwrap();
    (child, addr, err_rx)
}

fn v2_with_id(id: &str) -> String {
    V2.replace("65a4ccfC7ce58e728d5897e0", id)
}

fn request(method: &str, path: &str, body: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Sends a whole request on a new connection and reads the answer's head within `wait`;
/// `None` if none came by then (the connection is returned so that it stays open).
fn send(addr: SocketAddr, raw: &str, wait: Duration) -> (Option<String>, TcpStream) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => return (None, stream),
        }
    }
    (Some(String::from_utf8_lossy(&buf).into_owned()), stream)
}

fn status_of(response: &str) -> u16 {
    response[9..12].parse().unwrap()
}

/// Sends a signal with the system's `kill`.
fn signal(child: &Running, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits for the process to end, at most `limit`.
fn exit_within(child: &mut Running, limit: Duration) -> Option<std::process::ExitStatus> {
    let until = std::time::Instant::now() + limit;
    while std::time::Instant::now() < until {
        if let Some(status) = child.0.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn a_stdout_nobody_reads_never_stalls_probes_refusals_or_the_server() {
    // standard output is a pipe that this test never reads: it fills after some 64 KiB
    let (child, addr, _stderr) = listen(&["--queue", "4"]);
    let mut held = Vec::new();
    let mut busy = None;
    for i in 0..2000 {
        let body = v2_with_id(&format!("fill-{i:05}"));
        let (response, stream) = send(addr, &request("POST", "/", &body), Duration::from_secs(1));
        match response {
            Some(response) if status_of(&response) == 503 => {
                busy = Some(response);
                break;
            }
            Some(response) => assert_eq!(status_of(&response), 200, "{response}"),
            None => held.push(stream), // queued behind the full pipe: not acknowledged
        }
    }
    let busy = busy.expect("the queue never filled");
    assert!(
        busy.to_ascii_lowercase().contains("retry-after: 1"),
        "{busy}"
    );
    assert!(held.len() <= 5, "{} requests waited", held.len());
    // probes, refusals and more messages are answered at once
    let wait = Duration::from_secs(5);
    let probe = send(addr, &request("POST", "/", r#"{"istest":true}"#), wait).0;
    assert_eq!(probe.as_deref().map(status_of), Some(200));
    let get = send(addr, &request("GET", "/", ""), wait).0;
    assert_eq!(get.as_deref().map(status_of), Some(405));
    let more = send(addr, &request("POST", "/", &v2_with_id("one-more")), wait).0;
    assert_eq!(more.as_deref().map(status_of), Some(503));
    let chat = r#"{"conversation_id":"c9","timestamp":5,"body":"hi"}"#;
    let handoff = send(addr, &request("POST", "/chat", chat), wait).0;
    assert_eq!(handoff.as_deref().map(status_of), Some(503));
    drop(child);
}

#[test]
fn sigterm_lets_a_request_in_progress_finish_and_exits_0_with_whole_lines() {
    let (mut child, addr, _stderr) = listen(&["--grace", "10"]);
    let stdout = BufReader::new(child.0.stdout.take().unwrap());
    let (out_tx, out_rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = out_tx.send(line);
        }
    });
    for i in 0..20 {
        let body = v2_with_id(&format!("before-{i}"));
        let response = send(addr, &request("POST", "/", &body), Duration::from_secs(10)).0;
        assert_eq!(response.as_deref().map(status_of), Some(200));
    }
    // a request whose body is half sent when the signal comes
    let body = v2_with_id("in-progress");
    let raw = request("POST", "/", &body);
    let (first, rest) = raw.split_at(raw.len() - 100);
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(first.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    signal(&child, "TERM");
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        child.0.try_wait().unwrap().is_none(),
        "exited before the request finished"
    );
    stream.write_all(rest.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert_eq!(status_of(&response), 200, "{response}");
    let status = exit_within(&mut child, Duration::from_secs(15)).expect("still running");
    assert_eq!(status.code(), Some(0));
    let lines: Vec<String> = out_rx.try_iter().collect();
    assert_eq!(lines.len(), 21);
    for line in &lines {
        serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("torn line {line}: {e}"));
    }
    assert!(lines.last().unwrap().contains("in-progress"));
}

#[test]
fn sigint_cuts_a_stalled_request_at_the_grace_deadline_and_exits_0() {
    let (mut child, addr, _stderr) = listen(&["--grace", "1", "--body-timeout", "60"]);
    let mut stalled = TcpStream::connect(addr).unwrap();
    stalled
        .write_all(request("POST", "/", "{}").as_bytes().split_at(60).0)
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    signal(&child, "INT");
    let status =
        exit_within(&mut child, Duration::from_secs(15)).expect("kept up by a stalled request");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_second_signal_stops_at_once() {
    let (mut child, addr, _stderr) = listen(&["--grace", "60", "--body-timeout", "60"]);
    let mut stalled = TcpStream::connect(addr).unwrap();
    stalled
        .write_all(request("POST", "/", "{}").as_bytes().split_at(60).0)
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.0.try_wait().unwrap().is_none(),
        "the grace period was not given"
    );
    signal(&child, "TERM");
    let status =
        exit_within(&mut child, Duration::from_secs(10)).expect("the second signal was ignored");
    assert_eq!(status.code(), Some(130));
}

fn refused_at_start(args: &[&str], token: Option<&str>) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gptbots"));
    command
        .args(["webhook", "listen", "--addr", "127.0.0.1:0"])
        .args(args)
        .env_remove("GPTBOTS_WEBHOOK_TOKEN")
        .env_remove("GPTBOTS_HANDOFF_TOKEN")
        .stdin(Stdio::null());
    if let Some(token) = token {
        command.env("GPTBOTS_WEBHOOK_TOKEN", token);
    }
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn tokens_with_white_space_an_empty_token_and_a_zero_body_limit_are_refused_at_start() {
    let stderr = refused_at_start(&[], Some("hunter2\n"));
    assert!(stderr.contains("white space"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let stderr = refused_at_start(&["--token", " hunter2"], None);
    assert!(stderr.contains("white space"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let stderr = refused_at_start(&["--token", ""], None);
    assert!(stderr.contains("empty"), "{stderr}");
    let stderr = refused_at_start(&["--handoff-token", "hunter2 "], None);
    assert!(
        stderr.contains("hand-off") && stderr.contains("white space"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let stderr = refused_at_start(&["--handoff-token", ""], None);
    assert!(
        stderr.contains("hand-off") && stderr.contains("empty"),
        "{stderr}"
    );
    let stderr = refused_at_start(&["--body-limit", "0"], None);
    assert!(stderr.contains("body limit is 0"), "{stderr}");
    let stderr = refused_at_start(&["--header-timeout", "0"], None);
    assert!(stderr.contains("above zero"), "{stderr}");
}
