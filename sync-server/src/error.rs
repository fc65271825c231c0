//! The one error type of the HTTP layer: it becomes a JSON [`ErrorBody`] with a stable
//! code and German and English messages, and logs the cause of server errors without
//! showing it to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use augenmerk_domain::error::{ErrorBody, ErrorCode, FieldError};
use augenmerk_store::StoreError;

/// An error answered to the client (boxed: it travels through many `Result`s).
#[derive(Debug)]
pub struct ApiError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    body: ErrorBody,
    /// The cause, for the log only.
    cause: Option<String>,
    retry_after: Option<u64>,
}

/// Result of handlers and services.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with the code's standard message.
    pub fn new(code: ErrorCode) -> Self {
        Self(Box::new(Inner {
            body: ErrorBody::new(code),
            cause: None,
            retry_after: None,
        }))
    }

    /// 422 with field problems.
    pub fn validation(details: Vec<FieldError>) -> Self {
        Self::new(ErrorCode::ValidationFailed).details(details)
    }

    /// 404.
    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound)
    }

    /// 500, logging the cause.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let mut e = Self::new(ErrorCode::Internal);
        e.0.cause = Some(cause.to_string());
        e
    }

    /// Adds field problems.
    pub fn details(mut self, details: Vec<FieldError>) -> Self {
        self.0.body.details = details;
        self
    }

    /// Adds context for the client.
    pub fn context(mut self, context: serde_json::Value) -> Self {
        self.0.body.context = Some(context);
        self
    }

    /// Tells the client when to try again (seconds).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.0.retry_after = Some(seconds);
        self
    }

    /// The error code.
    pub fn code(&self) -> ErrorCode {
        self.0.body.code
    }

    /// The body as the native API sends it (code, messages, field details).
    pub fn body(&self) -> &ErrorBody {
        &self.0.body
    }

    /// Seconds a client should wait (rate limits).
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.0.retry_after
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        Self::validation(vec![e])
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found(),
            StoreError::Duplicate(what) => {
                Self::new(ErrorCode::Conflict).context(serde_json::json!({ "duplicate": what }))
            }
            StoreError::Conflict => Self::new(ErrorCode::Conflict),
            StoreError::Withdrawn => Self::new(ErrorCode::Withdrawn),
            StoreError::Database(cause) => Self::internal(cause),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Inner {
            body,
            cause,
            retry_after,
        } = *self.0;
        let status = StatusCode::from_u16(body.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(cause) = &cause {
            tracing::error!(code = ?body.code, %cause, "request failed");
        }
        let mut response = (status, Json(body)).into_response();
        if let Some(v) = retry_after.and_then(|secs| axum::http::HeaderValue::from_str(&secs.to_string()).ok()) {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        response
    }
}
