//! Running `gptbots` as a user does: one-shot commands, and servers (`gptbots mock`,
//! `gptbots webhook listen`) whose output lines are read as they come and which are killed
//! when the test ends.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Generous: a liveness bound, not a timing assertion.
pub const WAIT: Duration = Duration::from_secs(30);

/// The key `gptbots mock` accepts by default.
pub const MOCK_KEY: &str = "mock-api-key";

/// A command of the binary, with no key and no webhook token inherited.
pub fn gptbots(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gptbots"));
    command
        .args(args)
        .env_remove("GPTBOTS_API_KEY")
        .env_remove("GPTBOTS_MOCK_API_KEY")
        .env_remove("GPTBOTS_WEBHOOK_TOKEN")
        .env_remove("GPTBOTS_HANDOFF_TOKEN")
        .env_remove("GPTBOTS_WEBHOOK_AUTHORIZATION")
        .stdin(Stdio::null());
    command
}

/// Runs a one-shot command against `base_url` with the mock's key.
pub fn against(base_url: &str, args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--base-url", base_url]);
    gptbots(&all)
        .env("GPTBOTS_API_KEY", MOCK_KEY)
        .output()
        .unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts a success and returns standard output.
pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        output.status,
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

/// A server process, killed when dropped, whose output lines arrive on channels.
pub struct Server {
    child: Child,
    pub out: mpsc::Receiver<String>,
    pub err: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn spawn(mut command: Command) -> Server {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = lines(child.stdout.take().unwrap());
        let err = lines(child.stderr.take().unwrap());
        Server { child, out, err }
    }

    /// The next line of standard output.
    pub fn next_out(&self) -> String {
        self.out
            .recv_timeout(WAIT)
            .expect("a line on standard output within the liveness bound")
    }

    /// The next line of standard output, as JSON.
    pub fn next_json(&self) -> serde_json::Value {
        let line = self.next_out();
        serde_json::from_str(&line).unwrap_or_else(|err| panic!("{err}: {line}"))
    }

    /// The next line of standard error that tells how a request was answered (`probe ...`,
    /// `refused ...`, `duplicate ...`).
    pub fn outcome_line(&self) -> String {
        loop {
            let line = self
                .err
                .recv_timeout(WAIT)
                .expect("a line on standard error within the liveness bound");
            if ["probe ", "refused ", "duplicate "]
                .iter()
                .any(|prefix| line.starts_with(prefix))
            {
                return line;
            }
        }
    }

    /// The first line of standard error that starts with `prefix`.
    pub fn err_line(&self, prefix: &str) -> String {
        loop {
            let line = self
                .err
                .recv_timeout(WAIT)
                .expect("a line on standard error within the liveness bound");
            if line.starts_with(prefix) {
                return line;
            }
        }
    }
}

fn lines(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// `gptbots mock` on a free port, with these extra flags; and its base URL.
pub fn mock(extra: &[&str]) -> (Server, String) {
    let mut args = vec!["mock", "--addr", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let server = Server::spawn(gptbots(&args));
    let line = server.next_out();
    let url = line
        .strip_prefix("gptbots mock listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    (server, url)
}

/// `gptbots webhook listen` on a free port with the reply path `path`; and its base URL.
pub fn listen(path: &str) -> (Server, String) {
    let server = Server::spawn(gptbots(&[
        "webhook",
        "listen",
        "--addr",
        "127.0.0.1:0",
        "--path",
        path,
    ]));
    let line = server.err_line("listening on http://");
    let addr = line
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split(['/', ' ']).next())
        .unwrap_or_else(|| panic!("unexpected line: {line}"))
        .to_owned();
    (server, format!("http://{addr}"))
}

/// Creates a conversation with one message through `gptbots chat`: its id.
pub fn conversation(base_url: &str, text: &str, extra: &[&str]) -> String {
    let mut args = vec!["chat", text];
    args.extend_from_slice(extra);
    let output = against(base_url, &args);
    ok(&output);
    let err = stderr(&output);
    err.lines()
        .find_map(|line| line.strip_prefix("gptbots: conversation "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no conversation id in: {err}"))
        .to_owned()
}
