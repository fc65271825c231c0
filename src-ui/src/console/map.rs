//! The inbox's reports on a map (Leaflet, bundled), next to a list of the same reports so
//! everything stays reachable by keyboard and without tiles. An Amt's map outlines and
//! names its Gemeinden.

use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use augenmerk_domain::staff::StaffReportSummary;

use super::api::use_api;
use super::inbox::ellipsis;
use super::widgets::{overdue_badge, status_badge};
use super::{Page, use_console};
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::i18n::use_i18n;
use crate::map::Tiles;

// Shared with the public map (see `pages::public_map::map`).
#[wasm_bindgen(module = "/js/leaflet-base.js")]
extern "C" {
    #[wasm_bindgen(js_name = leafletAvailable)]
    fn console_map_available() -> bool;
}

#[wasm_bindgen(module = "/js/console-map.js")]
extern "C" {
    #[wasm_bindgen(js_name = drawConsoleMap)]
    fn draw_console_map(
        element_id: &str,
        tile_url: &str,
        attribution: &str,
        shapes: JsValue,
        points: JsValue,
        zoom: u32,
    ) -> bool;

    #[wasm_bindgen(js_name = removeConsoleMap)]
    fn remove_console_map(element_id: &str);
}

/// A polygon drawn for orientation.
#[derive(Debug, Clone, Serialize)]
pub struct Shape {
    /// GeoJSON geometry.
    pub geometry: serde_json::Value,
    /// Name (areas are labelled).
    pub label: String,
    /// `boundary` or `area`.
    pub kind: &'static str,
}

/// A report on the map.
#[derive(Debug, Clone, Serialize)]
pub struct Pin {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Accessible name.
    pub label: String,
    /// Where a click leads (empty: nowhere).
    pub href: String,
    /// Status wire name (the pin's colour).
    pub status: String,
    /// Overdue pins get a red ring and an exclamation mark (a shape, not only a colour);
    /// their label says so.
    pub overdue: bool,
}

/// Draws a map into the element `id`; false when Leaflet is missing.
pub fn draw(id: &str, tiles: &Tiles, shapes: &[Shape], pins: &[Pin], zoom: u32) -> bool {
    if !console_map_available() {
        return false;
    }
    // Through JSON: serde-wasm-bindgen would turn the GeoJSON objects into JS `Map`s,
    // which Leaflet does not read.
    let as_js = |json: Result<String, serde_json::Error>| json.ok().and_then(|j| js_sys::JSON::parse(&j).ok());
    let (Some(shapes), Some(pins)) = (as_js(serde_json::to_string(shapes)), as_js(serde_json::to_string(pins))) else {
        return false;
    };
    draw_console_map(id, &tiles.url, &tiles.attribution, shapes, pins, zoom)
}

/// Removes a map before its element goes away.
pub fn remove(id: &str) {
    if console_map_available() {
        remove_console_map(id);
    }
}

/// The named areas as shapes.
pub fn area_shapes(areas: &[augenmerk_domain::api::AreaDefinition]) -> Vec<Shape> {
    areas
        .iter()
        .map(|a| Shape {
            geometry: a.geometry.clone(),
            label: a.name.clone(),
            kind: "area",
        })
        .collect()
}

/// A pin's accessible name (its tooltip too): category, status and, for an overdue
/// case, that it is overdue.
fn pin_label(category: &str, status: &str, overdue: Option<&str>) -> String {
    match overdue {
        Some(o) => format!("{category} – {status} – {o}"),
        None => format!("{category} – {status}"),
    }
}

/// The map page.
#[component]
pub fn MapPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let reports: RwSignal<Option<Vec<StaffReportSummary>>> = RwSignal::new(None);
    let total = RwSignal::new(0u64);
    // The municipality's boundary and an Amt's Gemeinden, once its configuration is here.
    let boundary: RwSignal<Option<Vec<Shape>>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let drawn = RwSignal::new(false);

    let query = console.filters.with_untracked(|f| {
        let mut f = f.clone();
        f.page = 1;
        f.query(false)
    });
    leptos::task::spawn_local(async move {
        // The map shows up to 200 reports of the current filter (the store's largest page).
        match api.reports(&format!("{query}&page=1&page_size=200")).await {
            Ok(p) => {
                total.set(p.total);
                reports.set(Some(p.items));
            }
            Err(e) => error.set(Some(e)),
        }
    });
    if let Some(ags) = api
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.user.municipality.clone()))
    {
        leptos::task::spawn_local(async move {
            if let Ok(c) = super::api::municipality_config(&ags).await {
                let mut shapes: Vec<Shape> = c
                    .boundary
                    .into_iter()
                    .filter(|b| !b.is_null())
                    .map(|geometry| Shape {
                        geometry,
                        label: String::new(),
                        kind: "boundary",
                    })
                    .collect();
                if c.gemeinden.len() > 1 {
                    shapes.extend(c.gemeinden.into_iter().filter_map(|g| {
                        Some(Shape {
                            geometry: g.boundary?,
                            label: g.name,
                            kind: "area",
                        })
                    }));
                }
                boundary.set(Some(shapes));
            }
        });
    }

    Effect::new(move |_| {
        let (Some(list), Some(b)) = (reports.get(), boundary.get()) else {
            return;
        };
        let lang = i18n.lang();
        let refs = console.refs.get();
        let mut shapes = b;
        shapes.extend(area_shapes(&refs.areas));
        let overdue = i18n.t("c-overdue");
        let pins: Vec<Pin> = list
            .iter()
            .map(|s| Pin {
                lat: s.report.location.lat,
                lon: s.report.location.lon,
                label: pin_label(
                    &refs.category_name(lang, s.report.category.as_str()),
                    lang.pick(&s.report.status.label()),
                    s.overdue.then_some(overdue.as_str()),
                ),
                href: Page::Case(s.report.id.to_string()).href(),
                status: s.report.status.as_str().to_owned(),
                overdue: s.overdue,
            })
            .collect();
        drawn.set(draw("console-map", &console.tiles.get_untracked(), &shapes, &pins, 15));
    });
    on_cleanup(|| remove("console-map"));

    let list = move || {
        let lang = i18n.lang();
        let refs = console.refs.get();
        reports.get().map(|items| {
            view! {
                <ol class="map-list" data-testid="map-list">
                    {items.into_iter().map(|s| {
                        let r = s.report;
                        let href = Page::Case(r.id.to_string()).href();
                        let mut place = r.address_hint.clone().unwrap_or_else(|| crate::format::coordinates(r.location.lat, r.location.lon));
                        if refs.is_amt() {
                            place = format!("{} · {place}", refs.gemeinde_name(r.gemeinde.as_str()));
                        }
                        view! {
                            <li class="map-list__item" class:map-list__item--overdue=s.overdue>
                                <span class=format!("map-list__dot map-pin--{}", r.status.as_str()) aria-hidden="true"></span>
                                <div>
                                    <a class="kern-link" href=href>{refs.category_name(lang, r.category.as_str())}</a>
                                    <p class="kern-body kern-body--small">{ellipsis(&place, 60)}</p>
                                    <p class="map-list__badges">{status_badge(r.status)}{s.overdue.then(|| overdue_badge(i18n))}</p>
                                </div>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }
        })
    };

    view! {
        <div class="console-page" data-testid="map-page">
            <div class="console-page__head">
                <h1 class="kern-heading-large">{move || i18n.t("c-map-title")}</h1>
                <div class="console-page__actions">
                    <a class="kern-btn kern-btn--secondary kern-btn--small" href=Page::Inbox.href()>
                        <span class="kern-icon kern-icon--checklist" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-show-list")}</span>
                    </a>
                </div>
            </div>
            <p class="kern-body kern-body--small console-muted" data-testid="map-count">
                {move || i18n.t_args("c-map-count", &[("shown", (reports.with(|r| r.as_ref().map_or(0, Vec::len)) as f64).into()), ("count", (total.get() as f64).into())])}
                {move || console.tiles.with(|t| t.url.is_empty()).then(|| format!(" {}", i18n.t("c-map-no-tiles")))}
            </p>
            <ErrorAlert error=error.into() />
            <div class="map-layout">
                <div id="console-map" class="console-map console-map--large" role="region"
                    aria-label=move || i18n.t("c-map-label") data-testid="console-map" data-drawn=move || drawn.get().to_string()></div>
                <aside class="map-layout__list" aria-label=move || i18n.t("c-map-list-label")>
                    <ul class="map-legend" aria-label=move || i18n.t("c-map-legend")>
                        {[augenmerk_domain::Status::Received, augenmerk_domain::Status::Assigned, augenmerk_domain::Status::InProgress, augenmerk_domain::Status::Resolved].into_iter().map(|s| view! {
                            <li><span class=format!("map-list__dot map-pin--{}", s.as_str()) aria-hidden="true"></span>
                                {move || i18n.lang().pick(&s.label()).to_owned()}</li>
                        }).collect_view()}
                        <li data-testid="map-legend-overdue"><span class="map-list__dot map-legend__overdue" aria-hidden="true">"!"</span>
                            {move || i18n.t("c-map-overdue-legend")}</li>
                    </ul>
                    {move || {
                        let n = reports.with(|r| r.as_ref().map_or(0, |l| l.iter().filter(|s| s.overdue).count()));
                        (n > 0).then(|| view! {
                            <p class="kern-body kern-body--small map-overdue-count" data-testid="map-overdue-count">
                                <span class="kern-icon kern-icon--warning kern-icon--small" aria-hidden="true"></span>
                                {i18n.t_args("c-map-overdue-count", &[("count", (n as f64).into())])}</p>
                        })
                    }}
                    {list}
                </aside>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::pin_label;

    #[test]
    fn an_overdue_pin_says_so_in_words() {
        assert_eq!(pin_label("Schlagloch", "Eingegangen", None), "Schlagloch – Eingegangen");
        assert_eq!(
            pin_label("Schlagloch", "Eingegangen", Some("überfällig")),
            "Schlagloch – Eingegangen – überfällig"
        );
    }
}
