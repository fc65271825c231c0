#!/usr/bin/env bash
# Installable bundles of the desktop app with the Tauri CLI from npm (the version of the
# `tauri` crate in Cargo.lock). BUNDLES picks the formats (default: deb; an AppImage needs
# the CLI to download linuxdeploy from GitHub). Bundles land in
# $CARGO_TARGET_DIR/release/bundle/.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash scripts/setup.sh
bash scripts/build-ui.sh
version="$(awk '/^name = "tauri"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
say "tauri build ($version) → $CARGO_TARGET_DIR/release/bundle/"
cd "$ROOT/src-tauri"
# The page is built already (build-ui.sh), so the CLI runs no frontend command.
npx --yes "@tauri-apps/cli@$version" build --bundles "${BUNDLES:-deb}" \
  --config '{"build":{"beforeBuildCommand":""}}'
find "$CARGO_TARGET_DIR/release/bundle" -maxdepth 2 -type f \( -name '*.deb' -o -name '*.AppImage' \) -print
