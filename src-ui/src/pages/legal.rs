//! The privacy notice (`#/datenschutz`) and the Impressum (`#/impressum`) of the
//! municipality the citizen reports to, from its configuration: the app and the web page
//! keep that offline, so both pages work without network once a place was chosen. A key
//! in the path (`#/datenschutz/01001000`) names the municipality; without one it is the
//! place of the report being written, else that of the latest report.

use leptos::prelude::*;

use augenmerk_domain::public::MunicipalityConfig;

use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::components::legal::{LegalKind, LegalText, chosen_municipality, general_notice, has_title, legal_text};
use crate::draft::Draft;
use crate::i18n::use_i18n;
use crate::route::Route;
use crate::shell::use_ctx;

/// What the page can show.
#[derive(Clone)]
enum Shown {
    Loading,
    /// The municipality's own text.
    Municipality(Box<MunicipalityConfig>),
    /// No place chosen and nothing reported yet.
    NoPlace,
    /// The configuration could not be had (offline before it was ever loaded).
    Failed(UiError),
}

/// The notice or the Impressum.
#[component]
pub fn LegalPage(kind: LegalKind, ags: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let shown = RwSignal::new(Shown::Loading);
    {
        let backend = ctx.backend.clone();
        leptos::task::spawn_local(async move {
            let ags = match ags {
                Some(a) => Some(a),
                None => chosen_municipality(&backend).await,
            };
            shown.set(match ags {
                None => Shown::NoPlace,
                Some(a) => match backend.municipality_config(&a).await {
                    Ok(c) => Shown::Municipality(Box::new(c)),
                    Err(e) => Shown::Failed(e),
                },
            });
        });
    }
    let (title_key, kind_name) = match kind {
        LegalKind::Notice => ("legal-notice-title", "notice"),
        LegalKind::Imprint => ("legal-imprint-title", "imprint"),
    };
    // Opened from the report form: the way back to what was written (it is kept as a draft).
    let back = Draft::load().has_content();
    let title = move || view! { <h1 class="kern-heading-large">{move || i18n.t(title_key)}</h1> };
    let general = move || {
        let text = Signal::derive(move || general_notice(&i18n));
        view! {
            <div class="kern-alert kern-alert--info" data-testid="legal-general">
                <div class="kern-alert__header">
                    <span class="kern-icon kern-icon--info" aria-hidden="true"></span>
                    <span class="kern-title">{move || i18n.t("legal-general-title")}</span>
                </div>
                <div class="kern-alert__body"><p class="kern-body">{move || i18n.t("legal-general-hint")}</p></div>
            </div>
            <LegalText text=text level=2 />
        }
    };
    let choose_place = move || {
        view! {
            <p class="kern-body" data-testid="legal-choose-place">{move || i18n.t("legal-choose-place")}</p>
            <p><a class="kern-btn kern-btn--primary" href=Route::NewReport.href()>
                <span class="kern-label">{move || i18n.t("nav-report")}</span></a></p>
        }
    };
    let content = move || match shown.get() {
        Shown::Loading => view! { <p class="kern-body" role="status">{move || i18n.t("loading")}</p> }.into_any(),
        Shown::Municipality(config) => {
            let ags = config.ags.as_str().to_owned();
            let version = config.legal.notice_version;
            let text = {
                let config = config.clone();
                Signal::derive(move || legal_text(kind, &config, i18n.lang()))
            };
            view! {
                <article class="legal-text" data-testid="legal-text" data-kind=kind_name data-municipality=ags
                    data-version=version.to_string()>
                    <Show when=move || !has_title(&text.get())>{title}</Show>
                    <LegalText text=text level=1 />
                    {(kind == LegalKind::Notice).then(|| view! {
                        <p class="kern-body kern-body--small kern-body--muted" data-testid="notice-version">
                            {move || i18n.t_args("legal-notice-version", &[("version", f64::from(version).into())])}</p>
                    })}
                </article>
            }
            .into_any()
        }
        Shown::NoPlace => view! {
            <article class="legal-text" data-testid="legal-text" data-kind=kind_name>
                {title}
                {match kind {
                    LegalKind::Notice => general().into_any(),
                    LegalKind::Imprint => choose_place().into_any(),
                }}
            </article>
        }
        .into_any(),
        Shown::Failed(e) => view! {
            <article class="legal-text" data-testid="legal-text" data-kind=kind_name>
                {title}
                <ErrorAlert error=Signal::derive(move || Some(e.clone())) />
                {(kind == LegalKind::Notice).then(general)}
            </article>
        }
        .into_any(),
    };
    view! {
        <div class="page">
            {back.then(|| view! {
                <p><a class="kern-link" href=Route::NewReport.href() data-testid="legal-back">
                    <span class="kern-icon kern-icon--arrow-back kern-icon--small" aria-hidden="true"></span>
                    {move || i18n.t("legal-back-to-report")}</a></p>
            })}
            {content}
        </div>
    }
}
