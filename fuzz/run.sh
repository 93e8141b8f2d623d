#!/usr/bin/env bash
# Build every cargo-fuzz target and run each one briefly on a scratch copy of its seeds.
#
# Called by CI (`.ci/run`); also the command to use by hand. Works on a fresh machine: it
# installs cargo-fuzz when missing and needs only a nightly toolchain (`cargo +nightly`).
#
#   fuzz/run.sh                 build, then run every target FUZZ_SECONDS (default 30) each
#   fuzz/run.sh decoder_split   only the named target(s)
#   FUZZ_SECONDS=0 fuzz/run.sh  build only (and replay the seeds once, which is fast)
#
# Environment: FUZZ_SECONDS (per target, default 30), FUZZ_JOBS (parallel libFuzzer jobs per
# target, default 1), FUZZ_TOOLCHAIN (default nightly).
#
# New inputs found during a run go to fuzz/corpus/<target>/ (git-ignored scratch); the
# committed seeds in fuzz/seeds/<target>/ are read, never written. A crash leaves its input in
# fuzz/artifacts/<target>/ and makes this script exit non-zero.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

seconds="${FUZZ_SECONDS:-30}"
jobs="${FUZZ_JOBS:-1}"
toolchain="${FUZZ_TOOLCHAIN:-nightly}"

if ! cargo "+$toolchain" --version >/dev/null 2>&1; then
    echo "fuzz/run.sh: 'cargo +$toolchain' does not work; cargo-fuzz needs a nightly toolchain" >&2
    echo "  (rustup toolchain install nightly, or set FUZZ_TOOLCHAIN to an installed nightly)" >&2
    exit 2
fi
echo "fuzz/run.sh: $(cargo "+$toolchain" --version)"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz/run.sh: cargo-fuzz is missing; installing it (cargo install cargo-fuzz --locked)"
    cargo install cargo-fuzz --locked
fi
echo "fuzz/run.sh: $(cargo fuzz --version)"

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo "+$toolchain" fuzz list)
fi

# Build every target, so a target that no longer compiles fails CI even when not run.
cargo "+$toolchain" fuzz build
echo "fuzz/run.sh: built every target; running: ${targets[*]}"

status=0
for target in "${targets[@]}"; do
    seeds="seeds/$target"
    scratch="corpus/$target"
    mkdir -p "$scratch"
    if [ ! -d "$seeds" ]; then
        echo "fuzz/run.sh: no seeds for $target in fuzz/$seeds (cargo dev fuzz-seeds writes them)" >&2
        status=1
        continue
    fi
    if [ "$seconds" = 0 ]; then
        # Replay the seeds once: checks that every seed passes, takes a second.
        args=(-runs=0)
    else
        args=(-max_total_time="$seconds")
        if [ "$jobs" != 1 ]; then
            args+=(-jobs="$jobs" -workers="$jobs")
        fi
    fi
    echo "fuzz/run.sh: running $target (${args[*]})"
    start=$(date +%s)
    # libFuzzer writes new inputs to the first directory only: the scratch corpus.
    set +e
    cargo "+$toolchain" fuzz run "$target" "$scratch" "$seeds" -- "${args[@]}" 2>&1 \
        | tee "corpus/$target.log" \
        | grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|Done [0-9]+ runs|==[0-9]+== ?ERROR|SUMMARY|thread .* panicked)'
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" -ne 0 ]; then
        echo "fuzz/run.sh: $target FAILED (exit $rc) after $(( $(date +%s) - start ))s; log: fuzz/corpus/$target.log" >&2
        tail -n 40 "corpus/$target.log" >&2
        status=1
    else
        echo "fuzz/run.sh: $target ok in $(( $(date +%s) - start ))s"
    fi
done
exit "$status"
