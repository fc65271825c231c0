//! Duplicates: the likely originals of a case and merging a case into its original
//! (see `services::duplicates`).

use axum::extract::State;
use utoipa_axum::routes;

use augenmerk_domain::ReportId;
use augenmerk_domain::duplicates::{MergeRequest, MergeResponse};
use augenmerk_domain::staff::StaffReportSummary;
use augenmerk_store::Visibility;

use super::{ApiJson, ApiPath, ApiRouter};
use crate::auth::StaffAuth;
use crate::error::ApiResult;
use crate::services::{duplicates, handling, views};
use crate::state::AppState;

/// Routes of duplicates.
pub fn routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(suggestions)).routes(routes!(merge))
}

fn visibility(staff: &StaffAuth) -> Option<Visibility> {
    (!staff.user.role.sees_all_reports()).then(|| Visibility {
        department: staff.user.department.clone(),
        user: staff.user.id,
    })
}

/// Likely originals of this case: open reports within 250 m, received within 90 days of
/// it, not duplicates themselves; the same category, nearer and closer in time first.
#[utoipa::path(get, path = "/api/v1/staff/reports/{id}/duplicates", tag = "staff", params(("id" = String, Path)),
    responses((status = 200, body = Vec<StaffReportSummary>), (status = 404, body = augenmerk_domain::ErrorBody)),
    security(("bearer" = [])))]
async fn suggestions(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<ApiJson<Vec<StaffReportSummary>>> {
    let report = handling::visible_report(&state, &staff.user, &id).await?;
    let tenant = state.tenant(staff.ags()).await?;
    let found = duplicates::candidates(&state, &report, visibility(&staff).as_ref()).await?;
    Ok(ApiJson(
        found
            .into_iter()
            .map(|r| views::staff_summary(&tenant, duplicates::for_viewer(staff.user.role, r)))
            .collect(),
    ))
}

/// Merges this case (the duplicate) into `into` (the original): its status becomes
/// `duplicate`, its reporter and followers follow the original (and hear of its status
/// changes by mail), its photos show with the original, its reporter gets an answer (the
/// template chosen, or the standard answer in their language). Audited on both cases.
/// Merging again into the same original changes nothing (`merged_now` false).
#[utoipa::path(post, path = "/api/v1/staff/reports/{id}/merge", tag = "staff", params(("id" = String, Path)),
    request_body = MergeRequest,
    responses((status = 200, body = MergeResponse),
        (status = 400, body = augenmerk_domain::ErrorBody, description = "malformed body"),
        (status = 403, body = augenmerk_domain::ErrorBody, description = "only dispatchers and admins merge"),
        (status = 404, body = augenmerk_domain::ErrorBody, description = "no such case"),
        (status = 409, body = augenmerk_domain::ErrorBody,
            description = "merged into another original before (`context.merged_into`), changed meanwhile, \
                or its status allows no `duplicate` (`illegal_transition`)"),
        (status = 422, body = augenmerk_domain::ErrorBody,
            description = "`into`: `self`, `unknown_report` (also another municipality's), `is_duplicate` \
                (merge into `context.original` instead); `template`: `unknown_template`")),
    security(("bearer" = [])))]
async fn merge(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ReportId>,
    ApiJson(req): ApiJson<MergeRequest>,
) -> ApiResult<ApiJson<MergeResponse>> {
    Ok(ApiJson(duplicates::merge(&state, &staff.user, &id, req).await?))
}
