//! A municipality's configuration as its admins change it: the category tree, departments,
//! delegation rules, named areas (one by one or imported from GeoJSON) and settings.
//!
//! Each change is checked against the rest of the configuration before it is stored, so
//! that rules never point nowhere: a category reports are filed on is deactivated, not
//! removed; a department or area a rule uses cannot be deleted. After a change the
//! tenant's cached configuration is dropped.

use augenmerk_domain::api::{AreaDefinition, MunicipalitySettings};
use augenmerk_domain::error::{ErrorCode, FieldError};
use augenmerk_domain::ids::slug;
use augenmerk_domain::rules::{Rule, RuleRefs, check_rules};
use augenmerk_domain::staff::{Department, ExternalAuthority};
use augenmerk_domain::text::parse_text;
use augenmerk_domain::{Ags, AreaId, CategoryTree, DepartmentId, UserId};

use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, build_areas};

/// Checks rules against the municipality's configuration (optionally a tree or areas
/// about to be stored instead of the stored ones).
pub async fn rule_problems(
    state: &AppState,
    ags: &Ags,
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

/// Replaces the category tree. Refused when the stored rules would point nowhere (422)
/// or when a category reports are filed on would be removed (409 naming them in
/// `in_use`: those are deactivated instead, so old reports keep their category).
pub async fn replace_categories(state: &AppState, ags: &Ags, tree: CategoryTree) -> ApiResult<CategoryTree> {
    tree.check().map_err(ApiError::validation)?;
    let tenant = state.tenant(ags).await?;
    let problems = rule_problems(state, ags, &tenant.rules, Some(&tree), None).await?;
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let removed_in_use: Vec<serde_json::Value> = state
        .store
        .categories_in_use(ags)
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
    state.store.put_categories(ags, tree.clone()).await?;
    state.invalidate(ags);
    Ok(tree)
}

/// Creates or updates a department (`id` is the one the request names it by).
pub async fn put_department(state: &AppState, ags: &Ags, id: &DepartmentId, dept: Department) -> ApiResult<Department> {
    if &dept.id != id {
        return Err(FieldError::new("id", "does_not_match_path").into());
    }
    if dept.name.trim().is_empty() {
        return Err(FieldError::new("name", "required").into());
    }
    parse_text("name", &dept.name)?;
    state.store.put_department(ags, dept.clone()).await?;
    state.invalidate(ags);
    Ok(dept)
}

/// Deletes a department no rule refers to (409 otherwise).
pub async fn delete_department(state: &AppState, ags: &Ags, id: &DepartmentId) -> ApiResult<()> {
    let tenant = state.tenant(ags).await?;
    if tenant.rules.iter().any(|r| r.action.department.as_ref() == Some(id)) {
        return Err(used_by_a_rule());
    }
    state.store.delete_department(ags, id).await?;
    state.invalidate(ags);
    Ok(())
}

/// Replaces the ordered rules after checking every reference (422 naming each problem).
pub async fn replace_rules(state: &AppState, ags: &Ags, rules: Vec<Rule>) -> ApiResult<Vec<Rule>> {
    let problems = rule_problems(state, ags, &rules, None, None).await?;
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    state.store.put_rules(ags, rules.clone()).await?;
    state.invalidate(ags);
    Ok(rules)
}

/// Creates or replaces a named area (`id` is the one the request names it by).
pub async fn put_area(state: &AppState, ags: &Ags, id: &AreaId, area: AreaDefinition) -> ApiResult<AreaDefinition> {
    if &area.id != id {
        return Err(FieldError::new("id", "does_not_match_path").into());
    }
    parse_text("name", &area.name)?;
    build_areas(std::slice::from_ref(&area)).map_err(|e| {
        ApiError::validation(vec![FieldError::new("geometry", "invalid")])
            .context(serde_json::json!({ "reason": e.to_string() }))
    })?;
    state.store.put_area(ags, area.clone()).await?;
    state.invalidate(ags);
    Ok(area)
}

/// Deletes an area no rule refers to (409 otherwise).
pub async fn delete_area(state: &AppState, ags: &Ags, id: &AreaId) -> ApiResult<()> {
    let tenant = state.tenant(ags).await?;
    let remaining: Vec<AreaId> = tenant
        .area_definitions
        .iter()
        .map(|a| a.id.clone())
        .filter(|a| a != id)
        .collect();
    let problems = rule_problems(state, ags, &tenant.rules, None, Some(&remaining)).await?;
    if problems.iter().any(|p| p.problem.starts_with("unknown_area")) {
        return Err(used_by_a_rule());
    }
    state.store.delete_area(ags, id).await?;
    state.invalidate(ags);
    Ok(())
}

fn used_by_a_rule() -> ApiError {
    ApiError::new(ErrorCode::Conflict).context(serde_json::json!({ "reason": "used by a rule" }))
}

/// Replaces the settings after checking each part (working hours, branding, reply
/// templates, authorities, delivery, privacy texts).
pub async fn replace_settings(
    state: &AppState,
    ags: &Ags,
    settings: MunicipalitySettings,
) -> ApiResult<MunicipalitySettings> {
    settings.working_hours.check()?;
    augenmerk_domain::branding::check_branding(settings.accent_color.as_deref(), settings.logo.as_deref())
        .map_err(ApiError::validation)?;
    augenmerk_domain::templates::check_templates(&settings.reply_templates).map_err(ApiError::validation)?;
    for (i, a) in settings.authorities.iter().enumerate() {
        parse_text(&format!("authorities.{i}.name"), &a.name)?;
    }
    let duplicates = duplicate_authorities(&settings.authorities);
    if !duplicates.is_empty() {
        return Err(ApiError::validation(duplicates));
    }
    augenmerk_domain::staff::check_delivery(&settings).map_err(ApiError::validation)?;
    settings.public.check().map_err(ApiError::validation)?;
    let tenant = state.tenant(ags).await?;
    // The console never sees the single sign-on secret: a change without one keeps it.
    let mut settings = settings;
    settings.sso.merge_secret(&tenant.record.settings.sso);
    settings.sso.parse().map_err(ApiError::validation)?;
    // As with departments: an authority a rule forwards to cannot be removed.
    if forwarded_to_removed(&settings.authorities, &tenant.rules) {
        return Err(used_by_a_rule());
    }
    let settings = crate::privacy::prepare_settings(&tenant.record.name, &tenant.record.settings, settings)?;
    state.store.put_settings(ags, settings.clone()).await?;
    state.invalidate(ags);
    Ok(settings)
}

/// An authority id that occurs twice, named at its second place (rules and forwarded
/// reports refer to authorities by id, so it must be unique).
fn duplicate_authorities(authorities: &[ExternalAuthority]) -> Vec<FieldError> {
    let mut seen = std::collections::HashSet::new();
    authorities
        .iter()
        .enumerate()
        .filter(|(_, a)| !seen.insert(&a.id))
        .map(|(i, _)| FieldError::new(format!("authorities.{i}.id"), "duplicate"))
        .collect()
}

/// Whether a rule forwards to an authority that is not among `authorities` any more.
fn forwarded_to_removed(authorities: &[ExternalAuthority], rules: &[Rule]) -> bool {
    rules
        .iter()
        .filter_map(|r| r.action.forward_to.as_ref())
        .any(|id| !authorities.iter().any(|a| &a.id == id))
}

/// Which GeoJSON properties name the areas of an import.
#[derive(Debug, Clone, Default)]
pub struct AreaImport {
    /// Property with the area's name (none: `name`).
    pub name_property: Option<String>,
    /// Property with the area's id (none: the id is made from the name).
    pub id_property: Option<String>,
}

/// Imports named areas (Stadtteile, districts) from a GeoJSON FeatureCollection: all are
/// checked first, then each is created or replaced. Returns what was stored.
pub async fn import_areas(
    state: &AppState,
    ags: &Ags,
    geojson: &str,
    how: AreaImport,
) -> ApiResult<Vec<AreaDefinition>> {
    let definitions = parse_area_import(geojson, how)?;
    for d in &definitions {
        state.store.put_area(ags, d.clone()).await?;
    }
    state.invalidate(ags);
    Ok(definitions)
}

/// The areas of an import, all or nothing.
fn parse_area_import(geojson: &str, how: AreaImport) -> ApiResult<Vec<AreaDefinition>> {
    let name_key = how.name_property.unwrap_or_else(|| "name".to_owned());
    let keys = augenmerk_geo::AreaKeys {
        id: how.id_property.clone().unwrap_or_else(|| name_key.clone()),
        name: name_key,
    };
    let parsed = augenmerk_geo::Areas::from_geojson_with(geojson, &keys).map_err(|e| {
        ApiError::validation(vec![FieldError::new("body", "invalid_geojson")])
            .context(serde_json::json!({ "reason": e.to_string() }))
    })?;
    let mut definitions: Vec<AreaDefinition> = Vec::new();
    for a in parsed.iter() {
        // Ids are slugs here; a file's own ids ("STBZ011") are normalised the same way.
        let raw_id = if how.id_property.is_some() {
            slug(a.id().as_str())
        } else {
            slug(a.name())
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
    Ok(definitions)
}

#[cfg(test)]
mod tests {
    use augenmerk_domain::AuthorityId;
    use augenmerk_domain::rules::{Rule, RuleAction};
    use augenmerk_domain::staff::ExternalAuthority;

    use super::{duplicate_authorities, forwarded_to_removed};

    fn authority(id: &str) -> ExternalAuthority {
        ExternalAuthority {
            id: AuthorityId::parse(id).expect("id"),
            name: id.to_uppercase(),
            email: None,
            open311: None,
        }
    }

    fn forwarding_to(id: &str) -> Rule {
        serde_json::from_value(serde_json::json!({
            "id": "weiter", "name": "Weiter", "action": {"forward_to": id}
        }))
        .expect("rule")
    }

    #[test]
    fn an_authority_id_given_twice_is_named_at_its_second_place() {
        let problems = duplicate_authorities(&[authority("kreis"), authority("db"), authority("kreis")]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "authorities.2.id");
        assert_eq!(problems[0].problem, "duplicate");
        assert!(duplicate_authorities(&[authority("kreis"), authority("db")]).is_empty());
    }

    #[test]
    fn removing_an_authority_a_rule_forwards_to_is_noticed() {
        let rules = [forwarding_to("kreis")];
        assert!(forwarded_to_removed(&[authority("db")], &rules));
        assert!(!forwarded_to_removed(&[authority("kreis")], &rules));
        let no_forward = Rule {
            action: RuleAction::default(),
            ..forwarding_to("kreis")
        };
        assert!(!forwarded_to_removed(&[], &[no_forward]));
    }
}
