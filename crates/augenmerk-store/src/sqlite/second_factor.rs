//! Second factors and enrol-only sessions on SQLite (see [`crate::second_factor`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use augenmerk_domain::UserId;
use augenmerk_domain::sessions::LoginOutcome;

use super::SqliteStore;
use super::codec::{get_ts, get_ts_opt};
use crate::codec::ts;
use crate::second_factor::{SecondFactorStore, TotpRecord};
use crate::{StoreError, StoreResult};

fn step_sql(step: u64) -> i64 {
    i64::try_from(step).unwrap_or(i64::MAX)
}

#[async_trait]
impl SecondFactorStore for SqliteStore {
    async fn totp(&self, user: &UserId) -> StoreResult<Option<TotpRecord>> {
        let user = user.to_string();
        self.read(move |c| {
            c.prepare_cached("SELECT secret, enabled_at FROM user_totp WHERE user_id = ?1")?
                .query_row([user], |row| {
                    Ok(TotpRecord {
                        secret: row.get("secret")?,
                        enabled_at: get_ts_opt(row, "enabled_at")?,
                    })
                })
                .optional()
                .map_err(StoreError::from)
        })
        .await
    }

    async fn begin_totp(&self, user: &UserId, secret: &str) -> StoreResult<bool> {
        let (user, secret) = (user.to_string(), secret.to_owned());
        self.write(move |tx| {
            let n = tx
                .prepare_cached(
                    "INSERT INTO user_totp (user_id, secret) VALUES (?1, ?2)
                     ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = NULL
                     WHERE user_totp.enabled_at IS NULL",
                )?
                .execute([user, secret])?;
            Ok(n > 0)
        })
        .await
    }

    async fn enable_totp(
        &self,
        user: &UserId,
        at: DateTime<Utc>,
        step: u64,
        recovery_hashes: Vec<String>,
        session: &str,
    ) -> StoreResult<bool> {
        let (user, session) = (user.to_string(), session.to_owned());
        self.write(move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE user_totp SET enabled_at = ?2, last_step = ?3 WHERE user_id = ?1 AND enabled_at IS NULL",
                )?
                .execute(params![user, ts(&at), step_sql(step)])?;
            if n == 0 {
                return Ok(false);
            }
            tx.prepare_cached("DELETE FROM recovery_codes WHERE user_id = ?1")?
                .execute([&user])?;
            let mut insert = tx.prepare_cached("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)")?;
            for hash in &recovery_hashes {
                insert.execute([&user, hash])?;
            }
            tx.prepare_cached("UPDATE sessions SET enrol_only = 0 WHERE user_id = ?1 AND token_hash = ?2")?
                .execute([&user, &session])?;
            Ok(true)
        })
        .await
    }

    async fn remove_totp(&self, user: &UserId) -> StoreResult<bool> {
        let user = user.to_string();
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM recovery_codes WHERE user_id = ?1")?
                .execute([&user])?;
            Ok(tx
                .prepare_cached("DELETE FROM user_totp WHERE user_id = ?1")?
                .execute([&user])?
                > 0)
        })
        .await
    }

    async fn use_totp_step(&self, user: &UserId, step: u64) -> StoreResult<bool> {
        let user = user.to_string();
        self.write(move |tx| {
            Ok(tx
                .prepare_cached(
                    "UPDATE user_totp SET last_step = ?2
                     WHERE user_id = ?1 AND enabled_at IS NOT NULL AND (last_step IS NULL OR last_step < ?2)",
                )?
                .execute(params![user, step_sql(step)])?
                > 0)
        })
        .await
    }

    async fn use_recovery_code(&self, user: &UserId, code_hash: &str) -> StoreResult<bool> {
        let (user, hash) = (user.to_string(), code_hash.to_owned());
        self.write(move |tx| {
            Ok(tx
                .prepare_cached("DELETE FROM recovery_codes WHERE user_id = ?1 AND code_hash = ?2")?
                .execute([user, hash])?
                > 0)
        })
        .await
    }

    async fn recovery_codes_left(&self, user: &UserId) -> StoreResult<u32> {
        let user = user.to_string();
        self.read(move |c| {
            c.prepare_cached("SELECT count(*) FROM recovery_codes WHERE user_id = ?1")?
                .query_row([user], |row| row.get(0))
                .map_err(StoreError::from)
        })
        .await
    }

    async fn restrict_session(&self, token_hash: &str) -> StoreResult<()> {
        let hash = token_hash.to_owned();
        self.write(move |tx| {
            tx.prepare_cached("UPDATE sessions SET enrol_only = 1 WHERE token_hash = ?1")?
                .execute([hash])?;
            Ok(())
        })
        .await
    }

    async fn session_restricted(&self, token_hash: &str) -> StoreResult<bool> {
        let hash = token_hash.to_owned();
        self.read(move |c| {
            let restricted: Option<i64> = c
                .prepare_cached("SELECT enrol_only FROM sessions WHERE token_hash = ?1")?
                .query_row([hash], |row| row.get(0))
                .optional()?;
            Ok(restricted == Some(1))
        })
        .await
    }

    async fn login_outcomes_since(
        &self,
        user: &UserId,
        outcome: LoginOutcome,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<DateTime<Utc>>> {
        let user = user.to_string();
        self.read(move |c| {
            let mut stmt =
                c.prepare_cached("SELECT at FROM login_log WHERE user_id = ?1 AND outcome = ?2 AND at >= ?3")?;
            let rows = stmt.query_map(params![user, outcome.as_str(), ts(&since)], |row| get_ts(row, "at"))?;
            rows.collect::<Result<Vec<_>, _>>().map_err(StoreError::from)
        })
        .await
    }
}
