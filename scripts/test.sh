#!/usr/bin/env bash
# Runs every test of mailspect, installing whatever is missing first: formatting, clippy (native
# and wasm32), the native and conformance tests, the wasm tests in headless Chromium, and the page
# tests. Stops at the first failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
started=$SECONDS
setup_test

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (native, all targets)"
cargo clippy --quiet --all-targets -- -D warnings
step "cargo clippy (wasm32 library and browser tests)"
wasm_tests=()
for test in wasm-tests/*.rs; do wasm_tests+=(--test "web_$(basename "$test" .rs)"); done
cargo clippy --quiet --target wasm32-unknown-unknown --lib "${wasm_tests[@]}" -- -D warnings

step "cargo test (native and conformance)"
cargo test --quiet

step "wasm tests in headless Chromium (DNS through a local DoH server)"
# The browser tests resolve through mailspect's own DoH server on loopback, serving a fixture
# zone: never a real resolver.
cargo build --quiet --bin mailspect
DOH_LISTEN=127.0.0.1:8053
target/debug/mailspect serve-dns --zone wasm-tests/fixtures/test.zone --listen "$DOH_LISTEN" &
doh_pid=$!
trap 'kill $doh_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/${DOH_LISTEN%:*}/${DOH_LISTEN#*:}") 2>/dev/null && break
  kill -0 $doh_pid 2>/dev/null || { echo "the DoH server did not start" >&2; exit 1; }
  sleep 0.1
done
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
for test in wasm-tests/*.rs; do
  name=$(basename "$test" .rs)
  cargo test --target wasm32-unknown-unknown --test "web_$name"
done

build_wasm
step "page tests (playwright-core driving /usr/bin/chromium)"
node --test wasm-tests/page/

printf '\nall tests passed in %ss\n' "$((SECONDS - started))"
