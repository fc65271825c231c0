#!/usr/bin/env bash
# Builds the browser's anonymizer (crates/augenmerk-anon-web) into src-ui/dist/anon/: the
# same pipeline as the app, for wasm32 with SIMD (simd128), plus its wasm-bindgen glue for
# the page's Web Worker (src-ui/js/anon-worker.js). Called by build-ui.sh after it has
# emptied dist/; can also be run on its own.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

OUT="$ROOT/src-ui/dist/anon"
# Its own target directory: the SIMD flag changes RUSTFLAGS, which would otherwise throw
# away the UI's wasm build (and the UI's build would throw away this one).
TARGET="$CARGO_TARGET_DIR/anon-web"
WASM="$TARGET/wasm32-unknown-unknown/release/augenmerk_anon_web.wasm"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"

# Speed first, unlike the UI's module (size first): inference is the user's wait, and the
# models (about 4 MB) dwarf the code anyway. Set here rather than as a profile so the
# native release build is untouched.
say "building the anonymizer for wasm32 (simd128, opt-level 3, LTO)"
CARGO_TARGET_DIR="$TARGET" \
  RUSTFLAGS="-C target-feature=+simd128" \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=3 \
  CARGO_PROFILE_RELEASE_LTO="${ANON_WEB_LTO:-true}" \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  CARGO_PROFILE_RELEASE_DEBUG=false \
  CARGO_PROFILE_RELEASE_STRIP=debuginfo \
  cargo build --locked --target wasm32-unknown-unknown -p augenmerk-anon-web --release

rm -rf "$OUT"
mkdir -p "$OUT"
# Function names only help a debugger; they would add about 1.5 MB to every download.
"$CARGO_BIN/wasm-bindgen" --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir "$OUT" "$WASM"
out="$OUT/augenmerk_anon_web_bg.wasm"

# The same check as build-ui.sh: binaryen before 116 corrupts wasm-bindgen's externref table.
opt_version="$(wasm-opt --version 2>/dev/null | awk '{ print $3 }' || true)"
if command -v wasm-opt >/dev/null && [ "${opt_version:-0}" -ge 116 ] 2>/dev/null; then
  wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$out.opt" "$out"
  mv "$out.opt" "$out"
else
  echo "build-anon-web: no usable wasm-opt (>= 116; found: ${opt_version:-none}): code as rustc made it" >&2
fi
echo "anonymizer wasm: $(stat -c %s "$out") bytes (gzip $(gzip -9 -c "$out" | wc -c) bytes)"
