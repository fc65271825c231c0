//! Reply templates (Textbausteine) with their placeholders.

use leptos::prelude::*;

use augenmerk_domain::api::MunicipalitySettings;
use augenmerk_domain::templates::{PLACEHOLDERS, ReplyTemplate};

use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::console::api::use_api;
use crate::console::settings_io::{load_settings, save_settings};
use crate::console::use_console;
use crate::console::widgets::{Notice, TextArea, TextField};
use crate::i18n::use_i18n;

/// Reply templates (Textbausteine) with their placeholders.
#[component]
pub(super) fn Templates() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let settings: RwSignal<Option<MunicipalitySettings>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let t_id = RwSignal::new(String::new());
    let t_name = RwSignal::new(String::new());
    let t_body = RwSignal::new(String::new());
    let show = move |s: MunicipalitySettings| settings.set(Some(s));
    load_settings(api, show, error);
    let store = move |s: MunicipalitySettings| save_settings(api, console, s, show, "c-saved", error, notice);
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(mut s) = settings.get_untracked() else { return };
        let id = t_id.get_untracked().trim().to_lowercase().replace(' ', "-");
        if id.is_empty() || t_body.get_untracked().trim().is_empty() {
            error.set(Some(UiError::localized("c-e-template-incomplete")));
            return;
        }
        let template = ReplyTemplate {
            id: id.clone(),
            name: Some(t_name.get_untracked().trim().to_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| id.clone()),
            body: t_body.get_untracked().trim().to_owned(),
        };
        match s.reply_templates.iter_mut().find(|t| t.id == id) {
            Some(slot) => *slot = template,
            None => s.reply_templates.push(template),
        }
        t_id.set(String::new());
        t_name.set(String::new());
        t_body.set(String::new());
        store(s);
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="split">
            <section class="console-card" aria-labelledby="tpl-h">
                <h2 class="console-card__title" id="tpl-h">{move || i18n.t("c-config-templates")}</h2>
                <ul class="template-list" data-testid="template-list">
                    {move || settings.get().map(|s| s.reply_templates.into_iter().map(|t| {
                        let edit_t = t.clone();
                        let del_id = t.id.clone();
                        view! {
                            <li class="template-list__item">
                                <p class="template-list__name">{t.name.clone()}" "<span class="console-muted">"("{t.id.clone()}")"</span></p>
                                <p class="kern-body kern-body--small">{t.body.clone()}</p>
                                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| {
                                    t_id.set(edit_t.id.clone()); t_name.set(edit_t.name.clone()); t_body.set(edit_t.body.clone());
                                }><span class="kern-icon kern-icon--edit" aria-hidden="true"></span><span class="kern-label">{i18n.t("c-edit")}</span></button>
                                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| {
                                    if let Some(mut s) = settings.get_untracked() {
                                        s.reply_templates.retain(|x| x.id != del_id);
                                        store(s);
                                    }
                                }><span class="kern-icon kern-icon--delete" aria-hidden="true"></span><span class="kern-label">{i18n.t("c-delete")}</span></button>
                            </li>
                        }
                    }).collect_view())}
                </ul>
            </section>
            <section class="console-card" aria-labelledby="tpl-form-h">
                <h2 class="console-card__title" id="tpl-form-h">{move || i18n.t("c-template-add")}</h2>
                <form on:submit=submit>
                    <TextField id="tpl-id" label="c-id" value=t_id required=true />
                    <TextField id="tpl-name" label="c-name" value=t_name />
                    <TextArea id="tpl-body" label="c-template-body" value=t_body rows=5 />
                    <p class="kern-hint">{move || i18n.t("c-template-placeholders")}</p>
                    <ul class="placeholder-list">
                        {PLACEHOLDERS.iter().map(|(p, _)| {
                            let key = format!("c-placeholder-{p}");
                            view! { <li><code>{format!("{{{{{p}}}}}")}</code>" – "{move || i18n.t(&key)}</li> }
                        }).collect_view()}
                    </ul>
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="tpl-save">
                        <span class="kern-label">{move || i18n.t("c-save")}</span></button>
                </form>
            </section>
        </div>
    }
}
