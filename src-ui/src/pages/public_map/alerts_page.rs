//! The page behind an alert mail's links: `#/alerts/<token>` confirms the subscription
//! (the double opt-in) and shows it with a button to end it; `#/alerts/<token>/unsubscribe`
//! ends it at once (the link in every alert mail). The token is the capability: no
//! device, no login.

use gloo_net::http::Request;
use leptos::prelude::*;

use augenmerk_domain::alerts::{AlertArea, AlertView};

use crate::backend::UiError;
use crate::backend::web::WebBackend;
use crate::components::errors::ErrorAlert;
use crate::i18n::{I18n, use_i18n};

/// What the page shows.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Working,
    Confirmed(AlertView),
    Ended,
    /// Unknown, ended before, or never confirmed in time.
    Unknown,
}

fn url(token: &str, action: &str) -> String {
    // The token comes from the URL: encoded so that it stays one path segment.
    format!("/api/v1/public/alerts/{}/{action}", js_sys::encode_uri_component(token))
}

async fn post(url: &str) -> Result<Option<AlertView>, UiError> {
    let request = Request::post(url)
        .header("Accept", "application/json")
        .build()
        .map_err(UiError::unexpected);
    if url.ends_with("/unsubscribe") {
        WebBackend::send(request).await.map(|_| None)
    } else {
        WebBackend::json::<AlertView>(request).await.map(Some)
    }
}

fn describe(i18n: I18n, view: &AlertView) -> String {
    match &view.area {
        AlertArea::Circle { center, radius_m } => i18n.t_args(
            "pm-alert-circle-is",
            &[
                ("radius", (*radius_m).into()),
                ("place", format!("{:.5}, {:.5}", center.lat, center.lon).into()),
            ],
        ),
        AlertArea::Polygon { points } => i18n.t_args("pm-alert-drawn-is", &[("count", points.len().into())]),
    }
}

/// The page.
#[component]
pub fn AlertPage(token: String, unsubscribe: bool) -> impl IntoView {
    let i18n = use_i18n();
    let step = RwSignal::new(Step::Working);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let run = move |token: String, end: bool| {
        step.set(Step::Working);
        error.set(None);
        leptos::task::spawn_local(async move {
            let action = if end { "unsubscribe" } else { "confirm" };
            match post(&url(&token, action)).await {
                Ok(Some(view)) => step.set(Step::Confirmed(view)),
                Ok(None) => step.set(Step::Ended),
                Err(e) if e.code.as_deref() == Some("not_found") => step.set(Step::Unknown),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    run(token.clone(), unsubscribe);
    let content = move || match step.get() {
        Step::Working => {
            view! { <p class="kern-body" role="status">{move || i18n.t("pm-alert-working")}</p> }.into_any()
        }
        Step::Confirmed(view) => {
            let token = token.clone();
            let area = describe(i18n, &view);
            let what = match (view.events.new_reports, view.events.status_changes) {
                (true, true) => "pm-alert-what-both",
                (true, false) => "pm-alert-what-new",
                _ => "pm-alert-what-status",
            };
            view! {
                <div class="kern-alert kern-alert--success" role="status" data-testid="pm-alert-confirmed">
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                        <span class="kern-title">{move || i18n.t("pm-alert-confirmed")}</span>
                    </div>
                    <div class="kern-alert__body">
                        <p class="kern-body" data-testid="pm-alert-area-is">{area}</p>
                        <p class="kern-body">{move || i18n.t(what)}</p>
                    </div>
                </div>
                <button type="button" class="kern-btn kern-btn--secondary" data-testid="pm-alert-unsubscribe"
                    on:click=move |_| run(token.clone(), true)>
                    <span class="kern-label">{move || i18n.t("pm-alert-unsubscribe")}</span>
                </button>
            }
            .into_any()
        }
        Step::Ended => view! {
            <div class="kern-alert kern-alert--success" role="status" data-testid="pm-alert-ended">
                <div class="kern-alert__header">
                    <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                    <span class="kern-title">{move || i18n.t("pm-alert-ended")}</span>
                </div>
            </div>
        }
        .into_any(),
        Step::Unknown => view! {
            <div class="kern-alert kern-alert--info" role="status" data-testid="pm-alert-unknown">
                <div class="kern-alert__header">
                    <span class="kern-title">{move || i18n.t("pm-alert-unknown")}</span>
                </div>
            </div>
        }
        .into_any(),
    };
    view! {
        <section class="form-section" data-testid="pm-alert-page">
            <h1 class="kern-heading-large">{move || i18n.t("pm-alert-page-title")}</h1>
            <ErrorAlert error=error.into() />
            {content}
        </section>
    }
}
