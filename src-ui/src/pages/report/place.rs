//! The report's place: the device's position, the map, typed coordinates, an address
//! hint, and the municipality responsible there (confirm it where the place is near a
//! border; told when reports there are mailed or not taken).

use leptos::prelude::*;

use super::{Form, MAP_ID};
use crate::backend::UiError;
use crate::components::errors::{ErrorAlert, FieldProblem, field_anchor};
use crate::draft::{LocationSource, is_served, mailed_to, needs_confirmation, place_name};
use crate::format;
use crate::i18n::use_i18n;

impl Form {
    /// Asks the device for its position.
    fn use_device_position(self) {
        let location_error = self.location_error;
        leptos::task::spawn_local(async move {
            match crate::position::current().await {
                Ok((lat, lon)) => self.set_location(lat, lon, LocationSource::Device),
                Err(crate::position::PositionError::Unavailable) => {
                    location_error.set(Some(UiError::localized("e-location-unavailable")));
                }
                Err(crate::position::PositionError::Failed) => {
                    location_error.set(Some(UiError::localized("e-location-failed")));
                }
            }
        });
    }
}

/// The place section.
pub(super) fn place_section(f: Form) -> impl IntoView {
    let i18n = use_i18n();
    let Form {
        draft,
        location_error,
        map_shown,
        problems,
        ..
    } = f;
    let location_text = move || {
        draft.with(|d| d.location()).map(|p| {
            let source = draft.with(|d| d.location_source);
            let key = match source {
                Some(LocationSource::Photo) => "location-from-photo",
                Some(LocationSource::Device) => "location-from-device",
                Some(LocationSource::Map) => "location-from-map",
                _ => "location-typed",
            };
            format!("{} ({})", format::coordinates(p.lat, p.lon), i18n.t(key))
        })
    };
    view! {
        <section class="form-section" aria-labelledby="place-heading">
            <h2 class="kern-heading-small" id="place-heading">{move || i18n.t("section-place")}</h2>
            <div class="kern-btn-wrapper">
                <button type="button" class="kern-btn kern-btn--secondary" on:click=move |_| f.use_device_position()>
                    <span class="kern-icon kern-icon--home" aria-hidden="true"></span>
                    <span class="kern-label">{move || i18n.t("location-use-device")}</span>
                </button>
            </div>
            <div id=MAP_ID class="map" class:map--hidden=move || !map_shown.get()
                role="application" aria-label=move || i18n.t("map-label")></div>
            <Show when=move || !map_shown.get()>
                <p class="kern-hint">{move || i18n.t("map-unavailable")}</p>
            </Show>
            <div class="coords" id=field_anchor("location")>
                <div class="kern-form-input">
                    <label class="kern-label" for="lat-input">{move || i18n.t("latitude")}</label>
                    <input id="lat-input" class="kern-form-input__input" type="text" inputmode="decimal"
                        data-testid="lat-input" autocomplete="off"
                        prop:value=move || draft.with(|d| d.lat.clone())
                        on:change=move |ev| {
                            draft.update(|d| { d.lat = event_target_value(&ev); d.location_source = Some(LocationSource::Typed); });
                            if let Some(p) = draft.with_untracked(|d| d.location()) { f.set_location(p.lat, p.lon, LocationSource::Typed); }
                        } />
                </div>
                <div class="kern-form-input">
                    <label class="kern-label" for="lon-input">{move || i18n.t("longitude")}</label>
                    <input id="lon-input" class="kern-form-input__input" type="text" inputmode="decimal"
                        data-testid="lon-input" autocomplete="off"
                        prop:value=move || draft.with(|d| d.lon.clone())
                        on:change=move |ev| {
                            draft.update(|d| { d.lon = event_target_value(&ev); d.location_source = Some(LocationSource::Typed); });
                            if let Some(p) = draft.with_untracked(|d| d.location()) { f.set_location(p.lat, p.lon, LocationSource::Typed); }
                        } />
                </div>
            </div>
            <p class="kern-body kern-body--small" data-testid="location-text">{location_text}</p>
            <FieldProblem problems=problems field="location" />
            <ErrorAlert error=location_error.into() />
            <div class="kern-form-input">
                <label class="kern-label" for="address-hint">{move || i18n.t("address-hint")}
                    <span class="kern-label__optional">{move || format!(" – {}", i18n.t("optional"))}</span></label>
                <input id="address-hint" class="kern-form-input__input" type="text" maxlength="200"
                    data-testid="address-hint" prop:value=move || draft.with(|d| d.address_hint.clone())
                    on:change=move |ev| draft.update(|d| d.address_hint = event_target_value(&ev)) />
                <p class="kern-hint">{move || i18n.t("address-hint-help")}</p>
            </div>
            {move || municipality_view(f)}
        </section>
    }
}

/// The responsible municipality: logo and name, where reports are mailed or refused, and
/// the confirmation near a border.
fn municipality_view(f: Form) -> Option<impl IntoView> {
    let i18n = use_i18n();
    let Form {
        draft,
        config,
        problems,
        ..
    } = f;
    draft.with(|d| d.municipality.clone()).map(|m| {
        let confirm = needs_confirmation(&m);
        let place = place_name(&m);
        let place2 = place.clone();
        let place3 = place.clone();
        let logo = config.get().and_then(|c| c.logo);
        let served = is_served(&m);
        let mail_to = mailed_to(&m).map(str::to_owned);
        view! {
            <div class="municipality" id=field_anchor("municipality") tabindex="-1">
                <p class="kern-body municipality__name">
                    {logo.map(|src| view! {
                        <img class="municipality__logo" src=src data-testid="municipality-logo"
                            alt=move || i18n.t_args("municipality-logo", &[("name", place3.clone().into())]) />
                    })}
                    <span>
                        {move || i18n.t("municipality-responsible")}" "
                        <strong data-testid="municipality-name">{place.clone()}</strong>
                    </span>
                </p>
                // Told before anything is written: the report leaves the platform.
                {mail_to.map(|to| view! {
                    <div class="kern-alert kern-alert--info" data-testid="mail-notice">
                        <div class="kern-alert__header">
                            <span class="kern-icon kern-icon--info" aria-hidden="true"></span>
                            <span class="kern-title">{move || i18n.t("mail-notice-title")}</span>
                        </div>
                        <div class="kern-alert__body">
                            <p class="kern-body">{move || i18n.t_args("mail-notice", &[("to", to.clone().into())])}</p>
                        </div>
                    </div>
                })}
                <Show when=move || !served>
                    <div class="kern-alert kern-alert--danger" data-testid="municipality-refused">
                        <div class="kern-alert__header">
                            <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                            <span class="kern-title">{move || i18n.t("municipality-inactive")}</span>
                        </div>
                        <div class="kern-alert__body">
                            <p class="kern-body">{move || i18n.t("municipality-refused-reason")}</p>
                        </div>
                    </div>
                </Show>
                <Show when=move || confirm>
                    <div class="kern-form-check">
                        <input class="kern-form-check__checkbox" type="checkbox" id="municipality-confirm"
                            data-testid="municipality-confirm"
                            prop:checked=move || draft.with(|d| d.municipality_confirmed)
                            on:change=move |ev| draft.update(|d| d.municipality_confirmed = event_target_checked(&ev)) />
                        <label class="kern-label" for="municipality-confirm">
                            {let place2 = place2.clone(); move || i18n.t_args("municipality-confirm", &[("name", place2.clone().into())])}
                        </label>
                    </div>
                </Show>
                <FieldProblem problems=problems field="municipality" />
            </div>
        }
    })
}
