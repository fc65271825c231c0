//! Storage of staff sessions' details and of the sign-in log, a part of [`crate::Store`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use augenmerk_domain::sessions::LoginLogEntry;
use augenmerk_domain::{Ags, UserId};

use crate::StoreResult;

/// A session as stored (without its token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The SHA-256 of its token.
    pub token_hash: String,
    /// When it began (none for sessions from before this was recorded).
    pub created_at: Option<DateTime<Utc>>,
    /// When it ends by itself.
    pub expires_at: DateTime<Utc>,
    /// Its browser or app.
    pub user_agent: Option<String>,
    /// Its address.
    pub address: Option<String>,
}

/// Sessions and the sign-in log.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// Records when and from where a session (just created) began.
    async fn describe_session(
        &self,
        token_hash: &str,
        created_at: DateTime<Utc>,
        user_agent: Option<String>,
        address: Option<String>,
    ) -> StoreResult<()>;
    /// An account's sessions that have not expired, newest first.
    async fn list_sessions(&self, user: &UserId, now: DateTime<Utc>) -> StoreResult<Vec<SessionRecord>>;
    /// Ends the account's session whose hash begins with `id`; whether there was one.
    async fn end_session(&self, user: &UserId, id: &str) -> StoreResult<bool>;
    /// Ends every session of an account; how many.
    async fn end_sessions(&self, user: &UserId) -> StoreResult<u32>;
    /// Adds to a municipality's sign-in log (`None`: the platform's), dropping entries
    /// older than [`augenmerk_domain::sessions::LOGIN_LOG_DAYS`].
    async fn log_login(&self, ags: Option<&Ags>, entry: LoginLogEntry) -> StoreResult<()>;
    /// A municipality's sign-in log, newest first.
    async fn login_log(&self, ags: &Ags, limit: u32) -> StoreResult<Vec<LoginLogEntry>>;
}
