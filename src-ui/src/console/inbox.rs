//! The inbox: the municipality's reports (a field worker's: theirs and their department's)
//! with counts per status, filters, sorting and paging; overdue reports stand out. An
//! Amt's inbox names each report's Gemeinde and filters by it. The filtered list can be
//! exported as CSV.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use augenmerk_domain::Status;
use augenmerk_domain::staff::{Page as ResultPage, StaffReportSummary};

use super::api::{encode, use_api};
use super::widgets::{PRIORITIES, PriorityBadge, overdue_badge, priority_key, status_badge};
use super::{Page, Refs, use_console};
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::format;
use crate::i18n::use_i18n;

/// Reports per page.
pub const PAGE_SIZE: u32 = 25;

/// The inbox's filters, sort order and page.
#[derive(Debug, Clone, PartialEq)]
pub struct Filters {
    /// Comma-separated statuses ("" = all).
    pub status: String,
    /// Category id (subtree).
    pub category: String,
    /// Department id.
    pub department: String,
    /// Priority.
    pub priority: String,
    /// Only overdue ones.
    pub overdue: bool,
    /// Named area.
    pub area: String,
    /// The Gemeinde (AGS) of an Amt.
    pub gemeinde: String,
    /// Text search.
    pub q: String,
    /// Sort key.
    pub sort: String,
    /// Page, from 1.
    pub page: u32,
}

/// The open statuses (the inbox's default view).
pub const OPEN: &str = "received,assigned,in_progress";

impl Default for Filters {
    fn default() -> Self {
        Self {
            status: OPEN.into(),
            category: String::new(),
            department: String::new(),
            priority: String::new(),
            overdue: false,
            area: String::new(),
            gemeinde: String::new(),
            q: String::new(),
            sort: "received_at".into(),
            page: 1,
        }
    }
}

impl Filters {
    /// The query string of the staff API (without paging when `paged` is false).
    pub fn query(&self, paged: bool) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: &str| {
            if !v.is_empty() {
                parts.push(format!("{k}={}", encode(v)));
            }
        };
        add("status", &self.status);
        add("category", &self.category);
        add("department", &self.department);
        add("priority", &self.priority);
        add("area", &self.area);
        add("gemeinde", &self.gemeinde);
        add("q", self.q.trim());
        add("sort", &self.sort);
        if self.overdue {
            parts.push("overdue=true".into());
        }
        if paged {
            parts.push(format!("page={}&page_size={PAGE_SIZE}", self.page.max(1)));
        }
        parts.join("&")
    }
}

/// The inbox page.
#[component]
pub fn Inbox() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let filters = console.filters;
    let refs = console.refs;
    let sees_all = api.session.with_untracked(|s| s.as_ref().is_some_and(|s| s.sees_all()));
    let result: RwSignal<Option<ResultPage<StaffReportSummary>>> = RwSignal::new(None);
    let counts: RwSignal<Vec<(Status, u64)>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let loading = RwSignal::new(false);
    // Answers to an older filter state are dropped: the newest request wins.
    let generation = StoredValue::new(0u64);

    Effect::new(move |_| {
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
            {filter_bar(filters, refs, search_text)}
            <ErrorAlert error=error.into() />
            <div class="inbox-results" aria-busy=move || loading.get().to_string()>
                {move || { let r = refs.get(); result.get().map(|p| inbox_table(&r, p)) }}
                {move || result.get().map(|p| pager(filters, p))}
            </div>
        </div>
    }
}

/// Changes a filter and goes back to the first page.
fn set_filter(filters: RwSignal<Filters>, f: fn(&mut Filters, String), value: String) {
    filters.update(|x| {
        f(x, value);
        x.page = 1;
    });
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

/// The text search, the selects and the "overdue" switch.
fn filter_bar(filters: RwSignal<Filters>, refs: RwSignal<Refs>, search_text: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let set = move |f: fn(&mut Filters, String), value: String| set_filter(filters, f, value);
    let category_options = move || {
        let lang = i18n.lang();
        refs.with(|r| {
            let mut out = vec![(String::new(), i18n.t("c-any"))];
            for top in &r.tree.categories {
                out.push((top.id.to_string(), lang.choose(&top.de, &top.en).to_owned()));
                for sub in &top.subcategories {
                    out.push((sub.id.to_string(), format!("– {}", lang.choose(&sub.de, &sub.en))));
                }
            }
            out
        })
    };
    let department_options = move || {
        refs.with(|r| {
            let mut out = vec![(String::new(), i18n.t("c-any"))];
            out.extend(r.departments.iter().map(|d| (d.id.to_string(), d.name.clone())));
            out
        })
    };
    let area_options = move || {
        refs.with(|r| {
            let mut out = vec![(String::new(), i18n.t("c-any"))];
            out.extend(r.areas.iter().map(|a| (a.id.to_string(), a.name.clone())));
            out
        })
    };
    let gemeinde_options = move || refs.with(|r| super::gemeinde::options(r, i18n.t("c-any")));
    let priority_options = move || {
        let mut out = vec![(String::new(), i18n.t("c-any"))];
        out.extend(
            PRIORITIES
                .iter()
                .rev()
                .map(|p| (p.as_str().to_owned(), i18n.t(priority_key(*p)))),
        );
        out
    };
    let sort_options = move || {
        vec![
            ("received_at".to_owned(), i18n.t("c-sort-received")),
            ("due_at".to_owned(), i18n.t("c-sort-due")),
            ("priority".to_owned(), i18n.t("c-sort-priority")),
            ("updated_at".to_owned(), i18n.t("c-sort-updated")),
        ]
    };
    let select = move |id: &'static str,
                       label: &'static str,
                       get: fn(&Filters) -> String,
                       put: fn(&mut Filters, String),
                       options: Box<dyn Fn() -> Vec<(String, String)> + Send + Sync>| {
        view! {
            <div class="kern-form-input filter">
                <label class="kern-label kern-label--small" for=id>{move || i18n.t(label)}</label>
                <div class="kern-form-input__select-wrapper">
                    <select class="kern-form-input__select" id=id data-testid=id
                        on:change=move |ev| set(put, event_target_value(&ev))>
                        {move || {
                            let current = filters.with(get);
                            options().into_iter().map(|(v, t)| {
                                let selected = v == current;
                                view! { <option value=v selected=selected>{t}</option> }
                            }).collect_view()
                        }}
                    </select>
                </div>
            </div>
        }
    };
    view! {
    <section class="filters" aria-label=move || i18n.t("c-filters")>
        <form class="filters__search filter filter--wide" role="search" on:submit=move |ev: web_sys::SubmitEvent| {
            ev.prevent_default();
            set(|f, v| f.q = v, search_text.get_untracked());
        }>
            <div class="kern-form-input">
                <label class="kern-label kern-label--small" for="filter-q">{move || i18n.t("c-filter-text")}</label>
                <div class="search-box">
                    <input class="kern-form-input__input" id="filter-q" type="search" data-testid="filter-q"
                        prop:value=move || search_text.get() on:input=move |ev| search_text.set(event_target_value(&ev)) />
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="filter-search">
                        <span class="kern-icon kern-icon--search" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-search")}</span>
                    </button>
                </div>
            </div>
        </form>
        {select("filter-category", "c-filter-category", |f| f.category.clone(), |f, v| f.category = v, Box::new(category_options))}
        {select("filter-department", "c-filter-department", |f| f.department.clone(), |f, v| f.department = v, Box::new(department_options))}
        {select("filter-priority", "c-filter-priority", |f| f.priority.clone(), |f, v| f.priority = v, Box::new(priority_options))}
        {move || refs.with(|r| r.is_amt()).then(|| select("filter-gemeinde", "c-filter-gemeinde",
            |f| f.gemeinde.clone(), |f, v| f.gemeinde = v, Box::new(gemeinde_options)))}
        {select("filter-area", "c-filter-area", |f| f.area.clone(), |f, v| f.area = v, Box::new(area_options))}
        {select("filter-sort", "c-filter-sort", |f| f.sort.clone(), |f, v| f.sort = v, Box::new(sort_options))}
        <div class="filters__end">
            <div class="kern-form-check">
                <input class="kern-form-check__checkbox" type="checkbox" id="filter-overdue" data-testid="filter-overdue"
                    prop:checked=move || filters.with(|f| f.overdue)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        filters.update(|f| { f.overdue = on; f.page = 1; });
                    } />
                <label class="kern-label" for="filter-overdue">{move || i18n.t("c-filter-overdue")}</label>
            </div>
            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="filter-reset"
                on:click=move |_| { search_text.set(String::new()); filters.set(Filters::default()); }>
                <span class="kern-label">{move || i18n.t("c-filter-reset")}</span>
            </button>
        </div>
    </section>    }
}

/// One page of the list as a table (or "nothing found").
fn inbox_table(r: &Refs, p: ResultPage<StaffReportSummary>) -> AnyView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    if p.items.is_empty() {
        return view! {
            <div class="console-empty" data-testid="inbox-empty">
                <p class="kern-body">{i18n.t("c-inbox-empty")}</p>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="kern-table-responsive">
            <table class="kern-table kern-table--small inbox-table" data-testid="inbox-table">
                <caption class="kern-sr-only">{i18n.t("c-inbox-caption")}</caption>
                <thead>
                    <tr class="kern-table__row">
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-report")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-place")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-status")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-priority")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-responsible")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-received")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-due")}</th>
                    </tr>
                </thead>
                <tbody class="kern-table__body">
                    {p.items.into_iter().map(|s| {
                        let rep = s.report;
                        let id = rep.id.to_string();
                        let short: String = id.chars().take(8).collect();
                        let href = Page::Case(id.clone()).href();
                        let place = rep.address_hint.clone()
                            .unwrap_or_else(|| format::coordinates(rep.location.lat, rep.location.lon));
                        // An Amt's reports name their Gemeinde first.
                        let gemeinde = r.is_amt().then(|| r.gemeinde_name(rep.gemeinde.as_str()));
                        let who = match (&rep.department, &rep.assignee) {
                            (_, Some(u)) => r.user_name(&u.to_string()),
                            (Some(d), None) => r.department_name(d.as_str()),
                            (None, None) => "—".into(),
                        };
                        let dept = rep.assignee.and(rep.department.as_ref()).map(|d| r.department_name(d.as_str()));
                        let forwarded = rep.forwarded_to.as_ref().map(|a| r.authority_name(a.as_str()));
                        let category = r.category_name(lang, rep.category.as_str());
                        let overdue = s.overdue;
                        view! {
                            <tr class="kern-table__row inbox-row" class:inbox-row--overdue=overdue
                                data-testid="inbox-row" data-id=id.clone() data-status=rep.status.as_str()
                                data-overdue=overdue.to_string()>
                                <td class="kern-table__cell">
                                    <a class="kern-link inbox-row__title" href=href data-testid="inbox-open">{category}</a>
                                    <span class="inbox-row__meta inbox-row__narrow">
                                        {gemeinde.clone().map(|g| format!("{g} · "))}{place.clone()}</span>
                                    <span class="inbox-row__meta">"#"{short}
                                        {(!rep.description.is_empty()).then(|| format!(" · {}", ellipsis(&rep.description, 70)))}</span>
                                </td>
                                <td class="kern-table__cell">
                                    {gemeinde.map(|g| view! {
                                        <strong class="inbox-row__gemeinde" data-testid="inbox-gemeinde"
                                            data-ags=rep.gemeinde.to_string()>{g}</strong>
                                        <br />
                                    })}
                                    {place}
                                </td>
                                <td class="kern-table__cell">{status_badge(rep.status)}</td>
                                <td class="kern-table__cell"><PriorityBadge priority=rep.priority /></td>
                                <td class="kern-table__cell">{who}
                                    {dept.map(|d| view! { <span class="inbox-row__meta">{d}</span> })}
                                    {forwarded.map(|a| view! { <span class="inbox-row__meta">"→ "{a}</span> })}</td>
                                <td class="kern-table__cell inbox-row__date">{format::date_time(lang, rep.received_at)}</td>
                                <td class="kern-table__cell inbox-row__date">
                                    {rep.due_at.map(|d| format::date_time(lang, d)).unwrap_or_else(|| "—".into())}
                                    {overdue.then(|| overdue_badge(i18n))}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The total and the page buttons.
fn pager(filters: RwSignal<Filters>, p: ResultPage<StaffReportSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let pages = p.total.div_ceil(u64::from(PAGE_SIZE)).max(1);
    let page = u64::from(p.page);
    view! {
        <nav class="pager" aria-label=i18n.t("c-pager-label")>
            <p class="kern-body kern-body--small" data-testid="inbox-total" data-total=p.total.to_string()>
                {i18n.t_args("c-inbox-total", &[("count", (p.total as f64).into()), ("page", (page as f64).into()), ("pages", (pages as f64).into())])}
            </p>
            <div class="pager__buttons">
                <button type="button" class="kern-btn kern-btn--secondary kern-btn--x-small" disabled={page <= 1}
                    on:click=move |_| filters.update(|f| f.page = f.page.saturating_sub(1).max(1))>
                    <span class="kern-icon kern-icon--chevron-left" aria-hidden="true"></span>
                    <span class="kern-label">{i18n.t("c-pager-previous")}</span>
                </button>
                <button type="button" class="kern-btn kern-btn--secondary kern-btn--x-small" disabled={page >= pages}
                    data-testid="pager-next" on:click=move |_| filters.update(|f| f.page += 1)>
                    <span class="kern-label">{i18n.t("c-pager-next")}</span>
                    <span class="kern-icon kern-icon--chevron-right" aria-hidden="true"></span>
                </button>
            </div>
        </nav>
    }
}

/// The first `max` characters of a text, with an ellipsis when cut.
pub fn ellipsis(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
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
