//! Open311 GeoReport v2 (<http://wiki.open311.org/GeoReport_v2>) under `/open311/v2`, for
//! every municipality on the server: services are the municipality's categories, their
//! questions the attributes, and requests the reports, through the same intake, rules and
//! process as the native API. Answers carry public data only (no contact data, no staff
//! names, no internal notes), built from the report's public fields.
//!
//! `jurisdiction_id` is the municipality's AGS. Reading needs no key; posting needs an
//! API key of the municipality the report belongs to.

mod format;
mod services;

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use augenmerk_domain::api::{NewReport, ReportQuery};
use augenmerk_domain::category::answers_from_strings;
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::report::{Channel, Report};
use augenmerk_domain::{Ags, CategoryId, GeoPoint, ReportId, Status};
use augenmerk_store::{Inserted, StoreError};

use format::Answer;
pub use format::{Format, Node, Open311Error};

use crate::error::ApiError;
use crate::services::{intake, listing};
use crate::state::{AppState, Tenant};
use crate::{anonymize, auth};

/// Requests listed at most (the spec's default limit).
const MAX_RESULTS: usize = 1_000;
/// Days listed when no dates are given (the spec's default window).
const DEFAULT_DAYS: i64 = 90;
/// Largest `page_size` of the paging extension.
const MAX_PAGE_SIZE: u32 = 1_000;

type Result<T> = std::result::Result<T, Open311Error>;

/// The Open311 routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(list).post(post_request))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
}

fn split(file: &str) -> Result<(&str, Format)> {
    Format::split(file).ok_or_else(|| {
        Open311Error::new(
            StatusCode::NOT_FOUND,
            Format::Xml,
            "unknown format: use the suffix .xml or .json",
        )
    })
}

/// Maps a native API error to the Open311 error format (status per the spec).
fn from_api(e: ApiError, format: Format) -> Open311Error {
    let body = e.body();
    let status = match e.code() {
        ErrorCode::NotFound | ErrorCode::UnknownCategory => StatusCode::NOT_FOUND,
        ErrorCode::Unauthorized | ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut description = body.message.en.clone();
    if !body.details.is_empty() {
        let fields: Vec<String> = body
            .details
            .iter()
            .map(|d| format!("{}: {}", open311_field(&d.field), d.problem))
            .collect();
        description = format!("{description} ({})", fields.join(", "));
    }
    let mut err = Open311Error::new(status, format, description);
    err.retry_after = e.retry_after_secs();
    err
}

/// The native field name as an Open311 client knows it.
fn open311_field(field: &str) -> String {
    if let Some(code) = field.strip_prefix("answers.") {
        return format!("attribute[{code}]");
    }
    match field {
        "category" => "service_code".into(),
        "location" | "location.lat" => "lat".into(),
        "location.lon" => "long".into(),
        "contact_email" => "email".into(),
        "address_hint" => "address_string".into(),
        other => other.into(),
    }
}

/// The common query parameters.
#[derive(Debug, Default, Deserialize)]
struct CommonQuery {
    jurisdiction_id: Option<String>,
    service_request_id: Option<String>,
    service_code: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    status: Option<String>,
    page: Option<u32>,
    page_size: Option<u32>,
}

/// The municipality a GET is about: `jurisdiction_id`, or the only one on the server.
async fn jurisdiction(state: &AppState, id: Option<&str>, format: Format) -> Result<std::sync::Arc<Tenant>> {
    let ags = match id.map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => Ags::parse(id).map_err(|_| {
            Open311Error::new(
                StatusCode::NOT_FOUND,
                format,
                format!("jurisdiction_id {id:?} not found"),
            )
        })?,
        None => {
            let all = state
                .store
                .list_municipalities()
                .await
                .map_err(|e| from_api(e.into(), format))?;
            match all.as_slice() {
                [only] => only.ags.clone(),
                _ => {
                    return Err(Open311Error::new(
                        StatusCode::BAD_REQUEST,
                        format,
                        "jurisdiction_id is required: this server serves several municipalities (use the AGS)",
                    ));
                }
            }
        }
    };
    state.tenant(&ags).await.map_err(|e| {
        if e.code() == ErrorCode::NotFound {
            Open311Error::new(
                StatusCode::NOT_FOUND,
                format,
                format!("jurisdiction_id {} not found", ags.as_str()),
            )
        } else {
            from_api(e, format)
        }
    })
}

/// `GET discovery.{fmt}`, `GET services.{fmt}`, `GET requests.{fmt}`.
async fn list(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    Query(q): Query<CommonQuery>,
) -> Result<Answer> {
    let (name, format) = split(&file)?;
    match name {
        "discovery" => Ok(discovery(&headers, format)),
        "services" => {
            let tenant = jurisdiction(&state, q.jurisdiction_id.as_deref(), format).await?;
            Ok(Answer {
                status: StatusCode::OK,
                format,
                root: "services",
                body: services::list(&tenant),
            })
        }
        "requests" => list_requests(&state, &q, format).await,
        "servicerequestupdates" => list_updates(&state, &q, format).await,
        _ => Err(Open311Error::new(
            StatusCode::NOT_FOUND,
            format,
            format!("no such resource: {name}"),
        )),
    }
}

fn discovery(headers: &HeaderMap, format: Format) -> Answer {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let changeset = Node::Text("2026-11-28T00:00:00+01:00".into());
    let body = Node::Object(vec![
        ("changeset", changeset.clone()),
        (
            "contact",
            Node::Text("Augenmerk – Mängelmelder; contact the municipality's administration".into()),
        ),
        (
            "key_service",
            Node::Text("API keys are issued per client by each municipality's administration".into()),
        ),
        (
            "endpoints",
            Node::List {
                item: "endpoint",
                items: vec![Node::Object(vec![
                    (
                        "specification",
                        Node::Text("http://wiki.open311.org/GeoReport_v2".into()),
                    ),
                    ("url", Node::Text(format!("http://{host}/open311/v2"))),
                    ("changeset", changeset),
                    ("type", Node::Text("production".into())),
                    (
                        "formats",
                        Node::List {
                            item: "format",
                            items: vec![Node::Text("text/xml".into()), Node::Text("application/json".into())],
                        },
                    ),
                ])],
            },
        ),
    ]);
    Answer {
        status: StatusCode::OK,
        format,
        root: "discovery",
        body,
    }
}

/// `GET services/{service_code}.{fmt}`.
async fn service_definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<CommonQuery>,
) -> Result<Answer> {
    let (code, format) = split(&file)?;
    let tenant = jurisdiction(&state, q.jurisdiction_id.as_deref(), format).await?;
    let body = services::definition(&tenant, code).ok_or_else(|| {
        Open311Error::new(
            StatusCode::NOT_FOUND,
            format,
            format!("service_code {code:?} not found"),
        )
    })?;
    Ok(Answer {
        status: StatusCode::OK,
        format,
        root: "service_definition",
        body,
    })
}

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

/// `GET requests.{fmt}`: filters as in the spec; `service_request_id` overrides the others.
async fn list_requests(state: &AppState, q: &CommonQuery, format: Format) -> Result<Answer> {
    let tenant = jurisdiction(state, q.jurisdiction_id.as_deref(), format).await?;
    let mut query = ReportQuery::default();
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
                statuses.extend(Status::ALL.iter().filter(|x| x.is_open() == open).map(|x| x.as_str()));
            }
            query.status = Some(statuses.join(","));
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
        items.push(request_node(state, &tenant, r, format).await?);
    }
    Ok(Answer {
        status: StatusCode::OK,
        format,
        root: "service_requests",
        body: Node::List { item: "request", items },
    })
}

/// `GET servicerequestupdates.{fmt}` (the update-history extension mySociety's
/// FixMyStreet introduced): public status changes with their comments, by time.
async fn list_updates(state: &AppState, q: &CommonQuery, format: Format) -> Result<Answer> {
    let tenant = jurisdiction(state, q.jurisdiction_id.as_deref(), format).await?;
    let end = parse_date(q.end_date.as_deref(), "end_date", format)?.unwrap_or_else(Utc::now);
    let start = parse_date(q.start_date.as_deref(), "start_date", format)?
        .unwrap_or_else(|| end - chrono::Duration::days(DEFAULT_DAYS));
    let changes = state
        .store
        .status_changes_between(&tenant.record.ags, start, end, MAX_RESULTS as u32)
        .await
        .map_err(|e| from_api(e.into(), format))?;
    let items = changes
        .into_iter()
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

/// `GET requests/{id}.{fmt}`.
async fn one_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<CommonQuery>,
) -> Result<Answer> {
    let (id, format) = split(&file)?;
    let report = find_report(&state, id, q.jurisdiction_id.as_deref(), format).await?;
    let tenant = state
        .tenant(&report.municipality)
        .await
        .map_err(|e| from_api(e, format))?;
    let node = request_node(&state, &tenant, &report, format).await?;
    Ok(Answer {
        status: StatusCode::OK,
        format,
        root: "service_requests",
        body: Node::List {
            item: "request",
            items: vec![node],
        },
    })
}

async fn find_report(state: &AppState, id: &str, jurisdiction: Option<&str>, format: Format) -> Result<Report> {
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
    Ok(report)
}

/// `GET tokens/{token}.{fmt}`: this server answers synchronously, so a token is the
/// request's id; the endpoint exists for clients that always ask.
async fn token(State(state): State<AppState>, Path(file): Path<String>) -> Result<Answer> {
    let (token, format) = split(&file)?;
    let report = find_report(&state, token, None, format).await?;
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

/// A report as an Open311 service request: public fields only.
async fn request_node(state: &AppState, tenant: &Tenant, r: &Report, format: Format) -> Result<Node> {
    let changes = state
        .store
        .list_status_changes(&r.id)
        .await
        .map_err(|e| from_api(e.into(), format))?;
    let status_notes = changes.iter().rev().find_map(|c| c.comment.clone());
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
        .find(&r.category)
        .map(|c| c.de.clone())
        .unwrap_or_else(|| r.category.as_str().to_owned());
    Ok(Node::Object(vec![
        ("service_request_id", Node::Text(r.id.to_string())),
        ("status", Node::Text(open_or_closed(r.status).into())),
        ("status_notes", Node::opt_text(status_notes)),
        ("service_name", Node::Text(service_name)),
        ("service_code", Node::Text(r.category.as_str().to_owned())),
        ("description", Node::Text(r.description.clone())),
        ("agency_responsible", Node::Text(agency)),
        ("service_notice", Node::Null),
        ("requested_datetime", Node::Text(w3c(&r.received_at))),
        ("updated_datetime", Node::Text(w3c(&r.updated_at))),
        ("expected_datetime", Node::opt_text(r.due_at.as_ref().map(w3c))),
        ("address", Node::opt_text(r.address_hint.clone())),
        ("address_id", Node::Null),
        ("zipcode", Node::Null),
        ("lat", Node::Number(r.location.lat.to_string())),
        ("long", Node::Number(r.location.lon.to_string())),
        // Photos are not published: they may show people even after anonymization.
        ("media_url", Node::Null),
    ]))
}

/// The fields of a POST, form-encoded or multipart.
#[derive(Default)]
struct Posted {
    fields: BTreeMap<String, String>,
    attributes: BTreeMap<String, Vec<String>>,
    media: Option<Bytes>,
}

impl Posted {
    fn add(&mut self, key: &str, value: String) {
        if let Some(rest) = key.strip_prefix("attribute[") {
            let code = rest.trim_end_matches("[]").trim_end_matches(']');
            self.attributes.entry(code.to_owned()).or_default().push(value);
        } else {
            self.fields.insert(key.to_owned(), value);
        }
    }
}

/// Reads the body: `application/x-www-form-urlencoded` as the spec says, or
/// `multipart/form-data` with a `media` file (the common extension for a photo).
async fn read_post(state: &AppState, request: Request, format: Format) -> Result<Posted> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut posted = Posted::default();
    let bad = |what: String| Open311Error::new(StatusCode::BAD_REQUEST, format, what);
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|e| bad(format!("unreadable body: {e}")))?;
        for (k, v) in form_urlencoded::parse(&body) {
            posted.add(&k, v.into_owned());
        }
    } else if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| bad(format!("unreadable multipart body: {e}")))?;
        while let Some(part) = multipart
            .next_field()
            .await
            .map_err(|e| bad(format!("unreadable multipart body: {e}")))?
        {
            let name = part.name().unwrap_or("").to_owned();
            let bytes = part
                .bytes()
                .await
                .map_err(|e| bad(format!("unreadable part {name}: {e}")))?;
            if name == "media" {
                posted.media = Some(bytes);
            } else {
                posted.add(&name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    } else {
        return Err(bad(
            "send the request as application/x-www-form-urlencoded (or multipart/form-data with a media file)".into(),
        ));
    }
    Ok(posted)
}

/// Largest photo fetched from a `media_url`.
const MAX_MEDIA_URL_BYTES: usize = 15 * 1024 * 1024;

/// Fetches a `media_url` if the key allows its host; `Ok(None)` when it may not be fetched.
async fn fetch_media(url: &str, allowed: &[String], format: Format) -> Result<Option<Bytes>> {
    let bad = |what: String| Open311Error::new(StatusCode::BAD_REQUEST, format, what);
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Err(bad("media_url is not a URL".into()));
    };
    let host = parsed.host_str().unwrap_or("").to_ascii_lowercase();
    if !matches!(parsed.scheme(), "http" | "https") || !allowed.contains(&host) {
        return Ok(None);
    }
    let client = reqwest::Client::builder()
        // A redirect could lead anywhere; only the allow-listed host is fetched.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|e| from_api(ApiError::internal(e), format))?;
    let mut response = client
        .get(parsed)
        .send()
        .await
        .map_err(|e| bad(format!("media_url could not be fetched: {e}")))?;
    if !response.status().is_success() {
        return Err(bad(format!("media_url answered {}", response.status())));
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !["image/jpeg", "image/png", "image/webp"]
        .iter()
        .any(|t| content_type.starts_with(t))
    {
        return Err(bad(format!(
            "media_url is not a JPEG, PNG or WebP image ({content_type})"
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| bad(format!("media_url could not be fetched: {e}")))?
    {
        if body.len() + chunk.len() > MAX_MEDIA_URL_BYTES {
            return Err(bad("media_url is larger than 15 MB".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(Bytes::from(body)))
}

/// `POST requests.{fmt}`: a new report through the native intake.
async fn post_request(State(state): State<AppState>, Path(file): Path<String>, request: Request) -> Result<Answer> {
    let (name, format) = split(&file)?;
    if name != "requests" {
        return Err(Open311Error::new(
            StatusCode::NOT_FOUND,
            format,
            format!("cannot POST to {name}"),
        ));
    }
    let Posted {
        fields,
        attributes,
        media,
    } = read_post(&state, request, format).await?;
    let field = |k: &str| fields.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());

    // The key: 403 when missing or wrong, as the spec says.
    let key =
        field("api_key").ok_or_else(|| Open311Error::new(StatusCode::FORBIDDEN, format, "api_key was not provided"))?;
    let client = match state.store.get_api_key(&auth::token_hash(key)).await {
        Ok(k) => k,
        Err(StoreError::NotFound) => {
            return Err(Open311Error::new(StatusCode::FORBIDDEN, format, "api_key is invalid"));
        }
        Err(e) => return Err(from_api(e.into(), format)),
    };
    state
        .open311_limiter
        .check(&client.id.to_string())
        .map_err(|secs| from_api(ApiError::new(ErrorCode::RateLimited).retry_after(secs), format))?;

    let code = field("service_code")
        .ok_or_else(|| Open311Error::new(StatusCode::BAD_REQUEST, format, "service_code is required"))?;
    let location = match (field("lat"), field("long")) {
        (Some(lat), Some(lon)) => {
            let (Ok(lat), Ok(lon)) = (lat.parse::<f64>(), lon.parse::<f64>()) else {
                return Err(Open311Error::new(
                    StatusCode::BAD_REQUEST,
                    format,
                    "lat and long must be numbers",
                ));
            };
            GeoPoint::parse(lat, lon)
                .map_err(|_| Open311Error::new(StatusCode::BAD_REQUEST, format, "lat and long are out of range"))?
        }
        _ if field("address_string").is_some() || field("address_id").is_some() => {
            return Err(Open311Error::new(
                StatusCode::BAD_REQUEST,
                format,
                "lat and long are required: this server does not geocode address_string or address_id",
            ));
        }
        _ => {
            return Err(Open311Error::new(
                StatusCode::BAD_REQUEST,
                format,
                "a location is required: lat and long",
            ));
        }
    };
    // The municipality: jurisdiction_id, else the location; the key must belong to it.
    let claimed = match field("jurisdiction_id") {
        Some(j) => Some(jurisdiction(&state, Some(j), format).await?.record.ags.clone()),
        None => None,
    };
    let (tenant, _) = state
        .responsible_tenant(location)
        .await
        .map_err(|e| from_api(e, format))?;
    let ags = claimed.unwrap_or_else(|| tenant.record.ags.clone());
    if ags != client.municipality {
        return Err(Open311Error::new(
            StatusCode::FORBIDDEN,
            format,
            "api_key is not valid for this jurisdiction",
        ));
    }
    let category = CategoryId::parse(code).map_err(|_| {
        Open311Error::new(
            StatusCode::NOT_FOUND,
            format,
            format!("service_code {code:?} not found"),
        )
    })?;
    let questions = tenant
        .record
        .categories
        .effective_questions(&category)
        .unwrap_or_default();
    let answers = answers_from_strings(&questions, &attributes);
    let mut media_notice = None;
    let media = match (media, field("media_url")) {
        (Some(bytes), _) => Some(bytes),
        (None, Some(url)) => {
            let fetched = fetch_media(url, &client.media_hosts, format).await?;
            if fetched.is_none() {
                media_notice = Some(
                    "media_url was not fetched (its host is not allowed for this key); \
                     send the photo as a multipart `media` upload"
                        .to_owned(),
                );
            }
            fetched
        }
        (None, None) => None,
    };
    let photos = match media {
        Some(bytes) => vec![
            anonymize::store_anonymized(&state, bytes, Vec::new())
                .await
                .map_err(|e| from_api(e, format))?
                .hash,
        ],
        None => Vec::new(),
    };
    let new = NewReport {
        id: ReportId::new_random(),
        municipality: Some(ags),
        category,
        answers,
        description: fields.get("description").cloned().unwrap_or_default(),
        location,
        address_hint: field("address_string").map(str::to_owned),
        photos,
        contact_email: field("email").map(str::to_owned),
        // The API client collects the citizen's consent under its own terms of use.
        consent: true,
        created_at: None,
    };
    let submitted = intake::submit(&state, None, Channel::Open311, new)
        .await
        .map_err(|e| from_api(e, format))?;
    let report = match submitted.report {
        Inserted::Created(r) | Inserted::Existing(r) => r,
    };
    Ok(Answer {
        status: StatusCode::OK,
        format,
        root: "service_requests",
        body: Node::List {
            item: "request",
            items: vec![Node::Object(vec![
                ("service_request_id", Node::Text(report.id.to_string())),
                ("service_notice", Node::opt_text(media_notice)),
                ("account_id", Node::Null),
            ])],
        },
    })
}
