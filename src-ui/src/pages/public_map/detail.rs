//! One public report: category, status, dates, where, who works on it, and its history
//! with the municipality's public comments; the citizen's text and photos only when the
//! server sends them (published by the municipality and approved by staff).

use leptos::prelude::*;

use augenmerk_domain::public::PublicStatusChange;

use super::api::{PublicMapReport, PublicReportDetail};
use crate::components::status::StatusHistory;
use crate::format;
use crate::i18n::use_i18n;

/// The facts a list entry and the detail share: status badge, dates, place, department.
#[component]
pub fn ReportFacts(report: PublicMapReport, show_municipality: bool) -> impl IntoView {
    let i18n = use_i18n();
    let r = report;
    move || {
        let lang = i18n.lang();
        let place = place_text(&r, show_municipality, i18n.t("pm-place-rounded"));
        view! {
            <p class="map-list__badges">
                <span class=status_class(&r) data-testid="pm-status-badge" data-status=r.status.as_str()>
                    <span class="kern-label kern-label--small">{lang.pick(&r.status.label()).to_owned()}</span>
                </span>
            </p>
            <p class="kern-body kern-body--small">
                {i18n.t_args("pm-received", &[("at", format::date_time(lang, r.received_at).into())])}
                {(r.updated_at != r.received_at).then(|| format!(" · {}", i18n.t_args("pm-updated", &[("at", format::date_time(lang, r.updated_at).into())])))}
            </p>
            <p class="kern-body kern-body--small" data-testid="pm-place">{place}</p>
            {r.handled_by.clone().map(|h| view! {
                <p class="kern-body kern-body--small" data-testid="pm-handled-by">
                    {i18n.t_args("pm-handled-by", &[("by", h.into())])}</p>
            })}
        }
    }
}

fn status_class(r: &PublicMapReport) -> &'static str {
    if r.status.is_open() {
        "kern-badge kern-badge--info"
    } else {
        "kern-badge kern-badge--success"
    }
}

/// Where, as the public may know it: the municipality (in the statewide view), the
/// coordinates, and whether they are rounded.
fn place_text(r: &PublicMapReport, show_municipality: bool, rounded: String) -> String {
    let mut text = format::coordinates(r.location.lat, r.location.lon);
    if !r.exact {
        text = format!("{text} ({rounded})");
    }
    if show_municipality && !r.municipality_name.is_empty() {
        text = format!("{} · {text}", r.municipality_name);
    }
    text
}

/// The detail view (in the side panel, instead of the list).
#[component]
pub fn Detail(detail: PublicReportDetail, show_municipality: bool, on_back: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let r = detail.report.clone();
    let history: Vec<PublicStatusChange> = detail
        .history
        .iter()
        .map(|h| PublicStatusChange {
            from: None,
            to: h.to,
            comment: h.comment.clone(),
            at: h.at,
            photos: Vec::new(),
        })
        .collect();
    let heading = NodeRef::<leptos::html::H2>::new();
    // Keyboard and screen-reader users land on what they opened.
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let title = r.category_name.clone();
    view! {
        <article class="public-detail" data-testid="pm-detail" data-id=r.id.clone()>
            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="pm-back"
                on:click=move |_| on_back.run(())>
                <span class="kern-icon kern-icon--arrow-back" aria-hidden="true"></span>
                <span class="kern-label">{move || i18n.t("pm-back")}</span>
            </button>
            <h2 class="kern-heading-medium" tabindex="-1" node_ref=heading>
                {move || i18n.lang().pick(&title).to_owned()}</h2>
            <ReportFacts report=r.clone() show_municipality=show_municipality />
            {detail.address_hint.clone().map(|a| view! {
                <p class="kern-body" data-testid="pm-address-hint">{a}</p>
            })}
            {detail.description.clone().map(|d| view! {
                <p class="kern-body public-detail__text" data-testid="pm-description">{d}</p>
            })}
            {(!detail.photos.is_empty()).then(|| view! {
                <div class="public-detail__photos">
                    {detail.photos.iter().map(|src| view! {
                        <img src=src.clone() alt=move || i18n.t("pm-photo-alt") loading="lazy" />
                    }).collect_view()}
                </div>
            })}
            <h3 class="kern-heading-small">{move || i18n.t("pm-history")}</h3>
            <StatusHistory history=history />
        </article>
    }
}
