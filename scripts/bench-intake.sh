#!/usr/bin/env bash
# Intake benchmark: the real server (child process, demo seeded, loopback only) under a
# closed-loop and an open-loop load generator, next to a bare SQLite insert loop with the
# store's write pragmas, in one run. Prints a table, the ratio intake/bare and PASS/FAIL
# against the targets (>= 50% of the bare rate; p99 <= 20 ms at 300 reports/s); exits 0
# whenever the benchmark ran. Output also goes to bench-out/intake.txt.
#
# Usage: scripts/bench-intake.sh
# Knobs (environment): INTAKE_SECS (per server phase, 10), INTAKE_BARE_SECS (per bare
# phase, 5), INTAKE_RATE (open loop, 300), INTAKE_CLIENTS (closed loop, "16,64"),
# INTAKE_DIR (where the temporary data goes; must be the disk to measure, not a tmpfs).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

mkdir -p bench-out
say "cargo bench -p augenmerk-server --bench intake (output: bench-out/intake.txt)"
cargo bench -p augenmerk-server --bench intake 2>&1 | tee bench-out/intake.txt
