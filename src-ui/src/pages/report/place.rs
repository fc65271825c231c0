//! The report's place: the map first (a tap or a drag of the marker sets it), an address
//! search where the server has a geocoder, the device's position (offered, never
//! required), typed coordinates, an address hint (filled from the geocoder after a tap
//! unless the citizen typed one), and the municipality responsible there (confirm it
//! where the place is near a border; told when reports there are mailed or not taken).

use leptos::prelude::*;

use super::geocode::{self, FoundPlace};
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

    /// Fills the address hint with the address at the place, unless the citizen typed one.
    pub(super) fn fill_address_hint(self, lat: f64, lon: f64) {
        if !self.geocoder_offered() {
            return;
        }
        let draft = self.draft;
        leptos::task::spawn_local(async move {
            let Some(label) = geocode::reverse(lat, lon).await else {
                return;
            };
            draft.update(|d| {
                // Only if the place is still the one looked up, and the hint not typed.
                let same = d
                    .location()
                    .is_some_and(|p| (p.lat - lat).abs() < 1e-6 && (p.lon - lon).abs() < 1e-6);
                if same && (d.address_hint.trim().is_empty() || d.address_hint_auto) {
                    d.address_hint = label;
                    d.address_hint_auto = true;
                }
            });
        });
    }

    /// Whether the server offers address search (`/ui/config.json`).
    fn geocoder_offered(self) -> bool {
        self.app_info.with_untracked(|i| i.as_ref().is_some_and(|i| i.geocoder))
    }

    /// Runs the address search (within the administration known so far, else statewide).
    fn search_address(self, query: String, search: AddressSearch) {
        let query = query.trim().to_owned();
        if query.is_empty() {
            return;
        }
        let ags = self.draft.with_untracked(|d| {
            d.chosen_municipality()
                .map(|m| crate::draft::administration_key(m).as_str().to_owned())
        });
        search.busy.set(true);
        search.message.set(None);
        leptos::task::spawn_local(async move {
            let found = geocode::search(&query, ags.as_deref()).await;
            search.busy.set(false);
            match found {
                Ok(places) if places.is_empty() => {
                    search.results.set(Vec::new());
                    search.message.set(Some("address-search-none"));
                }
                Ok(places) => search.results.set(places),
                Err(_) => {
                    search.results.set(Vec::new());
                    search.message.set(Some("address-search-failed"));
                }
            }
        });
    }

    /// Takes a search result: the place, and its address as the hint.
    fn choose_address(self, place: FoundPlace, search: AddressSearch) {
        search.results.set(Vec::new());
        self.draft.update(|d| {
            d.address_hint = place.label.clone();
            d.address_hint_auto = true;
        });
        self.set_location(place.lat, place.lon, LocationSource::Address);
    }
}

/// The address search's state.
#[derive(Clone, Copy)]
struct AddressSearch {
    text: RwSignal<String>,
    results: RwSignal<Vec<FoundPlace>>,
    /// A Fluent key: nothing found, or no answer.
    message: RwSignal<Option<&'static str>>,
    busy: RwSignal<bool>,
}

/// The address search field and its results (only where the server has a geocoder).
fn address_search(f: Form) -> impl IntoView {
    let i18n = use_i18n();
    let app_info = f.app_info;
    let offered = move || app_info.with(|i| i.as_ref().is_some_and(|i| i.geocoder));
    let search = AddressSearch {
        text: RwSignal::new(String::new()),
        results: RwSignal::new(Vec::new()),
        message: RwSignal::new(None),
        busy: RwSignal::new(false),
    };
    view! {
        <Show when=offered>
            <div class="kern-form-input address-search" role="search">
                <label class="kern-label" for="address-search">{move || i18n.t("address-search")}</label>
                <div class="address-search__row">
                    <input id="address-search" class="kern-form-input__input" type="search" maxlength="200"
                        data-testid="address-search" autocomplete="off" aria-describedby="address-search-help"
                        prop:value=move || search.text.get()
                        on:input=move |ev| search.text.set(event_target_value(&ev))
                        on:keydown=move |ev: web_sys::KeyboardEvent| {
                            // Enter searches here instead of sending the whole form.
                            if ev.key() == "Enter" {
                                ev.prevent_default();
                                f.search_address(search.text.get_untracked(), search);
                            }
                        } />
                    <button type="button" class="kern-btn kern-btn--secondary" data-testid="address-search-button"
                        disabled=move || search.busy.get()
                        on:click=move |_| f.search_address(search.text.get_untracked(), search)>
                        <span class="kern-label">{move || i18n.t("address-search-button")}</span>
                    </button>
                </div>
                <p class="kern-hint" id="address-search-help">{move || i18n.t("address-search-help")}</p>
                <div aria-live="polite">
                    {move || search.message.get().map(|key| view! {
                        <p class="kern-body" data-testid="address-search-message">{move || i18n.t(key)}</p>
                    })}
                    <Show when=move || !search.results.with(Vec::is_empty)>
                        <ul class="address-results" data-testid="address-results" style="list-style: none; padding-left: 0"
                            aria-label=move || i18n.t("address-search-results")>
                            <For each=move || search.results.get() key=|p| p.label.clone() let:place>
                                <li>
                                    <button type="button" class="kern-btn kern-btn--tertiary" data-testid="address-result"
                                        on:click={
                                            let place = place.clone();
                                            move |_| f.choose_address(place.clone(), search)
                                        }>
                                        <span class="kern-label">{place.label.clone()}</span>
                                    </button>
                                </li>
                            </For>
                        </ul>
                    </Show>
                </div>
            </div>
        </Show>
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
                Some(LocationSource::Address) => "location-from-address",
                _ => "location-typed",
            };
            format!("{} ({})", format::coordinates(p.lat, p.lon), i18n.t(key))
        })
    };
    view! {
        <section class="form-section" aria-labelledby="place-heading">
            <h2 class="kern-heading-small" id="place-heading">{move || i18n.t("section-place")}</h2>
            {address_search(f)}
            <div id=MAP_ID class="map" class:map--hidden=move || !map_shown.get() data-testid="report-map"
                role="application" aria-label=move || i18n.t("map-label")></div>
            <Show when=move || map_shown.get() fallback=move || view! {
                <p class="kern-hint">{move || i18n.t("map-unavailable")}</p>
            }>
                <p class="kern-hint">{move || i18n.t("map-tap-hint")}</p>
            </Show>
            <div class="kern-btn-wrapper">
                <button type="button" class="kern-btn kern-btn--secondary" on:click=move |_| f.use_device_position()>
                    <span class="kern-icon kern-icon--home" aria-hidden="true"></span>
                    <span class="kern-label">{move || i18n.t("location-use-device")}</span>
                </button>
            </div>
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
                    on:change=move |ev| draft.update(|d| {
                        d.address_hint = event_target_value(&ev);
                        // Typed by the citizen: no later tap replaces it.
                        d.address_hint_auto = false;
                    }) />
                <p class="kern-hint">{move || i18n.t("address-hint-help")}</p>
            </div>
            {move || municipality_view(f)}
        </section>
    }
}

/// The responsible municipality: logo and name, where reports are mailed or refused, and
/// near a border the confirmation, or the choice among the neighbours within reach.
fn municipality_view(f: Form) -> Option<impl IntoView> {
    let i18n = use_i18n();
    let Form {
        draft,
        config,
        problems,
        ..
    } = f;
    let (own, m) = draft.with(|d| Some((d.municipality.clone()?, d.chosen_municipality()?.clone())))?;
    let confirm = needs_confirmation(&own);
    let place = place_name(&m);
    let place2 = place.clone();
    let place3 = place.clone();
    let own_place = place_name(&own);
    let distance = own.distance_m.round();
    let logo = config.get().and_then(|c| c.logo);
    let served = is_served(&m);
    let mail_to = mailed_to(&m).map(str::to_owned);
    let choice = (!own.alternatives.is_empty()).then(|| choice_view(f, own.clone()));
    Some(view! {
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
            {choice}
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
                <p class="kern-body" data-testid="municipality-near-border">
                    {let own_place = own_place.clone(); move || i18n.t_args("municipality-near-border",
                        &[("name", own_place.clone().into()), ("distance", distance.into())])}
                </p>
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
    })
}

/// Near a border: "the place lies near the border to …", and the place's own
/// municipality and each neighbour within reach to choose from (the own one first).
fn choice_view(f: Form, own: augenmerk_domain::public::Responsibility) -> impl IntoView {
    let i18n = use_i18n();
    let draft = f.draft;
    let neighbours = own.alternatives.iter().map(place_name).collect::<Vec<_>>().join(", ");
    let options: Vec<_> = std::iter::once(&own)
        .chain(&own.alternatives)
        .map(|m| {
            (
                crate::draft::administration_key(m).clone(),
                place_name(m),
                m.distance_m.round(),
            )
        })
        .collect();
    view! {
        <fieldset class="kern-fieldset" data-testid="municipality-choice">
            <legend class="kern-label">
                {move || i18n.t_args("municipality-choice", &[("neighbours", neighbours.clone().into())])}
            </legend>
            <div class="kern-fieldset__body">
                {options.into_iter().map(|(key, name, distance)| {
                    let id = format!("municipality-option-{}", key.as_str());
                    let value = key.as_str().to_owned();
                    let selected = key.clone();
                    let label = move || if distance > 0.0 {
                        i18n.t_args("municipality-option-beyond", &[("name", name.clone().into()), ("distance", distance.into())])
                    } else {
                        i18n.t_args("municipality-option-here", &[("name", name.clone().into())])
                    };
                    view! {
                        <div class="kern-form-check">
                            <input class="kern-form-check__radio" type="radio" name="municipality-choice" id=id.clone()
                                data-testid="municipality-option" value=value
                                prop:checked=move || draft.with(|d| d.chosen_municipality()
                                    .is_some_and(|m| crate::draft::administration_key(m) == &key))
                                on:change=move |_| f.choose_municipality(&selected) />
                            <label class="kern-label" for=id>{label}</label>
                        </div>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    }
}
