//! One page of the inbox as a table: a checkbox per row and one for the page (the bulk
//! selection), a thumbnail of the first photo, the markers (overdue, citizen waiting for
//! an answer) as badges with text, and the pager.

use std::collections::BTreeSet;

use leptos::prelude::*;

use augenmerk_domain::staff::{Page as ResultPage, StaffReportSummary};

use super::super::api::use_api;
use super::super::keys::Triage;
use super::super::widgets::{PriorityBadge, overdue_badge, status_badge};
use super::super::{Page, Refs};
use super::filters::{Filters, PAGE_SIZE};
use crate::format;
use crate::i18n::use_i18n;

/// A photo's thumbnail, loaded with the session's token (the browser caches it).
#[component]
fn Thumbnail(hash: String) -> impl IntoView {
    let api = use_api();
    let url: RwSignal<Option<String>> = RwSignal::new(None);
    leptos::task::spawn_local(async move {
        if let Ok(u) = api.thumbnail(&hash).await {
            url.set(Some(u));
        }
    });
    on_cleanup(move || {
        if let Some(u) = url.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&u);
        }
    });
    // Decorative: the row's title names the case, the photo adds no text.
    view! {
        <span class="inbox-thumb" data-testid="inbox-thumb">
            {move || url.get().map(|u| view! { <img src=u alt="" width="64" height="48" loading="lazy" /> })}
        </span>
    }
}

/// "Select all on this page": checked when every row is.
fn select_all(triage: Triage, ids: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let all = {
        let ids = ids.clone();
        move || !ids.is_empty() && triage.selected.with(|s| ids.iter().all(|id| s.contains(id)))
    };
    view! {
        <input class="kern-form-check__checkbox inbox-check" type="checkbox" data-testid="inbox-select-all"
            aria-label=move || i18n.t("c-bulk-select-page") prop:checked=all
            on:change=move |ev| {
                let on = event_target_checked(&ev);
                triage.selected.update(|s| {
                    for id in &ids {
                        if on { s.insert(id.clone()); } else { s.remove(id); }
                    }
                });
            } />
    }
}

/// One page of the list as a table (or "nothing found").
pub fn inbox_table(r: &Refs, p: ResultPage<StaffReportSummary>, triage: Triage) -> AnyView {
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
    let ids: Vec<String> = p.items.iter().map(|s| s.report.id.to_string()).collect();
    view! {
        <div class="kern-table-responsive">
            <table class="kern-table kern-table--small inbox-table" data-testid="inbox-table">
                <caption class="kern-sr-only">{i18n.t("c-inbox-caption")}</caption>
                <thead>
                    <tr class="kern-table__row">
                        <th class="kern-table__header inbox-col--check" scope="col">{select_all(triage, ids)}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-report")}</th>
                        <th class="kern-table__header inbox-col--place" scope="col">{i18n.t("c-col-place")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-status")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-priority")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-responsible")}</th>
                        <th class="kern-table__header inbox-col--received" scope="col">{i18n.t("c-col-received")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-due")}</th>
                    </tr>
                </thead>
                <tbody class="kern-table__body">
                    {p.items.into_iter().enumerate().map(|(index, s)| {
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
                        let waiting = s.awaiting_reply_since;
                        let photo = rep.photos.first().map(ToString::to_string);
                        let check_id = id.clone();
                        let is_selected = |id: String| move || triage.selected.with(|sel| sel.contains(&id));
                        let selected = is_selected(id.clone());
                        let row_selected = is_selected(id.clone());
                        let cursor = move || triage.cursor.get() == Some(index);
                        let check_label = i18n.t_args("c-bulk-select-row", &[("report", category.clone().into())]);
                        view! {
                            <tr class="kern-table__row inbox-row" class:inbox-row--overdue=overdue
                                class:inbox-row--cursor=cursor class:inbox-row--selected=row_selected
                                data-testid="inbox-row" data-id=id.clone() data-status=rep.status.as_str()
                                data-overdue=overdue.to_string() data-awaiting=waiting.is_some().to_string()>
                                <td class="kern-table__cell inbox-col--check">
                                    <input class="kern-form-check__checkbox inbox-check" type="checkbox" data-testid="inbox-select"
                                        aria-label=check_label prop:checked=selected
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            let id = check_id.clone();
                                            triage.selected.update(|s: &mut BTreeSet<String>| {
                                                if on { s.insert(id); } else { s.remove(&id); }
                                            });
                                        } />
                                </td>
                                <td class="kern-table__cell">
                                    <div class="inbox-row__head">
                                        {photo.map(|h| view! { <Thumbnail hash=h /> })}
                                        <div>
                                            <a class="kern-link inbox-row__title" href=href data-testid="inbox-open"
                                                on:focus=move |_| triage.cursor.set(Some(index))>{category}</a>
                                            {(overdue || waiting.is_some()).then(|| view! {
                                                <span class="inbox-row__markers">
                                                    {overdue.then(|| overdue_badge(i18n))}
                                                    {waiting.map(|t| view! {
                                                        <span class="kern-badge kern-badge--info inbox-awaiting" data-testid="awaiting-badge"
                                                            title=i18n.t_args("c-awaiting-since", &[("time", format::date_time(lang, t).into())])>
                                                            <span class="kern-icon kern-icon--mail kern-icon--small" aria-hidden="true"></span>
                                                            <span class="kern-label kern-label--small">{i18n.t("c-awaiting-reply")}</span>
                                                        </span>
                                                    })}
                                                </span>
                                            })}
                                            <span class="inbox-row__meta inbox-row__narrow">
                                                {gemeinde.clone().map(|g| format!("{g} · "))}{place.clone()}</span>
                                            <span class="inbox-row__meta">"#"{short}
                                                {(!rep.description.is_empty()).then(|| format!(" · {}", ellipsis(&rep.description, 70)))}</span>
                                        </div>
                                    </div>
                                </td>
                                <td class="kern-table__cell inbox-col--place">
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
                                <td class="kern-table__cell inbox-row__date inbox-col--received">{format::date_time(lang, rep.received_at)}</td>
                                <td class="kern-table__cell inbox-row__date" class:inbox-row__due--overdue=overdue>
                                    {rep.due_at.map(|d| format::date_time(lang, d)).unwrap_or_else(|| "—".into())}
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
pub fn pager(filters: RwSignal<Filters>, p: ResultPage<StaffReportSummary>) -> impl IntoView {
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
