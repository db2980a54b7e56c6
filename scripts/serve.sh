#!/usr/bin/env bash
# Builds mailspect for the browser and serves the page on http://127.0.0.1:8080 (PORT=... to
# change), installing whatever is missing first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_build
build_wasm
step "serving www/"
exec node "$ROOT/scripts/serve-www.mjs" --port "${PORT:-8080}" --root "$ROOT/www"
