//! Single sign-on (issue 24): what the login screen asks before anyone signs in, and the
//! exchange of the one-time code the server sends the browser back with for a session.

use gloo_net::http::Request;

use augenmerk_domain::Ags;
use augenmerk_domain::api::LoginResponse;
use augenmerk_domain::sso::{SsoExchange, SsoInfo};

use super::{API, Api, encode};
use crate::backend::web::WebBackend;
use crate::backend::{UiError, UiResult};

/// Whether a municipality offers single sign-on and still takes passwords.
pub async fn sso_info(ags: &Ags) -> UiResult<SsoInfo> {
    let request = Request::get(&format!("{API}/sso/{}", encode(ags.as_str())))
        .build()
        .map_err(UiError::unexpected);
    WebBackend::json(request).await
}

/// Where the browser goes to sign in at the municipality's identity provider.
pub fn sso_start_url(ags: &Ags) -> String {
    format!("{API}/sso/{}/start", encode(ags.as_str()))
}

impl Api {
    /// Exchanges the one-time code for a session and keeps it, as a password login does.
    pub async fn sso_exchange(&self, code: &str) -> UiResult<()> {
        let request = Request::post(&format!("{API}/sso/exchange"))
            .json(&SsoExchange { code: code.to_owned() })
            .map_err(UiError::unexpected);
        let answer: LoginResponse = WebBackend::json(request).await?;
        let municipality = answer.user.municipality.clone();
        self.begin(Some(municipality), answer).await
    }
}
