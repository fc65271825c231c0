// Leaflet glue of the staff console. Unlike the citizen's map it is drawn without tiles
// too: the municipality's boundary and its named areas give orientation where a town-hall
// network blocks the tile server (or none is configured). Markers are pins coloured by
// status (overdue ones with an exclamation mark); they are keyboard-focusable and open
// the report's case page.

import { createBaseMap, leafletAvailable } from "./leaflet-base.js";

const maps = new Map();

// Leaflet renders strings given to tooltips and the attribution as HTML. Names come from
// admins and imported GeoJSON files, so they are handed over as text only: tooltips get a
// text node's element, the attribution is escaped.
function textElement(text) {
  const span = document.createElement("span");
  span.textContent = String(text);
  return span;
}

// shapes: [{ geometry, label, kind: "boundary" | "area" }]
// points: [{ lat, lon, label, href, status, overdue }]
export function drawConsoleMap(elementId, tileUrl, attribution, shapes, points, zoom) {
  if (!leafletAvailable()) return false;
  const el = document.getElementById(elementId);
  if (!el) return false;
  removeConsoleMap(elementId);
  const L = window.L;
  const map = createBaseMap(el, tileUrl, attribution);
  const bounds = L.latLngBounds([]);
  for (const s of shapes || []) {
    try {
      const layer = L.geoJSON(s.geometry, {
        interactive: false,
        style: s.kind === "boundary"
          ? { color: "#003064", weight: 3, fill: true, fillColor: "#ffffff", fillOpacity: 0.7 }
          : { color: "#4f6f8f", weight: 1, dashArray: "4 4", fillOpacity: 0.05 },
      }).addTo(map);
      if (s.kind === "area" && s.label) {
        layer.bindTooltip(textElement(s.label), { permanent: !tileUrl, direction: "center", className: "console-map__area-label" });
      }
      if (!points || points.length === 0) bounds.extend(layer.getBounds());
    } catch (e) {
      // A broken geometry must not take the map down; the others are still drawn.
      console.warn("shape not drawn", e);
    }
  }
  const markers = (points || []).map((p) => {
    const icon = L.divIcon({
      className: "map-pin map-pin--" + p.status + (p.overdue ? " map-pin--overdue" : ""),
      // An overdue pin carries an exclamation mark: a shape, not only the red ring.
      html: p.overdue ? '<span></span><b class="map-pin__flag" aria-hidden="true">!</b>' : "<span></span>",
      iconSize: [22, 22],
      iconAnchor: [11, 22],
    });
    const m = L.marker([p.lat, p.lon], { icon, title: p.label, keyboard: true, alt: p.label }).addTo(map);
    if (p.href) {
      m.on("click", () => { window.location.hash = p.href; });
      m.on("keypress", (e) => {
        if (e.originalEvent && e.originalEvent.key === "Enter") window.location.hash = p.href;
      });
    }
    bounds.extend([p.lat, p.lon]);
    return m;
  });
  if (points && points.length === 1) {
    map.setView([points[0].lat, points[0].lon], zoom || 16);
  } else if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
  } else {
    map.setView([54.3, 10.0], 8);
  }
  maps.set(elementId, { map, markers });
  // The container may have been laid out after creation (tabs, grid).
  setTimeout(() => map.invalidateSize(), 50);
  return true;
}

export function removeConsoleMap(elementId) {
  const entry = maps.get(elementId);
  if (entry) {
    entry.map.remove();
    maps.delete(elementId);
  }
}
