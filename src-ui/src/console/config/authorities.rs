//! External authorities (Kreis, Landesbetrieb, Bahn): the places a report outside the
//! municipality's remit is forwarded to. Here they are added, renamed and removed; how
//! forwarded reports reach each one (mailbox, Open311) is set in the mail section
//! (`mail_settings`), which edits the same list. An authority's id is fixed once it
//! exists, because rules and forwarded reports refer to it; the server refuses removing
//! one that a rule forwards to.

use leptos::prelude::*;

use augenmerk_domain::AuthorityId;
use augenmerk_domain::api::MunicipalitySettings;
use augenmerk_domain::staff::ExternalAuthority;

use crate::backend::UiError;
use crate::components::errors::{ErrorAlert, FieldProblem};
use crate::console::Page;
use crate::console::api::use_api;
use crate::console::settings_io::{load_settings, save_settings};
use crate::console::use_console;
use crate::console::widgets::{Notice, TextField};
use crate::i18n::use_i18n;

/// How forwarded reports reach an authority, as a Fluent key.
fn delivery_key(a: &ExternalAuthority) -> &'static str {
    match (a.email.is_some(), a.open311.is_some()) {
        (true, true) => "c-authority-by-both",
        (true, false) => "c-authority-by-mail",
        (false, true) => "c-authority-by-open311",
        (false, false) => "c-authority-by-none",
    }
}

/// The list with `edited` put in: replaces the authority with its id, or appends it.
/// Delivery settings of an existing authority stay as they are.
fn with_authority(mut list: Vec<ExternalAuthority>, id: AuthorityId, name: String) -> Vec<ExternalAuthority> {
    match list.iter_mut().find(|a| a.id == id) {
        Some(a) => a.name = name,
        None => list.push(ExternalAuthority {
            id,
            name,
            email: None,
            open311: None,
        }),
    }
    list
}

/// External authorities: list, add, rename, remove.
#[component]
pub(super) fn Authorities() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let settings: RwSignal<Option<MunicipalitySettings>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    // The id of the authority being renamed (its id field is then fixed).
    let editing: RwSignal<Option<String>> = RwSignal::new(None);
    let problems = Signal::derive(move || error.with(|e| e.as_ref().map(|e| e.details.clone()).unwrap_or_default()));
    let show = move |s: MunicipalitySettings| settings.set(Some(s));
    load_settings(api, show, error);
    let reset = move || {
        id.set(String::new());
        name.set(String::new());
        editing.set(None);
    };
    let store = move |authorities: Vec<ExternalAuthority>, ok: &'static str| {
        let Some(mut s) = settings.get_untracked() else { return };
        s.authorities = authorities;
        let shown = move |saved: MunicipalitySettings| {
            reset();
            settings.set(Some(saved));
        };
        save_settings(api, console, s, shown, ok, error, notice);
    };
    // Removing: the server refuses (409) while a rule forwards to the authority; that is
    // said in so many words rather than as a general conflict.
    let remove = move |rest: Vec<ExternalAuthority>| {
        let Some(mut s) = settings.get_untracked() else { return };
        s.authorities = rest;
        leptos::task::spawn_local(async move {
            match api.save_settings(&s).await {
                Ok(saved) => {
                    reset();
                    settings.set(Some(saved));
                    console.reload_refs(api);
                    error.set(None);
                    notice.set(Some("c-deleted"));
                }
                Err(e) => {
                    notice.set(None);
                    let in_use = e.code.as_deref() == Some("conflict");
                    error.set(Some(if in_use {
                        UiError::localized("c-authority-in-use")
                    } else {
                        e
                    }));
                }
            }
        });
    };
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Ok(authority_id) = AuthorityId::parse(id.get_untracked().trim()) else {
            notice.set(None);
            error.set(Some(UiError::localized("c-e-invalid-id")));
            return;
        };
        let current = settings.with_untracked(|s| s.as_ref().map(|s| s.authorities.clone()).unwrap_or_default());
        // A new authority must not take an existing one's id (that would rename it).
        if editing.get_untracked().is_none() && current.iter().any(|a| a.id == authority_id) {
            notice.set(None);
            error.set(Some(UiError::localized("c-authority-id-taken")));
            return;
        }
        let list = with_authority(current, authority_id, name.get_untracked().trim().to_owned());
        store(list, "c-saved");
    };
    let rows = move || {
        let list = settings.with(|s| s.as_ref().map(|s| s.authorities.clone()).unwrap_or_default());
        list.into_iter()
            .map(|a| {
                let aid = a.id.to_string();
                let (edit_id, edit_name) = (aid.clone(), a.name.clone());
                let remove_id = a.id.clone();
                let edit_label = i18n.t_args("c-authority-edit-label", &[("name", a.name.clone().into())]);
                let remove_label = i18n.t_args("c-authority-remove-label", &[("name", a.name.clone().into())]);
                view! {
                    <tr class="kern-table__row" data-testid="authority-row" data-id=aid.clone()>
                        <th class="kern-table__cell" scope="row">
                            <span data-testid="authority-row-name">{a.name.clone()}</span>
                        </th>
                        <td class="kern-table__cell">{aid.clone()}</td>
                        <td class="kern-table__cell" data-testid="authority-delivery-kind">{i18n.t(delivery_key(&a))}</td>
                        <td class="kern-table__cell">
                            <div class="console-card__tools">
                                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small"
                                    data-testid="authority-edit" aria-label=edit_label on:click=move |_| {
                                        id.set(edit_id.clone());
                                        name.set(edit_name.clone());
                                        editing.set(Some(edit_id.clone()));
                                    }>
                                    <span class="kern-icon kern-icon--edit" aria-hidden="true"></span>
                                    <span class="kern-label">{i18n.t("c-edit")}</span></button>
                                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small"
                                    data-testid="authority-remove" aria-label=remove_label on:click=move |_| {
                                        let rest = settings.with_untracked(|s| {
                                            s.as_ref().map(|s| s.authorities.iter().filter(|x| x.id != remove_id).cloned().collect())
                                                .unwrap_or_default()
                                        });
                                        remove(rest);
                                    }>
                                    <span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                                    <span class="kern-label">{i18n.t("c-delete")}</span></button>
                            </div>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="split">
            <section class="console-card" aria-labelledby="authorities-h">
                <h2 class="console-card__title" id="authorities-h">{move || i18n.t("c-config-authorities")}</h2>
                <p class="kern-hint">{move || i18n.t("c-authorities-hint")}
                    " " <a class="kern-link" href=Page::Config("mail".into()).href() data-testid="authorities-to-mail">
                        {move || i18n.t("c-authorities-to-mail")}</a></p>
                <div class="kern-table-responsive">
                    <table class="kern-table kern-table--small" data-testid="authority-table">
                        <thead><tr class="kern-table__row">
                            <th class="kern-table__header" scope="col">{move || i18n.t("c-name")}</th>
                            <th class="kern-table__header" scope="col">{move || i18n.t("c-id")}</th>
                            <th class="kern-table__header" scope="col">{move || i18n.t("c-authority-delivery")}</th>
                            <th class="kern-table__header" scope="col"><span class="kern-sr-only">{move || i18n.t("c-actions")}</span></th>
                        </tr></thead>
                        <tbody class="kern-table__body">{rows}</tbody>
                    </table>
                </div>
            </section>
            <section class="console-card" aria-labelledby="authority-form-h">
                <h2 class="console-card__title" id="authority-form-h">{move || i18n.t(
                    if editing.get().is_some() { "c-authority-rename" } else { "c-authority-add" })}</h2>
                <form on:submit=submit novalidate>
                    {move || match editing.get() {
                        // Rules and forwarded reports refer to the id: it stays.
                        Some(fixed) => view! {
                            <div class="kern-form-input">
                                <label class="kern-label" for="authority-id">{i18n.t("c-id")}</label>
                                <input class="kern-form-input__input" id="authority-id" data-testid="authority-id"
                                    readonly=true prop:value=fixed />
                            </div>
                        }.into_any(),
                        None => view! { <TextField id="authority-id" label="c-id" value=id hint="c-id-hint" required=true /> }.into_any(),
                    }}
                    <TextField id="authority-name" label="c-name" value=name required=true />
                    // The server names the field by the authority's place in the list.
                    {move || {
                        let place = settings.with(|s| s.as_ref().map(|s| {
                            let edited = editing.get();
                            s.authorities.iter().position(|a| Some(a.id.to_string()) == edited).unwrap_or(s.authorities.len())
                        }).unwrap_or_default());
                        view! { <FieldProblem problems=problems field=format!("authorities.{place}.name") /> }
                    }}
                    <div class="console-page__actions">
                        <button type="submit" class="kern-btn kern-btn--primary" data-testid="authority-save">
                            <span class="kern-label">{move || i18n.t("c-save")}</span></button>
                        {move || editing.get().is_some().then(|| view! {
                            <button type="button" class="kern-btn kern-btn--secondary" data-testid="authority-cancel"
                                on:click=move |_| reset()>
                                <span class="kern-label">{i18n.t("c-cancel")}</span></button>
                        })}
                    </div>
                </form>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use augenmerk_domain::AuthorityId;
    use augenmerk_domain::staff::ExternalAuthority;

    use super::with_authority;

    fn id(s: &str) -> AuthorityId {
        AuthorityId::parse(s).expect("id")
    }

    #[test]
    fn a_new_authority_is_appended_and_an_existing_one_renamed_keeping_its_delivery() {
        let kreis = ExternalAuthority {
            id: id("kreis"),
            name: "Kreis".into(),
            email: Some("kreis@example.org".into()),
            open311: None,
        };
        let list = with_authority(vec![kreis], id("wsa"), "Wasserstraßenamt".into());
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].name, "Wasserstraßenamt");
        let list = with_authority(list, id("kreis"), "Kreis Schleswig-Flensburg".into());
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].name, "Kreis Schleswig-Flensburg");
        assert_eq!(list[0].email.as_deref(), Some("kreis@example.org"));
    }
}
