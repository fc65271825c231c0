//! Open311 API keys: issued per client and municipality by an admin (API or CLI), shown
//! once, stored as their SHA-256 like every other token; their allowed photo hosts can be
//! changed later.

use chrono::Utc;

use augenmerk_domain::ErrorCode;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::staff::{ApiKeyInfo, StaffUser};
use augenmerk_domain::{Ags, ApiKeyId};

use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Longest client name.
const MAX_NAME_CHARS: usize = 100;

/// Most allow-listed media hosts per key.
const MAX_MEDIA_HOSTS: usize = 10;

/// Issues a key for a municipality; returns the secret (shown once) and the record.
pub async fn issue(
    state: &AppState,
    ags: &Ags,
    name: &str,
    media_hosts: Vec<String>,
) -> ApiResult<(String, ApiKeyInfo)> {
    let name = name.trim();
    let mut problems = Vec::new();
    if name.is_empty() {
        problems.push(FieldError::new("name", "required"));
    } else if name.chars().count() > MAX_NAME_CHARS {
        problems.push(FieldError::new("name", "too_long"));
    } else if let Err(e) = augenmerk_domain::text::FreeText::parse("name", name) {
        problems.push(e);
    }
    let media_hosts = match media_hosts_of(media_hosts) {
        Ok(hosts) => hosts,
        Err(p) => {
            problems.push(p);
            Vec::new()
        }
    };
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    // The municipality must exist on this server.
    state.tenant(ags).await?;
    let key = auth::new_token();
    let info = ApiKeyInfo {
        id: ApiKeyId::new_random(),
        municipality: ags.clone(),
        name: name.to_owned(),
        media_hosts,
        created_at: Utc::now(),
        revoked_at: None,
    };
    state.store.create_api_key(info.clone(), auth::token_hash(&key)).await?;
    Ok((key, info))
}

/// Replaces the allowed photo hosts of a municipality's key, checked as when it was
/// issued; a revoked key cannot be changed (409). The change is written to the audit log
/// (target `augenmerk::audit`) with who made it and the hosts before and after.
pub async fn set_media_hosts(
    state: &AppState,
    actor: &StaffUser,
    id: &ApiKeyId,
    media_hosts: Vec<String>,
) -> ApiResult<ApiKeyInfo> {
    let ags = &actor.municipality;
    let before = state
        .store
        .list_api_keys(ags)
        .await?
        .into_iter()
        .find(|k| k.id == *id)
        .ok_or_else(ApiError::not_found)?;
    if before.revoked_at.is_some() {
        return Err(ApiError::new(ErrorCode::Conflict).context(serde_json::json!({ "revoked": id.to_string() })));
    }
    let hosts = media_hosts_of(media_hosts).map_err(|p| ApiError::validation(vec![p]))?;
    let after = state.store.set_api_key_hosts(ags, id, hosts).await?;
    tracing::info!(
        target: "augenmerk::audit",
        municipality = %ags,
        user = %actor.id,
        api_key = %id,
        before = ?before.media_hosts,
        after = ?after.media_hosts,
        "Open311 API key's photo hosts changed"
    );
    Ok(after)
}

/// The allow-list as stored: trimmed, lower-case, each a bare host name, at most
/// [`MAX_MEDIA_HOSTS`], no host twice.
fn media_hosts_of(hosts: Vec<String>) -> Result<Vec<String>, FieldError> {
    if hosts.len() > MAX_MEDIA_HOSTS {
        return Err(FieldError::new("media_hosts", "too_many"));
    }
    let mut out: Vec<String> = Vec::with_capacity(hosts.len());
    for h in hosts {
        let h = h.trim().to_lowercase();
        if !valid_host(&h) {
            return Err(FieldError::new("media_hosts", "not_a_host_name"));
        }
        if !out.contains(&h) {
            out.push(h);
        }
    }
    Ok(out)
}

/// A bare host name (no scheme, port, path or wildcard): what an allow-list may hold.
fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::{media_hosts_of, valid_host};

    #[test]
    fn hosts_are_stored_trimmed_lower_case_and_once() {
        let hosts = media_hosts_of(vec![" Fotos.Flensburg.de ".into(), "fotos.flensburg.de".into()]);
        assert_eq!(hosts.ok(), Some(vec!["fotos.flensburg.de".to_owned()]));
        assert!(media_hosts_of(vec!["https://x.de".into()]).is_err());
        assert!(media_hosts_of((0..11).map(|i| format!("h{i}.de")).collect()).is_err());
    }

    #[test]
    fn only_bare_host_names_may_be_allow_listed() {
        assert!(valid_host("fotos.flensburg.de"));
        assert!(valid_host("localhost"));
        for bad in ["", "https://x.de", "x.de:8080", "*.x.de", "x..de", "-x.de", "x.de/pfad"] {
            assert!(!valid_host(bad), "{bad}");
        }
    }
}
