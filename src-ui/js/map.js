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

export function moveMarker(elementId, lat, lon) {
  const entry = maps.get(elementId);
  if (!entry) return;
  if (entry.marker) entry.marker.setLatLng([lat, lon]);
  entry.map.panTo([lat, lon]);
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
