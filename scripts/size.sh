#!/usr/bin/env bash
# Size report of the browser build: the optimised .wasm and its JS glue, raw and gzip -9, which is
# what a visitor downloads. Builds first (release, wasm-opt -Os) unless --no-build is given.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
if [ "${1:-}" != "--no-build" ]; then setup_build; build_wasm >&2; fi
printf '%-28s %10s %10s\n' file bytes gzip-9
for file in www/pkg/mailspect_bg.wasm www/pkg/mailspect.js; do
  printf '%-28s %10d %10d\n' "$(basename "$file")" "$(wc -c <"$file")" "$(gzip -9 -c "$file" | wc -c)"
done
