//! The platform admin's routes: tenants (amtsfreie Gemeinden and Ämter) joining the
//! platform, the directory of administrations not on it, and taking their mailed reports
//! into an inbox once they joined.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::routes;

use augenmerk_domain::Ags;
use augenmerk_domain::api::{DirectoryEntry, DirectoryImport, DirectoryListing, MailedImport, NewMunicipality};
use augenmerk_domain::error::FieldError;
use augenmerk_domain::staff::StaffUser;

use super::{ApiBytes, ApiJson, ApiPath, ApiRouter};
use crate::auth::PlatformAdminAuth;
use crate::error::{ApiError, ApiResult};
use crate::services::{directory, mailed, municipalities};
use crate::state::AppState;

/// Directory routes (JSON bodies).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list_directory))
        .routes(routes!(put_entry, delete_entry))
        .routes(routes!(import_mailed))
        .routes(routes!(create_municipality))
}

/// The CSV import (its body may be larger than a JSON request).
pub fn import_routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(import_directory))
}

/// The directory, with each administration's mailed reports that wait to be taken in.
#[utoipa::path(get, path = "/api/v1/admin/directory", tag = "admin",
    responses((status = 200, body = Vec<DirectoryListing>)), security(("bearer" = [])))]
async fn list_directory(
    State(state): State<AppState>,
    _admin: PlatformAdminAuth,
) -> ApiResult<ApiJson<Vec<DirectoryListing>>> {
    let counts = state.store.mailed_counts().await?;
    let tenants = state.store.list_municipalities().await?;
    let listing = state
        .store
        .list_directory()
        .await?
        .into_iter()
        .map(|entry| DirectoryListing {
            mailed_reports: counts.iter().find(|(k, _)| k == &entry.key).map_or(0, |(_, n)| *n),
            on_platform: tenants.iter().any(|t| t.ags == entry.key),
            entry,
        })
        .collect();
    Ok(ApiJson(listing))
}

/// Adds or changes an administration of the directory.
#[utoipa::path(put, path = "/api/v1/admin/directory/{key}", tag = "admin", params(("key" = String, Path)),
    request_body = DirectoryEntry, responses((status = 200, body = DirectoryEntry), (status = 422)),
    security(("bearer" = [])))]
async fn put_entry(
    State(state): State<AppState>,
    _admin: PlatformAdminAuth,
    ApiPath(key): ApiPath<String>,
    ApiJson(entry): ApiJson<DirectoryEntry>,
) -> ApiResult<ApiJson<DirectoryEntry>> {
    if entry.key.as_str() != key {
        return Err(FieldError::new("key", "does_not_match_path").into());
    }
    let entry = directory::check_entry(&entry)?;
    directory::require_gemeinden(&state, std::slice::from_ref(&entry))?;
    state
        .store
        .put_directory(vec![entry.clone()], chrono::Utc::now())
        .await?;
    Ok(ApiJson(entry))
}

/// Removes an administration from the directory; reports mailed to it stay.
#[utoipa::path(delete, path = "/api/v1/admin/directory/{key}", tag = "admin", params(("key" = String, Path)),
    responses((status = 204), (status = 404)), security(("bearer" = [])))]
async fn delete_entry(
    State(state): State<AppState>,
    _admin: PlatformAdminAuth,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let key = Ags::parse(&key).map_err(|_| ApiError::not_found())?;
    state.store.delete_directory(&key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports administrations from CSV (`key;name;email`): all lines or, with a problem in
/// any, none (422 naming each line).
#[utoipa::path(post, path = "/api/v1/admin/directory/import", tag = "admin",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = DirectoryImport), (status = 422, body = augenmerk_domain::ErrorBody)),
    security(("bearer" = [])))]
async fn import_directory(
    State(state): State<AppState>,
    _admin: PlatformAdminAuth,
    ApiBytes(body): ApiBytes,
) -> ApiResult<ApiJson<DirectoryImport>> {
    let text = std::str::from_utf8(&body).map_err(|_| FieldError::new("body", "not_utf8"))?;
    let entries = directory::parse_csv(text).map_err(ApiError::validation)?;
    directory::require_gemeinden(&state, &entries)?;
    let imported = u32::try_from(entries.len()).unwrap_or(u32::MAX);
    state.store.put_directory(entries, chrono::Utc::now()).await?;
    Ok(ApiJson(DirectoryImport {
        imported,
        problems: Vec::new(),
    }))
}

/// Takes the reports mailed to an administration into the inbox of the tenant it became.
#[utoipa::path(post, path = "/api/v1/admin/municipalities/{key}/import-mailed", tag = "admin",
    params(("key" = String, Path)), responses((status = 200, body = MailedImport), (status = 404)),
    security(("bearer" = [])))]
async fn import_mailed(
    State(state): State<AppState>,
    _admin: PlatformAdminAuth,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<ApiJson<MailedImport>> {
    let key = Ags::parse(&key).map_err(|_| ApiError::not_found())?;
    let tenant = state.tenant(&key).await?;
    let imported = mailed::take_in(&state, &tenant, &key).await?;
    Ok(ApiJson(MailedImport { imported }))
}

/// Creates a municipality on this server (platform admin); its boundary must be imported.
#[utoipa::path(post, path = "/api/v1/admin/municipalities", tag = "admin", request_body = NewMunicipality,
    responses((status = 201, body = StaffUser), (status = 409)), security(("bearer" = [])))]
async fn create_municipality(
    State(state): State<AppState>,
    _admin: PlatformAdminAuth,
    ApiJson(new): ApiJson<NewMunicipality>,
) -> ApiResult<(StatusCode, ApiJson<StaffUser>)> {
    let user = municipalities::create(&state, new).await?;
    Ok((StatusCode::CREATED, ApiJson(user)))
}
