//! The second factor in the console (issue 24): on one's own page its state, setting it up
//! (QR code, the key to type by hand, confirmation with a code, the recovery codes shown
//! once) and switching it off where the account need not have it; and the page an admin
//! who must have one sees instead of the console until it is set up.

use leptos::prelude::*;

use augenmerk_domain::second_factor::{TotpEnrolment, TotpStatus};

use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::console::api::use_api;
use crate::console::widgets::Notice;
use crate::format::date_time;
use crate::i18n::use_i18n;

/// Setting it up: a new secret, a code to confirm it, then the recovery codes; `done`
/// runs when the person has put the codes away.
#[component]
fn Enrol(done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let enrolment: RwSignal<Option<TotpEnrolment>> = RwSignal::new(None);
    let codes: RwSignal<Option<Vec<String>>> = RwSignal::new(None);
    let code = RwSignal::new(String::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let begin = move |_| {
        leptos::task::spawn_local(async move {
            match api.totp_begin().await {
                Ok(e) => {
                    error.set(None);
                    enrolment.set(Some(e));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let confirm = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let typed = code.get_untracked();
        leptos::task::spawn_local(async move {
            match api.totp_confirm(&typed).await {
                Ok(enabled) => {
                    error.set(None);
                    codes.set(Some(enabled.recovery_codes));
                }
                Err(e) => {
                    code.set(String::new());
                    error.set(Some(e));
                }
            }
        });
    };
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <div data-testid="totp-enrol">
            <ErrorAlert error=error.into() />
            {move || match (codes.get(), enrolment.get()) {
                (Some(list), _) => view! {
                    <div class="kern-alert kern-alert--success" role="status">
                        <div class="kern-alert__header">
                            <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                            <span class="kern-title">{i18n.t("c-totp-enabled-now")}</span>
                        </div>
                    </div>
                    <h3 class="kern-heading-small">{move || i18n.t("c-totp-recovery-title")}</h3>
                    <p class="kern-body">{move || i18n.t("c-totp-recovery-help")}</p>
                    <ul class="console-totp__codes" data-testid="totp-recovery-codes">
                        {list.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                    </ul>
                    <p class="console-actions">
                        <button type="button" class="kern-btn kern-btn--secondary" data-testid="totp-print" on:click=print>
                            <span class="kern-label">{move || i18n.t("c-totp-print")}</span>
                        </button>
                        <button type="button" class="kern-btn kern-btn--primary" data-testid="totp-done"
                            on:click=move |_| done.run(())>
                            <span class="kern-label">{move || i18n.t("c-totp-done")}</span>
                        </button>
                    </p>
                }.into_any(),
                (None, Some(e)) => view! {
                    <ol class="kern-body">
                        <li>{move || i18n.t("c-totp-step-scan")}</li>
                        <li>{move || i18n.t("c-totp-step-code")}</li>
                    </ol>
                    <img class="console-totp__qr" data-testid="totp-qr" src=e.qr_code.clone()
                        width="200" height="200" alt=move || i18n.t("c-totp-qr-alt") />
                    <p class="kern-body">
                        {move || i18n.t("c-totp-secret")} " "
                        <code data-testid="totp-secret" data-otpauth=e.otpauth_url.clone()>{e.secret.clone()}</code>
                    </p>
                    <form on:submit=confirm data-testid="totp-confirm-form">
                        <div class="kern-form-input">
                            <label class="kern-label" for="totp-code">{move || i18n.t("c-totp-code")}</label>
                            <input class="kern-form-input__input" id="totp-code" data-testid="totp-code"
                                inputmode="numeric" autocomplete="one-time-code" required=true
                                prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                        </div>
                        <button type="submit" class="kern-btn kern-btn--primary" data-testid="totp-confirm">
                            <span class="kern-label">{move || i18n.t("c-totp-confirm")}</span>
                        </button>
                    </form>
                }.into_any(),
                (None, None) => view! {
                    <button type="button" class="kern-btn kern-btn--primary" data-testid="totp-begin" on:click=begin>
                        <span class="kern-label">{move || i18n.t("c-totp-begin")}</span>
                    </button>
                }.into_any(),
            }}
        </div>
    }
}

/// The second factor on one's own page.
#[component]
pub fn MyTotp() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let status: RwSignal<Option<TotpStatus>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let code = RwSignal::new(String::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api.totp_status().await {
                Ok(s) => status.set(Some(s)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    reload();
    let switch_off = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let typed = code.get_untracked();
        leptos::task::spawn_local(async move {
            code.set(String::new());
            match api.totp_disable(&typed).await {
                Ok(()) => {
                    error.set(None);
                    notice.set(Some("c-totp-switched-off"));
                    reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="console-card" aria-labelledby="totp-h" data-testid="my-totp">
            <h2 class="console-card__title" id="totp-h">{move || i18n.t("c-totp")}</h2>
            <p class="kern-body">{move || i18n.t("c-totp-help")}</p>
            <ErrorAlert error=error.into() />
            <Notice notice=notice />
            {move || status.get().map(|s| if s.enabled {
                let since = s.enabled_at.map(|t| date_time(i18n.lang(), t)).unwrap_or_default();
                view! {
                    <p class="kern-body" data-testid="totp-state" data-enabled="true">
                        {i18n.t("c-totp-on")} " " {since} " · "
                        {i18n.t("c-totp-codes-left")} " " <strong>{s.recovery_codes_left}</strong>
                    </p>
                    {if s.required {
                        view! { <p class="kern-body">{i18n.t("c-totp-required")}</p> }.into_any()
                    } else {
                        view! {
                            <form on:submit=switch_off data-testid="totp-off-form">
                                <div class="kern-form-input">
                                    <label class="kern-label" for="totp-off-code">{i18n.t("c-totp-code")}</label>
                                    <input class="kern-form-input__input" id="totp-off-code" data-testid="totp-off-code"
                                        inputmode="numeric" autocomplete="one-time-code" required=true
                                        prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                                </div>
                                <button type="submit" class="kern-btn kern-btn--secondary" data-testid="totp-off">
                                    <span class="kern-label">{i18n.t("c-totp-off")}</span>
                                </button>
                            </form>
                        }.into_any()
                    }}
                }.into_any()
            } else {
                view! {
                    <p class="kern-body" data-testid="totp-state" data-enabled="false">{i18n.t("c-totp-off-now")}</p>
                    <Enrol done=Callback::new(move |_| reload()) />
                }.into_any()
            })}
        </section>
    }
}

/// What an admin who must have a second factor and has none sees after signing in.
#[component]
pub fn ForcedEnrolment() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    view! {
        <main id="console-main" class="console-login" data-testid="totp-forced">
            <div class="console-login__card kern-card">
                <div class="kern-card__body">
                    <h1 class="kern-heading-medium">{move || i18n.t("c-totp-forced-title")}</h1>
                    <p class="kern-body">{move || i18n.t("c-totp-forced-help")}</p>
                    <Enrol done=Callback::new(move |_| api.enrol_only.set(false)) />
                    <p class="kern-body kern-body--small">
                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="totp-forced-logout"
                            on:click=move |_| leptos::task::spawn_local(async move { api.logout().await })>
                            <span class="kern-label">{move || i18n.t("c-logout")}</span>
                        </button>
                    </p>
                </div>
            </div>
        </main>
    }
}
