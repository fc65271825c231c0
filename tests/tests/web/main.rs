//! The web UI in headless Chromium against a real server: a citizen's whole way through
//! the page, and axe-core on each screen. Needs the built UI (`scripts/build-ui.sh`),
//! Debian's `chromium` and `chromium-driver`, the models and the development photos.
//! Screenshots of each screen go to `docs/screenshots/web/`.

//!
//! The harness (server process, browser, the citizen's steps) is the package's library.

mod accessibility;
mod administrations;
mod alerts;
mod anon_wasm;
mod citizen_flow;
mod offline_app;
mod place_picker;
mod privacy;
mod public_map;
mod status_page;
