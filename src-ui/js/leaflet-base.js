// What the public map (public-map.js) and the staff console's map (console-map.js) share:
// whether Leaflet loaded, and a map in an element with the configured tiles. Both maps are
// drawn without tiles too (a town-hall network may block the tile server, or none is
// configured): the element then gets the look of a map without tiles, and the boundary
// and the reports still give orientation.

// Leaflet renders the attribution as HTML; it comes from the configuration, so it is
// handed over as text.
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

export function leafletAvailable() {
  return typeof window.L !== "undefined";
}

// A Leaflet map in `el`, keyboard-operable, with the tile layer of `tileUrl` (or none).
export function createBaseMap(el, tileUrl, attribution) {
  const L = window.L;
  const map = L.map(el, { keyboard: true, zoomControl: true, attributionControl: !!tileUrl });
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 19, attribution: escapeHtml(attribution || "") }).addTo(map);
  } else {
    el.classList.add("console-map--no-tiles");
  }
  return map;
}
