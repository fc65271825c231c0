//! The SLA view on the statistics page: the open cases of each department now, per open
//! status, and how many are overdue. Every count opens the inbox with the matching
//! filter, through the route (`#/console/?department=…&status=…`) so that the link can be
//! bookmarked and opened in a new tab.

use leptos::prelude::*;

use augenmerk_domain::overview::DepartmentWorkload;

use super::api::use_api;
use super::inbox::{Filters, OPEN};
use super::use_console;
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::i18n::use_i18n;
use crate::route::Route;

/// The inbox filtered to a department's open cases (`status`: one status, or all open
/// ones), only overdue ones if `overdue`.
pub fn inbox_filter(department: &str, status: Option<&str>, overdue: bool) -> Filters {
    Filters {
        department: department.to_owned(),
        status: status.unwrap_or(OPEN).to_owned(),
        overdue,
        ..Filters::default()
    }
}

/// The link to the inbox with these filters.
pub fn inbox_href(filters: &Filters) -> String {
    Route::Console(format!("?{}", filters.query(false))).href()
}

/// Open and overdue cases per department, now.
#[component]
pub fn DepartmentWorkloadCard() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let rows: RwSignal<Option<Vec<DepartmentWorkload>>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    leptos::task::spawn_local(async move {
        match api.department_workload().await {
            Ok(list) => rows.set(Some(list)),
            Err(e) => error.set(Some(e)),
        }
    });

    // A count that opens the inbox filtered; the filter is set here too, so the inbox
    // shows it whether or not it reads the route.
    let link = move |filters: Filters, text: String, label: String, testid: &'static str| {
        let href = inbox_href(&filters);
        view! {
            <a class="kern-link" href=href data-testid=testid aria-label=label
                on:click=move |_| console.filters.set(filters.clone())>{text}</a>
        }
    };

    let table = move || {
        let lang = i18n.lang();
        let list = rows.get()?;
        if list.is_empty() {
            return Some(
                view! { <p class="kern-body kern-body--small console-muted" data-testid="workload-empty">{i18n.t("c-workload-none")}</p> }
                    .into_any(),
            );
        }
        let statuses: Vec<augenmerk_domain::Status> = list
            .first()
            .map(|w| w.by_status.iter().map(|(s, _)| *s).collect())
            .unwrap_or_default();
        Some(view! {
            <div class="kern-table-responsive">
                <table class="kern-table kern-table--small" data-testid="workload-table">
                    <caption class="kern-sr-only">{i18n.t("c-workload-title")}</caption>
                    <thead><tr class="kern-table__row">
                        <th class="kern-table__header" scope="col">{i18n.t("c-workload-department")}</th>
                        {statuses.iter().map(|s| view! {
                            <th class="kern-table__header kern-table__header--numeric" scope="col">{lang.pick(&s.label()).to_owned()}</th>
                        }).collect_view()}
                        <th class="kern-table__header kern-table__header--numeric" scope="col">{i18n.t("c-workload-open")}</th>
                        <th class="kern-table__header kern-table__header--numeric" scope="col">{i18n.t("c-workload-overdue")}</th>
                    </tr></thead>
                    <tbody class="kern-table__body">
                        {list.into_iter().map(|w| {
                            let name = match &w.department {
                                Some(_) => w.name.clone(),
                                None => i18n.t("c-workload-unrouted"),
                            };
                            let dep = w.department.clone().unwrap_or_default();
                            // Cases routed to no department cannot be filtered for in the inbox.
                            let linked = w.department.is_some();
                            let cell = move |filters: Filters, n: u64, label: String, testid: &'static str| {
                                if linked && n > 0 {
                                    link(filters, n.to_string(), label, testid).into_any()
                                } else {
                                    view! { <span data-testid=testid>{n.to_string()}</span> }.into_any()
                                }
                            };
                            let late = w.overdue > 0;
                            view! {
                                <tr class="kern-table__row" class:workload-row--overdue=late
                                    data-testid="workload-row" data-department=dep.clone()>
                                    <th class="kern-table__cell" scope="row">{name.clone()}</th>
                                    {w.by_status.iter().map(|(s, n)| {
                                        let label = i18n.t_args("c-workload-status-label", &[
                                            ("department", name.clone().into()),
                                            ("status", lang.pick(&s.label()).to_owned().into()),
                                            ("count", (*n as f64).into()),
                                        ]);
                                        view! {
                                            <td class="kern-table__cell kern-table__cell--numeric" data-status=s.as_str()>
                                                {cell(inbox_filter(&dep, Some(s.as_str()), false), *n, label, "workload-status")}
                                            </td>
                                        }
                                    }).collect_view()}
                                    <td class="kern-table__cell kern-table__cell--numeric">
                                        {cell(inbox_filter(&dep, None, false), w.open,
                                            i18n.t_args("c-workload-open-label", &[("department", name.clone().into()), ("count", (w.open as f64).into())]),
                                            "workload-open")}
                                    </td>
                                    <td class="kern-table__cell kern-table__cell--numeric">
                                        {(w.overdue > 0).then(|| view! {
                                            <span class="kern-icon kern-icon--warning kern-icon--small workload-warning" aria-hidden="true"></span>
                                        })}
                                        {cell(inbox_filter(&dep, None, true), w.overdue,
                                            i18n.t_args("c-workload-overdue-label", &[("department", name.clone().into()), ("count", (w.overdue as f64).into())]),
                                            "workload-overdue")}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }.into_any())
    };

    view! {
        <section class="console-card" aria-labelledby="workload-h" data-testid="workload">
            <h2 class="console-card__title" id="workload-h">{move || i18n.t("c-workload-title")}</h2>
            <p class="kern-hint">{move || i18n.t("c-workload-hint")}</p>
            <ErrorAlert error=error.into() />
            {table}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The link itself (`inbox_href`) encodes through the browser, so it is checked by the
    // console test (`tests/tests/console/platform.rs`); here the filters it carries.
    #[test]
    fn a_count_filters_the_inbox_by_department_status_and_overdue() {
        let f = inbox_filter("bauhof", None, true);
        assert_eq!(
            (f.department.as_str(), f.status.as_str(), f.overdue),
            ("bauhof", OPEN, true)
        );
        let f = inbox_filter("bauhof", Some("assigned"), false);
        assert_eq!((f.status.as_str(), f.overdue, f.page), ("assigned", false, 1));
    }
}
