//! Standard output and standard error without blocking the server: each is written by one
//! thread of its own, fed by a bounded queue, so a reader that stops reading stalls only that
//! thread, never a runtime worker.
//!
//! - Messages (stdout): a message is handed to the queue with `try_send`; a full queue is
//!   answered [`Busy`] (503 with `Retry-After`) at once. A queued message is acknowledged only
//!   after its line was written and flushed. Each line is written with one `write_all` under
//!   [`LINE`], so that an exit can wait for the line being written and never cut one.
//! - Reports (stderr): dropped when their queue is full, and counted; the count is reported
//!   with the next line that gets through.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use gptbots_webhook::{BoxError, Busy};
use serde::Serialize;
use tokio::sync::oneshot;

/// Held while a line is being written to standard output.
pub static LINE: Mutex<()> = Mutex::new(());

/// How long a sender refused for a full queue is asked to wait.
const RETRY_AFTER: Duration = Duration::from_secs(1);

struct Line {
    text: String,
    written: oneshot::Sender<std::io::Result<()>>,
}

/// The queue to the standard-output thread. Cheap to clone.
#[derive(Clone)]
pub struct Output {
    queue: SyncSender<Line>,
}

/// Ends when the standard-output thread has written everything queued before the last
/// [`Output`] was dropped.
pub struct Drained(oneshot::Receiver<()>);

impl Drained {
    /// Waits at most `limit` for the queue to be written; whether it was.
    pub async fn wait(self, limit: Duration) -> bool {
        tokio::time::timeout(limit, self.0).await.is_ok()
    }
}

impl Output {
    /// Starts the writer thread with a queue of `capacity` lines.
    pub fn start(capacity: usize) -> std::io::Result<(Output, Drained)> {
        let (queue, lines) = sync_channel::<Line>(capacity);
        let (done, drained) = oneshot::channel();
        std::thread::Builder::new()
            .name("stdout".to_owned())
            .spawn(move || {
                write_lines(&lines);
                let _ = done.send(());
            })?;
        Ok((Output { queue }, Drained(drained)))
    }

    /// Prints `value` as one JSON line; resolves once it is written and flushed. A full
    /// queue is [`Busy`]; a failed write (a closed pipe) an error, so that the sender
    /// delivers the message again rather than losing it.
    pub async fn print<T: Serialize>(&self, value: &T) -> Result<(), BoxError> {
        let mut text = serde_json::to_string(value)?;
        text.push('\n');
        let (written, done) = oneshot::channel();
        match self.queue.try_send(Line { text, written }) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(Box::new(Busy {
                    retry_after: RETRY_AFTER,
                }));
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err("standard output is closed".into());
            }
        }
        match done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(Box::new(err)),
            Err(_) => Err("the standard-output writer stopped".into()),
        }
    }
}

fn write_lines(lines: &Receiver<Line>) {
    let stdout = std::io::stdout();
    while let Ok(line) = lines.recv() {
        let result = {
            let _whole = LINE.lock().unwrap_or_else(PoisonError::into_inner);
            let mut out = stdout.lock();
            out.write_all(line.text.as_bytes())
                .and_then(|()| out.flush())
        };
        let _ = line.written.send(result);
    }
}

/// Waits at most `limit` for a line being written to be finished, then holds standard
/// output so that nothing more starts, and exits with `code`.
pub fn exit_between_lines(code: i32, limit: Duration) -> ! {
    let until = Instant::now() + limit;
    loop {
        match LINE.try_lock() {
            Ok(_held) => {
                let _ = std::io::stdout().lock().flush();
                std::process::exit(code);
            }
            Err(std::sync::TryLockError::Poisoned(_)) => std::process::exit(code),
            Err(std::sync::TryLockError::WouldBlock) if Instant::now() >= until => {
                std::process::exit(code)
            }
            Err(std::sync::TryLockError::WouldBlock) => {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

/// The queue to the standard-error thread. Cheap to clone.
#[derive(Clone)]
pub struct Report {
    queue: SyncSender<String>,
    dropped: Arc<AtomicU64>,
}

impl Report {
    /// Starts the writer thread with a queue of `capacity` lines.
    pub fn start(capacity: usize) -> std::io::Result<Report> {
        let (queue, lines) = sync_channel::<String>(capacity);
        let dropped = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&dropped);
        std::thread::Builder::new()
            .name("stderr".to_owned())
            .spawn(move || {
                let stderr = std::io::stderr();
                while let Ok(line) = lines.recv() {
                    let lost = counted.swap(0, Ordering::Relaxed);
                    let mut err = stderr.lock();
                    if lost > 0 {
                        let _ = writeln!(
                            err,
                            "({lost} report lines dropped: standard error was not read)"
                        );
                    }
                    let _ = writeln!(err, "{line}");
                }
            })?;
        Ok(Report { queue, dropped })
    }

    /// Queues one line, or counts it as dropped.
    pub fn line(&self, line: String) {
        if self.queue.try_send(line).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}
