//! Storage of single sign-on (issue 24), a part of [`crate::Store`]: short-lived,
//! single-use records of sign-ins under way, and the link from a person of an identity
//! provider to a staff account.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use augenmerk_domain::{Ags, UserId};

use crate::StoreResult;

/// What a pending record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoPendingKind {
    /// A sign-in sent to the provider, keyed by its state.
    Attempt,
    /// A finished sign-in, keyed by the one-time code the console exchanges.
    Handover,
}

impl SsoPendingKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Attempt => "attempt",
            Self::Handover => "handover",
        }
    }
}

/// Single sign-on's records.
#[async_trait]
pub trait SsoStore: Send + Sync + 'static {
    /// Keeps a pending record until `expires_at` (and drops the expired ones).
    async fn put_sso_pending(
        &self,
        kind: SsoPendingKind,
        key_hash: String,
        ags: &Ags,
        payload: String,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Takes (reads and deletes) a pending record that has not expired: its municipality
    /// and payload. A second take of the same key finds nothing.
    async fn take_sso_pending(
        &self,
        kind: SsoPendingKind,
        key_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(Ags, String)>>;
    /// The account a person of the issuer signs in as.
    async fn sso_identity(&self, ags: &Ags, issuer: &str, subject: &str) -> StoreResult<Option<UserId>>;
    /// Links a person of the issuer to an account (replacing an earlier link).
    async fn link_sso_identity(&self, ags: &Ags, issuer: &str, subject: &str, user: &UserId) -> StoreResult<()>;
}
