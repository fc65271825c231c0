//! Overviews of the current workload: the platform operator's table of every
//! municipality (platform admins only), and the open and overdue cases per department
//! of the caller's municipality (staff; field workers count what they may see).

use axum::extract::State;
use chrono::Utc;
use utoipa_axum::routes;

use augenmerk_domain::overview::{DepartmentWorkload, TenantOverview};

use super::{ApiJson, ApiRouter};
use crate::auth::{PlatformAdminAuth, StaffAuth};
use crate::error::ApiResult;
use crate::services::overview;
use crate::state::AppState;

/// Overview routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(platform_overview))
        .routes(routes!(department_workload))
}

/// Every municipality on the platform with what its operator watches: active accounts,
/// open and overdue reports, reports in the last 30 days, the last change to a report,
/// and mails or forwardings given up in the last 30 days. Platform admins only (403 for
/// a municipality's staff).
#[utoipa::path(get, path = "/api/v1/admin/overview", tag = "admin",
    responses((status = 200, body = Vec<TenantOverview>)), security(("bearer" = [])))]
async fn platform_overview(
    State(state): State<AppState>,
    _admin: PlatformAdminAuth,
) -> ApiResult<ApiJson<Vec<TenantOverview>>> {
    Ok(ApiJson(overview::platform(&state, Utc::now()).await?))
}

/// Open reports now per department and open status, and how many are overdue; most
/// overdue first. Reports not yet routed to a department have no `department`.
#[utoipa::path(get, path = "/api/v1/staff/stats/departments", tag = "staff",
    responses((status = 200, body = Vec<DepartmentWorkload>)), security(("bearer" = [])))]
async fn department_workload(
    State(state): State<AppState>,
    staff: StaffAuth,
) -> ApiResult<ApiJson<Vec<DepartmentWorkload>>> {
    // As the inbox: field workers count their department's and their own reports.
    let visible = super::staff::visibility(&staff);
    Ok(ApiJson(
        overview::departments(&state, staff.ags(), visible.as_ref(), Utc::now()).await?,
    ))
}
