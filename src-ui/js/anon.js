// The page's anonymizer: `window.augenmerkAnon`, backed by a Web Worker (anon-worker.js)
// that runs the app's pipeline compiled to wasm. A photo is decoded, its faces and
// plates found and blurred, then downscaled and encoded as a metadata-free JPEG, all in
// the browser; only that JPEG needs to leave the phone.
//
// window.augenmerkAnon = {
//   available(): boolean — a module worker and WebAssembly with SIMD exist here;
//   anonymize(bytes: Uint8Array, boxes: Array<[x0, y0, x1, y1]>): Promise<{
//     jpeg: Uint8Array,          // the JPEG to store and upload
//     hash: string,              // lowercase hex SHA-256 of jpeg (its BlobHash)
//     width, height,             // size of jpeg
//     source_width, source_height, // size of the upright original: the space of `blurred`
//     blurred: [{kind: "face" | "plate" | "manual", box: [x0, y0, x1, y1]}], // pixels of the original
//     gps: {lat, lon} | null,    // the photo's EXIF position, if valid
//     ms: {decode, detect, blur, encode, total},
//   }>,
//   stats(): Promise<{wasmMemoryBytes, models: {fetch, load}}> — for the benchmark.
// }
// `boxes` are areas the user marked, as fractions 0..1 of the upright photo; `blurred`
// has the same shape as BlurredArea in the server's AnonymizedPhoto. The caller's `bytes`
// stay usable (a copy goes to the worker), so it can still upload them to the server.
// Errors are `Error`s whose message starts with a code: "unsupported:" (no worker or
// wasm here), "bad_image:", "too_large:", "failed:" (e.g. models not reachable).
// Requests run one at a time, in order: each holds a full-size photo in memory.

// The smallest module using a SIMD instruction (as wasm-feature-detect checks it): the
// anonymizer is built with simd128 and does not load without it.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

function available() {
  try {
    return typeof Worker === "function" && typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
  } catch (_) {
    return false;
  }
}

let worker = null;
let nextId = 1;
const pending = new Map(); // id → {resolve, reject}
let queue = Promise.resolve();

function failAll(message) {
  for (const { reject } of pending.values()) reject(new Error(message));
  pending.clear();
}

function getWorker() {
  if (worker) return worker;
  worker = new Worker(new URL("./anon-worker.js", import.meta.url), { type: "module", name: "augenmerk-anon" });
  worker.onmessage = (event) => {
    const { id, ok, result, error } = event.data || {};
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    if (ok) p.resolve(result);
    else p.reject(new Error(error));
  };
  // The worker died (it could not even load its script, or the module trapped): a later
  // call starts a fresh one.
  const died = (event) => {
    const why = event && event.message ? event.message : "the worker stopped";
    worker = null;
    failAll(`failed: anonymizer worker: ${why}`);
  };
  worker.onerror = died;
  worker.onmessageerror = died;
  return worker;
}

function request(message, transfer) {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    try {
      getWorker().postMessage({ id, ...message }, transfer || []);
    } catch (e) {
      pending.delete(id);
      reject(new Error(`failed: ${e && e.message ? e.message : e}`));
    }
  });
}

function enqueue(run) {
  const done = queue.then(run, run);
  queue = done.catch(() => {});
  return done;
}

function anonymize(bytes, boxes) {
  if (!available()) return Promise.reject(new Error("unsupported: no Web Worker or WebAssembly with SIMD here"));
  if (!(bytes instanceof Uint8Array)) return Promise.reject(new Error("bad_image: expected the photo as a Uint8Array"));
  const flat = new Float64Array((boxes || []).flat());
  return enqueue(() => {
    const copy = bytes.slice(); // the caller keeps its bytes; the copy is moved, not cloned
    return request({ type: "anonymize", bytes: copy.buffer, boxes: flat }, [copy.buffer, flat.buffer]);
  });
}

function stats() {
  if (!available()) return Promise.reject(new Error("unsupported: no Web Worker or WebAssembly with SIMD here"));
  return enqueue(() => request({ type: "stats" }));
}

window.augenmerkAnon = { available, anonymize, stats };
