// The page's anonymizer, in a Web Worker so the page never freezes: the wasm module built
// from crates/augenmerk-anon-web (scripts/build-anon-web.sh → dist/anon/) runs the same
// pipeline as the app. The three models are fetched once from the server (/ui/models/…;
// the service worker keeps them for offline use) and one anonymizer lives as long as
// this worker, so the tract plans it builds per input shape serve every later photo.
//
// Messages in:  {id, type: "anonymize", bytes: ArrayBuffer, boxes: Float64Array (x0,y0,x1,y1 …)}
//               {id, type: "stats"}
// Messages out: {id, ok: true, result} | {id, ok: false, error: "code: message"}
// Codes: "unsupported:" (the module cannot start here), "failed:" (models missing,
// anything unexpected), and from the module "bad_image:", "too_large:", "failed:".
import init, { AnonWeb, memoryBytes } from "../anon/augenmerk_anon_web.js";

const MODELS = ["centerface.onnx", "clp_det.onnx", "ch_mul_v2_c_det.onnx"];

let ready = null; // Promise<AnonWeb>, started by the first request

async function fetchModel(file) {
  const res = await fetch(`/ui/models/${file}`);
  if (!res.ok) throw new Error(`failed: model ${file}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function start() {
  try {
    await init();
  } catch (e) {
    // No WebAssembly, no SIMD, or the module is missing: the page falls back to the server.
    throw new Error(`unsupported: cannot start the anonymizer module: ${e && e.message ? e.message : e}`);
  }
  const t = performance.now();
  let bytes;
  try {
    bytes = await Promise.all(MODELS.map(fetchModel));
  } catch (e) {
    const message = e && e.message ? e.message : String(e);
    throw new Error(message.startsWith("failed:") ? message : `failed: fetching the models: ${message}`);
  }
  const fetchMs = performance.now() - t;
  const anon = new AnonWeb(bytes[0], bytes[1], bytes[2]);
  self.augenmerkModelsMs = { fetch: fetchMs, load: performance.now() - t - fetchMs };
  return anon;
}

function errorText(e) {
  const message = e && e.message ? e.message : String(e);
  return /^(unsupported|bad_image|too_large|failed):/.test(message) ? message : `failed: ${message}`;
}

self.onmessage = async (event) => {
  const { id, type } = event.data || {};
  try {
    if (!ready) ready = start();
    let anon;
    try {
      anon = await ready;
    } catch (e) {
      ready = null; // a later request may try again (the network may be back)
      throw e;
    }
    if (type === "stats") {
      self.postMessage({ id, ok: true, result: { wasmMemoryBytes: memoryBytes(), models: self.augenmerkModelsMs } });
      return;
    }
    if (type !== "anonymize") throw new Error(`failed: unknown request ${type}`);
    const result = anon.anonymize(new Uint8Array(event.data.bytes), event.data.boxes || new Float64Array(0));
    self.postMessage({ id, ok: true, result }, [result.jpeg.buffer]);
  } catch (e) {
    self.postMessage({ id, ok: false, error: errorText(e) });
  }
};
