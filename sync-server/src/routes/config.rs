//! Configuration by the municipality's admins (categories, departments, users, rules,
//! areas, settings) and by the platform admin (municipalities).
//!
//! Reading the configuration is open to all staff of the municipality (the console shows
//! department names and rules); changing it needs the admin role. The rules of each
//! change live in [`crate::services::config`] and [`crate::services::accounts`].

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::routes;

use augenmerk_domain::api::{
    ApiKeyIssued, AreaDefinition, MunicipalitySettings, NewApiKey, NewStaffUser, StaffUserUpdate,
};
use augenmerk_domain::error::FieldError;
use augenmerk_domain::overview::ApiKeyMediaHosts;
use augenmerk_domain::public::GemeindeInfo;
use augenmerk_domain::rules::Rule;
use augenmerk_domain::staff::{ApiKeyInfo, Department, StaffUser};
use augenmerk_domain::{ApiKeyId, AreaId, CategoryTree, DepartmentId, UserId};

use super::{ApiBytes, ApiJson, ApiPath, ApiQuery, ApiRouter};
use crate::auth::StaffAuth;
use crate::error::ApiResult;
use crate::services::{accounts, api_keys, boundary, config};
use crate::state::AppState;

/// Configuration routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(get_categories, put_categories))
        .routes(routes!(list_departments))
        .routes(routes!(put_department, delete_department))
        .routes(routes!(list_users, create_user))
        .routes(routes!(update_user))
        .routes(routes!(get_rules, put_rules))
        .routes(routes!(list_areas))
        .routes(routes!(put_area, delete_area))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(list_api_keys, create_api_key))
        .routes(routes!(revoke_api_key))
        .routes(routes!(set_api_key_hosts))
}

/// The category tree with its questions.
#[utoipa::path(get, path = "/api/v1/staff/config/categories", tag = "config",
    responses((status = 200, body = CategoryTree)), security(("bearer" = [])))]
async fn get_categories(State(state): State<AppState>, staff: StaffAuth) -> ApiResult<ApiJson<CategoryTree>> {
    Ok(ApiJson(state.tenant(staff.ags()).await?.record.categories.clone()))
}

/// Replaces the category tree: names, questions, order, and which categories are active.
/// Checked; rules that would point nowhere are refused (422), and so is removing a
/// category that reports are filed on (409 with the categories in `in_use`: deactivate
/// those instead, `active: false`, so old reports keep their category).
#[utoipa::path(put, path = "/api/v1/staff/config/categories", tag = "config", request_body = CategoryTree,
    responses((status = 200, body = CategoryTree), (status = 409), (status = 422)), security(("bearer" = [])))]
async fn put_categories(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiJson(tree): ApiJson<CategoryTree>,
) -> ApiResult<ApiJson<CategoryTree>> {
    staff.require_admin()?;
    Ok(ApiJson(config::replace_categories(&state, staff.ags(), tree).await?))
}

/// Departments.
#[utoipa::path(get, path = "/api/v1/staff/config/departments", tag = "config",
    responses((status = 200, body = Vec<Department>)), security(("bearer" = [])))]
async fn list_departments(State(state): State<AppState>, staff: StaffAuth) -> ApiResult<ApiJson<Vec<Department>>> {
    Ok(ApiJson(state.store.list_departments(staff.ags()).await?))
}

/// Creates or updates a department.
#[utoipa::path(put, path = "/api/v1/staff/config/departments/{id}", tag = "config", params(("id" = String, Path)),
    request_body = Department, responses((status = 200, body = Department)), security(("bearer" = [])))]
async fn put_department(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<DepartmentId>,
    ApiJson(dept): ApiJson<Department>,
) -> ApiResult<ApiJson<Department>> {
    staff.require_admin()?;
    Ok(ApiJson(config::put_department(&state, staff.ags(), &id, dept).await?))
}

/// Deletes a department no rule refers to.
#[utoipa::path(delete, path = "/api/v1/staff/config/departments/{id}", tag = "config", params(("id" = String, Path)),
    responses((status = 204), (status = 409)), security(("bearer" = [])))]
async fn delete_department(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<DepartmentId>,
) -> ApiResult<StatusCode> {
    staff.require_admin()?;
    config::delete_department(&state, staff.ags(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Staff accounts.
#[utoipa::path(get, path = "/api/v1/staff/config/users", tag = "config",
    responses((status = 200, body = Vec<StaffUser>)), security(("bearer" = [])))]
async fn list_users(State(state): State<AppState>, staff: StaffAuth) -> ApiResult<ApiJson<Vec<StaffUser>>> {
    Ok(ApiJson(state.store.list_users(staff.ags()).await?))
}

/// Creates a staff account.
#[utoipa::path(post, path = "/api/v1/staff/config/users", tag = "config", request_body = NewStaffUser,
    responses((status = 201, body = StaffUser), (status = 409)), security(("bearer" = [])))]
async fn create_user(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiJson(new): ApiJson<NewStaffUser>,
) -> ApiResult<(StatusCode, ApiJson<StaffUser>)> {
    staff.require_admin()?;
    let user = accounts::new_user(&state, staff.ags(), new).await?;
    Ok((StatusCode::CREATED, ApiJson(user)))
}

/// Changes a staff account (role, department, password, active); a new password or
/// disabling the account ends all its sessions.
#[utoipa::path(patch, path = "/api/v1/staff/config/users/{id}", tag = "config", params(("id" = String, Path)),
    request_body = StaffUserUpdate, responses((status = 200, body = StaffUser)), security(("bearer" = [])))]
async fn update_user(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(req): ApiJson<StaffUserUpdate>,
) -> ApiResult<ApiJson<StaffUser>> {
    staff.require_admin()?;
    Ok(ApiJson(accounts::update_user(&state, &staff.user, &id, req).await?))
}

/// The ordered delegation rules.
#[utoipa::path(get, path = "/api/v1/staff/config/rules", tag = "config",
    responses((status = 200, body = Vec<Rule>)), security(("bearer" = [])))]
async fn get_rules(State(state): State<AppState>, staff: StaffAuth) -> ApiResult<ApiJson<Vec<Rule>>> {
    Ok(ApiJson(state.tenant(staff.ags()).await?.rules.clone()))
}

/// Replaces the ordered rules after checking every reference.
#[utoipa::path(put, path = "/api/v1/staff/config/rules", tag = "config", request_body = Vec<Rule>,
    responses((status = 200, body = Vec<Rule>), (status = 422)), security(("bearer" = [])))]
async fn put_rules(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiJson(rules): ApiJson<Vec<Rule>>,
) -> ApiResult<ApiJson<Vec<Rule>>> {
    staff.require_admin()?;
    Ok(ApiJson(config::replace_rules(&state, staff.ags(), rules).await?))
}

/// Named areas with their polygons.
#[utoipa::path(get, path = "/api/v1/staff/config/areas", tag = "config",
    responses((status = 200, body = Vec<AreaDefinition>)), security(("bearer" = [])))]
async fn list_areas(State(state): State<AppState>, staff: StaffAuth) -> ApiResult<ApiJson<Vec<AreaDefinition>>> {
    Ok(ApiJson(state.store.list_areas(staff.ags()).await?))
}

/// Creates or replaces a named area (GeoJSON Polygon or MultiPolygon).
#[utoipa::path(put, path = "/api/v1/staff/config/areas/{id}", tag = "config", params(("id" = String, Path)),
    request_body = AreaDefinition, responses((status = 200, body = AreaDefinition)), security(("bearer" = [])))]
async fn put_area(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<AreaId>,
    ApiJson(area): ApiJson<AreaDefinition>,
) -> ApiResult<ApiJson<AreaDefinition>> {
    staff.require_admin()?;
    Ok(ApiJson(config::put_area(&state, staff.ags(), &id, area).await?))
}

/// Deletes an area no rule refers to.
#[utoipa::path(delete, path = "/api/v1/staff/config/areas/{id}", tag = "config", params(("id" = String, Path)),
    responses((status = 204), (status = 409)), security(("bearer" = [])))]
async fn delete_area(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<AreaId>,
) -> ApiResult<StatusCode> {
    staff.require_admin()?;
    config::delete_area(&state, staff.ags(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Working hours, external authorities, accent colour.
#[utoipa::path(get, path = "/api/v1/staff/config/settings", tag = "config",
    responses((status = 200, body = MunicipalitySettings)), security(("bearer" = [])))]
async fn get_settings(State(state): State<AppState>, staff: StaffAuth) -> ApiResult<ApiJson<MunicipalitySettings>> {
    let mut settings = state.tenant(staff.ags()).await?.record.settings.clone();
    // The single sign-on secret is write-only, for admins too.
    settings.sso.hide_secret();
    if !staff.user.role.configures() {
        // Everyone on staff needs the authorities (to forward), only admins their keys.
        settings.hide_secrets();
    }
    Ok(ApiJson(settings))
}

/// Replaces the settings.
#[utoipa::path(put, path = "/api/v1/staff/config/settings", tag = "config", request_body = MunicipalitySettings,
    responses((status = 200, body = MunicipalitySettings),
        (status = 409, body = augenmerk_domain::ErrorBody, description = "An authority that a rule forwards to cannot be removed")),
    security(("bearer" = [])))]
async fn put_settings(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiJson(settings): ApiJson<MunicipalitySettings>,
) -> ApiResult<ApiJson<MunicipalitySettings>> {
    staff.require_admin()?;
    let mut saved = config::replace_settings(&state, staff.ags(), settings).await?;
    saved.sso.hide_secret();
    Ok(ApiJson(saved))
}

/// The municipality's Open311 API keys (never their secrets).
#[utoipa::path(get, path = "/api/v1/staff/config/api-keys", tag = "config",
    responses((status = 200, body = Vec<ApiKeyInfo>)), security(("bearer" = [])))]
async fn list_api_keys(State(state): State<AppState>, staff: StaffAuth) -> ApiResult<ApiJson<Vec<ApiKeyInfo>>> {
    staff.require_admin()?;
    Ok(ApiJson(state.store.list_api_keys(staff.ags()).await?))
}

/// Issues an Open311 API key for the municipality; the secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/staff/config/api-keys", tag = "config", request_body = NewApiKey,
    responses((status = 201, body = ApiKeyIssued)), security(("bearer" = [])))]
async fn create_api_key(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiJson(req): ApiJson<NewApiKey>,
) -> ApiResult<(StatusCode, ApiJson<ApiKeyIssued>)> {
    staff.require_admin()?;
    let (api_key, key) = api_keys::issue(&state, staff.ags(), &req.name, req.media_hosts).await?;
    Ok((StatusCode::CREATED, ApiJson(ApiKeyIssued { api_key, key })))
}

/// Revokes an Open311 API key of the municipality.
#[utoipa::path(delete, path = "/api/v1/staff/config/api-keys/{id}", tag = "config", params(("id" = String, Path)),
    responses((status = 204), (status = 404)), security(("bearer" = [])))]
async fn revoke_api_key(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ApiKeyId>,
) -> ApiResult<StatusCode> {
    staff.require_admin()?;
    state.store.revoke_api_key(staff.ags(), &id, chrono::Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the allowed photo hosts of an Open311 API key of the municipality (checked as
/// at creation; audited). A revoked key cannot be changed (409).
#[utoipa::path(put, path = "/api/v1/staff/config/api-keys/{id}/media-hosts", tag = "config",
    params(("id" = String, Path)), request_body = ApiKeyMediaHosts,
    responses((status = 200, body = ApiKeyInfo), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
async fn set_api_key_hosts(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiPath(id): ApiPath<ApiKeyId>,
    ApiJson(req): ApiJson<ApiKeyMediaHosts>,
) -> ApiResult<ApiJson<ApiKeyInfo>> {
    staff.require_admin()?;
    Ok(ApiJson(
        api_keys::set_media_hosts(&state, &staff.user, &id, req.media_hosts).await?,
    ))
}

/// Area and boundary import routes (GeoJSON files are larger than the JSON body limit).
pub fn import_routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(import_areas))
        .routes(routes!(check_boundary))
        .routes(routes!(replace_boundary))
}

/// The upload's text (GeoJSON is UTF-8).
fn utf8(body: &[u8]) -> Result<&str, FieldError> {
    std::str::from_utf8(body).map_err(|_| FieldError::new("body", "not_utf8"))
}

/// Checks a new boundary of the municipality (a GeoJSON geometry, Feature or
/// FeatureCollection; an Amt names each Gemeinde by its `AGS` property) and answers what
/// it would store, for the preview. Changes nothing.
#[utoipa::path(post, path = "/api/v1/staff/config/boundary/check", tag = "config",
    request_body(content = Object, content_type = "application/geo+json"),
    responses((status = 200, body = Vec<GemeindeInfo>), (status = 422, body = augenmerk_domain::ErrorBody)),
    security(("bearer" = [])))]
async fn check_boundary(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiBytes(body): ApiBytes,
) -> ApiResult<ApiJson<Vec<GemeindeInfo>>> {
    staff.require_admin()?;
    Ok(ApiJson(boundary::check(&state, staff.ags(), utf8(&body)?).await?))
}

/// Replaces the municipality's boundary with the upload (checked as in `check`); reports
/// are placed by the new line at once.
#[utoipa::path(put, path = "/api/v1/staff/config/boundary", tag = "config",
    request_body(content = Object, content_type = "application/geo+json"),
    responses((status = 200, body = Vec<GemeindeInfo>), (status = 422, body = augenmerk_domain::ErrorBody)),
    security(("bearer" = [])))]
async fn replace_boundary(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiBytes(body): ApiBytes,
) -> ApiResult<ApiJson<Vec<GemeindeInfo>>> {
    staff.require_admin()?;
    Ok(ApiJson(boundary::replace(&state, staff.ags(), utf8(&body)?).await?))
}

/// Which GeoJSON properties name the imported areas.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AreaImportQuery {
    /// Property with the area's name (default `name`).
    #[serde(default)]
    name_property: Option<String>,
    /// Property with the area's id (default: the id is made from the name).
    #[serde(default)]
    id_property: Option<String>,
}

/// An imported area (without its geometry).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
struct ImportedArea {
    id: AreaId,
    name: String,
}

/// Imports named areas (Stadtteile, districts) from a GeoJSON FeatureCollection; all or
/// nothing is checked first, then each area is created or replaced.
#[utoipa::path(post, path = "/api/v1/staff/config/areas/import", tag = "config", params(AreaImportQuery),
    request_body(content = Object, content_type = "application/geo+json"),
    responses((status = 200, body = Vec<ImportedArea>), (status = 422, body = augenmerk_domain::ErrorBody)),
    security(("bearer" = [])))]
async fn import_areas(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiQuery(q): ApiQuery<AreaImportQuery>,
    ApiBytes(body): ApiBytes,
) -> ApiResult<ApiJson<Vec<ImportedArea>>> {
    staff.require_admin()?;
    let text = std::str::from_utf8(&body).map_err(|_| FieldError::new("body", "not_utf8"))?;
    let how = config::AreaImport {
        name_property: q.name_property,
        id_property: q.id_property,
    };
    let stored = config::import_areas(&state, staff.ags(), text, how).await?;
    Ok(ApiJson(
        stored
            .into_iter()
            .map(|d| ImportedArea { id: d.id, name: d.name })
            .collect(),
    ))
}
