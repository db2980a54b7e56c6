#!/usr/bin/env bash
# Size report of the browser build: raw, gzip -9 and brotli sizes of every file each view of the
# page loads, and the first visit's gzip total against the 300 KB budget (scripts/size.mjs reads
# the page to find the files), as it is served: target/site/, www/ minified. Builds first
# (release, wasm-opt) unless --no-build is given; target/site/ is rebuilt from www/ either way.
# Says by how much the first visit is over budget; --enforce makes that fail, as scripts/test.sh
# passes it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
build=1
size_args=()
for arg in "$@"; do
  case $arg in
    --no-build) build= ;;
    --enforce) size_args+=(--enforce) ;;
    *) echo "usage: scripts/size.sh [--no-build] [--enforce]" >&2; exit 2 ;;
  esac
done
if [ -n "$build" ]; then setup_build; build_wasm >&2; else build_site >&2; fi
node scripts/size.mjs --root target/site --sources www "${size_args[@]}"
