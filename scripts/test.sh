#!/usr/bin/env bash
# The whole test suite: set-up, formatting, lints (native and the UI's wasm build), the
# UI's build, and every test of the workspace: unit, integration against real servers on
# 127.0.0.1, real SQLite, real images and models, the web page in headless Chromium.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash scripts/setup.sh

# The UI first: the app embeds src-ui/dist when it is compiled (also for clippy), and the
# browser and app tests (tests/tests/web, tests/tests/app) drive it.
bash scripts/build-ui.sh

say "cargo fmt --check"
cargo fmt --all -- --check

# The app's end-to-end test and start-up benchmark are feature `app` of the tests package
# (they need WebKitGTK, which a plain `cargo test` does not); the whole suite turns it on.
say "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked --features augenmerk-tests/app -- -D warnings
say "cargo clippy for the UI as the browser runs it (wasm32; with and without the console)"
export CHRONO_TZ_TIMEZONE_FILTER='^(Europe/Berlin|UTC)$'
cargo clippy --locked --target wasm32-unknown-unknown -p augenmerk-ui -p augenmerk-domain -p augenmerk-geo -p augenmerk-sync -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown -p augenmerk-ui --no-default-features -- -D warnings
unset CHRONO_TZ_TIMEZONE_FILTER
say "cargo doc (rustdoc warnings, such as broken intra-doc links, are errors)"
RUSTDOCFLAGS='-D warnings' cargo doc --no-deps --workspace --locked
say "cargo deny (licences, bans, sources; advisories when their database is reachable)"
bash scripts/deny.sh

# Every test once: the store's own tests run each story on SQLite and on PostgreSQL; the
# HTTP API suite runs on PostgreSQL and the client, browser and app suites on the embedded
# default (SQLite, photo files), so both backends serve the whole API without any test
# running twice (tests/src/backend.rs). The test binaries start PostgreSQL and SeaweedFS
# themselves (crates/augenmerk-testenv).
say "tests (API suite on PostgreSQL, the rest on the embedded default)"
cargo test --workspace --locked --features augenmerk-tests/app

# The OpenAPI document against the real server: schemathesis, all checks, as a device and as staff.
bash scripts/contract.sh

# Lighthouse 11 on the web page as a phone: accessibility >= 95 and installable (about 25 s).
bash scripts/lighthouse.sh
