#!/usr/bin/env bash
# Instruction counts (callgrind) of one pass of the stream decoder, the serde_json floor and
# feeding alone over the text body: the repeatable counterpart of the timed ratios.
#
#   bash crates/gptbots-protocol/benches/icount.sh      # needs valgrind; ~3 minutes
#
# One pass = count(3 passes) - count(2 passes): the body is built, and the allocator warmed,
# the same way in both. Prints a markdown table (millions of instructions; floor / ours).
# Only the text body: on the audio body most work is large memcpy, which callgrind counts
# per loop iteration of `rep movsb`, not as the hardware does it, so times are the measure
# there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
cargo build -q --release -p gptbots-protocol --example decode_pass
bin=target/release/examples/decode_pass
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
pass() { echo $(( $(count "$@" 3) - $(count "$@" 2) )); }
floor=$(pass text bare floor)
awk -v f="$floor" 'BEGIN { printf "floor (bare body, whole): %.1f M\n\n", f / 1e6 }'
echo "| style | chunk | ours M | floor / ours | feeding alone M | floor / (floor + feeding) |"
echo "|---|---|---:|---:|---:|---:|"
for style in bare sse; do
    for chunk in 1 16 1460 65536 whole; do
        ours=$(pass text "$style" "$chunk")
        feed_chunk=$chunk
        [ "$chunk" = whole ] && feed_chunk=100000000
        feed=$(pass text "$style" "feed$feed_chunk")
        awk -v s="$style" -v c="$chunk" -v o="$ours" -v f="$floor" -v d="$feed" 'BEGIN {
            printf "| %s | %s | %.1f | %.2f | %.1f | %.2f |\n", s, c, o / 1e6, f / o, d / 1e6, f / (f + d) }'
    done
done
