//! The web page as an offline app on a phone (issue 19), in headless Chromium emulating a
//! 360 × 780 touch phone, against a real server behind an HTTP proxy that sees every
//! request (tests/src/chaos/http.rs): it cuts the network, answers chosen requests itself
//! and counts what reached the server.
//!
//! - The page installs (Chromium's install criteria, the manifest), opens and works with
//!   no network from its service worker, finds a place's municipality from the
//!   configurations it kept in IndexedDB, anonymizes a photo in the browser, keeps a report
//!   made offline in IndexedDB through a closed tab, and delivers it exactly once when the
//!   network is back; the server never receives the raw photo and its anonymizing route
//!   is not called.
//! - The three ways the old page drifted from the app's client: a 500 or a 429 (with the
//!   server's JSON error body) keeps a report queued; a 401 from a server set up anew
//!   registers the page again; a refused report is not sent again.
//!
//! Screenshots at phone size go to `docs/screenshots/web-phone/`; axe-core runs on each
//! screen visited.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use augenmerk_domain::error::{ErrorBody, ErrorCode};
use augenmerk_tests::chaos::http::{Fate, HttpProxy, Injection};
use augenmerk_tests::photo::{check_stored_photo, test_photo};
use augenmerk_tests::steps;
use augenmerk_tests::{Browser, SLOW, Server, Staff};

/// The screenshot folder (`docs/screenshots/<it>`).
const SHOTS: &str = "web-phone";
/// The reports' path on the API.
const REPORTS: &str = "/api/v1/reports";

/// The server, the proxy in front of it and a phone's browser on the proxy's address.
struct Phone {
    server: Server,
    proxy: HttpProxy,
    b: Browser,
}

impl Phone {
    async fn start(dir: &Path) -> Self {
        let server = Server::start(dir);
        let proxy = HttpProxy::start(([127, 0, 0, 1], server.port).into())
            .await
            .expect("start the proxy");
        let b = Browser::start(dir).await;
        b.emulate_phone().await;
        b.goto(&proxy.url()).await;
        b.wait_id("nav-report", SLOW).await;
        Self { server, proxy, b }
    }
}

/// Cuts the network (the tab's, as DevTools does, and at the proxy, which also catches
/// the service worker's own fetches) or gives it back.
async fn cut(proxy: &HttpProxy, b: &Browser, offline: bool) {
    proxy.set_offline(offline);
    b.set_offline(offline).await;
}

/// Runs a script and returns its value.
async fn js(b: &Browser, script: &str) -> Value {
    b.client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// Runs `await`-able JavaScript (the body of an async function) and returns its value, or
/// `{error}` when it threw.
async fn js_async(b: &Browser, body: &str) -> Value {
    let script = format!(
        "const done = arguments[arguments.length - 1]; \
         (async () => {{ {body} }})().then(v => done(v === undefined ? null : v), e => done({{ error: String(e) }}));"
    );
    b.client
        .execute_async(&script, vec![])
        .await
        .unwrap_or_else(|e| panic!("async script failed: {e}\n{body}"))
}

/// Asks the page to send its outbox now (`window.augenmerkSync`, the page contract).
async fn flush(b: &Browser) -> Value {
    js_async(
        b,
        "if (typeof window.augenmerkSync !== 'function') throw new Error('no window.augenmerkSync'); \
         return await window.augenmerkSync();",
    )
    .await
}

/// Waits until a service worker controls the page; reloads once if it took over only
/// the next navigation (a first visit is not controlled without `clients.claim()`).
async fn wait_for_service_worker(b: &Browser) {
    let controlled = "return !!(navigator.serviceWorker && navigator.serviceWorker.controller);";
    let deadline = Instant::now() + SLOW;
    let mut reloaded = false;
    let started = Instant::now();
    while js(b, controlled).await != json!(true) {
        if !reloaded && started.elapsed() > Duration::from_secs(10) {
            b.client.refresh().await.expect("reload");
            b.watch_console().await;
            reloaded = true;
        }
        if Instant::now() > deadline {
            let registrations = js_async(
                b,
                "const r = await navigator.serviceWorker.getRegistrations(); \
                 return r.map(x => ({scope: x.scope, active: !!x.active, installing: !!x.installing, waiting: !!x.waiting}));",
            )
            .await;
            let saved = b.save_failure().await;
            panic!("no service worker controls the page after {SLOW:?}: {registrations}; saved {saved}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Waits until the page has fetched the municipalities' configurations into IndexedDB
/// (`meta`: a `config.<ags>` per municipality, and when they were fetched).
async fn wait_for_cached_configs(b: &Browser) {
    let keys = "const db = await new Promise((ok, fail) => { const r = indexedDB.open('augenmerk'); \
           r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); }); \
         if (!Array.from(db.objectStoreNames).includes('meta')) { db.close(); return []; } \
         const keys = await new Promise((ok, fail) => { \
           const r = db.transaction('meta').objectStore('meta').getAllKeys(); \
           r.onsuccess = () => ok(r.result.map(String)); r.onerror = () => fail(r.error); }); \
         db.close(); return keys;";
    let deadline = Instant::now() + SLOW;
    loop {
        let found = js_async(b, keys).await;
        let list: Vec<&str> = found
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if list.contains(&"configs-refreshed-at") && list.iter().any(|k| k.starts_with("config.")) {
            return;
        }
        if Instant::now() > deadline {
            let saved = b.save_failure().await;
            panic!("the page kept no configurations after {SLOW:?}: meta keys {found}; saved {saved}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The page's IndexedDB "augenmerk": its stores, and the outbox's and photos' keys.
async fn indexed_db(b: &Browser) -> Value {
    js_async(
        b,
        "const db = await new Promise((ok, fail) => { const r = indexedDB.open('augenmerk'); \
           r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); }); \
         const stores = Array.from(db.objectStoreNames); \
         const keys = async (s) => stores.includes(s) ? await new Promise((ok, fail) => { \
           const r = db.transaction(s).objectStore(s).getAllKeys(); \
           r.onsuccess = () => ok(r.result.map(String)); r.onerror = () => fail(r.error); }) : null; \
         const out = { stores, outbox: await keys('outbox'), photos: await keys('photos') }; \
         db.close(); return out;",
    )
    .await
}

/// Opens "my reports" and waits until the report's row shows `state` (`queued`, `sent`,
/// `rejected`); opens the list again now and then, as the list may load only once.
async fn wait_sync_state(b: &Browser, id: &str, state: &str, timeout: Duration) {
    let row = format!("{}[data-report-id=\"{id}\"]", Browser::id("report-item"));
    let deadline = Instant::now() + timeout;
    let mut last = None;
    let mut opened = Instant::now() - Duration::from_secs(60);
    loop {
        if opened.elapsed() > Duration::from_secs(5) {
            b.click_id("nav-my-reports").await;
            opened = Instant::now();
        }
        if let Ok(e) = b.client.find(Locator::Css(&row)).await {
            last = e.attr("data-sync-state").await.ok().flatten();
            if last.as_deref() == Some(state) {
                return;
            }
        }
        if Instant::now() > deadline {
            let saved = b.save_failure().await;
            panic!("report {id}: sync state {last:?}, not {state:?}, after {timeout:?}; saved {saved}");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Waits until the photo's card says it was anonymized in the browser; on failure, says
/// what the page tried to fetch meanwhile.
async fn wait_anonymized_on_device(b: &Browser, proxy: &HttpProxy, since: usize) -> fantoccini::elements::Element {
    let card = Browser::id("photo-card");
    let deadline = Instant::now() + SLOW;
    let mut last = None;
    loop {
        if let Ok(e) = b.client.find(Locator::Css(&card)).await {
            last = e.attr("data-anonymized").await.ok().flatten();
            if last.as_deref() == Some("device") {
                return e;
            }
        }
        if Instant::now() > deadline {
            let tried: Vec<String> = proxy.seen()[since..]
                .iter()
                .map(|s| format!("{} {} {:?}", s.method, s.path, s.fate))
                .collect();
            let cached = js_async(
                b,
                "const out = {}; for (const k of await caches.keys()) { \
                   out[k] = (await (await caches.open(k)).keys()).map(r => new URL(r.url).pathname) \
                     .filter(p => p.startsWith('/anon') || p.startsWith('/ui/') || p.startsWith('/js/anon')); } \
                 return out;",
            )
            .await;
            let saved = b.save_failure().await;
            panic!(
                "the photo card says data-anonymized={last:?}, not \"device\", after {SLOW:?}; \
                 requests since the cut: {tried:?}; the worker's cache holds {cached}; \
                 the page is saved as {saved}"
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A new, empty report form.
async fn new_report(b: &Browser) {
    b.click_id("nav-report").await;
    b.wait_id("submit-report", SLOW).await;
}

/// Fills a pothole report without a photo on a new form (the place is looked up on the
/// server).
async fn fill_pothole(b: &Browser, description: &str) {
    new_report(b).await;
    steps::locate_in_flensburg(b).await;
    steps::describe_pothole(b, description).await;
}

/// Fills a pothole report without a photo and saves it; returns its id.
async fn report_pothole(b: &Browser, description: &str) -> String {
    fill_pothole(b, description).await;
    steps::submit(b).await
}

/// The server's stored files under `dir` (its photo store).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_installs_works_offline_anonymizes_in_the_browser_and_delivers_once() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-offline-")
        .tempdir()
        .expect("temporary directory");
    let photo = test_photo(dir.path());
    let raw = std::fs::read(&photo.path).expect("read the photo");
    let raw_hash = sha256_hex(&raw);
    let Phone { server, proxy, b } = Phone::start(dir.path()).await;
    let mut violations = Vec::new();

    // a) Installable, and a service worker controls the page.
    wait_for_service_worker(&b).await;
    let manifest = b.app_manifest().await;
    assert!(
        manifest["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/manifest.webmanifest")),
        "the page links its manifest: {manifest}"
    );
    assert_eq!(manifest["errors"], json!([]), "the manifest parses cleanly");
    let data: Value = serde_json::from_str(manifest["data"].as_str().unwrap_or("null")).expect("manifest JSON");
    assert_eq!(data["display"], "standalone", "{data}");
    assert_eq!(data["start_url"], "/", "{data}");
    let icons = data["icons"].as_array().cloned().unwrap_or_default();
    for size in ["192x192", "512x512"] {
        assert!(icons.iter().any(|i| i["sizes"] == size), "a {size} icon: {data}");
    }
    assert!(
        icons
            .iter()
            .any(|i| i["purpose"].as_str().is_some_and(|p| p.contains("maskable"))),
        "a maskable icon: {data}"
    );
    // Chromium decides installability once the worker and the manifest's icons are in.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut errors = b.installability_errors().await;
    while !errors.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
        errors = b.installability_errors().await;
    }
    assert!(errors.is_empty(), "Chromium's install criteria are not met: {errors:?}");
    // Online, the page keeps the municipalities' configurations (with their boundaries)
    // for finding places without network, as the app does.
    wait_for_cached_configs(&b).await;
    b.phone_screenshot(SHOTS, "start").await;
    violations.extend(b.serious_accessibility_violations("report form (online)").await);

    // b) No network at all: the page still opens from the service worker.
    cut(&proxy, &b, true).await;
    let before_cut = proxy.seen().len();
    b.client.refresh().await.expect("reload offline");
    b.watch_console().await;
    b.wait_id("submit-report", SLOW).await;
    assert_eq!(
        js(&b, "return navigator.onLine;").await,
        json!(false),
        "the tab is offline"
    );
    // The place is chosen only now: the page finds its municipality from the configurations
    // in IndexedDB, and offers that municipality's categories.
    steps::locate_in_flensburg(&b).await;
    b.wait_css("[data-category=\"schlagloch\"]", Duration::from_secs(20))
        .await;
    steps::answer_pothole(&b).await;
    let reached = proxy.seen()[before_cut..]
        .iter()
        .filter(|s| s.fate != Fate::Dropped)
        .count();
    assert_eq!(reached, 0, "nothing reached the server while the network was cut");

    // c) A photo from the camera input, anonymized in the browser (the models come from the
    // worker's cache); the report is finished and saved offline.
    let input = b.by_id("photo-input").await;
    assert_eq!(
        Browser::attr(&input, "capture").await,
        "environment",
        "the camera opens"
    );
    assert!(Browser::attr(&input, "accept").await.contains("image/"), "photos only");
    input
        .send_keys(&photo.path.display().to_string())
        .await
        .expect("choose the photo");
    let card = wait_anonymized_on_device(&b, &proxy, before_cut).await;
    let hash = Browser::attr(&card, "data-hash").await;
    let count = |v: String| v.parse::<u32>().unwrap_or(0);
    assert_eq!(hash.len(), 64, "data-hash is a SHA-256: {hash}");
    assert_ne!(hash, raw_hash, "the page keeps the anonymized photo, not the raw one");
    assert!(
        count(Browser::attr(&card, "data-faces").await) >= 1,
        "the face is found"
    );
    assert!(
        count(Browser::attr(&card, "data-plates").await) >= 1,
        "the plate is found"
    );
    b.wait_attr(
        &Browser::id("anon-where"),
        "data-anonymized",
        "device",
        Duration::from_secs(10),
    )
    .await;
    let description = format!("Offline gemeldet: Schlagloch {}", &hash[..8]);
    b.type_into("description", &description).await;
    b.choose(&Browser::id("consent")).await;
    b.phone_screenshot(SHOTS, "offline-form").await;
    violations.extend(b.serious_accessibility_violations("report form (offline)").await);
    let id = steps::submit(&b).await;
    b.phone_screenshot(SHOTS, "offline-saved").await;
    wait_sync_state(&b, &id, "queued", SLOW).await;
    b.phone_screenshot(SHOTS, "offline-queued").await;
    violations.extend(b.serious_accessibility_violations("my reports (queued)").await);
    let db = indexed_db(&b).await;
    for store in ["outbox", "photos", "meta"] {
        assert!(
            db["stores"].as_array().is_some_and(|s| s.contains(&json!(store))),
            "{store}: {db}"
        );
    }
    assert!(
        db["outbox"].to_string().contains(&id),
        "the outbox holds the report: {db}"
    );
    assert!(
        db["photos"].to_string().contains(&hash),
        "the photo is kept by its hash: {db}"
    );

    // d) The tab is closed and opened again, still offline: the report is still there.
    b.reopen_tab().await;
    b.set_offline(true).await;
    b.goto(&proxy.url()).await;
    b.wait_id("nav-report", SLOW).await;
    wait_sync_state(&b, &id, "queued", SLOW).await;
    b.phone_screenshot(SHOTS, "reopened-queued").await;

    // e) The network is back: the page sends the report by itself, exactly once.
    cut(&proxy, &b, false).await;
    wait_sync_state(&b, &id, "sent", SLOW).await;
    // Two more flushes send nothing again.
    for _ in 0..2 {
        let answer = flush(&b).await;
        assert!(answer.get("error").is_none(), "augenmerkSync: {answer}");
    }
    b.phone_screenshot(SHOTS, "sent").await;
    violations.extend(b.serious_accessibility_violations("my reports (sent)").await);
    let posts = proxy.answered("POST", REPORTS, Some(&id));
    assert_eq!(posts.len(), 1, "the report was sent exactly once: {posts:?}");
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    let staff_view = dispatcher.wait_for_report(&id, SLOW).await;
    assert_eq!(staff_view["report"]["description"], description.as_str());
    assert_eq!(staff_view["report"]["photos"], json!([hash]), "{staff_view}");
    let ids = dispatcher.all_report_ids().await;
    assert_eq!(
        ids.iter().filter(|i| **i == id).count(),
        1,
        "one report on the server: {ids:?}"
    );
    // The stored photo is the browser's: blurred face and plate, no metadata.
    check_stored_photo(&dispatcher, &hash, &photo).await;

    // f) The server never had the raw photo, and its anonymizing route was not called.
    let seen = proxy.seen();
    assert!(
        seen.iter().all(|s| s.body_sha256 != raw_hash),
        "a request carried the raw photo"
    );
    assert!(
        seen.iter().any(|s| s.body_sha256 == hash),
        "the proxy saw the anonymized photo's upload (so it would have seen the raw one)"
    );
    let photo_route: Vec<_> = seen.iter().filter(|s| s.is("POST", "/api/v1/photos", None)).collect();
    assert!(
        photo_route.is_empty(),
        "the server's anonymizer was called: {photo_route:?}"
    );
    let stored = files_under(&server.data.join("blobs"));
    let stored_hashes: Vec<String> = stored
        .iter()
        .map(|f| sha256_hex(&std::fs::read(f).expect("read a stored blob")))
        .collect();
    assert!(
        stored_hashes.contains(&hash),
        "the anonymized photo is stored: {stored:?}"
    );
    assert!(!stored_hashes.contains(&raw_hash), "the raw photo is stored");
    b.close().await;

    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

/// A JSON error body as the server sends it, and its status.
fn server_error(code: ErrorCode) -> (u16, Value) {
    (
        code.http_status(),
        serde_json::to_value(ErrorBody::new(code)).expect("error body"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_retries_registers_again_and_does_not_resend_a_refused_report() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-drift-")
        .tempdir()
        .expect("temporary directory");
    // The server "set up anew" of (2) starts while the page works with the first.
    let restored_dir = dir.path().join("restored");
    std::fs::create_dir_all(&restored_dir).expect("folder");
    let restored = tokio::task::spawn_blocking(move || Server::start(&restored_dir));
    let Phone { mut server, proxy, b } = Phone::start(dir.path()).await;
    let mut violations = Vec::new();

    // (1) A 500 and then a 429 (with Retry-After), each with the server's JSON error body:
    // the report stays queued and goes out on a later flush.
    let (status, body) = server_error(ErrorCode::Internal);
    proxy.inject(Injection::new("POST", REPORTS, status, &body));
    let (status, body) = server_error(ErrorCode::RateLimited);
    proxy.inject(Injection::new("POST", REPORTS, status, &body).header("retry-after", "1"));
    let first = report_pothole(&b, "Schlagloch, erst 500, dann 429.").await;
    let deadline = Instant::now() + SLOW;
    while proxy.pending_injections() > 0 {
        wait_sync_state(&b, &first, "queued", Duration::from_secs(10)).await;
        assert!(Instant::now() < deadline, "the page did not try again");
        tokio::time::sleep(Duration::from_millis(1200)).await;
        flush(&b).await;
    }
    let deadline = Instant::now() + SLOW;
    while proxy.answered("POST", REPORTS, Some(&first)).len() < 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        flush(&b).await;
    }
    wait_sync_state(&b, &first, "sent", SLOW).await;
    let fates: Vec<Fate> = proxy
        .answered("POST", REPORTS, Some(&first))
        .iter()
        .map(|s| s.fate)
        .collect();
    assert_eq!(fates.len(), 3, "500, 429, then delivered: {fates:?}");
    assert_eq!(fates[..2], [Fate::Injected(500), Fate::Injected(429)]);
    assert!(matches!(fates[2], Fate::Forwarded(200..=299)), "{fates:?}");
    b.phone_screenshot(SHOTS, "retried-sent").await;
    violations.extend(b.serious_accessibility_violations("my reports (retried)").await);

    // (2) The server is set up anew (restored from an older backup): it does not know the
    // page's device and answers 401. The page registers again and delivers.
    server.kill();
    let restored = restored.await.expect("start the restored server");
    proxy.set_target(([127, 0, 0, 1], restored.port).into());
    let second = report_pothole(&b, "Schlagloch nach der Wiederherstellung.").await;
    let deadline = Instant::now() + SLOW;
    while proxy
        .answered("POST", REPORTS, Some(&second))
        .iter()
        .all(|s| !matches!(s.fate, Fate::Forwarded(200..=299)))
    {
        assert!(
            Instant::now() < deadline,
            "not delivered: {:?}",
            proxy.answered("POST", REPORTS, Some(&second))
        );
        tokio::time::sleep(Duration::from_millis(1000)).await;
        flush(&b).await;
    }
    wait_sync_state(&b, &second, "sent", SLOW).await;
    let seen = proxy.seen();
    let unauthorized = seen
        .iter()
        .position(|s| s.is("POST", REPORTS, Some(&second)) && s.fate == Fate::Forwarded(401))
        .expect("the restored server answered 401");
    assert!(
        seen[unauthorized..]
            .iter()
            .any(|s| s.is("POST", "/api/v1/devices", None) && matches!(s.fate, Fate::Forwarded(200..=299))),
        "the page registered again after the 401"
    );
    let staff = Staff::login(&restored.url, "dispatcher").await;
    staff.wait_for_report(&second, SLOW).await;

    // (3) A report the server refuses (its category was withdrawn while it waited) is
    // kept with the reason and never sent again.
    fill_pothole(&b, "Schlagloch, Kategorie inzwischen zurückgezogen.").await;
    proxy.set_offline(true);
    let third = steps::submit(&b).await;
    wait_sync_state(&b, &third, "queued", SLOW).await;
    let admin = Staff::login(&restored.url, "admin").await;
    admin.withdraw_category("schlagloch").await;
    proxy.set_offline(false);
    flush(&b).await;
    wait_sync_state(&b, &third, "rejected", SLOW).await;
    b.wait_css(&Browser::id("refused-note"), Duration::from_secs(10)).await;
    b.phone_screenshot(SHOTS, "refused").await;
    violations.extend(b.serious_accessibility_violations("my reports (refused)").await);
    for _ in 0..3 {
        flush(&b).await;
    }
    b.client.refresh().await.expect("reload");
    b.watch_console().await;
    b.wait_id("nav-report", SLOW).await;
    flush(&b).await;
    let refused = proxy.answered("POST", REPORTS, Some(&third));
    assert_eq!(refused.len(), 1, "the refused report was sent again: {refused:?}");
    assert!(matches!(refused[0].fate, Fate::Forwarded(400..=499)), "{refused:?}");
    wait_sync_state(&b, &third, "rejected", SLOW).await;
    b.close().await;

    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}
