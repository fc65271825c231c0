//! Augenmerk's user interface: a Leptos app compiled to wasm. The same UI runs in the
//! Tauri app (citizens and field workers, offline, photos anonymized on the device) and as
//! the web page the sync server serves at `/` (citizens without the app; photos anonymized
//! by the server). [`backend::Backend`] hides the difference.

pub mod backend;
mod components;
#[cfg(feature = "console")]
mod console;
mod draft;
mod format;
pub mod i18n;
mod map;
mod pages;
mod position;
mod route;
mod shell;
mod storage;
mod theme;

use wasm_bindgen::prelude::*;

/// Entry point: mounts the UI into `<body>`.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(Root);
    // The first render is done and its handlers are attached: what the start-up figure
    // (navigation start → interactive) measures.
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark("augenmerk-interactive");
    }
}

/// The citizen's frame, or the staff console (its own frame) under `#/console`.
#[cfg(feature = "console")]
#[leptos::component]
fn Root() -> impl leptos::IntoView {
    use leptos::prelude::*;
    let route = route::use_route();
    let console = Memo::new(move |_| matches!(route.get(), route::Route::Console(_)));
    move || {
        if console.get() {
            view! { <console::Console /> }.into_any()
        } else {
            view! { <shell::App /> }.into_any()
        }
    }
}

/// The citizen's frame; a link into the console leads to the console's own page, which
/// carries the module with the console.
#[cfg(not(feature = "console"))]
#[leptos::component]
fn Root() -> impl leptos::IntoView {
    use leptos::prelude::*;
    let route = route::use_route();
    Effect::new(move |_| {
        if let route::Route::Console(_) = route.get()
            && let Some(location) = web_sys::window().map(|w| w.location())
        {
            let hash = location.hash().unwrap_or_default();
            let _ = location.replace(&format!("console/{hash}"));
        }
    });
    view! { <shell::App /> }
}
