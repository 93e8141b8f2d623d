#!/usr/bin/env bash
# Instruction counts (callgrind) of one pass of the stream decoder over every bench body and
# chunk size: the table of BENCHMARKS.md's "The decoder by layers" section, run on two commits
# to compare them.
#
#   bash crates/gptbots-protocol/benches/icount_all.sh      # needs valgrind; ~10 minutes
#
# One pass = count(2 passes) - count(1 pass), as in icount.sh. Millions of instructions.
# `big` is the 8 MiB Audio frame; 8193-byte chunks are its 1024 chunks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
# DECODE_PASS=path: count that build of the example instead (a copy made at another commit).
bin=${DECODE_PASS:-target/release/examples/decode_pass}
[ -n "${DECODE_PASS:-}" ] || cargo build -q --release -p gptbots-protocol --example decode_pass
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
pass() { echo $(( $(count "$@" 2) - $(count "$@" 1) )); }
echo "| body | style | chunk | M instructions |"
echo "|---|---|---|---:|"
run() {
    local body=$1 style=$2 chunk=$3
    awk -v b="$body" -v s="$style" -v c="$chunk" -v o="$(pass "$body" "$style" "$chunk")" \
        'BEGIN { printf "| %s | %s | %s | %.1f |\n", b, s, c, o / 1e6 }'
}
for style in bare sse; do
    for chunk in 1 16 1460 65536 whole; do run text "$style" "$chunk"; done
    for chunk in 1460 65536 whole; do run audio "$style" "$chunk"; done
    for chunk in 8193 whole; do run big "$style" "$chunk"; done
done
