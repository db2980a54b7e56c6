#!/usr/bin/env bash
# Runs every test of mailspect, installing whatever is missing first: formatting, clippy (native
# and wasm32), the native and conformance tests, the wasm tests in headless Chromium, the size
# report, and the page tests. Stops at the first failure.
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
# The page's modules as build_wasm builds them: the Message view's without .msg reading, and
# the audit and msg crates.
cargo clippy --quiet --target wasm32-unknown-unknown --lib --no-default-features --features message-view -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown -p mailspect-audit -p mailspect-msg -p mailspect-e2e -p mailspect-reports -- -D warnings

step "cargo test (native and conformance)"
cargo test --quiet

step "wasm tests in headless Chromium (DNS through a local DoH server)"
# The browser tests resolve through mailspect's own DoH server on loopback, serving a fixture
# zone: never a real resolver. On a free port, which the tests learn at build time: with a fixed
# one, a program already listening there would have answered in its place.
cargo build --quiet --bin mailspect
start_doh_server target/debug/mailspect --zone wasm-tests/fixtures/test.zone --listen 127.0.0.1:0
trap 'kill $DOH_PID 2>/dev/null || true' EXIT
export MAILSPECT_TEST_DOH_URL=$DOH_URL
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
for test in wasm-tests/*.rs; do
  name=$(basename "$test" .rs)
  cargo test --target wasm32-unknown-unknown --test "web_$name"
done

build_wasm
step "size of what the page downloads (scripts/size.sh; fails over the 300 KB budget)"
scripts/size.sh --no-build --enforce
step "page tests (playwright-core driving /usr/bin/chromium)"
node --test wasm-tests/page/

printf '\nall tests passed in %ss\n' "$((SECONDS - started))"
