//! The second factor (issue 24): one's own status, enrolment and switching off, and an
//! admin's reset of an account's factor.

use gloo_net::http::Request;

use augenmerk_domain::second_factor::{TotpCode, TotpEnabled, TotpEnrolment, TotpStatus};

use super::{API, Api, encode};
use crate::backend::web::WebBackend;
use crate::backend::{UiError, UiResult};

impl Api {
    /// The account's second factor.
    pub async fn totp_status(&self) -> UiResult<TotpStatus> {
        self.get("/staff/me/totp").await
    }

    /// Whether a new session (not yet kept) may only set up the second factor.
    pub(super) async fn enrolment_required(token: &str) -> UiResult<bool> {
        let request = Request::get(&format!("{API}/staff/me/totp"))
            .header("Authorization", &format!("Bearer {token}"))
            .build()
            .map_err(UiError::unexpected);
        let status: TotpStatus = WebBackend::json(request).await?;
        Ok(status.enrolment_required)
    }

    /// Starts enrolment: a new secret with its QR code.
    pub async fn totp_begin(&self) -> UiResult<TotpEnrolment> {
        self.post_empty("/staff/me/totp").await
    }

    /// Confirms enrolment with a code; the recovery codes, shown once. An enrol-only
    /// session is a whole one afterwards.
    pub async fn totp_confirm(&self, code: &str) -> UiResult<TotpEnabled> {
        self.post("/staff/me/totp/confirm", &TotpCode { code: code.to_owned() })
            .await
    }

    /// Switches the second factor off with a current code.
    pub async fn totp_disable(&self, code: &str) -> UiResult<()> {
        let request = self
            .authed(Request::delete(&format!("{API}/staff/me/totp")))?
            .json(&TotpCode { code: code.to_owned() })
            .map_err(UiError::unexpected);
        self.check(WebBackend::send(request).await).map(|_| ())
    }

    /// Removes an account's second factor (admins).
    pub async fn totp_reset(&self, user: &str) -> UiResult<()> {
        let request = self
            .authed(Request::post(&format!(
                "{API}/staff/config/users/{}/reset-totp",
                encode(user)
            )))?
            .build()
            .map_err(UiError::unexpected);
        self.check(WebBackend::send(request).await).map(|_| ())
    }
}
