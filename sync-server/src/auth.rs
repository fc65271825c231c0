//! Who is calling: devices and staff by bearer token, and passwords with argon2id
//! (rate limits: [`crate::limits`]).
//!
//! Tokens are 32 random bytes (base64url); the database keeps only their SHA-256, so a
//! leaked database does not leak usable tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::staff::{Role, StaffUser};
use augenmerk_domain::{Ags, DeviceId};
use augenmerk_store::StoreError;

use crate::error::ApiError;
use crate::state::AppState;

/// A fresh secret token.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// How a token is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hashes a password with argon2id (slow on purpose: run it off the async threads).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(ApiError::internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// Checks a password against a stored argon2 hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash to verify against when the account does not exist, so that timing does not
/// tell whether a login name exists.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("augenmerk-dummy-password").unwrap_or_default())
}

/// Checks a new password of the account `login_name` against the rules of
/// [`crate::passwords`]; `other_words` are more words of the account (display name,
/// municipality) that must not make it up.
pub fn check_new_password(password: &str, login_name: &str, other_words: &[&str]) -> Result<(), ApiError> {
    crate::passwords::check(password, login_name, other_words).map_err(ApiError::from)
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// A request from a registered device.
pub struct DeviceAuth(pub DeviceId);

impl FromRequestParts<AppState> for DeviceAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))?;
        match state.store.get_device(&token_hash(token)).await {
            Ok(id) => {
                state.device_seen(&id).await;
                Ok(Self(id))
            }
            Err(StoreError::NotFound) => Err(ApiError::new(ErrorCode::Unauthorized)),
            Err(e) => Err(e.into()),
        }
    }
}

/// A request from a logged-in staff member of a municipality.
pub struct StaffAuth {
    /// The account.
    pub user: StaffUser,
}

impl StaffAuth {
    /// The municipality of the account.
    pub fn ags(&self) -> &Ags {
        &self.user.municipality
    }

    /// Fails unless the account may configure the municipality.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.user.role.configures() {
            Ok(())
        } else {
            Err(ApiError::new(ErrorCode::Forbidden))
        }
    }
}

/// The session's account, and whether the session is enrol-only (see [`EnrolmentAuth`]).
async fn any_session_user(parts: &Parts, state: &AppState) -> Result<(StaffUser, bool), ApiError> {
    let token = bearer(parts).ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))?;
    let hash = token_hash(token);
    let user = match state.store.get_session(&hash, chrono::Utc::now()).await {
        Ok(user) => user,
        Err(StoreError::NotFound) => return Err(ApiError::new(ErrorCode::Unauthorized)),
        Err(e) => return Err(e.into()),
    };
    // Only accounts that can be made to have a second factor get enrol-only sessions:
    // the others' requests skip the look-up.
    let enrol_only = augenmerk_domain::second_factor::totp_required(user.role, true)
        && state.store.session_restricted(&hash).await?;
    Ok((user, enrol_only))
}

async fn session_user(parts: &Parts, state: &AppState) -> Result<StaffUser, ApiError> {
    match any_session_user(parts, state).await? {
        (_, true) => Err(ApiError::new(ErrorCode::TotpEnrolmentRequired)),
        (user, false) => Ok(user),
    }
}

/// A request from any logged-in account, its session enrol-only or not: the routes that
/// set up the second factor (an admin who must have one may do nothing else first).
pub struct EnrolmentAuth {
    /// The account.
    pub user: StaffUser,
    /// The session may do nothing but set up the second factor.
    pub enrol_only: bool,
    /// The SHA-256 of the request's token.
    pub token_hash: String,
}

impl FromRequestParts<AppState> for EnrolmentAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (user, enrol_only) = any_session_user(parts, state).await?;
        let token = bearer(parts).ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))?;
        Ok(Self {
            user,
            enrol_only,
            token_hash: token_hash(token),
        })
    }
}

impl FromRequestParts<AppState> for StaffAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = session_user(parts, state).await?;
        if matches!(user.role, Role::PlatformAdmin | Role::PrivacyOfficer) {
            // The platform admin manages municipalities, not their reports; the privacy
            // officer executes erasure requests (PrivacyAuth) and sees no cases.
            return Err(ApiError::new(ErrorCode::Forbidden));
        }
        Ok(Self { user })
    }
}

/// A request from staff who may execute erasure requests (admins, privacy officers).
pub struct PrivacyAuth(pub StaffUser);

impl PrivacyAuth {
    /// The municipality of the account.
    pub fn ags(&self) -> &Ags {
        &self.0.municipality
    }
}

impl FromRequestParts<AppState> for PrivacyAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = session_user(parts, state).await?;
        if !user.role.handles_privacy() {
            return Err(ApiError::new(ErrorCode::Forbidden));
        }
        Ok(Self(user))
    }
}

/// A request from any logged-in account of a municipality (its own account page).
pub struct MunicipalUserAuth(pub StaffUser);

impl FromRequestParts<AppState> for MunicipalUserAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = session_user(parts, state).await?;
        if user.role == Role::PlatformAdmin {
            return Err(ApiError::new(ErrorCode::Forbidden));
        }
        Ok(Self(user))
    }
}

/// A request from the platform admin.
pub struct PlatformAdminAuth(pub StaffUser);

impl FromRequestParts<AppState> for PlatformAdminAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = session_user(parts, state).await?;
        if user.role != Role::PlatformAdmin {
            return Err(ApiError::new(ErrorCode::Forbidden));
        }
        Ok(Self(user))
    }
}

/// A request from any logged-in account, with its session (its own sessions page).
pub struct SessionAuth {
    /// The account.
    pub user: StaffUser,
    /// The SHA-256 of the request's token.
    pub token_hash: String,
}

impl FromRequestParts<AppState> for SessionAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = session_user(parts, state).await?;
        let token = bearer(parts).ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))?;
        Ok(Self {
            user,
            token_hash: token_hash(token),
        })
    }
}

/// The bearer token of a request, for logout.
pub struct RawToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RawToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        bearer(parts)
            .map(|t| Self(t.to_owned()))
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_tokens_hash() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        let t = new_token();
        assert_eq!(t.len(), 43);
        assert_eq!(token_hash(&t).len(), 64);
    }
}
