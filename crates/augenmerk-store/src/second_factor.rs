//! Storage of staff accounts' second factor (TOTP secrets, hashed recovery codes, the
//! last accepted step) and of enrol-only sessions, a part of [`crate::Store`]. The rules
//! are in [`augenmerk_domain::second_factor`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use augenmerk_domain::UserId;
use augenmerk_domain::sessions::LoginOutcome;

use crate::StoreResult;

/// An account's TOTP secret as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpRecord {
    /// The secret in base32.
    pub secret: String,
    /// When it was confirmed; `None` while enrolment is under way.
    pub enabled_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for TotpRecord {
    // The secret is as good as the phone: it never goes into a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpRecord")
            .field("enabled_at", &self.enabled_at)
            .finish_non_exhaustive()
    }
}

/// Second factors and enrol-only sessions.
#[async_trait]
pub trait SecondFactorStore: Send + Sync + 'static {
    /// The account's secret, enabled or under enrolment.
    async fn totp(&self, user: &UserId) -> StoreResult<Option<TotpRecord>>;
    /// Starts (or starts again) an enrolment with a new secret, unless one is enabled:
    /// whether it was stored.
    async fn begin_totp(&self, user: &UserId, secret: &str) -> StoreResult<bool>;
    /// Confirms the enrolment: enabled at `at` with `step` as the last accepted step, the
    /// recovery codes replaced by these hashes, and the confirming session (by its token's
    /// hash) made whole. The account's other enrol-only sessions stay so: whoever holds
    /// them knows the password but not the new secret. False if no enrolment was under way.
    async fn enable_totp(
        &self,
        user: &UserId,
        at: DateTime<Utc>,
        step: u64,
        recovery_hashes: Vec<String>,
        session: &str,
    ) -> StoreResult<bool>;
    /// Removes the secret and the recovery codes; whether there was a secret.
    async fn remove_totp(&self, user: &UserId) -> StoreResult<bool>;
    /// Accepts a code's step once: false if this or a later step was accepted already.
    async fn use_totp_step(&self, user: &UserId, step: u64) -> StoreResult<bool>;
    /// Uses up a recovery code by its hash: whether it was one of the account's.
    async fn use_recovery_code(&self, user: &UserId, code_hash: &str) -> StoreResult<bool>;
    /// Recovery codes not used yet.
    async fn recovery_codes_left(&self, user: &UserId) -> StoreResult<u32>;
    /// Makes a session enrol-only.
    async fn restrict_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Whether a session is enrol-only.
    async fn session_restricted(&self, token_hash: &str) -> StoreResult<bool>;
    /// When the sign-in log recorded `outcome` for the account since `since`.
    async fn login_outcomes_since(
        &self,
        user: &UserId,
        outcome: LoginOutcome,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<DateTime<Utc>>>;
}
