//! The console's login: municipality (or the platform, for the platform admin), login
//! name, password, and the code of the authenticator app when the server asks for it
//! (issue 24). Tells the user when they are here because their session expired.

use leptos::prelude::*;

use augenmerk_domain::Ags;
use augenmerk_domain::public::{Delivery, MunicipalityInfo};

use super::api::{LoggedOut, use_api};
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::i18n::use_i18n;

const LAST_MUNICIPALITY: &str = "augenmerk.console-municipality";
/// The login select's value for the platform admin, who belongs to no municipality.
const PLATFORM: &str = "platform";

/// The login page.
#[component]
pub fn Login() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let municipalities: RwSignal<Vec<MunicipalityInfo>> = RwSignal::new(Vec::new());
    let municipality = RwSignal::new(crate::storage::get(LAST_MUNICIPALITY).unwrap_or_default());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Shown once the server answered `totp_required` for the name and password.
    let needs_code = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let local_accounts = RwSignal::new(true);

    leptos::task::spawn_local(async move {
        if let Ok(mut list) = super::api::municipalities().await {
            // Only administrations that work their reports here have staff; the state's others
            // have a boundary only, or get their reports by e-mail.
            list.retain(|m| m.active && m.delivery == Delivery::Platform);
            list.sort_by(|a, b| a.name.cmp(&b.name));
            if municipality.get_untracked().is_empty()
                && let Some(first) = list.first()
            {
                municipality.set(first.ags.to_string());
            }
            municipalities.set(list);
        }
    });

    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let chosen = municipality.get_untracked();
        let ags = if chosen == PLATFORM {
            None
        } else {
            let Ok(ags) = Ags::parse(chosen.trim()) else {
                error.set(Some(UiError::localized("c-e-choose-municipality")));
                return;
            };
            Some(ags)
        };
        busy.set(true);
        let (user, pass) = (username.get_untracked(), password.get_untracked());
        let totp = needs_code.get_untracked().then(|| code.get_untracked());
        leptos::task::spawn_local(async move {
            crate::storage::set(LAST_MUNICIPALITY, &chosen);
            let result = api.login(ags, &user, &pass, totp).await;
            busy.set(false);
            code.set(String::new());
            match result {
                // Name and password were right: the code is what is missing.
                Err(e) if e.code.as_deref() == Some("totp_required") => {
                    error.set(None);
                    needs_code.set(true);
                    focus("login-totp");
                }
                Err(e) if e.code.as_deref() == Some("invalid_totp") => error.set(Some(e)),
                Err(e) => {
                    password.set(String::new());
                    needs_code.set(false);
                    error.set(Some(e));
                }
                Ok(()) => {}
            }
        });
    };

    view! {
        <main id="console-main" class="console-login">
            <div class="console-login__card kern-card">
                <div class="kern-card__body">
                    <div class="brand">
                        <span class="brand__mark" aria-hidden="true"></span>
                        <span class="brand__text">
                            <span class="brand__name">"Augenmerk"</span>
                            <span class="brand__claim">{move || i18n.t("c-claim")}</span>
                        </span>
                    </div>
                    <h1 class="kern-heading-medium">{move || i18n.t("c-login-title")}</h1>
                    {move || (api.logged_out.get() == LoggedOut::Expired).then(|| view! {
                        <div class="kern-alert kern-alert--info" role="status" data-testid="session-expired">
                            <div class="kern-alert__header">
                                <span class="kern-icon kern-icon--info" aria-hidden="true"></span>
                                <span class="kern-title">{i18n.t("c-session-expired")}</span>
                            </div>
                        </div>
                    })}
                    <ErrorAlert error=error.into() />
                    <form on:submit=submit data-testid="login-form">
                        <div class="kern-form-input">
                            <label class="kern-label" for="login-municipality">{move || i18n.t("c-login-municipality")}</label>
                            <div class="kern-form-input__select-wrapper">
                                <select class="kern-form-input__select" id="login-municipality" data-testid="login-municipality"
                                    on:change=move |ev| municipality.set(event_target_value(&ev))>
                                    {move || {
                                        let current = municipality.get();
                                        municipalities.get().into_iter().map(|m| {
                                            let ags = m.ags.to_string();
                                            let selected = ags == current;
                                            view! { <option value=ags selected=selected>{m.name.clone()}</option> }
                                        }).collect_view()
                                    }}
                                    <option value=PLATFORM selected=move || municipality.get() == PLATFORM>
                                        {move || i18n.t("c-login-platform")}</option>
                                </select>
                            </div>
                        </div>
                        <super::sso::SsoLogin municipality=municipality local_accounts=local_accounts />
                        <div class="console-login__local" hidden=move || !local_accounts.get()>
                        <div class="kern-form-input">
                            <label class="kern-label" for="login-username">{move || i18n.t("c-login-username")}</label>
                            <input class="kern-form-input__input" id="login-username" data-testid="login-username"
                                autocomplete="username" required=true
                                prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev)) />
                        </div>
                        <div class="kern-form-input">
                            <label class="kern-label" for="login-password">{move || i18n.t("c-login-password")}</label>
                            <input class="kern-form-input__input" id="login-password" data-testid="login-password"
                                type="password" autocomplete="current-password" required=true
                                prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                        </div>
                        {move || needs_code.get().then(|| view! {
                            <div class="kern-form-input" data-testid="login-totp-field">
                                <label class="kern-label" for="login-totp">{i18n.t("c-login-totp")}</label>
                                <div class="kern-hint" id="login-totp-hint">{i18n.t("c-login-totp-hint")}</div>
                                <input class="kern-form-input__input" id="login-totp" data-testid="login-totp"
                                    inputmode="numeric" autocomplete="one-time-code" required=true aria-describedby="login-totp-hint"
                                    prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                            </div>
                        })}
                        <button type="submit" class="kern-btn kern-btn--primary kern-btn--block" data-testid="login-submit"
                            disabled=move || busy.get()>
                            <span class="kern-label">{move || i18n.t("c-login-submit")}</span>
                        </button>
                        </div>
                    </form>
                    <p class="kern-body kern-body--small console-login__lang">
                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" data-testid="lang-switch"
                            lang=move || i18n.lang().other().tag() on:click=move |_| i18n.set(i18n.lang().other())>
                            <span class="kern-icon kern-icon--language" aria-hidden="true"></span>
                            <span class="kern-label">{move || i18n.t("switch-language")}</span>
                        </button>
                        <a class="kern-link" href="#/">{move || i18n.t("c-to-citizen-page")}</a>
                    </p>
                </div>
            </div>
        </main>
    }
}

/// Moves the focus to a field once it is on the page (the code field appears after the answer).
fn focus(id: &'static str) {
    leptos::task::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(0).await;
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}
