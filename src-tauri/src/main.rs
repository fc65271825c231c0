//! The `augenmerk-app` binary: everything is in the library, see `augenmerk_app::run`.

// A release build on Windows opens no console window next to the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    augenmerk_app::run();
}
