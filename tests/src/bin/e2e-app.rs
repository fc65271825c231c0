//! The desktop app (`augenmerk-app`, with the UI it embeds) built inside this package, so
//! the app's end-to-end test can start it through tauri-driver (Cargo only names binaries
//! of a test's own package).

fn main() {
    augenmerk_app::run();
}
