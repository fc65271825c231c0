//! The reading side of Open311: `GET requests`, one request, tokens and the update
//! history. What a request shows is the public policy of
//! [`augenmerk_domain::public::public_view`], the same that the native public views use:
//! the position on the municipality's grid unless staff marked it exact (as the public
//! map shows it), the citizen's text only where the municipality publishes it, no
//! internal dates, and no report the municipality turned down.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use augenmerk_domain::api::ReportQuery;
use augenmerk_domain::public::{PublicReport, PublicStatusChange, is_published, public_view};
use augenmerk_domain::report::Report;
use augenmerk_domain::{ReportId, Status};
use augenmerk_store::StoreError;

use super::format::{Answer, Format, Node, Open311Error};
use super::{CommonQuery, Result, from_api, jurisdiction, split};
use crate::services::listing;
use crate::state::{AppState, Tenant};

/// Requests listed at most (the spec's default limit).
pub(super) const MAX_RESULTS: usize = 1_000;
/// Days listed when no dates are given (the spec's default window).
const DEFAULT_DAYS: i64 = 90;
/// Largest `page_size` of the paging extension.
const MAX_PAGE_SIZE: u32 = 1_000;

/// GeoReport's two statuses.
fn open_or_closed(status: Status) -> &'static str {
    if status.is_open() { "open" } else { "closed" }
}

/// A W3C datetime with time zone, as the spec wants (local time of the municipalities).
fn w3c(t: &DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::Berlin)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn parse_date(s: Option<&str>, name: &str, format: Format) -> Result<Option<DateTime<Utc>>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| {
                Open311Error::new(
                    StatusCode::BAD_REQUEST,
                    format,
                    format!("{name} must be a W3C datetime with time zone, e.g. 2026-11-28T10:00:00+01:00"),
                )
            }),
    }
}

/// The statuses a public list may show of those asked for: never `rejected` (a report
/// closed after a rejection is left out once its history is known).
fn listable(statuses: impl Iterator<Item = Status>) -> String {
    statuses
        .filter(|s| *s != Status::Rejected)
        .map(Status::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

/// `GET requests.{fmt}`: filters as in the spec; `service_request_id` overrides the others.
pub(super) async fn list_requests(state: &AppState, q: &CommonQuery, format: Format) -> Result<Answer> {
    let tenant = jurisdiction(state, q.jurisdiction_id.as_deref(), format).await?;
    let mut query = ReportQuery {
        status: Some(listable(Status::ALL.into_iter())),
        ..ReportQuery::default()
    };
    let mut limit = MAX_RESULTS;
    if let Some(ids) = q.service_request_id.as_deref().filter(|s| !s.trim().is_empty()) {
        query.ids = Some(ids.to_owned());
    } else {
        if let Some(codes) = q.service_code.as_deref().filter(|s| !s.trim().is_empty()) {
            query.categories = Some(codes.to_owned());
        }
        let start = parse_date(q.start_date.as_deref(), "start_date", format)?;
        let end = parse_date(q.end_date.as_deref(), "end_date", format)?;
        let (start, end) = match (start, end) {
            (None, None) => (Some(Utc::now() - chrono::Duration::days(DEFAULT_DAYS)), None),
            other => other,
        };
        query.received_from = start;
        query.received_to = end;
        if let Some(status) = q.status.as_deref().filter(|s| !s.trim().is_empty()) {
            let mut statuses = Vec::new();
            for s in status.split(',').map(str::trim) {
                let open = match s {
                    "open" => true,
                    "closed" => false,
                    other => {
                        return Err(Open311Error::new(
                            StatusCode::BAD_REQUEST,
                            format,
                            format!("status {other:?} is neither open nor closed"),
                        ));
                    }
                };
                statuses.extend(Status::ALL.iter().copied().filter(|x| x.is_open() == open));
            }
            query.status = Some(listable(statuses.into_iter()));
        }
    }
    // Paging extension: `page` from 1 and `page_size` up to 1,000 (default: the first 1,000).
    let page = q.page.unwrap_or(1).max(1);
    if let Some(size) = q.page_size {
        limit = size.clamp(1, MAX_PAGE_SIZE) as usize;
    }
    let skip = (page as usize - 1) * limit;
    let reports = listing::matching_reports(state, &tenant.record.ags, &query, None, skip, limit)
        .await
        .map_err(|e| from_api(e.into(), format))?;
    let mut items = Vec::with_capacity(reports.len());
    for r in &reports {
        if let Some(view) = published(state, &tenant, r, format).await? {
            items.push(request_node(&tenant, r, &view));
        }
    }
    Ok(Answer {
        status: StatusCode::OK,
        format,
        root: "service_requests",
        body: Node::List { item: "request", items },
    })
}

/// The report as the public may see it, with its public history; `None` if it is not
/// published.
async fn published(state: &AppState, tenant: &Tenant, r: &Report, format: Format) -> Result<Option<PublicReport>> {
    let history = state
        .store
        .list_status_changes(&r.municipality, &r.id)
        .await
        .map_err(|e| from_api(e.into(), format))?;
    let publication = state
        .store
        .get_publication(&r.municipality, &r.id)
        .await
        .map_err(|e| from_api(e.into(), format))?;
    Ok(public_view(r, &history, &tenant.record.settings, &publication))
}

/// `GET servicerequestupdates.{fmt}` (the update-history extension mySociety's
/// FixMyStreet introduced): public status changes with their comments, by time, of
/// published reports only.
pub(super) async fn list_updates(state: &AppState, q: &CommonQuery, format: Format) -> Result<Answer> {
    let tenant = jurisdiction(state, q.jurisdiction_id.as_deref(), format).await?;
    let end = parse_date(q.end_date.as_deref(), "end_date", format)?.unwrap_or_else(Utc::now);
    let start = parse_date(q.start_date.as_deref(), "start_date", format)?
        .unwrap_or_else(|| end - chrono::Duration::days(DEFAULT_DAYS));
    let changes = state
        .store
        .status_changes_between(&tenant.record.ags, start, end, MAX_RESULTS as u32)
        .await
        .map_err(|e| from_api(e.into(), format))?;
    // Whether each report is published, asked once per report.
    let mut shown: HashMap<ReportId, bool> = HashMap::new();
    for (_, id, _) in &changes {
        if shown.contains_key(id) {
            continue;
        }
        let visible = match state.store.get_report(&tenant.record.ags, id).await {
            Ok(r) => {
                let history: Vec<PublicStatusChange> = state
                    .store
                    .list_status_changes(&tenant.record.ags, id)
                    .await
                    .map_err(|e| from_api(e.into(), format))?;
                is_published(&r, &history)
            }
            Err(StoreError::NotFound) => false,
            Err(e) => return Err(from_api(e.into(), format)),
        };
        shown.insert(*id, visible);
    }
    let items = changes
        .into_iter()
        .filter(|(_, id, _)| shown.get(id).copied().unwrap_or(false))
        .map(|(seq, report, c)| {
            Node::Object(vec![
                ("update_id", Node::Text(seq.to_string())),
                ("service_request_id", Node::Text(report.to_string())),
                ("status", Node::Text(open_or_closed(c.to).into())),
                ("extended_status", Node::Text(c.to.as_str().to_owned())),
                ("updated_datetime", Node::Text(w3c(&c.at))),
                ("description", Node::Text(c.comment.unwrap_or_default())),
                ("media_url", Node::Null),
            ])
        })
        .collect();
    Ok(Answer {
        status: StatusCode::OK,
        format,
        root: "service_request_updates",
        body: Node::List {
            item: "request_update",
            items,
        },
    })
}

/// `GET requests/{id}.{fmt}`: 404 for a report that is not published.
pub(super) async fn one_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<CommonQuery>,
) -> Result<Answer> {
    let (id, format) = split(&file)?;
    let (report, tenant, view) = find_published(&state, id, q.jurisdiction_id.as_deref(), format).await?;
    Ok(Answer {
        status: StatusCode::OK,
        format,
        root: "service_requests",
        body: Node::List {
            item: "request",
            items: vec![request_node(&tenant, &report, &view)],
        },
    })
}

/// A published report by id (of the jurisdiction, if given); 404 otherwise, the same
/// answer for an unknown and an unpublished one.
async fn find_published(
    state: &AppState,
    id: &str,
    jurisdiction: Option<&str>,
    format: Format,
) -> Result<(Report, std::sync::Arc<Tenant>, PublicReport)> {
    let not_found = || {
        Open311Error::new(
            StatusCode::NOT_FOUND,
            format,
            format!("service_request_id {id:?} not found"),
        )
    };
    let id: ReportId = id.parse().map_err(|_| not_found())?;
    let report = match state.store.get_report_any(&id).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(e) => return Err(from_api(e.into(), format)),
    };
    if let Some(j) = jurisdiction.map(str::trim).filter(|s| !s.is_empty())
        && j != report.municipality.as_str()
    {
        return Err(not_found());
    }
    let tenant = state
        .tenant(&report.municipality)
        .await
        .map_err(|e| from_api(e, format))?;
    let view = published(state, &tenant, &report, format)
        .await?
        .ok_or_else(not_found)?;
    Ok((report, tenant, view))
}

/// `GET tokens/{token}.{fmt}`: this server answers synchronously, so a token is the
/// request's id; the endpoint exists for clients that always ask.
pub(super) async fn token(State(state): State<AppState>, Path(file): Path<String>) -> Result<Answer> {
    let (token, format) = split(&file)?;
    let (report, _, _) = find_published(&state, token, None, format).await?;
    Ok(Answer {
        status: StatusCode::OK,
        format,
        root: "service_requests",
        body: Node::List {
            item: "request",
            items: vec![Node::Object(vec![
                ("service_request_id", Node::Text(report.id.to_string())),
                ("token", Node::Text(token.to_owned())),
            ])],
        },
    })
}

/// A report as an Open311 service request: its public view, plus who handles it (the
/// municipality's own department or the authority it went to; names the municipality
/// chose, nothing about people).
fn request_node(tenant: &Tenant, r: &Report, view: &PublicReport) -> Node {
    let status_notes = view.history.iter().rev().find_map(|c| c.comment.clone());
    let agency = match (&r.forwarded_to, &r.department) {
        (Some(a), _) => tenant
            .record
            .settings
            .authorities
            .iter()
            .find(|x| &x.id == a)
            .map(|x| x.name.clone()),
        (None, Some(d)) => tenant.departments.iter().find(|x| &x.id == d).map(|x| x.name.clone()),
        (None, None) => None,
    }
    .unwrap_or_else(|| tenant.record.name.clone());
    let service_name = tenant
        .record
        .categories
        .find(&view.category)
        .map(|c| c.de.clone())
        .unwrap_or_else(|| view.category.as_str().to_owned());
    Node::Object(vec![
        ("service_request_id", Node::Text(view.id.to_string())),
        ("status", Node::Text(open_or_closed(view.status).into())),
        ("status_notes", Node::opt_text(status_notes)),
        ("service_name", Node::Text(service_name)),
        ("service_code", Node::Text(view.category.as_str().to_owned())),
        ("description", Node::Text(view.description.clone().unwrap_or_default())),
        ("agency_responsible", Node::Text(agency)),
        ("service_notice", Node::Null),
        ("requested_datetime", Node::Text(w3c(&view.received_at))),
        ("updated_datetime", Node::Text(w3c(&view.updated_at))),
        // The municipality's due date is internal planning, not a promise to the public.
        ("expected_datetime", Node::Null),
        ("address", Node::opt_text(view.address_hint.clone())),
        ("address_id", Node::Null),
        ("zipcode", Node::Null),
        ("lat", Node::Number(view.location.lat.to_string())),
        ("long", Node::Number(view.location.lon.to_string())),
        // Photos are not published: they may show people even after anonymization.
        ("media_url", Node::Null),
    ])
}
