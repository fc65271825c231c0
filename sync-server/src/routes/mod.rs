//! The HTTP surface: the native API under `/api/v1`, health, the OpenAPI document, and
//! the web UI for every other path.
//!
//! Handlers are thin: they extract and authenticate, call a service, and pick the
//! response type for their audience.

pub mod alerts;
pub mod citizen;
pub mod config;
pub mod directory;
pub mod duplicates;
pub mod geocode;
pub mod mail;
pub mod oidc;
pub mod overview;
pub mod privacy;
pub mod public;
pub mod public_map;
pub mod sessions;
pub mod staff;
pub mod status;
pub mod totp;
pub mod triage;
pub mod ui;

use axum::Router;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use augenmerk_domain::error::ErrorCode;

use crate::error::ApiError;
use crate::state::AppState;

/// JSON body whose rejections are API errors (400 malformed, 413 too large).
///
/// It is read as the OpenAPI document describes it (JSON Schema's data model), not only as
/// serde would: a whole number written as a float (`2.0`) is the integer it equals, and
/// an array is no object (serde would fill a struct from an array by position).
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(mut value) = axum::Json::<serde_json::Value>::from_request(req, state).await?;
        whole_floats_to_integers(&mut value);
        // A type that can be read from `{}` is an object type: an array is never one.
        if value.is_array() && serde_json::from_value::<T>(serde_json::Value::Object(Default::default())).is_ok() {
            return Err(ApiError::new(ErrorCode::MalformedRequest)
                .context(serde_json::json!({ "reason": "expected an object, found an array" })));
        }
        // Read again from the bytes: axum's reader names the field that failed.
        let bytes = serde_json::to_vec(&value).map_err(ApiError::internal)?;
        Ok(Self(axum::Json::<T>::from_bytes(&bytes)?.0))
    }
}

/// `2.0` becomes `2` (up to 2^53, where floats stop spelling integers exactly).
fn whole_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() <= 9_007_199_254_740_992.0
            {
                #[allow(clippy::cast_possible_truncation)] // whole and within ±2^53: exact
                let whole = f as i64;
                *value = Value::from(whole);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_floats_to_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_floats_to_integers),
        _ => {}
    }
}

impl<T: serde::Serialize> axum::response::IntoResponse for ApiJson<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// A raw body whose rejections are API errors (413 too large), like [`ApiJson`].
pub struct ApiBytes(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(axum::body::Bytes::from_request(req, state).await?))
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::new(ErrorCode::PayloadTooLarge);
        }
        ApiError::new(ErrorCode::MalformedRequest).context(serde_json::json!({ "reason": r.body_text() }))
    }
}

/// Query string whose rejections are API errors.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters whose rejections are API errors (a malformed id is a 404).
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::new(ErrorCode::PayloadTooLarge);
        }
        ApiError::new(ErrorCode::MalformedRequest).context(serde_json::json!({ "reason": r.body_text() }))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::new(ErrorCode::MalformedRequest).context(serde_json::json!({ "reason": r.body_text() }))
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::not_found()
    }
}

/// The complete router with state and middleware.
pub fn router(state: AppState) -> Router {
    let json_limit = state.settings.limits.max_json_bytes;
    let blob_limit = state.settings.limits.max_blob_bytes;
    let (api, openapi) = OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .merge(public::routes())
        .merge(public_map::routes())
        .merge(alerts::routes())
        .merge(sessions::routes())
        .merge(totp::routes())
        .merge(oidc::routes())
        .merge(citizen::routes())
        .merge(staff::routes())
        .merge(triage::routes())
        .merge(duplicates::routes())
        .merge(status::routes())
        .merge(mail::routes())
        .merge(privacy::routes())
        .merge(config::routes())
        .merge(directory::routes())
        .merge(geocode::routes())
        .merge(overview::routes())
        .layer(DefaultBodyLimit::max(json_limit))
        .merge(citizen::blob_routes().layer(DefaultBodyLimit::max(blob_limit)))
        .merge(config::import_routes().layer(DefaultBodyLimit::max(blob_limit)))
        .merge(directory::import_routes().layer(DefaultBodyLimit::max(blob_limit)))
        .split_for_parts();
    let openapi_json = crate::openapi::render(&openapi);
    // API answers carry tokens, personal data and CSV exports: no cache (a shared office
    // PC, a proxy) may keep them. A handler that knows better (photos) sets its own.
    let api = Router::new()
        .merge(api)
        // Open311 posts may carry a photo (multipart `media`).
        .merge(crate::open311::routes().layer(DefaultBodyLimit::max(blob_limit)))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    Router::new()
        .merge(api)
        .route("/metrics", axum::routing::get(crate::metrics::scrape))
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || async move { ([(header::CONTENT_TYPE, "application/json")], openapi_json) }),
        )
        // The web UI takes every path the API does not own (unknown API paths stay JSON 404s).
        .merge(ui::routes(&state.settings))
        // No answer is to be read as another type than it says (an upload served back as a
        // photo must never run as a script or a page).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(ApiError::internal("handler panicked"))
        }))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Routes with their OpenAPI documentation, for the modules.
pub type ApiRouter = OpenApiRouter<AppState>;
