//! Where the user is: the page, kept in the URL's fragment so that reloads and the back
//! button work in the app and on the web alike.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The pages of the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A new report (the start page).
    NewReport,
    /// The citizen's reports.
    MyReports,
    /// One of them.
    Report(String),
    /// The field worker's login or cases.
    Field,
    /// One case.
    Case(String),
    /// The staff console; the rest of the path is the console's own (see `console::Page`).
    Console(String),
    /// The private status page of a report, reached by the token in the receipt mail.
    Status(String),
    /// The privacy notice of a municipality (by key), or of the one the citizen chose.
    Privacy(Option<String>),
    /// The Impressum, likewise.
    Imprint(Option<String>),
    /// What is kept about the citizen: download it, erase it.
    MyData,
    /// Confirming an erasure by e-mail address, reached by the token in the mailed link.
    Erase(String),
}

impl Route {
    /// Reads a fragment such as `#/reports/ID`.
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let mut parts = path.split('/').filter(|p| !p.is_empty());
        match (parts.next(), parts.next()) {
            (Some("reports"), Some(id)) => Route::Report(id.to_owned()),
            (Some("reports"), None) => Route::MyReports,
            (Some("field"), Some(id)) => Route::Case(id.to_owned()),
            (Some("field"), None) => Route::Field,
            (Some("status"), Some(token)) => Route::Status(token.to_owned()),
            (Some("datenschutz"), ags) => Route::Privacy(ags.map(str::to_owned)),
            (Some("impressum"), ags) => Route::Imprint(ags.map(str::to_owned)),
            (Some("meine-daten"), None) => Route::MyData,
            (Some("erase"), Some(token)) => Route::Erase(token.to_owned()),
            (Some("console"), first) => {
                let rest: Vec<&str> = first.into_iter().chain(parts).collect();
                Route::Console(rest.join("/"))
            }
            _ => Route::NewReport,
        }
    }

    /// The fragment for a link.
    pub fn href(&self) -> String {
        match self {
            Route::NewReport => "#/".into(),
            Route::MyReports => "#/reports".into(),
            Route::Report(id) => format!("#/reports/{id}"),
            Route::Field => "#/field".into(),
            Route::Case(id) => format!("#/field/{id}"),
            Route::Console(rest) if rest.is_empty() => "#/console".into(),
            Route::Console(rest) => format!("#/console/{rest}"),
            Route::Status(token) => format!("#/status/{token}"),
            Route::Privacy(None) => "#/datenschutz".into(),
            Route::Privacy(Some(ags)) => format!("#/datenschutz/{ags}"),
            Route::Imprint(None) => "#/impressum".into(),
            Route::Imprint(Some(ags)) => format!("#/impressum/{ags}"),
            Route::MyData => "#/meine-daten".into(),
            Route::Erase(token) => format!("#/erase/{token}"),
        }
    }
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Goes to a page, as following a link to it would.
pub fn navigate(route: &Route) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(&route.href());
    }
}

/// The current route as a signal that follows the URL.
pub fn use_route() -> ReadSignal<Route> {
    if let Some(existing) = use_context::<ReadSignal<Route>>() {
        return existing;
    }
    let (route, set_route) = signal(Route::parse(&current_hash()));
    if let Some(window) = web_sys::window() {
        let on_change = Closure::<dyn FnMut()>::new(move || {
            set_route.set(Route::parse(&current_hash()));
            // A new page starts at the top, like a real navigation.
            if let Some(w) = web_sys::window() {
                w.scroll_to_with_x_and_y(0.0, 0.0);
            }
        });
        let _ = window.add_event_listener_with_callback("hashchange", on_change.as_ref().unchecked_ref());
        on_change.forget();
    }
    provide_context(route);
    route
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_round_trip() {
        for r in [
            Route::NewReport,
            Route::MyReports,
            Route::Report("abc".into()),
            Route::Field,
            Route::Case("x".into()),
            Route::Console(String::new()),
            Route::Console("cases/abc".into()),
            Route::Status("tok".into()),
            Route::Privacy(None),
            Route::Privacy(Some("01001000".into())),
            Route::Imprint(None),
            Route::Imprint(Some("01001000".into())),
            Route::MyData,
            Route::Erase("tok".into()),
        ] {
            assert_eq!(Route::parse(&r.href()), r);
        }
        assert_eq!(Route::parse(""), Route::NewReport);
        assert_eq!(Route::parse("#/nonsense/1/2"), Route::NewReport);
    }
}
