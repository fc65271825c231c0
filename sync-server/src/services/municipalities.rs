//! Municipalities joining the platform: an amtsfreie Gemeinde by its AGS or an Amt by its
//! key becomes a tenant with the standard configuration and a first admin account.

use augenmerk_domain::api::{NewMunicipality, NewStaffUser};
use augenmerk_domain::error::FieldError;
use augenmerk_domain::staff::{Role, StaffUser};
use augenmerk_domain::text::parse_text;
use augenmerk_store::MunicipalityRecord;

use crate::error::{ApiError, ApiResult};
use crate::services::{accounts, mailed};
use crate::state::AppState;

/// Creates a tenant and its admin; its boundary must be imported. The name comes from the
/// request, the directory or the Gemeinde; with `import_mailed` the reports mailed to the
/// administration before are taken into its inbox. Returns the admin's account.
pub async fn create(state: &AppState, new: NewMunicipality) -> ApiResult<StaffUser> {
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
        state,
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
    let user = accounts::new_user(state, &new.ags, admin).await?;
    if new.import_mailed {
        let tenant = state.tenant(&new.ags).await?;
        mailed::take_in(state, &tenant, &new.ags).await?;
    }
    Ok(user)
}
