#!/usr/bin/env bash
# The main job: the sync server on the embedded defaults (SQLite and photos under
# ./data/run) with the demo municipalities Flensburg and Kiel, serving the web page at /,
# and the desktop app pointed at it (when there is a display).
# Listen address: AUGENMERK_LISTEN (default 127.0.0.1:8080). Demo password:
# AUGENMERK_DEMO_PASSWORD, otherwise generated and printed. AUGENMERK_NO_APP=1 starts the
# server only.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash scripts/setup.sh
bash scripts/build-ui.sh
listen="${AUGENMERK_LISTEN:-127.0.0.1:8080}"
with_app=1
if [ -n "${AUGENMERK_NO_APP:-}" ] || { [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; }; then
  with_app=0
fi
say "building the server (release)"
cargo build --release --locked -p augenmerk-server
if [ "$with_app" = 1 ]; then
  say "building the app (release, the page embedded)"
  cargo build --release --locked -p augenmerk-app --features custom-protocol
fi

say "starting the server on http://$listen"
"$CARGO_TARGET_DIR/release/augenmerk-server" --data "${AUGENMERK_DATA:-$ROOT/data/run}" \
  serve --demo --listen "$listen" &
server=$!
trap 'kill "$server" 2>/dev/null || true; [ -n "${app:-}" ] && kill "$app" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 120); do
  curl -fsS "http://$listen/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "run: the server stopped" >&2; exit 1; }
  sleep 0.5
done

if [ "$with_app" = 1 ]; then
  say "starting the app (its data under ./data/app)"
  AUGENMERK__SERVER="http://$listen" AUGENMERK__DATA_DIR="${AUGENMERK__DATA_DIR:-$ROOT/data/app}" \
    AUGENMERK_MODELS="${AUGENMERK_MODELS:-$ROOT/models}" \
    "$CARGO_TARGET_DIR/release/augenmerk-app" &
  app=$!
else
  echo "No display (or AUGENMERK_NO_APP): the app is not started; the web page is at http://$listen/"
fi
echo "Citizens: http://$listen/ · staff API: http://$listen/api/v1 (OpenAPI: /api/v1/openapi.json) · Ctrl+C stops."
wait "$server"
