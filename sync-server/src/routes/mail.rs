//! Staff routes about mail: a case's mail log and each staff member's own notifications.

use axum::extract::State;
use utoipa_axum::routes;

use augenmerk_domain::ReportId;
use augenmerk_domain::api::MyMailSettings;
use augenmerk_domain::mail::DeliveryRecord;

use super::{ApiJson, ApiPath, ApiRouter};
use crate::auth::StaffAuth;
use crate::error::ApiResult;
use crate::services::handling;
use crate::state::AppState;

/// Routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(deliveries))
        .routes(routes!(my_mail, put_my_mail))
}

/// Every mail and forwarding about a case: to whom, when, delivered or failing and why.
#[utoipa::path(get, path = "/api/v1/staff/reports/{id}/deliveries", tag = "staff", params(("id" = String, Path)),
    responses((status = 200, body = Vec<DeliveryRecord>), (status = 404)), security(("bearer" = [])))]
async fn deliveries(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<ApiJson<Vec<DeliveryRecord>>> {
    let report = handling::visible_report(&state, &staff.user, &id).await?;
    let jobs = state.store.report_jobs(staff.ags(), &report.id).await?;
    let show = staff.user.role.sees_all_reports();
    Ok(ApiJson(
        jobs.iter().filter_map(|j| crate::mail::log::record(j, show)).collect(),
    ))
}

/// The caller's notification address and choice of mails.
#[utoipa::path(get, path = "/api/v1/staff/me/mail", tag = "staff",
    responses((status = 200, body = MyMailSettings)), security(("bearer" = [])))]
async fn my_mail(staff: StaffAuth) -> ApiJson<MyMailSettings> {
    ApiJson(MyMailSettings {
        email: staff.user.email.clone(),
        preferences: staff.user.mail,
    })
}

/// Sets the caller's notification address and choice of mails.
#[utoipa::path(put, path = "/api/v1/staff/me/mail", tag = "staff", request_body = MyMailSettings,
    responses((status = 200, body = MyMailSettings)), security(("bearer" = [])))]
async fn put_my_mail(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiJson(req): ApiJson<MyMailSettings>,
) -> ApiResult<ApiJson<MyMailSettings>> {
    let mut user = staff.user.clone();
    user.email = crate::services::accounts::staff_email(req.email.as_deref())?;
    user.mail = req.preferences;
    state.store.update_user(user.clone(), None).await?;
    Ok(ApiJson(MyMailSettings {
        email: user.email,
        preferences: user.mail,
    }))
}
