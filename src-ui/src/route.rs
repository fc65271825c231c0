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
    /// An e-mail alert of the public map, reached by the token in its mails: confirmed on
    /// opening (`#/alerts/<token>`), or ended (`#/alerts/<token>/unsubscribe`).
    Alert {
        /// The secret of the subscription's links.
        token: String,
        /// End it rather than confirm it.
        unsubscribe: bool,
    },
    /// The public map and list of reports: one municipality's (by AGS) or, without one,
    /// every municipality's on this server; `embed` is the view for an iframe on the
    /// municipality's website (no header, navigation or footer).
    PublicMap {
        /// The municipality, or none for the statewide view.
        ags: Option<String>,
        /// Drawn inside another site's iframe.
        embed: bool,
        /// The report whose detail is open (`/m/{ags}/{report}`: the link in alert mails).
        report: Option<String>,
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
            (Some("alerts"), Some(token)) => Route::Alert {
                token: token.to_owned(),
                unsubscribe: parts.next() == Some("unsubscribe"),
            },
            (Some("m"), ags) => Route::PublicMap {
                ags: ags.map(str::to_owned),
                embed: false,
                report: ags.and(parts.next()).map(str::to_owned),
            },
            (Some("embed"), Some(ags)) => Route::PublicMap {
                ags: Some(ags.to_owned()),
                embed: true,
                report: None,
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
            Route::Alert { token, unsubscribe } => {
                format!("#/alerts/{token}{}", if *unsubscribe { "/unsubscribe" } else { "" })
            }
            Route::PublicMap { .. } => self.public_path().map(|p| format!("#{p}")).unwrap_or_default(),
        }
    }

    /// The path of a public page (`/m`, `/m/{ags}`, `/m/{ags}/{report}`, `/embed/{ags}`),
    /// which the server answers with the page; `None` for the others, which live in the
    /// fragment. The embedded view keeps no report in its path: it has no history of its
    /// own in the municipality's website.
    pub fn public_path(&self) -> Option<String> {
        match self {
            Route::PublicMap { ags: None, .. } => Some("/m".into()),
            Route::PublicMap {
                ags: Some(ags),
                embed: false,
                report: None,
            } => Some(format!("/m/{ags}")),
            Route::PublicMap {
                ags: Some(ags),
                embed: false,
                report: Some(id),
            } => Some(format!("/m/{ags}/{id}")),
            Route::PublicMap {
                ags: Some(ags),
                embed: true,
                ..
            } => Some(format!("/embed/{ags}")),
            _ => None,
        }
    }

    /// The page without what it shows inside (the public map without its open report):
    /// the shell draws a page anew only when this changes, so that opening a report keeps
    /// the map as it is.
    pub fn page(&self) -> Route {
        match self {
            Route::PublicMap { ags, embed, .. } => Route::PublicMap {
                ags: ags.clone(),
                embed: *embed,
                report: None,
            },
            other => other.clone(),
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

/// Shows a public page as a new history entry (the back button returns), without
/// loading the page again: in the fragment where the page was opened with one, else as
/// its path ([`Route::public_path`]).
pub fn push(route: &Route) {
    change(route, false);
}

/// Like [`push`], replacing the current history entry instead.
pub fn replace(route: &Route) {
    change(route, true);
}

/// Whether the current history entry was added by [`push`] (so that going back stays on
/// this page), rather than opened from a link.
pub fn pushed_here() -> bool {
    web_sys::window()
        .and_then(|w| w.history().ok())
        .and_then(|h| h.state().ok())
        .is_some_and(|state| state.is_truthy())
}

/// Goes one history entry back, as the browser's back button does.
pub fn back() {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.back();
    }
}

fn change(route: &Route, replace: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hash = window.location().hash().unwrap_or_default();
    let in_fragment = !hash.trim_start_matches('#').trim_matches('/').is_empty();
    let url = match route.public_path() {
        Some(path) if !in_fragment => path,
        _ => route.href(),
    };
    let Ok(history) = window.history() else {
        return;
    };
    let _ = if replace {
        // The entry stays what it was: pushed here, or opened from a link.
        let state = history.state().unwrap_or(JsValue::NULL);
        history.replace_state_with_url(&state, "", Some(&url))
    } else {
        history.push_state_with_url(&JsValue::TRUE, "", Some(&url))
    };
    // The history API fires no event of its own: the route signal listens to this one.
    if let Ok(event) = web_sys::Event::new("popstate") {
        let _ = window.dispatch_event(&event);
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
            let next = current_route();
            // Both events may come for one change (a fragment's back step): set it once.
            if route.with_untracked(|r| *r == next) {
                return;
            }
            let same_page = route.with_untracked(|r| r.page() == next.page());
            set_route.set(next);
            // A new page starts at the top, like a real navigation; a report opened on
            // the public map keeps the page where it is.
            if !same_page && let Some(w) = web_sys::window() {
                w.scroll_to_with_x_and_y(0.0, 0.0);
            }
        });
        let _ = window.add_event_listener_with_callback("hashchange", on_change.as_ref().unchecked_ref());
        // The back and forward buttons over entries of `push`.
        let _ = window.add_event_listener_with_callback("popstate", on_change.as_ref().unchecked_ref());
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
            Route::Alert {
                token: "tok".into(),
                unsubscribe: false,
            },
            Route::Alert {
                token: "tok".into(),
                unsubscribe: true,
            },
            Route::PublicMap {
                ags: None,
                embed: false,
                report: None,
            },
            Route::PublicMap {
                ags: Some("01001000".into()),
                embed: false,
                report: None,
            },
            Route::PublicMap {
                ags: Some("01001000".into()),
                embed: false,
                report: Some("0b9f3c2e-8d1a-4f5e-9c7b-123456789abc".into()),
            },
            Route::PublicMap {
                ags: Some("01001000".into()),
                embed: true,
                report: None,
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
            report: None,
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

    #[test]
    fn a_report_on_the_public_map_has_its_own_path_and_keeps_the_page() {
        let id = "0b9f3c2e-8d1a-4f5e-9c7b-123456789abc";
        let open = Route::PublicMap {
            ags: Some("01001000".into()),
            embed: false,
            report: Some(id.into()),
        };
        // The link in alert mails, opened on its own or within the app's fragment.
        assert_eq!(Route::from_location(&format!("/m/01001000/{id}"), ""), open);
        assert_eq!(Route::from_location("/", &format!("#/m/01001000/{id}")), open);
        assert_eq!(open.public_path(), Some(format!("/m/01001000/{id}")));
        assert_eq!(Route::from_location(&format!("/m/01001000/{id}/"), ""), open);
        // Opening and closing it stays on one page; another municipality is another page.
        let closed = Route::PublicMap {
            ags: Some("01001000".into()),
            embed: false,
            report: None,
        };
        assert_eq!(open.page(), closed);
        assert_eq!(closed.public_path().as_deref(), Some("/m/01001000"));
        assert_ne!(open.page(), Route::from_location("/m/01002000", "").page());
        // The statewide view has no report path; the embedded view keeps none in its path.
        assert_eq!(Route::from_location("/m", "").public_path().as_deref(), Some("/m"));
        let embedded = Route::PublicMap {
            ags: Some("01001000".into()),
            embed: true,
            report: Some(id.into()),
        };
        assert_eq!(embedded.public_path().as_deref(), Some("/embed/01001000"));
        assert_eq!(Route::MyReports.public_path(), None);
        assert_eq!(Route::MyReports.page(), Route::MyReports);
    }
}
