//! The configuration endpoints that need no settings round trip: the municipality's
//! Open311 API keys (issued with their secret once, listed without it, revoked) and its
//! boundary (an upload checked for the preview, then stored on confirmation). Kept apart
//! from `endpoints` so that this part of the configuration reads in one place.

use gloo_net::http::Request;

use augenmerk_domain::api::{ApiKeyIssued, NewApiKey};
use augenmerk_domain::public::GemeindeInfo;
use augenmerk_domain::staff::ApiKeyInfo;

use super::{API, Api, encode};
use crate::backend::web::WebBackend;
use crate::backend::{UiError, UiResult};

const API_KEYS: &str = "/staff/config/api-keys";

impl Api {
    /// The municipality's Open311 API keys (never their secrets).
    pub async fn api_keys(&self) -> UiResult<Vec<ApiKeyInfo>> {
        self.get(API_KEYS).await
    }

    /// Issues an API key; the answer holds the secret, which is never shown again.
    pub async fn create_api_key(&self, new: &NewApiKey) -> UiResult<ApiKeyIssued> {
        self.post(API_KEYS, new).await
    }

    /// Revokes an API key: from then on the server refuses it.
    pub async fn revoke_api_key(&self, id: &str) -> UiResult<()> {
        self.delete(&format!("{API_KEYS}/{}", encode(id))).await
    }
}

const BOUNDARY: &str = "/staff/config/boundary";
const GEOJSON: &str = "application/geo+json";

impl Api {
    /// Checks a boundary upload; the answer is what confirming would store. Changes nothing.
    pub async fn check_boundary(&self, geojson: String) -> UiResult<Vec<GemeindeInfo>> {
        self.post_raw(&format!("{BOUNDARY}/check"), GEOJSON, geojson).await
    }

    /// Replaces the municipality's boundary with the upload (checked again by the server).
    pub async fn replace_boundary(&self, geojson: String) -> UiResult<Vec<GemeindeInfo>> {
        let request = self
            .authed(Request::put(&format!("{API}{BOUNDARY}")).header("Content-Type", GEOJSON))?
            .body(geojson)
            .map_err(UiError::unexpected);
        self.check(WebBackend::json(request).await)
    }
}
