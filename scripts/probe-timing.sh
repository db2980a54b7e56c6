#!/usr/bin/env bash
# Times `mailspect probe` against aiosmtpd servers on 127.0.0.1 (tests/support/smtp_server.py),
# with the certificates and zone files `cargo test --test probe` leaves in target/tmp/probe-*/:
# run that test first. BENCHMARKS.md ("SMTP probe") has the figures. Usage:
#   scripts/probe-timing.sh [BINARY]     (default target/debug/mailspect)
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
D=$(ls -dt target/tmp/probe-* 2>/dev/null | head -1)
[ -n "$D" ] || { echo "run cargo test --test probe first: it writes the test certificates" >&2; exit 2; }
BIN=${1:-target/debug/mailspect}
ZONE=$(ls "$D"/plain-*.zone | head -1)
SERVERS=()
trap 'kill "${SERVERS[@]}" 2>/dev/null' EXIT
start() { # VARIABLE flags...: starts a server, sets VARIABLE to its port
  local name=$1 out; shift
  out=$(mktemp)
  python3 tests/support/smtp_server.py "$@" < <(sleep 600) > "$out" 2>/dev/null &
  SERVERS+=($!)
  for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
  printf -v "$name" '%s' "$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['port'])" "$out")"
}
start P1
start P2 --cert "$D/valid.pem" --key "$D/valid.key"
time_runs() { # label, args...
  local label=$1; shift
  local runs=30 start end total=0 min=999999 max=0 inner=0
  for _ in $(seq $runs); do
    start=$(date +%s%N); "$BIN" "$@" >"$D/timing.json"; end=$(date +%s%N)
    inner=$((inner + $(python3 -c "import json;print(sum(h['elapsed_ms'] for h in json.load(open('$D/timing.json'))['hosts']))")))
    local ms=$(( (end - start) / 1000000 )); total=$((total + ms))
    [ $ms -lt $min ] && min=$ms; [ $ms -gt $max ] && max=$ms
  done
  echo "$label: wall mean $((total / runs)) ms, min $min, max $max; hosts' elapsed_ms mean $((inner / runs)) ($runs runs)"
}
time_runs "plaintext, no STARTTLS" probe 127.0.0.1:$P1 --dns zone:"$ZONE" --json
time_runs "plaintext + --relay-test" probe 127.0.0.1:$P1 --dns zone:"$ZONE" --json --relay-test
time_runs "STARTTLS, valid cert, TLS 1.2 and 1.3 each (2 connections)" probe mail.example.test:$P2 --dns zone:"$ZONE" --ca-file $D/ca.pem --json
time_runs "STARTTLS, --no-version-tests (1 connection)" probe mail.example.test:$P2 --dns zone:"$ZONE" --ca-file $D/ca.pem --json --no-version-tests
time_runs "domain mode (audit DNS from zone + probe)" probe example.test --port $P2 --dns zone:"$ZONE" --ca-file $D/ca.pem --json
/usr/bin/time -v "$BIN" probe mail.example.test:$P2 --dns zone:"$ZONE" --ca-file $D/ca.pem --json 2>&1 >/dev/null | grep -E "Maximum resident|Elapsed"
