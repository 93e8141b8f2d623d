//! `gptbots chat` and `gptbots mock`, run as programs: the README's main job on the embedded
//! mock (no key, no network), and chat against a `gptbots mock` process over loopback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;

mod support;

use support::{LIMIT, Run, finish, piped as gptbots, run};

/// The README's main-job command: `gptbots chat "Hello"` with no key, offline.
#[test]
fn main_job_chat_hello_on_the_embedded_mock() {
    let run = run(gptbots().args(["chat", "Hello"]));
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stdout, "Hello\n");
    assert!(run.stderr.contains("embedded mock"), "{}", run.stderr);
    assert!(run.stderr.contains("http://127.0.0.1:"), "{}", run.stderr);
    assert!(run.stderr.contains("conversation "), "{}", run.stderr);
}

#[test]
fn chat_stream_prints_the_reply() {
    let run = run(gptbots().args(["chat", "--stream", "Hello, streaming world"]));
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stdout, "Hello, streaming world\n");
}

#[test]
fn chat_without_text_reads_lines_in_one_conversation() {
    let mut child = gptbots()
        .args(["chat", "--stream"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"first line\n\nsecond line\n")
        .unwrap();
    let run = finish(child);
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stdout, "first line\nsecond line\n");
    // One conversation for the whole session.
    assert_eq!(
        run.stderr.matches("gptbots: conversation ").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn chat_error_prints_the_code_and_fails() {
    let run = run(gptbots().args(["chat", "--conversation", "no-such-conversation", "Hello"]));
    assert!(!run.status.success());
    assert!(run.stderr.contains("40356"), "{}", run.stderr);
    assert!(
        run.stderr.contains("conversation does not exist"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn chat_with_a_base_url_needs_a_key() {
    let run = run(gptbots().args(["chat", "--base-url", "http://127.0.0.1:9", "Hello"]));
    assert!(!run.status.success());
    assert!(run.stderr.contains("GPTBOTS_API_KEY"), "{}", run.stderr);
}

/// `gptbots mock` in one process, `gptbots chat --base-url` in another.
#[test]
fn chat_against_a_mock_process() {
    let mut mock = gptbots()
        .args([
            "mock",
            "--addr",
            "127.0.0.1:0",
            "--api-key",
            "cli-test-key",
            "--style",
            "joined",
            "--chaos-seed",
            "7",
        ])
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(mock.stdout.as_mut().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let url = first_line
        .trim()
        .strip_prefix("gptbots mock listening on ")
        .unwrap_or_else(|| panic!("{first_line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let ok = run(gptbots().env("GPTBOTS_API_KEY", "cli-test-key").args([
        "chat",
        "--stream",
        "--base-url",
        &url,
        "über 👋 chaos",
    ]));
    let wrong = run(gptbots().env("GPTBOTS_API_KEY", "wrong-key").args([
        "chat",
        "--base-url",
        &url,
        "Hello",
    ]));
    mock.kill().unwrap();
    mock.wait().unwrap();

    assert!(ok.status.success(), "{}", ok.stderr);
    assert_eq!(ok.stdout, "über 👋 chaos\n");
    assert!(!ok.stderr.contains("embedded mock"));

    assert!(!wrong.status.success());
    assert!(wrong.stderr.contains("40127"), "{}", wrong.stderr);
    assert!(!wrong.stderr.contains("wrong-key"), "{}", wrong.stderr);
}

/// A loopback HTTP server, on a thread, that answers one request with `body` as an SSE stream
/// and closes the connection; its base URL.
fn scripted_stream(body: String) -> String {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket.set_read_timeout(Some(LIMIT)).unwrap();
        // Read the request head and its body.
        let mut request = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = socket.read(&mut chunk).unwrap();
            if n == 0 {
                return;
            }
            request.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&request).to_ascii_lowercase();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                if request.len() >= end + 4 + length {
                    break;
                }
            }
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        socket.write_all(head.as_bytes()).unwrap();
        socket.write_all(body.as_bytes()).unwrap();
    });
    url
}

fn chat_stream_against(frames: &[&str]) -> Run {
    let body: String = frames.iter().map(|f| format!("data: {f}\n\n")).collect();
    let url = scripted_stream(body);
    run(gptbots().env("GPTBOTS_API_KEY", "k").args([
        "chat",
        "--stream",
        "--conversation",
        "c1",
        "--base-url",
        &url,
        "Hi",
    ]))
}

/// A split emoji is printed whole; a bad frame is stepped over with a warning on standard
/// error; the reply is printed.
#[test]
fn chat_stream_prints_the_reply_past_a_bad_frame() {
    let run = chat_stream_against(&[
        r#"{"code":11,"message":null,"data":{"message_id":"m1"}}"#,
        r#"{"code":3,"message":"Text","data":"I like \ud83d"}"#,
        r#"{"code":3,"message":"Text","data":7}"#,
        r#"{"code":3,"message":"Text","data":"\ude00!"}"#,
        r#"{"code":5,"data":{"a":12345678901234567890123}}"#,
        r#"{"code":0,"message":"End","data":null}"#,
    ]);
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stdout, "I like 😀!\n");
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("warning"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(warnings[0].contains("Text frame"), "{}", run.stderr);
}

/// An error frame with `"data": null` is the error it names, not a cut-off stream.
#[test]
fn chat_stream_error_frame_with_data_null_names_the_error() {
    let run = chat_stream_against(&[
        r#"{"code":11,"message":"MessageInfo","data":{"message_id":"m1"}}"#,
        r#"{"code":3,"message":"Text","data":"a"}"#,
        r#"{"code":20022,"message":"not enough credits","data":null}"#,
    ]);
    assert!(!run.status.success());
    assert!(run.stderr.contains("20022"), "{}", run.stderr);
    assert!(!run.stderr.contains("cut off"), "{}", run.stderr);
    assert_eq!(run.stdout, "a\n");
}

#[test]
fn chat_sends_attachments_from_files_and_urls() {
    let dir = std::env::temp_dir().join(format!("gptbots-chat-attach-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let image = dir.join("cat.png");
    std::fs::write(&image, [0x89, b'P', b'N', b'G']).unwrap();
    let run = run(gptbots().args([
        "chat",
        "Look",
        "--image",
        image.to_str().unwrap(),
        "--document",
        "https://example.com/docs/guide.pdf",
    ]));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(run.status.success(), "{}", run.stderr);
    // The echo agent names each attachment it received, by kind and name.
    assert_eq!(
        run.stdout, "Look [image: cat.png] [document: guide.pdf]\n",
        "{}",
        run.stderr
    );
}

#[test]
fn chat_refuses_an_attachment_it_cannot_read_before_sending() {
    let run = run(gptbots().args(["chat", "Look", "--audio", "/no/such/file.mp3"]));
    assert_eq!(run.status.code(), Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("--audio /no/such/file.mp3"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("embedded mock"),
        "nothing was started: {}",
        run.stderr
    );
}

#[test]
fn chat_json_prints_the_reply_or_each_frame_as_json_lines() {
    let blocking = run(gptbots().args(["chat", "--json", "Hello json"]));
    assert!(blocking.status.success(), "{}", blocking.stderr);
    let lines: Vec<&str> = blocking.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", blocking.stdout);
    let reply: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(reply["output"][0]["content"]["text"], "Hello json");
    assert!(reply["message_id"].is_string());

    let streaming = run(gptbots().args(["chat", "--stream", "--json", "Hello json"]));
    assert!(streaming.status.success(), "{}", streaming.stderr);
    let frames: Vec<serde_json::Value> = streaming
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(frames.first().unwrap()["code"], 11, "MessageInfo first");
    assert_eq!(frames.last().unwrap()["code"], 0, "End last");
    let text: String = frames
        .iter()
        .filter(|frame| frame["code"] == 3)
        .map(|frame| frame["data"].as_str().unwrap())
        .collect();
    assert_eq!(text, "Hello json");
}
