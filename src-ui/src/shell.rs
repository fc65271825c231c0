//! The frame around every page: header with navigation, language switch and the queue's
//! state, the page itself, and a footer that says where photos are anonymized and links
//! the privacy notice, the Impressum and "my data".

use leptos::prelude::*;

use augenmerk_domain::device::{AppInfo, SyncStatus};

use crate::backend::Backend;
use crate::components::legal::LegalKind;
use crate::i18n::{I18n, Lang, use_i18n};
use crate::map::Tiles;
use crate::pages;
use crate::route::{Route, use_route};
use crate::storage;

pub(crate) const LANG_KEY: &str = "augenmerk.lang";

/// What every page may need: the backend, facts about the program, the queue's state.
#[derive(Clone)]
pub struct Ctx {
    /// The app or the web page.
    pub backend: Backend,
    /// Facts about the program (loaded at start).
    pub info: RwSignal<Option<AppInfo>>,
    /// The queue's state.
    pub sync: RwSignal<SyncStatus>,
}

impl Ctx {
    /// The map tiles, if any are configured.
    pub fn tiles(&self) -> Tiles {
        let info = self.info.get();
        Tiles {
            url: info.as_ref().and_then(|i| i.tile_url.clone()).unwrap_or_default(),
            attribution: info.and_then(|i| i.tile_attribution).unwrap_or_default(),
        }
    }
}

/// The shared context.
pub fn use_ctx() -> Ctx {
    expect_context::<Ctx>()
}

/// Runs `load` again whenever the background sync succeeds (not on the first run: the page
/// loads itself when it opens). While the user types in a text field the reload waits for
/// the next sync: re-rendering would take the cursor out of what they are writing.
pub fn reload_after_sync(sync: RwSignal<SyncStatus>, load: impl Fn() + Send + Sync + 'static) {
    Effect::new(move |prev: Option<Option<chrono::DateTime<chrono::Utc>>>| {
        let now = sync.with(|s| s.last_success);
        if prev.is_some_and(|p| p != now) && !typing() {
            load();
        }
        now
    });
}

/// Whether the user is writing: the keyboard focus is in a text field that holds text
/// (an empty field, or one just cleared by sending, may be re-rendered).
fn typing() -> bool {
    let Some(active) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
    else {
        return false;
    };
    let text_field = match active.tag_name().to_ascii_lowercase().as_str() {
        "textarea" => true,
        "input" => {
            let kind = active.get_attribute("type").unwrap_or_default().to_ascii_lowercase();
            matches!(
                kind.as_str(),
                "" | "text" | "email" | "search" | "number" | "tel" | "url"
            )
        }
        _ => false,
    };
    let value = js_sys::Reflect::get(&active, &"value".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    text_field && !value.trim().is_empty()
}

pub(crate) fn initial_lang() -> Lang {
    // German is the default for everyone; a switch to English is remembered.
    storage::get(LANG_KEY)
        .map(|saved| Lang::from_tag(&saved))
        .unwrap_or(Lang::De)
}

/// The whole UI.
#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::new(initial_lang());
    provide_context(i18n);
    let route = use_route();
    // The map embedded in a municipality's website only reads the public API: no outbox
    // flushes, no configuration refresh, no sync status in the visitor's browser.
    let embedded = route.with_untracked(Route::is_embedded);
    let backend = if embedded {
        Backend::embedded()
    } else {
        Backend::detect()
    };
    let ctx = Ctx {
        backend: backend.clone(),
        info: RwSignal::new(None),
        sync: RwSignal::new(SyncStatus::default()),
    };
    provide_context(ctx.clone());

    // <html lang> follows the language, for screen readers and hyphenation.
    Effect::new(move |_| {
        let lang = i18n.lang();
        storage::set(LANG_KEY, lang.tag());
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", lang.tag());
        }
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&i18n.t("app-title"));
        }
    });

    {
        let ctx = ctx.clone();
        leptos::task::spawn_local(async move {
            if let Ok(info) = ctx.backend.app_info().await {
                ctx.info.set(Some(info));
            }
            if embedded {
                return;
            }
            if let Ok(status) = ctx.backend.sync_status().await {
                ctx.sync.set(status);
            }
        });
        if !embedded {
            let sync = ctx.sync;
            backend.on_sync_change(move |status| sync.set(status));
        }
    }

    let is_app = backend.is_app();
    // The app always; the page where its browser runs the anonymizer.
    let info = ctx.info;
    let on_device = move || is_app || info.with(|i| i.as_ref().is_some_and(|i| i.anonymizes_on_device));
    let nav_class = move |r: Route| {
        let current = route.get();
        let active = match (&r, &current) {
            (Route::MyReports, Route::Report(_))
            | (Route::Field, Route::Case(_))
            | (Route::PublicMap { .. }, Route::PublicMap { .. }) => true,
            _ => r == current,
        };
        if active {
            "nav-link nav-link--active"
        } else {
            "nav-link"
        }
    };
    let aria_current = move |r: Route| if route.get() == r { Some("page") } else { None };
    // The public map inside a municipality's website: the page alone, without the frame.
    let framed = move || !route.with(Route::is_embedded);
    // Drawn anew only when the page changes, not when the public map opens a report.
    let page = Memo::new(move |_| route.get().page());

    view! {
        <Show when=framed>
        <a class="skip-link" href="#main">{move || i18n.t("skip-to-content")}</a>
        <header class="app-header">
            <div class="app-header__inner">
                <a class="brand" href="#/">
                    <span class="brand__mark" aria-hidden="true"></span>
                    <span class="brand__text">
                        <span class="brand__name">"Augenmerk"</span>
                        <span class="brand__claim">{move || i18n.t("app-claim")}</span>
                    </span>
                </a>
                <button
                    type="button"
                    class="kern-btn kern-btn--tertiary kern-btn--x-small lang-switch"
                    data-testid="lang-switch"
                    lang=move || i18n.lang().other().tag()
                    on:click=move |_| i18n.set(i18n.lang().other())
                >
                    <span class="kern-icon kern-icon--language" aria-hidden="true"></span>
                    <span class="kern-label">{move || i18n.t("switch-language")}</span>
                </button>
            </div>
            <nav class="app-nav" aria-label=move || i18n.t("nav-label")>
                <ul>
                    <li>
                        <a class=move || nav_class(Route::NewReport) aria-current=move || aria_current(Route::NewReport)
                            href="#/" data-testid="nav-report">{move || i18n.t("nav-report")}</a>
                    </li>
                    <li>
                        <a class=move || nav_class(Route::MyReports) aria-current=move || aria_current(Route::MyReports)
                            href="#/reports" data-testid="nav-my-reports">{move || i18n.t("nav-my-reports")}</a>
                    </li>
                    <Show when=move || !is_app>
                        <li>
                            <a class=move || nav_class(statewide_map()) href=statewide_map().href()
                                aria-current=move || matches!(route.get(), Route::PublicMap { .. }).then_some("page")
                                data-testid="nav-public-map">{move || i18n.t("nav-public-map")}</a>
                        </li>
                    </Show>
                    <Show when=move || is_app>
                        <li>
                            <a class=move || nav_class(Route::Field) aria-current=move || aria_current(Route::Field)
                                href="#/field" data-testid="nav-field">{move || i18n.t("nav-field")}</a>
                        </li>
                    </Show>
                </ul>
                <SyncBadge />
            </nav>
        </header>
        </Show>
        <main id="main" class="app-main" tabindex="-1">
            {move || match page.get() {
                Route::NewReport => view! { <pages::report::NewReport /> }.into_any(),
                Route::MyReports => view! { <pages::my_reports::MyReports /> }.into_any(),
                Route::Report(id) => view! { <pages::report_detail::ReportDetail id=id /> }.into_any(),
                Route::Field => view! { <pages::field::Field /> }.into_any(),
                Route::Case(id) => view! { <pages::case::Case id=id /> }.into_any(),
                Route::Status(token) => view! { <pages::status::Status token=token /> }.into_any(),
                Route::Privacy(ags) => view! { <pages::legal::LegalPage kind=LegalKind::Notice ags=ags /> }.into_any(),
                Route::Imprint(ags) => view! { <pages::legal::LegalPage kind=LegalKind::Imprint ags=ags /> }.into_any(),
                Route::MyData => view! { <pages::my_data::MyData /> }.into_any(),
                Route::Erase(token) => view! { <pages::erase::Erase token=token /> }.into_any(),
                Route::Alert { token, unsubscribe } => {
                    view! { <pages::public_map::AlertPage token=token unsubscribe=unsubscribe /> }.into_any()
                }
                Route::PublicMap { ags, embed, .. } => {
                    view! { <pages::public_map::PublicMapPage ags=ags embed=embed /> }.into_any()
                }
                // Drawn by `crate::Root` instead of this frame.
                Route::Console(_) => ().into_any(),
            }}
        </main>
        <Show when=framed>
        <footer class="app-footer">
            <p class="kern-body kern-body--small">
                {move || if on_device() { i18n.t("footer-anon-device") } else { i18n.t("footer-anon-server") }}
            </p>
            <p class="kern-body kern-body--small">{move || i18n.t("footer-licence")}</p>
            <nav aria-label=move || i18n.t("footer-legal-label")>
                <ul class="kern-list kern-list--horizontal">
                    <li><a class="kern-link" href=Route::Privacy(None).href() data-testid="footer-privacy"
                        aria-current=move || footer_current(route.get(), Route::Privacy(None))>
                        {move || i18n.t("footer-privacy")}</a></li>
                    <li><a class="kern-link" href=Route::Imprint(None).href() data-testid="footer-imprint"
                        aria-current=move || footer_current(route.get(), Route::Imprint(None))>
                        {move || i18n.t("footer-imprint")}</a></li>
                    <li><a class="kern-link" href=Route::MyData.href() data-testid="footer-my-data"
                        aria-current=move || footer_current(route.get(), Route::MyData)>
                        {move || i18n.t("footer-my-data")}</a></li>
                </ul>
            </nav>
        </footer>
        </Show>
    }
}

/// The public map of every municipality (the header's link).
fn statewide_map() -> Route {
    Route::PublicMap {
        ags: None,
        embed: false,
        report: None,
    }
}

/// `aria-current` of a footer link: the page it leads to is open (for any municipality).
fn footer_current(current: Route, link: Route) -> Option<&'static str> {
    let same = match (&current, &link) {
        (Route::Privacy(_), Route::Privacy(_)) | (Route::Imprint(_), Route::Imprint(_)) => true,
        _ => current == link,
    };
    same.then_some("page")
}

/// The queue's state in the header: waiting reports, sending, last error.
#[component]
fn SyncBadge() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let sync = ctx.sync;
    let backend = ctx.backend.clone();
    let waiting = move || {
        let s = sync.get();
        s.queued_reports + s.queued_replies + s.pending_actions
    };
    let text = move || {
        let s = sync.get();
        let n = waiting();
        if s.syncing {
            i18n.t("sync-running")
        } else if n > 0 {
            i18n.t_args("queue-waiting", &[("count", (n as f64).into())])
        } else if s.last_error.is_some() {
            i18n.t("sync-offline")
        } else {
            i18n.t("sync-ok")
        }
    };
    let class = move || {
        let s = sync.get();
        if s.syncing {
            "kern-badge kern-badge--info"
        } else if waiting() > 0 {
            "kern-badge kern-badge--warning"
        } else {
            "kern-badge kern-badge--success"
        }
    };
    let sync_now = move |_| {
        let backend = backend.clone();
        leptos::task::spawn_local(async move {
            let _ = backend.sync_now().await;
            if let Ok(status) = backend.sync_status().await {
                sync.set(status);
            }
        });
    };
    view! {
        <div class="sync" role="status" aria-live="polite">
            <span class=class data-testid="sync-status" data-queued=move || sync.get().queued_reports.to_string()
                data-syncing=move || sync.get().syncing.to_string()>
                <span class="kern-label kern-label--small">{text}</span>
            </span>
            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=sync_now
                data-testid="sync-now">
                <span class="kern-icon kern-icon--autorenew" aria-hidden="true"></span>
                <span class="kern-label">{move || i18n.t("sync-now")}</span>
            </button>
        </div>
    }
}
