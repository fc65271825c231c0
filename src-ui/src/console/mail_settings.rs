//! Mail settings in the console: for admins, the municipality's sender name and reply-to
//! and how forwarded reports reach each external authority (a mailbox, an Open311
//! endpoint with the mapping of our categories to their service codes); for everyone,
//! "my notifications" (address and which mails). The server checks everything and names
//! the fields it refuses; those messages appear under the fields.

use std::collections::BTreeMap;

use leptos::prelude::*;

use augenmerk_domain::api::{MunicipalitySettings, MyMailSettings};
use augenmerk_domain::error::FieldError;
use augenmerk_domain::mail::MailPreferences;
use augenmerk_domain::staff::{ExternalAuthority, Open311Endpoint};

use super::api::use_api;
use super::settings_io::{load_settings, save_settings};
use super::use_console;
use super::widgets::{Notice, TextField};
use crate::backend::UiError;
use crate::components::errors::{ErrorAlert, FieldProblem};
use crate::i18n::use_i18n;

/// One authority's delivery fields as the form edits them.
#[derive(Clone, Copy)]
struct AuthorityForm {
    email: RwSignal<String>,
    open311: RwSignal<bool>,
    base_url: RwSignal<String>,
    api_key: RwSignal<String>,
    jurisdiction: RwSignal<String>,
    /// Category id → their service code (one text field per category).
    codes: RwSignal<BTreeMap<String, String>>,
}

impl AuthorityForm {
    fn of(a: &ExternalAuthority) -> Self {
        let o = a.open311.clone();
        Self {
            email: RwSignal::new(a.email.clone().unwrap_or_default()),
            open311: RwSignal::new(o.is_some()),
            base_url: RwSignal::new(o.as_ref().map(|o| o.base_url.clone()).unwrap_or_default()),
            api_key: RwSignal::new(o.as_ref().map(|o| o.api_key.clone()).unwrap_or_default()),
            jurisdiction: RwSignal::new(o.as_ref().and_then(|o| o.jurisdiction_id.clone()).unwrap_or_default()),
            codes: RwSignal::new(o.map(|o| o.service_codes).unwrap_or_default()),
        }
    }

    /// Writes the form into the authority; empty fields are "none".
    fn apply(&self, a: &mut ExternalAuthority) {
        let some = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        a.email = some(self.email.get_untracked());
        a.open311 = self.open311.get_untracked().then(|| Open311Endpoint {
            base_url: self.base_url.get_untracked().trim().to_owned(),
            api_key: self.api_key.get_untracked().trim().to_owned(),
            jurisdiction_id: some(self.jurisdiction.get_untracked()),
            service_codes: self
                .codes
                .get_untracked()
                .into_iter()
                .map(|(k, v)| (k, v.trim().to_owned()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        });
    }
}

fn problems_of(error: RwSignal<Option<UiError>>) -> Signal<Vec<FieldError>> {
    Signal::derive(move || error.with(|e| e.as_ref().map(|e| e.details.clone()).unwrap_or_default()))
}

/// The admin's mail and forwarding settings (a section of the configuration).
#[component]
pub fn MailConfig() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let settings: RwSignal<Option<MunicipalitySettings>> = RwSignal::new(None);
    let forms: RwSignal<Vec<AuthorityForm>> = RwSignal::new(Vec::new());
    let sender = RwSignal::new(String::new());
    let reply_to = RwSignal::new(String::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let problems = problems_of(error);
    let show = move |s: MunicipalitySettings| {
        sender.set(s.mail_sender_name.clone().unwrap_or_default());
        reply_to.set(s.mail_reply_to.clone().unwrap_or_default());
        forms.set(s.authorities.iter().map(AuthorityForm::of).collect());
        settings.set(Some(s));
    };
    load_settings(api, show, error);
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(mut s) = settings.get_untracked() else { return };
        s.mail_sender_name = Some(sender.get_untracked().trim().to_owned()).filter(|v| !v.is_empty());
        s.mail_reply_to = Some(reply_to.get_untracked().trim().to_owned()).filter(|v| !v.is_empty());
        for (a, f) in s.authorities.iter_mut().zip(forms.get_untracked()) {
            f.apply(a);
        }
        save_settings(api, console, s, show, "c-saved", error, notice);
    };
    let authorities = move || {
        let names: Vec<String> = settings.with(|s| {
            s.as_ref()
                .map(|s| s.authorities.iter().map(|a| a.name.clone()).collect())
                .unwrap_or_default()
        });
        forms
            .get()
            .into_iter()
            .zip(names)
            .enumerate()
            .map(|(i, (form, name))| view! { <AuthorityFields index=i name=name form=form problems=problems /> })
            .collect_view()
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        // novalidate: the server checks the addresses and names the field; the browser's own
        // bubble would block the form without that message.
        <form on:submit=save data-testid="mail-config" novalidate>
            <section class="console-card" aria-labelledby="mail-sender-h">
                <h2 class="console-card__title" id="mail-sender-h">{move || i18n.t("c-mail-sender")}</h2>
                <p class="kern-hint">{move || i18n.t("c-mail-sender-hint")}</p>
                <TextField id="mail-sender-name" label="c-mail-sender-name" value=sender />
                <FieldProblem problems=problems field="mail_sender_name" />
                <TextField id="mail-reply-to" label="c-mail-reply-to" value=reply_to input_type="email" />
                <FieldProblem problems=problems field="mail_reply_to" />
            </section>
            <section class="console-card" aria-labelledby="mail-authorities-h">
                <h2 class="console-card__title" id="mail-authorities-h">{move || i18n.t("c-mail-authorities")}</h2>
                <p class="kern-hint">{move || i18n.t("c-mail-authorities-hint")}</p>
                {move || forms.with(Vec::is_empty).then(|| view! {
                    <p class="kern-body kern-body--small console-muted">{i18n.t("c-mail-no-authorities")}</p>
                })}
                {authorities}
            </section>
            <div class="console-page__actions">
                <button type="submit" class="kern-btn kern-btn--primary" data-testid="mail-config-save">
                    <span class="kern-label">{move || i18n.t("c-save")}</span></button>
            </div>
        </form>
    }
}

/// One authority: its mailbox, and its Open311 endpoint with the service codes.
#[component]
fn AuthorityFields(
    index: usize,
    name: String,
    form: AuthorityForm,
    problems: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let console = use_console();
    let field = move |f: &str| format!("authorities.{index}.{f}");
    // Every active category can be mapped; most authorities need only a few.
    let categories = move || {
        let lang = i18n.lang();
        console.refs.with(|r| {
            r.tree
                .iter()
                .filter(|c| c.active)
                .map(|c| (c.id.to_string(), lang.choose(&c.de, &c.en).to_owned()))
                .collect::<Vec<_>>()
        })
    };
    let open_id = format!("authority-{index}-open311");
    view! {
        <fieldset class="kern-fieldset authority-delivery" data-testid="authority-delivery" data-index=index.to_string()>
            <legend class="kern-label">{name}</legend>
            <div class="kern-fieldset__body">
                <TextField id=format!("authority-{index}-email") label="c-mail-authority-email" value=form.email input_type="email" />
                <FieldProblem problems=problems field=field("email") />
                <div class="kern-form-check">
                    <input class="kern-form-check__checkbox" type="checkbox" id=open_id.clone() data-testid=open_id.clone()
                        prop:checked=move || form.open311.get() on:change=move |ev| form.open311.set(event_target_checked(&ev)) />
                    <label class="kern-label" for=open_id>{move || i18n.t("c-mail-open311")}</label>
                </div>
                <Show when=move || form.open311.get()>
                    <TextField id=format!("authority-{index}-base-url") label="c-mail-open311-url" value=form.base_url input_type="url"
                        hint="c-mail-open311-url-hint" />
                    <FieldProblem problems=problems field=field("open311.base_url") />
                    <TextField id=format!("authority-{index}-api-key") label="c-mail-open311-key" value=form.api_key />
                    <FieldProblem problems=problems field=field("open311.api_key") />
                    <TextField id=format!("authority-{index}-jurisdiction") label="c-mail-open311-jurisdiction" value=form.jurisdiction />
                    <table class="kern-table kern-table--small" data-testid=format!("authority-{index}-codes")>
                        <caption class="kern-label">{move || i18n.t("c-mail-open311-codes")}</caption>
                        <thead><tr class="kern-table__row">
                            <th class="kern-table__header" scope="col">{move || i18n.t("c-mail-open311-category")}</th>
                            <th class="kern-table__header" scope="col">{move || i18n.t("c-mail-open311-code")}</th>
                        </tr></thead>
                        <tbody class="kern-table__body">
                            {move || categories().into_iter().map(|(cid, cname)| {
                                let input = format!("authority-{index}-code-{cid}");
                                let key = cid.clone();
                                let value = cid.clone();
                                view! {
                                    <tr class="kern-table__row">
                                        <td class="kern-table__cell"><label for=input.clone()>{cname}</label></td>
                                        <td class="kern-table__cell">
                                            <input class="kern-form-input__input" id=input.clone() data-testid=input
                                                data-category=cid.clone()
                                                prop:value=move || form.codes.with(|c| c.get(&value).cloned().unwrap_or_default())
                                                on:input=move |ev| {
                                                    let v = event_target_value(&ev);
                                                    form.codes.update(|c| { c.insert(key.clone(), v); });
                                                } />
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <FieldProblem problems=problems field=field("open311.service_codes") />
                </Show>
            </div>
        </fieldset>
    }
}

/// "My notifications": every staff member's own address and choice of mails.
#[component]
pub fn MyNotifications() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let email = RwSignal::new(String::new());
    let prefs = RwSignal::new(MailPreferences::default());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let problems = problems_of(error);
    let show = move |s: MyMailSettings| {
        email.set(s.email.unwrap_or_default());
        prefs.set(s.preferences);
    };
    leptos::task::spawn_local(async move {
        match api.my_mail().await {
            Ok(s) => show(s),
            Err(e) => error.set(Some(e)),
        }
    });
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let body = MyMailSettings {
            email: Some(email.get_untracked().trim().to_owned()).filter(|e| !e.is_empty()),
            preferences: prefs.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api.save_my_mail(&body).await {
                Ok(saved) => {
                    show(saved);
                    error.set(None);
                    notice.set(Some("c-saved"));
                }
                Err(e) => {
                    notice.set(None);
                    error.set(Some(e));
                }
            }
        });
    };
    let check = move |id: &'static str,
                      label: &'static str,
                      get: fn(&MailPreferences) -> bool,
                      set: fn(&mut MailPreferences, bool)| {
        view! {
            <div class="kern-form-check">
                <input class="kern-form-check__checkbox" type="checkbox" id=id data-testid=id
                    prop:checked=move || prefs.with(get) on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        prefs.update(|p| set(p, on));
                    } />
                <label class="kern-label" for=id>{move || i18n.t(label)}</label>
            </div>
        }
    };
    view! {
        <div class="console-page" data-testid="my-notifications">
            <div class="console-page__head">
                <h1 class="kern-heading-large">{move || i18n.t("c-nav-my-account")}</h1>
            </div>
            <ErrorAlert error=error.into() />
            <Notice notice=notice />
            <section class="console-card" aria-labelledby="my-mail-h">
                <h2 class="console-card__title" id="my-mail-h">{move || i18n.t("c-my-notifications-mails")}</h2>
                <form on:submit=save novalidate>
                    <TextField id="my-mail-email" label="c-email" value=email input_type="email" hint="c-my-notifications-hint" />
                    <FieldProblem problems=problems field="email" />
                    <fieldset class="kern-fieldset">
                        <legend class="kern-label">{move || i18n.t("c-my-notifications-which")}</legend>
                        <div class="kern-fieldset__body">
                            {check("my-mail-assigned", "c-my-notifications-assigned", |p| p.assigned, |p, v| p.assigned = v)}
                            {check("my-mail-citizen-reply", "c-my-notifications-citizen-reply", |p| p.citizen_reply, |p, v| p.citizen_reply = v)}
                            {check("my-mail-digest", "c-my-notifications-digest", |p| p.digest, |p, v| p.digest = v)}
                        </div>
                    </fieldset>
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="my-mail-save">
                        <span class="kern-label">{move || i18n.t("c-save")}</span></button>
                </form>
            </section>
            <crate::console::totp::MyTotp />
            <crate::console::sessions::MySessions />
        </div>
    }
}
