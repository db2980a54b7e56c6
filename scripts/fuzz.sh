#!/usr/bin/env bash
# Fuzzes every parser of mailspect with cargo-fuzz (libFuzzer) and prints, per target, how many
# inputs ran, the coverage reached and the crashes found. Not part of CI: it needs the nightly
# toolchain and cargo-fuzz (`cargo install cargo-fuzz`), and takes SECONDS per target.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     SECONDS defaults to 60; TARGET defaults to all
#
# FUZZ_JOBS targets run at once (default 2), each under `nice -n 19` so that builds and tests
# elsewhere on the machine keep priority. The seed corpus is written at run time from the
# fixtures and ../shared/conformance (read in place, never committed) into fuzz/corpus/, which
# libFuzzer then grows; crashes land in fuzz/artifacts/<target>/ and each run's log in
# fuzz/logs/<target>.log. A crash is reproduced with
#   cargo +nightly fuzz run -O <target> artifacts/<target>/<file>     (in fuzz/)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
cd "$ROOT/fuzz"

SECONDS_EACH=${1:-60}
shift || true
JOBS=${FUZZ_JOBS:-2}
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list | grep -vx seeds)
fi

nice -n 19 cargo +nightly fuzz build -O
# The seeds program is built with the targets (same flags); leaks do not matter to it.
BINARIES=target/x86_64-unknown-linux-gnu/release
ASAN_OPTIONS=detect_leaks=0 "$BINARIES/seeds" corpus
mkdir -p logs

run_one() {
  local target=$1
  mkdir -p "corpus/$target" "artifacts/$target"
  # The binary built above, run directly rather than through `cargo fuzz run`, which would
  # rebuild first: sources edited during a long run must not change the targets under it.
  # -timeout: an input that takes longer than 30 s counts as a hang and is kept as a crash.
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of libFuzzer flags
  nice -n 19 "$BINARIES/$target" "corpus/$target" -artifact_prefix="artifacts/$target/" \
    -max_total_time="$SECONDS_EACH" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
    ${FUZZ_ARGS:-} >"logs/$target.log" 2>&1 || true
}

running=0
for target in "${targets[@]}"; do
  run_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

printf '\n%-14s %8s %12s %8s %8s %8s\n' target seconds executions cov ft crashes
for target in "${targets[@]}"; do
  log="logs/$target.log"
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  seconds=$(sed -n 's/^stat::slowest_unit_time_sec.*//; s/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  features=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  crashes=$(find "artifacts/$target" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
  printf '%-14s %8s %12s %8s %8s %8s\n' "$target" "${seconds:-?}" "${executions:-?}" \
    "${coverage:-?}" "${features:-?}" "$crashes"
done
