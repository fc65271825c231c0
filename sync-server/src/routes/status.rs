//! The private status link: a citizen who gave an e-mail address follows their report
//! from any device, without the app and without the reporting device's storage.
//!
//! The secret in the URL is the capability (256 random bits, see `mail::new_token`); it
//! shows only what the reporter's own device sees of the report (public comments and
//! messages, the department's name; no staff names, no internal notes), and lets them
//! answer, confirm their address, unsubscribe and replace the link.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use utoipa_axum::routes;

use augenmerk_domain::api::NewMessage;
use augenmerk_domain::mail::{MailUpdates, StatusPage, mask_address};
use augenmerk_domain::public::PublicMessage;
use augenmerk_domain::report::Report;
use augenmerk_domain::{BlobHash, MessageId};
use augenmerk_store::{StoreError, SubscriptionChange, SubscriptionRecord};

use super::{ApiJson, ApiPath, ApiRouter};
use crate::error::{ApiError, ApiResult};
use crate::limits::{PerAddress, Reports};
use crate::services::{handling, notify, views};
use crate::state::AppState;

/// Routes of the status link.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(status_page))
        .routes(routes!(confirm))
        .routes(routes!(answer))
        .routes(routes!(unsubscribe, unsubscribe_form))
        .routes(routes!(resubscribe))
        .routes(routes!(renew))
        .routes(routes!(photo))
}

/// The subscription and report behind a link; 404 for an unknown or replaced one.
pub(crate) async fn resolve(state: &AppState, token: &str) -> ApiResult<(SubscriptionRecord, Report)> {
    // A token is URL-safe base64 of 32 bytes: anything else is not one (and not looked up).
    if !crate::mail::is_token(token) {
        return Err(ApiError::not_found());
    }
    let sub = state.store.subscription_by_token(token).await.map_err(|e| match e {
        StoreError::NotFound => ApiError::not_found(),
        e => e.into(),
    })?;
    let report = state.store.get_report(&sub.municipality, &sub.report).await?;
    Ok((sub, report))
}

async fn page(state: &AppState, sub: &SubscriptionRecord, report: &Report) -> ApiResult<StatusPage> {
    let tenant = state.tenant(&report.municipality).await?;
    let view = views::citizen_report(state, report).await?;
    let department_name = report
        .department
        .as_ref()
        .and_then(|d| tenant.departments.iter().find(|x| &x.id == d))
        .map(|d| d.name.clone());
    Ok(StatusPage {
        number: report.id.number(),
        report: view,
        department_name,
        mail_updates: MailUpdates::of(Some(sub.state())),
        email: mask_address(&sub.email),
    })
}

/// The report's status, public comments and messages.
#[utoipa::path(get, path = "/api/v1/status/{token}", tag = "status", params(("token" = String, Path)),
    responses((status = 200, body = StatusPage), (status = 404)))]
async fn status_page(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<ApiJson<StatusPage>> {
    let (sub, report) = resolve(&state, &token).await?;
    Ok(ApiJson(page(&state, &sub, &report).await?))
}

async fn change(state: &AppState, token: &str, change: SubscriptionChange) -> ApiResult<StatusPage> {
    let (sub, report) = resolve(state, token).await?;
    state
        .store
        .change_subscription(&report.id, change, Utc::now(), Vec::new())
        .await?;
    let sub = state.store.subscription(&report.id).await?.unwrap_or(sub);
    page(state, &sub, &report).await
}

/// Confirms the address: from now on status changes and messages come by mail.
#[utoipa::path(post, path = "/api/v1/status/{token}/confirm", tag = "status", params(("token" = String, Path)),
    responses((status = 200, body = StatusPage), (status = 404)))]
async fn confirm(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<ApiJson<StatusPage>> {
    Ok(ApiJson(change(&state, &token, SubscriptionChange::Confirm).await?))
}

/// Mails again after an unsubscribe.
#[utoipa::path(post, path = "/api/v1/status/{token}/resubscribe", tag = "status",
    params(("token" = String, Path)), responses((status = 200, body = StatusPage), (status = 404)))]
async fn resubscribe(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<ApiJson<StatusPage>> {
    Ok(ApiJson(change(&state, &token, SubscriptionChange::Resubscribe).await?))
}

/// No more mails about this report: RFC 8058 one-click (a mail client POSTs
/// `List-Unsubscribe=One-Click`), the status page's button, or the form below.
#[utoipa::path(post, path = "/api/v1/status/{token}/unsubscribe", tag = "status",
    params(("token" = String, Path)), responses((status = 200, body = StatusPage), (status = 404)))]
async fn unsubscribe(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let page = change(&state, &token, SubscriptionChange::Unsubscribe).await?;
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return Ok(ApiJson(page).into_response());
    }
    Ok(Html(format!(
        "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Abbestellt</title></head><body>\
         <h1>Abbestellt – Unsubscribed</h1><p>Sie erhalten keine Mails mehr zu Meldung {n}.</p>\
         <p>You will receive no more mails about report {n}.</p></body></html>",
        n = page.number
    ))
    .into_response())
}

/// For mail clients that open the unsubscribe link instead of POSTing it: a page with
/// one button (a GET must not unsubscribe: link scanners open every link).
#[utoipa::path(get, path = "/api/v1/status/{token}/unsubscribe", tag = "status",
    params(("token" = String, Path)), responses((status = 200), (status = 404)))]
async fn unsubscribe_form(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<Response> {
    let (_, report) = resolve(&state, &token).await?;
    Ok(Html(format!(
        "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Mails abbestellen</title></head><body>\
         <h1>Mails abbestellen – Unsubscribe</h1><p>Meldung {n}</p>\
         <form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
         <button type=\"submit\">Keine Mails mehr zu dieser Meldung – No more mails about this report</button></form>\
         </body></html>",
        n = report.id.number()
    ))
    .into_response())
}

/// The citizen answers the municipality.
#[utoipa::path(post, path = "/api/v1/status/{token}/messages", tag = "status", params(("token" = String, Path)),
    request_body = NewMessage, responses((status = 201, body = PublicMessage), (status = 404)))]
async fn answer(
    State(state): State<AppState>,
    _limit: PerAddress<Reports>,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<NewMessage>,
) -> ApiResult<(StatusCode, ApiJson<PublicMessage>)> {
    let (_, report) = resolve(&state, &token).await?;
    let req = NewMessage {
        id: Some(req.id.unwrap_or_else(MessageId::new_random)),
        ..req
    };
    let message = match handling::citizen_message(&state, &report, req).await? {
        augenmerk_store::Inserted::Created(m) | augenmerk_store::Inserted::Existing(m) => m,
    };
    Ok((StatusCode::CREATED, ApiJson(views::public_message(&message))))
}

/// Replaces the link: the old one stops working at once, the new one is mailed.
#[utoipa::path(post, path = "/api/v1/status/{token}/renew", tag = "status", params(("token" = String, Path)),
    responses((status = 202), (status = 404)))]
async fn renew(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<StatusCode> {
    let (sub, report) = resolve(&state, &token).await?;
    let tenant = state.tenant(&report.municipality).await?;
    let fresh = crate::mail::new_token();
    let job = crate::mail::events::new_link(&notify::context(&state, &tenant), &tenant, &report, &sub, &fresh);
    state
        .store
        .change_subscription(&report.id, SubscriptionChange::NewToken(fresh), Utc::now(), vec![job])
        .await?;
    state.mailer.wake();
    Ok(StatusCode::ACCEPTED)
}

/// A photo of the report or of one of its public status changes.
#[utoipa::path(get, path = "/api/v1/status/{token}/photos/{sha256}", tag = "status",
    params(("token" = String, Path), ("sha256" = String, Path)), responses((status = 200), (status = 404)))]
async fn photo(
    State(state): State<AppState>,
    ApiPath((token, hash)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let (_, report) = resolve(&state, &token).await?;
    let hash = BlobHash::parse(&hash).map_err(|_| ApiError::not_found())?;
    let history = state
        .store
        .list_status_changes(&report.municipality, &report.id)
        .await?;
    let allowed = report.photos.contains(&hash) || history.iter().any(|c| c.photos.contains(&hash));
    if !allowed {
        return Err(ApiError::not_found());
    }
    let record = state.store.get_blob(&hash).await?;
    let bytes = state.blobs.get(&hash).await.map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, record.content_type),
            (header::CACHE_CONTROL, "private, max-age=86400".into()),
        ],
        bytes,
    )
        .into_response())
}
