//! The municipality's look: accent colour and logo.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use augenmerk_domain::api::MunicipalitySettings;

use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::console::api::use_api;
use crate::console::settings_io::{load_settings, save_settings};
use crate::console::use_console;
use crate::console::widgets::{Notice, TextField};
use crate::i18n::use_i18n;

/// The municipality's look: accent colour and logo (the server checks contrast and format).
#[component]
pub(super) fn Appearance() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let settings: RwSignal<Option<MunicipalitySettings>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let accent = RwSignal::new(String::new());
    let logo: RwSignal<Option<String>> = RwSignal::new(None);
    let publish_text = RwSignal::new(false);
    let show = move |s: MunicipalitySettings| {
        accent.set(s.accent_color.clone().unwrap_or_default());
        logo.set(s.logo.clone());
        publish_text.set(s.publish_text);
        settings.set(Some(s));
    };
    load_settings(api, show, error);
    let read_logo = move |ev: web_sys::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let mime = file.type_();
        leptos::task::spawn_local(async move {
            match JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => {
                    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                    logo.set(Some(format!("data:{mime};base64,{}", STANDARD.encode(&bytes))));
                }
                Err(e) => error.set(Some(UiError::unexpected(format!("{e:?}")))),
            }
        });
    };
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(mut s) = settings.get_untracked() else { return };
        s.accent_color = Some(accent.get_untracked().trim().to_owned()).filter(|c| !c.is_empty());
        s.logo = logo.get_untracked();
        s.publish_text = publish_text.get_untracked();
        save_settings(api, console, s, show, "c-appearance-saved", error, notice);
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="split">
            <section class="console-card" aria-labelledby="appearance-h">
                <h2 class="console-card__title" id="appearance-h">{move || i18n.t("c-config-appearance")}</h2>
                <p class="kern-hint">{move || i18n.t("c-appearance-hint")}</p>
                <form on:submit=save>
                    <TextField id="appearance-accent" label="c-appearance-accent" value=accent hint="c-appearance-accent-hint" />
                    <div class="kern-form-input">
                        <label class="kern-label" for="appearance-logo">{move || i18n.t("c-appearance-logo")}</label>
                        <input class="kern-form-input__input" type="file" id="appearance-logo" data-testid="appearance-logo"
                            accept="image/png,image/jpeg,image/webp,image/svg+xml" on:change=read_logo />
                    </div>
                    // What the public feeds show of a citizen's own words (off by default).
                    <div class="kern-form-check">
                        <input class="kern-form-check__checkbox" type="checkbox" id="appearance-publish-text" data-testid="appearance-publish-text"
                            aria-describedby="appearance-publish-text-hint"
                            prop:checked=move || publish_text.get() on:change=move |ev| publish_text.set(event_target_checked(&ev)) />
                        <label class="kern-label" for="appearance-publish-text">{move || i18n.t("c-appearance-publish-text")}</label>
                    </div>
                    <p class="kern-hint" id="appearance-publish-text-hint">{move || i18n.t("c-appearance-publish-text-hint")}</p>
                    <div class="console-page__actions">
                        <button type="submit" class="kern-btn kern-btn--primary" data-testid="appearance-save">
                            <span class="kern-label">{move || i18n.t("c-save")}</span></button>
                        <button type="button" class="kern-btn kern-btn--tertiary" on:click=move |_| logo.set(None)>
                            <span class="kern-label">{move || i18n.t("c-appearance-logo-remove")}</span></button>
                    </div>
                </form>
            </section>
            <section class="console-card" aria-labelledby="appearance-preview-h">
                <h2 class="console-card__title" id="appearance-preview-h">{move || i18n.t("c-appearance-preview")}</h2>
                <div class="appearance-preview" style=move || {
                    let c = accent.get();
                    if c.trim().is_empty() { String::new() } else { format!("--app-accent: {}", c.trim()) }
                }>
                    {move || logo.get().map(|l| view! { <img class="appearance-preview__logo" src=l alt=i18n.t("c-appearance-logo") /> })}
                    <span class="appearance-preview__button">{move || i18n.t("c-appearance-sample-button")}</span>
                </div>
            </section>
        </div>
    }
}
