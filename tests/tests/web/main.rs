//! The web UI in headless Chromium against a real server: a citizen's whole way through
//! the page, and axe-core on each screen. Needs the built UI (`scripts/build-ui.sh`),
//! Debian's `chromium` and `chromium-driver`, the models and the development photos.
//! Screenshots of each screen go to `docs/screenshots/web/`.

mod accessibility;
mod administrations;
#[path = "../common/citizen.rs"]
mod citizen;
mod citizen_flow;
mod privacy;
#[path = "../common/receipt.rs"]
mod receipt;
mod status_page;
mod steps;
mod support;
