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
    /// The public map and list of reports: one municipality's (by AGS) or, without one,
    /// every municipality's on this server; `embed` is the view for an iframe on the
    /// municipality's website (no header, navigation or footer).
    PublicMap {
        /// The municipality, or none for the statewide view.
        ags: Option<String>,
        /// Drawn inside another site's iframe.
        embed: bool,
    },
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
            (Some("m"), ags) => Route::PublicMap {
                ags: ags.map(str::to_owned),
                embed: false,
            },
            (Some("embed"), Some(ags)) => Route::PublicMap {
                ags: Some(ags.to_owned()),
                embed: true,
            },
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
            Route::PublicMap { ags: None, .. } => "#/m".into(),
            Route::PublicMap {
                ags: Some(ags),
                embed: false,
            } => format!("#/m/{ags}"),
            Route::PublicMap {
                ags: Some(ags),
                embed: true,
            } => format!("#/embed/{ags}"),
        }
    }

    /// The page for a location: the fragment when it names one, else the path. The public
    /// pages have paths of their own (`/m`, `/m/{ags}`, `/embed/{ags}`: the server answers
    /// them with the page, and `/embed/…` with the municipality's frame-ancestors), so that
    /// a link or an iframe needs no fragment; every other page lives in the fragment.
    pub fn from_location(path: &str, hash: &str) -> Route {
        let fragment = hash.trim_start_matches('#').trim_matches('/');
        if !fragment.is_empty() {
            return Route::parse(hash);
        }
        match Route::parse(path) {
            public @ Route::PublicMap { .. } => public,
            _ => Route::NewReport,
        }
    }

    /// Whether the page is drawn inside another site's frame (no header, no footer).
    pub fn is_embedded(&self) -> bool {
        matches!(self, Route::PublicMap { embed: true, .. })
    }
}

fn current_route() -> Route {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return Route::NewReport;
    };
    Route::from_location(
        &location.pathname().unwrap_or_default(),
        &location.hash().unwrap_or_default(),
    )
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
    let (route, set_route) = signal(current_route());
    if let Some(window) = web_sys::window() {
        let on_change = Closure::<dyn FnMut()>::new(move || {
            set_route.set(current_route());
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
            Route::PublicMap {
                ags: None,
                embed: false,
            },
            Route::PublicMap {
                ags: Some("01001000".into()),
                embed: false,
            },
            Route::PublicMap {
                ags: Some("01001000".into()),
                embed: true,
            },
        ] {
            assert_eq!(Route::parse(&r.href()), r);
        }
        assert_eq!(Route::parse(""), Route::NewReport);
        assert_eq!(Route::parse("#/nonsense/1/2"), Route::NewReport);
    }

    #[test]
    fn public_pages_from_the_path_or_the_fragment() {
        let map = |ags: Option<&str>, embed| Route::PublicMap {
            ags: ags.map(str::to_owned),
            embed,
        };
        assert_eq!(Route::from_location("/m", ""), map(None, false));
        assert_eq!(Route::from_location("/m/", "#/"), map(None, false));
        assert_eq!(Route::from_location("/m/01001000", ""), map(Some("01001000"), false));
        assert_eq!(Route::from_location("/embed/01001000", ""), map(Some("01001000"), true));
        assert_eq!(Route::from_location("/", "#/m/01001000"), map(Some("01001000"), false));
        // A fragment naming a page wins: links of the app's frame keep working there.
        assert_eq!(Route::from_location("/m/01001000", "#/reports"), Route::MyReports);
        // Only the public pages have paths; `/embed` needs a municipality.
        assert_eq!(Route::from_location("/reports", ""), Route::NewReport);
        assert_eq!(Route::from_location("/embed", ""), Route::NewReport);
        assert_eq!(Route::from_location("/", ""), Route::NewReport);
        assert!(map(Some("x"), true).is_embedded());
        assert!(!map(None, false).is_embedded());
    }
}
