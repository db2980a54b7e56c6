# Installs whatever building and testing mailspect needs and is missing. Sourced by serve.sh and
# test.sh; every step checks first, so on a machine that has everything it takes a second or two.
# Assumes Debian with Rust via rustup, Node.js and npm; installs system packages with apt-get as
# root (or through sudo).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=
apt_install() {
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The wasm-bindgen CLI must match the wasm-bindgen crate exactly: Cargo.toml pins it with `=`.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' "$ROOT/Cargo.toml")

setup_build() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    step "installing Node.js and npm"
    apt_install nodejs npm
  fi
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (builds from source, a few minutes)"
    # --locked first, for the exact dependency set its authors tested; without it when the
    # registry no longer serves a locked version.
    cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked ||
      cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
  if ! command -v wasm-pack >/dev/null; then
    step "installing wasm-pack (builds from source, a few minutes)"
    cargo install -q wasm-pack --locked || cargo install -q wasm-pack
  fi
  # npm's binaryen gives wasm-pack its wasm-opt (wasm-pack cannot download one here), and
  # playwright-core drives Debian's Chromium in the page tests.
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] ||
    [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    step "installing npm dev-dependencies"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# tests/spf_doh_conformance.rs serves the RFC 7208 suite from a DoH responder that is not
# mailspect's code (tests/support/spf_doh_responder.py): dnspython builds its DNS messages and
# PyYAML reads the suite. Pinned, so that every machine runs the same responder.
DNSPYTHON_VERSION=2.9.2
PYYAML_VERSION=6.0.3
# tests/probe.rs probes SMTP servers built on aiosmtpd (tests/support/smtp_server.py).
AIOSMTPD_VERSION=1.4.6

setup_python() {
  if ! command -v python3 >/dev/null; then
    step "installing Python 3"
    apt_install python3 python3-pip
  fi
  local missing=()
  python3 -c "import sys, dns.version; sys.exit(dns.version.version != '$DNSPYTHON_VERSION')" \
    2>/dev/null || missing+=("dnspython==$DNSPYTHON_VERSION")
  # Any PyYAML will do (the image may ship one); the pin is for machines without it.
  python3 -c "import yaml" 2>/dev/null || missing+=("PyYAML==$PYYAML_VERSION")
  python3 -c "import aiosmtpd" 2>/dev/null || missing+=("aiosmtpd==$AIOSMTPD_VERSION")
  if [ ${#missing[@]} -gt 0 ]; then
    step "installing ${missing[*]} (for the DoH conformance and SMTP probe tests)"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "${missing[@]}"
  fi
}

setup_test() {
  setup_build
  setup_python
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    step "installing Debian's chromium and chromium-driver"
    apt_install chromium chromium-driver
  fi
  # tests/e2e.rs and the page's e2e test sign and encrypt their messages with real
  # implementations: a test CA and CMS from openssl, an OpenPGP key and signatures from GnuPG.
  if ! command -v openssl >/dev/null || ! command -v gpg >/dev/null; then
    step "installing openssl and gnupg (for the S/MIME and OpenPGP tests)"
    apt_install openssl gnupg
  fi
}

# Starts `BINARY serve-dns ARGS...` in the background and waits until it says where it listens:
# sets DOH_PID, and DOH_URL to the endpoint on the address it really bound, so that
# `--listen 127.0.0.1:0` takes a free port. Returns 1, with serve-dns's own error on stderr, if it
# ends first (a port already taken, a zone that does not parse): never goes on with a server that
# is not there, or with another program that happens to hold the port.
start_doh_server() {
  local binary=$1 log
  shift
  log=$(mktemp)
  "$binary" serve-dns "$@" 2>"$log" &
  DOH_PID=$!
  DOH_URL=
  for _ in $(seq 100); do
    DOH_URL=$(sed -n 's|^mailspect: answering DNS-over-HTTPS .* at \(http://[^ ]*/dns-query\)$|\1|p' "$log")
    [ -n "$DOH_URL" ] && break
    if ! kill -0 "$DOH_PID" 2>/dev/null; then
      cat "$log" >&2
      rm -f "$log"
      return 1
    fi
    sleep 0.1
  done
  # Its notes (records it skips, a non-loopback warning) and the address it answers at.
  cat "$log" >&2
  rm -f "$log"
  if [ -z "$DOH_URL" ]; then
    echo "mailspect serve-dns did not say where it listens within 10 s" >&2
    kill "$DOH_PID" 2>/dev/null || true
    return 1
  fi
}

# The page's wasm modules: www/pkg (this crate, the Message view) on the first visit;
# www/pkg-audit (crates/mailspect-audit, the Domain and Record views) when one of those is used;
# www/pkg-msg (crates/mailspect-msg, Outlook .msg reading) when a .msg is opened, which is why
# www/pkg is built without the feature outlook-msg. They share target/ and its dependencies, built
# with the profile wasm-release (Cargo.toml: release, optimised for size).
build_wasm() {
  step "building the wasm packages (www/pkg, www/pkg-audit, www/pkg-msg, www/pkg-e2e, www/pkg-reports)"
  (cd "$ROOT" && wasm-pack --quiet build --target web --profile wasm-release --out-dir www/pkg \
    --no-typescript --no-pack -- --no-default-features --features message-view)
  local module
  for module in audit msg e2e reports; do
    (cd "$ROOT" && wasm-pack --quiet build "crates/mailspect-$module" --target web \
      --profile wasm-release --out-dir "../../www/pkg-$module" --no-typescript --no-pack)
  done
  build_site
}

# The page as it is served, target/site/: www/ with its modules and stylesheets minified
# (scripts/build-site.mjs). Needs the wasm packages in www/ first.
build_site() {
  step "building target/site (www/ minified)"
  node "$ROOT/scripts/build-site.mjs"
}
