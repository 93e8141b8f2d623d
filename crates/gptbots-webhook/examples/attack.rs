//! `gptbots webhook listen` (a release build) under a bounded slowloris + stalled-body attack
//! on 127.0.0.1: the receiver's peak memory, and what a normal POST gets meanwhile.
//!
//! ```sh
//! crates/gptbots-webhook/examples/attack.sh
//! ```
//!
//! runs `cargo build --release -p gptbots-cli`, raises `ulimit -n` and then
//! `cargo run --release -p gptbots-webhook --example attack -- target/release/gptbots
//! [SECONDS SLOW STALLED STALL_BYTES]` (defaults 40, 500, 500, 65536).
//!
//! - SLOW connections send a request head a byte a second, for ever; when the server cuts one,
//!   it is opened again a second later.
//! - STALLED connections send a head declaring 4,000,000 bytes, then STALL_BYTES of body,
//!   then nothing; when the server answers or cuts one, it is opened again a second later.
//! - Every 250 ms a normal POST (a distinct valid v2 reply, on a new connection) is timed.
//! - The receiver's resident memory is sampled every 250 ms from `/proc`; its peak is
//!   `VmHWM` at the end.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const V2: &str = include_str!("../../../conformance/vectors/webhook/message.json");

fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[derive(Default)]
struct Counts {
    opened: AtomicU64,
    cut: AtomicU64,
}

async fn slowloris(addr: SocketAddr, until: Instant, counts: Arc<Counts>) {
    let head = b"POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    while Instant::now() < until {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        counts.opened.fetch_add(1, Ordering::Relaxed);
        for byte in head.iter().cycle() {
            if Instant::now() >= until {
                return;
            }
            if stream.write_all(&[*byte]).await.is_err() {
                break;
            }
            let mut probe = [0u8; 256];
            // a read that ends (0 bytes or an error) within the second means the server cut it
            match tokio::time::timeout(Duration::from_secs(1), stream.read(&mut probe)).await {
                Ok(Ok(n)) if n > 0 => {}
                Ok(_) => break,
                Err(_) => {}
            }
        }
        counts.cut.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn stalled(addr: SocketAddr, until: Instant, bytes: usize, counts: Arc<Counts>) {
    let head = "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 4000000\r\n\r\n";
    let body = vec![b' '; bytes];
    while Instant::now() < until {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        counts.opened.fetch_add(1, Ordering::Relaxed);
        if stream.write_all(head.as_bytes()).await.is_ok() {
            let _ = stream.write_all(&body).await;
        }
        let mut sink = [0u8; 1024];
        let left = until.saturating_duration_since(Instant::now());
        let ended = tokio::time::timeout(left, async {
            loop {
                match stream.read(&mut sink).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await;
        if ended.is_err() {
            return;
        }
        counts.cut.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// One normal POST: its status (0: no answer) and how long it took.
async fn normal_post(addr: SocketAddr, id: &str) -> (u16, Duration) {
    let body = V2.replace("65a4ccfC7ce58e728d5897e0", id);
    let request = format!(
        "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let start = Instant::now();
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.ok()?;
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.ok()?;
        std::str::from_utf8(response.get(9..12)?).ok()?.parse().ok()
    };
    let status = tokio::time::timeout(Duration::from_secs(60), exchange)
        .await
        .ok()
        .flatten()
        .unwrap_or(0);
    (status, start.elapsed())
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bin = args.first().expect("the path of a release `gptbots`");
    let number = |i: usize, default: u64| -> u64 {
        args.get(i)
            .map_or(default, |a| a.parse().expect("a number"))
    };
    let seconds = number(1, 40);
    let slow = number(2, 500);
    let stall = number(3, 500);
    let stall_bytes = number(4, 64 * 1024) as usize;

    let mut child = Command::new(bin)
        .args(["webhook", "listen", "--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the receiver");
    let pid = child.id();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = stderr.next().unwrap().unwrap();
    let addr: SocketAddr = first
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .parse()
        .unwrap();
    std::thread::spawn(move || for _ in stderr {});
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle_kib = status_kib(pid, "VmRSS:");

    // before the attack
    let mut quiet = Vec::new();
    for i in 0..20 {
        quiet.push(normal_post(addr, &format!("quiet-{i}")).await);
    }

    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let (slow_counts, stall_counts) = (Arc::new(Counts::default()), Arc::new(Counts::default()));
    let mut attackers = Vec::new();
    for _ in 0..slow {
        attackers.push(tokio::spawn(slowloris(
            addr,
            until,
            Arc::clone(&slow_counts),
        )));
    }
    for _ in 0..stall {
        attackers.push(tokio::spawn(stalled(
            addr,
            until,
            stall_bytes,
            Arc::clone(&stall_counts),
        )));
    }
    let sampler = tokio::spawn(async move {
        let mut peak_sampled = 0;
        while Instant::now() < until {
            peak_sampled = peak_sampled.max(status_kib(pid, "VmRSS:"));
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        peak_sampled
    });
    // let the attack build up for 5 s, then time normal POSTs until it ends
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mut during = Vec::new();
    let mut i = 0;
    while Instant::now() + Duration::from_secs(1) < until {
        during.push(normal_post(addr, &format!("during-{i}")).await);
        i += 1;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let peak_sampled = sampler.await.unwrap();
    for attacker in attackers {
        attacker.abort();
    }
    let peak_kib = status_kib(pid, "VmHWM:");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after_kib = status_kib(pid, "VmRSS:");
    let after = normal_post(addr, "after").await;

    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let exit = child.wait().unwrap();

    let summary = |name: &str, posts: &[(u16, Duration)]| {
        let mut latencies: Vec<Duration> = posts.iter().map(|p| p.1).collect();
        latencies.sort_unstable();
        let pick = |p: f64| {
            let rank = ((p / 100.0) * latencies.len() as f64).ceil() as usize;
            latencies[rank.clamp(1, latencies.len()) - 1]
        };
        let mut statuses: Vec<(u16, usize)> = Vec::new();
        for (status, _) in posts {
            match statuses.iter_mut().find(|(s, _)| s == status) {
                Some((_, n)) => *n += 1,
                None => statuses.push((*status, 1)),
            }
        }
        statuses.sort_unstable();
        let statuses: Vec<String> = statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} |",
            posts.len(),
            statuses.join(", "),
            ms(pick(50.0)),
            ms(pick(90.0)),
            ms(pick(99.0)),
            ms(pick(100.0)),
        );
    };
    println!(
        "\nattack: {seconds} s, {slow} slowloris + {stall} stalled-body connections ({stall_bytes} bytes of a declared 4,000,000 each), reopened a second after each cut\n"
    );
    println!(
        "| receiver memory | MiB |\n|---|---:|\n| resident when idle | {:.1} |\n| peak resident (VmHWM) | {:.1} |\n| highest sample during the attack | {:.1} |\n| resident 2 s after the attack | {:.1} |",
        idle_kib as f64 / 1024.0,
        peak_kib as f64 / 1024.0,
        peak_sampled as f64 / 1024.0,
        after_kib as f64 / 1024.0
    );
    println!(
        "\n| attackers | connections opened | cut by the receiver |\n|---|---:|---:|\n| slowloris | {} | {} |\n| stalled body | {} | {} |",
        slow_counts.opened.load(Ordering::Relaxed),
        slow_counts.cut.load(Ordering::Relaxed),
        stall_counts.opened.load(Ordering::Relaxed),
        stall_counts.cut.load(Ordering::Relaxed),
    );
    println!("\n| normal POSTs | count | statuses | p50 ms | p90 ms | p99 ms | max ms |");
    println!("|---|---:|---|---:|---:|---:|---:|");
    summary("before the attack", &quiet);
    summary("during the attack", &during);
    summary("after the attack", &[after]);
    println!("\nreceiver exit after SIGTERM: {exit}");
}
