//! The browser half of `scripts/bench-anon-web.sh` (not a test): one JPEG through the
//! page's anonymizer (`window.augenmerkAnon`: the wasm module in its Web Worker) in
//! headless Chromium against a real server, `RUNS` times in one worker. Prints one JSON
//! line per run (`ms` per stage as the module measured it, `wall_ms` as the page saw it,
//! from the call to the answer) and one with the tab's memory: the page's JS heap (CDP
//! `Performance.getMetrics`), the worker's wasm memory, and the renderer processes' RSS.
//!
//! Usage: bench_anon_web PHOTO.jpg [RUNS=5]

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use augenmerk_tests::{Browser, Server};

const RUN: &str = r#"const [hex, done] = arguments;
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(2 * i, 2), 16);
    const t = performance.now();
    window.augenmerkAnon.anonymize(bytes, [])
      .then(r => done({ wall_ms: performance.now() - t, ms: r.ms, boxes: r.blurred.length,
                        jpeg_bytes: r.jpeg.length, width: r.width, height: r.height }))
      .catch(e => done({ error: String(e && e.message || e) }));"#;

/// Resident memory of Chromium's renderer processes (the tab and its worker), in bytes.
fn renderer_rss() -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0 };
    let mut total = 0;
    for entry in dir.flatten() {
        let path = entry.path();
        let cmdline = std::fs::read(path.join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        if !(cmdline.contains("chromium") && cmdline.contains("--type=renderer")) {
            continue;
        }
        let status = std::fs::read_to_string(path.join("status")).unwrap_or_default();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0);
        total += kb * 1024;
    }
    total
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let photo = PathBuf::from(args.first().expect("usage: bench_anon_web PHOTO.jpg [RUNS]"));
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let bytes = std::fs::read(&photo).expect("the photo");
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-bench-anon-web-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let b = Browser::start(dir.path()).await;
    b.set_script_timeout(Duration::from_secs(600)).await;
    b.goto(&format!("{}/", server.url)).await;
    let ok = b.load_anonymizer().await;
    assert_eq!(ok, json!(true), "the page's anonymizer cannot run here");
    let hex = json!(hex::encode(&bytes));
    for run in 0..runs {
        let r = b.client.execute_async(RUN, vec![hex.clone()]).await.expect("anonymize");
        if let Some(e) = r.get("error") {
            panic!("run {run}: {e}");
        }
        println!("{}", json!({"run": run, "result": r}));
    }
    b.cdp("Performance.enable", json!({})).await;
    let metrics = b.cdp("Performance.getMetrics", json!({})).await;
    let metric = |name: &str| -> Value {
        metrics["metrics"]
            .as_array()
            .and_then(|m| m.iter().find(|x| x["name"] == name))
            .map_or(Value::Null, |x| x["value"].clone())
    };
    let stats = b
        .client
        .execute_async(
            "const done = arguments[0]; window.augenmerkAnon.stats().then(done, e => done({error: String(e)}));",
            vec![],
        )
        .await
        .expect("stats");
    println!(
        "{}",
        json!({"memory": {
            "page_js_heap_used": metric("JSHeapUsedSize"),
            "page_js_heap_total": metric("JSHeapTotalSize"),
            "worker_wasm_memory": stats["wasmMemoryBytes"],
            "renderer_rss": renderer_rss(),
            "models_ms": stats["models"],
        }})
    );
    b.close().await;
    drop(server);
}
