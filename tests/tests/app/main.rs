//! The desktop app (Tauri v2, `src-tauri`) end to end: the real app binary under Xvfb,
//! driven through tauri-driver and WebKitWebDriver, against the real sync server as a
//! process that is stopped and started on the same port while the app runs.
//!
//! Needs what `scripts/setup-app.sh` installs (Xvfb, WebKitWebDriver, tauri-driver), the
//! built UI (`scripts/build-ui.sh`; the app embeds `src-ui/dist` when it is compiled, so
//! build the UI first), the models and the development photos. The app binary is this
//! package's `e2e-app` (built by Cargo for the test) unless `AUGENMERK_APP_BIN` names
//! another (the release build, for the start-up measurement). Screenshots of each screen
//! go to `docs/screenshots/app/`.

#[allow(dead_code)]
#[path = "../web/steps.rs"]
mod steps;
#[allow(dead_code)]
#[path = "../web/support.rs"]
mod support;

mod administrations;
mod driver;
mod flow;
mod privacy;
mod startup;
