//! Open311 API keys: the systems (a city app, a partner's platform) that submit reports
//! through the Open311 interface. An admin issues a key with the hosts its photos may be
//! fetched from; the secret is shown once, right after issuing, and never again (the
//! server keeps only its hash). The photo hosts of a working key can be changed later.
//! Revoked keys stay listed with the date they stopped.

use leptos::prelude::*;

use augenmerk_domain::api::NewApiKey;
use augenmerk_domain::staff::ApiKeyInfo;

use super::finish;
use crate::backend::UiError;
use crate::components::errors::{ErrorAlert, FieldProblem};
use crate::console::api::use_api;
use crate::console::widgets::{Notice, TextArea, TextField};
use crate::format::date_time;
use crate::i18n::use_i18n;

/// The host names of the form's text: one per line or separated by commas or spaces.
fn media_hosts(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The API keys: list, issue (secret shown once), revoke.
#[component]
pub(super) fn ApiKeys() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let list: RwSignal<Vec<ApiKeyInfo>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let name = RwSignal::new(String::new());
    let hosts = RwSignal::new(String::new());
    // The secret of the key just issued: shown until the page is left.
    let secret: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    let problems = Signal::derive(move || error.with(|e| e.as_ref().map(|e| e.details.clone()).unwrap_or_default()));
    // The key whose photo hosts are being changed (id, name), the form's text and its
    // refusal (shown at that form, not at the one for a new key).
    let editing: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    let edit_hosts = RwSignal::new(String::new());
    let edit_error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let edit_problems =
        Signal::derive(move || edit_error.with(|e| e.as_ref().map(|e| e.details.clone()).unwrap_or_default()));
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api.api_keys().await {
                Ok(mut keys) => {
                    // Working keys first, the newest on top.
                    keys.sort_by(|a, b| {
                        (a.revoked_at.is_some(), b.created_at).cmp(&(b.revoked_at.is_some(), a.created_at))
                    });
                    list.set(keys);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    reload();
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let new = NewApiKey {
            name: name.get_untracked().trim().to_owned(),
            media_hosts: media_hosts(&hosts.get_untracked()),
        };
        leptos::task::spawn_local(async move {
            let result = api.create_api_key(&new).await.map(|issued| {
                secret.set(Some((issued.key.name.clone(), issued.api_key)));
                name.set(String::new());
                hosts.set(String::new());
                reload();
            });
            finish(result, "c-api-key-issued", error, notice);
        });
    };
    let revoke = move |id: String| {
        leptos::task::spawn_local(async move {
            let result = api.revoke_api_key(&id).await;
            if result.is_ok() {
                reload();
            }
            finish(result, "c-api-key-revoked", error, notice);
        });
    };
    let save_hosts = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some((id, _)) = editing.get_untracked() else { return };
        let new_hosts = media_hosts(&edit_hosts.get_untracked());
        leptos::task::spawn_local(async move {
            match api.set_api_key_hosts(&id, new_hosts).await {
                Ok(_) => {
                    edit_error.set(None);
                    editing.set(None);
                    reload();
                    finish(Ok(()), "c-api-key-hosts-saved", error, notice);
                }
                Err(e) => edit_error.set(Some(e)),
            }
        });
    };
    let rows = move || {
        let lang = i18n.lang();
        list.get()
            .into_iter()
            .map(|k| {
                let id = k.id.to_string();
                let revoke_id = id.clone();
                let label = i18n.t_args("c-api-key-revoke-label", &[("name", k.name.clone().into())]);
                let hosts = if k.media_hosts.is_empty() { "–".to_owned() } else { k.media_hosts.join(", ") };
                let edit_label = i18n.t_args("c-api-key-edit-hosts-label", &[("name", k.name.clone().into())]);
                let edit = (id.clone(), k.name.clone(), k.media_hosts.join("\n"));
                let state = match k.revoked_at {
                    Some(at) => i18n.t_args("c-api-key-revoked-at", &[("date", date_time(lang, at).into())]),
                    None => i18n.t("c-api-key-active"),
                };
                let active = k.revoked_at.is_none();
                view! {
                    <tr class="kern-table__row" data-testid="api-key-row" data-id=id.clone() data-active=active.to_string()>
                        <th class="kern-table__cell" scope="row">{k.name.clone()}</th>
                        <td class="kern-table__cell" data-testid="api-key-hosts">{hosts}</td>
                        <td class="kern-table__cell">{date_time(lang, k.created_at)}</td>
                        <td class="kern-table__cell" data-testid="api-key-state">{state}</td>
                        <td class="kern-table__cell">
                            {active.then(|| view! {
                                <div class="console-card__tools">
                                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small"
                                    data-testid="api-key-edit-hosts" aria-label=edit_label
                                    on:click=move |_| {
                                        let (id, name, text) = edit.clone();
                                        edit_hosts.set(text);
                                        edit_error.set(None);
                                        editing.set(Some((id, name)));
                                        crate::console::platform::focus_soon("api-key-edit-hosts-input");
                                    }>
                                    <span class="kern-icon kern-icon--edit" aria-hidden="true"></span>
                                    <span class="kern-label">{i18n.t("c-api-key-edit-hosts")}</span>
                                </button>
                                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small"
                                    data-testid="api-key-revoke" aria-label=label on:click=move |_| revoke(revoke_id.clone())>
                                    <span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                                    <span class="kern-label">{i18n.t("c-api-key-revoke")}</span>
                                </button>
                                </div>
                            })}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        {move || secret.get().map(|(key_name, value)| view! {
            <section class="console-card" aria-labelledby="api-key-secret-h" data-testid="api-key-issued">
                <h2 class="console-card__title" id="api-key-secret-h">
                    {i18n.t_args("c-api-key-secret-title", &[("name", key_name.into())])}</h2>
                <p class="kern-hint">{i18n.t("c-api-key-secret-hint")}</p>
                <label class="kern-label" for="api-key-secret">{i18n.t("c-api-key-secret")}</label>
                <input class="kern-form-input__input" id="api-key-secret" data-testid="api-key-secret" readonly=true
                    prop:value=value />
            </section>
        })}
        {move || editing.get().map(|(_, key_name)| view! {
            <section class="console-card" aria-labelledby="api-key-edit-h" data-testid="api-key-edit">
                <h2 class="console-card__title" id="api-key-edit-h">
                    {i18n.t_args("c-api-key-edit-hosts-title", &[("name", key_name.into())])}</h2>
                <ErrorAlert error=edit_error.into() />
                <form on:submit=save_hosts novalidate>
                    <TextArea id="api-key-edit-hosts-input" label="c-api-key-hosts" value=edit_hosts rows=3 />
                    <p class="kern-hint">{i18n.t("c-api-key-hosts-hint")}</p>
                    <FieldProblem problems=edit_problems field="media_hosts" />
                    <div class="console-page__actions">
                        <button type="submit" class="kern-btn kern-btn--primary kern-btn--small" data-testid="api-key-hosts-save">
                            <span class="kern-label">{i18n.t("c-save")}</span></button>
                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="api-key-hosts-cancel"
                            on:click=move |_| { editing.set(None); edit_error.set(None); }>
                            <span class="kern-label">{i18n.t("c-cancel")}</span></button>
                    </div>
                </form>
            </section>
        })}
        <div class="split">
            <section class="console-card" aria-labelledby="api-keys-h">
                <h2 class="console-card__title" id="api-keys-h">{move || i18n.t("c-config-api-keys")}</h2>
                <p class="kern-hint">{move || i18n.t("c-api-keys-hint")}</p>
                {move || list.with(Vec::is_empty).then(|| view! {
                    <p class="kern-body kern-body--small console-muted">{i18n.t("c-api-keys-none")}</p>
                })}
                <div class="kern-table-responsive">
                    <table class="kern-table kern-table--small" data-testid="api-key-table">
                        <thead><tr class="kern-table__row">
                            <th class="kern-table__header" scope="col">{move || i18n.t("c-name")}</th>
                            <th class="kern-table__header" scope="col">{move || i18n.t("c-api-key-hosts")}</th>
                            <th class="kern-table__header" scope="col">{move || i18n.t("c-api-key-created")}</th>
                            <th class="kern-table__header" scope="col">{move || i18n.t("c-api-key-state")}</th>
                            <th class="kern-table__header" scope="col"><span class="kern-sr-only">{move || i18n.t("c-actions")}</span></th>
                        </tr></thead>
                        <tbody class="kern-table__body">{rows}</tbody>
                    </table>
                </div>
            </section>
            <section class="console-card" aria-labelledby="api-key-new-h">
                <h2 class="console-card__title" id="api-key-new-h">{move || i18n.t("c-api-key-new")}</h2>
                <form on:submit=submit novalidate>
                    <TextField id="api-key-name" label="c-api-key-name" value=name hint="c-api-key-name-hint" required=true />
                    <FieldProblem problems=problems field="name" />
                    <TextArea id="api-key-hosts" label="c-api-key-hosts" value=hosts rows=3 />
                    <p class="kern-hint">{move || i18n.t("c-api-key-hosts-hint")}</p>
                    <FieldProblem problems=problems field="media_hosts" />
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="api-key-create">
                        <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-api-key-create")}</span></button>
                </form>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::media_hosts;

    #[test]
    fn media_hosts_are_split_on_lines_commas_and_spaces() {
        assert_eq!(
            media_hosts(" fotos.example.org,\ncdn.example.org  bilder.example.org\n\n"),
            ["fotos.example.org", "cdn.example.org", "bilder.example.org"]
        );
        assert!(media_hosts("  \n ").is_empty());
    }
}
