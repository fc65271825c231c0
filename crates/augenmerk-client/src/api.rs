//! Typed calls of the server's native API (`/api/v1`), each one HTTP request.
//!
//! Every answer is checked: an error status becomes [`RemoteError::Status`] with the API's
//! code and message, a body that is not what the API promises becomes
//! [`RemoteError::Protocol`], and a failed connection [`RemoteError::Network`] (or
//! [`RemoteError::Unreachable`] when none could be made). Retrying is
//! the caller's choice ([`crate::retry`]).

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

use augenmerk_domain::api::{
    LoginRequest, LoginResponse, NewDevice, NewMessage, NewNote, NewReport, TransitionRequest,
};
use augenmerk_domain::error::FieldError;
use augenmerk_domain::privacy::{EmailErasureRequest, ErasureDone};
use augenmerk_domain::public::{
    CitizenReport, DeviceRegistered, FollowedReport, MunicipalityConfig, MunicipalityInfo, NearbyReport, PublicMessage,
    SyncResponse,
};
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::{InternalNote, Page, StaffMessage, StaffReportDetail, StaffReportSummary};
use augenmerk_domain::{Ags, BlobHash, CategoryId, GeoPoint, ReportId};

use crate::error::{ClientError, RemoteError};

/// The server's API.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
}

/// Longest error body quoted in a message.
const QUOTE_CHARS: usize = 200;

/// Longest a data export may take to arrive.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(600);

impl Api {
    /// A client for the server at `base` (`http://host:port`).
    pub fn new(base: &str) -> Result<Self, ClientError> {
        let base = base.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ClientError::Server(format!("{base:?} is not an http(s) URL")));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            // A 400 KB photo over a slow mobile link still fits; a hung server does not hold a sync forever.
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("augenmerk-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Server(e.to_string()))?;
        Ok(Self { http, base })
    }

    /// The server's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let rb = self.http.request(method, format!("{}{path}", self.base));
        match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    async fn send(&self, rb: RequestBuilder) -> Result<Response, RemoteError> {
        let resp = rb.send().await.map_err(|e| {
            if e.is_connect() {
                RemoteError::Unreachable(error_chain(&e))
            } else {
                RemoteError::Network(error_chain(&e))
            }
        })?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        Err(error_from(resp).await)
    }

    async fn json<T: DeserializeOwned>(&self, rb: RequestBuilder) -> Result<T, RemoteError> {
        let resp = self.send(rb).await?;
        let bytes = resp.bytes().await.map_err(|e| RemoteError::Network(error_chain(&e)))?;
        serde_json::from_slice(&bytes).map_err(|e| RemoteError::Protocol(format!("{e}: {}", quote(&bytes))))
    }

    /// `POST /api/v1/devices`.
    pub async fn register_device(&self, meta: &NewDevice) -> Result<DeviceRegistered, RemoteError> {
        self.json(self.request(Method::POST, "/api/v1/devices", None).json(meta))
            .await
    }

    /// `HEAD /api/v1/blobs/{hash}`: whether the server has the photo.
    pub async fn has_blob(&self, token: &str, hash: &BlobHash) -> Result<bool, RemoteError> {
        let path = format!("/api/v1/blobs/{}", hash.as_str());
        match self.send(self.request(Method::HEAD, &path, Some(token))).await {
            Ok(_) => Ok(true),
            Err(e) if e.status() == Some(404) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `PUT /api/v1/blobs/{hash}`.
    pub async fn put_blob(&self, token: &str, hash: &BlobHash, bytes: Vec<u8>) -> Result<(), RemoteError> {
        let path = format!("/api/v1/blobs/{}", hash.as_str());
        self.send(
            self.request(Method::PUT, &path, Some(token))
                .header(reqwest::header::CONTENT_TYPE, "image/jpeg")
                .body(bytes),
        )
        .await
        .map(drop)
    }

    /// `GET /api/v1/blobs/{hash}`.
    pub async fn get_blob(&self, token: &str, hash: &BlobHash) -> Result<Vec<u8>, RemoteError> {
        let path = format!("/api/v1/blobs/{}", hash.as_str());
        let resp = self.send(self.request(Method::GET, &path, Some(token))).await?;
        let bytes = resp.bytes().await.map_err(|e| RemoteError::Network(error_chain(&e)))?;
        Ok(bytes.to_vec())
    }

    /// `POST /api/v1/reports` (idempotent by the report's id).
    pub async fn submit_report(&self, token: &str, report: &NewReport) -> Result<CitizenReport, RemoteError> {
        self.json(self.request(Method::POST, "/api/v1/reports", Some(token)).json(report))
            .await
    }

    /// `GET /api/v1/reports/{id}`.
    pub async fn citizen_report(&self, token: &str, id: &ReportId) -> Result<CitizenReport, RemoteError> {
        self.json(self.request(Method::GET, &format!("/api/v1/reports/{id}"), Some(token)))
            .await
    }

    /// `POST /api/v1/reports/{id}/withdraw`: takes back a report nobody handled yet.
    pub async fn withdraw(&self, token: &str, id: &ReportId) -> Result<(), RemoteError> {
        self.send(self.request(Method::POST, &format!("/api/v1/reports/{id}/withdraw"), Some(token)))
            .await
            .map(drop)
    }

    /// `GET /api/v1/me/export`: everything this device sent, as a ZIP file.
    pub async fn export_me(&self, token: &str) -> Result<Download, RemoteError> {
        // Photos make the file large: more time than the default for the whole body.
        let rb = self
            .request(Method::GET, "/api/v1/me/export", Some(token))
            .timeout(EXPORT_TIMEOUT);
        let response = self.send(rb).await?;
        let is_zip = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/zip"));
        if !is_zip {
            // A captive portal's login page, say: not the citizen's data.
            return Err(RemoteError::Protocol("the export is not a ZIP file".into()));
        }
        let filename = response
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(disposition_filename);
        Ok(Download { filename, response })
    }

    /// `DELETE /api/v1/me`: erases the personal data of every report this device sent and
    /// the device's registration; returns how many reports were touched.
    pub async fn erase_me(&self, token: &str) -> Result<ErasureDone, RemoteError> {
        self.json(self.request(Method::DELETE, "/api/v1/me", Some(token))).await
    }

    /// `POST /api/v1/privacy/erasure`: asks for a confirmation link to erase everything
    /// sent with an e-mail address (the server answers the same whether it knows the
    /// address or not).
    pub async fn request_email_erasure(&self, request: &EmailErasureRequest) -> Result<(), RemoteError> {
        self.send(
            self.request(Method::POST, "/api/v1/privacy/erasure", None)
                .json(request),
        )
        .await
        .map(drop)
    }

    /// `GET /api/v1/reports/nearby`: open reports of a category near a place.
    pub async fn nearby_reports(
        &self,
        token: &str,
        at: GeoPoint,
        category: &CategoryId,
    ) -> Result<Vec<NearbyReport>, RemoteError> {
        self.json(
            self.request(Method::GET, "/api/v1/reports/nearby", Some(token))
                .query(&[
                    ("lat", at.lat.to_string()),
                    ("lon", at.lon.to_string()),
                    ("category", category.as_str().to_owned()),
                ]),
        )
        .await
    }

    /// `PUT /api/v1/reports/{id}/follow` (idempotent).
    pub async fn follow(&self, token: &str, id: &ReportId) -> Result<FollowedReport, RemoteError> {
        self.json(self.request(Method::PUT, &format!("/api/v1/reports/{id}/follow"), Some(token)))
            .await
    }

    /// `GET /api/v1/reports/followed`: the reports the server tells this device about.
    pub async fn followed(&self, token: &str) -> Result<Vec<FollowedReport>, RemoteError> {
        self.json(self.request(Method::GET, "/api/v1/reports/followed", Some(token)))
            .await
    }

    /// `DELETE /api/v1/reports/{id}/follow`.
    pub async fn unfollow(&self, token: &str, id: &ReportId) -> Result<(), RemoteError> {
        self.send(self.request(Method::DELETE, &format!("/api/v1/reports/{id}/follow"), Some(token)))
            .await
            .map(drop)
    }

    /// `POST /api/v1/reports/{id}/messages` (idempotent by the message's id).
    pub async fn reply(&self, token: &str, id: &ReportId, msg: &NewMessage) -> Result<PublicMessage, RemoteError> {
        self.json(
            self.request(Method::POST, &format!("/api/v1/reports/{id}/messages"), Some(token))
                .json(msg),
        )
        .await
    }

    /// `GET /api/v1/sync?since=…`. Changes of a kind this version does not know (a newer
    /// server) are skipped rather than failing the page, so an old app's feed never stalls.
    pub async fn changes(&self, token: &str, since: i64, limit: u32) -> Result<SyncResponse, RemoteError> {
        let page: LenientFeed = self
            .json(
                self.request(Method::GET, "/api/v1/sync", Some(token))
                    .query(&[("since", since.to_string()), ("limit", limit.to_string())]),
            )
            .await?;
        Ok(page.understood())
    }

    /// `GET /api/v1/municipalities`.
    pub async fn municipalities(&self) -> Result<Vec<MunicipalityInfo>, RemoteError> {
        self.json(self.request(Method::GET, "/api/v1/municipalities", None))
            .await
    }

    /// `GET /api/v1/municipalities/{ags}/config`.
    pub async fn municipality_config(&self, ags: &Ags) -> Result<MunicipalityConfig, RemoteError> {
        self.json(self.request(
            Method::GET,
            &format!("/api/v1/municipalities/{}/config", ags.as_str()),
            None,
        ))
        .await
    }

    /// `POST /api/v1/login`.
    pub async fn login(&self, req: &LoginRequest) -> Result<LoginResponse, RemoteError> {
        self.json(self.request(Method::POST, "/api/v1/login", None).json(req))
            .await
    }

    /// `POST /api/v1/logout`.
    pub async fn logout(&self, token: &str) -> Result<(), RemoteError> {
        self.send(self.request(Method::POST, "/api/v1/logout", Some(token)))
            .await
            .map(drop)
    }

    /// `GET /api/v1/staff/reports` (one page).
    pub async fn staff_reports(
        &self,
        token: &str,
        statuses: &str,
        page: u32,
        page_size: u32,
    ) -> Result<Page<StaffReportSummary>, RemoteError> {
        self.json(self.request(Method::GET, "/api/v1/staff/reports", Some(token)).query(&[
            ("status", statuses.to_owned()),
            ("page", page.to_string()),
            ("page_size", page_size.to_string()),
            ("sort", "received_at".to_owned()),
        ]))
        .await
    }

    /// `GET /api/v1/staff/reports/{id}`.
    pub async fn staff_report(&self, token: &str, id: &ReportId) -> Result<StaffReportDetail, RemoteError> {
        self.json(self.request(Method::GET, &format!("/api/v1/staff/reports/{id}"), Some(token)))
            .await
    }

    /// `POST /api/v1/staff/reports/{id}/transition` (idempotent by the request's id).
    pub async fn transition(&self, token: &str, id: &ReportId, req: &TransitionRequest) -> Result<Report, RemoteError> {
        self.json(
            self.request(
                Method::POST,
                &format!("/api/v1/staff/reports/{id}/transition"),
                Some(token),
            )
            .json(req),
        )
        .await
    }

    /// `POST /api/v1/staff/reports/{id}/notes` (idempotent by the note's id).
    pub async fn note(&self, token: &str, id: &ReportId, note: &NewNote) -> Result<InternalNote, RemoteError> {
        self.json(
            self.request(Method::POST, &format!("/api/v1/staff/reports/{id}/notes"), Some(token))
                .json(note),
        )
        .await
    }

    /// `POST /api/v1/staff/reports/{id}/messages` (idempotent by the message's id).
    pub async fn staff_message(
        &self,
        token: &str,
        id: &ReportId,
        msg: &NewMessage,
    ) -> Result<StaffMessage, RemoteError> {
        self.json(
            self.request(
                Method::POST,
                &format!("/api/v1/staff/reports/{id}/messages"),
                Some(token),
            )
            .json(msg),
        )
        .await
    }
}

/// The citizen's data export as it arrives: its name and its bytes, chunk by chunk (a
/// device with many photos may get a large file; it is never held in memory whole).
#[derive(Debug)]
pub struct Download {
    /// The file name the server gave (`Content-Disposition`), if any.
    pub filename: Option<String>,
    response: Response,
}

impl Download {
    /// The next piece of the body; `None` at the end.
    pub async fn chunk(&mut self) -> Result<Option<Vec<u8>>, RemoteError> {
        match self.response.chunk().await {
            Ok(c) => Ok(c.map(|b| b.to_vec())),
            Err(e) => Err(RemoteError::Network(error_chain(&e))),
        }
    }
}

/// The `filename` of a `Content-Disposition` header.
fn disposition_filename(value: &str) -> Option<String> {
    value.split(';').find_map(|part| {
        let (key, name) = part.trim().split_once('=')?;
        (key.trim().eq_ignore_ascii_case("filename")).then(|| name.trim().trim_matches('"').to_owned())
    })
}

/// A page of the change feed whose changes are parsed one by one.
#[derive(serde::Deserialize)]
struct LenientFeed {
    changes: Vec<serde_json::Value>,
    cursor: i64,
    more: bool,
}

impl LenientFeed {
    fn understood(self) -> SyncResponse {
        let changes = self
            .changes
            .into_iter()
            .filter_map(|c| match serde_json::from_value(c) {
                Ok(change) => Some(change),
                Err(e) => {
                    tracing::info!(error = %e, "skipping a change this version does not understand");
                    None
                }
            })
            .collect();
        SyncResponse {
            changes,
            cursor: self.cursor,
            more: self.more,
        }
    }
}

/// The API's error body, as far as the client needs it.
#[derive(serde::Deserialize)]
struct ErrorBody {
    code: String,
    #[serde(default)]
    message: Option<Messages>,
    #[serde(default)]
    details: Vec<FieldError>,
}

#[derive(serde::Deserialize)]
struct Messages {
    #[serde(default)]
    en: Option<String>,
}

async fn error_from(resp: Response) -> RemoteError {
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::retry::parse_retry_after);
    let bytes = match resp.bytes().await {
        Ok(b) => b,
        Err(e) => return RemoteError::Network(error_chain(&e)),
    };
    let (code, message, details) = match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => (
            Some(body.code),
            body.message.and_then(|m| m.en).unwrap_or_default(),
            body.details,
        ),
        Err(_) => (None, quote(&bytes), Vec::new()),
    };
    RemoteError::Status {
        status: status.as_u16(),
        code,
        message: if message.is_empty() {
            status.canonical_reason().unwrap_or("error").to_owned()
        } else {
            message
        },
        details,
        retry_after,
    }
}

/// The start of a body, for an error message.
fn quote(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut q: String = text.chars().take(QUOTE_CHARS).collect();
    if text.chars().count() > QUOTE_CHARS {
        q.push('…');
    }
    q
}

/// reqwest's message plus its causes ("error sending request" alone says nothing).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

/// Whether an answer status is "not found".
pub fn is_not_found(e: &RemoteError) -> bool {
    e.status() == Some(StatusCode::NOT_FOUND.as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_is_named_as_the_server_says() {
        assert_eq!(
            disposition_filename("attachment; filename=\"augenmerk-daten-2026-12-03.zip\"").as_deref(),
            Some("augenmerk-daten-2026-12-03.zip")
        );
        assert_eq!(disposition_filename("attachment").as_deref(), None);
    }

    #[test]
    fn changes_of_an_unknown_kind_are_skipped_and_the_cursor_still_moves() {
        let id = ReportId::new_random();
        let page: LenientFeed = serde_json::from_value(serde_json::json!({
            "changes": [
                {"seq": 1, "report_id": id, "kind": "status", "from": null, "to": "received", "comment": null,
                 "at": "2026-11-28T10:00:00Z"},
                {"seq": 2, "report_id": id, "kind": "rating_requested", "stars": 5},
                {"seq": 3, "report_id": id, "kind": "status", "from": "received", "to": "reopened_by_citizen",
                 "comment": null, "at": "2026-11-28T11:00:00Z"}
            ],
            "cursor": 3,
            "more": false
        }))
        .expect("the page itself parses");
        let feed = page.understood();
        assert_eq!(feed.changes.len(), 1);
        assert_eq!(feed.changes[0].seq, 1);
        assert_eq!(feed.cursor, 3, "the cursor passes over what was skipped");
    }
}
