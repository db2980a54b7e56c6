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
step "cargo clippy (wasm32 library)"
cargo clippy --quiet --target wasm32-unknown-unknown --lib -- -D warnings

step "cargo test (native and conformance)"
cargo test --quiet

step "wasm tests in headless Chromium"
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
