//! Staff sessions and the sign-in log (issue 24): one's own sessions (see, end), an admin
//! ending every session of an account, and the municipality's sign-in log.

use std::net::IpAddr;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{Duration, Utc};
use utoipa_axum::routes;

use augenmerk_domain::api::LoginResponse;
use augenmerk_domain::sessions::{LoginLogEntry, LoginOutcome, SessionInfo, SessionsEnded, session_id};
use augenmerk_domain::staff::{Role, StaffUser};
use augenmerk_domain::{Ags, UserId};

use super::{ApiJson, ApiPath, ApiRouter};
use crate::auth::{self, SessionAuth, StaffAuth};
use crate::error::{ApiError, ApiResult};
use crate::limits::ClientAddr;
use crate::state::AppState;

/// Entries the sign-in log shows at most.
const LOG_LIMIT: u32 = 500;

/// Routes of the sessions.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(my_sessions))
        .routes(routes!(end_my_session))
        .routes(routes!(end_user_sessions))
        .routes(routes!(login_log))
}

/// Adds to the sign-in log; a failure to log is logged, not an error of the sign-in.
pub async fn log(
    state: &AppState,
    ags: Option<&Ags>,
    username: &str,
    user: Option<UserId>,
    outcome: LoginOutcome,
    address: Option<IpAddr>,
) {
    let entry = LoginLogEntry {
        at: Utc::now(),
        username: username.chars().take(64).collect(),
        user,
        outcome,
        address: address.map(|a| a.to_string()),
    };
    if let Err(e) = state.store.log_login(ags, entry).await {
        tracing::warn!(error = %e, "the sign-in log could not be written");
    }
}

/// Begins a session for an account that has just shown who it is (password login,
/// single sign-on): a fresh token, stored as its hash with when, from where and with
/// which browser it began.
pub async fn begin(
    state: &AppState,
    user: StaffUser,
    headers: &HeaderMap,
    address: Option<IpAddr>,
) -> ApiResult<LoginResponse> {
    let token = auth::new_token();
    let now = Utc::now();
    let expires_at = now + Duration::hours(state.settings.session_hours);
    state
        .store
        .create_session(auth::token_hash(&token), user.id, expires_at)
        .await?;
    let agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|a| a.chars().take(200).collect::<String>());
    state
        .store
        .describe_session(&auth::token_hash(&token), now, agent, address.map(|c| c.to_string()))
        .await?;
    Ok(LoginResponse {
        token,
        expires_at,
        role: user.role,
        user,
    })
}

/// The signed-in account's sessions, newest first; `current` marks this request's.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "staff",
    responses((status = 200, body = Vec<SessionInfo>), (status = 401)), security(("bearer" = [])))]
async fn my_sessions(State(state): State<AppState>, me: SessionAuth) -> ApiResult<ApiJson<Vec<SessionInfo>>> {
    let sessions = state.store.list_sessions(&me.user.id, Utc::now()).await?;
    Ok(ApiJson(
        sessions
            .into_iter()
            .map(|s| SessionInfo {
                id: session_id(&s.token_hash),
                current: s.token_hash == me.token_hash,
                created_at: s.created_at,
                expires_at: s.expires_at,
                user_agent: s.user_agent,
                address: s.address,
            })
            .collect(),
    ))
}

/// Ends one of the signed-in account's sessions (this one too, if asked).
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "staff", params(("id" = String, Path)),
    responses((status = 204), (status = 404)), security(("bearer" = [])))]
async fn end_my_session(
    State(state): State<AppState>,
    me: SessionAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    if state.store.end_session(&me.user.id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

/// Ends every session of an account of the municipality (an admin's: a lost laptop, a
/// person who left); their next request must sign in again.
#[utoipa::path(post, path = "/api/v1/staff/config/users/{id}/end-sessions", tag = "config",
    params(("id" = String, Path)), responses((status = 200, body = SessionsEnded), (status = 404)),
    security(("bearer" = [])))]
async fn end_user_sessions(
    State(state): State<AppState>,
    staff: StaffAuth,
    ClientAddr(client): ClientAddr,
    ApiPath(id): ApiPath<UserId>,
) -> ApiResult<ApiJson<SessionsEnded>> {
    staff.require_admin()?;
    // Another municipality's account is not found here.
    let user = state.store.get_user(staff.ags(), &id).await?;
    if user.role == Role::PlatformAdmin {
        return Err(ApiError::not_found());
    }
    let ended = state.store.end_sessions(&user.id).await?;
    log(
        &state,
        Some(staff.ags()),
        &user.username,
        Some(user.id),
        LoginOutcome::SessionsEnded,
        client,
    )
    .await;
    Ok(ApiJson(SessionsEnded { ended }))
}

/// The municipality's sign-ins, failed sign-ins, sign-outs and ended sessions, newest
/// first (kept 90 days).
#[utoipa::path(get, path = "/api/v1/staff/config/login-log", tag = "config",
    responses((status = 200, body = Vec<LoginLogEntry>)), security(("bearer" = [])))]
async fn login_log(State(state): State<AppState>, staff: StaffAuth) -> ApiResult<ApiJson<Vec<LoginLogEntry>>> {
    staff.require_admin()?;
    Ok(ApiJson(state.store.login_log(staff.ags(), LOG_LIMIT).await?))
}
