//! "Meine Daten" (`#/meine-daten`): what is kept about the citizen's reports and for how
//! long (each municipality's live retention periods), and their rights in two clicks:
//! download everything this device sent, erase it, or ask for erasure by e-mail address
//! (for reports sent from elsewhere).

use leptos::prelude::*;

use augenmerk_domain::error::FieldError;
use augenmerk_domain::privacy::LegalInfo;

use crate::backend::UiError;
use crate::backend::privacy::ExportedFile;
use crate::components::confirm::ConfirmButton;
use crate::components::errors::{ErrorAlert, FieldProblem, field_anchor};
use crate::components::legal::RetentionList;
use crate::draft::{Draft, administration_key};
use crate::i18n::{Lang, use_i18n};
use crate::route::Route;
use crate::shell::use_ctx;

/// The page.
#[component]
pub fn MyData() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="page my-data" data-testid="my-data">
            <h1 class="kern-heading-large">{move || i18n.t("my-data-title")}</h1>
            <p class="kern-body lead">{move || i18n.t("my-data-lead")}</p>
            <Kept />
            <Export />
            <section class="form-section" aria-labelledby="withdraw-heading">
                <h2 class="kern-heading-small" id="withdraw-heading">{move || i18n.t("my-data-withdraw-heading")}</h2>
                <p class="kern-body">{move || i18n.t("my-data-withdraw-text")}</p>
                <p><a class="kern-link" href=Route::MyReports.href()>{move || i18n.t("nav-my-reports")}</a></p>
            </section>
            <EraseAll />
            <EraseByEmail />
        </div>
    }
}

/// What is kept, and for how long at each municipality the citizen reported to.
#[component]
fn Kept() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let periods: RwSignal<Option<Vec<(String, LegalInfo)>>> = RwSignal::new(None);
    {
        let backend = ctx.backend.clone();
        leptos::task::spawn_local(async move {
            // Where the reports went, and where the one being written goes.
            let mut keys: Vec<String> = backend
                .reports()
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|r| r.municipality.as_str().to_owned())
                .collect();
            if let Some(m) = Draft::load().chosen_municipality() {
                keys.push(administration_key(m).as_str().to_owned());
            }
            let mut found = Vec::new();
            let mut seen = Vec::new();
            for key in keys {
                if seen.contains(&key) {
                    continue;
                }
                // Offline without a kept configuration: that municipality is left out.
                if let Ok(config) = backend.municipality_config(&key).await {
                    found.push((config.name, config.legal));
                }
                seen.push(key);
            }
            periods.set(Some(found));
        });
    }
    let list = move || match periods.get() {
        None => view! { <p class="kern-body" role="status">{move || i18n.t("loading")}</p> }.into_any(),
        Some(list) if list.is_empty() => view! {
            <p class="kern-body" data-testid="retention-none">{move || i18n.t("my-data-periods-none")}</p>
        }
        .into_any(),
        Some(list) => list
            .into_iter()
            .map(|(name, legal)| {
                view! {
                    <h3 class="kern-body kern-body--bold">{name}</h3>
                    <RetentionList legal=legal />
                }
            })
            .collect_view()
            .into_any(),
    };
    view! {
        <section class="form-section" aria-labelledby="kept-heading">
            <h2 class="kern-heading-small" id="kept-heading">{move || i18n.t("my-data-kept-heading")}</h2>
            <ul class="kern-list kern-list--bullet">
                <li class="kern-body">{move || i18n.t("my-data-kept-report")}</li>
                <li class="kern-body">{move || i18n.t("my-data-kept-photos")}</li>
                <li class="kern-body">{move || i18n.t("my-data-kept-email")}</li>
                <li class="kern-body">{move || i18n.t("my-data-kept-device")}</li>
            </ul>
            <p class="kern-body">{move || i18n.t("my-data-periods-lead")}</p>
            {list}
            <p class="kern-body">
                <a class="kern-link" href=Route::Privacy(None).href()>{move || i18n.t("footer-privacy")}</a>
            </p>
        </section>
    }
}

/// "Download all my data".
#[component]
fn Export() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let busy = RwSignal::new(false);
    let done: RwSignal<Option<ExportedFile>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let export = move |_| {
        let backend = ctx.backend.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match backend.export_my_data().await {
                Ok(file) => done.set(Some(file)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="form-section" aria-labelledby="export-heading">
            <h2 class="kern-heading-small" id="export-heading">{move || i18n.t("my-data-export-heading")}</h2>
            <p class="kern-body">{move || i18n.t("my-data-export-text")}</p>
            <ErrorAlert error=error.into() />
            <button type="button" class="kern-btn kern-btn--primary" data-testid="export" disabled=move || busy.get()
                on:click=export>
                <span class="kern-icon kern-icon--download" aria-hidden="true"></span>
                <span class="kern-label">{move || if busy.get() { i18n.t("my-data-export-busy") } else { i18n.t("my-data-export") }}</span>
            </button>
            <div role="status" aria-live="polite">
                {move || done.get().map(|file| {
                    let name = file.name.clone();
                    view! {
                        <p class="kern-body" data-testid="export-done" data-file=file.name.clone()>
                            {move || i18n.t_args("my-data-export-done", &[("file", name.clone().into())])}
                        </p>
                        {file.location.map(|at| view! {
                            <p class="kern-body kern-body--small">
                                {move || i18n.t_args("my-data-export-saved-at", &[("location", at.clone().into())])}
                            </p>
                        })}
                    }
                })}
            </div>
        </section>
    }
}

/// "Erase all my data", after a confirmation.
#[component]
fn EraseAll() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let busy = RwSignal::new(false);
    let done: RwSignal<Option<u32>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let erase = Callback::new(move |()| {
        let backend = ctx.backend.clone();
        let sync = ctx.sync;
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match backend.erase_my_data().await {
                Ok(n) => {
                    // A report begun here goes too: its photos belonged to the registration.
                    Draft::clear();
                    if let Ok(status) = backend.sync_status().await {
                        sync.set(status);
                    }
                    done.set(Some(n));
                    crate::pages::report::focus("erase-all-done");
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    });
    view! {
        <section class="form-section" aria-labelledby="erase-all-heading">
            <h2 class="kern-heading-small" id="erase-all-heading">{move || i18n.t("my-data-erase-heading")}</h2>
            <p class="kern-body">{move || i18n.t("my-data-erase-text")}</p>
            <ErrorAlert error=error.into() />
            {move || match done.get() {
                Some(n) => view! {
                    <div class="kern-alert kern-alert--success" id="erase-all-done" tabindex="-1" role="status"
                        data-testid="erase-all-done" data-count=n.to_string()>
                        <div class="kern-alert__header">
                            <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                            <span class="kern-title">{move || i18n.t_args("my-data-erase-done", &[("count", f64::from(n).into())])}</span>
                        </div>
                        <div class="kern-alert__body"><p class="kern-body">{move || i18n.t("my-data-erase-done-device")}</p></div>
                    </div>
                }
                .into_any(),
                None => view! {
                    <ConfirmButton testid="erase-all" label="my-data-erase" question="my-data-erase-question"
                        confirm="my-data-erase-confirm" busy=busy on_confirm=erase />
                }
                .into_any(),
            }}
        </section>
    }
}

/// "Erase by e-mail address": a confirmation link goes to the address.
#[component]
fn EraseByEmail() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let email = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let sent = RwSignal::new(false);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let problems: RwSignal<Vec<FieldError>> = RwSignal::new(Vec::new());
    let anchor = field_anchor("email");
    let submit = Callback::new(move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let address = email.get_untracked().trim().to_owned();
        if address.is_empty() {
            problems.set(vec![FieldError::new("email", "required")]);
            return;
        }
        let backend = ctx.backend.clone();
        let language = match i18n.lang() {
            Lang::De => augenmerk_domain::Language::De,
            Lang::En => augenmerk_domain::Language::En,
        };
        busy.set(true);
        error.set(None);
        problems.set(Vec::new());
        leptos::task::spawn_local(async move {
            match backend.request_email_erasure(&address, language).await {
                Ok(()) => sent.set(true),
                // The server names the address as invalid (it does not say more).
                Err(e) if !e.details.is_empty() => {
                    problems.set(e.details.iter().map(|d| FieldError::new("email", &d.problem)).collect());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    });
    let described = {
        let anchor = anchor.clone();
        move || (!problems.get().is_empty()).then(|| format!("{anchor}-error"))
    };
    view! {
        <section class="form-section" aria-labelledby="erase-email-heading">
            <h2 class="kern-heading-small" id="erase-email-heading">{move || i18n.t("my-data-email-heading")}</h2>
            <p class="kern-body">{move || i18n.t("my-data-email-text")}</p>
            <ErrorAlert error=error.into() />
            <Show when=move || !sent.get() fallback=move || view! {
                <p class="kern-alert kern-alert--success" role="status" data-testid="erase-email-sent">
                    {move || i18n.t("my-data-email-sent")}</p>
            }>
                <form class="erase-email" novalidate on:submit=move |ev| submit.run(ev)>
                    <div class="kern-form-input">
                        <label class="kern-label" for=anchor.clone()>{move || i18n.t("my-data-email-label")}</label>
                        <input id=anchor.clone() class="kern-form-input__input" type="email" autocomplete="email"
                            data-testid="erase-email" aria-describedby=described.clone()
                            aria-invalid=move || (!problems.get().is_empty()).to_string()
                            prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                        <FieldProblem problems=problems.into() field="email" />
                    </div>
                    <button type="submit" class="kern-btn kern-btn--secondary" data-testid="erase-email-send"
                        disabled=move || busy.get()>
                        <span class="kern-icon kern-icon--mail" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("my-data-email-send")}</span>
                    </button>
                </form>
            </Show>
        </section>
    }
}
