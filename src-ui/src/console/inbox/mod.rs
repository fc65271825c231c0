//! The inbox: the municipality's reports (a field worker's: theirs and their department's)
//! with counts per status, filters, sorting and paging; overdue reports and citizens
//! waiting for an answer stand out. An Amt's inbox names each report's Gemeinde and
//! filters by it. The filtered list can be exported as CSV.
//!
//! Triage at speed (issue 21): quick filters ("assigned to me", "my department",
//! "awaiting reply"), saved filters (`saved`), a selection with bulk actions (`bulk`),
//! thumbnails (`table`) and the keyboard (`super::keys`).

mod bulk;
mod filters;
mod saved;
mod table;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use augenmerk_domain::Status;
use augenmerk_domain::staff::{Page as ResultPage, StaffReportSummary};

pub use filters::{Filters, OPEN};
pub use table::ellipsis;

use super::api::use_api;
use super::keys::use_triage;
use super::{Page, use_console};
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::i18n::use_i18n;
use filters::{filter_bar, quick_filters, set_filter};
use table::{inbox_table, pager};

/// The inbox page.
#[component]
pub fn Inbox() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let filters = console.filters;
    let refs = console.refs;
    let triage = use_triage();
    let sees_all = api.session.with_untracked(|s| s.as_ref().is_some_and(|s| s.sees_all()));
    let has_department = api
        .session
        .with_untracked(|s| s.as_ref().is_some_and(|s| s.user.department.is_some()));
    // Bumped after a bulk action: the list is read again.
    let reload = RwSignal::new(0u32);
    let result: RwSignal<Option<ResultPage<StaffReportSummary>>> = RwSignal::new(None);
    let counts: RwSignal<Vec<(Status, u64)>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let loading = RwSignal::new(false);
    // Answers to an older filter state are dropped: the newest request wins.
    let generation = StoredValue::new(0u64);

    Effect::new(move |_| {
        reload.track();
        let query = filters.with(|f| f.query(true));
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        loading.set(true);
        leptos::task::spawn_local(async move {
            let page = api.reports(&query).await;
            if generation.get_value() != mine {
                return;
            }
            loading.set(false);
            match page {
                Ok(p) => {
                    error.set(None);
                    // The keyboard's list: the cursor stays only on the same list.
                    let ids: Vec<String> = p.items.iter().map(|s| s.report.id.to_string()).collect();
                    if triage.ids.with_untracked(|old| *old != ids) {
                        triage.cursor.set(None);
                        triage.ids.set(ids);
                    }
                    result.set(Some(p));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
    leptos::task::spawn_local(async move {
        if let Ok(map) = api.status_counts().await {
            counts.set(
                Status::ALL
                    .iter()
                    .map(|s| (*s, map.get(s.as_str()).copied().unwrap_or(0)))
                    .collect(),
            );
        }
    });

    let search_text = RwSignal::new(filters.with_untracked(|f| f.q.clone()));

    let export = move |_| {
        let query = filters.with_untracked(|f| f.query(false));
        let lang = i18n.lang().tag();
        leptos::task::spawn_local(async move {
            match api.reports_csv(&query, lang).await {
                Ok(url) => download(&url, "meldungen.csv"),
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <div class="console-page" data-testid="inbox">
            <div class="console-page__head">
                <div>
                    <h1 class="kern-heading-large">{move || i18n.t("c-inbox-title")}</h1>
                    <p class="kern-body kern-body--small console-muted" data-testid="inbox-scope">{move || if sees_all {
                        i18n.t("c-inbox-scope-all")
                    } else {
                        i18n.t("c-inbox-scope-mine")
                    }}</p>
                </div>
                <div class="console-page__actions">
                    <a class="kern-btn kern-btn--secondary kern-btn--small" href=Page::Map.href()>
                        <span class="kern-icon kern-icon--visibility" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-show-map")}</span>
                    </a>
                    <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" data-testid="inbox-export"
                        on:click=export>
                        <span class="kern-icon kern-icon--download" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-export-csv")}</span>
                    </button>
                </div>
            </div>
            <div class="status-tabs" role="group" aria-label=move || i18n.t("c-status-tabs")>{move || status_tabs(filters, counts)}</div>
            {quick_filters(filters, has_department)}
            <saved::SavedFilters filters=filters search_text=search_text />
            {filter_bar(filters, refs, search_text)}
            <ErrorAlert error=error.into() />
            <bulk::BulkBar triage=triage reload=reload />
            <div class="inbox-results" aria-busy=move || loading.get().to_string()>
                {move || { let r = refs.get(); result.get().map(|p| inbox_table(&r, p, triage)) }}
                {move || result.get().map(|p| pager(filters, p))}
            </div>
        </div>
    }
}

/// Status tabs: open (default), each status, all.
fn status_tabs(filters: RwSignal<Filters>, counts: RwSignal<Vec<(Status, u64)>>) -> Vec<AnyView> {
    let i18n = use_i18n();
    let set = move |f: fn(&mut Filters, String), value: String| set_filter(filters, f, value);
    let tab = move |value: &'static str, label: String, count: Option<u64>, testid: String| {
        let selected = move || filters.with(|f| f.status == value);
        view! {
            <button type="button" class="status-tab" class:status-tab--active=selected
                aria-pressed=move || selected().to_string() data-testid=testid
                on:click=move |_| set(|f, v| f.status = v, value.to_owned())>
                <span class="status-tab__label">{label}</span>
                {count.map(|n| view! { <span class="status-tab__count">{n.to_string()}</span> })}
            </button>
        }
    };
    let c = counts.get();
    let open: u64 = c.iter().filter(|(s, _)| s.is_open()).map(|(_, n)| n).sum();
    let all: u64 = c.iter().map(|(_, n)| n).sum();
    let lang = i18n.lang();
    let mut views = vec![tab(OPEN, i18n.t("c-inbox-open"), Some(open), "tab-open".into()).into_any()];
    for (s, n) in c {
        views.push(
            tab(
                s.as_str(),
                lang.pick(&s.label()).to_owned(),
                Some(n),
                format!("tab-{}", s.as_str()),
            )
            .into_any(),
        );
    }
    views.push(tab("", i18n.t("c-inbox-all"), Some(all), "tab-all".into()).into_any());
    views
}

/// Lets the browser save an object URL as a file.
pub fn download(url: &str, name: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(a) = doc.create_element("a") {
        let _ = a.set_attribute("href", url);
        let _ = a.set_attribute("download", name);
        if let Ok(a) = a.dyn_into::<web_sys::HtmlElement>() {
            a.click();
        }
    }
}
