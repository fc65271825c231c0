//! The browser's anonymizer against the app's: every development photo goes through
//! `window.augenmerkAnon` in headless Chromium (the wasm module of
//! crates/augenmerk-anon-web in its Web Worker, SIMD on, models fetched from the
//! server's `/ui/models/`) and through the native `Anonymizer` with the app's options,
//! and both must obscure the same boxes. Needs the built UI (`scripts/build-ui.sh`,
//! which builds `dist/anon/`), the models and the development photos.
//!
//! Tolerance: the same count and kind of boxes, each matched with IoU ≥ 0.9. The two
//! builds run the same code on the same bytes, but tract picks other matrix kernels
//! for wasm SIMD than for x86-64 (AVX/FMA), so scores may differ in the last bits and a
//! box edge move by a pixel. Measured (Chromium 2026-12, tract 0.23.9): no difference
//! at all: 206 boxes on 100 photos, every IoU 1.0, and all 100 JPEGs byte-identical. The
//! figures are printed on each run.

use std::time::Duration;

use serde_json::{Value, json};

use augenmerk_anon::{Anonymizer, Options};
use augenmerk_tests::photo::anon_dev;
use augenmerk_tests::{Browser, Server, models_dir};

/// Minimum IoU of a wasm box with its native twin.
const MIN_IOU: f32 = 0.9;

/// What the page gets for the module's files, when the anonymizer would not start.
const DIAGNOSE: &str = r#"const done = arguments[arguments.length - 1];
    Promise.all(['/anon/augenmerk_anon_web_bg.wasm', '/anon/augenmerk_anon_web.js', '/ui/models/centerface.onnx']
      .map(u => fetch(u).then(r => `${u}: ${r.status} ${r.headers.get('content-type')}`, e => `${u}: ${e}`)))
      .then(l => done(l.join('; ') + '; controlled by a service worker: ' + !!navigator.serviceWorker.controller
        + '; console: ' + JSON.stringify(window.__testLog || [])));"#;

/// Anonymizes the photo given as hex; answers the result without the JPEG's bytes (its
/// length and, for the first photo, the bytes as hex), or `{error}`.
const ANONYMIZE: &str = r#"const [hex, withJpeg, done] = arguments;
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(2 * i, 2), 16);
    window.augenmerkAnon.anonymize(bytes, []).then(r => {
      const out = { hash: r.hash, width: r.width, height: r.height, source_width: r.source_width,
        source_height: r.source_height, blurred: r.blurred, gps: r.gps, ms: r.ms,
        jpeg_len: r.jpeg.length, raw_len: bytes.length };
      if (withJpeg) out.jpeg = Array.from(r.jpeg, b => b.toString(16).padStart(2, '0')).join('');
      done(out);
    }).catch(e => done({ error: String(e && e.message || e) }));"#;

fn boxes(v: &Value) -> Vec<(String, [f32; 4])> {
    v.as_array()
        .expect("blurred is a list")
        .iter()
        .map(|b| {
            let kind = b["kind"].as_str().expect("kind").to_owned();
            let a: Vec<f32> = b["box"]
                .as_array()
                .expect("box")
                .iter()
                .map(|x| x.as_f64().expect("a number") as f32)
                .collect();
            (kind, [a[0], a[1], a[2], a[3]])
        })
        .collect()
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = w * h;
    let area = |x: &[f32; 4]| (x[2] - x[0]) * (x[3] - x[1]);
    inter / (area(a) + area(b) - inter)
}

/// Pairs each wasm box with the best unused native box of the same kind; the IoUs.
fn match_boxes(wasm: &[(String, [f32; 4])], native: &[(String, [f32; 4])]) -> Vec<f32> {
    let mut used = vec![false; native.len()];
    wasm.iter()
        .map(|(kind, w)| {
            let best = native
                .iter()
                .enumerate()
                .filter(|(i, (k, _))| !used[*i] && k == kind)
                .map(|(i, (_, n))| (i, iou(w, n)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            match best {
                Some((i, v)) => {
                    used[i] = true;
                    v
                }
                None => 0.0,
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_browser_obscures_the_same_boxes_as_the_app_on_the_development_photos() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-anon-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let b = Browser::start(dir.path()).await;
    b.set_script_timeout(Duration::from_secs(300)).await;
    b.goto(&format!("{}/", server.url)).await;
    let available = b.load_anonymizer().await;
    assert_eq!(available, json!(true), "the page's anonymizer cannot run in Chromium");

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let native = Anonymizer::load(&models_dir(), threads).expect("the models (models/fetch.sh)");
    let dev = anon_dev();
    let list: Value =
        serde_json::from_slice(&std::fs::read(dev.join("boxes.json")).expect("boxes.json")).expect("boxes.json parses");
    let (mut photos, mut total, mut same_jpeg, mut ious) = (0, 0, 0, Vec::new());
    let mut failures = Vec::new();
    for (n, entry) in list.as_array().expect("a list").iter().enumerate() {
        let file = entry["file"].as_str().expect("file");
        let bytes = std::fs::read(dev.join("images").join(file)).expect("photo");
        let want = native
            .anonymize(&bytes, &[], &Options::default())
            .expect("native anonymizes");
        let got = b
            .client
            .execute_async(ANONYMIZE, vec![json!(hex::encode(&bytes)), json!(n == 0)])
            .await
            .expect("run the browser's anonymizer");
        if let Some(e) = got.get("error") {
            let why = b.client.execute_async(DIAGNOSE, vec![]).await.unwrap_or_default();
            panic!("{file}: the browser's anonymizer failed: {e}\n{why}");
        }
        // The same image geometry and an honest hash.
        assert_eq!(
            (got["source_width"].as_u64(), got["source_height"].as_u64()),
            (Some(u64::from(want.width)), Some(u64::from(want.height))),
            "{file}"
        );
        assert_eq!(
            (got["width"].as_u64(), got["height"].as_u64()),
            (Some(u64::from(want.output_size.0)), Some(u64::from(want.output_size.1))),
            "{file}"
        );
        if let Some(jpeg) = got["jpeg"].as_str() {
            let jpeg = hex::decode(jpeg).expect("hex");
            use sha2::Digest;
            assert_eq!(got["hash"], json!(hex::encode(sha2::Sha256::digest(&jpeg))), "{file}");
            assert_eq!(
                augenmerk_anon::encode::strip_jpeg_metadata(&jpeg),
                jpeg,
                "{file}: no metadata"
            );
        }
        let native_hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&want.jpeg));
        if got["hash"] == json!(native_hash) {
            same_jpeg += 1;
        }

        let wasm_boxes = boxes(&got["blurred"]);
        let native_boxes: Vec<(String, [f32; 4])> = want
            .blurred
            .iter()
            .map(|x| {
                let kind = serde_json::to_value(x.kind)
                    .expect("kind")
                    .as_str()
                    .unwrap_or("")
                    .to_owned();
                (kind, [x.bbox.x1, x.bbox.y1, x.bbox.x2, x.bbox.y2])
            })
            .collect();
        let matched = match_boxes(&wasm_boxes, &native_boxes);
        if wasm_boxes.len() != native_boxes.len() || matched.iter().any(|v| *v < MIN_IOU) {
            failures.push(format!(
                "{file}: wasm {wasm_boxes:?} vs native {native_boxes:?} (IoU {matched:?})"
            ));
        }
        photos += 1;
        total += native_boxes.len();
        ious.extend(matched);
    }
    let min = ious.iter().copied().fold(1.0_f32, f32::min);
    let mean = ious.iter().sum::<f32>() / ious.len().max(1) as f32;
    println!(
        "anon_wasm: {photos} photos, {total} native boxes; IoU wasm/native min {min:.4}, mean {mean:.4}; \
         identical JPEGs {same_jpeg}/{photos}"
    );
    assert!(photos >= 100, "the whole development set: {photos}");
    assert!(failures.is_empty(), "boxes differ:\n{}", failures.join("\n"));
    b.close().await;
}
