//! The citizen's reports and the reports they follow: status, whether something changed
//! since the last look.

use leptos::prelude::*;

use augenmerk_domain::device::{LocalFollowed, LocalReport, SyncState};

use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::components::status::StatusBadge;
use crate::format;
use crate::i18n::use_i18n;
use crate::route::Route;
use crate::shell::use_ctx;

/// The list of the citizen's reports.
#[component]
pub fn MyReports() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let reports: RwSignal<Option<Vec<LocalReport>>> = RwSignal::new(None);
    let followed: RwSignal<Vec<LocalFollowed>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let backend = ctx.backend.clone();
    let load = move || {
        let backend = backend.clone();
        leptos::task::spawn_local(async move {
            match backend.reports().await {
                Ok(list) => {
                    error.set(None);
                    reports.set(Some(list));
                }
                Err(e) => error.set(Some(e)),
            }
            // Followed reports are a bonus: without the network the web page has none to show.
            if let Ok(list) = backend.followed_reports().await {
                let news = list.iter().any(|f| f.unseen);
                let shown: Vec<_> = list.iter().map(|f| f.report.id).collect();
                followed.set(list);
                // Shown now with their "new" marks; the next look starts from here.
                if news {
                    let _ = backend.mark_followed_seen(&shown).await;
                }
            }
        });
    };
    let unfollow = {
        let backend = ctx.backend.clone();
        move |id: String| {
            let backend = backend.clone();
            leptos::task::spawn_local(async move {
                match backend.unfollow_report(&id).await {
                    Ok(()) => followed.update(|l| l.retain(|f| f.report.id.to_string() != id)),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    load();
    // Reload when the background sync brought something.
    crate::shell::reload_after_sync(ctx.sync, load);

    let list = move || {
        match reports.get() {
        None => view! { <p class="kern-body" role="status">{move || i18n.t("loading")}</p> }.into_any(),
        Some(list) if list.is_empty() => view! {
            <div class="empty kern-card kern-card--surface" data-testid="my-reports-empty">
                <div class="kern-card__body">
                    <p class="kern-body">{move || i18n.t("my-reports-empty")}</p>
                    <a class="kern-btn kern-btn--primary" href="#/"><span class="kern-label">{move || i18n.t("nav-report")}</span></a>
                </div>
            </div>
        }
        .into_any(),
        Some(list) => view! {
            <ul class="report-list">
                {list.into_iter().map(report_item).collect_view()}
            </ul>
        }
        .into_any(),
    }
    };
    let followed_view = move || {
        let list = followed.get();
        let unfollow = unfollow.clone();
        (!list.is_empty()).then(|| {
            view! {
                <section class="followed" aria-labelledby="followed-heading" data-testid="followed">
                    <h2 class="kern-heading-medium" id="followed-heading">{move || i18n.t("followed-title")}</h2>
                    <p class="kern-body kern-body--small kern-body--muted">{move || i18n.t("followed-lead")}</p>
                    <ul class="report-list">
                        {list.into_iter().map(|f| followed_item(f, unfollow.clone())).collect_view()}
                    </ul>
                </section>
            }
        })
    };
    view! {
        <div class="page">
            <h1 class="kern-heading-large">{move || i18n.t("my-reports-title")}</h1>
            <ErrorAlert error=error.into() />
            {list}
            {followed_view}
            <p class="kern-body my-data-link">
                <span class="kern-icon kern-icon--account-circle kern-icon--small" aria-hidden="true"></span>
                <a class="kern-link" href=Route::MyData.href() data-testid="my-data-link">{move || i18n.t("my-reports-my-data")}</a>
            </p>
        </div>
    }
}

/// Someone else's report the citizen follows: category, status and its latest public
/// comment; no link, since there is nothing more to see of it.
fn followed_item(f: LocalFollowed, unfollow: impl Fn(String) + Clone + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let r = f.report;
    let id = r.id.to_string();
    let id_attr = id.clone();
    let status = r.status;
    let created = r.created_at;
    let last = r.history.last().cloned();
    let unseen = f.unseen;
    let title = r.category_name.clone();
    let place = r.municipality_name.clone();
    view! {
        <li class="report-item kern-card" data-testid="followed-item" data-report-id=id_attr
            data-status=status.as_str()>
            <div class="kern-card__body">
                <div class="report-item__head">
                    <span class="report-item__title kern-title">{title}</span>
                    <StatusBadge status=Some(status) sync_state=SyncState::Sent />
                    <UnseenBadge unseen=unseen />
                </div>
                <p class="kern-body kern-body--small kern-body--muted">
                    {place}" · "{move || i18n.t_args("followed-reported", &[("date", format::date_time(i18n.lang(), created).into())])}
                </p>
                {last.map(|h| {
                    let comment = h.comment.clone();
                    view! {
                        <p class="kern-body kern-body--small" data-testid="followed-last">
                            {move || i18n.t_args("followed-last-change", &[
                                ("status", i18n.lang().pick(&h.to.label()).to_owned().into()),
                                ("date", format::date_time(i18n.lang(), h.at).into()),
                            ])}
                            {comment.map(|c| view! { <br /><q>{c}</q> })}
                        </p>
                    }
                })}
                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="unfollow"
                    on:click=move |_| unfollow(id.clone())>
                    <span class="kern-label">{move || i18n.t("unfollow")}</span>
                </button>
            </div>
        </li>
    }
}

fn report_item(r: LocalReport) -> impl IntoView {
    let i18n = use_i18n();
    let href = Route::Report(r.id.to_string()).href();
    let status = r.status.map(|s| s.as_str()).unwrap_or("");
    let sync_state = match r.sync_state {
        SyncState::Queued => "queued",
        SyncState::Sent => "sent",
        SyncState::Rejected => "rejected",
    };
    let title = r
        .category_name
        .clone()
        .unwrap_or_else(|| r.category.as_str().to_owned());
    let description = r.description.chars().take(140).collect::<String>();
    let created = r.created_at;
    let unseen = r.unseen;
    // A refusal is explained (the detail page shows the server's own answer and the way
    // on); a failed attempt to reach the server is not news (the badge says "waiting for
    // network" and the app tries again).
    let error = (r.sync_state == SyncState::Rejected)
        .then(|| super::report_detail::refusal_text_key(r.last_error.as_deref().unwrap_or_default()));
    view! {
        <li class="report-item kern-card kern-card--interactive" data-testid="report-item"
            data-report-id=r.id.to_string() data-status=status data-sync-state=sync_state>
            <div class="kern-card__body">
                <div class="report-item__head">
                    <a class="kern-link kern-link--stretched report-item__title" href=href>{title}</a>
                    <StatusBadge status=r.status sync_state=r.sync_state mailed_to=r.mailed_to.clone() />
                    <UnseenBadge unseen=unseen />
                </div>
                <p class="kern-body kern-body--small kern-body--muted">
                    {move || format::date_time(i18n.lang(), created)}
                    {r.place_name.clone().map(|p| view! { " · "<span data-testid="report-place">{p}</span> })}
                </p>
                <p class="kern-body kern-body--small">{description.clone()}</p>
                {error.map(|key| view! { <p class="kern-error" data-testid="refused-note">{move || i18n.t(key)}</p> })}
            </div>
        </li>
    }
}

/// "New" beside a report that changed since the user last looked.
#[component]
fn UnseenBadge(unseen: bool) -> impl IntoView {
    let i18n = use_i18n();
    unseen.then(|| {
        view! {
            <span class="kern-badge kern-badge--info" data-testid="unseen">
                <span class="kern-label kern-label--small">{move || i18n.t("changed-since-last-look")}</span>
            </span>
        }
    })
}
