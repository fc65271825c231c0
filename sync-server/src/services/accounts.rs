//! Staff accounts: creating them (a municipality's staff, the platform admin) and changing
//! them. The rules are the same whoever asks: the admin console, the CLI and the demo.
//!
//! Login names follow the login's own rule, passwords the rules of [`crate::passwords`],
//! and a password is hashed off the async threads (argon2 is slow on purpose).

use augenmerk_domain::api::{NewStaffUser, StaffUserUpdate};
use augenmerk_domain::credentials::LoginName;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::report::Email;
use augenmerk_domain::staff::{Role, StaffUser};
use augenmerk_domain::text::parse_text;
use augenmerk_domain::{Ags, DepartmentId, UserId};

use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Checks and stores a new account of a municipality.
pub async fn new_user(state: &AppState, ags: &Ags, new: NewStaffUser) -> ApiResult<StaffUser> {
    // The same rule as at login, so every account can log in.
    let username = LoginName::parse(&new.username)?.as_str().to_owned();
    if new.role == Role::PlatformAdmin {
        return Err(FieldError::new("role", "not_allowed").into());
    }
    let municipality = state
        .tenant(ags)
        .await
        .map(|t| t.record.name.clone())
        .unwrap_or_default();
    auth::check_new_password(&new.password, &username, &[&new.display_name, &municipality])?;
    if let Some(d) = &new.department {
        require_department(state, ags, d).await?;
    }
    let hash = hash_off_thread(new.password.clone()).await?;
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

/// Creates a platform admin (an account of no municipality).
pub async fn new_platform_admin(state: &AppState, new: NewStaffUser) -> ApiResult<StaffUser> {
    let username = LoginName::parse(&new.username)?.as_str().to_owned();
    auth::check_new_password(&new.password, &username, &[&new.display_name])?;
    let hash = hash_off_thread(new.password.clone()).await?;
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

/// Changes an account of the admin's municipality (name, role, department, address,
/// active, password); a new password or disabling the account ends all its sessions.
pub async fn update_user(
    state: &AppState,
    admin: &StaffUser,
    id: &UserId,
    req: StaffUserUpdate,
) -> ApiResult<StaffUser> {
    let ags = &admin.municipality;
    let mut user = state.store.get_user(ags, id).await?;
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
        require_department(state, ags, &d).await?;
        user.department = Some(d);
    }
    if let Some(email) = req.email.as_deref() {
        user.email = staff_email(Some(email))?;
    }
    if let Some(active) = req.active {
        if !active && user.id == admin.id {
            return Err(FieldError::new("active", "cannot_disable_yourself").into());
        }
        user.active = active;
    }
    let hash = match req.password {
        Some(p) => {
            let municipality = state.tenant(ags).await?.record.name.clone();
            auth::check_new_password(&p, &user.username, &[&user.display_name, &municipality])?;
            Some(hash_off_thread(p).await?)
        }
        None => None,
    };
    state.store.update_user(user.clone(), hash).await?;
    Ok(user)
}

/// A staff member's notification address: empty means none.
pub fn staff_email(email: Option<&str>) -> ApiResult<Option<String>> {
    match email.map(str::trim).filter(|e| !e.is_empty()) {
        None => Ok(None),
        Some(e) => Email::parse(e)
            .map(|e| Some(e.as_str().to_owned()))
            .map_err(|_| FieldError::new("email", "invalid_email").into()),
    }
}

/// An account's department must be one of its municipality's.
async fn require_department(state: &AppState, ags: &Ags, department: &DepartmentId) -> ApiResult<()> {
    if state
        .store
        .list_departments(ags)
        .await?
        .iter()
        .any(|x| &x.id == department)
    {
        Ok(())
    } else {
        Err(FieldError::new("department", "unknown_department").into())
    }
}

/// Hashes a password on a blocking thread: argon2 takes long enough to stall the others.
async fn hash_off_thread(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(ApiError::internal)?
}
