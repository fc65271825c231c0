//! Triage in the staff inbox: saved filters, bulk actions on a selection, and photo
//! thumbnails for the inbox rows. The filters "assigned to me", "my department" and
//! "awaiting reply" are the inbox's own (`GET /api/v1/staff/reports`).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::routes;

use augenmerk_domain::triage::{BulkRequest, BulkResponse, NewSavedFilter, SavedFilter};
use augenmerk_domain::{BlobHash, SavedFilterId};

use super::{ApiJson, ApiPath, ApiRouter};
use crate::auth::StaffAuth;
use crate::error::{ApiError, ApiResult};
use crate::services::triage;
use crate::state::AppState;

/// Routes of triage.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list_filters, save_filter))
        .routes(routes!(delete_filter))
        .routes(routes!(bulk))
        .routes(routes!(thumbnail))
}

/// The signed-in staff member's saved inbox filters, oldest first.
#[utoipa::path(get, path = "/api/v1/staff/filters", tag = "staff",
    responses((status = 200, body = Vec<SavedFilter>)), security(("bearer" = [])))]
async fn list_filters(State(state): State<AppState>, staff: StaffAuth) -> ApiResult<ApiJson<Vec<SavedFilter>>> {
    Ok(ApiJson(
        state.store.list_saved_filters(staff.ags(), &staff.user.id).await?,
    ))
}

/// Saves an inbox filter under a name (only its owner sees it; at most 50).
#[utoipa::path(post, path = "/api/v1/staff/filters", tag = "staff", request_body = NewSavedFilter,
    responses((status = 201, body = SavedFilter),
        (status = 422, body = augenmerk_domain::ErrorBody, description = "no name, too long, or too many filters")),
    security(("bearer" = [])))]
async fn save_filter(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiJson(req): ApiJson<NewSavedFilter>,
) -> ApiResult<(StatusCode, ApiJson<SavedFilter>)> {
    // A saved filter is an inbox query: what the inbox refuses is not saved.
    super::staff::check_query(&req.query)?;
    let saved = triage::save_filter(&state, &staff.user, req).await?;
    Ok((StatusCode::CREATED, ApiJson(saved)))
}

/// Deletes one of the signed-in staff member's saved filters (404 for anyone else's).
#[utoipa::path(delete, path = "/api/v1/staff/filters/{id}", tag = "staff", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = augenmerk_domain::ErrorBody)), security(("bearer" = [])))]
async fn delete_filter(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let id: SavedFilterId = id.parse().map_err(|_| ApiError::not_found())?;
    state
        .store
        .delete_saved_filter(staff.ags(), &staff.user.id, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Assigns, moves to a status (with one public comment) or re-prioritises a selection of
/// reports, each as the single action would, each audited. The answer is 200 with one
/// outcome per report, also when some failed (e.g. a transition not allowed from a
/// report's status); the request itself fails only when the selection is invalid.
#[utoipa::path(post, path = "/api/v1/staff/reports/bulk", tag = "staff", request_body = BulkRequest,
    responses((status = 200, body = BulkResponse),
        (status = 422, body = augenmerk_domain::ErrorBody, description = "empty, too large or repeated selection")),
    security(("bearer" = [])))]
async fn bulk(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiJson(req): ApiJson<BulkRequest>,
) -> ApiResult<ApiJson<BulkResponse>> {
    Ok(ApiJson(triage::bulk(&state, &staff.user, req).await?))
}

/// A photo of the municipality's reports, downscaled for the inbox (at most 160 pixels
/// on the long edge; the stored photo is already anonymized and without metadata).
#[utoipa::path(get, path = "/api/v1/staff/thumbnails/{sha256}", tag = "staff",
    params(("sha256" = String, Path)),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = augenmerk_domain::ErrorBody)),
    security(("bearer" = [])))]
async fn thumbnail(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(hash): ApiPath<String>,
) -> ApiResult<Response> {
    let hash = BlobHash::parse(&hash).map_err(|_| ApiError::not_found())?;
    let bytes = triage::thumbnail(&state, &staff.user, &hash).await?;
    // A photo never changes under its hash, so neither does its thumbnail; `private`:
    // only the staff member's browser keeps it.
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable"),
        ],
        bytes,
    )
        .into_response())
}
