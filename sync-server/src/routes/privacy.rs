//! The privacy endpoints: a citizen's export, withdrawal and erasure (by device, by
//! status link, by e-mail address), and the staff's erasure requests and log.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use utoipa_axum::routes;

use augenmerk_domain::audit::Actor;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::privacy::{
    EmailErasureRequest, ErasureCandidate, ErasureDone, ErasureLogEntry, ErasureReason, ErasureScope,
    StaffErasureRequest,
};
use augenmerk_domain::report::Email;
use augenmerk_domain::{Language, ReportId};
use augenmerk_store::StoreError;

use super::{ApiJson, ApiPath, ApiQuery, ApiRouter};
use crate::auth::{DeviceAuth, PrivacyAuth};
use crate::error::{ApiError, ApiResult};
use crate::limits::{PerAddress, Reports};
use crate::privacy::erase::{self, Request};
use crate::privacy::export::{self, Export};
use crate::privacy::request;
use crate::state::AppState;

/// Routes of the privacy endpoints.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(my_export))
        .routes(routes!(erase_me))
        .routes(routes!(withdraw))
        .routes(routes!(status_export))
        .routes(routes!(status_withdraw))
        .routes(routes!(request_erasure))
        .routes(routes!(confirm_erasure))
        .routes(routes!(staff_reports))
        .routes(routes!(staff_erasure))
        .routes(routes!(staff_log))
}

fn zip_response(export: Export) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", export.file_name),
            ),
        ],
        export.bytes,
    )
        .into_response()
}

fn parse_email(field: &str, s: &str) -> ApiResult<Email> {
    Email::parse(s.trim()).map_err(|_| ApiError::validation(vec![FieldError::new(field, "invalid")]))
}

/// Everything this device sent, as a ZIP (JSON and photos).
#[utoipa::path(get, path = "/api/v1/me/export", tag = "privacy",
    responses((status = 200, content_type = "application/zip"), (status = 401)), security(("bearer" = [])))]
async fn my_export(State(state): State<AppState>, DeviceAuth(device): DeviceAuth) -> ApiResult<Response> {
    Ok(zip_response(export::device_export(&state, &device).await?))
}

/// Erases the personal data of every report this device sent, and the device
/// registration itself (its token stops working).
#[utoipa::path(delete, path = "/api/v1/me", tag = "privacy",
    responses((status = 200, body = ErasureDone), (status = 401)), security(("bearer" = [])))]
async fn erase_me(State(state): State<AppState>, DeviceAuth(device): DeviceAuth) -> ApiResult<ApiJson<ErasureDone>> {
    let reports = erase::erase_device(&state, &device).await?;
    Ok(ApiJson(ErasureDone { reports }))
}

/// Withdraws a report of this device that nobody has handled yet.
#[utoipa::path(post, path = "/api/v1/reports/{id}/withdraw", tag = "privacy", params(("id" = String, Path)),
    responses((status = 204), (status = 404), (status = 409)), security(("bearer" = [])))]
async fn withdraw(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<StatusCode> {
    let report = state.store.get_device_report(&device, &id).await?;
    erase::withdraw(
        &state,
        &report.municipality,
        &id,
        Actor::Citizen { device: Some(device) },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The report behind a status link, as a ZIP.
#[utoipa::path(get, path = "/api/v1/status/{token}/export", tag = "privacy", params(("token" = String, Path)),
    responses((status = 200, content_type = "application/zip"), (status = 404)))]
async fn status_export(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<Response> {
    let (_, report) = super::status::resolve(&state, &token).await?;
    Ok(zip_response(export::report_export(&state, report).await?))
}

/// Withdraws the report behind a status link while nobody has handled it.
#[utoipa::path(post, path = "/api/v1/status/{token}/withdraw", tag = "privacy", params(("token" = String, Path)),
    responses((status = 204), (status = 404), (status = 409)))]
async fn status_withdraw(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<StatusCode> {
    let (_, report) = super::status::resolve(&state, &token).await?;
    erase::withdraw(
        &state,
        &report.municipality,
        &report.id,
        Actor::Citizen { device: None },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Asks for an erasure by e-mail address: a confirmation link goes to the address if
/// anything was sent with it. The answer is the same either way.
#[utoipa::path(post, path = "/api/v1/privacy/erasure", tag = "privacy", request_body = EmailErasureRequest,
    responses((status = 202, body = Object), (status = 422), (status = 429)))]
async fn request_erasure(
    State(state): State<AppState>,
    _limit: PerAddress<Reports>,
    ApiJson(req): ApiJson<EmailErasureRequest>,
) -> ApiResult<(StatusCode, ApiJson<serde_json::Value>)> {
    let email = parse_email("email", &req.email)?;
    request::request(&state, &email, req.language.unwrap_or(Language::De)).await?;
    Ok((StatusCode::ACCEPTED, ApiJson(serde_json::json!({}))))
}

/// Uses a confirmation link: erases everything sent with its address.
#[utoipa::path(post, path = "/api/v1/privacy/erasure/{token}", tag = "privacy", params(("token" = String, Path)),
    responses((status = 200, body = ErasureDone), (status = 404)))]
async fn confirm_erasure(
    State(state): State<AppState>,
    _limit: PerAddress<Reports>,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<ApiJson<ErasureDone>> {
    if token.len() != 43 {
        return Err(ApiError::not_found());
    }
    let reports = request::confirm(&state, &token).await?;
    Ok(ApiJson(ErasureDone { reports }))
}

/// An address to look up.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct EmailQuery {
    /// The citizen's address.
    email: String,
}

/// The municipality's reports sent with an address (before executing a request).
#[utoipa::path(get, path = "/api/v1/staff/privacy/reports", tag = "privacy", params(EmailQuery),
    responses((status = 200, body = Vec<ErasureCandidate>), (status = 403)), security(("bearer" = [])))]
async fn staff_reports(
    State(state): State<AppState>,
    staff: PrivacyAuth,
    ApiQuery(q): ApiQuery<EmailQuery>,
) -> ApiResult<ApiJson<Vec<ErasureCandidate>>> {
    let email = parse_email("email", &q.email)?;
    let found = state.store.reports_by_email(Some(staff.ags()), &email).await?;
    Ok(ApiJson(found.into_iter().map(|(_, c)| c).collect()))
}

/// Executes a written erasure request for an address, in the own municipality.
#[utoipa::path(post, path = "/api/v1/staff/privacy/erasures", tag = "privacy", request_body = StaffErasureRequest,
    responses((status = 200, body = ErasureDone), (status = 403), (status = 422)), security(("bearer" = [])))]
async fn staff_erasure(
    State(state): State<AppState>,
    staff: PrivacyAuth,
    ApiJson(req): ApiJson<StaffErasureRequest>,
) -> ApiResult<ApiJson<ErasureDone>> {
    let email = parse_email("email", &req.email)?;
    let reference = augenmerk_domain::text::parse_text("reference", &req.reference)?;
    if reference.is_empty() || reference.chars().count() > 200 {
        return Err(ApiError::validation(vec![FieldError::new(
            "reference",
            "required_max_200",
        )]));
    }
    let request = Request {
        scope: ErasureScope::Content,
        reason: ErasureReason::StaffRequest,
        actor: Actor::Staff {
            user: staff.0.id,
            name: staff.0.display_name.clone(),
        },
        reference: Some(reference),
        at: Utc::now(),
    };
    let reports = erase::erase_email(&state, Some(staff.ags()), &email, &request).await?;
    Ok(ApiJson(ErasureDone { reports }))
}

/// The municipality's erasure log, newest first.
#[utoipa::path(get, path = "/api/v1/staff/privacy/log", tag = "privacy",
    responses((status = 200, body = Vec<ErasureLogEntry>), (status = 403)), security(("bearer" = [])))]
async fn staff_log(State(state): State<AppState>, staff: PrivacyAuth) -> ApiResult<ApiJson<Vec<ErasureLogEntry>>> {
    match state.store.erasure_log(staff.ags(), 500).await {
        Ok(log) => Ok(ApiJson(log)),
        Err(StoreError::NotFound) => Ok(ApiJson(Vec::new())),
        Err(e) => Err(e.into()),
    }
}
