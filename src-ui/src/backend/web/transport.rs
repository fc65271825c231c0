//! The page's side of the wire: requests to the sync server (same origin), the device's
//! registration, and the translation of what came back into the engine's
//! [`Answer`](augenmerk_sync::Answer) for the outbox's requests.

use std::time::Duration;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;

use augenmerk_domain::ErrorBody;
use augenmerk_domain::api::NewDevice;
use augenmerk_domain::public::DeviceRegistered;
use augenmerk_sync::Answer;

use super::WebBackend;
use super::store::TOKEN_KEY;
use crate::backend::{UiError, UiResult};
use crate::storage;

/// The API's path prefix.
pub const API: &str = "/api/v1";
/// How long an outbox request may take (a photo upload on a slow mobile network included).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// What one outbox request got: the engine's view, and the error as the UI shows it
/// (bilingual, with field details) when the server refused.
pub struct Sent {
    pub answer: Answer,
    pub error: Option<UiError>,
}

impl WebBackend {
    /// Sends a request; an error answer becomes a [`UiError`] (the console shares this).
    pub(crate) async fn send(request: UiResult<Request>) -> UiResult<Response> {
        let response = request?.send().await.map_err(|_| UiError::offline())?;
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        match response.json::<ErrorBody>().await {
            Ok(body) => Err(body.into()),
            Err(_) if status >= 500 || status == 0 => Err(UiError::offline()),
            Err(e) => Err(UiError::unexpected(format!("{status}: {e}"))),
        }
    }

    /// Sends a request and reads its JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(request: UiResult<Request>) -> UiResult<T> {
        Self::send(request)
            .await?
            .json::<T>()
            .await
            .map_err(UiError::unexpected)
    }

    /// The device token, registering this browser first if it has none.
    pub(super) async fn token(&self) -> UiResult<String> {
        if let Some(token) = storage::get(TOKEN_KEY) {
            return Ok(token);
        }
        let meta = NewDevice {
            platform: Some("web".into()),
            app_version: Some(env!("CARGO_PKG_VERSION").into()),
        };
        let request = Request::post(&format!("{API}/devices"))
            .json(&meta)
            .map_err(UiError::unexpected);
        let registered: DeviceRegistered = Self::json(request).await?;
        storage::set(TOKEN_KEY, &registered.token);
        Ok(registered.token)
    }

    /// Forgets a token the server no longer knows and registers again (after a 401: the
    /// registration expired or the server was restored from an older backup).
    pub(super) async fn register_again(&self) -> UiResult<String> {
        storage::remove(TOKEN_KEY);
        self.token().await
    }

    /// `builder` with the device's bearer token.
    pub(super) async fn authed(&self, builder: RequestBuilder) -> UiResult<RequestBuilder> {
        Ok(builder.header("Authorization", &format!("Bearer {}", self.token().await?)))
    }

    /// Sends an outbox request (a photo, a report) and reads the answer as the engine
    /// judges it. Never fails: a request that could not be made is [`Answer::Network`].
    ///
    /// `request` builds the request from the token and the abort signal it must pass to
    /// [`RequestBuilder::abort_signal`]: a request without an answer after
    /// [`REQUEST_TIMEOUT`] is given up, so that a connection that hangs (a captive portal,
    /// a lost mobile network) does not hold the outbox's lock for all tabs.
    pub(super) async fn exchange(
        &self,
        request: impl FnOnce(&str, Option<&web_sys::AbortSignal>) -> UiResult<Request>,
    ) -> Sent {
        let token = match self.token().await {
            Ok(t) => t,
            // Registering failed: the server is away or refuses registrations for now.
            // Nothing is wrong with the report, so it counts as no answer: tried again later.
            Err(error) => {
                return Sent {
                    answer: Answer::Network,
                    error: Some(error),
                };
            }
        };
        let controller = web_sys::AbortController::new().ok();
        let response = match request(&token, controller.as_ref().map(|c| c.signal()).as_ref()) {
            Ok(r) => {
                // Dropped (cancelled) once the answer is in.
                let _timeout = controller.map(|c| {
                    let millis = u32::try_from(REQUEST_TIMEOUT.as_millis()).unwrap_or(u32::MAX);
                    gloo_timers::callback::Timeout::new(millis, move || c.abort())
                });
                r.send().await
            }
            Err(error) => {
                return Sent {
                    answer: Answer::Network,
                    error: Some(error),
                };
            }
        };
        let Ok(response) = response else {
            return Sent {
                answer: Answer::Network,
                error: Some(UiError::offline()),
            };
        };
        let status = response.status();
        if response.ok() {
            return Sent {
                answer: Answer::Ok,
                error: None,
            };
        }
        // Chromium reports a fetch that never got an answer as status 0 in some cases.
        if status == 0 {
            return Sent {
                answer: Answer::Network,
                error: Some(UiError::offline()),
            };
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| retry_after(&v, chrono::Utc::now()));
        let (code, error) = match response.json::<ErrorBody>().await {
            Ok(body) => {
                let error = UiError::from(body);
                (error.code.clone(), error)
            }
            // Not the API's error (a proxy's page): the status alone decides.
            Err(_) => (None, UiError::unexpected(format!("HTTP {status}"))),
        };
        Sent {
            answer: Answer::Status {
                status,
                code,
                message: error.message.de.clone(),
                details: error
                    .details
                    .iter()
                    .map(|d| (d.field.clone(), d.problem.clone()))
                    .collect(),
                retry_after,
            },
            error: Some(error),
        }
    }
}

/// A `Retry-After` header: seconds, or an HTTP date (then the time from `now` until it).
fn retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    (at.with_timezone(&chrono::Utc) - now).to_std().ok()
}

/// `GET url` as a request.
pub fn get(url: &str) -> UiResult<Request> {
    Request::get(url).build().map_err(UiError::unexpected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
            .map(|d| d.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        assert_eq!(retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after("Sun, 01 Mar 2026 10:01:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(retry_after("Sun, 01 Mar 2026 09:00:00 GMT", now), None);
        assert_eq!(retry_after("soon", now), None);
    }
}
