//! Statistics over a period: reports per status, category, department and (for an Amt)
//! Gemeinde, median hours to the first response and to resolution, overdue now; the
//! open and overdue cases per department now (`workload`); the inbox's CSV export.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use leptos::prelude::*;

use augenmerk_domain::staff::{KeyCount, Statistics};

use super::api::{encode, use_api};
use super::inbox::download;
use super::use_console;
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::i18n::{Lang, use_i18n};

fn day_start(day: &str) -> Option<chrono::DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    Berlin
        .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn hours(lang: Lang, h: Option<f64>) -> String {
    match h {
        None => "—".into(),
        Some(h) if h < 48.0 => {
            let s = format!("{h:.1} h");
            if lang == Lang::De { s.replace('.', ",") } else { s }
        }
        Some(h) => {
            let s = format!("{:.1} d", h / 24.0);
            match lang {
                Lang::De => s.replace('.', ",").replace(" d", " Tage"),
                Lang::En => s.replace(" d", " days"),
            }
        }
    }
}

/// The statistics page.
#[component]
pub fn StatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let today = Utc::now().with_timezone(&Berlin).date_naive();
    let from = RwSignal::new((today - Duration::days(30)).format("%Y-%m-%d").to_string());
    let to = RwSignal::new(today.format("%Y-%m-%d").to_string());
    let stats: RwSignal<Option<Statistics>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);

    let load = move || {
        let (Some(f), Some(t)) = (day_start(&from.get_untracked()), day_start(&to.get_untracked())) else {
            error.set(Some(UiError::localized("c-e-valid-date")));
            return;
        };
        // The end day counts in full.
        let t = t + Duration::days(1) - Duration::seconds(1);
        leptos::task::spawn_local(async move {
            match api.statistics(&f.to_rfc3339(), &t.to_rfc3339()).await {
                Ok(s) => {
                    error.set(None);
                    stats.set(Some(s));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();

    let export = move |_| {
        let (f, t) = (day_start(&from.get_untracked()), day_start(&to.get_untracked()));
        let mut query = console.filters.with_untracked(|x| x.query(false));
        if let (Some(f), Some(t)) = (f, t) {
            let t = t + Duration::days(1) - Duration::seconds(1);
            query.push_str(&format!(
                "&received_from={}&received_to={}",
                encode(&f.to_rfc3339()),
                encode(&t.to_rfc3339())
            ));
        }
        let lang = i18n.lang().tag();
        leptos::task::spawn_local(async move {
            match api.reports_csv(&query, lang).await {
                Ok(url) => download(&url, "meldungen.csv"),
                Err(e) => error.set(Some(e)),
            }
        });
    };

    let table = move |title: String, testid: &'static str, rows: Vec<(String, u64)>, total: u64| {
        let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
        view! {
            <section class="console-card" aria-label=title.clone()>
                <h2 class="console-card__title">{title.clone()}</h2>
                <table class="kern-table kern-table--small stats-table" data-testid=testid>
                    <thead><tr class="kern-table__row">
                        <th class="kern-table__header" scope="col">{i18n.t("c-stats-key")}</th>
                        <th class="kern-table__header kern-table__header--numeric" scope="col">{i18n.t("c-stats-count")}</th>
                        <th class="kern-table__header" scope="col"><span class="kern-sr-only">{i18n.t("c-stats-share")}</span></th>
                    </tr></thead>
                    <tbody class="kern-table__body">
                        {rows.into_iter().map(|(k, n)| {
                            let width = format!("width: {:.1}%", n as f64 * 100.0 / max as f64);
                            let share = if total > 0 { format!("{:.0} %", n as f64 * 100.0 / total as f64) } else { "—".into() };
                            view! {
                                <tr class="kern-table__row">
                                    <td class="kern-table__cell">{k}</td>
                                    <td class="kern-table__cell kern-table__cell--numeric">{n.to_string()}</td>
                                    <td class="kern-table__cell stats-bar-cell">
                                        <span class="stats-bar" aria-hidden="true"><span class="stats-bar__fill" style=width></span></span>
                                        <span class="stats-bar__share">{share}</span>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        }
    };

    let body = move || {
        let lang = i18n.lang();
        let refs = console.refs.get();
        stats.get().map(|s| {
            let by_status: Vec<(String, u64)> =
                s.by_status.iter().map(|(st, n)| (lang.pick(&st.label()).to_owned(), *n)).collect();
            let named = |list: &[KeyCount], category: bool| -> Vec<(String, u64)> {
                list.iter()
                    .map(|k| {
                        let name = match (&k.key, category) {
                            (Some(key), true) => refs.category_name(lang, key),
                            (Some(_), false) => k.name.clone(),
                            (None, _) => i18n.t("c-nobody"),
                        };
                        (name, k.count)
                    })
                    .collect()
            };
            let by_category = named(&s.by_category, true);
            let by_department = named(&s.by_department, false);
            // One Gemeinde (an amtsfreie Gemeinde's own) says nothing the total does not.
            let by_gemeinde: Vec<(String, u64)> = s
                .by_gemeinde
                .iter()
                .map(|k| {
                    let name = match &k.key {
                        _ if !k.name.is_empty() => k.name.clone(),
                        Some(key) => refs.gemeinde_name(key),
                        None => "—".into(),
                    };
                    (name, k.count)
                })
                .collect();
            let gemeinde_table = (by_gemeinde.len() > 1)
                .then(|| table(i18n.t("c-stats-by-gemeinde"), "stats-gemeinde", by_gemeinde, s.total));
            view! {
                <div class="kpis" data-testid="stats-kpis">
                    <div class="kpi"><span class="kpi__value" data-testid="stats-total">{s.total.to_string()}</span>
                        <span class="kpi__label">{i18n.t("c-stats-total")}</span></div>
                    <div class="kpi kpi--danger"><span class="kpi__value" data-testid="stats-overdue">{s.overdue.to_string()}</span>
                        <span class="kpi__label">{i18n.t("c-stats-overdue")}</span></div>
                    <div class="kpi"><span class="kpi__value">{hours(lang, s.median_first_response_hours)}</span>
                        <span class="kpi__label">{i18n.t("c-stats-first-response")}</span></div>
                    <div class="kpi"><span class="kpi__value">{hours(lang, s.median_resolution_hours)}</span>
                        <span class="kpi__label">{i18n.t("c-stats-resolution")}</span></div>
                </div>
                <div class="stats-grid">
                    {table(i18n.t("c-stats-by-status"), "stats-status", by_status, s.total)}
                    {table(i18n.t("c-stats-by-category"), "stats-category", by_category, s.total)}
                    {table(i18n.t("c-stats-by-department"), "stats-department", by_department, s.total)}
                    {gemeinde_table}
                </div>
            }
        })
    };

    view! {
        <div class="console-page" data-testid="stats">
            <div class="console-page__head">
                <h1 class="kern-heading-large">{move || i18n.t("c-stats-title")}</h1>
            </div>
            <form class="filters filters__row" on:submit=move |ev: web_sys::SubmitEvent| { ev.prevent_default(); load(); }>
                <div class="kern-form-input filter">
                    <label class="kern-label kern-label--small" for="stats-from">{move || i18n.t("c-stats-from")}</label>
                    <input class="kern-form-input__input" type="date" id="stats-from" data-testid="stats-from"
                        prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
                </div>
                <div class="kern-form-input filter">
                    <label class="kern-label kern-label--small" for="stats-to">{move || i18n.t("c-stats-to")}</label>
                    <input class="kern-form-input__input" type="date" id="stats-to" data-testid="stats-to"
                        prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
                </div>
                <button type="submit" class="kern-btn kern-btn--primary kern-btn--small" data-testid="stats-apply">
                    <span class="kern-label">{move || i18n.t("c-stats-apply")}</span>
                </button>
                <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" on:click=export data-testid="stats-export">
                    <span class="kern-icon kern-icon--download" aria-hidden="true"></span>
                    <span class="kern-label">{move || i18n.t("c-export-csv")}</span>
                </button>
            </form>
            <p class="kern-hint">{move || i18n.t("c-stats-export-hint")}</p>
            <ErrorAlert error=error.into() />
            // Now, not over the period: the SLA view per department.
            <super::workload::DepartmentWorkloadCard />
            {body}
        </div>
    }
}
