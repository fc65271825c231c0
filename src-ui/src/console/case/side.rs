//! The case page's side column: change the status, the handling (category, department,
//! assignee, priority), what the public map shows of the report, and how the rules
//! routed it.

use leptos::prelude::*;

use augenmerk_domain::Status;
use augenmerk_domain::staff::StaffReportDetail;

use super::Case;
use super::text::{leaf_options, routing_view, select_field};
use crate::console::Refs;
use crate::console::widgets::{PRIORITIES, priority_key};
use crate::format;
use crate::i18n::use_i18n;

/// The next status, with a public comment, an authority to forward to or the report this one duplicates.
pub(super) fn transition_card(case: Case, d: &StaffReportDetail) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let Case {
        target,
        forward_to,
        duplicate_of,
        comment,
        nearby,
        busy,
        refs,
        ..
    } = case;
    let next: Vec<Status> = d.report.status.next().to_vec();
    view! {
        <section class="console-card" aria-labelledby="case-transition-h">
            <h2 class="console-card__title" id="case-transition-h">{i18n.t("c-case-transition")}</h2>
            {if next.is_empty() {
                view! { <p class="kern-body kern-body--small">{i18n.t("c-case-final")}</p> }.into_any()
            } else {
                view! {
                    <form on:submit=move |ev| case.transition(ev) data-testid="case-transition-form">
                        <div class="kern-form-input">
                            <label class="kern-label" for="case-to">{i18n.t("c-case-new-status")}</label>
                            <div class="kern-form-input__select-wrapper">
                                <select class="kern-form-input__select" id="case-to" data-testid="case-to"
                                    prop:value=move || target.get()
                                    on:change=move |ev| target.set(event_target_value(&ev))>
                                    <option value="">{i18n.t("c-choose")}</option>
                                    {next.iter().map(|s| view! {
                                        <option value=s.as_str()>{lang.pick(&s.label()).to_owned()}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                        </div>
                        {move || (target.get() == "forwarded").then(|| {
                            let authorities = refs.with(|r| r.settings.as_ref().map(|s| s.authorities.clone()).unwrap_or_default());
                            view! {
                                <div class="kern-form-input">
                                    <label class="kern-label" for="case-forward">{i18n.t("c-case-forward-to")}</label>
                                    <div class="kern-form-input__select-wrapper">
                                        <select class="kern-form-input__select" id="case-forward" data-testid="case-forward"
                                            on:change=move |ev| forward_to.set(event_target_value(&ev))>
                                            <option value="">{i18n.t("c-choose")}</option>
                                            {authorities.into_iter().map(|a| view! { <option value=a.id.to_string()>{a.name}</option> }).collect_view()}
                                        </select>
                                    </div>
                                </div>
                            }
                        })}
                        {move || (target.get() == "duplicate").then(|| view! {
                            <fieldset class="kern-fieldset">
                                <legend class="kern-label">{i18n.t("c-case-duplicate-of")}</legend>
                                <div class="kern-fieldset__body">
                                    {nearby.get().into_iter().map(|n| {
                                        let nid = n.report.id.to_string();
                                        let rid = format!("dup-{nid}");
                                        let label = format!("#{} · {} · {}", nid.chars().take(8).collect::<String>(),
                                            lang.pick(&n.report.status.label()), format::date_time(lang, n.report.received_at));
                                        view! {
                                            <div class="kern-form-check">
                                                <input class="kern-form-check__radio" type="radio" name="dup" id=rid.clone()
                                                    data-testid="case-duplicate-candidate" value=nid.clone()
                                                    on:change=move |_| duplicate_of.set(nid.clone()) />
                                                <label class="kern-label" for=rid>{label}</label>
                                            </div>
                                        }
                                    }).collect_view()}
                                    {nearby.with(Vec::is_empty).then(|| view! { <p class="kern-hint">{i18n.t("c-case-no-nearby")}</p> })}
                                    <div class="kern-form-input">
                                        <label class="kern-label" for="case-duplicate-id">{i18n.t("c-case-duplicate-id")}</label>
                                        <input class="kern-form-input__input" id="case-duplicate-id" data-testid="case-duplicate-id"
                                            prop:value=move || duplicate_of.get() on:input=move |ev| duplicate_of.set(event_target_value(&ev)) />
                                    </div>
                                </div>
                            </fieldset>
                        })}
                        <div class="kern-form-input">
                            <label class="kern-label" for="case-comment">{i18n.t("c-case-public-comment")}</label>
                            <p class="kern-hint" id="case-comment-hint">{i18n.t("c-case-public-comment-hint")}</p>
                            <textarea class="kern-form-input__input" id="case-comment" data-testid="case-comment" rows="3"
                                aria-describedby="case-comment-hint"
                                prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                        </div>
                        <button type="submit" class="kern-btn kern-btn--primary kern-btn--block" data-testid="case-transition-submit"
                            disabled=move || busy.get() || target.get().is_empty()>
                            <span class="kern-label">{i18n.t("c-case-transition-submit")}</span>
                        </button>
                    </form>
                }.into_any()
            }}
        </section>
    }
}

/// Category, department, assignee and priority; re-routing by the rules.
pub(super) fn handling_card(case: Case, d: &StaffReportDetail, rf: &Refs) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let r = d.report.clone();
    let Case {
        category,
        department,
        assignee,
        priority,
        reroute,
        busy,
        ..
    } = case;
    view! {
        <section class="console-card" aria-labelledby="case-handling-h">
            <h2 class="console-card__title" id="case-handling-h">{i18n.t("c-case-handling")}</h2>
            <form on:submit=move |ev| case.update_handling(ev) data-testid="case-handling-form">
                {select_field("case-category", i18n.t("c-filter-category"), category, leaf_options(rf, lang, Some(r.category.as_str())))}
                {select_field("case-department", i18n.t("c-filter-department"),  department,
                    std::iter::once((String::new(), "—".to_owned())).chain(rf.departments.iter().map(|d| (d.id.to_string(), d.name.clone()))).collect())}
                {select_field("case-assignee", i18n.t("c-case-assignee"), assignee,
                    std::iter::once((String::new(), "—".to_owned())).chain(rf.users.iter().filter(|u| u.active).map(|u| (u.id.to_string(), u.display_name.clone()))).collect())}
                {select_field("case-priority", i18n.t("c-col-priority"), priority,
                    PRIORITIES.iter().map(|p| (p.as_str().to_owned(), i18n.t(priority_key(*p)))).collect())}
                <div class="kern-form-check">
                    <input class="kern-form-check__checkbox" type="checkbox" id="case-reroute" data-testid="case-reroute"
                        prop:checked=move || reroute.get() on:change=move |ev| reroute.set(event_target_checked(&ev)) />
                    <label class="kern-label" for="case-reroute">{i18n.t("c-case-reroute")}</label>
                </div>
                <button type="submit" class="kern-btn kern-btn--secondary kern-btn--block" data-testid="case-handling-submit"
                    disabled=move || busy.get()>
                    <span class="kern-label">{i18n.t("c-save")}</span>
                </button>
            </form>
        </section>
    }
}

/// What the public map shows of the report. Both are off until staff decide otherwise:
/// the map rounds positions to the municipality's grid and withholds the citizen's words,
/// which may name people or licence plates. The approval alone publishes nothing where
/// the municipality does not publish text or photos (configuration).
pub(super) fn publication_card(case: Case) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let Case {
        exact, approved, busy, ..
    } = case;
    view! {
        <section class="console-card" aria-labelledby="case-publication-h" data-testid="case-publication">
            <h2 class="console-card__title" id="case-publication-h">{i18n.t("c-case-publication")}</h2>
            <form on:submit=move |ev| case.save_publication(ev) data-testid="case-publication-form">
                <div class="kern-form-check">
                    <input class="kern-form-check__checkbox" type="checkbox" id="case-publication-exact"
                        data-testid="case-publication-exact" aria-describedby="case-publication-exact-hint"
                        prop:checked=move || exact.get() on:change=move |ev| exact.set(event_target_checked(&ev)) />
                    <label class="kern-label" for="case-publication-exact">{i18n.t("c-case-publication-exact")}</label>
                </div>
                <p class="kern-hint" id="case-publication-exact-hint">{i18n.t("c-case-publication-exact-hint")}</p>
                <div class="kern-form-check">
                    <input class="kern-form-check__checkbox" type="checkbox" id="case-publication-approved"
                        data-testid="case-publication-approved" aria-describedby="case-publication-approved-hint"
                        prop:checked=move || approved.get() on:change=move |ev| approved.set(event_target_checked(&ev)) />
                    <label class="kern-label" for="case-publication-approved">{i18n.t("c-case-publication-approved")}</label>
                </div>
                <p class="kern-hint" id="case-publication-approved-hint">{i18n.t("c-case-publication-approved-hint")}</p>
                <button type="submit" class="kern-btn kern-btn--secondary kern-btn--block" data-testid="case-publication-submit"
                    disabled=move || busy.get()>
                    <span class="kern-label">{i18n.t("c-save")}</span>
                </button>
            </form>
        </section>
    }
}

/// How the rules routed the report, and why.
pub(super) fn routing_card(d: &StaffReportDetail, rf: &Refs) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let lang = i18n.lang();
    view! {
        <section class="console-card" aria-labelledby="case-routing-h" data-testid="case-routing">
            <h2 class="console-card__title" id="case-routing-h">{i18n.t("c-case-routing")}</h2>
            {routing_view(rf, lang, i18n, d)}
        </section>
    }
}
