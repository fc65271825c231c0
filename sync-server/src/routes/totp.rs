//! The second factor of local staff accounts (TOTP, RFC 6238; issue 24): one's own
//! enrolment (secret and QR code, confirmation with a code, recovery codes once), switching
//! it off, an admin's reset of an account's factor, and the check at sign-in with its own
//! attempt limit. The rules are in [`augenmerk_domain::second_factor`].

use std::net::IpAddr;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};
use utoipa_axum::routes;

use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::second_factor::{
    self, FAILED_CODES_WINDOW_MINUTES, RecoveryCode, SecondFactor, TotpCode, TotpEnabled, TotpEnrolment, TotpStatus,
};
use augenmerk_domain::sessions::LoginOutcome;
use augenmerk_domain::staff::{Role, StaffUser};
use augenmerk_domain::{Ags, UserId};
use augenmerk_store::TotpRecord;

use super::{ApiJson, ApiPath, ApiRouter, sessions};
use crate::auth::{EnrolmentAuth, StaffAuth};
use crate::error::{ApiError, ApiResult};
use crate::limits::ClientAddr;
use crate::state::AppState;

/// Routes of the second factor.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(status, begin, disable))
        .routes(routes!(confirm))
        .routes(routes!(reset))
}

/// Whether the account must have a second factor (its municipality's setting).
async fn required(state: &AppState, user: &StaffUser) -> ApiResult<bool> {
    let for_admins = match user.role {
        Role::PlatformAdmin => true,
        _ => {
            state
                .tenant(&user.municipality)
                .await?
                .record
                .settings
                .totp
                .required_for_admins
        }
    };
    Ok(second_factor::totp_required(user.role, for_admins))
}

/// The sign-in log's municipality of an account (none for the platform's own).
fn log_ags(user: &StaffUser) -> Option<&Ags> {
    (user.role != Role::PlatformAdmin).then_some(&user.municipality)
}

fn totp_of(secret: &str, user: &StaffUser) -> ApiResult<Totp> {
    let secret = Secret::try_from_base32(secret).map_err(|e| ApiError::internal(format!("stored TOTP secret: {e}")))?;
    // The app lists the account as "Augenmerk (01001000): admin"; a colon would end the
    // issuer early, so none is let through.
    let issuer = match user.role {
        Role::PlatformAdmin => "Augenmerk".to_owned(),
        _ => format!("Augenmerk ({})", user.municipality.as_str()),
    };
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(second_factor::DIGITS)
        .with_skew(second_factor::SKEW_STEPS)
        .with_step_duration(second_factor::STEP_SECS)
        .with_secret(secret)
        .with_issuer(Some(issuer.replace(':', " ")))
        .with_account_name(user.username.replace(':', " "))
        .build()
        .map_err(|e| ApiError::internal(format!("TOTP: {e}")))
}

fn recovery_hash(code: &RecoveryCode) -> String {
    hex::encode(Sha256::digest(code.as_str().as_bytes()))
}

fn now_secs() -> u64 {
    u64::try_from(Utc::now().timestamp()).unwrap_or(0)
}

/// What a code sent for an enrolled account came to.
enum Checked {
    /// A code of the app, or a recovery code (now used up).
    Passed { recovery: bool },
    /// Wrong, used already, or not a code at all (logged as a wrong code).
    Wrong,
}

/// Checks a code of an enrolled account, within the attempt limit (429 beyond it); a
/// wrong one goes into the sign-in log, which the limit counts.
async fn check_code(
    state: &AppState,
    user: &StaffUser,
    record: &TotpRecord,
    code: &str,
    client: Option<IpAddr>,
) -> ApiResult<Checked> {
    let now = Utc::now();
    let since = now - Duration::minutes(FAILED_CODES_WINDOW_MINUTES);
    let failures = state
        .store
        .login_outcomes_since(&user.id, LoginOutcome::WrongTotp, since)
        .await?;
    if let Err(secs) = second_factor::code_attempt_allowed(&failures, now) {
        return Err(ApiError::new(ErrorCode::RateLimited).retry_after(secs));
    }
    let passed = match SecondFactor::parse(code) {
        Some(SecondFactor::Totp(digits)) => match totp_of(&record.secret, user)?.check(&digits, now_secs()) {
            // A code counts once (RFC 6238 §5.2): a code seen over a shoulder is no use.
            Some(step) => state.store.use_totp_step(&user.id, step).await?.then_some(false),
            None => None,
        },
        Some(SecondFactor::Recovery(rc)) => state
            .store
            .use_recovery_code(&user.id, &recovery_hash(&rc))
            .await?
            .then_some(true),
        None => None,
    };
    Ok(match passed {
        Some(recovery) => Checked::Passed { recovery },
        None => {
            sessions::log(
                state,
                log_ags(user),
                &user.username,
                Some(user.id),
                LoginOutcome::WrongTotp,
                client,
            )
            .await;
            Checked::Wrong
        }
    })
}

/// What the second factor makes of a sign-in whose password was right.
pub enum AtLogin {
    /// Enrolled, and the code was right.
    Passed {
        /// It was a recovery code.
        recovery: bool,
    },
    /// Enrolled, and the code was wrong (already logged).
    Wrong,
    /// Not enrolled; `enrol_only` when the account must be.
    NotEnrolled {
        /// The session may only set up the second factor.
        enrol_only: bool,
    },
}

/// The second-factor step of `POST /api/v1/login`: `totp_required` (401) when an enrolled
/// account sent no code, 429 past the attempt limit.
pub async fn at_login(
    state: &AppState,
    user: &StaffUser,
    code: Option<&str>,
    client: Option<IpAddr>,
) -> ApiResult<AtLogin> {
    match state.store.totp(&user.id).await? {
        Some(record) if record.enabled_at.is_some() => {
            let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
                return Err(ApiError::new(ErrorCode::TotpRequired));
            };
            Ok(match check_code(state, user, &record, code, client).await? {
                Checked::Passed { recovery } => AtLogin::Passed { recovery },
                Checked::Wrong => AtLogin::Wrong,
            })
        }
        _ => Ok(AtLogin::NotEnrolled {
            enrol_only: required(state, user).await?,
        }),
    }
}

/// The signed-in account's second factor; an enrol-only session may ask.
#[utoipa::path(get, path = "/api/v1/staff/me/totp", tag = "staff",
    responses((status = 200, body = TotpStatus)), security(("bearer" = [])))]
async fn status(State(state): State<AppState>, me: EnrolmentAuth) -> ApiResult<ApiJson<TotpStatus>> {
    let record = state.store.totp(&me.user.id).await?;
    let enabled_at = record.and_then(|r| r.enabled_at);
    Ok(ApiJson(TotpStatus {
        enabled: enabled_at.is_some(),
        enabled_at,
        required: required(&state, &me.user).await?,
        enrolment_required: me.enrol_only,
        recovery_codes_left: state.store.recovery_codes_left(&me.user.id).await?,
    }))
}

/// Starts enrolment: a new secret, its `otpauth://` URL and QR code. It counts once
/// confirmed; starting again replaces an unconfirmed one. 409 if one is enabled.
#[utoipa::path(post, path = "/api/v1/staff/me/totp", tag = "staff",
    responses((status = 200, body = TotpEnrolment),
        (status = 409, description = "a second factor is enabled already", body = augenmerk_domain::ErrorBody)),
    security(("bearer" = [])))]
async fn begin(State(state): State<AppState>, me: EnrolmentAuth) -> ApiResult<ApiJson<TotpEnrolment>> {
    let secret = Secret::generate().to_base32();
    let totp = totp_of(&secret, &me.user)?;
    if !state.store.begin_totp(&me.user.id, &secret).await? {
        return Err(ApiError::new(ErrorCode::Conflict));
    }
    let otpauth_url = totp
        .to_url()
        .map_err(|e| ApiError::internal(format!("TOTP URL: {e}")))?;
    let qr = totp
        .to_qr_base64()
        .map_err(|e| ApiError::internal(format!("TOTP QR code: {e}")))?;
    Ok(ApiJson(TotpEnrolment {
        secret,
        otpauth_url,
        qr_code: format!("data:image/png;base64,{qr}"),
    }))
}

/// Confirms enrolment with a code of the app: from now on sign-ins ask for a code. The
/// answer holds the ten recovery codes, shown this once. This session, if enrol-only,
/// becomes a whole one; the account's other enrol-only sessions stay so.
#[utoipa::path(post, path = "/api/v1/staff/me/totp/confirm", tag = "staff", request_body = TotpCode,
    responses((status = 200, body = TotpEnabled),
        (status = 409, description = "no enrolment under way (start one first)", body = augenmerk_domain::ErrorBody),
        (status = 429, description = "too many wrong codes")),
    security(("bearer" = [])))]
async fn confirm(
    State(state): State<AppState>,
    me: EnrolmentAuth,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<TotpCode>,
) -> ApiResult<ApiJson<TotpEnabled>> {
    let record = match state.store.totp(&me.user.id).await? {
        Some(r) if r.enabled_at.is_none() => r,
        _ => return Err(ApiError::new(ErrorCode::Conflict)),
    };
    let now = Utc::now();
    let failures = state
        .store
        .login_outcomes_since(
            &me.user.id,
            LoginOutcome::WrongTotp,
            now - Duration::minutes(FAILED_CODES_WINDOW_MINUTES),
        )
        .await?;
    if let Err(secs) = second_factor::code_attempt_allowed(&failures, now) {
        return Err(ApiError::new(ErrorCode::RateLimited).retry_after(secs));
    }
    let step = match SecondFactor::parse(&req.code) {
        Some(SecondFactor::Totp(digits)) => totp_of(&record.secret, &me.user)?.check(&digits, now_secs()),
        _ => None,
    };
    let Some(step) = step else {
        sessions::log(
            &state,
            log_ags(&me.user),
            &me.user.username,
            Some(me.user.id),
            LoginOutcome::WrongTotp,
            client,
        )
        .await;
        return Err(ApiError::new(ErrorCode::InvalidTotp));
    };
    let codes: Vec<RecoveryCode> = (0..second_factor::RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rng().fill_bytes(&mut bytes);
            RecoveryCode::from_random(bytes)
        })
        .collect();
    let hashes = codes.iter().map(recovery_hash).collect();
    if !state
        .store
        .enable_totp(&me.user.id, now, step, hashes, &me.token_hash)
        .await?
    {
        return Err(ApiError::new(ErrorCode::Conflict));
    }
    Ok(ApiJson(TotpEnabled {
        recovery_codes: codes.iter().map(RecoveryCode::display).collect(),
    }))
}

/// Switches one's second factor off with a current code (or a recovery code). 403 when
/// the account must have one; 404 when it has none.
#[utoipa::path(delete, path = "/api/v1/staff/me/totp", tag = "staff", request_body = TotpCode,
    responses((status = 204), (status = 429, description = "too many wrong codes")), security(("bearer" = [])))]
async fn disable(
    State(state): State<AppState>,
    me: EnrolmentAuth,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<TotpCode>,
) -> ApiResult<StatusCode> {
    let Some(record) = state.store.totp(&me.user.id).await?.filter(|r| r.enabled_at.is_some()) else {
        return Err(ApiError::not_found());
    };
    if required(&state, &me.user).await? {
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    match check_code(&state, &me.user, &record, &req.code, client).await? {
        Checked::Passed { .. } => {
            state.store.remove_totp(&me.user.id).await?;
            Ok(StatusCode::NO_CONTENT)
        }
        Checked::Wrong => Err(ApiError::new(ErrorCode::InvalidTotp)),
    }
}

/// An admin removes an account's second factor (a lost phone and lost recovery codes);
/// the account sets it up again at its next sign-in if it must have one. Logged.
#[utoipa::path(post, path = "/api/v1/staff/config/users/{id}/reset-totp", tag = "config",
    params(("id" = String, Path)), responses((status = 204)), security(("bearer" = [])))]
async fn reset(
    State(state): State<AppState>,
    staff: StaffAuth,
    ClientAddr(client): ClientAddr,
    ApiPath(id): ApiPath<UserId>,
) -> ApiResult<StatusCode> {
    staff.require_admin()?;
    // Another municipality's account is not found here.
    let user = state.store.get_user(staff.ags(), &id).await?;
    if user.role == Role::PlatformAdmin || !state.store.remove_totp(&user.id).await? {
        return Err(ApiError::not_found());
    }
    sessions::log(
        &state,
        Some(staff.ags()),
        &user.username,
        Some(user.id),
        LoginOutcome::TotpReset,
        client,
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
