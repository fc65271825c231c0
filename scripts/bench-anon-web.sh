#!/usr/bin/env bash
# Benchmark (not a test) of the browser's anonymizer against the native pipeline, in one
# run on this machine: a 12-megapixel JPEG (a mosaic of development photos, as
# scripts/bench-anon.sh makes them) through
#   (a) the native pipeline, release build, 1 thread (the browser's one worker thread)
#       and all cores (what the app uses);
#   (b) headless Chromium: the page's `window.augenmerkAnon` (wasm + SIMD in a Web Worker),
#       served by a real server (tests/examples/bench_anon_web.rs).
# Each side: the first run (cold: models loaded, plans built) and the median of the warm
# runs. Prints the ratio browser/native (target ≤ 3× native) and the tab's memory.
#
# Usage: scripts/bench-anon-web.sh [RUNS=5]   (needs the built UI: scripts/build-ui.sh)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

runs="${1:-5}"
out="$ROOT/bench-out/anon-web"
mkdir -p "$out"
command -v jq >/dev/null || { echo "bench-anon-web: jq is missing (Debian package jq)" >&2; exit 1; }
"$ROOT/models/fetch.sh"
[ -f "$ROOT/src-ui/dist/anon/augenmerk_anon_web_bg.wasm" ] || bash "$ROOT/scripts/build-ui.sh"

say "building the native benchmark (release)"
bin="$(cargo bench -p augenmerk-anon --bench pipeline --no-run --message-format=json 2>/dev/null \
  | jq -r 'select(.reason == "compiler-artifact" and .target.name == "pipeline" and .executable != null) | .executable' | tail -n1)"
[ -x "$bin" ] || { echo "bench-anon-web: benchmark binary not found" >&2; exit 1; }
photo="$out/photos/images/photo12mp_0.jpg"
[ -f "$photo" ] || "$bin" make-photos "$out/photos" 1 >/dev/null
echo "photo: $photo ($(stat -c %s "$photo") bytes, $(file -b "$photo" 2>/dev/null | grep -o '[0-9]*x[0-9]*' | tail -n1))"

say "building the browser side (server, WebDriver client)"
cargo build -p augenmerk-tests --bin e2e-server --example bench_anon_web
example="$CARGO_TARGET_DIR/debug/examples/bench_anon_web"

# The same photo RUNS times in one process each side, so the first run is the cold one.
photos=()
for _ in $(seq "$runs"); do photos+=("$photo"); done
say "native, 1 thread"
"$bin" run full 1 "${photos[@]}" | tee "$out/native-1.jsonl"
cores="$(nproc)"
say "native, $cores threads"
"$bin" run full "$cores" "${photos[@]}" | tee "$out/native-n.jsonl"
say "Chromium (wasm, simd128, one worker)"
"$example" "$photo" "$runs" | tee "$out/browser.jsonl"

# median of the warm runs (all but the first) of a JSON-lines file's numbers at PATH
warm_median() { jq -s "[.[1:][] | $2] | sort | .[length/2|floor]" "$1"; }
first() { jq -s ".[0] | $2" "$1"; }
n1_warm="$(warm_median "$out/native-1.jsonl" .total_ms)"
nn_warm="$(warm_median "$out/native-n.jsonl" .total_ms)"
n1_cold="$(first "$out/native-1.jsonl" '.load_ms + .total_ms')"
b_rows="$(grep '"run"' "$out/browser.jsonl")"
b_warm="$(jq -s '[.[1:][] | .result.wall_ms] | sort | .[length/2|floor]' <<<"$b_rows")"
b_cold="$(jq -s '.[0].result.wall_ms' <<<"$b_rows")"
b_stages="$(jq -s -c '.[-1].result.ms' <<<"$b_rows")"
n_stages="$(jq -s -c '.[-1].stages_ms | {decode: .decode_ms, detect: .detect_ms, blur: .blur_ms, encode: .encode_ms}' "$out/native-1.jsonl")"
mem="$(grep '"memory"' "$out/browser.jsonl" | jq -c .memory)"
mb() { jq -n "($1) / 1048576 | . * 10 | round / 10"; }

say "result (12 MP JPEG, $runs runs each, warm = median of runs 2..$runs)"
printf '%-34s %10s %10s\n' "" "warm ms" "cold ms"
printf '%-34s %10.0f %10.0f\n' "native release, 1 thread" "$n1_warm" "$n1_cold"
printf '%-34s %10.0f %10s\n' "native release, $cores threads (app)" "$nn_warm" "-"
printf '%-34s %10.0f %10.0f\n' "Chromium worker (wasm simd128)" "$b_warm" "$b_cold"
echo "ratio browser / native 1 thread:  $(jq -n "$b_warm / $n1_warm * 100 | round / 100")×"
echo "ratio browser / native $cores threads: $(jq -n "$b_warm / $nn_warm * 100 | round / 100")×  (target ≤ 3×)"
echo "stages, browser (last run): $b_stages"
echo "stages, native 1 thread:    $n_stages"
echo "memory: page JS heap used $(mb "$(jq .page_js_heap_used <<<"$mem")") MB," \
  "worker wasm memory $(mb "$(jq .worker_wasm_memory <<<"$mem")") MB," \
  "Chromium renderers' RSS $(mb "$(jq .renderer_rss <<<"$mem")") MB; models fetch/load ms: $(jq -c .models_ms <<<"$mem")"
