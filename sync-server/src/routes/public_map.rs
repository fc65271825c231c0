//! The public map and list of reports, a report's public detail and its approved photos,
//! and staff's publication choice (issue 20). No sign-in for the public routes: what they
//! show is decided by `augenmerk_domain::public::publish` alone.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::routes;

use augenmerk_domain::public_map::{PublicMap, PublicQuery, PublicReportDetail, PublicReportList, Publication};
use augenmerk_domain::{BlobHash, ReportId};

use super::{ApiJson, ApiPath, ApiQuery, ApiRouter};
use crate::auth::StaffAuth;
use crate::error::{ApiError, ApiResult};
use crate::services::{open_data, public_map};
use crate::state::AppState;

/// Public-map routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(map))
        .routes(routes!(list))
        .routes(routes!(detail))
        .routes(routes!(photo))
        .routes(routes!(get_publication, set_publication))
        .merge(open_data::routes())
}

/// Clusters and single reports of a map viewport (`bbox`, `zoom`) with filters.
#[utoipa::path(get, path = "/api/v1/public/reports", tag = "public", params(PublicQuery),
    responses((status = 200, body = PublicMap), (status = 400), (status = 404)))]
async fn map(State(state): State<AppState>, ApiQuery(q): ApiQuery<PublicQuery>) -> ApiResult<ApiJson<PublicMap>> {
    Ok(ApiJson(public_map::map(&state, &q).await?))
}

/// Published reports, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/public/reports/list", tag = "public", params(PublicQuery),
    responses((status = 200, body = PublicReportList), (status = 400), (status = 404)))]
async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PublicQuery>,
) -> ApiResult<ApiJson<PublicReportList>> {
    Ok(ApiJson(public_map::list(&state, &q).await?))
}

/// One published report with its public history (404 for any report not public).
#[utoipa::path(get, path = "/api/v1/public/reports/{id}", tag = "public", params(("id" = String, Path)),
    responses((status = 200, body = PublicReportDetail), (status = 404)))]
async fn detail(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<ApiJson<PublicReportDetail>> {
    Ok(ApiJson(public_map::detail(&state, &id).await?))
}

/// A photo of a published report, where the municipality publishes photos and staff
/// approved the report (404 otherwise).
#[utoipa::path(get, path = "/api/v1/public/reports/{id}/photos/{sha256}", tag = "public",
    params(("id" = String, Path), ("sha256" = String, Path)),
    responses((status = 200, content_type = "image/jpeg"), (status = 404)))]
async fn photo(State(state): State<AppState>, ApiPath((id, hash)): ApiPath<(ReportId, String)>) -> ApiResult<Response> {
    let hash = BlobHash::parse(&hash).map_err(|_| ApiError::not_found())?;
    let (_, _, published) = public_map::published_report(&state, &id).await?;
    if !published.photos.contains(&hash) {
        return Err(ApiError::not_found());
    }
    let record = state.store.get_blob(&hash).await?;
    let bytes = state.blobs.get(&hash).await.map_err(ApiError::internal)?;
    // Short-lived: staff may withdraw the approval.
    Ok((
        [
            (header::CONTENT_TYPE, record.content_type),
            (header::CACHE_CONTROL, "public, max-age=300".into()),
        ],
        bytes,
    )
        .into_response())
}

/// Staff: what the public map shows of a report.
#[utoipa::path(get, path = "/api/v1/staff/reports/{id}/publication", tag = "staff", params(("id" = String, Path)),
    responses((status = 200, body = Publication), (status = 404)), security(("bearer" = [])))]
async fn get_publication(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<ApiJson<Publication>> {
    let report = crate::services::handling::visible_report(&state, &staff.user, &id).await?;
    Ok(ApiJson(
        public_map::publication(&state, &report.municipality, &report.id).await?,
    ))
}

/// Staff: what the public map shows of a report (exact position; text and photos approved).
#[utoipa::path(put, path = "/api/v1/staff/reports/{id}/publication", tag = "staff", params(("id" = String, Path)),
    request_body = Publication, responses((status = 200, body = Publication), (status = 404)),
    security(("bearer" = [])))]
async fn set_publication(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ReportId>,
    ApiJson(publication): ApiJson<Publication>,
) -> ApiResult<ApiJson<Publication>> {
    Ok(ApiJson(
        public_map::set_publication(&state, &staff.user, &id, publication).await?,
    ))
}
