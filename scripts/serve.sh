#!/usr/bin/env bash
# Builds mailspect for the browser and serves the page on http://127.0.0.1:8080 (PORT=... to
# change), installing whatever is missing first.
#
# ZONE=draft.zone scripts/serve.sh also answers DNS-over-HTTPS from that zone file on
# http://127.0.0.1:8053/dns-query, so a draft can be checked in the page before it is published:
# put that URL in the page's "DNS-over-HTTPS" field.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_build
build_wasm
if [ -n "${ZONE:-}" ]; then
  step "answering DNS-over-HTTPS from $ZONE"
  (cd "$ROOT" && cargo build --quiet --release --bin mailspect)
  "$ROOT/target/release/mailspect" serve-dns --zone "$ZONE" --listen "127.0.0.1:${DOH_PORT:-8053}" &
  trap 'kill $! 2>/dev/null || true' EXIT
fi
step "serving www/"
node "$ROOT/scripts/serve-www.mjs" --port "${PORT:-8080}" --root "$ROOT/www"
