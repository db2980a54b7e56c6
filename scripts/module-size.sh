#!/usr/bin/env bash
# The Message view's wasm module alone, as BENCHMARKS.md ("Size") measures each step: built with
# the page's profile and features, through wasm-bindgen and wasm-opt with the flags wasm-pack
# uses (Cargo.toml, [package.metadata.wasm-pack.profile.custom]), then raw and GNU gzip -9
# bytes. Leaves the module in target/module-size/ for twiggy (mailspect_bg.wasm keeps its names;
# opt.wasm is what ships). Run after scripts/setup.sh's tools are installed (test.sh or serve.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=target/module-size
cargo build --quiet --profile wasm-release --target wasm32-unknown-unknown --lib \
  --no-default-features --features message-view
wasm-bindgen --target web --out-dir "$out" --no-typescript \
  target/wasm32-unknown-unknown/wasm-release/mailspect.wasm
PATH="$PWD/node_modules/.bin:$PATH" wasm-opt -Os --low-memory-unused --converge \
  --strip-producers --strip-target-features --enable-bulk-memory \
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  "$out/mailspect_bg.wasm" -o "$out/opt.wasm"
echo "Message view module: $(wc -c < "$out/opt.wasm") bytes raw, $(gzip -9c "$out/opt.wasm" | wc -c) gzip -9"
