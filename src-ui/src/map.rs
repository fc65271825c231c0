//! The map (Leaflet, bundled): shows and moves the report's position, or a field worker's
//! cases. Without Leaflet or tiles it is not drawn and the coordinates stand alone.

use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/map.js")]
extern "C" {
    #[wasm_bindgen(js_name = mapAvailable)]
    fn map_available() -> bool;

    #[wasm_bindgen(js_name = createMap)]
    fn create_map(
        element_id: &str,
        lat: f64,
        lon: f64,
        zoom: u32,
        tile_url: &str,
        attribution: &str,
        label: &str,
        on_pick: Option<&Closure<dyn FnMut(f64, f64)>>,
    ) -> bool;

    #[wasm_bindgen(js_name = createPicker)]
    fn create_picker(
        element_id: &str,
        lat: f64,
        lon: f64,
        zoom: u32,
        tile_url: &str,
        attribution: &str,
        label: &str,
        has_place: bool,
        on_pick: &Closure<dyn FnMut(f64, f64)>,
    ) -> bool;

    #[wasm_bindgen(js_name = moveMarker)]
    fn move_marker(element_id: &str, lat: f64, lon: f64);

    #[wasm_bindgen(js_name = showPoints)]
    fn show_points(element_id: &str, points: JsValue);

    #[wasm_bindgen(js_name = destroyMap)]
    fn destroy_map(element_id: &str);
}

/// Where the map's tiles come from.
#[derive(Debug, Clone, PartialEq)]
pub struct Tiles {
    /// `{z}/{x}/{y}` URL template.
    pub url: String,
    /// Attribution text.
    pub attribution: String,
}

/// A point on the cases map.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Accessible name of the marker.
    pub label: String,
    /// Where a click leads.
    pub href: String,
}

/// Where a picker opens: on the place (close up), or on a region before any place is
/// known (no marker until the first tap).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PickerView {
    /// The place chosen so far.
    Place(f64, f64),
    /// A region's centre and zoom.
    Region(f64, f64, u32),
}

/// A map in the element `id` shown before a place is known: a tap or a drag of the
/// marker gives `on_pick` the new position. False when no map can be drawn.
pub fn place_picker(
    id: &str,
    tiles: &Tiles,
    view: PickerView,
    label: &str,
    on_pick: impl FnMut(f64, f64) + 'static,
) -> bool {
    if !map_available() || tiles.url.is_empty() {
        return false;
    }
    let (lat, lon, zoom, has_place) = match view {
        PickerView::Place(lat, lon) => (lat, lon, 17, true),
        PickerView::Region(lat, lon, zoom) => (lat, lon, zoom, false),
    };
    let closure = Closure::<dyn FnMut(f64, f64)>::new(on_pick);
    let created = create_picker(
        id,
        lat,
        lon,
        zoom,
        &tiles.url,
        &tiles.attribution,
        label,
        has_place,
        &closure,
    );
    // The map keeps calling it until it is destroyed with the page.
    closure.forget();
    created
}

/// Moves the picker's marker.
pub fn move_to(id: &str, at: (f64, f64)) {
    if map_available() {
        move_marker(id, at.0, at.1);
    }
}

/// A map in the element `id` showing points.
pub fn overview(id: &str, tiles: &Tiles, points: &[Point]) -> bool {
    if !map_available() || tiles.url.is_empty() || points.is_empty() {
        return false;
    }
    let first = (points[0].lat, points[0].lon);
    if !create_map(id, first.0, first.1, 13, &tiles.url, &tiles.attribution, "", None) {
        return false;
    }
    if let Ok(js) = serde_wasm_bindgen::to_value(points) {
        show_points(id, js);
    }
    true
}

/// A map in the element `id` showing one place up close.
pub fn spot(id: &str, tiles: &Tiles, point: &Point) -> bool {
    if !map_available() || tiles.url.is_empty() {
        return false;
    }
    if !create_map(id, point.lat, point.lon, 17, &tiles.url, &tiles.attribution, "", None) {
        return false;
    }
    if let Ok(js) = serde_wasm_bindgen::to_value(std::slice::from_ref(point)) {
        show_points(id, js);
    }
    true
}

/// Removes a map (before its element goes away).
pub fn remove(id: &str) {
    if map_available() {
        destroy_map(id);
    }
}
