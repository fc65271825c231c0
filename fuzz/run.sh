#!/usr/bin/env bash
# Runs the decode + EXIF fuzz target for SECONDS (default 600) with the seeds
# in fuzz/seeds (tiny JPEG/PNG/WebP files, with and without EXIF, one with a
# corrupt EXIF block). Needs a nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly    (or RUSTC_BOOTSTRAP=1 with stable)
#   cargo install cargo-fuzz --version 0.13.2 --locked
# Crashes land in fuzz/artifacts/decode/ (git-ignored).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
seconds="${1:-600}"
mkdir -p corpus/decode
toolchain=()
if cargo +nightly --version >/dev/null 2>&1; then toolchain=(+nightly); else export RUSTC_BOOTSTRAP=1; fi
# -rss_limit_mb: the decoder's own limits must keep every input far below it.
cargo "${toolchain[@]}" fuzz run decode corpus/decode seeds -- \
  -max_total_time="$seconds" -rss_limit_mb=1024 -max_len=262144 -print_final_stats=1
