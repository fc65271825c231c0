//! Signing a staff member in (`POST /api/v1/login`), with the second factor of an account
//! that has one (issue 24): any account may enrol, and admins must. The session is kept
//! in the local database for offline use. A missing or wrong code comes back as its own
//! error ([`ClientError::TotpRequired`], [`ClientError::InvalidTotp`]), so that the app
//! and the command line can ask for the code instead of reading the server's text.

use augenmerk_domain::Ags;
use augenmerk_domain::api::LoginRequest;
use augenmerk_domain::credentials::{LoginName, Password};
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::second_factor::SecondFactor;
use augenmerk_domain::staff::StaffUser;

use crate::error::{ClientError, RemoteError, Result};
use crate::field::{STAFF_EXPIRES, STAFF_TOKEN, STAFF_USER};
use crate::retry::with_retry_if;
use crate::{Client, time};

impl Client {
    /// Signs in as staff with name and password, and with `totp` (a code of the
    /// authenticator app or a recovery code) when the account has a second factor; an
    /// account without one ignores it. Without the code such an account's sign-in fails
    /// with [`ClientError::TotpRequired`]: ask for it and call again.
    pub async fn login(
        &self,
        municipality: Option<Ags>,
        username: &str,
        password: &str,
        totp: Option<&SecondFactor>,
    ) -> Result<StaffUser> {
        let api = self.api()?;
        // A name or password no account can have is refused here, as the server would.
        let req = LoginRequest {
            municipality,
            username: LoginName::parse(username).map_err(|e| ClientError::Invalid(vec![e]))?,
            password: Password::parse(password).map_err(|e| ClientError::Invalid(vec![e]))?,
            totp: totp.map(|f| f.as_str().to_owned()),
        };
        let with_code = req.totp.is_some();
        let resp = with_retry_if(&self.options.retry, |e| retryable(e, with_code), || api.login(&req))
            .await
            .map_err(refusal)?;
        let user_json = serde_json::to_string(&resp.user).map_err(|e| ClientError::Server(e.to_string()))?;
        self.db(|c| {
            let tx = c.transaction()?;
            Self::set_meta(&tx, STAFF_TOKEN, &resp.token)?;
            Self::set_meta(&tx, STAFF_USER, &user_json)?;
            Self::set_meta(&tx, STAFF_EXPIRES, &time::ts(&resp.expires_at))?;
            tx.commit()?;
            Ok(())
        })?;
        Ok(resp.user)
    }
}

/// Whether a failed sign-in is sent again by itself. Never after 429: a person is
/// waiting, the answer says how long, and repeating would only use up the limit. With a
/// code, only when the request surely did not reach the server: a code counts once, so
/// repeating a request that may have arrived could turn a right code into `invalid_totp`.
fn retryable(e: &RemoteError, with_code: bool) -> bool {
    match e {
        RemoteError::Unreachable(_) => true,
        _ if with_code || e.status() == Some(429) => false,
        _ => e.is_transient(),
    }
}

/// The server's refusal of a sign-in: the second factor's answers as their own errors.
fn refusal(e: RemoteError) -> ClientError {
    let code = e
        .code()
        .and_then(|c| serde_json::from_value::<ErrorCode>(serde_json::Value::String(c.to_owned())).ok());
    match code {
        Some(ErrorCode::TotpRequired) => ClientError::TotpRequired,
        Some(ErrorCode::InvalidTotp) => ClientError::InvalidTotp,
        _ => ClientError::Remote(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, code: &str) -> RemoteError {
        RemoteError::Status {
            status,
            code: Some(code.to_owned()),
            message: String::new(),
            details: Vec::new(),
            retry_after: None,
        }
    }

    #[test]
    fn the_second_factors_answers_are_their_own_errors() {
        assert!(matches!(
            refusal(answer(401, "totp_required")),
            ClientError::TotpRequired
        ));
        assert!(matches!(refusal(answer(401, "invalid_totp")), ClientError::InvalidTotp));
        assert!(matches!(
            refusal(answer(401, "invalid_credentials")),
            ClientError::Remote(RemoteError::Status { status: 401, .. })
        ));
        // Too many codes: the limit's answer, with its status and code, not "wrong code".
        match refusal(answer(429, "rate_limited")) {
            ClientError::Remote(e) => assert_eq!((e.status(), e.code()), (Some(429), Some("rate_limited"))),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_sign_in_is_repeated_only_where_that_cannot_hurt() {
        let unreachable = RemoteError::Unreachable("refused".into());
        let reset = RemoteError::Network("reset".into());
        for with_code in [false, true] {
            assert!(retryable(&unreachable, with_code));
            assert!(!retryable(&answer(429, "rate_limited"), with_code));
            assert!(!retryable(&answer(401, "invalid_credentials"), with_code));
        }
        assert!(retryable(&reset, false));
        assert!(retryable(&answer(503, "server_busy"), false));
        // The code may have been used by the request that got no answer.
        assert!(!retryable(&reset, true));
        assert!(!retryable(&answer(503, "server_busy"), true));
    }
}
