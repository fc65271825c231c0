//! Single sign-on routes (issue 24): what the login screen needs to know, the start of a
//! sign-in at the municipality's provider, the provider's callback, and the console's
//! exchange of a one-time code for a session. The protocol is in [`crate::oidc`].
//!
//! The browser goes: console → `start` → provider → `callback` → console
//! (`#/console/sso?code=…`, or `?error=…`) → `exchange` (a session, as the password login
//! gives). Every sign-in and every refusal after the provider answered is in the
//! municipality's sign-in log.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use utoipa_axum::routes;

use augenmerk_domain::api::LoginResponse;
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::sessions::LoginOutcome;
use augenmerk_domain::sso::{SsoConfig, SsoExchange, SsoInfo, SsoRefusal, identify};
use augenmerk_domain::staff::StaffUser;
use augenmerk_domain::{Ags, UserId};
use augenmerk_store::{SsoPendingKind, StoreError};

use super::{ApiJson, ApiPath, ApiQuery, ApiRouter, sessions};
use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::limits::ClientAddr;
use crate::oidc::{self, ATTEMPT_MINUTES, Attempt, HANDOVER_SECONDS, Identity};
use crate::state::AppState;

/// Single sign-on routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(info))
        .routes(routes!(start))
        .routes(routes!(callback))
        .routes(routes!(exchange))
}

/// Where the provider sends the person back (registered at the provider as the
/// redirect URI).
fn redirect_url(state: &AppState) -> String {
    format!(
        "{}/api/v1/sso/callback",
        state.settings.public_base_url(state.settings.listen)
    )
}

/// The console's page that finishes a sign-in, with a one-time code or an error.
fn to_console(state: &AppState, query: &str) -> Response {
    let base = state.settings.public_base_url(state.settings.listen);
    Redirect::to(&format!("{base}/#/console/sso?{query}")).into_response()
}

/// The municipality's checked single sign-on, if enabled.
async fn config_of(state: &AppState, ags: &Ags) -> ApiResult<Option<SsoConfig>> {
    let tenant = state.tenant(ags).await?;
    // Stored settings were checked when saved; a failure here is a stored mistake.
    tenant
        .record
        .settings
        .sso
        .parse()
        .map_err(|_| ApiError::internal("stored SSO settings do not parse"))
}

/// Whether a municipality offers single sign-on and still accepts local accounts (for
/// the console's login screen, before anyone signs in).
#[utoipa::path(get, path = "/api/v1/sso/{municipality}", tag = "staff", params(("municipality" = String, Path)),
    responses((status = 200, body = SsoInfo), (status = 404, body = augenmerk_domain::ErrorBody)))]
async fn info(State(state): State<AppState>, ApiPath(ags): ApiPath<Ags>) -> ApiResult<ApiJson<SsoInfo>> {
    let tenant = state.tenant(&ags).await?;
    Ok(ApiJson(SsoInfo::from(&tenant.record.settings.sso)))
}

/// Refuses a password login where the municipality has switched local accounts off
/// (the platform's own accounts always sign in with a password).
pub async fn refuse_local_login(state: &AppState, ags: Option<&Ags>) -> ApiResult<()> {
    let Some(ags) = ags else { return Ok(()) };
    let allowed = match state.tenant(ags).await {
        Ok(t) => t.record.settings.sso.local_accounts_allowed(),
        // Unknown municipality: the login answers as for a wrong password.
        Err(_) => true,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::Forbidden).context(serde_json::json!({ "reason": "local_accounts_off" })))
    }
}

/// Sends the browser to the municipality's identity provider (authorization code flow
/// with PKCE; state and nonce are single use and expire after ten minutes). When the
/// provider cannot be reached the browser goes back to the console with an error.
#[utoipa::path(get, path = "/api/v1/sso/{municipality}/start", tag = "staff", params(("municipality" = String, Path)),
    responses((status = 303, description = "To the provider's sign-in page, or back to the console with `error`"),
        (status = 404, body = augenmerk_domain::ErrorBody, description = "No such municipality, or no single sign-on")))]
async fn start(State(state): State<AppState>, ApiPath(ags): ApiPath<Ags>) -> ApiResult<Response> {
    let config = config_of(&state, &ags).await?.ok_or_else(ApiError::not_found)?;
    let (url, csrf, attempt) = match oidc::start(&config, &redirect_url(&state)).await {
        Ok(started) => started,
        Err(e) => {
            tracing::warn!(error = %e, municipality = %ags, "single sign-on could not start");
            return Ok(to_console(&state, "error=provider_unavailable"));
        }
    };
    let payload = serde_json::to_string(&attempt).map_err(ApiError::internal)?;
    let expires_at = Utc::now() + Duration::minutes(ATTEMPT_MINUTES);
    state
        .store
        .put_sso_pending(
            SsoPendingKind::Attempt,
            auth::token_hash(&csrf),
            &ags,
            payload,
            expires_at,
        )
        .await?;
    Ok(found(&url))
}

/// A 303 to the provider that no cache keeps.
fn found(url: &str) -> Response {
    let mut response = Redirect::to(url).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
}

/// What the provider sends back.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct CallbackQuery {
    /// The attempt's state.
    #[serde(default)]
    state: Option<String>,
    /// The authorization code.
    #[serde(default)]
    code: Option<String>,
    /// The provider's error (the person cancelled, the client is not allowed …).
    #[serde(default)]
    error: Option<String>,
}

/// The provider's redirect after the person signed in: checks the state (single use),
/// exchanges the code, validates the ID token (signature, issuer, audience, expiry,
/// nonce), maps the groups to a role and links or creates the account; the browser goes
/// on to the console with a one-time code (valid one minute) or an error.
#[utoipa::path(get, path = "/api/v1/sso/callback", tag = "staff", params(CallbackQuery),
    responses((status = 303, description = "To the console: `#/console/sso?code=…` or `?error=…`")))]
async fn callback(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiQuery(q): ApiQuery<CallbackQuery>,
) -> ApiResult<Response> {
    let Some(csrf) = q.state.filter(|s| !s.is_empty() && s.len() <= 512) else {
        return Ok(to_console(&state, "error=invalid_state"));
    };
    // Taken whatever follows: a state is good for one try.
    let Some((ags, payload)) = state
        .store
        .take_sso_pending(SsoPendingKind::Attempt, &auth::token_hash(&csrf), Utc::now())
        .await?
    else {
        tracing::warn!("single sign-on callback with an unknown, used or expired state");
        return Ok(to_console(&state, "error=invalid_state"));
    };
    let attempt: Attempt = serde_json::from_str(&payload).map_err(ApiError::internal)?;
    let refused = |reason: &str| to_console(&state, &format!("error={reason}"));
    if let Some(e) = q.error {
        tracing::info!(error = %e.chars().take(100).collect::<String>(), municipality = %ags, "the provider ended the sign-in");
        return Ok(refused("provider_refused"));
    }
    let Some(code) = q.code.filter(|c| !c.is_empty() && c.len() <= 2048) else {
        return Ok(refused("invalid_state"));
    };
    let Some(config) = config_of(&state, &ags).await?.filter(|c| c.issuer == attempt.issuer) else {
        // Switched off or to another provider while the person was signing in.
        return Ok(refused("provider_changed"));
    };
    let identity = match oidc::finish(&config, &redirect_url(&state), attempt, code).await {
        Ok(identity) => identity,
        Err(e) => {
            tracing::warn!(error = %e, municipality = %ags, "single sign-on refused");
            sessions::log(&state, Some(&ags), "(sso)", None, LoginOutcome::SsoRefused, client).await;
            return Ok(refused("invalid_token"));
        }
    };
    match account(&state, &ags, &config, &identity).await? {
        Ok(user) => {
            let one_time = auth::new_token();
            let expires_at = Utc::now() + Duration::seconds(HANDOVER_SECONDS);
            state
                .store
                .put_sso_pending(
                    SsoPendingKind::Handover,
                    auth::token_hash(&one_time),
                    &ags,
                    user.id.to_string(),
                    expires_at,
                )
                .await?;
            Ok(to_console(&state, &format!("code={one_time}")))
        }
        Err((name, user, outcome, reason)) => {
            sessions::log(&state, Some(&ags), &name, user, outcome, client).await;
            Ok(refused(reason))
        }
    }
}

/// A refusal: the login name for the log, the account if there is one, the outcome and
/// the reason the console shows.
type Refusal = (String, Option<UserId>, LoginOutcome, &'static str);

/// The account the person signs in as: the one linked to them, else the municipality's
/// account of the same login name (the admin trusts the provider they configured), else
/// a new one without a password. The role follows the provider's groups at every sign-in.
async fn account(
    state: &AppState,
    ags: &Ags,
    config: &SsoConfig,
    identity: &Identity,
) -> ApiResult<Result<StaffUser, Refusal>> {
    let (name, role) = match identify(config, &identity.claims) {
        Ok(found) => found,
        Err(why) => {
            let shown = augenmerk_domain::sso::claim(&identity.claims, &config.username_claim)
                .and_then(|v| v.as_str())
                .unwrap_or(&identity.subject)
                .to_owned();
            let reason = match why {
                SsoRefusal::NoUsername => "no_username",
                SsoRefusal::NoMappedGroup => "no_role",
            };
            return Ok(Err((shown, None, LoginOutcome::SsoRefused, reason)));
        }
    };
    let linked = match state
        .store
        .sso_identity(ags, &identity.issuer, &identity.subject)
        .await?
    {
        Some(id) => match state.store.get_user(ags, &id).await {
            Ok(user) => Some(user),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let existing = match linked {
        Some(user) => Some(user),
        None => match state.store.get_credentials(Some(ags), name.as_str()).await {
            Ok(c) => Some(c.user),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
    };
    let display_name = identity
        .claims
        .get("name")
        .and_then(|v| v.as_str())
        .map(|n| n.trim().chars().take(100).collect::<String>())
        .filter(|n| !n.is_empty());
    let user = match existing {
        Some(user) if !user.active => {
            return Ok(Err((user.username, Some(user.id), LoginOutcome::Disabled, "disabled")));
        }
        Some(mut user) => {
            if user.role != role {
                user.role = role;
                state.store.update_user(user.clone(), None).await?;
            }
            user
        }
        None => {
            let user = StaffUser {
                id: UserId::new_random(),
                municipality: ags.clone(),
                username: name.as_str().to_owned(),
                display_name: display_name.unwrap_or_else(|| name.as_str().to_owned()),
                role,
                department: None,
                active: true,
                email: None,
                mail: Default::default(),
            };
            // No password: an empty hash matches none (see `auth::verify_password`).
            state.store.create_user(user.clone(), String::new()).await?;
            user
        }
    };
    state
        .store
        .link_sso_identity(ags, &identity.issuer, &identity.subject, &user.id)
        .await?;
    Ok(Ok(user))
}

/// Exchanges the one-time code from the redirect to the console for a session (the
/// same as the password login gives). A code works once, for one minute.
#[utoipa::path(post, path = "/api/v1/sso/exchange", tag = "staff", request_body = SsoExchange,
    responses((status = 200, body = LoginResponse), (status = 400, body = augenmerk_domain::ErrorBody),
        (status = 401, body = augenmerk_domain::ErrorBody)))]
async fn exchange(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SsoExchange>,
) -> ApiResult<ApiJson<LoginResponse>> {
    let unauthorized = || ApiError::new(ErrorCode::Unauthorized);
    if req.code.is_empty() || req.code.len() > 128 {
        return Err(unauthorized());
    }
    let Some((ags, user)) = state
        .store
        .take_sso_pending(SsoPendingKind::Handover, &auth::token_hash(&req.code), Utc::now())
        .await?
    else {
        return Err(unauthorized());
    };
    let id: UserId = user.parse().map_err(ApiError::internal)?;
    let user = state.store.get_user(&ags, &id).await?;
    if !user.active {
        return Err(unauthorized());
    }
    sessions::log(
        &state,
        Some(&ags),
        &user.username,
        Some(user.id),
        LoginOutcome::Success,
        client,
    )
    .await;
    Ok(ApiJson(sessions::begin(&state, user, &headers, client).await?))
}
