//! The web UI: the built Leptos page (`scripts/build-ui.sh` → `ui_dir`), its settings at
//! `/ui/config.json`, and the security headers of its responses.
//!
//! Every path the API does not own ends here: an existing file of `ui_dir` is served as
//! it is; any other path without a file extension is a page of the single-page app and
//! gets `index.html`. Paths under `/api`, `/open311` and `/healthz` keep their JSON 404.
//! When the UI is not built, pages answer a short note saying how to build it.
//!
//! The public map has paths of its own (`/m`, `/m/{ags}`, `/m/{ags}/{report}`,
//! `/embed/{ags}`): their `index.html` carries `<base href="/">` (its links to assets are
//! relative), and
//! `/embed/{ags}` may be framed by the origins the municipality lists
//! (`public.frame_ancestors`); every other page refuses to be framed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use augenmerk_domain::Ags;
use augenmerk_domain::device::AppInfo;

use crate::config::Settings;
use crate::error::ApiError;
use crate::state::AppState;

/// Path prefixes that belong to the API: unknown paths below them are JSON 404s, never the UI.
const API_PREFIXES: [&str; 3] = ["/api", "/open311", "/healthz"];

/// The UI's routes: its configuration, and the fallback for every path no API route took.
pub fn routes(settings: &Settings) -> Router<AppState> {
    let ui = Arc::new(WebUi::new(&settings.ui_dir));
    let headers = Arc::new(SecurityHeaders::new(&settings.tile_url));
    let models = Arc::new(models_dir(settings));
    let public_page = {
        let ui = Arc::clone(&ui);
        move || {
            let ui = Arc::clone(&ui);
            async move { ui.page_at_depth().await }
        }
    };
    let embed = {
        let ui = Arc::clone(&ui);
        move |state: State<AppState>, ags: UrlPath<String>| {
            let ui = Arc::clone(&ui);
            async move { embed_page(&ui, state, ags).await }
        }
    };
    Router::new()
        .route("/ui/config.json", get(config_json))
        .route("/m", get(public_page.clone()))
        .route("/m/", get(public_page.clone()))
        .route("/m/{ags}", get(public_page.clone()))
        // One report shown on its municipality's map: the link in alert mails.
        .route("/m/{ags}/{report}", get(public_page))
        .route("/embed/{ags}", get(embed))
        .route(
            "/ui/models/{file}",
            get(move |file: UrlPath<String>, req: Request| model_file(Arc::clone(&models), file, req)),
        )
        .fallback(move |req: Request| {
            let ui = Arc::clone(&ui);
            async move { ui.serve(req).await }
        })
        .layer(axum::middleware::map_response(move |res: Response| {
            let headers = Arc::clone(&headers);
            async move { headers.apply(res) }
        }))
}

/// What the UI needs to know about the program it runs in: on the web, the server itself.
async fn config_json(State(state): State<AppState>) -> axum::Json<AppInfo> {
    let s = &state.settings;
    axum::Json(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        // The page talks to the server it came from.
        server: None,
        // Whether this browser can run the anonymizer's worker only the page knows: it
        // overrides this (src-ui/src/backend/web); `POST /api/v1/photos` is the fallback.
        anonymizes_on_device: false,
        tile_url: Some(s.tile_url.trim()).filter(|u| !u.is_empty()).map(str::to_owned),
        tile_attribution: Some(s.tile_attribution.trim())
            .filter(|a| !a.is_empty())
            .map(str::to_owned),
        geocoder: state.geocoding.geocoder.is_some(),
        home: home_box(&state).await,
    })
}

/// The box of the one municipality this server serves (the report form's map opens on
/// it); `None` with several, where the form opens on the whole state.
async fn home_box(state: &AppState) -> Option<augenmerk_domain::geo::BoundingBox> {
    let tenants = state.store.list_municipalities().await.ok()?;
    match tenants.as_slice() {
        [one] => crate::routes::geocode::municipality_box(state, &one.ags),
        _ => None,
    }
}

/// The anonymizer's models, as the server's own anonymizer finds them (`lib.rs`).
fn models_dir(settings: &Settings) -> PathBuf {
    settings
        .models_dir
        .clone()
        .unwrap_or_else(augenmerk_anon::default_models_dir)
}

/// The three model files the page's anonymizer (`src-ui/js/anon-worker.js`) runs: fetched
/// once and kept by the service worker. Only these names: the folder holds other files.
const MODEL_FILES: [&str; 3] = [
    augenmerk_anon::models::CENTERFACE_FILE,
    augenmerk_anon::models::CLP_DET_FILE,
    augenmerk_anon::models::TEXT_DET_FILE,
];

/// `GET /ui/models/{file}`: one model file, cacheable for long. Their names are fixed while
/// their content is pinned with the tract version (`augenmerk-anon`), so a month is safe;
/// Last-Modified lets a browser revalidate cheaply after that.
async fn model_file(dir: Arc<PathBuf>, UrlPath(file): UrlPath<String>, req: Request) -> Response {
    if !MODEL_FILES.contains(&file.as_str()) {
        return plain_not_found();
    }
    let mut res = match ServeFile::new(dir.join(&file)).oneshot(req).await {
        Ok(res) => res.map(Body::new),
        Err(never) => match never {},
    };
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(MODEL_CACHE_CONTROL));
    } else if res.status() == StatusCode::NOT_FOUND {
        tracing::warn!(file, dir = %dir.display(), "model file missing: run models/fetch.sh or set models_dir");
        return plain_not_found();
    }
    res
}

/// Cache-Control of the model files (see [`model_file`]).
const MODEL_CACHE_CONTROL: &str = "public, max-age=2592000";

/// The built UI on disk.
struct WebUi {
    dir: PathBuf,
    index: PathBuf,
}

impl WebUi {
    fn new(dir: &Path) -> Self {
        let index = dir.join("index.html");
        if index.is_file() {
            tracing::info!(dir = %dir.display(), "serving the web UI");
        } else {
            tracing::warn!(
                dir = %dir.display(),
                "the web UI is not built (no index.html): run scripts/build-ui.sh or set ui_dir"
            );
        }
        Self {
            dir: dir.to_owned(),
            index,
        }
    }

    /// `index.html` for a page below the root (`/m/{ags}`): with `<base href="/">`, so that
    /// its relative links to the assets (`vendor/…`, `js/boot.js`) resolve from the root.
    async fn page_at_depth(&self) -> Response {
        let Ok(index) = tokio::fs::read_to_string(&self.index).await else {
            return not_built();
        };
        let page = match index.find("<head>") {
            Some(at) => {
                let end = at + "<head>".len();
                format!("{}\n  <base href=\"/\">{}", &index[..end], &index[end..])
            }
            None => index,
        };
        Html(page).into_response()
    }

    async fn serve(&self, req: Request) -> Response {
        let path = req.uri().path();
        if is_api_path(path) || !matches!(*req.method(), Method::GET | Method::HEAD) {
            return ApiError::not_found().into_response();
        }
        let wants_page = !has_extension(path);
        // Checked on each request, so a UI built after the server started is served at once.
        if tokio::fs::metadata(&self.index).await.is_err() {
            return if wants_page { not_built() } else { plain_not_found() };
        }
        // ServeFile ignores the path; method and conditional headers are all it needs.
        let mut again = Request::new(Body::empty());
        *again.method_mut() = req.method().clone();
        *again.headers_mut() = req.headers().clone();

        // `<file>.gz` beside a file (scripts/build-ui.sh writes them for the large ones: the
        // anonymizer's module is 16 MB, 4 MB gzipped) goes to browsers that accept gzip.
        let res = match ServeDir::new(&self.dir).precompressed_gzip().oneshot(req).await {
            Ok(res) => res.map(Body::new),
            Err(never) => match never {},
        };
        if res.status() != StatusCode::NOT_FOUND {
            return res;
        }
        // A missing asset (`/pkg/x.wasm`) must not be answered with HTML: the browser would
        // report a confusing type error instead of the missing file.
        if !wants_page {
            return plain_not_found();
        }
        match ServeFile::new(&self.index).oneshot(again).await {
            Ok(res) => res.map(Body::new),
            Err(never) => match never {},
        }
    }
}

/// `GET /embed/{ags}`: the public map for the municipality's own website. It may be
/// framed by the page's own origin and the origins the municipality configured; an
/// unknown municipality gets the page (which says so) framable by its own origin only.
async fn embed_page(ui: &WebUi, State(state): State<AppState>, UrlPath(ags): UrlPath<String>) -> Response {
    let allowed = match Ags::parse(&ags) {
        Ok(ags) => match state.tenant(&ags).await {
            Ok(tenant) => tenant.record.settings.public.frame_ancestors.clone(),
            Err(_) => Vec::new(),
        },
        Err(_) => Vec::new(),
    };
    let mut res = ui.page_at_depth().await;
    res.extensions_mut().insert(FrameAncestors(allowed));
    res
}

/// The origins a response may be framed by besides its own (see [`SecurityHeaders::apply`]).
#[derive(Debug, Clone)]
struct FrameAncestors(Vec<String>);

/// The CSP `frame-ancestors` sources of configured origins: `'self'` and each entry that
/// is an `https://` or `http://` origin (host, optional port, a leading `*.` allowed).
/// Anything else (a path, a quote, a `;` that would start a new directive) is left out
/// with a warning: the setting is written by an admin, but it ends up in a header.
fn frame_ancestors_sources(configured: &[String]) -> String {
    let mut sources = vec!["'self'".to_owned()];
    for entry in configured {
        let origin = entry.trim().trim_end_matches('/');
        if is_origin(origin) {
            if !sources.iter().any(|s| s == origin) {
                sources.push(origin.to_owned());
            }
        } else {
            tracing::warn!(
                entry,
                "public.frame_ancestors: not an origin (https://host[:port]), left out"
            );
        }
    }
    sources.join(" ")
}

fn is_origin(origin: &str) -> bool {
    let Some((scheme, host)) = origin.split_once("://") else {
        return false;
    };
    let host_part = host.strip_prefix("*.").unwrap_or(host);
    let (name, port) = match host_part.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host_part, None),
    };
    matches!(scheme, "https" | "http")
        && !name.is_empty()
        && name
            .split('.')
            .all(|label| !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()))
}

/// Whether a path belongs to the API (`/api`, `/api/…`, but not `/apiary`).
fn is_api_path(path: &str) -> bool {
    API_PREFIXES.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Whether the last path segment names a file (`app.js`) rather than a page (`reports/42`).
fn has_extension(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

fn plain_not_found() -> Response {
    (StatusCode::NOT_FOUND, "Nicht gefunden / Not found\n").into_response()
}

/// The note shown instead of the UI when it was not built.
fn not_built() -> Response {
    let page = r#"<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Augenmerk</title></head>
<body>
<main>
<h1>Augenmerk</h1>
<p>Die Weboberfläche ist auf diesem Server nicht gebaut. Bauen Sie sie mit
<code>./scripts/build-ui.sh</code> im Projektverzeichnis, oder geben Sie mit der Einstellung
<code>ui_dir</code> (<code>AUGENMERK__UI_DIR</code>) ihren Ordner an. Die API unter
<code>/api/v1</code> läuft.</p>
<p lang="en">The web UI is not built on this server. Build it with
<code>./scripts/build-ui.sh</code> in the project folder, or point the setting
<code>ui_dir</code> (<code>AUGENMERK__UI_DIR</code>) at its folder. The API under
<code>/api/v1</code> is running.</p>
</main>
</body>
</html>
"#;
    (StatusCode::SERVICE_UNAVAILABLE, Html(page)).into_response()
}

/// Headers added to every UI response.
struct SecurityHeaders {
    csp: HeaderValue,
}

impl SecurityHeaders {
    fn new(tile_url: &str) -> Self {
        let tiles = tile_source(tile_url);
        if tiles.is_none() && !tile_url.trim().is_empty() && !tile_url.trim().starts_with('/') {
            tracing::warn!(
                tile_url,
                "cannot derive the tile host for the page's CSP: tiles will be blocked"
            );
        }
        let img_src = match &tiles {
            Some(t) => format!("'self' data: blob: {t}"),
            None => "'self' data: blob:".to_owned(),
        };
        // Leptos and Leaflet set inline styles; wasm needs 'wasm-unsafe-eval' to compile.
        // No inline scripts: index.html loads its start-up code from a file.
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
             img-src {img_src}; font-src 'self'; connect-src 'self'; object-src 'none'; \
             base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        );
        Self {
            // `tile_source` admits only characters that are valid in a header.
            csp: HeaderValue::from_str(&csp).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
        }
    }

    fn apply(&self, mut res: Response) -> Response {
        let csp = match res.extensions().get::<FrameAncestors>() {
            Some(FrameAncestors(origins)) => self.csp_framable_by(origins),
            None => self.csp.clone(),
        };
        let h = res.headers_mut();
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
        h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        // File names are not content-hashed (`pkg/augenmerk_ui.js`), so a cached copy must be
        // revalidated (cheap: Last-Modified → 304), or an update could mix old and new files.
        // The model files set their own (long) caching.
        if !h.contains_key(header::CACHE_CONTROL) {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        }
        // ServeDir names text types without a charset; the page and locales are UTF-8.
        let text_without_charset = h
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .filter(|t| (t.starts_with("text/") || t.starts_with("application/javascript")) && !t.contains("charset"))
            .map(|t| format!("{t}; charset=utf-8"));
        if let Some(t) = text_without_charset.and_then(|t| HeaderValue::from_str(&t).ok()) {
            h.insert(header::CONTENT_TYPE, t);
        }
        res
    }
}

impl SecurityHeaders {
    /// The page's CSP with `frame-ancestors` opened to `'self'` and the given origins.
    fn csp_framable_by(&self, origins: &[String]) -> HeaderValue {
        let csp = self.csp.to_str().unwrap_or("default-src 'self'").replace(
            "frame-ancestors 'none'",
            &format!("frame-ancestors {}", frame_ancestors_sources(origins)),
        );
        // `frame_ancestors_sources` admits only characters valid in a header.
        HeaderValue::from_str(&csp).unwrap_or_else(|_| self.csp.clone())
    }
}

/// The CSP source of a tile URL template: `https://tile.openstreetmap.org`, or
/// `https://*.tile.example.org` for a `{s}` subdomain. `None` when it is empty, relative
/// (then `'self'` covers it) or not understood.
fn tile_source(tile_url: &str) -> Option<String> {
    let (scheme, rest) = tile_url.trim().split_once("://")?;
    if !matches!(scheme, "https" | "http") {
        return None;
    }
    let authority = rest.split('/').next()?;
    let mut labels: Vec<&str> = authority.split('.').collect();
    if labels.first().is_some_and(|l| l.contains('{')) {
        labels[0] = "*";
    }
    let host = labels.join(".");
    let valid = !host.is_empty()
        && host != "*"
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '*'))
        && !host[1..].contains('*');
    valid.then(|| format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_sources_for_the_csp() {
        assert_eq!(
            tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://tile.openstreetmap.org")
        );
        assert_eq!(
            tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://*.tile.example.org")
        );
        assert_eq!(
            tile_source("http://127.0.0.1:8081/{z}/{x}/{y}.png").as_deref(),
            Some("http://127.0.0.1:8081")
        );
        assert_eq!(tile_source(""), None);
        assert_eq!(tile_source("/tiles/{z}/{x}/{y}.png"), None);
        assert_eq!(tile_source("javascript://x"), None);
        assert_eq!(tile_source("https://evil.org; script-src *"), None);
        assert_eq!(tile_source("https://a.{s}.org/{z}"), None);
    }

    #[test]
    fn frame_ancestors_only_take_origins() {
        let list = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(frame_ancestors_sources(&[]), "'self'");
        assert_eq!(
            frame_ancestors_sources(&list(&[
                "https://www.flensburg.de/",
                "http://127.0.0.1:8123",
                "https://*.kreis-sl.de",
                "https://www.flensburg.de",
            ])),
            "'self' https://www.flensburg.de http://127.0.0.1:8123 https://*.kreis-sl.de"
        );
        for bad in [
            "*",
            "'none'",
            "https://a.de; script-src *",
            "https://a.de/path",
            "javascript://x",
            "https://",
            "https://a..de",
            "https://a.de:99999x",
            "www.flensburg.de",
        ] {
            assert_eq!(frame_ancestors_sources(&list(&[bad])), "'self'", "{bad}");
        }
        let headers = SecurityHeaders::new("");
        let csp = headers.csp_framable_by(&list(&["https://www.flensburg.de"]));
        let csp = csp.to_str().unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'self' https://www.flensburg.de"), "{csp}");
        assert!(!csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(
            headers
                .csp
                .to_str()
                .unwrap_or_default()
                .contains("frame-ancestors 'none'")
        );
    }

    #[test]
    fn api_paths_and_files() {
        assert!(is_api_path("/api"));
        assert!(is_api_path("/api/v1/nothing"));
        assert!(is_api_path("/open311/v2/x.json"));
        assert!(is_api_path("/healthz"));
        assert!(!is_api_path("/apiary"));
        assert!(!is_api_path("/"));
        assert!(!is_api_path("/reports/42"));
        assert!(has_extension("/pkg/augenmerk_ui_bg.wasm"));
        assert!(!has_extension("/reports/42"));
        assert!(!has_extension("/"));
    }
}
