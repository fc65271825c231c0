#!/usr/bin/env bash
# Start-up to interactive of the desktop app's release build: builds the UI (if not built)
# and the app in release with the embedded UI, then launches it several times under Xvfb
# through tauri-driver and prints each time and the median (target: <= 1.5 s).
# RUNS=N sets the number of launches (default 7). The measurement is the benchmark
# tests/benches/app_startup.rs (feature `app` of augenmerk-tests), run through `cargo test`
# so that it builds in the test profile the workspace build already has; with --workspace:
# with -p augenmerk-tests, Cargo resolves features for that package alone and rebuilds the
# dependencies the workspace build already has.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash scripts/setup-app.sh
[ -f src-ui/dist/index.html ] || bash scripts/build-ui.sh

say "building the app (release, embedding src-ui/dist)"
cargo build --locked --release -p augenmerk-app --features custom-protocol

say "launching it ${RUNS:-7} times"
AUGENMERK_APP_BIN="$CARGO_TARGET_DIR/release/augenmerk-app" AUGENMERK_BENCH_RUNS="${RUNS:-7}" \
  cargo test --locked --workspace --features augenmerk-tests/app --bench app_startup
