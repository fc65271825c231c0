#!/usr/bin/env bash
# Lighthouse on the citizen's web page: a server with the demo municipalities on a free
# 127.0.0.1 port, serving the built page (scripts/build-ui.sh), audited by npm
# `lighthouse` 11 (the last major version with the PWA audits; scripts/setup.sh installs
# it, pinned) in headless Chromium as a phone. Prints the scores for accessibility, best
# practices and PWA, and whether the page is installable (the `installable-manifest`
# audit); fails if accessibility is below 95 or the page is not installable.
# The last step of scripts/test.sh (about 25 s); the report is kept as
# $CARGO_TARGET_DIR/lighthouse/report.json. LIGHTHOUSE_URL audits a running page instead;
# LIGHTHOUSE_SERVER_BIN runs that server binary instead of building one.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

LIGHTHOUSE_VERSION=11.7.1
lighthouse="${XDG_CACHE_HOME:-$HOME/.cache}/augenmerk-tools/lighthouse-$LIGHTHOUSE_VERSION/node_modules/.bin/lighthouse"
[ -x "$lighthouse" ] || { echo "lighthouse: lighthouse $LIGHTHOUSE_VERSION is missing: run scripts/setup.sh" >&2; exit 1; }
chrome="$(command -v chromium || true)"
[ -n "$chrome" ] || { echo "lighthouse: chromium is missing: run scripts/setup.sh" >&2; exit 1; }
[ -f src-ui/dist/index.html ] || { echo "lighthouse: the page is not built: run scripts/build-ui.sh" >&2; exit 1; }

out="$CARGO_TARGET_DIR/lighthouse"
mkdir -p "$out"
work="$(mktemp -d)"
server=""
cleanup() {
  local status=$?
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT INT TERM

url="${LIGHTHOUSE_URL:-}"
if [ -z "$url" ]; then
  server_bin="${LIGHTHOUSE_SERVER_BIN:-}"
  if [ -z "$server_bin" ]; then
    say "building the server"
    cargo build --locked -q -p augenmerk-server
    server_bin="$CARGO_TARGET_DIR/debug/augenmerk-server"
  fi
  # Port 0: the server picks a free port and says which.
  : >"$work/server.log"
  AUGENMERK_DEMO_PASSWORD="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')" \
    AUGENMERK__UI_DIR="$ROOT/src-ui/dist" \
    AUGENMERK__MODELS_DIR="$ROOT/models" \
    AUGENMERK__TILE_URL="" \
    RUST_LOG=warn \
    "$server_bin" --data "$work/data" \
    serve --demo --listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 480); do
    url="$(sed -n 's|^listening on \(http://[0-9.:]*\)$|\1|p' "$work/server.log")"
    [ -n "$url" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; echo "lighthouse: the server stopped" >&2; exit 1; }
    sleep 0.25
  done
  [ -n "$url" ] || { echo "lighthouse: the server did not start" >&2; exit 1; }
  url="$url/"
fi

say "lighthouse $LIGHTHOUSE_VERSION on $url (phone, headless Chromium $("$chrome" --version 2>/dev/null | awk '{ print $2 }'))"
started=$SECONDS
CHROME_PATH="$chrome" "$lighthouse" "$url" \
  --only-categories=accessibility,best-practices,pwa \
  --form-factor=mobile \
  --throttling-method=provided \
  --output=json --output-path="$out/report.json" --quiet \
  --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --disable-background-networking --disable-component-update --disable-sync --lang=de-DE"
echo "lighthouse took $((SECONDS - started)) s; report: $out/report.json"

python3 - "$out/report.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
cats, audits = report["categories"], report["audits"]
score = lambda c: None if cats.get(c, {}).get("score") is None else round(cats[c]["score"] * 100)
a11y, bp, pwa = score("accessibility"), score("best-practices"), score("pwa")
installable = audits.get("installable-manifest", {}).get("score") == 1
print(f"accessibility   {a11y}")
print(f"best practices  {bp}")
print(f"pwa             {pwa}")
print(f"installable     {'yes' if installable else 'no'}")
for cat in ("accessibility", "best-practices", "pwa"):
    for ref in cats.get(cat, {}).get("auditRefs", []):
        a = audits.get(ref["id"], {})
        if ref.get("weight", 0) > 0 and a.get("score") is not None and a["score"] < 1:
            print(f"  {cat}: {ref['id']} ({a.get('score')}): {a.get('title')}")
if not installable:
    for item in audits.get("installable-manifest", {}).get("details", {}).get("items", []):
        print(f"  not installable: {item.get('reason')}")
problems = []
if a11y is None or a11y < 95:
    problems.append(f"accessibility {a11y} < 95")
if not installable:
    problems.append("not installable")
if problems:
    print("lighthouse: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
EOF
