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
use augenmerk_domain::staff::{
    InternalNote, KeyCount, Page, StaffMessage, StaffReportDetail, StaffReportSummary, StaffUser, Statistics,
};
use augenmerk_domain::templates::{ReplyTemplate, TemplateValues, render};
use augenmerk_domain::{ReportId, Status};
use augenmerk_store::{Inserted, StoreError, Visibility};

use super::{ApiJson, ApiPath, ApiQuery, ApiRouter};
use crate::auth::{self, RawToken, StaffAuth};
use crate::error::{ApiError, ApiResult};
use crate::limits::ClientAddr;
use crate::services::export::{Cell, CsvExport};
use crate::services::{dry_run, handling, listing, views};
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
        (status = 401, body = augenmerk_domain::ErrorBody), (status = 429)))]
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<ApiJson<LoginResponse>> {
    state
        .limits
        .check_login(client, req.municipality.as_ref(), &req.username)?;
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
    let Some(creds) = creds.filter(|c| ok && c.user.active) else {
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    };
    let token = auth::new_token();
    let expires_at = Utc::now() + Duration::hours(state.settings.session_hours);
    state
        .store
        .create_session(auth::token_hash(&token), creds.user.id, expires_at)
        .await?;
    Ok(ApiJson(LoginResponse {
        token,
        expires_at,
        role: creds.user.role,
        user: creds.user,
    }))
}

/// Ends the session of the token sent.
#[utoipa::path(post, path = "/api/v1/logout", tag = "staff", responses((status = 204)), security(("bearer" = [])))]
async fn logout(State(state): State<AppState>, RawToken(token): RawToken) -> ApiResult<StatusCode> {
    match state.store.delete_session(&auth::token_hash(&token)).await {
        Ok(()) | Err(StoreError::NotFound) => Ok(StatusCode::NO_CONTENT),
        Err(e) => Err(e.into()),
    }
}

/// The logged-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "staff", responses((status = 200, body = StaffUser)), security(("bearer" = [])))]
async fn me(crate::auth::MunicipalUserAuth(user): crate::auth::MunicipalUserAuth) -> ApiJson<StaffUser> {
    ApiJson(user)
}

/// Checks the inbox filters (shared by the list and the CSV export).
fn check_query(query: &ReportQuery) -> ApiResult<()> {
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

fn visibility(staff: &StaffAuth) -> Option<Visibility> {
    (!staff.user.role.sees_all_reports()).then(|| Visibility {
        department: staff.user.department.clone(),
        user: staff.user.id,
    })
}

/// The inbox: the municipality's reports (field workers: their own and their department's).
#[utoipa::path(get, path = "/api/v1/staff/reports", tag = "staff", params(ReportQuery),
    responses((status = 200, body = Page<StaffReportSummary>)), security(("bearer" = [])))]
async fn list_reports(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> ApiResult<ApiJson<Page<StaffReportSummary>>> {
    check_query(&query)?;
    let tenant = state.tenant(staff.ags()).await?;
    if let Some(all) = listing::in_area(&state, &tenant, staff.ags(), &query, visibility(&staff).as_ref()).await? {
        // The area filter pages here: the store cannot test polygons.
        let page_size = query.page_size.unwrap_or(50).clamp(1, 200);
        let page = query.page.unwrap_or(1).max(1);
        let total = all.len() as u64;
        let items = all
            .into_iter()
            .skip((page as usize - 1) * page_size as usize)
            .take(page_size as usize)
            .map(|r| views::staff_summary(&tenant, r))
            .collect();
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
        items: page
            .items
            .into_iter()
            .map(|r| views::staff_summary(&tenant, r))
            .collect(),
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
    Ok(ApiJson(views::staff_detail(&state, &tenant, report).await?))
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
    Ok(ApiJson(handling::update(&state, &staff.user, &id, req).await?))
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
    Ok(ApiJson(handling::transition(&state, &staff.user, &id, req).await?))
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
            .map(|r| views::staff_summary(&tenant, r))
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
    ApiQuery(mut query): ApiQuery<ReportQuery>,
    ApiQuery(export): ApiQuery<ExportQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    query.page = None;
    query.page_size = None;
    check_query(&query)?;
    let english = export.lang.as_deref() == Some("en");
    let tenant = state.tenant(staff.ags()).await?;
    let now = Utc::now();
    let headers: [(&str, &str); 14] = [
        ("Nummer", "Id"),
        ("Eingang", "Received"),
        ("Status", "Status"),
        ("Priorität", "Priority"),
        ("Kategorie", "Category"),
        ("Abteilung", "Department"),
        ("Zuständig", "Assignee"),
        ("Frist", "Due"),
        ("Überfällig", "Overdue"),
        ("Breite", "Latitude"),
        ("Länge", "Longitude"),
        ("Ort", "Place"),
        ("Beschreibung", "Description"),
        ("Kanal", "Channel"),
    ];
    let users = state.store.list_users(staff.ags()).await?;
    let write_err = |e: csv::Error| ApiError::internal(e);
    let mut out = CsvExport::new(headers.iter().map(|(de, en)| if english { *en } else { *de })).map_err(write_err)?;
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
    for r in reports {
        let status = r.status.label();
        let department = r
            .department
            .as_ref()
            .map(|d| {
                tenant
                    .departments
                    .iter()
                    .find(|x| &x.id == d)
                    .map_or(d.as_str(), |x| x.name.as_str())
            })
            .unwrap_or("");
        let assignee = r
            .assignee
            .and_then(|u| users.iter().find(|x| x.id == u).map(|x| x.display_name.clone()))
            .unwrap_or_default();
        let local = |t: &chrono::DateTime<Utc>| {
            t.with_timezone(&chrono_tz::Europe::Berlin)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        };
        // Names come from admins, place and description from citizens: all text cells.
        out.row(&[
            Cell::Value(r.id.to_string()),
            Cell::Value(local(&r.received_at)),
            Cell::Value(if english { status.en } else { status.de }),
            Cell::Value(r.priority.as_str().to_owned()),
            Cell::Text(views::category_name(&tenant, &r)),
            Cell::Text(department.to_owned()),
            Cell::Text(assignee),
            Cell::Value(r.due_at.as_ref().map(local).unwrap_or_default()),
            Cell::Value(if r.is_overdue(now) { "1" } else { "0" }.to_owned()),
            Cell::Value(format!("{:.6}", r.location.lat)),
            Cell::Value(format!("{:.6}", r.location.lon)),
            Cell::Text(r.address_hint.as_deref().unwrap_or_default().to_owned()),
            Cell::Text(r.description.to_string()),
            Cell::Value(format!("{:?}", r.channel).to_lowercase()),
        ])
        .map_err(write_err)?;
    }
    let bytes = out.finish().map_err(ApiError::internal)?;
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
    let day = |t: &chrono::DateTime<Utc>| {
        t.with_timezone(&chrono_tz::Europe::Berlin)
            .format("%d.%m.%Y")
            .to_string()
    };
    let department = report
        .department
        .as_ref()
        .and_then(|d| tenant.departments.iter().find(|x| &x.id == d))
        .map(|d| d.name.clone())
        .unwrap_or_else(|| tenant.record.name.clone());
    let values = TemplateValues {
        values: vec![
            ("nummer", report.id.to_string().chars().take(8).collect()),
            ("kategorie", views::category_name(&tenant, &report)),
            ("status", report.status.label().de),
            (
                "adresse",
                report
                    .address_hint
                    .clone()
                    .unwrap_or_else(|| format!("{:.5}, {:.5}", report.location.lat, report.location.lon)),
            ),
            ("eingang", day(&report.received_at)),
            ("frist", report.due_at.as_ref().map(day).unwrap_or_else(|| "–".into())),
            ("gemeinde", tenant.record.name.clone()),
            ("abteilung", department),
        ],
    };
    Ok(ApiJson(
        tenant
            .record
            .settings
            .reply_templates
            .iter()
            .map(|t| ReplyTemplate {
                id: t.id.clone(),
                name: t.name.clone(),
                body: render(&t.body, &values),
            })
            .collect(),
    ))
}

/// The period of the statistics.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
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
    let raw = state
        .store
        .statistics(staff.ags(), from, to, visibility(&staff).as_ref(), now)
        .await?;
    let category_name = |id: &str| {
        augenmerk_domain::CategoryId::parse(id)
            .ok()
            .and_then(|c| tenant.record.categories.find(&c).map(|c| c.de.clone()))
            .unwrap_or_else(|| id.to_owned())
    };
    let department_name = |id: &Option<String>| match id {
        Some(d) => tenant
            .departments
            .iter()
            .find(|x| x.id.as_str() == d)
            .map(|x| x.name.clone())
            .unwrap_or_else(|| d.clone()),
        None => "—".to_owned(),
    };
    let hours = |s: Option<f64>| s.map(|s| (s / 3600.0 * 100.0).round() / 100.0);
    Ok(ApiJson(Statistics {
        from,
        to,
        total: raw.total,
        by_status: raw.by_status,
        by_category: raw
            .by_category
            .iter()
            .map(|(k, n)| KeyCount {
                key: Some(k.clone()),
                name: category_name(k),
                count: *n,
            })
            .collect(),
        by_department: raw
            .by_department
            .iter()
            .map(|(k, n)| KeyCount {
                key: k.clone(),
                name: department_name(k),
                count: *n,
            })
            .collect(),
        by_gemeinde: raw
            .by_gemeinde
            .iter()
            .map(|(k, n)| KeyCount {
                key: Some(k.clone()),
                name: tenant
                    .gemeinden
                    .iter()
                    .find(|g| g.ags.as_str() == k)
                    .map(|g| g.name.clone())
                    .unwrap_or_else(|| k.clone()),
                count: *n,
            })
            .collect(),
        median_first_response_hours: hours(raw.median_first_response_secs),
        median_resolution_hours: hours(raw.median_resolution_secs),
        overdue: raw.overdue,
    }))
}

/// Evaluates the rules against a report or a sample and explains the result.
#[utoipa::path(post, path = "/api/v1/staff/rules/dry-run", tag = "staff", request_body = DryRunRequest,
    responses((status = 200, body = DryRunResponse)), security(("bearer" = [])))]
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
