//! `cargo dev bench-report` on a small criterion directory: the tables are the ones the Python
//! script it replaced printed for the same files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use gptbots_dev::bench_report::{Results, tables};

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One benchmark as criterion stores it: `new/benchmark.json` and `new/estimates.json`.
fn bench(root: &Path, dir: &str, meta: serde_json::Value, median_ns: f64) {
    let new = root.join(dir).join("new");
    std::fs::create_dir_all(&new).unwrap();
    std::fs::write(new.join("benchmark.json"), meta.to_string()).unwrap();
    let estimates = serde_json::json!({
        "mean": {"point_estimate": median_ns * 1.1},
        "median": {"point_estimate": median_ns},
    });
    std::fs::write(new.join("estimates.json"), estimates.to_string()).unwrap();
    // criterion's previous run, which the report ignores
    let base = root.join(dir).join("base");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::write(base.join("benchmark.json"), "not read").unwrap();
}

fn meta(group: &str, function: &str, value: Option<&str>, bytes: u64) -> serde_json::Value {
    serde_json::json!({
        "group_id": group,
        "function_id": function,
        "value_str": value,
        "throughput": {"Bytes": bytes},
    })
}

/// What the Python report script that `bench-report` replaced printed for the benchmarks below.
const EXPECTED: &str = "\
| body | style | chunk | ours MB/s | floor MB/s | same parse MB/s | eventsource MB/s | reparse MB/s | feed only MB/s | ours / floor (drifts; see decoder_ratio) | × eventsource | × reparse |
|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
| text_1mb | bare | 1 | - | 849.3 | 1,310.7 | - | - | - | - | - | - |
| text_1mb | bare | 16 | - | 849.3 | 1,310.7 | - | - | - | - | - | - |
| text_1mb | bare | 1460 | 2,330.2 | 849.3 | 1,310.7 | 116.5 | 349.5 | 1,048,576.0 | 2.74 | 20.0 | 6.7 |
| text_1mb | bare | 65536 | - | 849.3 | 1,310.7 | - | - | - | - | - | - |
| text_1mb | bare | whole | - | 849.3 | 1,310.7 | - | - | - | - | - | - |
| text_1mb | sse | 1 | - | - | - | - | - | - | - | - | - |
| text_1mb | sse | 16 | - | - | - | - | - | - | - | - | - |
| text_1mb | sse | 1460 | - | - | - | - | - | - | - | - | - |
| text_1mb | sse | 65536 | - | - | - | - | - | - | - | - | - |
| text_1mb | sse | whole | - | - | - | - | - | - | - | - | - |
| audio_4x2mb | bare | 1 | - | - | - | - | - | - | - | - | - |
| audio_4x2mb | bare | 16 | - | - | - | - | - | - | - | - | - |
| audio_4x2mb | bare | 1460 | - | - | - | - | - | - | - | - | - |
| audio_4x2mb | bare | 65536 | - | - | - | - | - | - | - | - | - |
| audio_4x2mb | bare | whole | - | - | - | - | - | - | - | - | - |
| audio_4x2mb | sse | 1 | - | - | - | - | - | - | - | - | - |
| audio_4x2mb | sse | 16 | - | - | - | - | - | - | - | - | - |
| audio_4x2mb | sse | 1460 | - | - | - | - | - | - | - | - | - |
| audio_4x2mb | sse | 65536 | - | - | - | - | - | - | - | - | - |
| audio_4x2mb | sse | whole | - | - | - | - | - | - | - | - | - |
";

const EXPECTED_FRAME: &str = "
| 8 MiB frame, 1024 chunks | median time | MB/s | eventsource time / this time |
|---|---:|---:|---:|
| serde_json_floor | 45.00 ms | 186.4 | 33 |
| ours/sse | 25.00 ms | 335.6 | 60 |
| eventsource/sse | 1.50 s | 5.6 | 1 |
";

#[test]
fn tables_are_the_ones_report_py_printed() {
    let dir = std::env::temp_dir().join(format!("gptbots-dev-criterion-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let scratch = Scratch(dir);
    let root = &scratch.0;
    let text = "text_1mb/bare";
    let mb = 1_048_576;
    bench(
        root,
        "t/floor",
        meta(text, "serde_json_floor", None, mb),
        1_234_567.0,
    );
    bench(
        root,
        "t/same",
        meta(text, "same_parse", None, mb),
        800_000.0,
    );
    bench(
        root,
        "t/ours",
        meta(text, "ours", Some("1460"), mb),
        450_000.0,
    );
    bench(
        root,
        "t/es",
        meta(text, "eventsource", Some("1460"), mb),
        9_000_000.0,
    );
    bench(
        root,
        "t/rp",
        meta(text, "reparse", Some("1460"), mb),
        3_000_000.0,
    );
    bench(
        root,
        "t/feed",
        meta(text, "feed_only", Some("1460"), mb),
        1_000.0,
    );
    let frame = "frame_8mb/1024_chunks";
    bench(
        root,
        "f/floor",
        meta(frame, "serde_json_floor", None, 8_388_608),
        4.5e7,
    );
    bench(
        root,
        "f/ours",
        meta(frame, "ours/sse", None, 8_389_000),
        2.5e7,
    );
    bench(
        root,
        "f/es",
        meta(frame, "eventsource/sse", None, 8_389_000),
        1.5e9,
    );

    let results = Results::read(root).unwrap();
    assert_eq!(tables(&results), format!("{EXPECTED}{EXPECTED_FRAME}"));
}
