#!/usr/bin/env bash
# Scale benchmark (issue 18): 1,000,000 reports of 100 municipalities loaded into a
# throwaway PostgreSQL 15 cluster (binary COPY) and into an SQLite file, then the staff
# inbox, the statistics, the CSV export's store calls, the nearby search and the intake
# timed through the Store trait on both. Prints a table with the PostgreSQL/SQLite ratio
# and PASS/FAIL against the goals (inbox and statistics <= 200 ms; intake on PostgreSQL
# >= SQLite), the data sizes and the load times. Output also goes to bench-out/scale.txt.
# Needs PostgreSQL 15 (scripts/setup.sh), about 3 GB of disk and a few minutes.
#
# Usage: scripts/bench-scale.sh
# Knobs (environment): SCALE_BENCH_REPORTS (1000000), SCALE_BENCH_TOWNS (100),
# SCALE_BENCH_RUNS (5), SCALE_BENCH_INTAKE_SECS (7 per configuration, 4 configurations),
# SCALE_BENCH_TASKS (16), SCALE_BENCH_DIR (where the SQLite file goes; a real disk, not a
# tmpfs), SCALE_BENCH_PG_VARIANT (SQL run on PostgreSQL before the queries are measured
# once more, "{db}" the database; empty, the default: skipped), SCALE_BENCH_HOLD_SECS (keep the cluster up at the end for
# EXPLAIN by hand, 0).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

mkdir -p bench-out
say "cargo bench -p augenmerk-store --bench scale (output: bench-out/scale.txt)"
cargo bench -p augenmerk-store --bench scale 2>&1 | tee bench-out/scale.txt
