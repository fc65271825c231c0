//! The `augenmerk-photo` URI scheme: the webview loads stored (anonymized) photos by hash.
//!
//! Photos live in the data directory, which the webview cannot read; a custom scheme
//! serves exactly the content-addressed JPEGs there and nothing else. The path must be one
//! 64-digit hex hash, so no other file (and no `..`) can be named; anything else is a 404.

use std::borrow::Cow;

use tauri::http::{Response, StatusCode, header};

use augenmerk_client::Client;
use augenmerk_domain::BlobHash;

/// The scheme's name.
pub const SCHEME: &str = "augenmerk-photo";

/// The URL of a stored photo in this platform's form: WebKitGTK and WKWebView take custom
/// schemes as they are, WebView2 (Windows) and Android's WebView only as `http://<scheme>.localhost`.
pub fn photo_url(hash: &BlobHash) -> String {
    if cfg!(any(windows, target_os = "android")) {
        format!("http://{SCHEME}.localhost/{}", hash.as_str())
    } else {
        format!("{SCHEME}://localhost/{}", hash.as_str())
    }
}

/// Answers a request for `path` (the URL's path, e.g. `/<hash>`): the photo, or a 404.
pub async fn respond(client: &Client, path: &str) -> Response<Cow<'static, [u8]>> {
    let Ok(hash) = BlobHash::parse(path.strip_prefix('/').unwrap_or(path)) else {
        return status(StatusCode::NOT_FOUND);
    };
    match tokio::fs::read(client.photo_path(&hash)).await {
        Ok(bytes) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "image/jpeg")
            // Content-addressed: the bytes behind a hash never change.
            .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
            // The app's pages have another origin (tauri://localhost); this lets the UI draw
            // a photo into a canvas (marking areas to blur) without tainting it.
            .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
            .body(Cow::Owned(bytes))
            .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => status(StatusCode::NOT_FOUND),
        Err(e) => {
            tracing::warn!(hash = hash.as_str(), error = %e, "cannot read a stored photo");
            status(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// An empty answer with a status.
pub fn status(code: StatusCode) -> Response<Cow<'static, [u8]>> {
    let mut r = Response::new(Cow::Borrowed(&[][..]));
    *r.status_mut() = code;
    r
}
