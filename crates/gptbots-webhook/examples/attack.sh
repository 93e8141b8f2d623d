#!/bin/sh
# The "Receiver under attack" figures of BENCHMARKS.md: a release `gptbots webhook listen`
# under 500 slowloris + 500 stalled-body connections on 127.0.0.1 for a bounded time.
# Arguments are passed on: SECONDS SLOW STALLED STALL_BYTES (defaults 40 500 500 65536).
set -eu
cd "$(dirname "$0")/../../.."
# about 1,000 attack connections, each an open file in both processes
ulimit -n 8192
cargo build --release -p gptbots-cli
cargo run --release -p gptbots-webhook --example attack -- target/release/gptbots "$@"
