// Augenmerk's service worker (scope "/"): the citizen's page opens with no network at all.
//
// - On install it stores the app shell: every file of the built page (scripts/build-ui.sh
//   writes the list and a build id into PRECACHE above this text in dist/sw.js), the
//   page's settings (/ui/config.json) and the anonymizer's models (/ui/models/…). A new
//   build has a new id, so its worker replaces the old cache on activation.
// - Files of the shell and the models come from that cache; /ui/config.json from the
//   network while there is one (the cached copy otherwise).
// - Opening a page of the app without network gives the cached index.html.
// - The API (/api/…, /open311/…) is never cached: the page's outbox in IndexedDB is what
//   keeps reports while offline.
// - Background Sync ("augenmerk-outbox", registered by the page where the browser has it):
//   when the network is back, the open pages are told to send their outbox.
/* global PRECACHE */

const BUILD = typeof PRECACHE === "object" ? PRECACHE : { version: "dev", files: [] };
const CACHE = `augenmerk-shell-${BUILD.version}`;
// The anonymizer's models, as js/anon-worker.js fetches them (MODELS there).
const MODELS = ["centerface.onnx", "clp_det.onnx", "ch_mul_v2_c_det.onnx"].map((f) => `/ui/models/${f}`);
const CONFIG = "/ui/config.json";
const INDEX = "/index.html";
const SYNC_TAG = "augenmerk-outbox";

// Stores each file; one that fails (a model missing on this server) does not stop the
// others, so the page still opens offline.
async function precache() {
  const cache = await caches.open(CACHE);
  const urls = ["/", INDEX, CONFIG, ...BUILD.files, ...MODELS];
  const results = await Promise.allSettled(
    [...new Set(urls)].map(async (url) => {
      // Past the browser's HTTP cache: a file of the previous build must not slip in.
      const response = await fetch(new Request(url, { cache: "reload" }));
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      await cache.put(url, response);
    }),
  );
  for (const r of results) {
    if (r.status === "rejected") console.warn("augenmerk sw: not cached:", r.reason && r.reason.message);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("augenmerk-shell-") && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

function isApi(path) {
  return ["/api", "/open311", "/healthz"].some((p) => path === p || path.startsWith(`${p}/`));
}

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  return cache.match(request, { ignoreSearch: true });
}

// Keeps a copy of a good response once it has been answered. Not awaited before answering:
// Chromium fails the fetch ("Failed to fetch") when the page's half of a cloned body of some
// MB (the 15 MB anonymizer module) waits for the cache's half; and a full disk (Cache.put
// fails) must not fail the request.
function keep(event, response) {
  if (!response.ok) return;
  const request = event.request;
  const copy = response.clone();
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.put(request, copy))
      .catch((e) => console.warn("augenmerk sw: not cached:", request.url, e && e.message)),
  );
}

// The network first (the newest settings), the stored copy without network.
async function networkFirst(event) {
  try {
    const response = await fetch(event.request);
    keep(event, response);
    return response;
  } catch (e) {
    const cached = await fromCache(event.request);
    if (cached) return cached;
    throw e;
  }
}

// Pages of the app: the network while there is one, else the stored page (the app routes
// by the URL's hash, so index.html serves every path the server would answer with it).
async function page(request) {
  try {
    return await fetch(request);
  } catch (e) {
    const cached = (await fromCache(INDEX)) || (await fromCache("/"));
    if (cached) return cached;
    throw e;
  }
}

async function cacheFirst(event) {
  const cached = await fromCache(event.request);
  if (cached) return cached;
  const response = await fetch(event.request);
  // A model or file fetched after install (the first install lacked it) is kept too.
  keep(event, response);
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || isApi(url.pathname)) return;
  // The staff console is not part of the offline app.
  if (url.pathname.startsWith("/console")) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname === CONFIG) {
    event.respondWith(networkFirst(event));
  } else if (url.pathname.startsWith("/ui/models/") || url.pathname.startsWith("/anon/") || BUILD.files.includes(url.pathname)) {
    event.respondWith(cacheFirst(event));
  }
});

// Background Sync: the browser wakes this worker once the network is back; the pages send
// their outbox (the outbox and its logic live in the page, not here).
self.addEventListener("sync", (event) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(
    (async () => {
      const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const client of pages) client.postMessage({ type: "augenmerk-sync" });
    })(),
  );
});
