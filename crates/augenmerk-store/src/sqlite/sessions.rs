//! Sessions' details and the sign-in log on SQLite (see [`crate::sessions`]).

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Row, params};

use augenmerk_domain::sessions::{LOGIN_LOG_DAYS, LoginLogEntry, LoginOutcome};
use augenmerk_domain::{Ags, UserId};

use super::SqliteStore;
use super::codec::{get_id_opt, get_ts, get_ts_opt, parsed};
use crate::codec::ts;
use crate::sessions::{SessionRecord, SessionStore};
use crate::{StoreError, StoreResult};

fn session_from_row(row: &Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        token_hash: row.get("token_hash")?,
        created_at: get_ts_opt(row, "created_at")?,
        expires_at: get_ts(row, "expires_at")?,
        user_agent: row.get("user_agent")?,
        address: row.get("address")?,
    })
}

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<LoginLogEntry> {
    Ok(LoginLogEntry {
        at: get_ts(row, "at")?,
        username: row.get("username")?,
        user: get_id_opt(row, "user_id")?,
        outcome: parsed(row, "outcome", |s| LoginOutcome::parse(s).ok_or("unknown outcome"))?,
        address: row.get("address")?,
    })
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn describe_session(
        &self,
        token_hash: &str,
        created_at: DateTime<Utc>,
        user_agent: Option<String>,
        address: Option<String>,
    ) -> StoreResult<()> {
        let token_hash = token_hash.to_owned();
        self.write(move |tx| {
            tx.prepare_cached(
                "UPDATE sessions SET created_at = ?2, user_agent = ?3, address = ?4 WHERE token_hash = ?1",
            )?
            .execute(params![token_hash, ts(&created_at), user_agent, address])?;
            Ok(())
        })
        .await
    }

    async fn list_sessions(&self, user: &UserId, now: DateTime<Utc>) -> StoreResult<Vec<SessionRecord>> {
        let user = user.to_string();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT token_hash, created_at, expires_at, user_agent, address FROM sessions
                 WHERE user_id = ?1 AND expires_at > ?2 ORDER BY created_at DESC, expires_at DESC",
            )?;
            let rows = stmt.query_map([user, ts(&now)], session_from_row)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(StoreError::from)
        })
        .await
    }

    async fn end_session(&self, user: &UserId, id: &str) -> StoreResult<bool> {
        let (user, id) = (user.to_string(), id.to_owned());
        if id.len() < 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        self.write(move |tx| {
            Ok(tx
                .prepare_cached("DELETE FROM sessions WHERE user_id = ?1 AND substr(token_hash, 1, 16) = ?2")?
                .execute([user, id])?
                > 0)
        })
        .await
    }

    async fn end_sessions(&self, user: &UserId) -> StoreResult<u32> {
        let user = user.to_string();
        self.write(move |tx| {
            let n = tx
                .prepare_cached("DELETE FROM sessions WHERE user_id = ?1")?
                .execute([user])?;
            Ok(u32::try_from(n).unwrap_or(u32::MAX))
        })
        .await
    }

    async fn log_login(&self, ags: Option<&Ags>, e: LoginLogEntry) -> StoreResult<()> {
        let ags = ags.map(|a| a.as_str().to_owned());
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM login_log WHERE at < ?1")?
                .execute([ts(&(e.at - Duration::days(LOGIN_LOG_DAYS)))])?;
            tx.prepare_cached(
                "INSERT INTO login_log (ags, at, username, user_id, outcome, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                ags,
                ts(&e.at),
                e.username,
                e.user.map(|u| u.to_string()),
                e.outcome.as_str(),
                e.address
            ])?;
            Ok(())
        })
        .await
    }

    async fn login_log(&self, ags: &Ags, limit: u32) -> StoreResult<Vec<LoginLogEntry>> {
        let ags = ags.as_str().to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT at, username, user_id, outcome, address FROM login_log WHERE ags = ?1
                 ORDER BY at DESC, id DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![ags, limit], entry_from_row)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(StoreError::from)
        })
        .await
    }
}
