//! Address search and reverse geocoding for the report form, passed on to the configured
//! geocoder ([`crate::geocode`]). Public like the rest of the citizen side, and limited
//! per client address (the form searches as the citizen types).
//!
//! Without a geocoder both answer 404 `no_geocoder`, and `/ui/config.json` says
//! `geocoder: false`, so the form hides its search field.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa_axum::routes;

use augenmerk_domain::error::{ErrorCode, FieldError};
use augenmerk_domain::geo::BoundingBox;
use augenmerk_domain::{Ags, GeoPoint};

use super::{ApiJson, ApiQuery, ApiRouter};
use crate::error::{ApiError, ApiResult};
use crate::geocode::{FoundPlace, GeocodeError, Geocoder, MAX_QUERY_CHARS, SCHLESWIG_HOLSTEIN};
use crate::limits::{ClientAddr, address_key};
use crate::state::AppState;

/// Margin around a municipality's box, in degrees (about 1 km): an address on the
/// boundary street is found from either side.
const MARGIN_DEG: f64 = 0.01;

/// Geocoding routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(search)).routes(routes!(reverse))
}

/// `GET /api/v1/geocode/search`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// The address as typed (`Rathausplatz 1`).
    pub q: String,
    /// Search within this municipality (AGS or an Amt's key); else all of Schleswig-Holstein.
    pub ags: Option<String>,
}

/// `GET /api/v1/geocode/reverse`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReverseQuery {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// The address at a point.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReverseAnswer {
    /// A short address, or `null` when the geocoder knows none there (on the water).
    pub label: Option<String>,
}

/// Places matching an address, best first.
#[utoipa::path(get, path = "/api/v1/geocode/search", tag = "public", params(SearchQuery), responses(
    (status = 200, body = Vec<FoundPlace>),
    (status = 404, description = "no geocoder is configured (`no_geocoder`)"),
    (status = 429, description = "too many searches from this address"),
    (status = 502, description = "the geocoder did not answer (`geocoder_unavailable`)")))]
async fn search(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<ApiJson<Vec<FoundPlace>>> {
    let geocoder = geocoder(&state, client).await?;
    let text = q.q.trim();
    if text.is_empty() || text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::validation(vec![FieldError::new(
            "q",
            if text.is_empty() { "required" } else { "too_long" },
        )]));
    }
    let bbox = match q.ags.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(ags) => {
            let ags = Ags::parse(ags).map_err(|e| ApiError::validation(vec![e]))?;
            municipality_box(&state, &ags).ok_or_else(ApiError::not_found)?
        }
        None => SCHLESWIG_HOLSTEIN,
    };
    Ok(ApiJson(geocoder.search(text, bbox).await.map_err(unavailable)?))
}

/// The address at a point (for the address hint after a tap on the map).
#[utoipa::path(get, path = "/api/v1/geocode/reverse", tag = "public", params(ReverseQuery), responses(
    (status = 200, body = ReverseAnswer),
    (status = 404, description = "no geocoder is configured (`no_geocoder`)"),
    (status = 502, description = "the geocoder did not answer (`geocoder_unavailable`)")))]
async fn reverse(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiQuery(q): ApiQuery<ReverseQuery>,
) -> ApiResult<ApiJson<ReverseAnswer>> {
    let geocoder = geocoder(&state, client).await?;
    let point = GeoPoint::parse(q.lat, q.lon).map_err(|e| ApiError::validation(vec![e]))?;
    let label = geocoder.reverse(point).await.map_err(unavailable)?;
    Ok(ApiJson(ReverseAnswer { label }))
}

/// The geocoder, after the client's request was counted.
async fn geocoder(state: &AppState, client: Option<std::net::IpAddr>) -> ApiResult<&Geocoder> {
    let geocoder = state
        .geocoding
        .geocoder
        .as_ref()
        .ok_or_else(|| ApiError::new(ErrorCode::NoGeocoder))?;
    state
        .geocoding
        .per_address
        .take(&client.map_or([0; 16], address_key))
        .await?;
    Ok(geocoder)
}

/// 502 for the client; the cause goes to the log.
pub fn unavailable(e: GeocodeError) -> ApiError {
    tracing::warn!(error = %e, "geocoder request failed");
    ApiError::new(ErrorCode::GeocoderUnavailable)
}

/// The box around the Gemeinden a key stands for, with a margin; `None` for a key
/// without boundaries.
pub fn municipality_box(state: &AppState, ags: &Ags) -> Option<BoundingBox> {
    let index = state.boundary_index();
    let gemeinden: Vec<_> = if ags.is_gemeinde() {
        index.get(ags).into_iter().collect()
    } else {
        index.served_by(ags).collect()
    };
    gemeinden
        .iter()
        .map(|m| m.bbox())
        .reduce(|a, b| BoundingBox {
            min_lon: a.min_lon.min(b.min_lon),
            min_lat: a.min_lat.min(b.min_lat),
            max_lon: a.max_lon.max(b.max_lon),
            max_lat: a.max_lat.max(b.max_lat),
        })
        .map(|b| BoundingBox {
            min_lon: b.min_lon - MARGIN_DEG,
            min_lat: b.min_lat - MARGIN_DEG,
            max_lon: b.max_lon + MARGIN_DEG,
            max_lat: b.max_lat + MARGIN_DEG,
        })
}
