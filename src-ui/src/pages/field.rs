//! The field worker's start: log in ([`login`]), then the assigned cases on the device, as
//! a list (with the address and the distance from here) and on the map, sorted by due date
//! or, on request, by distance.

use leptos::prelude::*;

use augenmerk_domain::device::LocalCase;
use augenmerk_domain::staff::StaffUser;

mod login;

use login::Login;

use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::format;
use crate::i18n::use_i18n;
use crate::map;
use crate::route::Route;
use crate::shell::use_ctx;

const MAP_ID: &str = "cases-map";

/// How the worker orders the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// Overdue and soonest due first, then the nearest (the default).
    Due,
    /// The nearest first (needs the device's position), then the soonest due.
    Distance,
}

impl SortBy {
    fn as_str(self) -> &'static str {
        match self {
            Self::Due => "due",
            Self::Distance => "distance",
        }
    }
}

/// Metres from `here` to the case, if the position is known.
fn distance_to(c: &LocalCase, here: Option<(f64, f64)>) -> Option<f64> {
    here.map(|h| format::distance_m(h, (c.detail.report.location.lat, c.detail.report.location.lon)))
}

/// The order of two cases given as (due, in ms since the epoch; `i64::MAX` for none,
/// metres away; 0 without a position).
fn compare(by: SortBy, (due_a, far_a): (i64, f64), (due_b, far_b): (i64, f64)) -> std::cmp::Ordering {
    match by {
        SortBy::Due => due_a.cmp(&due_b).then(far_a.total_cmp(&far_b)),
        SortBy::Distance => far_a.total_cmp(&far_b).then(due_a.cmp(&due_b)),
    }
}

/// Orders cases by due date or by distance from `here` (without a position, by due date).
pub fn sort_cases(cases: &mut [LocalCase], here: Option<(f64, f64)>, by: SortBy) {
    let key = |c: &LocalCase| {
        let due = c.detail.report.due_at.map(|d| d.timestamp_millis()).unwrap_or(i64::MAX);
        (due, distance_to(c, here).unwrap_or(0.0))
    };
    cases.sort_by(|a, b| compare(by, key(a), key(b)));
}

/// Login or the list of cases.
#[component]
pub fn Field() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let user: RwSignal<Option<Option<StaffUser>>> = RwSignal::new(None);
    let backend = ctx.backend.clone();
    leptos::task::spawn_local(async move {
        user.set(Some(backend.staff_user().await.ok().flatten()));
    });
    move || match user.get() {
        None => view! { <p class="kern-body" role="status">{move || i18n.t("loading")}</p> }.into_any(),
        Some(None) => view! { <Login on_login=Callback::new(move |u| user.set(Some(Some(u)))) /> }.into_any(),
        Some(Some(u)) => view! { <Cases user=u on_logout=Callback::new(move |_| user.set(Some(None))) /> }.into_any(),
    }
}

#[component]
fn Cases(user: StaffUser, on_logout: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let cases: RwSignal<Option<Vec<LocalCase>>> = RwSignal::new(None);
    let here: RwSignal<Option<(f64, f64)>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let backend = ctx.backend.clone();
    let load = move || {
        let backend = backend.clone();
        leptos::task::spawn_local(async move {
            match backend.cases().await {
                Ok(list) => cases.set(Some(list)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    crate::shell::reload_after_sync(ctx.sync, load.clone());
    // The worker's position, for the distance order (optional).
    leptos::task::spawn_local(async move {
        if let Ok(position) = crate::position::current().await {
            here.set(Some(position));
        }
    });
    let sort_by = RwSignal::new(SortBy::Due);
    let sorted = Memo::new(move |_| {
        let mut list = cases.get().unwrap_or_default();
        sort_cases(&mut list, here.get(), sort_by.get());
        list
    });
    let map_shown = RwSignal::new(false);
    {
        let ctx = ctx.clone();
        Effect::new(move |_| {
            let tiles = ctx.tiles();
            let points: Vec<map::Point> = sorted
                .get()
                .iter()
                .map(|c| map::Point {
                    lat: c.detail.report.location.lat,
                    lon: c.detail.report.location.lon,
                    label: c.detail.category_name.clone(),
                    href: Route::Case(c.detail.report.id.to_string()).href(),
                })
                .collect();
            map_shown.set(map::overview(MAP_ID, &tiles, &points));
        });
    }
    on_cleanup(|| map::remove(MAP_ID));
    let logout = {
        let backend = ctx.backend.clone();
        move |_| {
            let backend = backend.clone();
            leptos::task::spawn_local(async move {
                let _ = backend.logout().await;
                on_logout.run(());
            });
        }
    };
    let name = user.display_name.clone();
    view! {
        <div class="page">
            <div class="page-head">
                <h1 class="kern-heading-large">{move || i18n.t("cases-title")}</h1>
                <p class="kern-body kern-body--small">{move || i18n.t_args("logged-in-as", &[("name", name.clone().into())])}
                    " "<button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=logout
                        data-testid="logout"><span class="kern-label">{move || i18n.t("logout")}</span></button></p>
            </div>
            <ErrorAlert error=error.into() />
            <div id=MAP_ID class="map" class:map--hidden=move || !map_shown.get() role="region"
                aria-label=move || i18n.t("cases-map")></div>
            {move || match cases.get() {
                None => view! { <p role="status">{move || i18n.t("loading")}</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="kern-body">{move || i18n.t("cases-empty")}</p> }.into_any(),
                Some(_) => view! {
                    {sort_choice(sort_by, here)}
                    <ul class="report-list" data-testid="case-list" data-sort=move || sort_by.get().as_str()>
                        {move || sorted.get().into_iter().map(|c| case_item(c, here.get())).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </div>
    }
}

fn case_item(c: LocalCase, here: Option<(f64, f64)>) -> impl IntoView {
    let i18n = use_i18n();
    let r = &c.detail.report;
    let href = Route::Case(r.id.to_string()).href();
    let overdue = c.detail.overdue;
    let due = r.due_at;
    let conflicts = c.actions.iter().filter(|a| a.error.is_some()).count();
    let pending = c.actions.len() - conflicts;
    let distance = distance_to(&c, here);
    let status = c.local_status;
    // The citizen's address hint (from the address search or a tap on the map), else the
    // coordinates: where to go is the first thing a worker reads.
    let address = r
        .address_hint
        .clone()
        .unwrap_or_else(|| format::coordinates(r.location.lat, r.location.lon));
    view! {
        <li class="report-item kern-card kern-card--interactive" class:report-item--overdue=overdue
            data-testid="case-item" data-report-id=r.id.to_string() data-status=status.as_str()
            data-distance-m=distance.map(|d| format!("{d:.0}"))>
            <div class="kern-card__body">
                <div class="report-item__head">
                    <a class="kern-link kern-link--stretched report-item__title" href=href>{c.detail.category_name.clone()}</a>
                    <span class="kern-badge kern-badge--info"><span class="kern-label kern-label--small">
                        {move || i18n.lang().pick(&status.label()).to_owned()}</span></span>
                    <Show when=move || overdue>
                        <span class="kern-badge kern-badge--danger"><span class="kern-label kern-label--small">
                            {move || i18n.t("overdue")}</span></span>
                    </Show>
                </div>
                <p class="kern-body kern-body--small kern-body--bold" data-testid="case-address">
                    {address}
                    {distance.map(|d| view! {
                        " · "<span data-testid="case-distance">{move || i18n.t_args("case-distance", &[("distance", format::distance(i18n.lang(), d).into())])}</span>
                    })}
                </p>
                <p class="kern-body kern-body--small">
                    {move || due.map(|d| format!("{} {}", i18n.t("due"), format::date_time(i18n.lang(), d))).unwrap_or_default()}
                </p>
                <p class="kern-body kern-body--small">{r.description.chars().take(140).collect::<String>()}</p>
                <Show when=move || { pending + conflicts > 0 }>
                    <p class="kern-body kern-body--small">
                        {move || i18n.t_args("case-actions-summary", &[("pending", (pending as f64).into()), ("conflicts", (conflicts as f64).into())])}
                    </p>
                </Show>
            </div>
        </li>
    }
}

/// The order of the list: by due date, or by distance once the position is known.
fn sort_choice(sort_by: RwSignal<SortBy>, here: RwSignal<Option<(f64, f64)>>) -> impl IntoView {
    let i18n = use_i18n();
    let option = move |by: SortBy, key: &'static str| {
        let rid = format!("cases-sort-{}", by.as_str());
        view! {
            <div class="kern-form-check">
                <input class="kern-form-check__radio" type="radio" name="cases-sort" id=rid.clone()
                    value=by.as_str() data-testid="cases-sort"
                    disabled=move || by == SortBy::Distance && here.get().is_none()
                    prop:checked=move || sort_by.get() == by
                    on:change=move |_| sort_by.set(by) />
                <label class="kern-label" for=rid>{move || i18n.t(key)}</label>
            </div>
        }
    };
    view! {
        <fieldset class="kern-fieldset cases-sort">
            <legend class="kern-label">{move || i18n.t("cases-sort")}</legend>
            <div class="kern-fieldset__body kern-fieldset__body--horizontal">
                {option(SortBy::Due, "cases-sort-due")}
                {option(SortBy::Distance, "cases-sort-distance")}
            </div>
            <Show when=move || here.get().is_none()>
                <p class="kern-hint" data-testid="cases-no-position">{move || i18n.t("cases-no-position")}</p>
            </Show>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::{SortBy, compare};
    use std::cmp::Ordering::{Greater, Less};

    #[test]
    fn due_first_or_nearest_first() {
        let soon_far = (1_000, 4_000.0);
        let later_near = (2_000, 100.0);
        let undated_near = (i64::MAX, 50.0);
        assert_eq!(compare(SortBy::Due, soon_far, later_near), Less);
        assert_eq!(compare(SortBy::Distance, soon_far, later_near), Greater);
        assert_eq!(compare(SortBy::Due, later_near, undated_near), Less);
        assert_eq!(compare(SortBy::Distance, later_near, undated_near), Greater);
        // Equally due: the nearer first; equally far: the sooner first.
        assert_eq!(compare(SortBy::Due, (5, 10.0), (5, 20.0)), Less);
        assert_eq!(compare(SortBy::Distance, (5, 0.0), (9, 0.0)), Less);
    }
}
