//! Named areas: list, delete, import from a GeoJSON file.

use leptos::prelude::*;

use super::finish;
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::console::api::use_api;
use crate::console::use_console;
use crate::console::widgets::{Notice, TextArea, TextField, read_chosen_file};
use crate::i18n::use_i18n;

/// Named areas: list, delete, import from a GeoJSON file.
#[component]
pub(super) fn Areas() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let name_property = RwSignal::new("name".to_owned());
    let geojson = RwSignal::new(String::new());
    let import = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let body = geojson.get_untracked();
        if body.trim().is_empty() {
            error.set(Some(UiError::localized("c-e-geojson-missing")));
            return;
        }
        let prop = name_property.get_untracked();
        leptos::task::spawn_local(async move {
            let result = api.import_areas(prop.trim(), body).await;
            if result.is_ok() {
                geojson.set(String::new());
                console.reload_refs(api);
            }
            finish(result, "c-areas-imported", error, notice);
        });
    };
    let read_file = move |ev: web_sys::Event| {
        read_chosen_file(&ev, move |text| geojson.set(text), move |e| error.set(Some(e)));
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="split">
            <section class="console-card" aria-labelledby="areas-h">
                <h2 class="console-card__title" id="areas-h">{move || i18n.t("c-config-areas")}</h2>
                <table class="kern-table kern-table--small" data-testid="area-table">
                    <thead><tr class="kern-table__row">
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-name")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-id")}</th>
                        <th class="kern-table__header" scope="col"><span class="kern-sr-only">{move || i18n.t("c-actions")}</span></th>
                    </tr></thead>
                    <tbody class="kern-table__body">
                        {move || console.refs.get().areas.into_iter().map(|a| {
                            let aid = a.id.to_string();
                            view! {
                                <tr class="kern-table__row">
                                    <td class="kern-table__cell">{a.name.clone()}</td>
                                    <td class="kern-table__cell">{aid.clone()}</td>
                                    <td class="kern-table__cell">
                                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| {
                                            let aid = aid.clone();
                                            leptos::task::spawn_local(async move {
                                                let result = api.delete_area(&aid).await;
                                                if result.is_ok() { console.reload_refs(api); }
                                                finish(result, "c-deleted", error, notice);
                                            });
                                        }><span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                                            <span class="kern-label">{i18n.t("c-delete")}</span></button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
            <section class="console-card" aria-labelledby="areas-import-h">
                <h2 class="console-card__title" id="areas-import-h">{move || i18n.t("c-areas-import")}</h2>
                <p class="kern-hint">{move || i18n.t("c-areas-import-hint")}</p>
                <form on:submit=import>
                    <div class="kern-form-input">
                        <label class="kern-label" for="areas-file">{move || i18n.t("c-areas-file")}</label>
                        <input class="kern-form-input__input" type="file" id="areas-file" data-testid="areas-file"
                            accept=".geojson,.json,application/geo+json,application/json" on:change=read_file />
                    </div>
                    <TextField id="areas-name-property" label="c-areas-name-property" value=name_property />
                    <TextArea id="areas-geojson" label="c-areas-geojson" value=geojson rows=6 />
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="areas-import">
                        <span class="kern-icon kern-icon--drive-folder-upload" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-areas-import-submit")}</span></button>
                </form>
            </section>
        </div>
    }
}
