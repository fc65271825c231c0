//! Duplicates on the case page: the suggestion panel (likely duplicates near the case,
//! ranked by the server, with a photo, and "Zusammenführen" after a confirmation), the
//! count of reports the case stands for ("3 Meldungen") and the merged reports' photos.
//! The earlier of two reports stays the original ([`merge_roles`]).

use leptos::prelude::*;

use augenmerk_domain::duplicates::{MergeRequest, merge_roles};
use augenmerk_domain::staff::{StaffReportDetail, StaffReportSummary};

use super::Case;
use crate::console::Page;
use crate::console::widgets::status_badge;
use crate::format;
use crate::i18n::use_i18n;

/// The panel's own state: suggestions with their first photo's URL, the one awaiting
/// confirmation.
#[derive(Clone, Copy)]
pub(super) struct Suggestions {
    items: RwSignal<Vec<(StaffReportSummary, Option<String>)>>,
    confirming: RwSignal<Option<String>>,
}

impl Suggestions {
    pub(super) fn new() -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            confirming: RwSignal::new(None),
        }
    }

    /// Loads the suggestions for the case and then their first photos.
    pub(super) fn load(self, case: Case) {
        let id = case.id.get_value();
        let api = case.api;
        leptos::task::spawn_local(async move {
            let Ok(found) = api.duplicate_suggestions(&id).await else {
                return;
            };
            let hashes: Vec<(String, Option<String>)> = found
                .iter()
                .map(|s| {
                    (
                        s.report.id.to_string(),
                        s.report.photos.first().map(|h| h.as_str().to_owned()),
                    )
                })
                .collect();
            self.items.set(found.into_iter().map(|s| (s, None)).collect());
            for (rid, hash) in hashes {
                let Some(hash) = hash else { continue };
                if let Ok(url) = api.photo_url(&hash).await {
                    self.items.update(|items| {
                        if let Some(slot) = items.iter_mut().find(|(s, _)| s.report.id.to_string() == rid) {
                            slot.1 = Some(url);
                        }
                    });
                }
            }
        });
    }
}

/// Merges the later of the case and `other` into the earlier one, then reloads the case.
fn merge_with(case: Case, panel: Suggestions, other: StaffReportSummary) {
    let Some(detail) = case.detail.get_untracked() else {
        return;
    };
    let (duplicate, original) = merge_roles(&detail.report, &other.report);
    let (duplicate, into) = (duplicate.id.to_string(), original.id);
    let request = MergeRequest { into, template: None };
    case.busy.set(true);
    leptos::task::spawn_local(async move {
        let result = case.api.merge_report(&duplicate, &request).await.map(|_| ());
        panel.confirming.set(None);
        if result.is_ok() {
            panel.load(case);
        }
        case.done(result, "c-dup-merged");
    });
}

/// The suggestion panel (for a case that is no duplicate itself).
pub(super) fn suggestions_card(case: Case, panel: Suggestions, d: &StaffReportDetail) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let here = d.report.location;
    let is_duplicate = d.report.duplicate_of.is_some();
    let Suggestions { items, confirming } = panel;
    let busy = case.busy;
    // Only those who see every case merge (the server refuses others too).
    let may_merge = case
        .api
        .session
        .with_untracked(|s| s.as_ref().is_some_and(|s| s.user.role.sees_all_reports()));
    view! {
        <section class="console-card" aria-labelledby="case-dups-h" data-testid="dup-panel">
            <h2 class="console-card__title" id="case-dups-h">{i18n.t("c-dup-title")}</h2>
            {if is_duplicate {
                view! { <p class="kern-body kern-body--small">{i18n.t("c-dup-is-duplicate")}</p> }.into_any()
            } else {
                view! {
                    <p class="kern-hint">{i18n.t("c-dup-hint")}</p>
                    {move || items.with(Vec::is_empty).then(|| view! {
                        <p class="kern-body kern-body--small console-muted" data-testid="dup-none">{i18n.t("c-dup-none")}</p>
                    })}
                    <ul class="dup-list">
                        {move || items.get().into_iter().map(|(s, photo)| {
                            let rid = s.report.id.to_string();
                            let short: String = rid.chars().take(8).collect();
                            let metres = here.distance_m(&s.report.location).round();
                            let asking = {
                                let rid = rid.clone();
                                move || confirming.get().as_deref() == Some(rid.as_str())
                            };
                            let ask = {
                                let rid = rid.clone();
                                move |_: web_sys::MouseEvent| confirming.set(Some(rid.clone()))
                            };
                            let summary = s.clone();
                            view! {
                                <li class="dup-item" data-testid="dup-suggestion" data-id=rid.clone()>
                                    {match photo {
                                        Some(u) => view! { <img class="dup-item__photo" src=u
                                            alt=i18n.t_args("c-dup-photo-alt", &[("number", short.clone().into())]) /> }.into_any(),
                                        None => view! { <span class="dup-item__photo dup-item__photo--none" aria-hidden="true"></span> }.into_any(),
                                    }}
                                    <div class="dup-item__text">
                                        <p class="kern-body kern-body--small kern-body--bold">
                                            <a class="kern-link" href=Page::Case(rid.clone()).href()>"#"{short.clone()}" · "{s.category_name.clone()}</a></p>
                                        <p class="kern-body kern-body--small">
                                            {i18n.t_args("c-dup-distance", &[("metres", metres.into())])}" · "
                                            {format::date_time(lang, s.report.received_at)}" · "{status_badge(s.report.status)}</p>
                                        {move || if !may_merge {
                                            ().into_any()
                                        } else if asking() {
                                            let summary = summary.clone();
                                            view! {
                                                <div class="dup-confirm" role="group" aria-label=i18n.t("c-dup-confirm-label")>
                                                    <p class="kern-body kern-body--small">{i18n.t("c-dup-confirm")}</p>
                                                    <button type="button" class="kern-btn kern-btn--primary" data-testid="dup-merge-confirm"
                                                        disabled=move || busy.get()
                                                        on:click=move |_| merge_with(case, panel, summary.clone())>
                                                        <span class="kern-label">{i18n.t("c-dup-merge-yes")}</span>
                                                    </button>" "
                                                    <button type="button" class="kern-btn kern-btn--secondary" data-testid="dup-merge-cancel"
                                                        on:click=move |_| confirming.set(None)>
                                                        <span class="kern-label">{i18n.t("c-dup-cancel")}</span>
                                                    </button>
                                                </div>
                                            }.into_any()
                                        } else {
                                            let ask = ask.clone();
                                            view! {
                                                <button type="button" class="kern-btn kern-btn--secondary" data-testid="dup-merge"
                                                    on:click=ask>
                                                    <span class="kern-label">{i18n.t("c-dup-merge")}</span>
                                                </button>
                                            }.into_any()
                                        }}
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// "3 Meldungen": the case and the reports merged into it (none shown for one).
pub(super) fn count_badge(d: &StaffReportDetail) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let count = d.merged.len() + 1;
    (count > 1).then(|| {
        view! {
            <span class="kern-badge kern-badge--info" data-testid="case-report-count" data-count=count.to_string()>
                {i18n.t_args("c-dup-count", &[("count", (count as f64).into())])}
            </span>
        }
    })
}

/// The reports merged into the case: links and their photos.
pub(super) fn merged_view(case: Case, d: &StaffReportDetail) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let merged = d.merged.clone();
    let api = case.api;
    (!merged.is_empty()).then(|| {
        view! {
            <h3 class="console-card__subtitle">{i18n.t("c-dup-merged-title")}</h3>
            <ul class="dup-merged" data-testid="case-merged">
                {merged.into_iter().map(|m| {
                    let rid = m.id.to_string();
                    let short: String = rid.chars().take(8).collect();
                    let urls = RwSignal::new(Vec::<String>::new());
                    for h in m.photos.iter().map(|h| h.as_str().to_owned()) {
                        leptos::task::spawn_local(async move {
                            if let Ok(url) = api.photo_url(&h).await {
                                urls.update(|u| u.push(url));
                            }
                        });
                    }
                    view! {
                        <li data-testid="case-merged-report" data-id=rid.clone()>
                            <p class="kern-body kern-body--small">
                                <a class="kern-link" href=Page::Case(rid.clone()).href()>"#"{short.clone()}</a>" · "
                                {format::date_time(lang, m.received_at)}</p>
                            <ul class="case-photos">
                                {move || urls.get().into_iter().enumerate().map(|(i, u)| {
                                    let link = u.clone();
                                    let alt = i18n.t_args("c-dup-merged-photo-alt",
                                        &[("number", ((i + 1) as f64).into()), ("report", short.clone().into())]);
                                    view! { <li data-testid="case-merged-photo"><a href=link target="_blank" rel="noopener"><img src=u alt=alt /></a></li> }
                                }).collect_view()}
                            </ul>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    })
}
