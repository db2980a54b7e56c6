#!/usr/bin/env bash
# Builds mailspect for the browser and serves the page on http://127.0.0.1:8080 (PORT=... to
# change), installing whatever is missing first.
#
# ZONE=draft.zone scripts/serve.sh also answers DNS-over-HTTPS from that zone file on
# http://127.0.0.1:8053/dns-query (DOH_PORT=... to change), so a draft can be checked in the page
# before it is published: put that URL in the page's "DNS-over-HTTPS" field. The port is one to
# remember, not a free one picked at random; if another program holds it, this stops and says so.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_build
build_wasm
if [ -n "${ZONE:-}" ]; then
  step "answering DNS-over-HTTPS from $ZONE"
  (cd "$ROOT" && cargo build --quiet --release --bin mailspect)
  doh_listen="127.0.0.1:${DOH_PORT:-8053}"
  if ! start_doh_server "$ROOT/target/release/mailspect" --zone "$ZONE" --listen "$doh_listen"; then
    echo "serve.sh: cannot answer DNS-over-HTTPS on $doh_listen (see above); if another program" \
      "holds the port, choose another: DOH_PORT=8054 ZONE=$ZONE scripts/serve.sh" >&2
    exit 1
  fi
  trap 'kill $DOH_PID 2>/dev/null || true' EXIT
  echo "put $DOH_URL in the page's \"DNS-over-HTTPS\" field"
fi
# target/site is www/ minified (build_wasm builds it): after editing www/, rebuild it with
# `node scripts/build-site.mjs`, or serve the sources as written with
# `node scripts/serve-www.mjs --root www`.
step "serving target/site (www/ as visitors download it)"
node "$ROOT/scripts/serve-www.mjs" --port "${PORT:-8080}" --root "$ROOT/target/site"
