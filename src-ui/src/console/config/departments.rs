//! Departments: list, add or rename, delete.

use leptos::prelude::*;

use augenmerk_domain::DepartmentId;
use augenmerk_domain::staff::Department;

use super::finish;
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::console::api::use_api;
use crate::console::use_console;
use crate::console::widgets::{Notice, TextField};
use crate::i18n::use_i18n;

/// Departments: list, add or rename, delete.
#[component]
pub(super) fn Departments() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let list: RwSignal<Vec<Department>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    // A list that could not be loaded says so: a stale table would hide what was just saved.
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api.departments().await {
                Ok(d) => list.set(d),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    reload();
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Ok(dept_id) = DepartmentId::parse(id.get_untracked().trim()) else {
            error.set(Some(UiError::localized("c-e-invalid-id")));
            return;
        };
        let dept = Department {
            id: dept_id.clone(),
            name: name.get_untracked().trim().to_owned(),
            email: Some(email.get_untracked().trim().to_owned()).filter(|s| !s.is_empty()),
        };
        leptos::task::spawn_local(async move {
            let result = api.save_department(&dept).await.map(|_| ());
            if result.is_ok() {
                id.set(String::new());
                name.set(String::new());
                email.set(String::new());
                reload();
                console.reload_refs(api);
            }
            finish(result, "c-saved", error, notice);
        });
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="split">
            <section class="console-card" aria-labelledby="dept-h">
                <h2 class="console-card__title" id="dept-h">{move || i18n.t("c-config-departments")}</h2>
                <table class="kern-table kern-table--small" data-testid="department-table">
                    <thead><tr class="kern-table__row">
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-name")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-id")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-email")}</th>
                        <th class="kern-table__header" scope="col"><span class="kern-sr-only">{move || i18n.t("c-actions")}</span></th>
                    </tr></thead>
                    <tbody class="kern-table__body">
                        {move || list.get().into_iter().map(|d| {
                            let did = d.id.to_string();
                            let edit_d = d.clone();
                            view! {
                                <tr class="kern-table__row">
                                    <td class="kern-table__cell">{d.name.clone()}</td>
                                    <td class="kern-table__cell">{did.clone()}</td>
                                    <td class="kern-table__cell">{d.email.clone().unwrap_or_default()}</td>
                                    <td class="kern-table__cell">
                                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| {
                                            id.set(edit_d.id.to_string()); name.set(edit_d.name.clone()); email.set(edit_d.email.clone().unwrap_or_default());
                                        }><span class="kern-icon kern-icon--edit" aria-hidden="true"></span>
                                            <span class="kern-label">{i18n.t("c-edit")}</span></button>
                                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| {
                                            let did = did.clone();
                                            leptos::task::spawn_local(async move {
                                                let result = api.delete_department(&did).await;
                                                if result.is_ok() { reload(); console.reload_refs(api); }
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
            <section class="console-card" aria-labelledby="dept-form-h">
                <h2 class="console-card__title" id="dept-form-h">{move || i18n.t("c-dept-add")}</h2>
                <form on:submit=submit>
                    <TextField id="dept-id" label="c-id" value=id hint="c-id-hint" required=true />
                    <TextField id="dept-name" label="c-name" value=name required=true />
                    <TextField id="dept-email" label="c-email" value=email input_type="email" />
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="dept-save">
                        <span class="kern-label">{move || i18n.t("c-save")}</span></button>
                </form>
            </section>
        </div>
    }
}
