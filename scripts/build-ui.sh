#!/usr/bin/env bash
# Builds the web UI into src-ui/dist/: the Leptos crate for wasm32 (release), its JS glue
# from wasm-bindgen (the CLI must be the exact version of Cargo.lock's wasm-bindgen), the
# page, and the vendored browser assets from npm (KERN UX, Fira Sans, Leaflet). The server
# serves that folder (setting `ui_dir`); the Tauri app embeds it. Safe to run again.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

UI="$ROOT/src-ui"
# The page shows times in German local time only: the other time zones stay out of the
# module (chrono-tz's filter-by-regex; the host's build of the crate is not affected).
export CHRONO_TZ_TIMEZONE_FILTER='^(Europe/Berlin|UTC)$'
DIST="$UI/dist"
WASM="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/augenmerk_ui.wasm"

for f in index.html style.css package.json package-lock.json; do
  [ -f "$UI/$f" ] || { echo "build-ui: $UI/$f is missing" >&2; exit 1; }
done
command -v npm >/dev/null || { echo "build-ui: npm is missing: run scripts/setup.sh" >&2; exit 1; }

# (a) npm packages, pinned by package-lock.json; reinstalled only when the lock changed.
if [ ! -d "$UI/node_modules" ] || [ "$UI/package-lock.json" -nt "$UI/node_modules/.package-lock.json" ]; then
  say "npm ci (KERN UX, Leaflet, axe-core)"
  (cd "$UI" && npm ci --no-audit --no-fund)
fi

# (b) wasm-bindgen-cli of exactly the version the crate links against: the generated glue
# and the module must match, or the page fails at start-up.
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
[ -n "$want" ] || { echo "build-ui: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
have="$("$CARGO_BIN/wasm-bindgen" --version 2>/dev/null | awk '{ print $2 }' || true)"
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found: ${have:-none}; takes about 5 minutes)"
  # Without --locked: the CLI's own lockfile pins a crate version the registry mirror lacks.
  # Its own target directory, so it does not wait for (or block) the project's builds.
  CARGO_TARGET_DIR="$CARGO_TARGET_DIR/tool-builds" \
    cargo install wasm-bindgen-cli --version "$want" --root "${CARGO_HOME:-$HOME/.cargo}" --force
fi

# Everything below is rebuilt from scratch, so nothing stale survives in dist/.
rm -rf "$DIST"
mkdir -p "$DIST"

# Binaryen before version 116 corrupts the externref table that wasm-bindgen emits (the page
# then fails with "WebAssembly.Table.set(): Argument 1 is invalid"); Debian 12 ships 108.
opt_version="$(wasm-opt --version 2>/dev/null | awk '{ print $3 }' || true)"
use_opt=0
if command -v wasm-opt >/dev/null && [ "${opt_version:-0}" -ge 116 ] 2>/dev/null; then
  use_opt=1
else
  echo "build-ui: no usable wasm-opt (>= 116; found: ${opt_version:-none}): size comes from the cargo profile alone" >&2
fi

# (c) one module per page: the citizen's (the web page at / and the app) without the staff
# console, and the console's own (/console/). The same target file is rebuilt for each, so
# each goes through wasm-bindgen before the next build.
build_module() { # $1: page name, $2: output folder, $3…: cargo feature flags
  local name="$1" pkg="$2"
  shift 2
  say "building the $name module for wasm32 (profile wasm-release: size first)"
  cargo build --locked --target wasm32-unknown-unknown -p augenmerk-ui --profile wasm-release "$@"
  mkdir -p "$pkg"
  "$CARGO_BIN/wasm-bindgen" --target web --no-typescript --out-dir "$pkg" "$WASM"
  local out="$pkg/augenmerk_ui_bg.wasm"
  if [ "$use_opt" = 1 ]; then
    # Rust's wasm32 target emits these proposals by default; binaryen must be told.
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      -o "$out.opt" "$out"
    mv "$out.opt" "$out"
  fi
  # Size, as the browser downloads it.
  echo "$name wasm: $(stat -c %s "$out") bytes (gzip $(gzip -9 -c "$out" | wc -c) bytes)"
}
build_module "citizen (ui)" "$DIST/pkg" --no-default-features
build_module "console" "$DIST/console/pkg"

# (d) vendored assets, in the layout index.html links (no CDN: the page works offline).
kern="$UI/node_modules/@kern-ux/native"
leaflet="$UI/node_modules/leaflet"
V="$DIST/vendor"
mkdir -p "$V/kern" "$V/fonts/fira-sans" "$V/leaflet/images" "$V/licenses"
cp "$kern/dist/kern.min.css" "$V/kern/"
# The Schleswig-Holstein theme (colours) from KERN's examples.
cp "$kern/src/scss/themes/examples/sh.css" "$V/kern/"
cp "$kern/dist/fonts/fira-sans.css" "$V/fonts/"
cp "$kern/dist/fonts/fira-sans/"*.woff2 "$V/fonts/fira-sans/"
cp "$leaflet/dist/leaflet.js" "$leaflet/dist/leaflet.css" "$V/leaflet/"
cp "$leaflet/dist/images/"* "$V/leaflet/images/"
# Their licences travel with them (BSD-2-Clause asks for it in redistributions).
cp "$kern/LICENSE.md" "$V/licenses/kern-ux-LICENSE.md"
cp "$leaflet/LICENSE" "$V/licenses/leaflet-LICENSE"

# (e) the pages. The console's lives one folder down and shares the assets.
cp "$UI/index.html" "$UI/style.css" "$DIST/"
cp -r "$UI/js" "$DIST/js"
# The installable citizen's app: its manifest and icons (the service worker follows in (f)).
cp "$UI/manifest.webmanifest" "$DIST/"
cp -r "$UI/icons" "$DIST/icons"
# The console is not the installable app: no manifest there.
sed -e 's|href="vendor/|href="../vendor/|g; s|src="vendor/|src="../vendor/|g' \
  -e 's|href="style.css"|href="../style.css"|; s|src="js/boot.js"|src="../js/boot-console.js"|' \
  -e 's|<title>[^<]*</title>|<title>Augenmerk – Verwaltung</title>|' \
  -e '/rel="manifest"/d; /Installable app/d' \
  "$UI/index.html" > "$DIST/console/index.html"
grep -q 'boot-console.js' "$DIST/console/index.html" || { echo "build-ui: console page not derived" >&2; exit 1; }
bash "$ROOT/scripts/build-anon-web.sh" # the browser's anonymizer → dist/anon/ (before the precache list)

# (f) the service worker, last: its precache list names every file of the citizen's page now
# in dist/ (not the console's), and a build id made from their contents, so that a new build
# gets a new worker that replaces the old cache. Keep this step after everything that writes
# into dist/.
files="$(cd "$DIST" && find . -type f ! -path './console/*' ! -name sw.js ! -name package.json | sed 's|^\.||' | LC_ALL=C sort)"
build_id="$(cd "$DIST" && printf '%s\n' $files | sed 's|^/||' | xargs sha256sum | sha256sum | cut -c1-16)"
{
  printf 'const PRECACHE = { version: "%s", files: [\n' "$build_id"
  printf '  "%s",\n' $files
  printf '] };\n'
  cat "$UI/sw.js"
} > "$DIST/sw.js"
echo "service worker: build $build_id, $(printf '%s\n' $files | wc -l) files precached"

# (g) gzip copies of the large text and wasm files, which the server sends to browsers that
# accept gzip (ServeDir's precompressed files); after (f), so they are not precached twice.
find "$DIST" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.json' \) -size +8k \
  -exec gzip -9 -k -n -f {} \;
echo "gzip copies: $(find "$DIST" -name '*.gz' | wc -l) files, $(du -ch $(find "$DIST" -name '*.gz') | tail -1 | cut -f1)"
