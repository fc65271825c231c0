//! "Per E-Mail benachrichtigen" on the public map: a citizen chooses an area — a circle
//! around the map's centre (or their position), or corners tapped on the map — what they
//! want to hear of, and their address; the server mails a confirmation link first
//! (`POST /api/v1/public/alerts`, see `augenmerk_domain::alerts`). The area is drawn by
//! `js/alert-area.js` on the page's map.

use gloo_net::http::Request;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use augenmerk_domain::alerts::{AlertArea, AlertRequest, DEFAULT_RADIUS_M};
use augenmerk_domain::{GeoPoint, Language};

use super::map::MAP_ID;
use crate::backend::UiError;
use crate::backend::web::WebBackend;
use crate::components::errors::ErrorAlert;
use crate::i18n::{Lang, use_i18n};

#[wasm_bindgen(module = "/js/alert-area.js")]
extern "C" {
    #[wasm_bindgen(js_name = alertAreaCircle)]
    fn alert_area_circle(element_id: &str, radius: f64, on_centre: &Closure<dyn FnMut(f64, f64)>) -> bool;

    #[wasm_bindgen(js_name = alertAreaPolygon)]
    fn alert_area_polygon(element_id: &str, corners: Vec<f64>, on_corners: &Closure<dyn FnMut(Vec<f64>)>) -> bool;

    #[wasm_bindgen(js_name = alertAreaCentre)]
    fn alert_area_centre(element_id: &str, lat: f64, lon: f64);

    #[wasm_bindgen(js_name = alertAreaClear)]
    fn alert_area_clear(element_id: &str);
}

/// The radii offered, in metres.
const RADII: [u32; 4] = [250, 500, 1000, 2000];

/// How the area is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Circle,
    Drawn,
}

/// The area as chosen so far, or why it cannot be sent yet.
fn area(shape: Shape, centre: Option<(f64, f64)>, radius_m: u32, corners: &[(f64, f64)]) -> Option<AlertArea> {
    match shape {
        Shape::Circle => centre.map(|(lat, lon)| AlertArea::Circle {
            center: GeoPoint { lat, lon },
            radius_m,
        }),
        Shape::Drawn => (corners.len() >= 3).then(|| AlertArea::Polygon {
            points: corners.iter().map(|&(lat, lon)| GeoPoint { lat, lon }).collect(),
        }),
    }
}

async fn subscribe(server: Option<&str>, request: &AlertRequest) -> Result<(), UiError> {
    let server = server.map(|s| s.trim_end_matches('/')).unwrap_or_default();
    let request = Request::post(&format!("{server}/api/v1/public/alerts"))
        .header("Accept", "application/json")
        .json(request)
        .map_err(UiError::unexpected);
    WebBackend::send(request).await.map(|_| ())
}

/// The alert form below the map; `map_drawn` says whether the map exists to draw on.
#[component]
pub fn AlertSignup(ags: Option<String>, map_drawn: Signal<bool>, server: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let shape = RwSignal::new(Shape::Circle);
    let radius = RwSignal::new(DEFAULT_RADIUS_M);
    let centre: RwSignal<Option<(f64, f64)>> = RwSignal::new(None);
    let corners: RwSignal<Vec<(f64, f64)>> = RwSignal::new(Vec::new());
    let email = RwSignal::new(String::new());
    let new_reports = RwSignal::new(true);
    let status_changes = RwSignal::new(true);
    let busy = RwSignal::new(false);
    let sent: RwSignal<Option<String>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);

    // Draws the chosen shape while the form is open; the closures live as long as the page.
    let on_centre = StoredValue::new_local(Closure::<dyn FnMut(f64, f64)>::new(move |lat, lon| {
        let _ = centre.try_set(Some((lat, lon)));
    }));
    let on_corners = StoredValue::new_local(Closure::<dyn FnMut(Vec<f64>)>::new(move |flat: Vec<f64>| {
        let points = flat.chunks_exact(2).map(|p| (p[0], p[1])).collect();
        let _ = corners.try_set(points);
    }));
    Effect::new(move |_| {
        if !map_drawn.get() || !open.get() {
            alert_area_clear(MAP_ID);
            return;
        }
        match shape.get() {
            Shape::Circle => on_centre.with_value(|c| {
                alert_area_circle(MAP_ID, f64::from(radius.get()), c);
            }),
            Shape::Drawn => {
                let flat: Vec<f64> = corners.get_untracked().iter().flat_map(|&(a, b)| [a, b]).collect();
                on_corners.with_value(|c| {
                    alert_area_polygon(MAP_ID, flat, c);
                });
            }
        }
    });
    on_cleanup(|| alert_area_clear(MAP_ID));

    let here = move |_| {
        leptos::task::spawn_local(async move {
            match crate::position::current().await {
                Ok((lat, lon)) => {
                    centre.set(Some((lat, lon)));
                    alert_area_centre(MAP_ID, lat, lon);
                }
                Err(_) => error.set(Some(UiError::localized("pm-alert-no-position"))),
            }
        });
    };
    let submit = {
        let ags = ags.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(chosen) = area(shape.get(), centre.get(), radius.get(), &corners.get()) else {
                error.set(Some(UiError::localized("pm-alert-no-area")));
                return;
            };
            let request = AlertRequest {
                email: email.get().trim().to_owned(),
                area: chosen,
                ags: ags.clone(),
                new_reports: new_reports.get(),
                status_changes: status_changes.get(),
                language: Some(match i18n.lang() {
                    Lang::De => Language::De,
                    Lang::En => Language::En,
                }),
            };
            busy.set(true);
            error.set(None);
            leptos::task::spawn_local(async move {
                match subscribe(server.get_untracked().as_deref(), &request).await {
                    Ok(()) => {
                        sent.set(Some(request.email.clone()));
                        open.set(false);
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        }
    };

    let radius_options = move || {
        RADII
            .iter()
            .map(|&r| {
                view! { <option value=r.to_string() selected=move || radius.get() == r>{format!("{r} m")}</option> }
            })
            .collect_view()
    };
    let shape_radio = move |value: Shape, id: &'static str, key: &'static str| {
        view! {
            <div class="kern-form-check">
                <input class="kern-form-check__radio" type="radio" name="pm-alert-shape" id=id data-testid=id
                    prop:checked=move || shape.get() == value on:change=move |_| shape.set(value) />
                <label class="kern-label" for=id>{move || i18n.t(key)}</label>
            </div>
        }
    };
    let corner_count = move || corners.with(Vec::len);

    view! {
        <section class="public-alerts" aria-labelledby="pm-alert-h" data-testid="pm-alerts">
            <h2 class="kern-heading-small" id="pm-alert-h">{move || i18n.t("pm-alert-title")}</h2>
            {move || sent.get().map(|address| view! {
                <div class="kern-alert kern-alert--success" role="status" data-testid="pm-alert-sent">
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                        <span class="kern-title">{move || i18n.t("pm-alert-sent-title")}</span>
                    </div>
                    <div class="kern-alert__body">
                        <p class="kern-body">{i18n.t_args("pm-alert-sent", &[("email", address.into())])}</p>
                    </div>
                </div>
            })}
            <Show when=move || !open.get()>
                <p class="kern-body">{move || i18n.t("pm-alert-intro")}</p>
                <button type="button" class="kern-btn kern-btn--secondary" data-testid="pm-alert-open"
                    on:click=move |_| { sent.set(None); open.set(true); }>
                    <span class="kern-icon kern-icon--mail" aria-hidden="true"></span>
                    <span class="kern-label">{move || i18n.t("pm-alert-open")}</span>
                </button>
            </Show>
            <Show when=move || open.get()>
                <form class="public-alerts__form" data-testid="pm-alert-form" on:submit=submit.clone() novalidate>
                    <fieldset class="kern-fieldset">
                        <legend class="kern-label">{move || i18n.t("pm-alert-area")}</legend>
                        <div class="kern-fieldset__body">
                            {shape_radio(Shape::Circle, "pm-alert-circle", "pm-alert-circle")}
                            {shape_radio(Shape::Drawn, "pm-alert-drawn", "pm-alert-drawn")}
                        </div>
                    </fieldset>
                    <Show when=move || shape.get() == Shape::Circle>
                        <p class="kern-hint">{move || i18n.t("pm-alert-circle-help")}</p>
                        <div class="kern-form-input">
                            <label class="kern-label" for="pm-alert-radius">{move || i18n.t("pm-alert-radius")}</label>
                            <select id="pm-alert-radius" class="kern-form-input__select" data-testid="pm-alert-radius"
                                on:change=move |ev| if let Ok(r) = event_target_value(&ev).parse() { radius.set(r) }>
                                {radius_options}
                            </select>
                        </div>
                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="pm-alert-here"
                            on:click=here>
                            <span class="kern-label">{move || i18n.t("pm-alert-here")}</span>
                        </button>
                    </Show>
                    <Show when=move || shape.get() == Shape::Drawn>
                        <p class="kern-hint" data-testid="pm-alert-corners" data-count=move || corner_count().to_string()>
                            {move || i18n.t_args("pm-alert-drawn-help", &[("count", corner_count().into())])}
                        </p>
                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="pm-alert-reset"
                            on:click=move |_| {
                                corners.set(Vec::new());
                                // Redraws an empty polygon.
                                shape.set(Shape::Drawn);
                            }>
                            <span class="kern-label">{move || i18n.t("pm-alert-reset")}</span>
                        </button>
                    </Show>
                    <fieldset class="kern-fieldset">
                        <legend class="kern-label">{move || i18n.t("pm-alert-what")}</legend>
                        <div class="kern-fieldset__body">
                            <div class="kern-form-check">
                                <input class="kern-form-check__checkbox" type="checkbox" id="pm-alert-new" data-testid="pm-alert-new"
                                    prop:checked=move || new_reports.get()
                                    on:change=move |ev| new_reports.set(event_target_checked(&ev)) />
                                <label class="kern-label" for="pm-alert-new">{move || i18n.t("pm-alert-new")}</label>
                            </div>
                            <div class="kern-form-check">
                                <input class="kern-form-check__checkbox" type="checkbox" id="pm-alert-status" data-testid="pm-alert-status"
                                    prop:checked=move || status_changes.get()
                                    on:change=move |ev| status_changes.set(event_target_checked(&ev)) />
                                <label class="kern-label" for="pm-alert-status">{move || i18n.t("pm-alert-status")}</label>
                            </div>
                        </div>
                    </fieldset>
                    <div class="kern-form-input">
                        <label class="kern-label" for="pm-alert-email">{move || i18n.t("pm-alert-email")}</label>
                        <input id="pm-alert-email" class="kern-form-input__input" type="email" autocomplete="email"
                            data-testid="pm-alert-email" required
                            prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                        <p class="kern-hint">{move || i18n.t("pm-alert-email-help")}</p>
                    </div>
                    <ErrorAlert error=error.into() />
                    <div class="public-alerts__actions">
                        <button type="submit" class="kern-btn kern-btn--primary" data-testid="pm-alert-submit"
                            disabled=move || busy.get()>
                            <span class="kern-label">{move || i18n.t("pm-alert-submit")}</span>
                        </button>
                        <button type="button" class="kern-btn kern-btn--tertiary" data-testid="pm-alert-cancel"
                            on:click=move |_| open.set(false)>
                            <span class="kern-label">{move || i18n.t("pm-alert-cancel")}</span>
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_area_is_sent_only_once_it_is_complete() {
        assert_eq!(area(Shape::Circle, None, 500, &[]), None);
        assert_eq!(
            area(Shape::Circle, Some((54.78, 9.43)), 1000, &[]),
            Some(AlertArea::Circle {
                center: GeoPoint { lat: 54.78, lon: 9.43 },
                radius_m: 1000
            })
        );
        let two = [(54.78, 9.43), (54.79, 9.43)];
        assert_eq!(area(Shape::Drawn, Some((54.78, 9.43)), 500, &two), None);
        let three = [(54.78, 9.43), (54.79, 9.43), (54.79, 9.44)];
        assert!(matches!(
            area(Shape::Drawn, None, 500, &three),
            Some(AlertArea::Polygon { points }) if points.len() == 3
        ));
    }
}
