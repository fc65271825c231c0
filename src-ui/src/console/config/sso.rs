//! Single sign-on for admins (issue 24): the municipality's OpenID Connect provider
//! (issuer, client id and secret), which claims carry the login name and the groups,
//! which group gives which role, and whether local accounts may still sign in. The
//! secret is write-only: the screen only says whether one is stored.

use leptos::prelude::*;

use augenmerk_domain::api::MunicipalitySettings;
use augenmerk_domain::sso::{RoleMapping, SsoSettings};
use augenmerk_domain::staff::Role;

use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::console::api::use_api;
use crate::console::role_name;
use crate::console::settings_io::{load_settings, save_settings};
use crate::console::use_console;
use crate::console::widgets::{Notice, TextField};
use crate::i18n::use_i18n;

/// The roles a group may give (never the platform's).
const ROLES: [Role; 4] = [Role::Admin, Role::Dispatcher, Role::FieldWorker, Role::PrivacyOfficer];

/// One row of the mapping, with signals of its own so typing does not redraw the list.
#[derive(Clone, Copy)]
struct Row {
    key: usize,
    group: RwSignal<String>,
    role: RwSignal<Role>,
}

/// The single sign-on settings.
#[component]
pub(super) fn SsoConfig() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let settings: RwSignal<Option<MunicipalitySettings>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let enabled = RwSignal::new(false);
    let display_name = RwSignal::new(String::new());
    let issuer = RwSignal::new(String::new());
    let client_id = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let secret_set = RwSignal::new(false);
    let username_claim = RwSignal::new(String::new());
    let groups_claim = RwSignal::new(String::new());
    let local_accounts = RwSignal::new(true);
    let rows: RwSignal<Vec<Row>> = RwSignal::new(Vec::new());
    let next_key = StoredValue::new(0usize);
    let new_row = move |group: String, role: Role| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        Row {
            key,
            group: RwSignal::new(group),
            role: RwSignal::new(role),
        }
    };
    let show = move |s: MunicipalitySettings| {
        let sso = &s.sso;
        enabled.set(sso.enabled);
        display_name.set(sso.display_name.clone().unwrap_or_default());
        issuer.set(sso.issuer.clone());
        client_id.set(sso.client_id.clone());
        secret.set(String::new());
        secret_set.set(sso.client_secret_set);
        username_claim.set(sso.username_claim.clone());
        groups_claim.set(sso.groups_claim.clone());
        local_accounts.set(sso.local_accounts);
        rows.set(
            sso.role_mapping
                .iter()
                .map(|m| new_row(m.group.clone(), m.role))
                .collect(),
        );
        settings.set(Some(s));
    };
    load_settings(api, show, error);
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(mut s) = settings.get_untracked() else { return };
        let typed_secret = secret.get_untracked();
        s.sso = SsoSettings {
            enabled: enabled.get_untracked(),
            issuer: issuer.get_untracked().trim().to_owned(),
            client_id: client_id.get_untracked().trim().to_owned(),
            // Empty: keep the stored secret (the server never sends it).
            client_secret: Some(typed_secret).filter(|t| !t.is_empty()),
            client_secret_set: false,
            username_claim: username_claim.get_untracked().trim().to_owned(),
            groups_claim: groups_claim.get_untracked().trim().to_owned(),
            role_mapping: rows
                .get_untracked()
                .iter()
                .map(|r| RoleMapping {
                    group: r.group.get_untracked().trim().to_owned(),
                    role: r.role.get_untracked(),
                })
                .filter(|m| !m.group.is_empty())
                .collect(),
            display_name: Some(display_name.get_untracked().trim().to_owned()).filter(|n| !n.is_empty()),
            local_accounts: local_accounts.get_untracked(),
        };
        save_settings(api, console, s, show, "c-sso-saved", error, notice);
    };
    let redirect_uri = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .map(|o| format!("{o}/api/v1/sso/callback"))
        .unwrap_or_default();
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <section class="console-card" aria-labelledby="sso-h" data-testid="sso-config">
            <h2 class="console-card__title" id="sso-h">{move || i18n.t("c-config-sso")}</h2>
            <p class="kern-hint">{move || i18n.t("c-sso-hint")}</p>
            <p class="kern-body">{move || i18n.t("c-sso-redirect-uri")}" "<code data-testid="sso-redirect-uri">{redirect_uri.clone()}</code></p>
            <form on:submit=save>
                <div class="kern-form-check">
                    <input class="kern-form-check__checkbox" type="checkbox" id="sso-enabled" data-testid="sso-enabled"
                        prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev)) />
                    <label class="kern-label" for="sso-enabled">{move || i18n.t("c-sso-enabled")}</label>
                </div>
                <TextField id="sso-display-name" label="c-sso-display-name" value=display_name hint="c-sso-display-name-hint" />
                <TextField id="sso-issuer" label="c-sso-issuer" value=issuer hint="c-sso-issuer-hint" input_type="url" />
                <TextField id="sso-client-id" label="c-sso-client-id" value=client_id />
                <div class="kern-form-input">
                    <label class="kern-label" for="sso-client-secret">{move || i18n.t("c-sso-client-secret")}</label>
                    <p class="kern-hint" id="sso-client-secret-hint" data-testid="sso-secret-state">
                        {move || i18n.t(if secret_set.get() { "c-sso-secret-set" } else { "c-sso-secret-unset" })}</p>
                    <input class="kern-form-input__input" id="sso-client-secret" data-testid="sso-client-secret"
                        type="password" autocomplete="new-password" aria-describedby="sso-client-secret-hint"
                        prop:value=move || secret.get() on:input=move |ev| secret.set(event_target_value(&ev)) />
                </div>
                <TextField id="sso-username-claim" label="c-sso-username-claim" value=username_claim hint="c-sso-username-claim-hint" />
                <TextField id="sso-groups-claim" label="c-sso-groups-claim" value=groups_claim hint="c-sso-groups-claim-hint" />
                <fieldset class="kern-fieldset">
                    <legend class="kern-label">{move || i18n.t("c-sso-mapping")}</legend>
                    <p class="kern-hint">{move || i18n.t("c-sso-mapping-hint")}</p>
                    <For each=move || rows.get() key=|r| r.key let:row>
                        {
                            let group_id = format!("sso-group-{}", row.key);
                            let role_id = format!("sso-role-{}", row.key);
                            view! {
                                <div class="sso-mapping" data-testid="sso-mapping">
                                    <div class="kern-form-input">
                                        <label class="kern-label" for=group_id.clone()>{move || i18n.t("c-sso-group")}</label>
                                        <input class="kern-form-input__input" id=group_id data-testid="sso-mapping-group"
                                            prop:value=move || row.group.get() on:input=move |ev| row.group.set(event_target_value(&ev)) />
                                    </div>
                                    <div class="kern-form-input">
                                        <label class="kern-label" for=role_id.clone()>{move || i18n.t("c-sso-role")}</label>
                                        <div class="kern-form-input__select-wrapper">
                                            <select class="kern-form-input__select" id=role_id data-testid="sso-mapping-role"
                                                on:change=move |ev| {
                                                    if let Some(r) = Role::parse(&event_target_value(&ev)) {
                                                        row.role.set(r);
                                                    }
                                                }>
                                                {ROLES.into_iter().map(|r| view! {
                                                    <option value=r.as_str() selected=move || row.role.get() == r>{move || role_name(&i18n, r)}</option>
                                                }).collect_view()}
                                            </select>
                                        </div>
                                    </div>
                                    <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="sso-mapping-remove"
                                        on:click=move |_| rows.update(|all| all.retain(|r| r.key != row.key))>
                                        <span class="kern-label">{move || i18n.t("c-sso-mapping-remove")}</span>
                                    </button>
                                </div>
                            }
                        }
                    </For>
                    <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" data-testid="sso-mapping-add"
                        on:click=move |_| rows.update(|all| all.push(new_row(String::new(), Role::Dispatcher)))>
                        <span class="kern-label">{move || i18n.t("c-sso-mapping-add")}</span>
                    </button>
                </fieldset>
                <div class="kern-form-check">
                    <input class="kern-form-check__checkbox" type="checkbox" id="sso-local-accounts" data-testid="sso-local-accounts"
                        aria-describedby="sso-local-accounts-hint"
                        prop:checked=move || local_accounts.get() on:change=move |ev| local_accounts.set(event_target_checked(&ev)) />
                    <label class="kern-label" for="sso-local-accounts">{move || i18n.t("c-sso-local-accounts")}</label>
                </div>
                <p class="kern-hint" id="sso-local-accounts-hint">{move || i18n.t("c-sso-local-accounts-hint")}</p>
                <div class="console-page__actions">
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="sso-save">
                        <span class="kern-label">{move || i18n.t("c-save")}</span></button>
                </div>
            </form>
        </section>
    }
}
