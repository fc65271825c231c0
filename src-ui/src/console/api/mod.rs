//! The console's access to the staff API: the session (token, account, expiry) kept in the
//! browser's storage, and JSON requests with the bearer token. A 401 ends the session and
//! sends the user back to the login with a notice, wherever it happens. The endpoints
//! themselves are typed functions in `endpoints`; the generic requests stay private here.

mod config_endpoints;
mod duplicate_endpoints;
mod endpoints;
mod overview_endpoints;
mod sso_endpoints;
mod totp_endpoints;
mod triage_endpoints;

use chrono::{DateTime, Utc};
use gloo_net::http::{Request, RequestBuilder};
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use augenmerk_domain::api::{LoginRequest, LoginResponse};
use augenmerk_domain::credentials::{LoginName, Password};
use augenmerk_domain::staff::{Role, StaffUser};

use crate::backend::web::WebBackend;
use crate::backend::{UiError, UiResult};
use crate::storage;

pub use endpoints::{municipalities, municipality_config};
pub use sso_endpoints::{sso_info, sso_start_url};

const API: &str = "/api/v1";
const SESSION_KEY: &str = "augenmerk.console-session";

/// A logged-in staff member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Bearer token.
    pub token: String,
    /// When the server stops accepting it.
    pub expires_at: DateTime<Utc>,
    /// The account.
    pub user: StaffUser,
    /// The municipality's name (for the header).
    pub municipality_name: String,
    /// The municipality's accent colour (CSS), if it set one.
    #[serde(default)]
    pub accent_color: Option<String>,
    /// The municipality's logo (an image data URL), if it set one.
    #[serde(default)]
    pub logo: Option<String>,
}

impl Session {
    /// Whether the account may change the configuration.
    pub fn is_admin(&self) -> bool {
        self.user.role.configures()
    }

    /// Whether the account runs the platform (tenants, directory) rather than a municipality.
    pub fn is_platform(&self) -> bool {
        matches!(self.user.role, Role::PlatformAdmin)
    }

    /// Whether the account is data protection only: it executes erasure requests and
    /// reads the erasure log, and sees no reports.
    pub fn is_privacy_only(&self) -> bool {
        matches!(self.user.role, Role::PrivacyOfficer)
    }

    /// Whether the account sees every report (dispatcher, admin) or only its own.
    pub fn sees_all(&self) -> bool {
        self.user.role.sees_all_reports()
    }
}

/// Why the user is at the login page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoggedOut {
    /// Never logged in (or logged out on purpose).
    Plain,
    /// The server no longer accepted the token.
    Expired,
}

/// The console's API client (copyable: it only holds signals).
#[derive(Debug, Clone, Copy)]
pub struct Api {
    /// The session, `None` when logged out.
    pub session: RwSignal<Option<Session>>,
    /// Why the session ended.
    pub logged_out: RwSignal<LoggedOut>,
    /// The session may only set up the second factor (an admin who must have one).
    pub enrol_only: RwSignal<bool>,
}

impl Api {
    /// Restores a stored session that has not expired.
    pub fn restore() -> Self {
        let stored: Option<Session> = storage::get(SESSION_KEY)
            .and_then(|json| serde_json::from_str(&json).ok())
            .filter(|s: &Session| s.expires_at > Utc::now());
        Self {
            session: RwSignal::new(stored),
            logged_out: RwSignal::new(LoggedOut::Plain),
            enrol_only: RwSignal::new(false),
        }
    }

    /// Logs in (without a municipality: the platform admin); keeps the session in the
    /// browser's storage.
    pub async fn login(
        &self,
        municipality: Option<augenmerk_domain::Ags>,
        username: &str,
        password: &str,
        totp: Option<String>,
    ) -> UiResult<()> {
        // A name or password no account can have: the server would refuse it the same way.
        let wrong = || {
            UiError::from(augenmerk_domain::ErrorBody::new(
                augenmerk_domain::ErrorCode::InvalidCredentials,
            ))
        };
        let body = LoginRequest {
            municipality: municipality.clone(),
            username: LoginName::parse(username).map_err(|_| wrong())?,
            password: Password::parse(password).map_err(|_| wrong())?,
            totp: totp.filter(|c| !c.trim().is_empty()),
        };
        let request = Request::post(&format!("{API}/login"))
            .json(&body)
            .map_err(UiError::unexpected);
        let answer: LoginResponse = WebBackend::json(request).await?;
        // An admin who must have a second factor and has none goes straight to setting it up.
        let enrol_only = augenmerk_domain::second_factor::totp_required(answer.role, true)
            && Self::enrolment_required(&answer.token).await?;
        self.enrol_only.set(enrol_only);
        self.begin(municipality, answer).await
    }

    /// Keeps a session the server gave (password login, single sign-on) with the
    /// municipality's name, colour and logo, in the browser's storage.
    async fn begin(&self, municipality: Option<augenmerk_domain::Ags>, answer: LoginResponse) -> UiResult<()> {
        // The platform admin belongs to no municipality: no name, colour or logo to show.
        let config = match &municipality {
            Some(m) if !matches!(answer.role, Role::PlatformAdmin) => municipality_config(m).await.ok(),
            _ => None,
        };
        let name = config.as_ref().map_or_else(
            || municipality.as_ref().map(|m| m.to_string()).unwrap_or_default(),
            |c| c.name.clone(),
        );
        let (accent_color, logo) = config.map_or((None, None), |c| (c.accent_color, c.logo));
        let session = Session {
            token: answer.token,
            expires_at: answer.expires_at,
            user: answer.user,
            municipality_name: name,
            accent_color,
            logo,
        };
        if let Ok(json) = serde_json::to_string(&session) {
            storage::set(SESSION_KEY, &json);
        }
        self.logged_out.set(LoggedOut::Plain);
        self.session.set(Some(session));
        Ok(())
    }

    /// Ends the session on the server and here.
    pub async fn logout(&self) {
        let _ = self.send(Request::post(&format!("{API}/logout"))).await;
        self.end(LoggedOut::Plain);
    }

    fn end(&self, why: LoggedOut) {
        storage::remove(SESSION_KEY);
        self.enrol_only.set(false);
        self.logged_out.set(why);
        self.session.set(None);
    }

    fn authed(&self, builder: RequestBuilder) -> UiResult<RequestBuilder> {
        let Some(token) = self.session.with_untracked(|s| s.as_ref().map(|s| s.token.clone())) else {
            self.end(LoggedOut::Expired);
            return Err(unauthorized());
        };
        Ok(builder.header("Authorization", &format!("Bearer {token}")))
    }

    /// A 401 means the session is over: back to the login. A 403 for a missing second
    /// factor sends an enrol-only session (one restored from storage) to setting it up.
    fn check<T>(&self, result: UiResult<T>) -> UiResult<T> {
        if let Err(e) = &result {
            match e.code.as_deref() {
                Some("unauthorized") => self.end(LoggedOut::Expired),
                Some("totp_enrolment_required") => self.enrol_only.set(true),
                _ => {}
            }
        }
        result
    }

    async fn send(&self, builder: RequestBuilder) -> UiResult<gloo_net::http::Response> {
        let request = self.authed(builder)?.build().map_err(UiError::unexpected);
        self.check(WebBackend::send(request).await)
    }

    /// GET JSON from a path under `/api/v1`.
    async fn get<T: DeserializeOwned>(&self, path: &str) -> UiResult<T> {
        let request = self
            .authed(Request::get(&format!("{API}{path}")))?
            .build()
            .map_err(UiError::unexpected);
        self.check(WebBackend::json(request).await)
    }

    async fn with_body<B: Serialize, T: DeserializeOwned>(&self, builder: RequestBuilder, body: &B) -> UiResult<T> {
        let request = self.authed(builder)?.json(body).map_err(UiError::unexpected);
        self.check(WebBackend::json(request).await)
    }

    /// POST JSON, JSON answer.
    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> UiResult<T> {
        self.with_body(Request::post(&format!("{API}{path}")), body).await
    }

    /// PATCH JSON, JSON answer.
    async fn patch<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> UiResult<T> {
        self.with_body(Request::patch(&format!("{API}{path}")), body).await
    }

    /// PUT JSON, JSON answer.
    async fn put<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> UiResult<T> {
        self.with_body(Request::put(&format!("{API}{path}")), body).await
    }

    /// DELETE, no answer body.
    async fn delete(&self, path: &str) -> UiResult<()> {
        self.send(Request::delete(&format!("{API}{path}"))).await.map(|_| ())
    }

    /// POST a raw body (GeoJSON import), JSON answer.
    async fn post_raw<T: DeserializeOwned>(&self, path: &str, content_type: &str, body: String) -> UiResult<T> {
        let request = self
            .authed(Request::post(&format!("{API}{path}")).header("Content-Type", content_type))?
            .body(body)
            .map_err(UiError::unexpected);
        self.check(WebBackend::json(request).await)
    }

    /// POST without a body (an action), JSON answer.
    async fn post_empty<T: DeserializeOwned>(&self, path: &str) -> UiResult<T> {
        let request = self
            .authed(Request::post(&format!("{API}{path}")))?
            .build()
            .map_err(UiError::unexpected);
        self.check(WebBackend::json(request).await)
    }

    /// Fetches a file (photo, CSV) and returns an object URL for it.
    async fn object_url(&self, path: &str, mime: &str) -> UiResult<String> {
        let response = self.send(Request::get(&format!("{API}{path}"))).await?;
        let bytes = response.binary().await.map_err(UiError::unexpected)?;
        let array = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &options)
            .map_err(|e| UiError::unexpected(format!("{e:?}")))?;
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| UiError::unexpected(format!("{e:?}")))
    }
}

fn unauthorized() -> UiError {
    UiError {
        code: Some("unauthorized".into()),
        ..UiError::localized("c-e-sign-in-again")
    }
}

/// The console's API from context.
pub fn use_api() -> Api {
    expect_context::<Api>()
}

/// Percent-encodes a query value (text search, ids).
pub fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}
