//! The public map and open data, for admins: on or off, the privacy grid, photos, the
//! open data's licence and the websites that may embed the map. The citizens' own text is
//! switched on the appearance page (it reaches Open311 too); each report's exact position
//! and approval are chosen on its case page.

use leptos::prelude::*;

use augenmerk_domain::api::MunicipalitySettings;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::public_map::DEFAULT_LICENCE;

use crate::backend::UiError;
use crate::components::errors::{ErrorAlert, FieldProblem};
use crate::console::api::use_api;
use crate::console::settings_io::{load_settings, save_settings};
use crate::console::use_console;
use crate::console::widgets::Notice;
use crate::i18n::use_i18n;

/// The licences offered, as DCAT-AP.de names them (the open data's description turns
/// them into licence URIs), with their texts' keys. Data Licence Germany Zero first: the
/// default, and what the open-data portals of the Länder recommend.
const LICENCES: [(&str, &str); 4] = [
    (DEFAULT_LICENCE, "c-public-licence-dl-zero"),
    ("dl-de/by-2-0", "c-public-licence-dl-by"),
    ("cc-zero", "c-public-licence-cc-zero"),
    ("cc-by/4.0", "c-public-licence-cc-by"),
];

/// Where the server's field paths for the embedding origins start (`….{index}`).
const FRAME_FIELD: &str = "public.frame_ancestors.";

/// The origins as the text area shows them: one a line.
fn origins_text(origins: &[String]) -> String {
    origins.join("\n")
}

/// The origins of the text area: one a line, blank lines dropped.
fn origins_of(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The public map's section of the configuration.
#[component]
pub(super) fn PublicMap() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let settings: RwSignal<Option<MunicipalitySettings>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let enabled = RwSignal::new(true);
    let grid = RwSignal::new(String::new());
    let photos = RwSignal::new(false);
    let licence = RwSignal::new(DEFAULT_LICENCE.to_owned());
    let frames = RwSignal::new(String::new());
    let problems = Signal::derive(move || error.with(|e| e.as_ref().map(|e| e.details.clone()).unwrap_or_default()));
    let show = move |s: MunicipalitySettings| {
        let p = &s.public;
        enabled.set(p.enabled);
        grid.set(p.grid_m.to_string());
        photos.set(p.publish_photos);
        licence.set(p.licence.clone());
        frames.set(origins_text(&p.frame_ancestors));
        settings.set(Some(s));
    };
    load_settings(api, show, error);
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(mut s) = settings.get_untracked() else { return };
        // A grid that is no number is refused here with the server's words for a grid
        // out of range, under the same field: sending it would need a made-up value.
        let Ok(grid_m) = grid.get_untracked().trim().parse::<u32>() else {
            error.set(Some(UiError {
                details: vec![FieldError::new("public.grid_m", "out_of_range")],
                ..UiError::localized("c-public-problems")
            }));
            notice.set(None);
            return;
        };
        s.public.enabled = enabled.get_untracked();
        s.public.grid_m = grid_m;
        s.public.publish_photos = photos.get_untracked();
        s.public.licence = licence.get_untracked();
        s.public.frame_ancestors = origins_of(&frames.get_untracked());
        save_settings(api, console, s, show, "c-public-saved", error, notice);
    };
    // The licence stored may be one this list does not offer (set through the API): it
    // stays selectable, so saving the other fields does not change it. The options follow
    // what was loaded or saved, not each choice, so choosing does not rebuild the list.
    let licence_options = move || {
        let stored = settings.with(|s| s.as_ref().map(|s| s.public.licence.clone()).unwrap_or_default());
        let current = licence.get_untracked();
        let mut options: Vec<(String, String)> = LICENCES
            .iter()
            .map(|(id, key)| ((*id).to_owned(), i18n.t(key)))
            .collect();
        if !stored.is_empty() && !options.iter().any(|(id, _)| *id == stored) {
            options.push((stored.clone(), stored));
        }
        options
            .into_iter()
            .map(|(id, text)| {
                let selected = id == current;
                view! { <option value=id selected=selected>{text}</option> }
            })
            .collect_view()
    };
    // The server names a refused origin by its index among those sent (blank lines are
    // not sent, so the index counts the origins, not the lines).
    let frame_problems = move || {
        let sent = origins_of(&frames.get_untracked());
        problems
            .get()
            .into_iter()
            .filter_map(|p| p.field.strip_prefix(FRAME_FIELD).and_then(|i| i.parse::<usize>().ok()))
            .map(|i| {
                let origin = sent.get(i).cloned().unwrap_or_default();
                view! {
                    <p class="kern-error" role="alert" data-testid="public-frame-problem">
                        <span class="kern-icon kern-icon--danger kern-icon--small" aria-hidden="true"></span>
                        <span>{i18n.t_args("c-public-frame-invalid", &[("origin", origin.into())])}</span>
                    </p>
                }
            })
            .collect_view()
    };
    let embed_code = move || {
        let key = api
            .session
            .with(|s| s.as_ref().map(|s| s.user.municipality.to_string()).unwrap_or_default());
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        format!(
            "<iframe src=\"{origin}/embed/{key}\" title=\"{}\" width=\"100%\" height=\"500\"></iframe>",
            i18n.t("c-public-embed-title")
        )
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        // novalidate: the server checks the grid and the origins and names the field.
        <form on:submit=save data-testid="public-config" novalidate>
            <section class="console-card" aria-labelledby="public-map-h">
                <h2 class="console-card__title" id="public-map-h">{move || i18n.t("c-config-public")}</h2>
                <p class="kern-hint">{move || i18n.t("c-public-hint")}</p>
                <div class="kern-form-check">
                    <input class="kern-form-check__checkbox" type="checkbox" id="public-enabled" data-testid="public-enabled"
                        aria-describedby="public-enabled-hint" prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev)) />
                    <label class="kern-label" for="public-enabled">{move || i18n.t("c-public-enabled")}</label>
                </div>
                <p class="kern-hint" id="public-enabled-hint">{move || i18n.t("c-public-enabled-hint")}</p>
                <div class="kern-form-input">
                    <label class="kern-label" for="public-grid">{move || i18n.t("c-public-grid")}</label>
                    <p class="kern-hint" id="public-grid-hint">{move || i18n.t("c-public-grid-hint")}</p>
                    <input class="kern-form-input__input kern-form-input__input--width-4" id="public-grid" data-testid="public-grid"
                        type="number" inputmode="numeric" min="10" max="5000" step="1" aria-describedby="public-grid-hint"
                        prop:value=move || grid.get() on:input=move |ev| grid.set(event_target_value(&ev)) />
                </div>
                <FieldProblem problems=problems field="public.grid_m" />
                <div class="kern-form-check">
                    <input class="kern-form-check__checkbox" type="checkbox" id="public-photos" data-testid="public-photos"
                        aria-describedby="public-photos-hint"
                        prop:checked=move || photos.get() on:change=move |ev| photos.set(event_target_checked(&ev)) />
                    <label class="kern-label" for="public-photos">{move || i18n.t("c-public-photos")}</label>
                </div>
                <p class="kern-hint" id="public-photos-hint">{move || i18n.t("c-public-photos-hint")}</p>
            </section>
            <section class="console-card" aria-labelledby="public-open-data-h">
                <h2 class="console-card__title" id="public-open-data-h">{move || i18n.t("c-public-open-data")}</h2>
                <div class="kern-form-input">
                    <label class="kern-label" for="public-licence">{move || i18n.t("c-public-licence")}</label>
                    <p class="kern-hint" id="public-licence-hint">{move || i18n.t("c-public-licence-hint")}</p>
                    <div class="kern-form-input__select-wrapper">
                        <select class="kern-form-input__select" id="public-licence" data-testid="public-licence"
                            aria-describedby="public-licence-hint" on:change=move |ev| licence.set(event_target_value(&ev))>
                            {licence_options}
                        </select>
                    </div>
                </div>
                <FieldProblem problems=problems field="public.licence" />
            </section>
            <section class="console-card" aria-labelledby="public-embed-h">
                <h2 class="console-card__title" id="public-embed-h">{move || i18n.t("c-public-embed")}</h2>
                <div class="kern-form-input">
                    <label class="kern-label" for="public-frames">{move || i18n.t("c-public-frames")}</label>
                    <p class="kern-hint" id="public-frames-hint">{move || i18n.t("c-public-frames-hint")}</p>
                    <textarea class="kern-form-input__input" id="public-frames" data-testid="public-frames" rows="4"
                        aria-describedby="public-frames-hint" spellcheck="false" autocapitalize="off"
                        prop:value=move || frames.get() on:input=move |ev| frames.set(event_target_value(&ev))></textarea>
                </div>
                {frame_problems}
                <p class="kern-body kern-body--small">{move || i18n.t("c-public-embed-code")}</p>
                <pre class="public-embed-code"><code data-testid="public-embed-code">{embed_code}</code></pre>
            </section>
            <div class="console-page__actions">
                <button type="submit" class="kern-btn kern-btn--primary" data-testid="public-save">
                    <span class="kern-label">{move || i18n.t("c-save")}</span></button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_one_a_line_without_blank_lines() {
        let text = " https://www.flensburg.de \n\n  http://localhost:8080\n";
        assert_eq!(origins_of(text), ["https://www.flensburg.de", "http://localhost:8080"]);
        assert_eq!(
            origins_text(&origins_of(text)),
            "https://www.flensburg.de\nhttp://localhost:8080"
        );
        assert!(origins_of("  \n").is_empty());
    }
}
