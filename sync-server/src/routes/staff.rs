//! The staff side: login, the inbox, a report's detail, its handling, and the dry run.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use utoipa_axum::routes;

use augenmerk_domain::api::{
    DryRunRequest, DryRunResponse, LoginRequest, LoginResponse, NewMessage, NewNote, ReportQuery, ReportUpdate,
    TransitionRequest,
};
use augenmerk_domain::error::{ErrorCode, FieldError};
use augenmerk_domain::geo::BoundingBox;
use augenmerk_domain::report::Report;
use augenmerk_domain::sessions::LoginOutcome;
use augenmerk_domain::staff::{
    InternalNote, Page, StaffMessage, StaffReportDetail, StaffReportSummary, StaffUser, Statistics,
};
use augenmerk_domain::templates::ReplyTemplate;
use augenmerk_domain::{ReportId, Status};
use augenmerk_store::{Inserted, StoreError, Visibility};

use super::{ApiJson, ApiPath, ApiQuery, ApiRouter, sessions};
use crate::auth::{self, RawToken, StaffAuth};
use crate::error::{ApiError, ApiResult};
use crate::limits::ClientAddr;
use crate::services::{dry_run, duplicates, export, handling, listing, reporting, triage, views};
use crate::state::AppState;

/// Staff routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(list_reports))
        .routes(routes!(report_detail, update_report))
        .routes(routes!(transition))
        .routes(routes!(add_note))
        .routes(routes!(add_message))
        .routes(routes!(nearby))
        .routes(routes!(status_counts))
        .routes(routes!(statistics))
        .routes(routes!(reply_templates))
        .routes(routes!(export_csv))
        .routes(routes!(dry_run))
}

/// Logs a staff member in; rate-limited per client address, per address and login name,
/// and per login name (see [`crate::limits`]). Login name and password are bounded while
/// the body is parsed: a longer one is a 400 that never reaches the limits.
#[utoipa::path(post, path = "/api/v1/login", tag = "staff", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 400, body = augenmerk_domain::ErrorBody),
        (status = 401, body = augenmerk_domain::ErrorBody,
            description = "`invalid_credentials`; `totp_required` (send `totp`); `invalid_totp`"),
        (status = 403, body = augenmerk_domain::ErrorBody, description = "The municipality accepts single sign-on only"),
        (status = 429, description = "too many sign-ins, or too many wrong codes for the account")))]
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: axum::http::HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<ApiJson<LoginResponse>> {
    state
        .limits
        .check_login(client, req.municipality.as_ref(), &req.username)
        .await?;
    super::oidc::refuse_local_login(&state, req.municipality.as_ref()).await?;
    let creds = match state
        .store
        .get_credentials(req.municipality.as_ref(), req.username.as_str())
        .await
    {
        Ok(c) => Some(c),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let password = req.password;
    let hash = creds
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| auth::dummy_hash().to_owned());
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(password.expose(), &hash))
        .await
        .map_err(ApiError::internal)?;
    let mut outcome = match &creds {
        None => LoginOutcome::UnknownUser,
        Some(_) if !ok => LoginOutcome::WrongPassword,
        Some(c) if !c.user.active => LoginOutcome::Disabled,
        Some(_) => LoginOutcome::Success,
    };
    // The second factor, once the password is right (issue 24).
    let mut enrol_only = false;
    if outcome == LoginOutcome::Success
        && let Some(c) = &creds
    {
        match super::totp::at_login(&state, &c.user, req.totp.as_deref(), client).await? {
            super::totp::AtLogin::Passed { recovery: true } => outcome = LoginOutcome::RecoveryCodeUsed,
            super::totp::AtLogin::Passed { recovery: false } => {}
            // Logged as a wrong code already.
            super::totp::AtLogin::Wrong => return Err(ApiError::new(ErrorCode::InvalidTotp)),
            super::totp::AtLogin::NotEnrolled { enrol_only: e } => enrol_only = e,
        }
    }
    let user = creds.as_ref().map(|c| c.user.id);
    sessions::log(
        &state,
        req.municipality.as_ref(),
        req.username.as_str(),
        user,
        outcome,
        client,
    )
    .await;
    let signed_in = matches!(outcome, LoginOutcome::Success | LoginOutcome::RecoveryCodeUsed);
    let Some(creds) = creds.filter(|_| signed_in) else {
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    };
    let session = sessions::begin(&state, creds.user, &headers, client).await?;
    if enrol_only {
        // An admin who must have a second factor and has none may only set it up.
        state.store.restrict_session(&auth::token_hash(&session.token)).await?;
    }
    Ok(ApiJson(session))
}

/// Ends the session of the token sent.
#[utoipa::path(post, path = "/api/v1/logout", tag = "staff", responses((status = 204)), security(("bearer" = [])))]
async fn logout(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    RawToken(token): RawToken,
) -> ApiResult<StatusCode> {
    if let Ok(user) = state.store.get_session(&auth::token_hash(&token), Utc::now()).await {
        let ags = (user.role != augenmerk_domain::staff::Role::PlatformAdmin).then_some(&user.municipality);
        sessions::log(&state, ags, &user.username, Some(user.id), LoginOutcome::Logout, client).await;
    }
    match state.store.delete_session(&auth::token_hash(&token)).await {
        Ok(()) | Err(StoreError::NotFound) => Ok(StatusCode::NO_CONTENT),
        Err(e) => Err(e.into()),
    }
}

/// The logged-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "staff", responses((status = 200, body = StaffUser)), security(("bearer" = [])))]
async fn me(auth::MunicipalUserAuth(user): auth::MunicipalUserAuth) -> ApiJson<StaffUser> {
    ApiJson(user)
}

/// Checks the inbox filters (shared by the list, the CSV export and saved filters).
pub(crate) fn check_query(query: &ReportQuery) -> ApiResult<()> {
    let mut problems = Vec::new();
    if let Some(bbox) = &query.bbox
        && let Err(e) = BoundingBox::parse(bbox)
    {
        problems.push(e);
    }
    if let Some(statuses) = &query.status
        && statuses.split(',').any(|s| Status::parse(s.trim()).is_none())
    {
        problems.push(FieldError::new("status", "unknown_status"));
    }
    if let Some(sort) = &query.sort
        && !["received_at", "due_at", "priority", "updated_at"].contains(&sort.as_str())
    {
        problems.push(FieldError::new("sort", "unknown_sort"));
    }
    if query.page == Some(0) || query.page_size.is_some_and(|s| s == 0 || s > 200) {
        problems.push(FieldError::new("page", "out_of_range"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(problems))
    }
}

pub(super) fn visibility(staff: &StaffAuth) -> Option<Visibility> {
    (!staff.user.role.sees_all_reports()).then(|| Visibility {
        department: staff.user.department.clone(),
        user: staff.user.id,
    })
}

/// The inbox: the municipality's reports (field workers: their own and their department's).
#[utoipa::path(get, path = "/api/v1/staff/reports", tag = "staff", params(ReportQuery),
    responses((status = 200, body = Page<StaffReportSummary>),
        (status = 422, body = augenmerk_domain::ErrorBody, description = "`my_department` for an account without one")),
    security(("bearer" = [])))]
async fn list_reports(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> ApiResult<ApiJson<Page<StaffReportSummary>>> {
    check_query(&query)?;
    let query = triage::for_user(query, &staff.user)?;
    let tenant = state.tenant(staff.ags()).await?;
    if let Some(all) = listing::in_area(&state, &tenant, staff.ags(), &query, visibility(&staff).as_ref()).await? {
        // The area filter pages here: the store cannot test polygons.
        let page_size = query.page_size.unwrap_or(50).clamp(1, 200);
        let page = query.page.unwrap_or(1).max(1);
        let total = all.len() as u64;
        let shown = all
            .into_iter()
            .skip((page as usize - 1) * page_size as usize)
            .take(page_size as usize)
            .map(|r| duplicates::for_viewer(staff.user.role, r))
            .collect();
        let items = triage::summaries(&state, &tenant, shown).await?;
        return Ok(ApiJson(Page {
            items,
            total,
            page,
            page_size,
        }));
    }
    let page = state
        .store
        .query_reports(staff.ags(), &query, visibility(&staff).as_ref(), Utc::now())
        .await?;
    Ok(ApiJson(Page {
        items: triage::summaries(
            &state,
            &tenant,
            page.items
                .into_iter()
                .map(|r| duplicates::for_viewer(staff.user.role, r))
                .collect(),
        )
        .await?,
        total: page.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

/// Everything about one report: audit trail, thread, internal notes, routing explanation.
#[utoipa::path(get, path = "/api/v1/staff/reports/{id}", tag = "staff", params(("id" = String, Path)),
    responses((status = 200, body = StaffReportDetail), (status = 404)), security(("bearer" = [])))]
async fn report_detail(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<ApiJson<StaffReportDetail>> {
    let report = handling::visible_report(&state, &staff.user, &id).await?;
    let tenant = state.tenant(staff.ags()).await?;
    let mut detail = views::staff_detail(&state, &tenant, report).await?;
    duplicates::complete_detail(&state, &staff.user, &mut detail).await?;
    Ok(ApiJson(detail))
}

/// Re-categorise, re-assign, re-prioritise, re-route.
#[utoipa::path(patch, path = "/api/v1/staff/reports/{id}", tag = "staff", params(("id" = String, Path)),
    request_body = ReportUpdate, responses((status = 200, body = Report)), security(("bearer" = [])))]
async fn update_report(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ReportId>,
    ApiJson(req): ApiJson<ReportUpdate>,
) -> ApiResult<ApiJson<Report>> {
    let report = handling::update(&state, &staff.user, &id, req).await?;
    Ok(ApiJson(duplicates::for_viewer(staff.user.role, report)))
}

/// Moves a report to another status (409 if not allowed from the current one).
#[utoipa::path(post, path = "/api/v1/staff/reports/{id}/transition", tag = "staff", params(("id" = String, Path)),
    request_body = TransitionRequest,
    responses((status = 200, body = Report), (status = 409, body = augenmerk_domain::ErrorBody)), security(("bearer" = [])))]
async fn transition(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ReportId>,
    ApiJson(req): ApiJson<TransitionRequest>,
) -> ApiResult<ApiJson<Report>> {
    let report = handling::transition(&state, &staff.user, &id, req).await?;
    Ok(ApiJson(duplicates::for_viewer(staff.user.role, report)))
}

/// Adds an internal note (never shown to citizens).
#[utoipa::path(post, path = "/api/v1/staff/reports/{id}/notes", tag = "staff", params(("id" = String, Path)),
    request_body = NewNote, responses((status = 201, body = InternalNote)), security(("bearer" = [])))]
async fn add_note(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ReportId>,
    ApiJson(req): ApiJson<NewNote>,
) -> ApiResult<(StatusCode, ApiJson<InternalNote>)> {
    Ok(match handling::note(&state, &staff.user, &id, req).await? {
        Inserted::Created(n) => (StatusCode::CREATED, ApiJson(n)),
        Inserted::Existing(n) => (StatusCode::OK, ApiJson(n)),
    })
}

/// Writes to the citizen.
#[utoipa::path(post, path = "/api/v1/staff/reports/{id}/messages", tag = "staff", params(("id" = String, Path)),
    request_body = NewMessage, responses((status = 201, body = StaffMessage)), security(("bearer" = [])))]
async fn add_message(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ReportId>,
    ApiJson(req): ApiJson<NewMessage>,
) -> ApiResult<(StatusCode, ApiJson<StaffMessage>)> {
    Ok(match handling::staff_message(&state, &staff.user, &id, req).await? {
        Inserted::Created(m) => (StatusCode::CREATED, ApiJson(m)),
        Inserted::Existing(m) => (StatusCode::OK, ApiJson(m)),
    })
}

/// Open reports of the same category near this one (duplicate candidates).
#[utoipa::path(get, path = "/api/v1/staff/reports/{id}/nearby", tag = "staff", params(("id" = String, Path)),
    responses((status = 200, body = Vec<StaffReportSummary>)), security(("bearer" = [])))]
async fn nearby(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<ApiJson<Vec<StaffReportSummary>>> {
    let report = handling::visible_report(&state, &staff.user, &id).await?;
    let tenant = state.tenant(staff.ags()).await?;
    let found = state
        .store
        .nearby_reports(staff.ags(), report.location, 250.0, 20, visibility(&staff).as_ref())
        .await?;
    Ok(ApiJson(
        found
            .into_iter()
            .filter(|r| r.id != report.id && r.category == report.category)
            .map(|r| views::staff_summary(&tenant, duplicates::for_viewer(staff.user.role, r)))
            .collect(),
    ))
}

/// Number of reports per status (for the inbox tabs).
#[utoipa::path(get, path = "/api/v1/staff/stats/status", tag = "staff",
    responses((status = 200, body = Object)), security(("bearer" = [])))]
async fn status_counts(State(state): State<AppState>, staff: StaffAuth) -> ApiResult<ApiJson<serde_json::Value>> {
    let counts = state
        .store
        .count_by_status(staff.ags(), visibility(&staff).as_ref())
        .await?;
    let map: serde_json::Map<String, serde_json::Value> = counts
        .into_iter()
        .map(|(s, n)| (s.as_str().to_owned(), n.into()))
        .collect();
    Ok(ApiJson(serde_json::Value::Object(map)))
}

/// Most rows of one CSV export.
const MAX_EXPORT_ROWS: usize = 100_000;

/// The language of the export's header.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// `de` (default) or `en`.
    #[serde(default)]
    lang: Option<String>,
}

/// The filtered inbox as CSV (all pages, up to 100,000 rows): UTF-8 with a byte order
/// mark and `;` between fields, as spreadsheet programs in German offices expect.
#[utoipa::path(get, path = "/api/v1/staff/reports.csv", tag = "staff", params(ReportQuery, ExportQuery),
    responses((status = 200, content_type = "text/csv")), security(("bearer" = [])))]
async fn export_csv(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiQuery(query): ApiQuery<ReportQuery>,
    ApiQuery(export): ApiQuery<ExportQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    // The filters are the inbox's and checked as such (the document shares them); the
    // export then takes every matching report, not a page.
    check_query(&query)?;
    let mut query = triage::for_user(query, &staff.user)?;
    query.page = None;
    query.page_size = None;
    let english = export.lang.as_deref() == Some("en");
    let tenant = state.tenant(staff.ags()).await?;
    let now = Utc::now();
    let users = state.store.list_users(staff.ags()).await?;
    let reports = match listing::in_area(&state, &tenant, staff.ags(), &query, visibility(&staff).as_ref()).await? {
        Some(mut all) => {
            all.truncate(MAX_EXPORT_ROWS);
            all
        }
        None => {
            listing::matching_reports(
                &state,
                staff.ags(),
                &query,
                visibility(&staff).as_ref(),
                0,
                MAX_EXPORT_ROWS,
            )
            .await?
        }
    };
    let bytes = export::reports_csv(&tenant, &users, &reports, english, now)?;
    let file = format!("attachment; filename=\"meldungen-{}.csv\"", now.format("%Y-%m-%d"));
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, file),
        ],
        bytes,
    )
        .into_response())
}

/// The municipality's reply templates, filled in for this report.
#[utoipa::path(get, path = "/api/v1/staff/reports/{id}/reply-templates", tag = "staff", params(("id" = String, Path)),
    responses((status = 200, body = Vec<ReplyTemplate>)), security(("bearer" = [])))]
async fn reply_templates(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<ApiJson<Vec<ReplyTemplate>>> {
    let report = handling::visible_report(&state, &staff.user, &id).await?;
    let tenant = state.tenant(staff.ags()).await?;
    Ok(ApiJson(reporting::reply_templates(&tenant, &report)))
}

/// The period of the statistics.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PeriodQuery {
    /// Received at or after (default: 30 days before `to`).
    #[serde(default)]
    from: Option<chrono::DateTime<Utc>>,
    /// Received at or before (default: now).
    #[serde(default)]
    to: Option<chrono::DateTime<Utc>>,
}

/// Reports per status, category and department over a period; median hours to the first
/// response and to resolution; overdue now.
#[utoipa::path(get, path = "/api/v1/staff/stats", tag = "staff", params(PeriodQuery),
    responses((status = 200, body = Statistics)), security(("bearer" = [])))]
async fn statistics(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<ApiJson<Statistics>> {
    let now = Utc::now();
    let to = q.to.unwrap_or(now);
    let from = q.from.unwrap_or(to - Duration::days(30));
    if from > to {
        return Err(FieldError::new("from", "after_to").into());
    }
    let tenant = state.tenant(staff.ags()).await?;
    let stats = reporting::statistics(
        &state,
        &tenant,
        staff.ags(),
        (from, to),
        visibility(&staff).as_ref(),
        now,
    )
    .await?;
    Ok(ApiJson(stats))
}

/// Evaluates the rules against a report or a sample and explains the result.
#[utoipa::path(post, path = "/api/v1/staff/rules/dry-run", tag = "staff", request_body = DryRunRequest,
    responses((status = 200, body = DryRunResponse), (status = 404, description = "no report with `report_id`")),
    security(("bearer" = [])))]
async fn dry_run(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiJson(req): ApiJson<DryRunRequest>,
) -> ApiResult<ApiJson<DryRunResponse>> {
    let tenant = state.tenant(staff.ags()).await?;
    let facts = match (&req.report_id, &req.sample) {
        (Some(id), None) => {
            let r = handling::visible_report(&state, &staff.user, id).await?;
            dry_run::Facts::of(r)
        }
        (None, Some(sample)) => dry_run::sample_facts(&state, &tenant, sample)?,
        _ => return Err(FieldError::new("report_id", "give_report_id_or_sample").into()),
    };
    Ok(ApiJson(dry_run::explain(&tenant, req.rules.as_deref(), &facts)))
}
