// Leaflet glue of the public map (/m, /m/{ags}, /embed/{ags}). The server clusters the
// reports per viewport (GET /api/v1/public/reports?bbox=…&zoom=…), so this file only draws
// what it is given: a numbered bubble per cluster (a click zooms in on it) and a pin per
// report (a click or Enter opens its detail). Like the console's map it draws without
// tiles too, so a town-hall network that blocks the tile server still shows the reports.

import { createBaseMap, escapeHtml, leafletAvailable } from "./leaflet-base.js";

const maps = new Map();

// Schleswig-Holstein, for the statewide view and a municipality without a boundary.
const STATE_BOUNDS = [[53.36, 7.87], [55.06, 11.32]];

function viewOf(map) {
  const b = map.getBounds();
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth(), map.getZoom()];
}

// Creates the map in the element `elementId`, fitted to `boundary` (a GeoJSON geometry,
// or null for the state). `onView(west, south, east, north, zoom)` is called once drawn
// and after every move; `onSelect(id)` when a report's pin is chosen.
export function createPublicMap(elementId, tileUrl, attribution, boundary, onView, onSelect) {
  if (!leafletAvailable()) return false;
  const el = document.getElementById(elementId);
  if (!el) return false;
  removePublicMap(elementId);
  const L = window.L;
  const map = createBaseMap(el, tileUrl, attribution);
  let fitted = false;
  if (boundary) {
    try {
      const layer = L.geoJSON(boundary, {
        interactive: false,
        style: { color: "#003064", weight: 2, fill: false },
      }).addTo(map);
      const bounds = layer.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [12, 12] });
        fitted = true;
      }
    } catch (e) {
      console.warn("public map: boundary not drawn", e);
    }
  }
  if (!fitted) map.fitBounds(STATE_BOUNDS);
  const layer = L.layerGroup().addTo(map);
  const entry = { map, layer, onSelect };
  maps.set(elementId, entry);
  map.on("moveend", () => onView(...viewOf(map)));
  // The container may have been laid out after creation; the first view is reported after.
  setTimeout(() => {
    map.invalidateSize();
    onView(...viewOf(map));
  }, 30);
  return true;
}

function focusable(marker, label) {
  const el = marker.getElement();
  if (el) {
    el.setAttribute("role", "button");
    el.setAttribute("aria-label", label);
  }
}

// Draws the server's answer: clusters [{lat, lon, count, label}] and reports
// [{id, lat, lon, status, label}]; replaces what was drawn before.
export function showPublicMap(elementId, clusters, reports) {
  const entry = maps.get(elementId);
  if (!entry) return;
  const L = window.L;
  entry.layer.clearLayers();
  for (const c of clusters || []) {
    const size = c.count < 10 ? 30 : c.count < 100 ? 36 : c.count < 1000 ? 42 : 48;
    const icon = L.divIcon({
      className: "public-cluster",
      html: `<span>${escapeHtml(c.count)}</span>`,
      iconSize: [size, size],
      iconAnchor: [size / 2, size / 2],
    });
    const m = L.marker([c.lat, c.lon], { icon, keyboard: true, title: c.label }).addTo(entry.layer);
    focusable(m, c.label);
    m.getElement() && m.getElement().setAttribute("data-testid", "public-cluster");
    const zoomIn = () => entry.map.setView([c.lat, c.lon], Math.min(entry.map.getZoom() + 2, 19));
    m.on("click", zoomIn);
    m.on("keypress", (e) => {
      if (e.originalEvent && e.originalEvent.key === "Enter") zoomIn();
    });
  }
  for (const r of reports || []) {
    const icon = L.divIcon({
      className: "map-pin map-pin--" + r.status,
      html: "<span></span>",
      iconSize: [22, 22],
      iconAnchor: [11, 22],
    });
    const m = L.marker([r.lat, r.lon], { icon, keyboard: true, title: r.label }).addTo(entry.layer);
    focusable(m, r.label);
    const el = m.getElement();
    if (el) {
      el.setAttribute("data-testid", "public-pin");
      el.setAttribute("data-id", r.id);
    }
    const select = () => entry.onSelect(r.id);
    m.on("click", select);
    m.on("keypress", (e) => {
      if (e.originalEvent && e.originalEvent.key === "Enter") select();
    });
  }
}

// Centres the map on one report (from the list or the detail view).
export function focusPublicMap(elementId, lat, lon) {
  const entry = maps.get(elementId);
  if (entry) entry.map.setView([lat, lon], Math.max(entry.map.getZoom(), 17));
}

// The Leaflet map of an element (for the alert area drawn on it, js/alert-area.js).
export function publicLeafletMap(elementId) {
  const entry = maps.get(elementId);
  return entry ? entry.map : null;
}

export function removePublicMap(elementId) {
  const entry = maps.get(elementId);
  if (entry) {
    entry.map.remove();
    maps.delete(elementId);
  }
}
