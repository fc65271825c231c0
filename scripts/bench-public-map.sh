#!/usr/bin/env bash
# Benchmark (not a test) of the public map (issue 20): 100,000 reports in one
# municipality, the viewport query through the real server over HTTP, on SQLite and on
# PostgreSQL (the test cluster of augenmerk-testenv); prints p50/p95 per zoom level.
# Goal: ≤ 200 ms. See tests/examples/bench_public_map.rs for the knobs
# (PUBLIC_MAP_BENCH_REPORTS, PUBLIC_MAP_BENCH_VIEWS, PUBLIC_MAP_BENCH_BACKENDS).
#
# Usage: scripts/bench-public-map.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

say "building the benchmark (release)"
cargo build --release --locked -p augenmerk-tests --example bench_public_map
say "running"
"$CARGO_TARGET_DIR/release/examples/bench_public_map"
