//! Single sign-on on the console's login screen (issue 24): the "Anmelden mit …" button
//! of a municipality that offers it, and the end of a sign-in — the server sends the
//! browser back to `#/console/sso?code=…` (a one-time code, exchanged here for a
//! session) or `?error=…` (shown here). Where the municipality has switched local
//! accounts off, the login hides its password form (`local_accounts`).

use leptos::prelude::*;

use augenmerk_domain::Ags;
use augenmerk_domain::sso::SsoInfo;

use super::api::{sso_info, sso_start_url, use_api};
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::i18n::use_i18n;

/// Where the server sends the browser after a sign-in at the provider.
const RETURN_PREFIX: &str = "#/console/sso?";

/// The reasons the server names (`error=`), each with its message; others read as the
/// first.
const REASONS: [(&str, &str); 7] = [
    ("invalid_token", "c-sso-e-invalid"),
    ("invalid_state", "c-sso-e-state"),
    ("no_role", "c-sso-e-no-role"),
    ("no_username", "c-sso-e-no-username"),
    ("disabled", "c-sso-e-disabled"),
    ("provider_unavailable", "c-sso-e-unavailable"),
    ("provider_refused", "c-sso-e-cancelled"),
];

/// A query parameter of the return address.
fn returned(hash: &str, name: &str) -> Option<String> {
    hash.strip_prefix(RETURN_PREFIX)?.split('&').find_map(|pair| {
        pair.split_once('=')
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    })
}

/// The message key of a reason the server gave.
fn reason_key(reason: &str) -> &'static str {
    REASONS
        .iter()
        .find(|(r, _)| *r == reason)
        .map_or("c-sso-e-invalid", |(_, key)| key)
}

/// Replaces the return address (with its one-time code) by the console's start, so that
/// neither stays in the history.
fn forget_return() {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#/console/"));
    }
}

/// The single sign-on part of the login: finishes a sign-in that came back, and offers
/// the button for the chosen municipality. `local_accounts` is set to whether the
/// municipality still takes passwords.
#[component]
pub fn SsoLogin(municipality: RwSignal<String>, local_accounts: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let info: RwSignal<Option<(Ags, SsoInfo)>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let busy = RwSignal::new(false);

    // Back from the provider?
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    if let Some(reason) = returned(&hash, "error") {
        forget_return();
        error.set(Some(UiError::localized(reason_key(&reason))));
    } else if let Some(code) = returned(&hash, "code") {
        forget_return();
        busy.set(true);
        leptos::task::spawn_local(async move {
            if let Err(e) = api.sso_exchange(&code).await {
                error.set(Some(e));
            }
            busy.set(false);
        });
    }

    // What the chosen municipality offers.
    Effect::new(move |_| {
        let chosen = municipality.get();
        let Ok(ags) = Ags::parse(chosen.trim()) else {
            // The platform: passwords only.
            info.set(None);
            local_accounts.set(true);
            return;
        };
        leptos::task::spawn_local(async move {
            let offered = sso_info(&ags).await.ok();
            if municipality.get_untracked().trim() != ags.as_str() {
                return; // chosen another meanwhile
            }
            local_accounts.set(offered.as_ref().is_none_or(|i| i.local_accounts));
            info.set(offered.filter(|i| i.enabled).map(|i| (ags, i)));
        });
    });

    view! {
        <ErrorAlert error=error.into() />
        {move || busy.get().then(|| view! {
            <p class="kern-body" role="status" data-testid="sso-busy">{i18n.t("c-sso-busy")}</p>
        })}
        {move || info.get().map(|(ags, offered)| {
            let label = match offered.display_name {
                Some(name) => i18n.t_args("c-sso-button", &[("provider", name.into())]),
                None => i18n.t("c-sso-button-generic"),
            };
            view! {
                <div class="console-login__sso">
                    <a class="kern-btn kern-btn--secondary kern-btn--block" href=sso_start_url(&ags) data-testid="sso-login">
                        <span class="kern-icon kern-icon--account-circle" aria-hidden="true"></span>
                        <span class="kern-label">{label}</span>
                    </a>
                    {move || local_accounts.get().then(|| view! {
                        <p class="kern-body kern-body--small console-login__or">{i18n.t("c-sso-or")}</p>
                    })}
                </div>
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_return_address() {
        assert_eq!(returned("#/console/sso?code=abc", "code").as_deref(), Some("abc"));
        assert_eq!(
            returned("#/console/sso?error=no_role", "error").as_deref(),
            Some("no_role")
        );
        assert_eq!(returned("#/console/", "code"), None);
        assert_eq!(reason_key("no_role"), "c-sso-e-no-role");
        assert_eq!(reason_key("unheard_of"), "c-sso-e-invalid");
    }
}
