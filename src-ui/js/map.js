// Leaflet glue for the Rust UI. Leaflet is loaded by index.html as a classic script
// (window.L, bundled locally, no CDN). Without Leaflet or without a tile URL the map is
// not created and the UI shows coordinates instead.

const maps = new Map();

// Leaflet renders the attribution string as HTML; it is configuration, but handed over as
// text all the same (no markup reaches the map library from our side).
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

export function mapAvailable() {
  return typeof window.L !== "undefined";
}

// Creates (or re-creates) a map in the element with the given id. `onPick(lat, lon)` is
// called when the user clicks the map or drags the marker.
export function createMap(elementId, lat, lon, zoom, tileUrl, attribution, label, onPick) {
  if (!mapAvailable()) return false;
  const el = document.getElementById(elementId);
  if (!el) return false;
  destroyMap(elementId);
  const L = window.L;
  const map = L.map(el, { keyboard: true, zoomControl: true }).setView([lat, lon], zoom);
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 19, attribution: escapeHtml(attribution || "") }).addTo(map);
  }
  const entry = { map, marker: null, markers: [] };
  if (onPick) {
    const marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: label, alt: label }).addTo(map);
    marker.on("dragend", () => {
      const p = marker.getLatLng();
      onPick(p.lat, p.lng);
    });
    map.on("click", (e) => {
      marker.setLatLng(e.latlng);
      onPick(e.latlng.lat, e.latlng.lng);
    });
    entry.marker = marker;
  }
  maps.set(elementId, entry);
  return true;
}

// The report form's picker: the map is shown before any place is known (centred on the
// municipality or the state), and the marker appears with the first tap. A tap or a drag
// of the marker calls `onPick(lat, lon)`. The element carries the view's centre and zoom
// (data-center-lat, data-center-lon, data-zoom) so that a test can tap a known place.
export function createPicker(elementId, lat, lon, zoom, tileUrl, attribution, label, hasPlace, onPick) {
  if (!mapAvailable()) return false;
  const el = document.getElementById(elementId);
  if (!el) return false;
  destroyMap(elementId);
  const L = window.L;
  const map = L.map(el, { keyboard: true, zoomControl: true }).setView([lat, lon], zoom);
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 19, attribution: escapeHtml(attribution || "") }).addTo(map);
  }
  // Leaflet's credit link is underlined: by its colour alone it is not told from the
  // text around it (axe: link-in-text-block).
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" style="text-decoration: underline">Leaflet</a>');
  const entry = { map, marker: null, markers: [], label, onPick };
  const showView = () => {
    const c = map.getCenter();
    el.dataset.centerLat = c.lat.toFixed(6);
    el.dataset.centerLon = c.lng.toFixed(6);
    el.dataset.zoom = String(map.getZoom());
  };
  map.on("moveend zoomend", showView);
  showView();
  maps.set(elementId, entry);
  if (hasPlace) placeMarker(entry, lat, lon);
  map.on("click", (e) => {
    placeMarker(entry, e.latlng.lat, e.latlng.lng);
    // A tap on the state-wide map is rough: zoom in on it, so the marker can be put right.
    if (map.getZoom() < 14) map.setView(e.latlng, 14);
    onPick(e.latlng.lat, e.latlng.lng);
  });
  return true;
}

function placeMarker(entry, lat, lon) {
  if (entry.marker) {
    entry.marker.setLatLng([lat, lon]);
    return;
  }
  if (!entry.onPick) return;
  const L = window.L;
  const marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: entry.label, alt: entry.label }).addTo(entry.map);
  marker.on("dragend", () => {
    const p = marker.getLatLng();
    entry.onPick(p.lat, p.lng);
  });
  entry.marker = marker;
}

// Moves the picker's marker (placing it if there was none) and brings the place into view,
// close enough to check it (a search result found on the state-wide map).
export function moveMarker(elementId, lat, lon) {
  const entry = maps.get(elementId);
  if (!entry) return;
  placeMarker(entry, lat, lon);
  entry.map.setView([lat, lon], Math.max(entry.map.getZoom(), 16));
}

// Shows points (cases) as markers that link to their page; fits the view to them.
export function showPoints(elementId, points) {
  const entry = maps.get(elementId);
  if (!entry) return;
  const L = window.L;
  entry.markers.forEach((m) => m.remove());
  entry.markers = points.map((p) => {
    const m = L.marker([p.lat, p.lon], { title: p.label, alt: p.label, keyboard: true }).addTo(entry.map);
    if (p.href) m.on("click", () => { window.location.hash = p.href; });
    return m;
  });
  if (points.length > 0) {
    entry.map.fitBounds(L.latLngBounds(points.map((p) => [p.lat, p.lon])), { padding: [24, 24], maxZoom: 16 });
  }
}

export function destroyMap(elementId) {
  const entry = maps.get(elementId);
  if (entry) {
    entry.map.remove();
    maps.delete(elementId);
  }
}
