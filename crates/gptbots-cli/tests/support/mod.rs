//! Running `gptbots` as a user does: one-shot commands, and servers (`gptbots mock`,
//! `gptbots webhook listen`) whose output lines are read as they come and which are killed
//! when the test ends.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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
        .env_remove("GPTBOTS_MOCK_WEBHOOK_TOKEN")
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

/// [`gptbots`] with no arguments yet and its output piped, for [`run`] and [`finish`].
pub fn piped() -> Command {
    let mut command = gptbots(&[]);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

/// Every run is bounded: a process still running after this is killed and the test fails.
pub const LIMIT: Duration = Duration::from_secs(60);

/// How a one-shot command ended, and what it printed.
pub struct Run {
    /// Its exit status.
    pub status: ExitStatus,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// Waits for the child (bounded), then collects its output.
pub fn finish(mut child: Child) -> Run {
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).unwrap();
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).unwrap();
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > LIMIT {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("gptbots did not finish within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// Runs `command` to its end (bounded).
pub fn run(command: &mut Command) -> Run {
    finish(command.spawn().unwrap())
}
