// The area of an e-mail alert, drawn on the public map (js/public-map.js): a circle that
// follows the map's centre ("within 500 m of here"), or a polygon whose corners the
// citizen sets by tapping the map. The page (src/pages/public_map/alerts.rs) hears of
// every change and sends the area; this file only draws.

import { publicLeafletMap } from "./public-map.js";

const drawn = new Map();

function clear(elementId) {
  const d = drawn.get(elementId);
  if (!d) return;
  for (const undo of d.undo) undo();
  d.layer.remove();
  drawn.delete(elementId);
}

function start(elementId) {
  clear(elementId);
  const map = publicLeafletMap(elementId);
  if (!map || typeof window.L === "undefined") return null;
  const d = { map, layer: window.L.layerGroup().addTo(map), undo: [] };
  drawn.set(elementId, d);
  return d;
}

function on(d, event, handler) {
  d.map.on(event, handler);
  d.undo.push(() => d.map.off(event, handler));
}

const STYLE = { color: "#00577a", weight: 2, fillOpacity: 0.12, interactive: false };

// A circle of `radius` metres at the map's centre, kept there as the map moves;
// `onCentre(lat, lon)` hears of every new centre (and of the first at once).
export function alertAreaCircle(elementId, radius, onCentre) {
  const d = start(elementId);
  if (!d) return false;
  const circle = window.L.circle(d.map.getCenter(), { ...STYLE, radius }).addTo(d.layer);
  const follow = () => circle.setLatLng(d.map.getCenter());
  const report = () => {
    const c = d.map.getCenter();
    onCentre(c.lat, c.lng);
  };
  on(d, "move", follow);
  on(d, "moveend", report);
  report();
  return true;
}

// Corners set by tapping the map; `onCorners(flat)` hears of [lat, lon, lat, lon, …]
// after every tap. `corners` (the same flat form) redraws the ones set before.
export function alertAreaPolygon(elementId, corners, onCorners) {
  const d = start(elementId);
  if (!d) return false;
  const points = [];
  for (let i = 0; i + 1 < corners.length; i += 2) points.push([corners[i], corners[i + 1]]);
  const shape = window.L.polygon(points, STYLE).addTo(d.layer);
  const dots = window.L.layerGroup().addTo(d.layer);
  const redraw = () => {
    shape.setLatLngs(points);
    dots.clearLayers();
    for (const p of points) {
      window.L.circleMarker(p, { radius: 5, color: "#00577a", weight: 2, fillOpacity: 1, interactive: false }).addTo(dots);
    }
  };
  redraw();
  on(d, "click", (e) => {
    points.push([e.latlng.lat, e.latlng.lng]);
    redraw();
    onCorners(points.flat());
  });
  // Quick taps set corners; they must not zoom in as a double click would.
  if (d.map.doubleClickZoom.enabled()) {
    d.map.doubleClickZoom.disable();
    d.undo.push(() => d.map.doubleClickZoom.enable());
  }
  // A crosshair says that a tap sets a corner rather than opening a report.
  const container = d.map.getContainer();
  container.classList.add("public-map__map--drawing");
  d.undo.push(() => container.classList.remove("public-map__map--drawing"));
  return true;
}

// Moves the map to a place (the device's position, for the circle).
export function alertAreaCentre(elementId, lat, lon) {
  const map = publicLeafletMap(elementId);
  if (map) map.setView([lat, lon], Math.max(map.getZoom(), 15));
}

export function alertAreaClear(elementId) {
  clear(elementId);
}
