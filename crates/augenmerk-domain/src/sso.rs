//! Single sign-on through OpenID Connect per municipality (issue 24): the settings an admin
//! keeps in the municipality's settings, parsed once into [`SsoConfig`], and the pure
//! decisions of a sign-in — which issuers are allowed, which claim carries the login name,
//! and which role a person's groups give them ([`map_role`]).
//!
//! Key terms: the *issuer* is the identity provider's URL (Keycloak realm, ADFS, Entra ID
//! tenant); the *groups claim* is the ID token claim listing the person's groups or roles;
//! a *role mapping* says which group gives which of our roles.

use serde::{Deserialize, Serialize};

use crate::credentials::LoginName;
use crate::error::FieldError;
use crate::staff::Role;

/// The claim with the login name unless the admin names another (Keycloak and Entra ID
/// both send `preferred_username`; ADFS sends `upn`).
pub const DEFAULT_USERNAME_CLAIM: &str = "preferred_username";
/// The claim with the groups unless the admin names another (Keycloak's group mapper;
/// Entra ID: `groups` or `roles`).
pub const DEFAULT_GROUPS_CLAIM: &str = "groups";
/// Longest issuer URL, client id, claim name or group name (bytes).
const MAX_FIELD: usize = 512;
/// Most role mappings.
const MAX_MAPPINGS: usize = 100;

fn default_username_claim() -> String {
    DEFAULT_USERNAME_CLAIM.to_owned()
}

fn default_groups_claim() -> String {
    DEFAULT_GROUPS_CLAIM.to_owned()
}

fn yes() -> bool {
    true
}

/// One group that gives a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleMapping {
    /// The group (or role) as the provider sends it in the groups claim.
    pub group: String,
    /// Our role for members of the group (not `platform_admin`).
    pub role: Role,
}

/// A municipality's single sign-on settings, as stored and as the console edits them.
///
/// The client secret is write-only: answers carry `client_secret_set` instead, and a
/// change without `client_secret` keeps the stored one (see [`SsoSettings::merge_secret`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoSettings {
    /// Sign-in through the identity provider offered.
    #[serde(default)]
    pub enabled: bool,
    /// The provider's issuer URL (`https://…`; `http://` only on the loopback address).
    #[serde(default)]
    pub issuer: String,
    /// The client id registered at the provider.
    #[serde(default)]
    pub client_id: String,
    /// The client secret (write-only: never in an answer; absent keeps the stored one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Whether a client secret is stored (answers only; ignored in a change).
    #[serde(default)]
    pub client_secret_set: bool,
    /// The ID token claim with the login name.
    #[serde(default = "default_username_claim")]
    pub username_claim: String,
    /// The ID token claim with the groups (a dotted path such as `realm_access.roles` reaches
    /// into an object).
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// Which group gives which role; the first mapping whose group the person has wins.
    #[serde(default)]
    pub role_mapping: Vec<RoleMapping>,
    /// The provider's name on the sign-in button ("Anmelden mit …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Local accounts (login name and password) may sign in; off only while single
    /// sign-on is enabled.
    #[serde(default = "yes")]
    pub local_accounts: bool,
}

impl Default for SsoSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            issuer: String::new(),
            client_id: String::new(),
            client_secret: None,
            client_secret_set: false,
            username_claim: default_username_claim(),
            groups_claim: default_groups_claim(),
            role_mapping: Vec::new(),
            display_name: None,
            local_accounts: true,
        }
    }
}

impl SsoSettings {
    /// Blanks the secret for an answer, saying only whether there is one.
    pub fn hide_secret(&mut self) {
        self.client_secret_set = self.client_secret.as_deref().is_some_and(|s| !s.is_empty());
        self.client_secret = None;
    }

    /// A change without a secret keeps the stored one (the console never sees it); an
    /// empty secret removes it.
    pub fn merge_secret(&mut self, stored: &SsoSettings) {
        match self.client_secret.as_deref() {
            None => self.client_secret.clone_from(&stored.client_secret),
            Some("") => self.client_secret = None,
            Some(_) => {}
        }
        self.client_secret_set = self.client_secret.is_some();
    }

    /// Whether local accounts may sign in.
    pub fn local_accounts_allowed(&self) -> bool {
        self.local_accounts || !self.enabled
    }

    /// Checks the settings (whatever `enabled` says, so a prepared configuration is
    /// sound too) and gives the configuration a sign-in uses; `None` when disabled.
    pub fn parse(&self) -> Result<Option<SsoConfig>, Vec<FieldError>> {
        let mut problems = Vec::new();
        let field = |name: &str| format!("sso.{name}");
        if !self.local_accounts && !self.enabled {
            // Nobody could sign in any more.
            problems.push(FieldError::new(field("local_accounts"), "sso_required"));
        }
        let issuer = self.issuer.trim();
        if (self.enabled || !issuer.is_empty())
            && let Err(code) = check_issuer(issuer)
        {
            problems.push(FieldError::new(field("issuer"), code));
        }
        let client_id = self.client_id.trim();
        if (self.enabled && client_id.is_empty()) || client_id.len() > MAX_FIELD {
            problems.push(FieldError::new(field("client_id"), "invalid"));
        }
        if self.client_secret.as_deref().is_some_and(|s| s.len() > MAX_FIELD) {
            problems.push(FieldError::new(field("client_secret"), "too_long"));
        }
        for (name, claim) in [
            ("username_claim", &self.username_claim),
            ("groups_claim", &self.groups_claim),
        ] {
            if !valid_claim_name(claim) {
                problems.push(FieldError::new(field(name), "invalid"));
            }
        }
        if self.role_mapping.len() > MAX_MAPPINGS {
            problems.push(FieldError::new(field("role_mapping"), "too_many"));
        }
        for (i, m) in self.role_mapping.iter().enumerate() {
            if m.group.trim().is_empty() || m.group.len() > MAX_FIELD {
                problems.push(FieldError::new(field(&format!("role_mapping.{i}.group")), "invalid"));
            }
            if m.role == Role::PlatformAdmin {
                problems.push(FieldError::new(field(&format!("role_mapping.{i}.role")), "not_allowed"));
            }
        }
        if self.display_name.as_deref().is_some_and(|n| n.chars().count() > 80) {
            problems.push(FieldError::new(field("display_name"), "too_long"));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(self.enabled.then(|| SsoConfig {
            issuer: issuer.trim_end_matches('/').to_owned(),
            client_id: client_id.to_owned(),
            client_secret: self.client_secret.clone().filter(|s| !s.is_empty()),
            username_claim: self.username_claim.clone(),
            groups_claim: self.groups_claim.clone(),
            role_mapping: self.role_mapping.clone(),
        }))
    }
}

/// Checked settings of an enabled single sign-on.
#[derive(Clone, PartialEq, Eq)]
pub struct SsoConfig {
    /// The issuer URL without a trailing slash.
    pub issuer: String,
    /// The client id.
    pub client_id: String,
    /// The client secret (none: a public client, PKCE only).
    pub client_secret: Option<String>,
    /// The claim with the login name.
    pub username_claim: String,
    /// The claim with the groups.
    pub groups_claim: String,
    /// Group → role, first match wins.
    pub role_mapping: Vec<RoleMapping>,
}

impl std::fmt::Debug for SsoConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

/// What the console's login needs to know of a municipality before anyone signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoInfo {
    /// Single sign-on is offered.
    pub enabled: bool,
    /// The provider's name for the button (none: a generic label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Login name and password are accepted.
    pub local_accounts: bool,
}

impl From<&SsoSettings> for SsoInfo {
    fn from(s: &SsoSettings) -> Self {
        Self {
            enabled: s.enabled,
            display_name: s.display_name.clone().filter(|n| !n.trim().is_empty()),
            local_accounts: s.local_accounts_allowed(),
        }
    }
}

/// The one-time code the console exchanges for a session after a sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoExchange {
    /// The code from the redirect to the console.
    pub code: String,
}

/// Whether an issuer URL may be used: `https://`, or `http://` on the loopback address
/// only. A provider's discovery document and keys decide who can sign in, so they must
/// not be readable or replaceable on the way; a loopback address never leaves the
/// machine (a provider beside the server, and the tests' provider).
pub fn check_issuer(issuer: &str) -> Result<(), &'static str> {
    if issuer.is_empty() || issuer.len() > MAX_FIELD || issuer.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("invalid");
    }
    if issuer.contains(['?', '#']) {
        // OpenID Connect Discovery §3: no query and no fragment.
        return Err("invalid");
    }
    if let Some(rest) = issuer.strip_prefix("https://") {
        return if host_of(rest).is_empty() {
            Err("invalid")
        } else {
            Ok(())
        };
    }
    if let Some(rest) = issuer.strip_prefix("http://") {
        return match host_of(rest) {
            "127.0.0.1" | "[::1]" | "localhost" => Ok(()),
            "" => Err("invalid"),
            _ => Err("https_required"),
        };
    }
    Err("https_required")
}

/// The host of `host[:port][/path]` (with an IPv6 address in brackets).
fn host_of(rest: &str) -> &str {
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return ""; // no user info in an issuer
    }
    if authority.starts_with('[') {
        return authority.find(']').map_or("", |end| &authority[..=end]);
    }
    authority.split(':').next().unwrap_or_default()
}

fn valid_claim_name(claim: &str) -> bool {
    !claim.is_empty()
        && claim.len() <= 128
        && claim.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '/'))
        })
}

/// The value of a claim by its (dotted) name, e.g. `realm_access.roles`. A claim whose
/// own name contains dots (URIs, as ADFS uses) is found whole first.
pub fn claim<'a>(claims: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    if let Some(v) = claims.get(name) {
        return Some(v);
    }
    name.split('.').try_fold(claims, |v, part| v.get(part))
}

/// A claim's groups: an array of strings, or a single string.
pub fn groups(claims: &serde_json::Value, name: &str) -> Vec<String> {
    match claim(claims, name) {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str()).map(str::to_owned).collect(),
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The role a person's groups give: the first mapping whose group they have (groups are
/// compared exactly, as the provider spells them). `None`: no mapped group, no sign-in.
pub fn map_role(mapping: &[RoleMapping], groups: &[String]) -> Option<Role> {
    mapping
        .iter()
        .find(|m| m.role != Role::PlatformAdmin && groups.contains(&m.group))
        .map(|m| m.role)
}

/// Why a sign-in through the provider is refused after the provider said who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SsoRefusal {
    /// The username claim is missing or no login name.
    #[error("the ID token has no usable login name in the configured claim")]
    NoUsername,
    /// None of the person's groups is mapped to a role.
    #[error("none of the person's groups is mapped to a role")]
    NoMappedGroup,
}

/// The login name and role of a person from their ID token's claims.
pub fn identify(config: &SsoConfig, claims: &serde_json::Value) -> Result<(LoginName, Role), SsoRefusal> {
    let name = claim(claims, &config.username_claim)
        .and_then(|v| v.as_str())
        .and_then(|s| LoginName::parse(s).ok())
        .ok_or(SsoRefusal::NoUsername)?;
    let role =
        map_role(&config.role_mapping, &groups(claims, &config.groups_claim)).ok_or(SsoRefusal::NoMappedGroup)?;
    Ok((name, role))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use serde_json::json;

    use super::*;

    fn mapping() -> Vec<RoleMapping> {
        vec![
            RoleMapping {
                group: "augenmerk-admins".into(),
                role: Role::Admin,
            },
            RoleMapping {
                group: "leitstelle".into(),
                role: Role::Dispatcher,
            },
            RoleMapping {
                group: "bauhof".into(),
                role: Role::FieldWorker,
            },
        ]
    }

    #[rstest]
    #[case(&["leitstelle"], Some(Role::Dispatcher))]
    #[case(&["bauhof", "augenmerk-admins"], Some(Role::Admin))] // the list's order decides
    #[case(&["Leitstelle"], None)] // exact spelling
    #[case(&["other"], None)]
    #[case(&[], None)]
    fn maps_groups_to_roles(#[case] groups: &[&str], #[case] role: Option<Role>) {
        let groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
        assert_eq!(map_role(&mapping(), &groups), role);
    }

    #[test]
    fn never_maps_to_platform_admin() {
        let m = vec![RoleMapping {
            group: "x".into(),
            role: Role::PlatformAdmin,
        }];
        assert_eq!(map_role(&m, &["x".to_owned()]), None);
    }

    #[rstest]
    #[case("https://login.example.de/realms/kreis", Ok(()))]
    #[case("http://127.0.0.1:8080/realms/test", Ok(()))]
    #[case("http://localhost:3000", Ok(()))]
    #[case("http://[::1]:3000", Ok(()))]
    #[case("http://idp.example.de", Err("https_required"))]
    #[case("http://127.0.0.1.evil.example", Err("https_required"))]
    #[case("http://localhost@evil.example", Err("invalid"))]
    #[case("ftp://idp.example.de", Err("https_required"))]
    #[case("https://idp.example.de/?x=1", Err("invalid"))]
    #[case("", Err("invalid"))]
    fn allows_https_and_loopback_http(#[case] issuer: &str, #[case] expected: Result<(), &'static str>) {
        assert_eq!(check_issuer(issuer), expected);
    }

    #[test]
    fn reads_claims_by_path_and_shape() {
        let claims = json!({
            "preferred_username": "M.Muster",
            "groups": ["leitstelle"],
            "realm_access": { "roles": ["bauhof"] },
            "http://schemas.example/claims/group": "augenmerk-admins",
        });
        assert_eq!(groups(&claims, "groups"), vec!["leitstelle"]);
        assert_eq!(groups(&claims, "realm_access.roles"), vec!["bauhof"]);
        assert_eq!(
            groups(&claims, "http://schemas.example/claims/group"),
            vec!["augenmerk-admins"]
        );
        assert!(groups(&claims, "missing").is_empty());
        let config = SsoSettings {
            enabled: true,
            issuer: "https://idp.example.de".into(),
            client_id: "augenmerk".into(),
            role_mapping: mapping(),
            ..SsoSettings::default()
        }
        .parse()
        .expect("valid")
        .expect("enabled");
        let (name, role) = identify(&config, &claims).expect("mapped");
        assert_eq!((name.as_str(), role), ("m.muster", Role::Dispatcher));
        assert_eq!(
            identify(&config, &json!({"groups": ["leitstelle"]})),
            Err(SsoRefusal::NoUsername)
        );
        assert_eq!(
            identify(&config, &json!({"preferred_username": "a", "groups": ["x"]})),
            Err(SsoRefusal::NoMappedGroup)
        );
    }

    #[test]
    fn local_accounts_cannot_be_switched_off_without_sso() {
        let s = SsoSettings {
            local_accounts: false,
            ..SsoSettings::default()
        };
        assert!(s.parse().is_err());
        assert!(s.local_accounts_allowed());
    }

    #[test]
    fn secret_is_write_only() {
        let stored = SsoSettings {
            client_secret: Some("s3cret".into()),
            ..SsoSettings::default()
        };
        let mut shown = stored.clone();
        shown.hide_secret();
        assert_eq!((shown.client_secret.as_deref(), shown.client_secret_set), (None, true));
        assert!(!serde_json::to_string(&shown).expect("json").contains("s3cret"));
        let mut change = shown.clone();
        change.merge_secret(&stored);
        assert_eq!(change.client_secret.as_deref(), Some("s3cret"));
        let mut cleared = SsoSettings {
            client_secret: Some(String::new()),
            ..shown
        };
        cleared.merge_secret(&stored);
        assert_eq!(cleared.client_secret, None);
    }
}
