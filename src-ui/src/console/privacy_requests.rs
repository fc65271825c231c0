//! Erasure requests (Löschersuchen) for admins and data protection: a citizen's written
//! request names an e-mail address; the page lists the reports sent with it, erases their
//! personal data once a reference to the request is given, and shows the municipality's
//! erasure log (what was removed, when, why and by whom — never what it was).

use leptos::prelude::*;

use augenmerk_domain::error::FieldError;
use augenmerk_domain::privacy::{ErasureCandidate, ErasureLogEntry, ErasureReason, ErasureScope, StaffErasureRequest};

use super::api::use_api;
use super::widgets::{TextField, status_badge};
use super::{Page, use_console};
use crate::backend::UiError;
use crate::components::errors::{ErrorAlert, FieldProblem, field_anchor};
use crate::format;
use crate::i18n::use_i18n;

/// The Fluent key of what an erasure removed (also used by the case's audit trail).
pub fn scope_key(scope: ErasureScope) -> &'static str {
    match scope {
        ErasureScope::Contact => "c-erasure-scope-contact",
        ErasureScope::Content => "c-erasure-scope-content",
    }
}

/// The wire name and the Fluent key of why data was removed (also used by the case's
/// audit trail).
pub fn reason_key(reason: ErasureReason) -> (&'static str, &'static str) {
    match reason {
        ErasureReason::Retention => ("retention", "c-erasure-reason-retention"),
        ErasureReason::Withdrawal => ("withdrawal", "c-erasure-reason-withdrawal"),
        ErasureReason::CitizenRequest => ("citizen_request", "c-erasure-reason-citizen-request"),
        ErasureReason::EmailRequest => ("email_request", "c-erasure-reason-email-request"),
        ErasureReason::StaffRequest => ("staff_request", "c-erasure-reason-staff-request"),
    }
}

/// A problem the page finds itself (an empty field), with the field it belongs to.
fn local_problem(field: &str, problem: &str) -> UiError {
    let key = "c-erasure-check-fields";
    UiError {
        details: vec![FieldError::new(field, problem)],
        ..UiError::localized(key)
    }
}

/// The erasure page: search by address, erase with a reference, the log below.
#[component]
pub fn ErasurePage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    // Admins may open the reports; data protection sees no reports.
    let links = api.session.with_untracked(|s| s.as_ref().is_some_and(|s| s.is_admin()));
    let email = RwSignal::new(String::new());
    // The address the list belongs to: the erasure uses it, not whatever the field holds
    // after the search.
    let searched: RwSignal<Option<String>> = RwSignal::new(None);
    let candidates: RwSignal<Option<Vec<ErasureCandidate>>> = RwSignal::new(None);
    let reference = RwSignal::new(String::new());
    let done: RwSignal<Option<u32>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let problems = Signal::derive(move || error.with(|e| e.as_ref().map(|e| e.details.clone()).unwrap_or_default()));
    let log: RwSignal<Option<Vec<ErasureLogEntry>>> = RwSignal::new(None);
    let log_error: RwSignal<Option<UiError>> = RwSignal::new(None);

    let load_log = move || {
        leptos::task::spawn_local(async move {
            match api.erasure_log().await {
                Ok(entries) => {
                    log_error.set(None);
                    log.set(Some(entries));
                }
                Err(e) => log_error.set(Some(e)),
            }
        });
    };
    load_log();

    let search = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let address = email.get_untracked().trim().to_owned();
        done.set(None);
        if address.is_empty() {
            error.set(Some(local_problem("email", "required")));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api.erasure_candidates(&address).await {
                Ok(list) => {
                    error.set(None);
                    reference.set(String::new());
                    searched.set(Some(address));
                    candidates.set(Some(list));
                }
                Err(e) => {
                    searched.set(None);
                    candidates.set(None);
                    error.set(Some(e));
                }
            }
            busy.set(false);
        });
    };

    let erase = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(address) = searched.get_untracked() else {
            return;
        };
        let text = reference.get_untracked().trim().to_owned();
        if text.is_empty() {
            error.set(Some(local_problem("reference", "required")));
            return;
        }
        busy.set(true);
        let body = StaffErasureRequest {
            email: address,
            reference: text,
        };
        leptos::task::spawn_local(async move {
            match api.erase(&body).await {
                Ok(result) => {
                    error.set(None);
                    candidates.set(None);
                    searched.set(None);
                    email.set(String::new());
                    reference.set(String::new());
                    done.set(Some(result.reports));
                    load_log();
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };

    let candidate_list = move || {
        let list = candidates.get()?;
        let address = searched.get().unwrap_or_default();
        if list.is_empty() {
            return Some(
                view! {
                    <p class="console-empty" data-testid="erasure-none">
                        {i18n.t_args("c-erasure-none", &[("email", address.into())])}</p>
                }
                .into_any(),
            );
        }
        let lang = i18n.lang();
        let count = list.len();
        let rows = console.refs.with(|r| {
            list.iter()
                .map(|c| {
                    let id = c.id.to_string();
                    let short = format!("#{}", id.chars().take(8).collect::<String>());
                    let number = if links {
                        view! { <a class="kern-link" href=Page::Case(id.clone()).href()>{short}</a> }.into_any()
                    } else {
                        view! { <span>{short}</span> }.into_any()
                    };
                    view! {
                        <tr class="kern-table__row" data-testid="erasure-candidate" data-id=id.clone()>
                            <td class="kern-table__cell">{number}</td>
                            <td class="kern-table__cell">{r.category_name(lang, c.category.as_str())}</td>
                            <td class="kern-table__cell">{status_badge(c.status)}</td>
                            <td class="kern-table__cell">{format::date_time(lang, c.received_at)}</td>
                        </tr>
                    }
                })
                .collect_view()
        });
        Some(view! {
            <h3 class="console-card__subtitle">
                {i18n.t_args("c-erasure-found", &[("count", (count as f64).into()), ("email", address.into())])}</h3>
            <div class="kern-table-responsive">
                <table class="kern-table kern-table--small" data-testid="erasure-candidates">
                    <caption class="kern-sr-only">{i18n.t("c-erasure-candidates")}</caption>
                    <thead><tr class="kern-table__row">
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-report")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-erasure-col-category")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-status")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-col-received")}</th>
                    </tr></thead>
                    <tbody class="kern-table__body">{rows}</tbody>
                </table>
            </div>
            <form on:submit=erase novalidate data-testid="erasure-form">
                <div class="kern-alert kern-alert--warning" data-testid="erasure-warning">
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--warning" aria-hidden="true"></span>
                        <span class="kern-title">{i18n.t("c-erasure-warning-title")}</span>
                    </div>
                    <div class="kern-alert__body">
                        <p class="kern-body">{i18n.t_args("c-erasure-warning", &[("count", (count as f64).into())])}</p>
                    </div>
                </div>
                <TextField id="erasure-reference" label="c-erasure-reference" value=reference
                    hint="c-erasure-reference-hint" required=true />
                // The server's code for this field says "required, at most 200 characters".
                {move || problems.with(|ps| ps.iter().any(|p| p.field == "reference")).then(|| view! {
                    <p class="kern-error" id=format!("{}-error", field_anchor("reference")) role="alert">
                        <span class="kern-icon kern-icon--danger kern-icon--small" aria-hidden="true"></span>
                        <span>{i18n.t("c-erasure-problem-reference")}</span>
                    </p>
                })}
                <button type="submit" class="kern-btn kern-btn--primary" data-testid="erasure-confirm"
                    disabled=move || busy.get()>
                    <span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                    <span class="kern-label">{i18n.t_args("c-erasure-confirm", &[("count", (count as f64).into())])}</span>
                </button>
            </form>
        }.into_any())
    };

    view! {
        <div class="console-page" data-testid="erasure-page">
            <div class="console-page__head">
                <div>
                    <h1 class="kern-heading-large">{move || i18n.t("c-erasure-title")}</h1>
                    <p class="kern-body console-muted">{move || i18n.t("c-erasure-intro")}</p>
                </div>
            </div>
            <ErrorAlert error=error.into() />
            <div role="status" aria-live="polite" class="console-notice">
                {move || done.get().map(|n| view! {
                    <div class="kern-alert kern-alert--success" data-testid="erasure-done" data-count=n.to_string()>
                        <div class="kern-alert__header">
                            <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                            <span class="kern-title">{i18n.t_args("c-erasure-done", &[("count", f64::from(n).into())])}</span>
                        </div>
                    </div>
                })}
            </div>
            <section class="console-card" aria-labelledby="erasure-search-h">
                <h2 class="console-card__title" id="erasure-search-h">{move || i18n.t("c-erasure-search-title")}</h2>
                <form on:submit=search novalidate data-testid="erasure-search-form">
                    <TextField id="erasure-email" label="c-email" value=email input_type="email"
                        hint="c-erasure-email-hint" required=true />
                    <FieldProblem problems=problems field="email" />
                    <button type="submit" class="kern-btn kern-btn--secondary" data-testid="erasure-search"
                        disabled=move || busy.get()>
                        <span class="kern-icon kern-icon--search" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-erasure-search")}</span>
                    </button>
                </form>
                {candidate_list}
            </section>
            <section class="console-card" aria-labelledby="erasure-log-h">
                <h2 class="console-card__title" id="erasure-log-h">{move || i18n.t("c-erasure-log")}</h2>
                <p class="kern-hint">{move || i18n.t("c-erasure-log-hint")}</p>
                <ErrorAlert error=log_error.into() />
                <ErasureLog log=log />
            </section>
        </div>
    }
}

/// The erasure log as a table, newest first (as the server sends it).
#[component]
fn ErasureLog(log: RwSignal<Option<Vec<ErasureLogEntry>>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let entries = log.get()?;
        let lang = i18n.lang();
        if entries.is_empty() {
            return Some(
                view! { <p class="kern-body console-muted" data-testid="erasure-log-empty">{i18n.t("c-erasure-log-empty")}</p> }
                    .into_any(),
            );
        }
        let dash = || "—".to_owned();
        Some(view! {
            <div class="kern-table-responsive">
                <table class="kern-table kern-table--small" data-testid="erasure-log">
                    <caption class="kern-sr-only">{i18n.t("c-erasure-log")}</caption>
                    <thead><tr class="kern-table__row">
                        <th class="kern-table__header" scope="col">{i18n.t("c-erasure-col-date")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-erasure-col-reason")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-erasure-col-scope")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-erasure-col-staff")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-erasure-col-reference")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-erasure-col-reports")}</th>
                    </tr></thead>
                    <tbody class="kern-table__body">
                        {entries.into_iter().map(|e| {
                            let (reason, reason_label) = reason_key(e.reason);
                            let scope = match e.scope {
                                ErasureScope::Contact => "contact",
                                ErasureScope::Content => "content",
                            };
                            view! {
                                <tr class="kern-table__row" data-testid="erasure-log-row" data-reason=reason data-scope=scope>
                                    <td class="kern-table__cell">{format::date_time(lang, e.at)}</td>
                                    <td class="kern-table__cell">{i18n.t(reason_label)}</td>
                                    <td class="kern-table__cell">{i18n.t(scope_key(e.scope))}</td>
                                    <td class="kern-table__cell">{e.staff_name.unwrap_or_else(dash)}</td>
                                    <td class="kern-table__cell" data-testid="erasure-log-reference">{e.reference.unwrap_or_else(dash)}</td>
                                    <td class="kern-table__cell" data-testid="erasure-log-reports">{e.reports.to_string()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }.into_any())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// The keys are chosen at run time, out of the reach of the test that looks for the
    /// keys the code names.
    #[test]
    fn every_reason_and_scope_has_a_text_in_both_languages() {
        let reasons = [
            ErasureReason::Retention,
            ErasureReason::Withdrawal,
            ErasureReason::CitizenRequest,
            ErasureReason::EmailRequest,
            ErasureReason::StaffRequest,
        ];
        let keys = reasons
            .into_iter()
            .map(|r| reason_key(r).1)
            .chain([ErasureScope::Contact, ErasureScope::Content].map(scope_key));
        for key in keys {
            for lang in [Lang::De, Lang::En] {
                assert_ne!(crate::i18n::format(lang, key, None), key, "{key} in {lang:?}");
            }
        }
        for r in reasons {
            let wire = serde_json::to_value(r).expect("reason");
            assert_eq!(wire, reason_key(r).0, "the wire name of {r:?}");
        }
    }
}
