#!/usr/bin/env bash
# The main job: the sync server on the embedded defaults (SQLite and photos under
# ./data/run) with the demo municipalities Flensburg and Kiel.
# Listen address: AUGENMERK_LISTEN (default 127.0.0.1:8080). Demo password:
# AUGENMERK_DEMO_PASSWORD, otherwise generated and printed.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash scripts/setup.sh
bash scripts/build-ui.sh
say "building the server (release)"
cargo build --release --locked -p augenmerk-server
say "starting the server"
exec "$CARGO_TARGET_DIR/release/augenmerk-server" --data "${AUGENMERK_DATA:-$ROOT/data/run}" \
  serve --demo --listen "${AUGENMERK_LISTEN:-127.0.0.1:8080}"
