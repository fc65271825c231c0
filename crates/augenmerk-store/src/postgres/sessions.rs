//! Sessions' details and the sign-in log on PostgreSQL (see [`crate::sessions`]).

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use tokio_postgres::Row;

use augenmerk_domain::sessions::{LOGIN_LOG_DAYS, LoginLogEntry, LoginOutcome};
use augenmerk_domain::{Ags, UserId};

use super::PgStore;
use super::codec::{bad, get_id_opt, get_ts, get_ts_opt, text, text_opt};
use crate::StoreResult;
use crate::codec::ts;
use crate::sessions::{SessionRecord, SessionStore};

fn session_from_row(row: &Row) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        token_hash: text(row, "token_hash")?,
        created_at: get_ts_opt(row, "created_at")?,
        expires_at: get_ts(row, "expires_at")?,
        user_agent: text_opt(row, "user_agent")?,
        address: text_opt(row, "address")?,
    })
}

fn entry_from_row(row: &Row) -> StoreResult<LoginLogEntry> {
    let outcome = text(row, "outcome")?;
    Ok(LoginLogEntry {
        at: get_ts(row, "at")?,
        username: text(row, "username")?,
        user: get_id_opt(row, "user_id")?,
        outcome: LoginOutcome::parse(&outcome).ok_or_else(|| bad("outcome", outcome))?,
        address: text_opt(row, "address")?,
    })
}

#[async_trait]
impl SessionStore for PgStore {
    async fn describe_session(
        &self,
        token_hash: &str,
        created_at: DateTime<Utc>,
        user_agent: Option<String>,
        address: Option<String>,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE sessions SET created_at = $2, user_agent = $3, address = $4 WHERE token_hash = $1",
                &[&token_hash, &ts(&created_at), &user_agent, &address],
            )
            .await?;
        Ok(())
    }

    async fn list_sessions(&self, user: &UserId, now: DateTime<Utc>) -> StoreResult<Vec<SessionRecord>> {
        let client = self.client().await?;
        client
            .query(
                "SELECT token_hash, created_at, expires_at, user_agent, address FROM sessions
                 WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC NULLS LAST, expires_at DESC",
                &[&user.to_string(), &ts(&now)],
            )
            .await?
            .iter()
            .map(session_from_row)
            .collect()
    }

    async fn end_session(&self, user: &UserId, id: &str) -> StoreResult<bool> {
        if id.len() < 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let client = self.client().await?;
        Ok(client
            .execute(
                "DELETE FROM sessions WHERE user_id = $1 AND substr(token_hash, 1, 16) = $2",
                &[&user.to_string(), &id],
            )
            .await?
            > 0)
    }

    async fn end_sessions(&self, user: &UserId) -> StoreResult<u32> {
        let client = self.client().await?;
        let n = client
            .execute("DELETE FROM sessions WHERE user_id = $1", &[&user.to_string()])
            .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn log_login(&self, ags: Option<&Ags>, e: LoginLogEntry) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "DELETE FROM login_log WHERE at < $1",
                &[&ts(&(e.at - Duration::days(LOGIN_LOG_DAYS)))],
            )
            .await?;
        client
            .execute(
                "INSERT INTO login_log (ags, at, username, user_id, outcome, address) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &ags.map(Ags::as_str),
                    &ts(&e.at),
                    &e.username,
                    &e.user.map(|u| u.to_string()),
                    &e.outcome.as_str(),
                    &e.address,
                ],
            )
            .await?;
        Ok(())
    }

    async fn login_log(&self, ags: &Ags, limit: u32) -> StoreResult<Vec<LoginLogEntry>> {
        let client = self.client().await?;
        client
            .query(
                "SELECT at, username, user_id, outcome, address FROM login_log WHERE ags = $1
                 ORDER BY at DESC, id DESC LIMIT $2",
                &[&ags.as_str(), &i64::from(limit)],
            )
            .await?
            .iter()
            .map(entry_from_row)
            .collect()
    }
}
