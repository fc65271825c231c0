//! Configuration by the municipality's admins (categories, departments, users, rules,
//! areas, settings) and by the platform admin (municipalities).
//!
//! Reading the configuration is open to all staff of the municipality (the console shows
//! department names and rules); changing it needs the admin role.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::routes;

use augenmerk_domain::api::{
    ApiKeyIssued, AreaDefinition, MunicipalitySettings, NewApiKey, NewStaffUser, StaffUserUpdate,
};
use augenmerk_domain::error::{ErrorCode, FieldError};
use augenmerk_domain::rules::{Rule, RuleRefs, check_rules};
use augenmerk_domain::staff::{ApiKeyInfo, Department, Role, StaffUser};
use augenmerk_domain::text::parse_text;
use augenmerk_domain::{Ags, ApiKeyId, AreaId, CategoryTree, DepartmentId, UserId};

use super::{ApiBytes, ApiJson, ApiPath, ApiQuery, ApiRouter};
use crate::auth::{self, StaffAuth};
use crate::error::{ApiError, ApiResult};
use crate::services::api_keys;
use crate::state::{AppState, build_areas};

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
    tree.check().map_err(ApiError::validation)?;
    let tenant = state.tenant(staff.ags()).await?;
    let problems = rule_problems(&state, staff.ags(), &tenant.rules, Some(&tree), None).await?;
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let removed_in_use: Vec<serde_json::Value> = state
        .store
        .categories_in_use(staff.ags())
        .await?
        .into_iter()
        .filter(|(id, _)| tree.find(id).is_none())
        .map(|(id, reports)| serde_json::json!({ "category": id.as_str(), "reports": reports }))
        .collect();
    if !removed_in_use.is_empty() {
        return Err(ApiError::new(ErrorCode::Conflict).context(serde_json::json!({
            "reason": "category in use: deactivate it instead",
            "in_use": removed_in_use,
        })));
    }
    state.store.put_categories(staff.ags(), tree.clone()).await?;
    state.invalidate(staff.ags());
    Ok(ApiJson(tree))
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
    if dept.id != id {
        return Err(FieldError::new("id", "does_not_match_path").into());
    }
    if dept.name.trim().is_empty() {
        return Err(FieldError::new("name", "required").into());
    }
    parse_text("name", &dept.name)?;
    state.store.put_department(staff.ags(), dept.clone()).await?;
    state.invalidate(staff.ags());
    Ok(ApiJson(dept))
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
    let tenant = state.tenant(staff.ags()).await?;
    if tenant.rules.iter().any(|r| r.action.department.as_ref() == Some(&id)) {
        return Err(ApiError::new(ErrorCode::Conflict).context(serde_json::json!({ "reason": "used by a rule" })));
    }
    state.store.delete_department(staff.ags(), &id).await?;
    state.invalidate(staff.ags());
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
    let user = new_user(&state, staff.ags(), new).await?;
    Ok((StatusCode::CREATED, ApiJson(user)))
}

/// Checks and stores a new account of a municipality.
pub async fn new_user(state: &AppState, ags: &augenmerk_domain::Ags, new: NewStaffUser) -> ApiResult<StaffUser> {
    // The same rule as at login, so every account can log in.
    let username = augenmerk_domain::credentials::LoginName::parse(&new.username)?
        .as_str()
        .to_owned();
    if new.role == Role::PlatformAdmin {
        return Err(FieldError::new("role", "not_allowed").into());
    }
    let municipality = state
        .tenant(ags)
        .await
        .map(|t| t.record.name.clone())
        .unwrap_or_default();
    auth::check_new_password(&new.password, &username, &[&new.display_name, &municipality])?;
    if let Some(d) = &new.department
        && !state.store.list_departments(ags).await?.iter().any(|x| &x.id == d)
    {
        return Err(FieldError::new("department", "unknown_department").into());
    }
    let password = new.password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(ApiError::internal)??;
    let user = StaffUser {
        id: UserId::new_random(),
        municipality: ags.clone(),
        username,
        display_name: if new.display_name.trim().is_empty() {
            new.username.clone()
        } else {
            parse_text("display_name", new.display_name.trim())?
        },
        role: new.role,
        department: new.department,
        active: true,
        email: staff_email(new.email.as_deref())?,
        mail: Default::default(),
    };
    state.store.create_user(user.clone(), hash).await?;
    Ok(user)
}

/// A staff member's notification address: empty means none.
pub fn staff_email(email: Option<&str>) -> ApiResult<Option<String>> {
    match email.map(str::trim).filter(|e| !e.is_empty()) {
        None => Ok(None),
        Some(e) => augenmerk_domain::report::Email::parse(e)
            .map(|e| Some(e.as_str().to_owned()))
            .map_err(|_| FieldError::new("email", "invalid_email").into()),
    }
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
    let mut user = state.store.get_user(staff.ags(), &id).await?;
    if let Some(name) = req.display_name {
        user.display_name = parse_text("display_name", name.trim())?;
    }
    if let Some(role) = req.role {
        if role == Role::PlatformAdmin {
            return Err(FieldError::new("role", "not_allowed").into());
        }
        user.role = role;
    }
    if let Some(d) = req.department {
        if !state
            .store
            .list_departments(staff.ags())
            .await?
            .iter()
            .any(|x| x.id == d)
        {
            return Err(FieldError::new("department", "unknown_department").into());
        }
        user.department = Some(d);
    }
    if let Some(email) = req.email.as_deref() {
        user.email = staff_email(Some(email))?;
    }
    if let Some(active) = req.active {
        if !active && user.id == staff.user.id {
            return Err(FieldError::new("active", "cannot_disable_yourself").into());
        }
        user.active = active;
    }
    let hash = match req.password {
        Some(p) => {
            let municipality = state.tenant(staff.ags()).await?.record.name.clone();
            auth::check_new_password(&p, &user.username, &[&user.display_name, &municipality])?;
            Some(
                tokio::task::spawn_blocking(move || auth::hash_password(&p))
                    .await
                    .map_err(ApiError::internal)??,
            )
        }
        None => None,
    };
    state.store.update_user(user.clone(), hash).await?;
    Ok(ApiJson(user))
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
    let problems = rule_problems(&state, staff.ags(), &rules, None, None).await?;
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    state.store.put_rules(staff.ags(), rules.clone()).await?;
    state.invalidate(staff.ags());
    Ok(ApiJson(rules))
}

/// Checks rules against the municipality's configuration (optionally a tree or areas about to be stored).
pub async fn rule_problems(
    state: &AppState,
    ags: &augenmerk_domain::Ags,
    rules: &[Rule],
    tree: Option<&CategoryTree>,
    areas: Option<&[AreaId]>,
) -> ApiResult<Vec<FieldError>> {
    let tenant = state.tenant(ags).await?;
    let departments: Vec<DepartmentId> = tenant.departments.iter().map(|d| d.id.clone()).collect();
    let users: Vec<UserId> = state.store.list_users(ags).await?.into_iter().map(|u| u.id).collect();
    let stored_areas: Vec<AreaId> = tenant.area_definitions.iter().map(|a| a.id.clone()).collect();
    let gemeinden: Vec<Ags> = tenant.gemeinden.iter().map(|g| g.ags.clone()).collect();
    let authorities: Vec<_> = tenant
        .record
        .settings
        .authorities
        .iter()
        .map(|a| a.id.clone())
        .collect();
    Ok(check_rules(
        rules,
        &RuleRefs {
            tree: tree.unwrap_or(&tenant.record.categories),
            departments: &departments,
            users: &users,
            areas: areas.unwrap_or(&stored_areas),
            gemeinden: &gemeinden,
            authorities: &authorities,
        },
    ))
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
    if area.id != id {
        return Err(FieldError::new("id", "does_not_match_path").into());
    }
    parse_text("name", &area.name)?;
    build_areas(std::slice::from_ref(&area)).map_err(|e| {
        ApiError::validation(vec![FieldError::new("geometry", "invalid")])
            .context(serde_json::json!({ "reason": e.to_string() }))
    })?;
    state.store.put_area(staff.ags(), area.clone()).await?;
    state.invalidate(staff.ags());
    Ok(ApiJson(area))
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
    let tenant = state.tenant(staff.ags()).await?;
    let remaining: Vec<AreaId> = tenant
        .area_definitions
        .iter()
        .map(|a| a.id.clone())
        .filter(|a| a != &id)
        .collect();
    let problems = rule_problems(&state, staff.ags(), &tenant.rules, None, Some(&remaining)).await?;
    if problems.iter().any(|p| p.problem.starts_with("unknown_area")) {
        return Err(ApiError::new(ErrorCode::Conflict).context(serde_json::json!({ "reason": "used by a rule" })));
    }
    state.store.delete_area(staff.ags(), &id).await?;
    state.invalidate(staff.ags());
    Ok(StatusCode::NO_CONTENT)
}

/// Working hours, external authorities, accent colour.
#[utoipa::path(get, path = "/api/v1/staff/config/settings", tag = "config",
    responses((status = 200, body = MunicipalitySettings)), security(("bearer" = [])))]
async fn get_settings(State(state): State<AppState>, staff: StaffAuth) -> ApiResult<ApiJson<MunicipalitySettings>> {
    let mut settings = state.tenant(staff.ags()).await?.record.settings.clone();
    if !staff.user.role.configures() {
        // Everyone on staff needs the authorities (to forward), only admins their keys.
        settings.hide_secrets();
    }
    Ok(ApiJson(settings))
}

/// Replaces the settings.
#[utoipa::path(put, path = "/api/v1/staff/config/settings", tag = "config", request_body = MunicipalitySettings,
    responses((status = 200, body = MunicipalitySettings)), security(("bearer" = [])))]
async fn put_settings(
    State(state): State<AppState>,
    staff: StaffAuth,
    ApiJson(settings): ApiJson<MunicipalitySettings>,
) -> ApiResult<ApiJson<MunicipalitySettings>> {
    staff.require_admin()?;
    settings.working_hours.check()?;
    augenmerk_domain::branding::check_branding(settings.accent_color.as_deref(), settings.logo.as_deref())
        .map_err(ApiError::validation)?;
    augenmerk_domain::templates::check_templates(&settings.reply_templates).map_err(ApiError::validation)?;
    for (i, a) in settings.authorities.iter().enumerate() {
        parse_text(&format!("authorities.{i}.name"), &a.name)?;
    }
    augenmerk_domain::staff::check_delivery(&settings).map_err(ApiError::validation)?;
    let tenant = state.tenant(staff.ags()).await?;
    let settings = crate::privacy::prepare_settings(&tenant.record.name, &tenant.record.settings, settings)?;
    state.store.put_settings(staff.ags(), settings.clone()).await?;
    state.invalidate(staff.ags());
    Ok(ApiJson(settings))
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

/// Area import routes (GeoJSON files are larger than the JSON body limit).
pub fn import_routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(import_areas))
}

/// Which GeoJSON properties name the imported areas.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
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
    let name_key = q.name_property.unwrap_or_else(|| "name".to_owned());
    let keys = augenmerk_geo::AreaKeys {
        id: q.id_property.clone().unwrap_or_else(|| name_key.clone()),
        name: name_key,
    };
    let parsed = augenmerk_geo::Areas::from_geojson_with(text, &keys).map_err(|e| {
        ApiError::validation(vec![FieldError::new("body", "invalid_geojson")])
            .context(serde_json::json!({ "reason": e.to_string() }))
    })?;
    let mut definitions: Vec<AreaDefinition> = Vec::new();
    for a in parsed.iter() {
        // Ids are slugs here; a file's own ids ("STBZ011") are normalised the same way.
        let raw_id = if q.id_property.is_some() {
            crate::demo::slug(a.id().as_str())
        } else {
            crate::demo::slug(a.name())
        };
        let id = AreaId::parse(&raw_id).map_err(|e| {
            ApiError::validation(vec![e]).context(serde_json::json!({ "area": a.name(), "id": raw_id }))
        })?;
        if definitions.iter().any(|d| d.id == id) {
            return Err(ApiError::validation(vec![FieldError::new("body", "duplicate_area_id")])
                .context(serde_json::json!({ "id": id.as_str() })));
        }
        let geometry = serde_json::from_str(&a.geometry_geojson()).map_err(ApiError::internal)?;
        definitions.push(AreaDefinition {
            id,
            name: parse_text("name", a.name()).map_err(|e| ApiError::validation(vec![e]))?,
            geometry,
        });
    }
    if definitions.is_empty() {
        return Err(FieldError::new("body", "no_areas").into());
    }
    for d in &definitions {
        state.store.put_area(staff.ags(), d.clone()).await?;
    }
    state.invalidate(staff.ags());
    Ok(ApiJson(
        definitions
            .into_iter()
            .map(|d| ImportedArea { id: d.id, name: d.name })
            .collect(),
    ))
}
