//! The citizen's side: device registration, photos, reports, the change feed and replies.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa_axum::routes;

use augenmerk_domain::api::{NewDevice, NewMessage, NewReport};
use augenmerk_domain::blur::BlurBoxes;
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::public::{
    AnonymizedPhoto, CitizenReport, DeviceRegistered, FollowedReport, NearbyReport, PublicMessage, SyncResponse,
    public_view,
};
use augenmerk_domain::report::Channel;
use augenmerk_domain::{BlobHash, CategoryId, DeviceId, GeoPoint, ReportId};
use augenmerk_store::{Followed, Inserted, StoreError, Uploader};

use super::{ApiBytes, ApiJson, ApiPath, ApiQuery, ApiRouter};
use crate::auth::{self, DeviceAuth, StaffAuth};
use crate::blobs;
use crate::error::{ApiError, ApiResult};
use crate::limits::{PerAddress, Registrations, Reports, Uploads};
use crate::services::{handling, intake, views};
use crate::state::AppState;

/// Routes of the citizen's API (JSON body limit applies).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(register_device))
        .routes(routes!(submit_report, list_reports))
        .routes(routes!(get_report))
        .routes(routes!(reply))
        .routes(routes!(sync))
        .routes(routes!(nearby_reports))
        .routes(routes!(follow_report, unfollow_report))
        .routes(routes!(followed_reports))
}

/// Photo routes (with the larger photo body limit).
pub fn blob_routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(put_blob, get_blob, head_blob))
        .routes(routes!(anonymize_photo))
}

/// Registers a device; the token is shown only in this answer.
#[utoipa::path(post, path = "/api/v1/devices", tag = "citizen",
    request_body(content = Option<NewDevice>, description = "optional: no body or `null` registers without facts"),
    responses((status = 201, body = DeviceRegistered), (status = 429, description = "`rate_limited`: registrations per address")))]
async fn register_device(
    State(state): State<AppState>,
    _limit: PerAddress<Registrations>,
    ApiBytes(body): ApiBytes,
) -> ApiResult<(StatusCode, ApiJson<DeviceRegistered>)> {
    // The body is optional (none or `null`); when present it must be a valid object
    // (serde would also read a struct from an array, which the schema does not allow).
    let malformed = |e: serde_json::Error| {
        ApiError::new(ErrorCode::MalformedRequest).context(serde_json::json!({ "reason": e.to_string() }))
    };
    let meta: NewDevice = if body.iter().all(u8::is_ascii_whitespace) {
        NewDevice::default()
    } else {
        match serde_json::from_slice::<Option<serde_json::Map<String, serde_json::Value>>>(&body).map_err(malformed)? {
            Some(object) => serde_json::from_value(serde_json::Value::Object(object)).map_err(malformed)?,
            None => NewDevice::default(),
        }
    };
    let clip = |s: Option<String>| s.map(|v| v.chars().take(64).collect::<String>());
    let id = DeviceId::new_random();
    let token = auth::new_token();
    state
        .store
        .create_device(
            id,
            auth::token_hash(&token),
            clip(meta.platform),
            clip(meta.app_version),
        )
        .await?;
    Ok((StatusCode::CREATED, ApiJson(DeviceRegistered { device_id: id, token })))
}

/// Uploads a photo by its SHA-256; idempotent.
#[utoipa::path(put, path = "/api/v1/blobs/{sha256}", tag = "citizen",
    params(("sha256" = String, Path, description = "SHA-256 of the bytes, hex")),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 201, description = "stored"), (status = 200, description = "already stored"),
        (status = 400, body = augenmerk_domain::ErrorBody), (status = 413), (status = 415),
        (status = 429, body = augenmerk_domain::ErrorBody, description = "`quota_exceeded`: the device's photos per day")),
    security(("bearer" = [])))]
async fn put_blob(
    State(state): State<AppState>,
    _limit: PerAddress<Uploads>,
    who: DeviceOrStaff,
    ApiPath(hash): ApiPath<String>,
    ApiBytes(body): ApiBytes,
) -> ApiResult<StatusCode> {
    let hash = BlobHash::parse(&hash).map_err(|_| ApiError::not_found())?;
    blobs::accept_upload(&state, who.uploader(), hash, body).await
}

/// Downloads a photo: the device whose report uses it, or staff of that municipality.
#[utoipa::path(get, path = "/api/v1/blobs/{sha256}", tag = "citizen",
    params(("sha256" = String, Path)),
    responses((status = 200, content_type = "image/jpeg"), (status = 404)),
    security(("bearer" = [])))]
async fn get_blob(
    State(state): State<AppState>,
    who: DeviceOrStaff,
    ApiPath(hash): ApiPath<String>,
) -> ApiResult<Response> {
    let hash = BlobHash::parse(&hash).map_err(|_| ApiError::not_found())?;
    let record = state.store.get_blob(&hash).await?;
    let (device, ags) = who.scope();
    if !state
        .store
        .blob_visible_to(&hash, device.as_ref(), ags.as_ref())
        .await?
    {
        return Err(ApiError::not_found());
    }
    let bytes = state.blobs.get(&hash).await.map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, record.content_type),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable".into()),
        ],
        bytes,
    )
        .into_response())
}

/// Whether a photo is stored and the caller may use it (so a client skips uploading it
/// again): 404 for a photo someone else uploaded, which the hash alone does not grant.
#[utoipa::path(head, path = "/api/v1/blobs/{sha256}", tag = "citizen",
    params(("sha256" = String, Path)),
    responses((status = 200), (status = 404)),
    security(("bearer" = [])))]
async fn head_blob(
    State(state): State<AppState>,
    who: DeviceOrStaff,
    ApiPath(hash): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let hash = BlobHash::parse(&hash).map_err(|_| ApiError::not_found())?;
    state.store.get_blob(&hash).await?;
    let (device, ags) = who.scope();
    if !state
        .store
        .blob_visible_to(&hash, device.as_ref(), ags.as_ref())
        .await?
    {
        return Err(ApiError::not_found());
    }
    Ok(StatusCode::OK)
}

/// Submits a report; the same id again returns the stored report (200) instead of 201.
#[utoipa::path(post, path = "/api/v1/reports", tag = "citizen",
    request_body = NewReport,
    responses((status = 201, body = CitizenReport), (status = 200, body = CitizenReport, description = "already submitted"),
        (status = 422, body = augenmerk_domain::ErrorBody)),
    security(("bearer" = [])))]
async fn submit_report(
    State(state): State<AppState>,
    _limit: PerAddress<Reports>,
    DeviceAuth(device): DeviceAuth,
    ApiJson(new): ApiJson<NewReport>,
) -> ApiResult<(StatusCode, ApiJson<CitizenReport>)> {
    let submitted = intake::submit(&state, Some(device), Channel::App, new).await?;
    // A report mailed to an administration off the platform has no tenant here.
    if let Some(m) = &submitted.mailed {
        let status = match submitted.report {
            Inserted::Created(_) => StatusCode::CREATED,
            Inserted::Existing(_) => StatusCode::OK,
        };
        return Ok((status, ApiJson(views::mailed_citizen_report(&state, m))));
    }
    Ok(match (submitted.report, submitted.history) {
        // A new report has this history and no messages: answer without reading it back.
        (Inserted::Created(r), Some(history)) => (
            StatusCode::CREATED,
            ApiJson(views::citizen_report_with(&state, &r, history, Vec::new()).await?),
        ),
        (Inserted::Created(r), None) => (StatusCode::CREATED, ApiJson(views::citizen_report(&state, &r).await?)),
        (Inserted::Existing(r), _) => (StatusCode::OK, ApiJson(views::citizen_report(&state, &r).await?)),
    })
}

/// The device's reports, newest first.
#[utoipa::path(get, path = "/api/v1/reports", tag = "citizen",
    responses((status = 200, body = Vec<CitizenReport>)), security(("bearer" = [])))]
async fn list_reports(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
) -> ApiResult<ApiJson<Vec<CitizenReport>>> {
    // The device's own reports only, in one query: the reports it follows are not read.
    let reports = state.store.device_reports(&device).await?;
    let mailed = state.store.device_mailed(&device).await?;
    let mut out = Vec::with_capacity(reports.len() + mailed.len());
    for report in &reports {
        out.push(views::citizen_report(&state, report).await?);
    }
    // Mailed reports change no more here; they follow the ones that still move.
    out.extend(mailed.iter().map(|m| views::mailed_citizen_report(&state, m)));
    Ok(ApiJson(out))
}

/// One of the device's reports with its public history and messages.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "citizen",
    params(("id" = String, Path)),
    responses((status = 200, body = CitizenReport), (status = 404)), security(("bearer" = [])))]
async fn get_report(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<ApiJson<CitizenReport>> {
    match state.store.get_device_report(&device, &id).await {
        Ok(report) => Ok(ApiJson(views::citizen_report(&state, &report).await?)),
        Err(StoreError::NotFound) => {
            let m = state.store.get_device_mailed(&device, &id).await?;
            Ok(ApiJson(views::mailed_citizen_report(&state, &m)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The citizen replies to the municipality.
#[utoipa::path(post, path = "/api/v1/reports/{id}/messages", tag = "citizen",
    params(("id" = String, Path)), request_body = NewMessage,
    responses((status = 201, body = PublicMessage), (status = 200, body = PublicMessage)), security(("bearer" = [])))]
async fn reply(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    ApiPath(id): ApiPath<ReportId>,
    ApiJson(msg): ApiJson<NewMessage>,
) -> ApiResult<(StatusCode, ApiJson<PublicMessage>)> {
    let report = state.store.get_device_report(&device, &id).await?;
    Ok(match handling::citizen_message(&state, &report, msg).await? {
        Inserted::Created(m) => (StatusCode::CREATED, ApiJson(views::public_message(&m))),
        Inserted::Existing(m) => (StatusCode::OK, ApiJson(views::public_message(&m))),
    })
}

/// Radius in which open reports count as "already reported" (metres).
pub const NEARBY_RADIUS_M: f64 = 150.0;
/// Most reports offered.
pub const NEARBY_LIMIT: usize = 5;

/// A place and a category to look around.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct NearbyQuery {
    /// Latitude.
    lat: f64,
    /// Longitude.
    lon: f64,
    /// The category the citizen chose.
    category: String,
}

/// Open reports of the same category within 150 m of a place, nearest first (at most
/// five): a citizen about to report the same defect sees that it is known already.
#[utoipa::path(get, path = "/api/v1/reports/nearby", tag = "citizen", params(NearbyQuery),
    responses((status = 200, body = Vec<NearbyReport>), (status = 422, body = augenmerk_domain::ErrorBody)),
    security(("bearer" = [])))]
async fn nearby_reports(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    ApiQuery(q): ApiQuery<NearbyQuery>,
) -> ApiResult<ApiJson<Vec<NearbyReport>>> {
    let point = GeoPoint::parse(q.lat, q.lon)?;
    let category = CategoryId::parse(&q.category).map_err(|e| ApiError::validation(vec![e]))?;
    // Reports are filed under the tenant (an Amt's too); elsewhere nothing is known.
    let place = state.place(point)?;
    let Some(crate::state::Destination::Tenant(tenant)) = state.destination(&place).await? else {
        return Ok(ApiJson(Vec::new()));
    };
    let ags = tenant.record.ags.clone();
    let found = state
        .store
        .nearby_reports(&ags, point, NEARBY_RADIUS_M, 50, None)
        .await?;
    let found: Vec<_> = found.into_iter().filter(|r| r.category == category).collect();
    if found.is_empty() {
        return Ok(ApiJson(Vec::new()));
    }
    // What others may see of a report is the public policy's (the position on the grid
    // unless staff marked it exact); these are open reports, which it always publishes,
    // so their history decides nothing here.
    let mut nearby: Vec<NearbyReport> = Vec::with_capacity(found.len());
    for r in found {
        let publication = state.store.get_publication(&ags, &r.id).await?;
        let Some(public) = public_view(&r, &[], &tenant.record.settings, &publication) else {
            continue;
        };
        nearby.push(NearbyReport {
            id: public.id,
            category: public.category,
            location: public.location,
            status: public.status,
            created_at: public.created_at,
            distance_m: point.distance_m(&r.location).round(),
            own: r.device_id == Some(device),
        });
    }
    nearby.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
    nearby.truncate(NEARBY_LIMIT);
    Ok(ApiJson(nearby))
}

/// Follows someone else's report instead of reporting the same defect again: the
/// device's feed then carries its status changes (not its messages).
#[utoipa::path(put, path = "/api/v1/reports/{id}/follow", tag = "citizen",
    params(("id" = String, Path)),
    responses((status = 201, body = FollowedReport), (status = 200, body = FollowedReport, description = "followed already"),
        (status = 404), (status = 409, body = augenmerk_domain::ErrorBody, description = "the device's own report, or `follow_limit_reached`")),
    security(("bearer" = [])))]
async fn follow_report(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<(StatusCode, ApiJson<FollowedReport>)> {
    let max = state.settings.max_follows_per_device;
    let followed = match state.store.follow_report(&device, &id, chrono::Utc::now(), max).await {
        Ok(followed) => followed,
        Err(StoreError::Conflict) => {
            return Err(ApiError::new(ErrorCode::Conflict).context(serde_json::json!({ "reason": "own_report" })));
        }
        Err(e) => return Err(e.into()),
    };
    let status = match followed {
        Followed::Created => StatusCode::CREATED,
        Followed::Already => StatusCode::OK,
        Followed::LimitReached => {
            return Err(ApiError::new(ErrorCode::FollowLimitReached).context(serde_json::json!({ "max_follows": max })));
        }
    };
    let report = state.store.get_followed_report(&device, &id).await?;
    Ok((status, ApiJson(views::followed_report(&state, &report).await?)))
}

/// Stops following a report.
#[utoipa::path(delete, path = "/api/v1/reports/{id}/follow", tag = "citizen",
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, description = "not followed")),
    security(("bearer" = [])))]
async fn unfollow_report(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<StatusCode> {
    if state.store.unfollow_report(&device, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

/// The reports the device follows, the most recently followed first.
#[utoipa::path(get, path = "/api/v1/reports/followed", tag = "citizen",
    responses((status = 200, body = Vec<FollowedReport>)), security(("bearer" = [])))]
async fn followed_reports(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
) -> ApiResult<ApiJson<Vec<FollowedReport>>> {
    let reports = state.store.followed_reports(&device).await?;
    let mut out = Vec::with_capacity(reports.len());
    for r in &reports {
        out.push(views::followed_report(&state, r).await?);
    }
    Ok(ApiJson(out))
}

/// Areas to obscure besides what the detectors find.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PhotoQuery {
    /// `x1,y1,x2,y2` boxes in the upright original's pixels, separated by `;`.
    #[serde(default)]
    blur: Option<String>,
}

/// Anonymizes a photo on the server (for clients that cannot do it on the device, such as
/// the web page): faces and plates blurred, metadata removed, only the result stored.
#[utoipa::path(post, path = "/api/v1/photos", tag = "citizen", params(PhotoQuery),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 201, body = AnonymizedPhoto), (status = 415, body = augenmerk_domain::ErrorBody),
        (status = 413), (status = 429, description = "rate limit or `quota_exceeded`"),
        (status = 503, description = "`server_busy`: too many photos waiting, or over the time budget; see Retry-After")),
    security(("bearer" = [])))]
async fn anonymize_photo(
    State(state): State<AppState>,
    _limit: PerAddress<Uploads>,
    DeviceAuth(device): DeviceAuth,
    ApiQuery(q): ApiQuery<PhotoQuery>,
    ApiBytes(body): ApiBytes,
) -> ApiResult<(StatusCode, ApiJson<AnonymizedPhoto>)> {
    state
        .limits
        .photos_per_device
        .take(&crate::limits::digest_key(&[device.to_string().as_bytes()]))
        .await?;
    if body.is_empty() {
        return Err(
            ApiError::new(ErrorCode::UnsupportedMediaType).context(serde_json::json!({ "reason": "empty body" }))
        );
    }
    let extra: Vec<augenmerk_anon::BBox> = q
        .blur
        .as_deref()
        .unwrap_or("")
        .parse::<BlurBoxes>()?
        .boxes()
        .iter()
        .map(|b| augenmerk_anon::BBox::from(*b))
        .collect();
    blobs::check_quota(&state, &device).await?;
    let photo = crate::anonymize::store_anonymized(&state, body, extra, Some(&Uploader::Device(device))).await?;
    Ok((StatusCode::CREATED, ApiJson(photo)))
}

/// Query of the change feed.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SyncQuery {
    /// The cursor of the last answer (0 or absent: from the start).
    #[serde(default)]
    since: i64,
    /// At most this many changes (default 200, at most 1,000).
    #[serde(default)]
    limit: Option<u32>,
}

/// Changes to the device's reports after a cursor: status changes and messages.
#[utoipa::path(get, path = "/api/v1/sync", tag = "citizen", params(SyncQuery),
    responses((status = 200, body = SyncResponse)), security(("bearer" = [])))]
async fn sync(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    ApiQuery(q): ApiQuery<SyncQuery>,
) -> ApiResult<ApiJson<SyncResponse>> {
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    let mut changes = state.store.device_changes(&device, q.since.max(0), limit + 1).await?;
    let more = changes.len() > limit as usize;
    changes.truncate(limit as usize);
    state.metrics.sync_pull(changes.len());
    let cursor = changes.last().map(|c| c.seq).unwrap_or(q.since.max(0));
    Ok(ApiJson(SyncResponse { changes, cursor, more }))
}

/// A device or a staff member (photo up- and download).
pub enum DeviceOrStaff {
    /// A device.
    Device(DeviceId),
    /// Staff of a municipality.
    Staff(Box<StaffAuth>),
}

impl DeviceOrStaff {
    fn scope(&self) -> (Option<DeviceId>, Option<augenmerk_domain::Ags>) {
        match self {
            Self::Device(d) => (Some(*d), None),
            Self::Staff(s) => (None, Some(s.ags().clone())),
        }
    }

    fn uploader(&self) -> Uploader {
        match self {
            Self::Device(d) => Uploader::Device(*d),
            Self::Staff(s) => Uploader::Municipality(s.ags().clone()),
        }
    }
}

impl axum::extract::FromRequestParts<AppState> for DeviceOrStaff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Ok(DeviceAuth(d)) = DeviceAuth::from_request_parts(parts, state).await {
            return Ok(Self::Device(d));
        }
        match StaffAuth::from_request_parts(parts, state).await {
            Ok(s) => Ok(Self::Staff(Box::new(s))),
            Err(e) if e.code() == ErrorCode::Forbidden => Err(e),
            Err(_) => Err(ApiError::new(ErrorCode::Unauthorized)),
        }
    }
}
