//! The municipality's boundary: a GeoJSON file is uploaded and checked by the server,
//! the new line is shown on the map over the current one, and only the confirmation
//! stores it (then reports are placed by the new line). Until then nothing changes.

use leptos::prelude::*;

use augenmerk_domain::public::GemeindeInfo;

use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::console::api::{municipality_config, use_api};
use crate::console::map::{self, Shape};
use crate::console::use_console;
use crate::console::widgets::{Notice, TextArea, read_chosen_file};
use crate::i18n::use_i18n;

const MAP: &str = "boundary-map";

/// The shapes of the map: the current line (thin) and, if there is one, the checked
/// upload (the boundary style).
fn shapes(current: &[serde_json::Value], preview: &[GemeindeInfo], current_label: &str) -> Vec<Shape> {
    let old = current.iter().map(|g| Shape {
        geometry: g.clone(),
        label: current_label.to_owned(),
        kind: "area",
    });
    let new = preview.iter().filter_map(|g| {
        Some(Shape {
            geometry: g.boundary.clone()?,
            label: g.name.clone(),
            kind: "boundary",
        })
    });
    old.chain(new).collect()
}

/// Upload, preview, confirm.
#[component]
pub(super) fn Boundary() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let geojson = RwSignal::new(String::new());
    let current: RwSignal<Option<Vec<serde_json::Value>>> = RwSignal::new(None);
    // What the server would store, for the text it was checked with.
    let preview: RwSignal<Option<(String, Vec<GemeindeInfo>)>> = RwSignal::new(None);
    let drawn = RwSignal::new(false);
    let load = move || {
        let Some(ags) = api
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.user.municipality.clone()))
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            match municipality_config(&ags).await {
                Ok(c) => current.set(Some(c.boundary.into_iter().filter(|b| !b.is_null()).collect())),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    Effect::new(move |_| {
        let Some(old) = current.get() else { return };
        let new = preview.with(|p| p.as_ref().map(|(_, g)| g.clone()).unwrap_or_default());
        let drawn_now = map::draw(
            MAP,
            &console.tiles.get_untracked(),
            &shapes(&old, &new, &i18n.t("c-boundary-current")),
            &[],
            12,
        );
        drawn.set(drawn_now);
    });
    on_cleanup(|| map::remove(MAP));
    // A changed text must be checked again before it can be confirmed.
    Effect::new(move |_| {
        let text = geojson.get();
        if preview.with_untracked(|p| p.as_ref().is_some_and(|(checked, _)| *checked != text)) {
            preview.set(None);
        }
    });
    let check = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let text = geojson.get_untracked();
        if text.trim().is_empty() {
            error.set(Some(UiError::localized("c-e-geojson-missing")));
            return;
        }
        leptos::task::spawn_local(async move {
            match api.check_boundary(text.clone()).await {
                Ok(g) => {
                    error.set(None);
                    notice.set(Some("c-boundary-checked"));
                    preview.set(Some((text, g)));
                }
                Err(e) => {
                    notice.set(None);
                    preview.set(None);
                    error.set(Some(e));
                }
            }
        });
    };
    let confirm = move |_| {
        let Some((text, _)) = preview.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api.replace_boundary(text).await {
                Ok(_) => {
                    error.set(None);
                    notice.set(Some("c-boundary-replaced"));
                    preview.set(None);
                    geojson.set(String::new());
                    load();
                }
                Err(e) => {
                    notice.set(None);
                    error.set(Some(e));
                }
            }
        });
    };
    let read_file = move |ev: web_sys::Event| {
        read_chosen_file(&ev, move |text| geojson.set(text), move |e| error.set(Some(e)));
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="split">
            <section class="console-card" aria-labelledby="boundary-h">
                <h2 class="console-card__title" id="boundary-h">{move || i18n.t("c-config-boundary")}</h2>
                <p class="kern-hint">{move || i18n.t("c-boundary-hint")}</p>
                <form on:submit=check>
                    <div class="kern-form-input">
                        <label class="kern-label" for="boundary-file">{move || i18n.t("c-areas-file")}</label>
                        <input class="kern-form-input__input" type="file" id="boundary-file" data-testid="boundary-file"
                            accept=".geojson,.json,application/geo+json,application/json" on:change=read_file />
                    </div>
                    <TextArea id="boundary-geojson" label="c-areas-geojson" value=geojson rows=6 />
                    <button type="submit" class="kern-btn kern-btn--secondary" data-testid="boundary-check">
                        <span class="kern-icon kern-icon--search" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-boundary-check")}</span></button>
                </form>
                {move || preview.get().map(|(_, gemeinden)| view! {
                    <div class="console-card" data-testid="boundary-preview">
                        <p class="kern-body">{i18n.t("c-boundary-preview")}</p>
                        <ul class="kern-list">
                            {gemeinden.into_iter().map(|g| view! { <li>{format!("{} ({})", g.name, g.ags)}</li> }).collect_view()}
                        </ul>
                        <button type="button" class="kern-btn kern-btn--primary" data-testid="boundary-confirm" on:click=confirm>
                            <span class="kern-icon kern-icon--check" aria-hidden="true"></span>
                            <span class="kern-label">{i18n.t("c-boundary-confirm")}</span></button>
                    </div>
                })}
            </section>
            <section class="console-card" aria-labelledby="boundary-map-h">
                <h2 class="console-card__title" id="boundary-map-h">{move || i18n.t("c-boundary-map")}</h2>
                <p class="kern-hint">{move || i18n.t("c-boundary-map-hint")}</p>
                <div id=MAP class="console-map" role="region" aria-label=move || i18n.t("c-boundary-map")
                    data-testid=MAP data-drawn=move || drawn.get().to_string()
                    data-preview=move || preview.with(Option::is_some).to_string()></div>
            </section>
        </div>
    }
}
