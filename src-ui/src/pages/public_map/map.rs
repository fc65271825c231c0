//! The public map's Leaflet calls (`js/public-map.js`): create it, draw the server's
//! clusters and pins, centre it on a report.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::api::{PublicMap, Viewport};
use crate::i18n::Lang;
use crate::map::Tiles;

// Shared with the console's map (which imports it as well, so that wasm-bindgen ships the
// file beside both).
#[wasm_bindgen(module = "/js/leaflet-base.js")]
extern "C" {
    #[wasm_bindgen(js_name = leafletAvailable)]
    fn public_map_available() -> bool;
}

#[wasm_bindgen(module = "/js/public-map.js")]
extern "C" {
    #[wasm_bindgen(js_name = createPublicMap)]
    fn create_public_map(
        element_id: &str,
        tile_url: &str,
        attribution: &str,
        boundary: JsValue,
        on_view: &Closure<dyn FnMut(f64, f64, f64, f64, f64)>,
        on_select: &Closure<dyn FnMut(String)>,
    ) -> bool;

    #[wasm_bindgen(js_name = showPublicMap)]
    fn show_public_map(element_id: &str, clusters: JsValue, reports: JsValue);

    #[wasm_bindgen(js_name = focusPublicMap)]
    fn focus_public_map(element_id: &str, lat: f64, lon: f64);

    #[wasm_bindgen(js_name = removePublicMap)]
    fn remove_public_map(element_id: &str);
}

/// The element the map lives in.
pub const MAP_ID: &str = "public-map";

#[derive(Serialize)]
struct ClusterMark {
    lat: f64,
    lon: f64,
    count: u64,
    label: String,
}

#[derive(Serialize)]
struct ReportMark<'a> {
    id: &'a str,
    lat: f64,
    lon: f64,
    status: &'static str,
    label: String,
}

/// Creates the map; `on_view` hears of every viewport, `on_select` of a chosen report.
/// False when Leaflet is missing (the list alone serves then).
pub fn create(
    tiles: &Tiles,
    boundary: Option<&serde_json::Value>,
    on_view: impl FnMut(Viewport) + 'static,
    on_select: impl FnMut(String) + 'static,
) -> bool {
    if !public_map_available() {
        return false;
    }
    let mut on_view = on_view;
    let view = Closure::<dyn FnMut(f64, f64, f64, f64, f64)>::new(move |w, s, e, n, zoom: f64| {
        // Leaflet's zoom is a small whole number here (no fractional zoom configured).
        let zoom = zoom.clamp(0.0, 22.0).round() as u32;
        on_view(Viewport {
            bbox: [w, s, e, n],
            zoom,
        });
    });
    let select = Closure::<dyn FnMut(String)>::new(on_select);
    let boundary = boundary
        .and_then(|b| b.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).ok())
        .unwrap_or(JsValue::NULL);
    let created = create_public_map(MAP_ID, &tiles.url, &tiles.attribution, boundary, &view, &select);
    // The map calls them until it is removed with the page.
    view.forget();
    select.forget();
    created
}

/// Draws an answer of the server, with accessible names in the current language.
pub fn show(lang: Lang, map: &PublicMap, cluster_label: impl Fn(u64) -> String) {
    if !public_map_available() {
        return;
    }
    let clusters: Vec<ClusterMark> = map
        .clusters
        .iter()
        .map(|c| ClusterMark {
            lat: c.lat,
            lon: c.lon,
            count: c.count,
            label: cluster_label(c.count),
        })
        .collect();
    let reports: Vec<ReportMark<'_>> = map
        .reports
        .iter()
        .map(|r| ReportMark {
            id: &r.id,
            lat: r.location.lat,
            lon: r.location.lon,
            status: r.status.as_str(),
            label: format!("{} – {}", lang.pick(&r.category_name), lang.pick(&r.status.label())),
        })
        .collect();
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    if let (Ok(c), Ok(r)) = (clusters.serialize(&serializer), reports.serialize(&serializer)) {
        show_public_map(MAP_ID, c, r);
    }
}

/// Centres the map on a place.
pub fn focus(lat: f64, lon: f64) {
    if public_map_available() {
        focus_public_map(MAP_ID, lat, lon);
    }
}

/// Removes the map (before its element goes away).
pub fn remove() {
    if public_map_available() {
        remove_public_map(MAP_ID);
    }
}
