//! Public endpoints: health, the municipalities served, their public configuration, and
//! which municipality is responsible for a location.

use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::routes;

use augenmerk_domain::api::DirectoryEntry;
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::public::{
    AdministrationRef, Delivery, GemeindeInfo, MunicipalityConfig, MunicipalityInfo, Responsibility,
};
use augenmerk_domain::{Ags, GeoPoint};

use super::{ApiJson, ApiPath, ApiQuery, ApiRouter};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Destination};

/// Public routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(livez))
        .routes(routes!(readyz))
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

/// Liveness for a load balancer or orchestrator: the process answers (nothing else is
/// asked, so a database outage does not get every instance restarted).
#[utoipa::path(get, path = "/livez", tag = "public", responses((status = 200, body = Object)))]
async fn livez() -> ApiJson<serde_json::Value> {
    ApiJson(serde_json::json!({ "status": "ok" }))
}

/// Readiness for a load balancer: 200 while the database and the photo store answer and
/// the instance is not stopping; 503 otherwise, with what failed.
#[utoipa::path(get, path = "/readyz", tag = "public", responses(
    (status = 200, body = Object), (status = 503, body = Object)))]
async fn readyz(State(state): State<AppState>) -> (axum::http::StatusCode, ApiJson<serde_json::Value>) {
    let draining = state.draining.load(std::sync::atomic::Ordering::SeqCst);
    let database = state.store.ping().await;
    let photos = state.blobs.ping().await;
    let ready = !draining && database.is_ok() && photos.is_ok();
    if let Err(e) = &database {
        tracing::warn!(error = %e, "readiness: the database does not answer");
    }
    if let Err(e) = &photos {
        tracing::warn!(error = %e, "readiness: the photo store does not answer");
    }
    let status = if ready {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        ApiJson(serde_json::json!({
            "status": if ready { "ready" } else if draining { "draining" } else { "unavailable" },
            "database": if database.is_ok() { "ok" } else { "unavailable" },
            "photos": if photos.is_ok() { "ok" } else { "unavailable" },
        })),
    )
}

/// The municipalities that take reports on this server: the tenants, and the
/// administrations of the directory that take them by e-mail.
#[utoipa::path(get, path = "/api/v1/municipalities", tag = "public", responses((status = 200, body = Vec<MunicipalityInfo>)))]
async fn list_municipalities(State(state): State<AppState>) -> ApiResult<ApiJson<Vec<MunicipalityInfo>>> {
    let tenants = state.store.list_municipalities().await?;
    let mut list: Vec<MunicipalityInfo> = tenants
        .iter()
        .map(|m| MunicipalityInfo {
            ags: m.ags.clone(),
            name: m.name.clone(),
            active: true,
            config_version: Some(m.config_version.to_string()),
            delivery: Delivery::Platform,
        })
        .collect();
    // Every device asks for this list when it syncs: the keys with boundaries (Gemeinden
    // and their administrations) are collected in one pass, not once per entry.
    let index = state.boundary_index();
    let keys: std::collections::HashSet<&str> = index
        .iter()
        .flat_map(|m| std::iter::once(m.ags().as_str()).chain(m.administration().map(|a| a.as_str())))
        .collect();
    for entry in state.store.list_directory().await? {
        if tenants.iter().any(|t| t.ags == entry.key) || !keys.contains(entry.key.as_str()) {
            continue;
        }
        list.push(MunicipalityInfo {
            config_version: Some(directory_version(&entry)),
            delivery: Delivery::Mail { to: entry.name.clone() },
            ags: entry.key,
            name: entry.name,
            active: true,
        });
    }
    Ok(ApiJson(list))
}

/// The configuration version of a directory administration: it changes with its name
/// (its categories are the standard tree, which changes only with the server).
fn directory_version(entry: &DirectoryEntry) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (env!("CARGO_PKG_VERSION"), &entry.name).hash(&mut h);
    format!("d{:x}", h.finish())
}

/// The boundary of an administration (its Gemeinden's together) and, for an Amt, each
/// Gemeinde with its own boundary.
fn boundaries_of(state: &AppState, key: &Ags) -> (Option<serde_json::Value>, Vec<GemeindeInfo>) {
    let index = state.boundary_index();
    let geometry =
        |ags: &Ags| -> Option<serde_json::Value> { serde_json::from_str(&index.get(ags)?.geometry_geojson()).ok() };
    let gemeinden: Vec<GemeindeInfo> = state
        .gemeinden_of(key)
        .into_iter()
        .map(|(ags, name)| GemeindeInfo {
            boundary: geometry(&ags),
            ags,
            name,
        })
        .collect();
    // A Gemeinde keyed by its own AGS needs no list; one keyed by its administration's
    // key (Lübeck's 010030000) names its Gemeinde, so that devices can name it offline.
    if let [one] = gemeinden.as_slice() {
        let list = if &one.ags == key { Vec::new() } else { gemeinden.clone() };
        return (one.boundary.clone(), list);
    }
    // One MultiPolygon of all parts: containment needs no dissolved outline.
    let mut polygons = Vec::new();
    for g in &gemeinden {
        match g.boundary.as_ref().map(|b| (b["type"].as_str(), &b["coordinates"])) {
            Some((Some("Polygon"), c)) => polygons.push(c.clone()),
            Some((Some("MultiPolygon"), serde_json::Value::Array(parts))) => polygons.extend(parts.iter().cloned()),
            _ => {}
        }
    }
    let boundary =
        (!polygons.is_empty()).then(|| serde_json::json!({ "type": "MultiPolygon", "coordinates": polygons }));
    (boundary, gemeinden)
}

/// A municipality's public configuration for clients: category tree, questions, boundary
/// (for an Amt also each Gemeinde's), and whether reports are worked here or mailed.
#[utoipa::path(get, path = "/api/v1/municipalities/{ags}/config", tag = "public",
    params(("ags" = String, Path)), responses((status = 200, body = MunicipalityConfig), (status = 404)))]
async fn municipality_config(
    State(state): State<AppState>,
    ApiPath(ags): ApiPath<String>,
) -> ApiResult<ApiJson<MunicipalityConfig>> {
    let ags = Ags::parse(&ags).map_err(|_| ApiError::not_found())?;
    let (boundary, gemeinden) = boundaries_of(&state, &ags);
    let tenant = match state.tenant(&ags).await {
        Ok(t) => t,
        Err(e) if e.code() == ErrorCode::NotFound => {
            let entry = state.store.get_directory(&ags).await?;
            let tree = crate::demo::standard_tree()?;
            return Ok(ApiJson(MunicipalityConfig {
                version: directory_version(&entry),
                ags: entry.key,
                categories: tree.offered(),
                boundary,
                accent_color: None,
                logo: None,
                gemeinden,
                delivery: Delivery::Mail { to: entry.name.clone() },
                legal: crate::privacy::default_legal_info(&entry.name),
                // Not on the platform: nothing of it is on the public map.
                public: augenmerk_domain::public_map::PublicInfo {
                    enabled: false,
                    ..Default::default()
                },
                name: entry.name,
            }));
        }
        Err(e) => return Err(e),
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
        gemeinden,
        delivery: Delivery::Platform,
        legal: crate::privacy::legal_info(&tenant),
        public: tenant.record.settings.public.info(),
    }))
}

/// A location to look up.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PointQuery {
    /// Latitude.
    lat: f64,
    /// Longitude.
    lon: f64,
}

/// Which Gemeinde is responsible for a location, which administration serves it, and
/// where a report from there goes (422 naming the nearest Gemeinde if none); near a
/// border also the neighbours a citizen may choose instead (`alternatives`).
#[utoipa::path(get, path = "/api/v1/responsibility", tag = "public", params(PointQuery),
    responses((status = 200, body = Responsibility), (status = 422, body = augenmerk_domain::ErrorBody)))]
async fn responsibility(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PointQuery>,
) -> ApiResult<ApiJson<Responsibility>> {
    let point = GeoPoint::parse(q.lat, q.lon)?;
    let mut candidates = crate::services::border::candidates(&state, point).await?.into_iter();
    let first = candidates
        .next()
        .ok_or_else(|| ApiError::internal("a place without candidates"))?;
    let mut answer = responsibility_of(&state, first);
    answer.alternatives = candidates.map(|c| responsibility_of(&state, c)).collect();
    Ok(ApiJson(answer))
}

/// The answer for one Gemeinde a report may go to, without alternatives.
fn responsibility_of(state: &AppState, candidate: crate::services::border::Candidate) -> Responsibility {
    let place = candidate.place;
    let (administration, delivery) = match candidate.destination {
        Some(Destination::Tenant(t)) => (
            Some(AdministrationRef {
                key: t.record.ags.clone(),
                name: t.record.name.clone(),
                serves_several: t.gemeinden.len() > 1,
            }),
            Delivery::Platform,
        ),
        Some(Destination::Mail(entry)) => (
            Some(AdministrationRef {
                serves_several: state.gemeinden_of(&entry.key).len() > 1,
                key: entry.key,
                name: entry.name.clone(),
            }),
            Delivery::Mail { to: entry.name },
        ),
        None => (None, Delivery::Refused),
    };
    Responsibility {
        active: delivery != Delivery::Refused,
        ags: place.gemeinde,
        name: place.name,
        distance_m: place.distance_m.round(),
        administration,
        delivery,
        alternatives: Vec::new(),
    }
}
