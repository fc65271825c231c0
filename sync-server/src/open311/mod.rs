//! Open311 GeoReport v2 (<http://wiki.open311.org/GeoReport_v2>) under `/open311/v2`, for
//! every municipality on the server: services are the municipality's categories, their
//! questions the attributes, and requests the reports, through the same intake, rules and
//! process as the native API. Answers carry public data only (no contact data, no staff
//! names, no internal notes), built from the report's public fields.
//!
//! `jurisdiction_id` is the municipality's AGS. Reading needs no key and shows what the
//! public may see (`requests`); posting needs an API key of the municipality the
//! report belongs to.

mod format;
mod media_fetch;
mod requests;
mod services;

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::routing::get;
use serde::Deserialize;

use augenmerk_domain::api::NewReport;
use augenmerk_domain::category::answers_from_strings;
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::report::Channel;
use augenmerk_domain::staff::ApiKeyInfo;
use augenmerk_domain::{Ags, BlobHash, CategoryId, GeoPoint, ReportId};
use augenmerk_store::{Inserted, StoreError};

use format::Answer;
pub use format::{Format, Node, Open311Error};

use crate::error::ApiError;
use crate::services::intake;
use crate::state::{AppState, Tenant};
use crate::{anonymize, auth};

type Result<T> = std::result::Result<T, Open311Error>;

/// The Open311 routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(list).post(post_request))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(requests::one_request))
        .route("/open311/v2/tokens/{file}", get(requests::token))
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
        ErrorCode::ServerBusy => StatusCode::SERVICE_UNAVAILABLE,
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
async fn list(State(state): State<AppState>, Path(file): Path<String>, Query(q): Query<CommonQuery>) -> Result<Answer> {
    let (name, format) = split(&file)?;
    match name {
        "discovery" => Ok(discovery(&state, format)),
        "services" => {
            let tenant = jurisdiction(&state, q.jurisdiction_id.as_deref(), format).await?;
            Ok(Answer {
                status: StatusCode::OK,
                format,
                root: "services",
                body: services::list(&tenant),
            })
        }
        "requests" => requests::list_requests(&state, &q, format).await,
        "servicerequestupdates" => requests::list_updates(&state, &q, format).await,
        _ => Err(Open311Error::new(
            StatusCode::NOT_FOUND,
            format,
            format!("no such resource: {name}"),
        )),
    }
}

/// The discovery document; its endpoint URL is the configured public URL (a request's
/// `Host` header is the client's to choose, so echoing it would let anyone plant a link).
fn discovery(state: &AppState, format: Format) -> Answer {
    let base = state.settings.public_base_url(state.settings.listen);
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
                    ("url", Node::Text(format!("{base}/open311/v2"))),
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
    // Clients in the wild send api_key in the query string of the POST; the body wins.
    let query_key = request.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, v)| k == "api_key" && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
    });
    let Posted {
        fields,
        attributes,
        media,
    } = read_post(&state, request, format).await?;
    let field = |k: &str| fields.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());

    let client = api_client(&state, field("api_key").or(query_key.as_deref()), format).await?;
    let code = field("service_code")
        .ok_or_else(|| Open311Error::new(StatusCode::BAD_REQUEST, format, "service_code is required"))?;
    // The municipality: jurisdiction_id, else the location; the key must belong to it.
    let claimed = match field("jurisdiction_id") {
        Some(j) => Some(jurisdiction(&state, Some(j), format).await?.record.ags.clone()),
        None => None,
    };
    // An address alone is looked up within the key's municipality.
    let location = posted_location(&state, &field, &client.municipality, format).await?;
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
    let (photos, media_notice) = posted_photos(&state, &client, media, field("media_url"), format).await?;
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
        notice_version: None,
        created_at: None,
        language: None,
        share_contact: false,
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

/// The API client posting: 403 when the key is missing or wrong, as the spec says; 429
/// when the key is over its rate limit.
async fn api_client(state: &AppState, key: Option<&str>, format: Format) -> Result<ApiKeyInfo> {
    let key = key.ok_or_else(|| Open311Error::new(StatusCode::FORBIDDEN, format, "api_key was not provided"))?;
    let client = match state.store.get_api_key(&auth::token_hash(key)).await {
        Ok(k) => k,
        Err(StoreError::NotFound) => {
            return Err(Open311Error::new(StatusCode::FORBIDDEN, format, "api_key is invalid"));
        }
        Err(e) => return Err(from_api(e.into(), format)),
    };
    state
        .limits
        .open311_per_key
        .take(&crate::limits::digest_key(&[client.id.to_string().as_bytes()]))
        .await
        .map_err(|limited| from_api(limited.into(), format))?;
    Ok(client)
}

/// The posted location: `lat` and `long`, else `address_string` through the geocoder
/// (the spec allows either), searched within `municipality`'s boundaries.
async fn posted_location<'a>(
    state: &AppState,
    field: &impl Fn(&str) -> Option<&'a str>,
    municipality: &Ags,
    format: Format,
) -> Result<GeoPoint> {
    let bad = |what: &str| Open311Error::new(StatusCode::BAD_REQUEST, format, what);
    match (field("lat"), field("long"), field("address_string")) {
        (Some(lat), Some(lon), _) => {
            let (Ok(lat), Ok(lon)) = (lat.parse::<f64>(), lon.parse::<f64>()) else {
                return Err(bad("lat and long must be numbers"));
            };
            GeoPoint::parse(lat, lon).map_err(|_| bad("lat and long are out of range"))
        }
        (None, None, Some(address)) => {
            let Some(geocoder) = state.geocoding.geocoder.as_ref() else {
                return Err(bad(
                    "lat and long are required: this server has no geocoder for address_string",
                ));
            };
            if address.chars().count() > crate::geocode::MAX_QUERY_CHARS {
                return Err(bad("address_string is too long"));
            }
            let bbox = crate::routes::geocode::municipality_box(state, municipality)
                .unwrap_or(crate::geocode::SCHLESWIG_HOLSTEIN);
            let found = geocoder.search(address, bbox).await.map_err(|e| {
                tracing::warn!(error = %e, "geocoding an Open311 address_string failed");
                Open311Error::new(
                    StatusCode::BAD_GATEWAY,
                    format,
                    "the geocoder did not answer; send lat and long, or try again later",
                )
            })?;
            found
                .first()
                .and_then(|p| p.point())
                .ok_or_else(|| bad("address_string was not found in this jurisdiction; check it or send lat and long"))
        }
        (Some(_), None, _) | (None, Some(_), _) => Err(bad("lat and long must be sent together")),
        _ if field("address_id").is_some() => Err(bad(
            "address_id is not supported: send lat and long, or an address_string",
        )),
        _ => Err(bad("a location is required: lat and long, or an address_string")),
    }
}

/// The request's photo, uploaded as `media` or fetched from `media_url` (from a host the
/// key allows), stored anonymized; with a notice for the client when a URL was not
/// fetched.
async fn posted_photos(
    state: &AppState,
    client: &ApiKeyInfo,
    media: Option<Bytes>,
    media_url: Option<&str>,
    format: Format,
) -> Result<(Vec<BlobHash>, Option<String>)> {
    let mut media_notice = None;
    let media = match (media, media_url) {
        (Some(bytes), _) => Some(bytes),
        (None, Some(url)) => {
            let fetched =
                media_fetch::fetch_media(url, &client.media_hosts, state.settings.photos.media_url_exempt, format)
                    .await?;
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
            anonymize::store_anonymized(state, bytes, Vec::new(), None)
                .await
                .map_err(|e| from_api(e, format))?
                .hash,
        ],
        None => Vec::new(),
    };
    Ok((photos, media_notice))
}
