#!/usr/bin/env bash
# The whole test suite: set-up, formatting, lints, the wasm build of the shared crates,
# and every test of the workspace (unit, integration against real servers on 127.0.0.1,
# real SQLite, real images and models).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash scripts/setup.sh
# The desktop app: WebKitGTK to build it, Xvfb, WebKitWebDriver and tauri-driver to test it.
bash scripts/setup-app.sh

# The UI first: the app embeds src-ui/dist when it is compiled (also for clippy), and the
# browser and app tests (tests/tests/web, tests/tests/app) drive it.
bash scripts/build-ui.sh

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "the shared crates build for wasm32 (the Leptos UI uses them)"
cargo check --locked --target wasm32-unknown-unknown -p augenmerk-domain -p augenmerk-geo

say "tests"
cargo test --workspace --locked
