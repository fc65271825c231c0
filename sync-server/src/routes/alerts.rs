//! The public map's e-mail alerts: subscribe (a confirmation link is mailed), see,
//! confirm and end a subscription through the secret of its links.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use utoipa_axum::routes;

use augenmerk_domain::alerts::{AlertRequest, AlertView};

use super::{ApiJson, ApiPath, ApiRouter};
use crate::error::{ApiError, ApiResult};
use crate::limits::{PerAddress, Reports};
use crate::mail::{alerts, is_token};
use crate::state::AppState;

/// Routes of the alerts.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(subscribe))
        .routes(routes!(view))
        .routes(routes!(confirm))
        .routes(routes!(unsubscribe, unsubscribe_form))
}

fn checked(token: &str) -> ApiResult<&str> {
    if is_token(token) {
        Ok(token)
    } else {
        Err(ApiError::not_found())
    }
}

/// Asks for alerts of an area: a confirmation link goes to the address, and nothing is
/// sent before it is opened. The answer does not tell whether the address is known.
#[utoipa::path(post, path = "/api/v1/public/alerts", tag = "public", request_body = AlertRequest,
    responses((status = 202), (status = 422), (status = 429)))]
async fn subscribe(
    State(state): State<AppState>,
    _limit: PerAddress<Reports>,
    ApiJson(req): ApiJson<AlertRequest>,
) -> ApiResult<(StatusCode, ApiJson<serde_json::Value>)> {
    let alert = req.parse().map_err(ApiError::validation)?;
    alerts::subscribe(&state, alert).await?;
    Ok((StatusCode::ACCEPTED, ApiJson(serde_json::json!({}))))
}

/// The subscription behind a link.
#[utoipa::path(get, path = "/api/v1/public/alerts/{token}", tag = "public", params(("token" = String, Path)),
    responses((status = 200, body = AlertView), (status = 404)))]
async fn view(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<ApiJson<AlertView>> {
    Ok(ApiJson(alerts::view(&state, checked(&token)?).await?))
}

/// Confirms the address (the link of the confirmation mail).
#[utoipa::path(post, path = "/api/v1/public/alerts/{token}/confirm", tag = "public", params(("token" = String, Path)),
    responses((status = 200, body = AlertView), (status = 404)))]
async fn confirm(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<ApiJson<AlertView>> {
    Ok(ApiJson(alerts::confirm(&state, checked(&token)?).await?))
}

/// Ends the subscription and deletes the address: RFC 8058 one-click (a mail client
/// POSTs `List-Unsubscribe=One-Click`), the page of the mail's link, or the form below.
#[utoipa::path(post, path = "/api/v1/public/alerts/{token}/unsubscribe", tag = "public",
    params(("token" = String, Path)), responses((status = 200), (status = 404)))]
async fn unsubscribe(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let existed = alerts::unsubscribe(&state, checked(&token)?).await?;
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return Ok(ApiJson(serde_json::json!({ "unsubscribed": existed })).into_response());
    }
    // Done either way: a second click (or a mail client's retry) finds nothing to end.
    Ok(Html(
        "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Abbestellt</title></head><body>\
         <h1>Abbestellt – Unsubscribed</h1><p>Sie erhalten keine Benachrichtigungen mehr; Ihre Adresse ist gelöscht.</p>\
         <p>You will receive no more alerts; your address is deleted.</p></body></html>",
    )
    .into_response())
}

/// For mail clients that open the unsubscribe link instead of POSTing it: a page with
/// one button (a GET must not unsubscribe: link scanners open every link).
#[utoipa::path(get, path = "/api/v1/public/alerts/{token}/unsubscribe", tag = "public",
    params(("token" = String, Path)), responses((status = 200), (status = 404)))]
async fn unsubscribe_form(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<Response> {
    alerts::view(&state, checked(&token)?).await?;
    Ok(Html(
        "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Benachrichtigungen abbestellen</title>\
         </head><body><h1>Benachrichtigungen abbestellen – Stop alerts</h1>\
         <form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
         <button type=\"submit\">Keine Benachrichtigungen mehr – No more alerts</button></form></body></html>",
    )
    .into_response())
}
