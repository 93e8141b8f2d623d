//! `gptbots chat` and `gptbots mock` as programs: output piped stays exact, a connection
//! failure to GPTBots points at the offline mock, the mock's key comes from the environment.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader};
use std::process::Child;

mod support;

use support::{LIMIT, finish, piped as gptbots, run};

/// Server text with terminal escapes reaches a pipe byte for byte (only a terminal gets them
/// escaped; the escaping itself is unit-tested in `terminal.rs`).
#[test]
fn piped_output_is_exact() {
    let text = "\u{1b}[31mred\u{1b}[0m\tbell\u{7} c1\u{9b}";
    for stream in [false, true] {
        let mut command = gptbots();
        command.arg("chat");
        if stream {
            command.arg("--stream");
        }
        let run = run(command.arg(text));
        assert!(run.status.success(), "{}", run.stderr);
        assert_eq!(run.stdout, format!("{text}\n"), "stream: {stream}");
    }
}

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// With a key set, a connection failure to a GPTBots host says how to use the offline mock.
/// The failure is made without a network: the proxy the client must go through is closed.
#[test]
fn a_connection_failure_to_gptbots_points_at_the_offline_mock() {
    let proxy = format!("http://127.0.0.1:{}", closed_port());
    let run = run(gptbots()
        .env("GPTBOTS_API_KEY", "some-key")
        .env("HTTPS_PROXY", &proxy)
        .env("https_proxy", &proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .args(["chat", "Hello"]));
    assert!(!run.status.success());
    assert!(
        run.stderr.contains("unset GPTBOTS_API_KEY"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("some-key"), "{}", run.stderr);
}

/// Against a base URL of one's own (not GPTBots), there is no such hint.
#[test]
fn a_connection_failure_elsewhere_names_the_cause_without_the_hint() {
    let port = closed_port();
    let run = run(gptbots().env("GPTBOTS_API_KEY", "some-key").args([
        "chat",
        "--base-url",
        &format!("http://127.0.0.1:{port}"),
        "Hello",
    ]));
    assert!(!run.status.success());
    assert!(
        run.stderr
            .contains(&format!("connection refused at 127.0.0.1:{port}")),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("unset GPTBOTS_API_KEY"),
        "{}",
        run.stderr
    );
}

/// Starts `gptbots mock` with these arguments and environment; returns it and its URL.
fn start_mock(args: &[&str], env: &[(&str, &str)]) -> (Child, String) {
    let mut command = gptbots();
    command.env_remove("GPTBOTS_MOCK_API_KEY");
    for (name, value) in env {
        command.env(name, value);
    }
    let mut mock = command
        .args(["mock", "--addr", "127.0.0.1:0"])
        .args(args)
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
    (mock, url)
}

#[test]
fn the_mock_takes_its_key_from_gptbots_mock_api_key() {
    let (mut mock, url) = start_mock(&[], &[("GPTBOTS_MOCK_API_KEY", "key-from-env")]);
    let ok = run(gptbots().env("GPTBOTS_API_KEY", "key-from-env").args([
        "chat",
        "--base-url",
        &url,
        "Hello",
    ]));
    let default_key = run(gptbots().env("GPTBOTS_API_KEY", "mock-api-key").args([
        "chat",
        "--base-url",
        &url,
        "Hello",
    ]));
    mock.kill().unwrap();
    let stopped = finish(mock);
    assert!(ok.status.success(), "{}", ok.stderr);
    assert_eq!(ok.stdout, "Hello\n");
    assert!(!default_key.status.success());
    assert!(
        default_key.stderr.contains("40127"),
        "{}",
        default_key.stderr
    );
    assert!(
        !stopped.stderr.contains("key-from-env"),
        "{}",
        stopped.stderr
    );
}

/// A webhook delivery that fails is printed on the mock's standard error, with the cause and
/// the URL without its password.
#[test]
fn the_mock_reports_failed_deliveries() {
    let port = closed_port();
    let hook = format!("http://user:hunter2@127.0.0.1:{port}/hook");
    let (mut mock, url) = start_mock(&["--webhook-url", &hook], &[]);
    let mut stderr = BufReader::new(mock.stderr.take().unwrap());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = gptbots_client::Client::new(
            gptbots_client::ClientConfig::new("mock-api-key").with_base_url(&url),
        )
        .unwrap();
        let created = client
            .create_conversation(&gptbots_protocol::CreateConversationRequest::new("u"))
            .await
            .unwrap();
        client
            .send_message_webhook(gptbots_protocol::SendMessageRequest::text(
                &created.conversation_id,
                "to nowhere",
            ))
            .await
            .unwrap();
    });

    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        while stderr.read_line(&mut line).unwrap_or(0) > 0 {
            if line.contains("webhook delivery") {
                let _ = tx.send(line.clone());
                return;
            }
            line.clear();
        }
    });
    let line = rx.recv_timeout(LIMIT);
    mock.kill().unwrap();
    mock.wait().unwrap();
    let line = line.expect("no delivery failure reported");
    assert!(line.contains("failed"), "{line}");
    assert!(
        line.contains(&format!("http://***@127.0.0.1:{port}/hook")),
        "{line}"
    );
    assert!(line.contains("could not connect"), "{line}");
    assert!(!line.contains("hunter2"), "{line}");
}
