//! The server serves the built web UI (`ui_dir`) for every path the API does not own,
//! with its settings at `/ui/config.json` and security headers; unknown API paths stay
//! JSON 404s, and a server without a built UI explains how to build it.

use std::path::Path;

use reqwest::Method;
use tempfile::TempDir;

use crate::helpers::{Reply, TestApp, spawn_app_with};

const INDEX: &str = "<!doctype html><html lang=\"de\"><title>Augenmerk</title><body>Start</body></html>\n";
/// The smallest valid wasm module: magic and version.
const WASM: &[u8] = b"\0asm\x01\0\0\0";

/// A built UI in miniature: the page, a wasm module, a stylesheet.
fn ui_dir() -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-ui-")
        .tempdir()
        .expect("temporary directory");
    std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
    std::fs::write(dir.path().join("index.html"), INDEX).unwrap();
    std::fs::write(dir.path().join("pkg/augenmerk_ui_bg.wasm"), WASM).unwrap();
    std::fs::write(dir.path().join("style.css"), "body { margin: 0 }\n").unwrap();
    dir
}

async fn app_with_ui(dir: &Path, tile_url: Option<&str>) -> TestApp {
    let dir = dir.to_owned();
    let tile_url = tile_url.map(str::to_owned);
    spawn_app_with(move |s| {
        s.ui_dir = dir;
        if let Some(t) = tile_url {
            s.tile_url = t;
        }
    })
    .await
}

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header: {:?}", reply.headers))
}

#[track_caller]
fn assert_security_headers(reply: &Reply) {
    let csp = header(reply, "content-security-policy");
    for part in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "connect-src 'self'",
    ] {
        assert!(csp.contains(part), "CSP lacks {part}: {csp}");
    }
    assert!(!csp.contains("'unsafe-eval'"), "{csp}");
    assert_eq!(header(reply, "x-content-type-options"), "nosniff");
    assert_eq!(header(reply, "referrer-policy"), "no-referrer");
}

#[tokio::test]
async fn the_page_and_its_files_are_served_with_types_and_security_headers() {
    let ui = ui_dir();
    let app = app_with_ui(ui.path(), None).await;

    let page = app.get("/", None).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text());
    assert_eq!(page.text(), INDEX);
    assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&page, "cache-control"), "no-cache");
    assert_security_headers(&page);
    let csp = header(&page, "content-security-policy");
    assert!(
        csp.contains("img-src 'self' data: blob: https://tile.openstreetmap.org"),
        "the default tiles may be loaded: {csp}"
    );
    assert_eq!(app.get("/index.html", None).await.text(), INDEX);

    let wasm = app.get("/pkg/augenmerk_ui_bg.wasm", None).await;
    assert_eq!(wasm.status.as_u16(), 200);
    assert_eq!(wasm.bytes, WASM);
    assert_eq!(header(&wasm, "content-type"), "application/wasm");
    assert_security_headers(&wasm);
    let css = app.get("/style.css", None).await;
    assert_eq!(header(&css, "content-type"), "text/css; charset=utf-8");

    let head = app.head("/", None).await;
    assert_eq!(head.status.as_u16(), 200);
    assert!(head.bytes.is_empty());
}

#[tokio::test]
async fn pages_of_the_app_get_the_page_missing_files_and_api_paths_do_not() {
    let ui = ui_dir();
    let app = app_with_ui(ui.path(), None).await;

    // A page of the single-page app, reloaded or opened from a link.
    for path in [
        "/meine-meldungen",
        "/reports/0b6b7f1e-6f6a-4a39-9a57-3b2e0c7d1a11",
        "/apiary",
    ] {
        let page = app.get(path, None).await;
        assert_eq!(page.status.as_u16(), 200, "{path}");
        assert_eq!(page.text(), INDEX, "{path}");
        assert_eq!(header(&page, "cache-control"), "no-cache");
    }
    // A missing file is a plain 404, not the page (the browser would misreport it).
    let missing = app.get("/pkg/nicht-da.wasm", None).await;
    assert_eq!(missing.status.as_u16(), 404);
    assert_ne!(missing.text(), INDEX);

    // The API keeps its JSON errors and its routes.
    for path in ["/api", "/api/v1/gibt-es-nicht", "/open311/v3", "/healthz/x"] {
        app.get(path, None).await.expect_error(404, "not_found");
    }
    // Open311 answers in its own error format.
    let open311 = app.get("/open311/v2/gibt-es-nicht.json", None).await;
    assert_eq!(open311.status.as_u16(), 404);
    assert_eq!(open311.json()[0]["code"], 404);
    app.send(app.request(Method::POST, "/irgendwas", None))
        .await
        .expect_error(404, "not_found");
    assert_eq!(app.get("/healthz", None).await.status.as_u16(), 200);
    assert!(
        app.get("/api/v1/municipalities", None).await.expect(200).is_array(),
        "the API still answers"
    );
    // Files cannot be reached outside the folder.
    let escape = app.get("/..%2f..%2fetc%2fpasswd", None).await;
    assert!(!escape.text().contains("root:"), "{}", escape.text());
}

#[tokio::test]
async fn without_a_built_ui_the_page_says_how_to_build_it() {
    let empty = tempfile::tempdir().expect("temporary directory");
    let app = app_with_ui(&empty.path().join("dist"), None).await;

    let page = app.get("/", None).await;
    assert_eq!(page.status.as_u16(), 503);
    assert!(header(&page, "content-type").starts_with("text/html"));
    let text = page.text();
    assert!(text.contains("scripts/build-ui.sh"), "{text}");
    assert!(text.contains("nicht gebaut") && text.contains("not built"), "{text}");
    assert!(
        !text.contains(&empty.path().display().to_string()),
        "no server paths: {text}"
    );
    assert_eq!(app.get("/pkg/augenmerk_ui_bg.wasm", None).await.status.as_u16(), 404);
    app.get("/api/v1/gibt-es-nicht", None)
        .await
        .expect_error(404, "not_found");

    // Built later: served without a restart.
    std::fs::create_dir_all(empty.path().join("dist")).unwrap();
    std::fs::write(empty.path().join("dist/index.html"), INDEX).unwrap();
    assert_eq!(app.get("/", None).await.text(), INDEX);
}

#[tokio::test]
async fn the_ui_configuration_names_version_tiles_and_server_side_anonymization() {
    let ui = ui_dir();
    let app = app_with_ui(ui.path(), None).await;
    let reply = app.get("/ui/config.json", None).await;
    let config = reply.expect(200);
    assert_eq!(config["version"], env!("CARGO_PKG_VERSION"));
    assert!(config["server"].is_null(), "{config}");
    assert_eq!(config["anonymizes_on_device"], false);
    assert_eq!(config["tile_url"], "https://tile.openstreetmap.org/{z}/{x}/{y}.png");
    assert_eq!(config["tile_attribution"], "© OpenStreetMap-Mitwirkende");
    assert_security_headers(&reply);

    // No tiles: the map shows coordinates only, and the CSP names no tile host.
    let app = app_with_ui(ui.path(), Some("")).await;
    let config = app.get("/ui/config.json", None).await.expect(200);
    assert!(config["tile_url"].is_null(), "{config}");
    let page = app.get("/", None).await;
    let csp = header(&page, "content-security-policy");
    assert!(csp.contains("img-src 'self' data: blob:;"), "{csp}");
}

#[tokio::test]
async fn the_three_model_files_are_served_for_the_browser_anonymizer_and_nothing_else() {
    use augenmerk_anon::models::{CENTERFACE_FILE, CLP_DET_FILE, TEXT_DET_FILE};

    let ui = ui_dir();
    let models = tempfile::tempdir().expect("temporary directory");
    for (i, file) in [CENTERFACE_FILE, CLP_DET_FILE, TEXT_DET_FILE].into_iter().enumerate() {
        std::fs::write(models.path().join(file), [b'm', b'0' + i as u8]).unwrap();
    }
    // Not a model, though it lies in the same folder.
    std::fs::write(models.path().join("fetch.sh"), "#!/bin/sh\n").unwrap();
    let (ui_path, models_path) = (ui.path().to_owned(), models.path().to_owned());
    let app = spawn_app_with(move |s| {
        s.ui_dir = ui_path;
        s.models_dir = Some(models_path);
    })
    .await;

    for (i, file) in [CENTERFACE_FILE, CLP_DET_FILE, TEXT_DET_FILE].into_iter().enumerate() {
        let reply = app.get(&format!("/ui/models/{file}"), None).await;
        assert_eq!(reply.status.as_u16(), 200, "{file}");
        assert_eq!(reply.bytes, [b'm', b'0' + i as u8], "{file}");
        assert_eq!(header(&reply, "content-type"), "application/octet-stream");
        let cache = header(&reply, "cache-control");
        assert!(cache.contains("max-age=") && !cache.contains("no-cache"), "{cache}");
        assert_security_headers(&reply);
    }
    for path in [
        "/ui/models/fetch.sh",
        "/ui/models/other.onnx",
        "/ui/models/..%2fCargo.toml",
    ] {
        let reply = app.get(path, None).await;
        assert_eq!(reply.status.as_u16(), 404, "{path}");
        assert!(!reply.text().contains("#!/bin/sh"), "{path}");
    }
    // A configured file that is missing on disk is a 404 too, not an error page.
    std::fs::remove_file(models.path().join(CLP_DET_FILE)).unwrap();
    assert_eq!(
        app.get(&format!("/ui/models/{CLP_DET_FILE}"), None)
            .await
            .status
            .as_u16(),
        404
    );
}

#[tokio::test]
async fn large_files_go_gzipped_to_browsers_that_accept_it_and_plain_to_others() {
    let ui = ui_dir();
    // As scripts/build-ui.sh leaves them: the file and its gzip copy beside it.
    let module = "export const anonymizer = 1;\n".repeat(400);
    let path = ui.path().join("pkg/big.js");
    std::fs::write(&path, &module).unwrap();
    let status = std::process::Command::new("gzip")
        .args(["-9", "-k", "-n"])
        .arg(&path)
        .status()
        .expect("gzip runs");
    assert!(status.success());
    let gz = std::fs::read(ui.path().join("pkg/big.js.gz")).unwrap();
    let app = app_with_ui(ui.path(), None).await;
    let client = reqwest::Client::new();
    let url = format!("{}/pkg/big.js", app.address);

    let zipped = app.send(client.get(&url).header("accept-encoding", "gzip")).await;
    assert_eq!(zipped.status.as_u16(), 200);
    assert_eq!(header(&zipped, "content-encoding"), "gzip");
    assert_eq!(header(&zipped, "content-type"), "text/javascript; charset=utf-8");
    assert_eq!(zipped.bytes, gz, "the prepared copy, not compressed again");
    assert_security_headers(&zipped);

    let plain = app.send(client.get(&url)).await;
    assert_eq!(plain.status.as_u16(), 200);
    assert!(plain.headers.get("content-encoding").is_none());
    assert_eq!(plain.bytes, module.as_bytes());
}
