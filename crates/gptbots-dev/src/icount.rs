//! `cargo dev icount`: instruction counts (valgrind's callgrind) of one pass of the stream
//! decoder, the repeatable counterpart of the timed benchmarks. It runs the `decode_pass` example
//! of gptbots-protocol, built in release mode unless a saved build is given (`--bin`, or
//! `DECODE_PASS`), for instance one made at another commit to compare the two.
//!
//! Two tables, in millions of instructions:
//!
//! - the text body (the default): ours, the serde_json floor and feeding alone, each chunk size
//!   and style. One pass = count(3 passes) - count(2 passes). Only the text body: on the audio
//!   body most work is large copies, which callgrind counts per iteration of `rep movsb`, not as
//!   the hardware does it, so times are the measure there;
//! - every body (`--all`): ours on each bench body and chunk size (`big` is the 8 MiB Audio frame;
//!   8193-byte chunks are its 1024 chunks), the table of BENCHMARKS.md's "The decoder by layers".
//!   One pass = count(2 passes) - count(1 pass).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What to count.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Every body instead of the text body alone.
    pub all: bool,
    /// A saved build of `decode_pass`; built in release mode when absent.
    pub bin: Option<PathBuf>,
    /// Only the rows of this body (`text`, `audio`, `big`).
    pub body: Option<String>,
    /// Only the rows of this style (`bare`, `sse`).
    pub style: Option<String>,
    /// Only the rows of this chunk size (`1460`, `whole`).
    pub chunk: Option<String>,
}

impl Options {
    fn wants(&self, body: &str, style: &str, chunk: &str) -> bool {
        let matches =
            |filter: &Option<String>, value: &str| filter.as_deref().is_none_or(|f| f == value);
        matches(&self.body, body) && matches(&self.style, style) && matches(&self.chunk, chunk)
    }
}

/// Prints the table `options` asks for, row by row.
pub fn run(root: &Path, options: &Options) -> Result<(), String> {
    let bin = match &options.bin {
        Some(bin) => bin.clone(),
        None => build(root)?,
    };
    if options.all {
        every_body(&bin, options)
    } else {
        text_body(&bin, options)
    }
}

/// Builds the example in release mode; returns where the executable is.
fn build(root: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "-q",
            "--release",
            "-p",
            "gptbots-protocol",
            "--example",
            "decode_pass",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo build of decode_pass failed ({})",
            out.status
        ));
    }
    // The last artifact message naming the example's executable.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| {
            m.get("target")
                .and_then(|t| t.get("name"))
                .and_then(|n| n.as_str())
                == Some("decode_pass")
        })
        .filter_map(|m| {
            m.get("executable")
                .and_then(|e| e.as_str())
                .map(PathBuf::from)
        })
        .next_back()
        .ok_or_else(|| "cargo build did not name the decode_pass executable".to_owned())
}

/// Instructions callgrind collects over one run of `bin` with `args`.
fn count(bin: &Path, args: &[&str]) -> Result<i64, String> {
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(bin)
        .args(args)
        .output()
        .map_err(|e| format!("valgrind: {e} (is valgrind installed?)"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!(
            "valgrind {} {}: {}\n{stderr}",
            bin.display(),
            args.join(" "),
            out.status
        ));
    }
    collected(&stderr).ok_or_else(|| {
        format!(
            "valgrind {}: no \"Collected :\" line\n{stderr}",
            args.join(" ")
        )
    })
}

/// The count in callgrind's `==PID== Collected : N` line.
fn collected(stderr: &str) -> Option<i64> {
    stderr.lines().find_map(|line| {
        let (_, after) = line.split_once("Collected : ")?;
        after.split_whitespace().next()?.parse().ok()
    })
}

/// One pass: count(`passes`) - count(`passes` - 1).
fn pass(bin: &Path, body: &str, style: &str, what: &str, passes: u32) -> Result<i64, String> {
    let more = count(bin, &[body, style, what, &passes.to_string()])?;
    let fewer = count(bin, &[body, style, what, &(passes - 1).to_string()])?;
    Ok(more - fewer)
}

fn print_row(row: String) {
    println!("{row}");
    let _ = std::io::stdout().flush();
}

const CHUNKS: [&str; 5] = ["1", "16", "1460", "65536", "whole"];

fn text_body(bin: &Path, options: &Options) -> Result<(), String> {
    let floor = pass(bin, "text", "bare", "floor", 3)? as f64;
    print_row(format!("floor (bare body, whole): {:.1} M\n", floor / 1e6));
    print_row(
        "| style | chunk | ours M | floor / ours | feeding alone M | floor / (floor + feeding) |"
            .to_owned(),
    );
    print_row("|---|---|---:|---:|---:|---:|".to_owned());
    for style in ["bare", "sse"] {
        for chunk in CHUNKS {
            if !options.wants("text", style, chunk) {
                continue;
            }
            let ours = pass(bin, "text", style, chunk, 3)? as f64;
            // Feeding a whole body is feeding it in one chunk larger than it.
            let feed_chunk = if chunk == "whole" { "100000000" } else { chunk };
            let feed = pass(bin, "text", style, &format!("feed{feed_chunk}"), 3)? as f64;
            print_row(format!(
                "| {style} | {chunk} | {:.1} | {:.2} | {:.1} | {:.2} |",
                ours / 1e6,
                floor / ours,
                feed / 1e6,
                floor / (floor + feed)
            ));
        }
    }
    Ok(())
}

fn every_body(bin: &Path, options: &Options) -> Result<(), String> {
    print_row("| body | style | chunk | M instructions |".to_owned());
    print_row("|---|---|---|---:|".to_owned());
    let bodies: [(&str, &[&str]); 3] = [
        ("text", &CHUNKS),
        ("audio", &["1460", "65536", "whole"]),
        ("big", &["8193", "whole"]),
    ];
    for style in ["bare", "sse"] {
        for (body, chunks) in bodies {
            for &chunk in chunks {
                if !options.wants(body, style, chunk) {
                    continue;
                }
                let ours = pass(bin, body, style, chunk, 2)? as f64;
                print_row(format!(
                    "| {body} | {style} | {chunk} | {:.1} |",
                    ours / 1e6
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Options, collected};

    #[test]
    fn reads_callgrinds_count() {
        let stderr = "==41== Events    : Ir\n==41== Collected : 92345678\n==41== \n==41== I   refs:      92,345,678\n";
        assert_eq!(collected(stderr), Some(92_345_678));
        assert_eq!(collected("==41== Events    : Ir\n"), None);
    }

    #[test]
    fn rows_are_filtered_by_body_style_and_chunk() {
        let all = Options::default();
        assert!(all.wants("big", "sse", "8193"));
        let some = Options {
            style: Some("sse".to_owned()),
            chunk: Some("whole".to_owned()),
            ..Options::default()
        };
        assert!(some.wants("text", "sse", "whole"));
        assert!(!some.wants("text", "bare", "whole"));
        assert!(!some.wants("text", "sse", "1460"));
    }
}
