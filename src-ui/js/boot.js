// Starts the wasm UI. A file rather than an inline script: the server's Content-Security-Policy
// allows scripts from the page's own origin only.
import init from "../pkg/augenmerk_ui.js";

// The public map embedded in a municipality's website (/embed/{ags}) is a read-only view:
// it neither anonymizes photos nor installs the app's service worker in the visitor's browser.
const embedded = location.pathname.startsWith("/embed/");

// The browser's anonymizer (window.augenmerkAnon) before the UI asks whether it runs here; a
// page without it (an old browser, a failed load) lets the server anonymize its photos.
if (!embedded) {
  try {
    await import("./anon.js");
  } catch (e) {
    console.warn("augenmerk: the browser's anonymizer did not load; the server anonymizes photos", e);
  }
}

// The service worker keeps the app for use without network (sw.js at the root scope).
if (!embedded && "serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((e) => {
    console.warn("augenmerk: no service worker, the page needs the network to open", e);
  });
  // Background Sync (below) wakes the worker when the network is back; it tells the pages.
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "augenmerk-sync" && typeof window.augenmerkSync === "function") {
      window.augenmerkSync();
    }
  });
}

// Called by the outbox (src/backend/web/outbox.rs) when reports wait for the network:
// asks the browser, where it has Background Sync, to wake the worker once it is back
// (even if this tab is in the background). Resolves to whether it was registered.
window.augenmerkBackgroundSync = async () => {
  if (!("serviceWorker" in navigator) || !("SyncManager" in window)) return false;
  try {
    const registration = await navigator.serviceWorker.ready;
    await registration.sync.register("augenmerk-outbox");
    return true;
  } catch (_) {
    return false;
  }
};

init();
