//! Confirming an erasure by e-mail address (`#/erase/<token>`, the link mailed after
//! "Per E-Mail-Adresse löschen"): what will happen, one button, then how many reports
//! were affected — or that the link has expired or was used.
//!
//! The token is the capability: no device and no login, the page talks to the server
//! directly (like the status page).

use gloo_net::http::Request;
use leptos::prelude::*;

use augenmerk_domain::privacy::ErasureDone;

use crate::backend::UiError;
use crate::backend::web::WebBackend;
use crate::components::errors::ErrorAlert;
use crate::i18n::use_i18n;
use crate::pages::report::focus;

/// What the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Ask,
    Done(u32),
    /// Unknown, expired (after 24 hours) or used already.
    Expired,
}

/// The confirmation page.
#[component]
pub fn Erase(token: String) -> impl IntoView {
    let i18n = use_i18n();
    let step = RwSignal::new(Step::Ask);
    let busy = RwSignal::new(false);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    // The token comes from the URL: encoded so that it stays one path segment.
    let url = format!("/api/v1/privacy/erasure/{}", js_sys::encode_uri_component(&token));
    let erase = move |_| {
        let url = url.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let request = Request::post(&url)
                .header("Accept", "application/json")
                .build()
                .map_err(UiError::unexpected);
            match WebBackend::json::<ErasureDone>(request).await {
                Ok(done) => step.set(Step::Done(done.reports)),
                Err(e) if e.code.as_deref() == Some("not_found") => step.set(Step::Expired),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
            focus("erase-result");
        });
    };
    let content = move || {
        match step.get() {
        Step::Ask => {
            let erase = erase.clone();
            view! {
                <h1 class="kern-heading-large">{move || i18n.t("erase-title")}</h1>
                <p class="kern-body">{move || i18n.t("erase-text")}</p>
                <ul class="kern-list kern-list--bullet">
                    <li class="kern-body">{move || i18n.t("erase-removed")}</li>
                    <li class="kern-body">{move || i18n.t("erase-kept")}</li>
                </ul>
                <ErrorAlert error=error.into() />
                <button type="button" class="kern-btn kern-btn--primary" data-testid="erase-now"
                    disabled=move || busy.get() on:click=erase>
                    <span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                    <span class="kern-label">{move || i18n.t("erase-now")}</span>
                </button>
            }
            .into_any()
        }
        Step::Done(n) => view! {
            <section class="kern-alert kern-alert--success" id="erase-result" tabindex="-1" data-testid="erase-done"
                data-count=n.to_string() aria-labelledby="erase-done-h">
                <div class="kern-alert__header">
                    <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                    <h1 class="kern-title" id="erase-done-h">
                        {move || i18n.t_args("erase-done", &[("count", f64::from(n).into())])}</h1>
                </div>
                <div class="kern-alert__body"><p class="kern-body">{move || i18n.t("erase-done-text")}</p></div>
            </section>
        }
        .into_any(),
        Step::Expired => view! {
            <section class="kern-alert kern-alert--danger" id="erase-result" tabindex="-1" data-testid="erase-expired"
                aria-labelledby="erase-expired-h">
                <div class="kern-alert__header">
                    <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                    <h1 class="kern-title" id="erase-expired-h">{move || i18n.t("erase-expired-title")}</h1>
                </div>
                <div class="kern-alert__body">
                    <p class="kern-body">{move || i18n.t("erase-expired-text")}</p>
                    <p><a class="kern-link" href=crate::route::Route::MyData.href()>{move || i18n.t("footer-my-data")}</a></p>
                </div>
            </section>
        }
        .into_any(),
    }
    };
    view! { <div class="page page--narrow erase-page" data-testid="erase-page">{content}</div> }
}
