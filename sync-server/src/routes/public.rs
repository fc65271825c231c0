//! Public endpoints: health, the municipalities served, their public configuration, and
//! which municipality is responsible for a location.

use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::routes;

use augenmerk_domain::public::{MunicipalityConfig, MunicipalityInfo, Responsibility};
use augenmerk_domain::{Ags, GeoPoint};

use super::{ApiJson, ApiPath, ApiQuery, ApiRouter};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Public routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(list_municipalities))
        .routes(routes!(municipality_config))
        .routes(routes!(responsibility))
}

/// Liveness and readiness: answers once the database answers.
#[utoipa::path(get, path = "/healthz", tag = "public", responses((status = 200, body = Object)))]
async fn healthz(State(state): State<AppState>) -> ApiResult<ApiJson<serde_json::Value>> {
    let municipalities = state.store.list_municipalities().await?.len();
    Ok(ApiJson(
        serde_json::json!({ "status": "ok", "municipalities": municipalities }),
    ))
}

/// The municipalities that take reports on this server.
#[utoipa::path(get, path = "/api/v1/municipalities", tag = "public", responses((status = 200, body = Vec<MunicipalityInfo>)))]
async fn list_municipalities(State(state): State<AppState>) -> ApiResult<ApiJson<Vec<MunicipalityInfo>>> {
    let list = state.store.list_municipalities().await?;
    Ok(ApiJson(
        list.into_iter()
            .map(|m| MunicipalityInfo {
                ags: m.ags,
                name: m.name,
                active: true,
                config_version: Some(m.config_version.to_string()),
            })
            .collect(),
    ))
}

/// A municipality's public configuration for clients: category tree, questions, boundary.
#[utoipa::path(get, path = "/api/v1/municipalities/{ags}/config", tag = "public",
    params(("ags" = String, Path)), responses((status = 200, body = MunicipalityConfig), (status = 404)))]
async fn municipality_config(
    State(state): State<AppState>,
    ApiPath(ags): ApiPath<String>,
) -> ApiResult<ApiJson<MunicipalityConfig>> {
    let ags = Ags::parse(&ags).map_err(|_| ApiError::not_found())?;
    let tenant = state.tenant(&ags).await?;
    let boundary = {
        let index = state.boundaries.read().unwrap_or_else(|p| p.into_inner()).clone();
        augenmerk_geo::Ags::parse(ags.as_str())
            .ok()
            .and_then(|a| index.get(&a).map(|m| m.geometry_geojson()))
            .and_then(|g| serde_json::from_str(&g).ok())
    };
    Ok(ApiJson(MunicipalityConfig {
        ags: tenant.record.ags.clone(),
        name: tenant.record.name.clone(),
        // Deactivated categories are kept for old reports but not offered to citizens.
        categories: tenant.record.categories.offered(),
        boundary,
        accent_color: tenant.record.settings.accent_color.clone(),
        logo: tenant.record.settings.logo.clone(),
        version: tenant.record.config_version.to_string(),
    }))
}

/// A location to look up.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct PointQuery {
    /// Latitude.
    lat: f64,
    /// Longitude.
    lon: f64,
}

/// Which municipality is responsible for a location (422 naming the nearest if none).
#[utoipa::path(get, path = "/api/v1/responsibility", tag = "public", params(PointQuery),
    responses((status = 200, body = Responsibility), (status = 422, body = augenmerk_domain::ErrorBody)))]
async fn responsibility(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PointQuery>,
) -> ApiResult<ApiJson<Responsibility>> {
    let point = GeoPoint::parse(q.lat, q.lon)?;
    let (m, distance_m) = state.responsible(point)?;
    let ags = Ags::parse(m.ags.as_str()).map_err(ApiError::internal)?;
    let active = state.tenant(&ags).await.is_ok();
    Ok(ApiJson(Responsibility {
        ags,
        name: m.name.clone(),
        distance_m: distance_m.round(),
        active,
    }))
}
