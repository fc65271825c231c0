#!/usr/bin/env bash
# Sync benchmark: 1,000 queued reports with one ~400 KB photo each, synced over loopback
# to a real server (in the benchmark process, demo seeded), then a field worker's device
# pulling the 1,000 cases with their photos. Prints a table and PASS/FAIL against the
# target (<= 30 s for the 1,000 reports). Output also goes to bench-out/sync.txt.
#
# Usage: scripts/bench-sync.sh
# Knobs (environment): SYNC_BENCH_REPORTS (1000), SYNC_BENCH_PHOTO_SIDE (1040),
# SYNC_BENCH_PARALLEL (requests in flight), SYNC_BENCH_DIR (must be the disk to measure).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

mkdir -p bench-out
say "cargo bench -p augenmerk-client --bench sync (output: bench-out/sync.txt)"
cargo bench -p augenmerk-client --bench sync 2>&1 | tee bench-out/sync.txt
