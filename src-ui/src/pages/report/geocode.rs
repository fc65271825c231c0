//! The server's address search and reverse geocoding (`/api/v1/geocode/…`), offered only
//! when `/ui/config.json` says a geocoder is configured (the web page; the app has none).

use gloo_net::http::Request;
use serde::Deserialize;

/// A place the address search found.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FoundPlace {
    /// Short address (`Rathausplatz 1, 24937 Flensburg`).
    pub label: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

#[derive(Deserialize)]
struct ReverseAnswer {
    label: Option<String>,
}

/// Why a search gave nothing to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchFailed {
    /// The geocoder (or the server) did not answer usefully.
    Unavailable,
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// Places matching `query`, within the administration `ags` when one is known.
pub async fn search(query: &str, ags: Option<&str>) -> Result<Vec<FoundPlace>, SearchFailed> {
    let mut url = format!("/api/v1/geocode/search?q={}", encode(query));
    if let Some(ags) = ags {
        url.push_str(&format!("&ags={}", encode(ags)));
    }
    let response = Request::get(&url).send().await.map_err(|_| SearchFailed::Unavailable)?;
    if !response.ok() {
        return Err(SearchFailed::Unavailable);
    }
    response.json().await.map_err(|_| SearchFailed::Unavailable)
}

/// The address at a point, if the geocoder knows one (any failure is simply none: the
/// hint stays as it is).
pub async fn reverse(lat: f64, lon: f64) -> Option<String> {
    let response = Request::get(&format!("/api/v1/geocode/reverse?lat={lat}&lon={lon}"))
        .send()
        .await
        .ok()?;
    if !response.ok() {
        return None;
    }
    response.json::<ReverseAnswer>().await.ok()?.label
}
