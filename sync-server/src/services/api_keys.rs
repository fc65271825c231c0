//! Open311 API keys: issued per client and municipality by an admin (API or CLI), shown
//! once, stored as their SHA-256 like every other token.

use chrono::Utc;

use augenmerk_domain::error::FieldError;
use augenmerk_domain::staff::ApiKeyInfo;
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
    if media_hosts.len() > MAX_MEDIA_HOSTS {
        problems.push(FieldError::new("media_hosts", "too_many"));
    }
    let media_hosts: Vec<String> = media_hosts.into_iter().map(|h| h.trim().to_lowercase()).collect();
    if media_hosts.iter().any(|h| !valid_host(h)) {
        problems.push(FieldError::new("media_hosts", "not_a_host_name"));
    }
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
    use super::valid_host;

    #[test]
    fn only_bare_host_names_may_be_allow_listed() {
        assert!(valid_host("fotos.flensburg.de"));
        assert!(valid_host("localhost"));
        for bad in ["", "https://x.de", "x.de:8080", "*.x.de", "x..de", "-x.de", "x.de/pfad"] {
            assert!(!valid_host(bad), "{bad}");
        }
    }
}
