//! The field worker's start: log in, then the assigned cases on the device, as a list and
//! on the map, sorted by due date and distance.

use leptos::prelude::*;

use augenmerk_domain::device::LocalCase;
use augenmerk_domain::staff::StaffUser;

use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::format;
use crate::i18n::use_i18n;
use crate::map;
use crate::route::Route;
use crate::shell::use_ctx;

const MAP_ID: &str = "cases-map";

/// Orders cases: overdue and soonest due first, then the nearest.
pub fn sort_cases(cases: &mut [LocalCase], here: Option<(f64, f64)>) {
    let distance = |c: &LocalCase| {
        here.map(|h| format::distance_m(h, (c.detail.report.location.lat, c.detail.report.location.lon)))
            .unwrap_or(0.0)
    };
    cases.sort_by(|a, b| {
        let due = |c: &LocalCase| c.detail.report.due_at.map(|d| d.timestamp()).unwrap_or(i64::MAX);
        due(a).cmp(&due(b)).then(distance(a).total_cmp(&distance(b)))
    });
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
fn Login(on_login: Callback<StaffUser>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let municipality = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let backend = ctx.backend.clone();
        let m = Some(municipality.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        let (u, p) = (username.get_untracked(), password.get_untracked());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = backend.login(m, u.trim(), &p).await;
            busy.set(false);
            match result {
                Ok(user) => {
                    password.set(String::new());
                    on_login.run(user);
                    let _ = backend.sync_now().await;
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="page page--narrow">
            <h1 class="kern-heading-large">{move || i18n.t("field-login-title")}</h1>
            <p class="kern-body">{move || i18n.t("field-login-lead")}</p>
            <ErrorAlert error=error.into() />
            <form class="login" on:submit=submit>
                <div class="kern-form-input">
                    <label class="kern-label" for="login-municipality">{move || i18n.t("login-municipality")}</label>
                    <input id="login-municipality" class="kern-form-input__input kern-form-input__input--width-4"
                        inputmode="numeric" autocomplete="organization" data-testid="login-municipality"
                        on:input=move |ev| municipality.set(event_target_value(&ev)) />
                    <p class="kern-hint">{move || i18n.t("login-municipality-help")}</p>
                </div>
                <div class="kern-form-input">
                    <label class="kern-label" for="login-username">{move || i18n.t("login-username")}</label>
                    <input id="login-username" class="kern-form-input__input" autocomplete="username" required
                        data-testid="login-username" on:input=move |ev| username.set(event_target_value(&ev)) />
                </div>
                <div class="kern-form-input">
                    <label class="kern-label" for="login-password">{move || i18n.t("login-password")}</label>
                    <input id="login-password" class="kern-form-input__input" type="password" required
                        autocomplete="current-password" data-testid="login-password"
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                </div>
                <button type="submit" class="kern-btn kern-btn--primary" data-testid="login-submit" disabled=move || busy.get()>
                    <span class="kern-label">{move || i18n.t("login-submit")}</span>
                </button>
            </form>
        </div>
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
    let sorted = Memo::new(move |_| {
        let mut list = cases.get().unwrap_or_default();
        sort_cases(&mut list, here.get());
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
                    <ul class="report-list">
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
    let distance = here.map(|h| format::distance_m(h, (r.location.lat, r.location.lon)));
    let status = c.local_status;
    view! {
        <li class="report-item kern-card kern-card--interactive" class:report-item--overdue=overdue
            data-testid="case-item" data-report-id=r.id.to_string() data-status=status.as_str()>
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
                <p class="kern-body kern-body--small kern-body--muted">
                    {move || due.map(|d| format!("{} {}", i18n.t("due"), format::date_time(i18n.lang(), d))).unwrap_or_default()}
                    {move || distance.map(|d| format!(" · {}", format::distance(i18n.lang(), d))).unwrap_or_default()}
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
