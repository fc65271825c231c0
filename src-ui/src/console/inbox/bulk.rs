//! The bulk bar: what to do with the selected reports (assign, change the status with one
//! public comment, set the priority), and afterwards which reports it changed and which
//! it did not, with the reason each time. The server applies the action per report as
//! the case page would and audits each.

use leptos::prelude::*;

use augenmerk_domain::triage::{BulkAction, BulkRequest, BulkResponse};
use augenmerk_domain::{DepartmentId, Priority, ReportId, Status, UserId};

use super::super::api::use_api;
use super::super::keys::{Triage, focus};
use super::super::use_console;
use super::super::widgets::{PRIORITIES, priority_key};
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::i18n::use_i18n;

/// Which action the bar prepares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Assign,
    Status,
    Priority,
}

impl Kind {
    fn parse(s: &str) -> Kind {
        match s {
            "status" => Kind::Status,
            "priority" => Kind::Priority,
            _ => Kind::Assign,
        }
    }
}

/// The fields of the bar, turned into an action (none when it would change nothing).
fn action(kind: Kind, department: &str, assignee: &str, to: &str, comment: &str, priority: &str) -> Option<BulkAction> {
    match kind {
        Kind::Assign => {
            let department = DepartmentId::parse(department).ok();
            let assignee = assignee.parse::<UserId>().ok();
            (department.is_some() || assignee.is_some()).then_some(BulkAction::Assign {
                department,
                assignee,
                clear_assignee: false,
            })
        }
        Kind::Status => Status::parse(to).map(|to| BulkAction::Status {
            to,
            public_comment: (!comment.trim().is_empty()).then(|| comment.trim().to_owned()),
        }),
        Kind::Priority => PRIORITIES
            .into_iter()
            .find(|p: &Priority| p.as_str() == priority)
            .map(|priority| BulkAction::Priority { priority }),
    }
}

/// The bar above the table while reports are selected; `reload` is bumped after an action.
#[component]
pub fn BulkBar(triage: Triage, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let refs = use_console().refs;
    let kind = RwSignal::new(Kind::Assign);
    let department = RwSignal::new(String::new());
    let assignee = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let outcome: RwSignal<Option<BulkResponse>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);

    // `a` in the inbox: prepare "assign" and give the person field the focus.
    Effect::new(move |first: Option<()>| {
        triage.assign.track();
        if first.is_some() {
            kind.set(Kind::Assign);
            set_timeout(|| focus("#bulk-assignee"), std::time::Duration::from_millis(50));
        }
    });

    let apply = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(action) = action(
            kind.get_untracked(),
            &department.get_untracked(),
            &assignee.get_untracked(),
            &to.get_untracked(),
            &comment.get_untracked(),
            &priority.get_untracked(),
        ) else {
            error.set(Some(UiError::new(i18n.t("c-bulk-nothing"), i18n.t("c-bulk-nothing"))));
            return;
        };
        let ids: Vec<ReportId> = triage
            .selected
            .with_untracked(|s| s.iter().filter_map(|id| id.parse().ok()).collect());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = api.bulk(&BulkRequest { ids, action }).await;
            busy.set(false);
            match answer {
                Ok(r) => {
                    error.set(None);
                    // What worked leaves the selection; what failed stays selected.
                    triage.selected.update(|s| {
                        for o in r.results.iter().filter(|o| o.ok) {
                            s.remove(&o.id.to_string());
                        }
                    });
                    outcome.set(Some(r));
                    comment.set(String::new());
                    reload.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    let option = |value: String, label: String, current: String| {
        let selected = value == current;
        view! { <option value=value selected=selected>{label}</option> }
    };
    let fields = move || {
        match kind.get() {
        Kind::Assign => view! {
            <div class="kern-form-input filter">
                <label class="kern-label kern-label--small" for="bulk-department">{i18n.t("c-filter-department")}</label>
                <div class="kern-form-input__select-wrapper">
                    <select class="kern-form-input__select" id="bulk-department" data-testid="bulk-department"
                        on:change=move |ev| department.set(event_target_value(&ev))>
                        {option(String::new(), i18n.t("c-bulk-unchanged"), department.get_untracked())}
                        {refs.with(|r| r.departments.iter()
                            .map(|d| option(d.id.to_string(), d.name.clone(), department.get_untracked()))
                            .collect_view())}
                    </select>
                </div>
            </div>
            <div class="kern-form-input filter">
                <label class="kern-label kern-label--small" for="bulk-assignee">{i18n.t("c-case-assignee")}</label>
                <div class="kern-form-input__select-wrapper">
                    <select class="kern-form-input__select" id="bulk-assignee" data-testid="bulk-assignee"
                        on:change=move |ev| assignee.set(event_target_value(&ev))>
                        {option(String::new(), i18n.t("c-bulk-unchanged"), assignee.get_untracked())}
                        {refs.with(|r| r.users.iter().filter(|u| u.active)
                            .map(|u| option(u.id.to_string(), u.display_name.clone(), assignee.get_untracked()))
                            .collect_view())}
                    </select>
                </div>
            </div>
        }
        .into_any(),
        Kind::Status => view! {
            <div class="kern-form-input filter">
                <label class="kern-label kern-label--small" for="bulk-status">{i18n.t("c-bulk-new-status")}</label>
                <div class="kern-form-input__select-wrapper">
                    <select class="kern-form-input__select" id="bulk-status" data-testid="bulk-status"
                        on:change=move |ev| to.set(event_target_value(&ev))>
                        {option(String::new(), i18n.t("c-bulk-choose"), to.get_untracked())}
                        {Status::ALL.iter().filter(|s| !s.needs_target() && **s != Status::Received)
                            .map(|s| option(s.as_str().to_owned(), i18n.lang().pick(&s.label()).to_owned(), to.get_untracked()))
                            .collect_view()}
                    </select>
                </div>
            </div>
            <div class="kern-form-input filter filter--wide">
                <label class="kern-label kern-label--small" for="bulk-comment">{i18n.t("c-bulk-public-comment")}</label>
                <textarea class="kern-form-input__input" id="bulk-comment" data-testid="bulk-comment" rows="2"
                    prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
            </div>
        }
        .into_any(),
        Kind::Priority => view! {
            <div class="kern-form-input filter">
                <label class="kern-label kern-label--small" for="bulk-priority">{i18n.t("c-filter-priority")}</label>
                <div class="kern-form-input__select-wrapper">
                    <select class="kern-form-input__select" id="bulk-priority" data-testid="bulk-priority"
                        on:change=move |ev| priority.set(event_target_value(&ev))>
                        {option(String::new(), i18n.t("c-bulk-choose"), priority.get_untracked())}
                        {PRIORITIES.iter().rev()
                            .map(|p| option(p.as_str().to_owned(), i18n.t(priority_key(*p)), priority.get_untracked()))
                            .collect_view()}
                    </select>
                </div>
            </div>
        }
        .into_any(),
    }
    };

    view! {
        {move || outcome.get().map(|r| bulk_outcome(r, outcome))}
        <ErrorAlert error=error.into() />
        <Show when=move || triage.selected.with(|s| !s.is_empty())>
            <form class="bulk-bar" data-testid="bulk-bar" on:submit=apply aria-label=move || i18n.t("c-bulk-title")>
                <p class="bulk-bar__count" data-testid="bulk-count" role="status">
                    {move || i18n.t_args("c-bulk-selected", &[("count", (triage.selected.with(|s| s.len()) as f64).into())])}
                </p>
                <div class="kern-form-input filter">
                    <label class="kern-label kern-label--small" for="bulk-kind">{move || i18n.t("c-bulk-action")}</label>
                    <div class="kern-form-input__select-wrapper">
                        <select class="kern-form-input__select" id="bulk-kind" data-testid="bulk-kind"
                            on:change=move |ev| kind.set(Kind::parse(&event_target_value(&ev)))>
                            <option value="assign" selected=move || kind.get() == Kind::Assign>{move || i18n.t("c-bulk-assign")}</option>
                            <option value="status" selected=move || kind.get() == Kind::Status>{move || i18n.t("c-bulk-status")}</option>
                            <option value="priority" selected=move || kind.get() == Kind::Priority>{move || i18n.t("c-bulk-priority")}</option>
                        </select>
                    </div>
                </div>
                {fields}
                <div class="bulk-bar__buttons">
                    <button type="submit" class="kern-btn kern-btn--primary kern-btn--small" data-testid="bulk-apply"
                        disabled=move || busy.get()>
                        <span class="kern-label">{move || i18n.t("c-bulk-apply")}</span>
                    </button>
                    <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="bulk-clear"
                        on:click=move |_| triage.selected.update(|s| s.clear())>
                        <span class="kern-label">{move || i18n.t("c-bulk-clear")}</span>
                    </button>
                </div>
            </form>
        </Show>
    }
}

/// What the last bulk action did: all applied, or which failed and why.
fn bulk_outcome(r: BulkResponse, outcome: RwSignal<Option<BulkResponse>>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let all = u64::from(r.succeeded + r.failed) as f64;
    let class = if r.failed == 0 {
        "kern-alert kern-alert--success"
    } else {
        "kern-alert kern-alert--warning"
    };
    let failures: Vec<_> = r.results.into_iter().filter(|o| !o.ok).collect();
    view! {
        <div class=class role="status" data-testid="bulk-outcome" data-failed=r.failed.to_string()>
            <div class="kern-alert__header">
                <span class="kern-title">
                    {i18n.t_args("c-bulk-done", &[("done", f64::from(r.succeeded).into()), ("count", all.into())])}
                </span>
            </div>
            {(!failures.is_empty()).then(|| view! {
                <div class="kern-alert__body">
                    <p class="kern-body">{i18n.t("c-bulk-failed-intro")}</p>
                    <ul class="bulk-failures">
                        {failures.into_iter().map(|o| {
                            let short: String = o.id.to_string().chars().take(8).collect();
                            let why = o.error.map(|e| lang.pick(&e.message).to_owned()).unwrap_or_default();
                            view! {
                                <li data-testid="bulk-failure" data-id=o.id.to_string()>
                                    <a class="kern-link" href=super::super::Page::Case(o.id.to_string()).href()>"#"{short}</a>
                                    ": "{why}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            })}
            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" data-testid="bulk-outcome-close"
                on:click=move |_| outcome.set(None)>
                <span class="kern-label">{i18n.t("c-bulk-outcome-close")}</span>
            </button>
        </div>
    }
}
