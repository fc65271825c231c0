//! The platform admin's routes: tenants (amtsfreie Gemeinden and Ämter) joining the
//! platform, the directory of administrations not on it, and taking their mailed reports
//! into an inbox once they joined.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::routes;

use augenmerk_domain::api::{
    DirectoryEntry, DirectoryImport, DirectoryListing, MailedImport, NewMunicipality, NewStaffUser,
};
use augenmerk_domain::error::FieldError;
use augenmerk_domain::staff::{Role, StaffUser};
use augenmerk_domain::text::parse_text;
use augenmerk_domain::{Ags, UserId};
use augenmerk_store::MunicipalityRecord;

use super::config::new_user;
use super::{ApiBytes, ApiJson, ApiPath, ApiRouter};
use crate::auth::{self, PlatformAdminAuth};
use crate::error::{ApiError, ApiResult};
use crate::services::{directory, mailed};
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
    require_gemeinden(&state, std::slice::from_ref(&entry))?;
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
    require_gemeinden(&state, &entries)?;
    let imported = u32::try_from(entries.len()).unwrap_or(u32::MAX);
    state.store.put_directory(entries, chrono::Utc::now()).await?;
    Ok(ApiJson(DirectoryImport {
        imported,
        problems: Vec::new(),
    }))
}

/// An entry must stand for Gemeinden whose boundaries are imported: otherwise no report
/// could ever reach it.
fn require_gemeinden(state: &AppState, entries: &[DirectoryEntry]) -> ApiResult<()> {
    let problems: Vec<FieldError> = entries
        .iter()
        .filter(|e| state.gemeinden_of(&e.key).is_empty())
        .map(|e| FieldError::new(format!("key {}", e.key), "no_boundary_imported"))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(problems))
    }
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

/// Creates a platform admin (an account of no municipality); the CLI and the demo use it.
pub async fn new_platform_admin(state: &AppState, new: NewStaffUser) -> ApiResult<StaffUser> {
    let username = augenmerk_domain::credentials::LoginName::parse(&new.username)?
        .as_str()
        .to_owned();
    auth::check_new_password(&new.password, &username, &[&new.display_name])?;
    let password = new.password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(ApiError::internal)??;
    let user = StaffUser {
        id: UserId::new_random(),
        // Stored without a municipality; the field needs a value of its type.
        municipality: Ags::parse("00000000")?,
        display_name: match new.display_name.trim() {
            "" => username.clone(),
            name => parse_text("display_name", name)?,
        },
        username,
        role: Role::PlatformAdmin,
        department: None,
        active: true,
        email: None,
        mail: Default::default(),
    };
    state.store.create_user(user.clone(), hash).await?;
    Ok(user)
}

/// Creates a municipality on this server (platform admin); its boundary must be imported.
#[utoipa::path(post, path = "/api/v1/admin/municipalities", tag = "admin", request_body = NewMunicipality,
    responses((status = 201, body = StaffUser), (status = 409)), security(("bearer" = [])))]
async fn create_municipality(
    State(state): State<AppState>,
    _admin: PlatformAdminAuth,
    ApiJson(new): ApiJson<NewMunicipality>,
) -> ApiResult<(StatusCode, ApiJson<StaffUser>)> {
    // An amtsfreie Gemeinde by its AGS, or an Amt by its key: its Gemeinden come from
    // the boundary import; the name from the request, the directory or the Gemeinde.
    let gemeinden = state.gemeinden_of(&new.ags);
    if gemeinden.is_empty() {
        return Err(ApiError::validation(vec![FieldError::new(
            "ags",
            "no_boundary_imported",
        )]));
    }
    let listed = match state.store.get_directory(&new.ags).await {
        Ok(entry) => Some(entry.name),
        Err(augenmerk_store::StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let name = match new.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => parse_text("name", n)?,
        None => match (listed, new.ags.is_gemeinde()) {
            (Some(n), _) => n,
            (None, true) => gemeinden.into_iter().next().map(|(_, n)| n).unwrap_or_default(),
            (None, false) => return Err(ApiError::validation(vec![FieldError::new("name", "required")])),
        },
    };
    let categories = match new.categories {
        Some(t) => t,
        None => crate::demo::default_categories().map_err(ApiError::internal)?,
    };
    categories.check().map_err(ApiError::validation)?;
    crate::demo::create_municipality(
        &state,
        MunicipalityRecord {
            ags: new.ags.clone(),
            name,
            categories,
            settings: crate::demo::default_settings(),
            config_version: 1,
        },
    )
    .await?;
    let admin = NewStaffUser {
        role: Role::Admin,
        ..new.admin
    };
    let user = new_user(&state, &new.ags, admin).await?;
    if new.import_mailed {
        let tenant = state.tenant(&new.ags).await?;
        crate::services::mailed::take_in(&state, &tenant, &new.ags).await?;
    }
    Ok((StatusCode::CREATED, ApiJson(user)))
}
