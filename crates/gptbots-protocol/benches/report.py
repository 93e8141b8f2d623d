#!/usr/bin/env python3
"""Turn the criterion results of `cargo bench -p gptbots-protocol --bench decoder` into the
markdown tables of BENCHMARKS.md.

Usage: python3 crates/gptbots-protocol/benches/report.py [target/criterion]

Reads every `new/benchmark.json` + `new/estimates.json` under the criterion directory, takes
the median time of each benchmark, and prints throughput (MB/s, 10^6 bytes per second, of the
body that benchmark was fed) and ratios. Ratios are of times on the same frames:
`floor_time / ours_time` (1.0 = as fast as the floor; the floor always parses the bare body),
`eventsource_time / ours_time` and `reparse_time / ours_time` (how many times faster ours is).
`same parse` is `Frame::from_slice` frame by frame over the bare body: parsing alone, our way.
"""

import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
results = {}  # (group, function, param) -> (median seconds, bytes)
for bench in root.rglob("new/benchmark.json"):
    meta = json.loads(bench.read_text())
    est = json.loads((bench.parent / "estimates.json").read_text())
    seconds = est["median"]["point_estimate"] / 1e9
    nbytes = (meta.get("throughput") or {}).get("Bytes")
    function = meta["function_id"]
    param = meta.get("value_str")
    if param is None and "/" in function:
        function, param = function.split("/", 1)
    results[(meta["group_id"], function, param)] = (seconds, nbytes)


def mbps(entry):
    if entry is None:
        return "-"
    seconds, nbytes = entry
    return f"{nbytes / seconds / 1e6:,.1f}"


def ratio(num, den, fmt="{:.2f}"):
    if num is None or den is None:
        return "-"
    return fmt.format(num[0] / den[0])


CHUNKS = ["1", "16", "1460", "65536", "whole"]
print("| body | style | chunk | ours MB/s | floor MB/s | same parse MB/s | eventsource MB/s | reparse MB/s "
      "| feed only MB/s | ours / floor (drifts; see decoder_ratio) | × eventsource | × reparse |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for body in ["text_1mb", "audio_4x2mb"]:
    for style in ["bare", "sse"]:
        group = f"{body}/{style}"
        floor = results.get((group, "serde_json_floor", None))
        same = results.get((group, "same_parse", None))
        for chunk in CHUNKS:
            ours = results.get((group, "ours", chunk))
            es = results.get((group, "eventsource", chunk))
            rp = results.get((group, "reparse", chunk))
            feed = results.get((group, "feed_only", chunk))
            r = ratio(floor, ours)
            print(f"| {body} | {style} | {chunk} | {mbps(ours)} | {mbps(floor)} | {mbps(same)} | {mbps(es)} | {mbps(rp)} "
                  f"| {mbps(feed)} | {r} | {ratio(es, ours, '{:,.1f}')} "
                  f"| {ratio(rp, ours, '{:,.1f}')} |")

group = "frame_8mb/1024_chunks"
print()
print("| 8 MiB frame, 1024 chunks | median time | MB/s | eventsource time / this time |")
print("|---|---:|---:|---:|")
es = results.get((group, "eventsource", "sse"))
for function, param in [("serde_json_floor", None), ("ours", "bare"), ("ours", "sse"),
                        ("eventsource", "sse"), ("reparse", "bare"), ("reparse", "sse")]:
    entry = results.get((group, function, param))
    if entry is None:
        continue
    name = function + (f"/{param}" if param else "")
    t = entry[0]
    shown = f"{t * 1e3:,.2f} ms" if t < 1 else f"{t:,.2f} s"
    print(f"| {name} | {shown} | {mbps(entry)} | {ratio(es, entry, '{:,.0f}')} |")
