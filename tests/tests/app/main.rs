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
//!
//! The harness (Xvfb, tauri-driver, the browser helpers, the citizen's steps) is the
//! package's library (`augenmerk_tests::app`); the start-up measurement is a benchmark
//! (benches/app_startup.rs, run by scripts/bench-app-startup.sh).

mod administrations;
mod field_day;
mod flow;
mod helpers;
mod privacy;
