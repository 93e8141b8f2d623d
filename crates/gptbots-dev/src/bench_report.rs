//! `cargo dev bench-report [DIR]`: the criterion results of
//! `cargo bench -p gptbots-protocol --bench decoder` as the markdown tables of BENCHMARKS.md.
//!
//! Reads every `new/benchmark.json` and its `new/estimates.json` under the criterion directory
//! (`target/criterion` by default), takes each benchmark's median time, and writes throughput
//! (MB/s: 10^6 bytes a second of the body that benchmark was fed) and ratios of times on the same
//! frames: `floor time / ours time` (1.0: as fast as the serde_json floor, which always parses the
//! bare body), and `eventsource time / ours time` and `reparse time / ours time` (how many times
//! faster ours is). `same parse` is `Frame::from_slice` frame by frame over the bare body: the
//! parsing alone, done our way.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// (group, function, parameter) of one benchmark.
type Key = (String, Option<String>, Option<String>);

/// The median time in seconds of one benchmark, and the bytes it was fed (when it says).
#[derive(Debug, Clone, Copy)]
struct Entry {
    seconds: f64,
    bytes: Option<f64>,
}

/// Every result under `root`, by (group, function, parameter).
#[derive(Debug, Default)]
pub struct Results(HashMap<Key, Entry>);

impl Results {
    /// Reads every benchmark under the criterion directory `root`.
    pub fn read(root: &Path) -> Result<Results, String> {
        let mut files = Vec::new();
        find_benchmarks(root, &mut files)?;
        let mut results = Results::default();
        for bench in files {
            let meta = read_json(&bench)?;
            let estimates = read_json(&bench.with_file_name("estimates.json"))?;
            let nanos = estimates
                .get("median")
                .and_then(|m| m.get("point_estimate"))
                .and_then(Value::as_f64)
                .ok_or_else(|| format!("{}: no median point estimate", bench.display()))?;
            let bytes = meta
                .get("throughput")
                .and_then(|t| t.get("Bytes"))
                .and_then(Value::as_f64);
            let group = meta
                .get("group_id")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{}: no group_id", bench.display()))?
                .to_owned();
            let mut function = meta
                .get("function_id")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let mut param = meta
                .get("value_str")
                .and_then(Value::as_str)
                .map(str::to_owned);
            // `bench_function("ours/sse")`: the parameter is in the function's name.
            if param.is_none()
                && let Some((name, rest)) = function.as_deref().and_then(|f| f.split_once('/'))
            {
                (function, param) = (Some(name.to_owned()), Some(rest.to_owned()));
            }
            let entry = Entry {
                seconds: nanos / 1e9,
                bytes,
            };
            results.0.insert((group, function, param), entry);
        }
        Ok(results)
    }

    fn get(&self, group: &str, function: &str, param: Option<&str>) -> Option<Entry> {
        let key = (
            group.to_owned(),
            Some(function.to_owned()),
            param.map(str::to_owned),
        );
        self.0.get(&key).copied()
    }
}

/// Every `new/benchmark.json` under `dir`.
fn find_benchmarks(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            find_benchmarks(&path, out)?;
        } else if path.file_name().is_some_and(|n| n == "benchmark.json")
            && dir.file_name().is_some_and(|n| n == "new")
        {
            out.push(path);
        }
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// `x` with `decimals` places and commas between thousands, as Python's `{:,.Nf}`.
fn grouped(x: f64, decimals: usize) -> String {
    let plain = format!("{x:.decimals$}");
    let (sign, unsigned) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    if !whole.bytes().all(|b| b.is_ascii_digit()) {
        return plain; // inf, NaN
    }
    let mut out = String::from(sign);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

fn mbps(entry: Option<Entry>) -> String {
    match entry {
        Some(Entry {
            seconds,
            bytes: Some(bytes),
        }) => grouped(bytes / seconds / 1e6, 1),
        _ => "-".to_owned(),
    }
}

/// `num`'s time over `den`'s.
fn ratio(num: Option<Entry>, den: Option<Entry>, decimals: usize, commas: bool) -> String {
    match (num, den) {
        (Some(num), Some(den)) => {
            let r = num.seconds / den.seconds;
            if commas {
                grouped(r, decimals)
            } else {
                format!("{r:.decimals$}")
            }
        }
        _ => "-".to_owned(),
    }
}

const CHUNKS: [&str; 5] = ["1", "16", "1460", "65536", "whole"];

/// The two tables, as BENCHMARKS.md has them.
pub fn tables(results: &Results) -> String {
    let mut out = String::new();
    out.push_str(
        "| body | style | chunk | ours MB/s | floor MB/s | same parse MB/s | eventsource MB/s | reparse MB/s \
         | feed only MB/s | ours / floor (drifts; see decoder_ratio) | × eventsource | × reparse |\n",
    );
    out.push_str("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for body in ["text_1mb", "audio_4x2mb"] {
        for style in ["bare", "sse"] {
            let group = format!("{body}/{style}");
            let floor = results.get(&group, "serde_json_floor", None);
            let same = results.get(&group, "same_parse", None);
            for chunk in CHUNKS {
                let ours = results.get(&group, "ours", Some(chunk));
                let es = results.get(&group, "eventsource", Some(chunk));
                let rp = results.get(&group, "reparse", Some(chunk));
                let feed = results.get(&group, "feed_only", Some(chunk));
                let _ = writeln!(
                    out,
                    "| {body} | {style} | {chunk} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    mbps(ours),
                    mbps(floor),
                    mbps(same),
                    mbps(es),
                    mbps(rp),
                    mbps(feed),
                    ratio(floor, ours, 2, false),
                    ratio(es, ours, 1, true),
                    ratio(rp, ours, 1, true),
                );
            }
        }
    }

    let group = "frame_8mb/1024_chunks";
    out.push('\n');
    out.push_str(
        "| 8 MiB frame, 1024 chunks | median time | MB/s | eventsource time / this time |\n",
    );
    out.push_str("|---|---:|---:|---:|\n");
    let es = results.get(group, "eventsource", Some("sse"));
    let rows = [
        ("serde_json_floor", None),
        ("ours", Some("bare")),
        ("ours_whole", Some("bare")),
        ("ours", Some("sse")),
        ("ours_whole", Some("sse")),
        ("eventsource", Some("sse")),
        ("reparse", Some("bare")),
        ("reparse", Some("sse")),
    ];
    for (function, param) in rows {
        let Some(entry) = results.get(group, function, param) else {
            continue;
        };
        let name = match param {
            Some(param) => format!("{function}/{param}"),
            None => function.to_owned(),
        };
        let t = entry.seconds;
        let shown = if t < 1.0 {
            format!("{} ms", grouped(t * 1e3, 2))
        } else {
            format!("{} s", grouped(t, 2))
        };
        let _ = writeln!(
            out,
            "| {name} | {shown} | {} | {} |",
            mbps(Some(entry)),
            ratio(es, Some(entry), 0, true)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn thousands_are_grouped_as_python_does() {
        assert_eq!(grouped(0.0, 1), "0.0");
        assert_eq!(grouped(999.94, 1), "999.9");
        assert_eq!(grouped(999.96, 1), "1,000.0");
        assert_eq!(grouped(1234.56, 1), "1,234.6");
        assert_eq!(grouped(1234567.0, 0), "1,234,567");
        assert_eq!(grouped(-98765.432, 2), "-98,765.43");
    }
}
