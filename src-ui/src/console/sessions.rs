//! Sessions and the sign-in log (issue 24): on one's own page the sessions of the account
//! (where from, with what, since when) with a button to end each; in the users' settings
//! an admin's "end all sessions" per account and the municipality's sign-in log.

use leptos::prelude::*;

use augenmerk_domain::sessions::{LoginLogEntry, LoginOutcome, SessionInfo};

use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::console::api::use_api;
use crate::console::widgets::Notice;
use crate::format::date_time;
use crate::i18n::{I18n, use_i18n};

fn outcome_label(i18n: I18n, outcome: LoginOutcome) -> String {
    i18n.t(match outcome {
        LoginOutcome::Success => "c-login-success",
        LoginOutcome::WrongPassword => "c-login-wrong-password",
        LoginOutcome::UnknownUser => "c-login-unknown-user",
        LoginOutcome::Disabled => "c-login-disabled",
        LoginOutcome::Logout => "c-login-logout",
        LoginOutcome::SessionsEnded => "c-login-sessions-ended",
        LoginOutcome::WrongTotp => "c-login-wrong-totp",
        LoginOutcome::RecoveryCodeUsed => "c-login-recovery-code-used",
        LoginOutcome::TotpReset => "c-login-totp-reset",
        LoginOutcome::SsoRefused => "c-login-sso-refused",
    })
}

/// The signed-in account's sessions.
#[component]
pub fn MySessions() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let list: RwSignal<Vec<SessionInfo>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api.my_sessions().await {
                Ok(s) => list.set(s),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    reload();
    let end = move |id: String| {
        leptos::task::spawn_local(async move {
            match api.end_my_session(&id).await {
                Ok(()) => {
                    notice.set(Some("c-session-ended"));
                    reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="console-card" aria-labelledby="sessions-h" data-testid="my-sessions">
            <h2 class="console-card__title" id="sessions-h">{move || i18n.t("c-sessions")}</h2>
            <p class="kern-body">{move || i18n.t("c-sessions-help")}</p>
            <ErrorAlert error=error.into() />
            <Notice notice=notice />
            <table class="kern-table kern-table--small">
                <thead><tr class="kern-table__row">
                    <th class="kern-table__header" scope="col">{move || i18n.t("c-session-since")}</th>
                    <th class="kern-table__header" scope="col">{move || i18n.t("c-session-device")}</th>
                    <th class="kern-table__header" scope="col">{move || i18n.t("c-session-address")}</th>
                    <th class="kern-table__header" scope="col"><span class="kern-sr-only">{move || i18n.t("c-session-end")}</span></th>
                </tr></thead>
                <tbody class="kern-table__body">
                    {move || list.get().into_iter().map(|s| {
                        let id = s.id.clone();
                        let since = s.created_at.map(|t| date_time(i18n.lang(), t)).unwrap_or_else(|| "–".into());
                        view! {
                            <tr class="kern-table__row" data-testid="session" data-id=s.id.clone() data-current=s.current.to_string()>
                                <td class="kern-table__cell">{since}</td>
                                <td class="kern-table__cell">
                                    {s.user_agent.clone().unwrap_or_else(|| "–".into())}
                                    {s.current.then(|| view! {
                                        " " <strong class="kern-badge kern-badge--info">{move || i18n.t("c-session-current")}</strong>
                                    })}
                                </td>
                                <td class="kern-table__cell">{s.address.clone().unwrap_or_else(|| "–".into())}</td>
                                <td class="kern-table__cell">
                                    <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="session-end"
                                        on:click=move |_| end(id.clone())>
                                        <span class="kern-label">{move || i18n.t(if s.current { "c-session-end-this" } else { "c-session-end" })}</span>
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The municipality's sign-in log (admins).
#[component]
pub fn LoginLog() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let log: RwSignal<Vec<LoginLogEntry>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    leptos::task::spawn_local(async move {
        match api.login_log().await {
            Ok(l) => log.set(l),
            Err(e) => error.set(Some(e)),
        }
    });
    view! {
        <section class="console-card" aria-labelledby="login-log-h" data-testid="login-log">
            <h2 class="console-card__title" id="login-log-h">{move || i18n.t("c-login-log")}</h2>
            <p class="kern-body">{move || i18n.t("c-login-log-help")}</p>
            <ErrorAlert error=error.into() />
            <table class="kern-table kern-table--small">
                <thead><tr class="kern-table__row">
                    <th class="kern-table__header" scope="col">{move || i18n.t("c-login-log-at")}</th>
                    <th class="kern-table__header" scope="col">{move || i18n.t("c-login-username")}</th>
                    <th class="kern-table__header" scope="col">{move || i18n.t("c-login-log-outcome")}</th>
                    <th class="kern-table__header" scope="col">{move || i18n.t("c-session-address")}</th>
                </tr></thead>
                <tbody class="kern-table__body">
                    {move || log.get().into_iter().take(100).map(|e| view! {
                        <tr class="kern-table__row" data-testid="login-log-entry" data-outcome=e.outcome.as_str()>
                            <td class="kern-table__cell">{date_time(i18n.lang(), e.at)}</td>
                            <td class="kern-table__cell">{e.username.clone()}</td>
                            <td class="kern-table__cell">{outcome_label(i18n, e.outcome)}</td>
                            <td class="kern-table__cell">{e.address.clone().unwrap_or_else(|| "–".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
