//! Second factors and enrol-only sessions on PostgreSQL (see [`crate::second_factor`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use augenmerk_domain::UserId;
use augenmerk_domain::sessions::LoginOutcome;

use super::PgStore;
use super::codec::{get_ts, get_ts_opt, text};
use crate::StoreResult;
use crate::codec::ts;
use crate::second_factor::{SecondFactorStore, TotpRecord};

fn step_sql(step: u64) -> i64 {
    i64::try_from(step).unwrap_or(i64::MAX)
}

#[async_trait]
impl SecondFactorStore for PgStore {
    async fn totp(&self, user: &UserId) -> StoreResult<Option<TotpRecord>> {
        let client = self.client().await?;
        client
            .query_opt(
                "SELECT secret, enabled_at FROM user_totp WHERE user_id = $1",
                &[&user.to_string()],
            )
            .await?
            .map(|row| {
                Ok(TotpRecord {
                    secret: text(&row, "secret")?,
                    enabled_at: get_ts_opt(&row, "enabled_at")?,
                })
            })
            .transpose()
    }

    async fn begin_totp(&self, user: &UserId, secret: &str) -> StoreResult<bool> {
        let client = self.client().await?;
        let n = client
            .execute(
                "INSERT INTO user_totp (user_id, secret) VALUES ($1, $2)
                 ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = NULL
                 WHERE user_totp.enabled_at IS NULL",
                &[&user.to_string(), &secret],
            )
            .await?;
        Ok(n > 0)
    }

    async fn enable_totp(
        &self,
        user: &UserId,
        at: DateTime<Utc>,
        step: u64,
        recovery_hashes: Vec<String>,
        session: &str,
    ) -> StoreResult<bool> {
        let user = user.to_string();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let n = tx
            .execute(
                "UPDATE user_totp SET enabled_at = $2, last_step = $3 WHERE user_id = $1 AND enabled_at IS NULL",
                &[&user, &ts(&at), &step_sql(step)],
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        tx.execute("DELETE FROM recovery_codes WHERE user_id = $1", &[&user])
            .await?;
        for hash in &recovery_hashes {
            tx.execute(
                "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)",
                &[&user, hash],
            )
            .await?;
        }
        tx.execute(
            "UPDATE sessions SET enrol_only = false WHERE user_id = $1 AND token_hash = $2",
            &[&user, &session],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn remove_totp(&self, user: &UserId) -> StoreResult<bool> {
        let user = user.to_string();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("DELETE FROM recovery_codes WHERE user_id = $1", &[&user])
            .await?;
        let n = tx.execute("DELETE FROM user_totp WHERE user_id = $1", &[&user]).await?;
        tx.commit().await?;
        Ok(n > 0)
    }

    async fn use_totp_step(&self, user: &UserId, step: u64) -> StoreResult<bool> {
        let client = self.client().await?;
        // One statement: two servers checking the same code at once accept it once.
        let n = client
            .execute(
                "UPDATE user_totp SET last_step = $2
                 WHERE user_id = $1 AND enabled_at IS NOT NULL AND (last_step IS NULL OR last_step < $2)",
                &[&user.to_string(), &step_sql(step)],
            )
            .await?;
        Ok(n > 0)
    }

    async fn use_recovery_code(&self, user: &UserId, code_hash: &str) -> StoreResult<bool> {
        let client = self.client().await?;
        let n = client
            .execute(
                "DELETE FROM recovery_codes WHERE user_id = $1 AND code_hash = $2",
                &[&user.to_string(), &code_hash],
            )
            .await?;
        Ok(n > 0)
    }

    async fn recovery_codes_left(&self, user: &UserId) -> StoreResult<u32> {
        let client = self.client().await?;
        let n: i64 = client
            .query_one(
                "SELECT count(*) FROM recovery_codes WHERE user_id = $1",
                &[&user.to_string()],
            )
            .await?
            .get(0);
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn restrict_session(&self, token_hash: &str) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE sessions SET enrol_only = true WHERE token_hash = $1",
                &[&token_hash],
            )
            .await?;
        Ok(())
    }

    async fn session_restricted(&self, token_hash: &str) -> StoreResult<bool> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT enrol_only FROM sessions WHERE token_hash = $1", &[&token_hash])
            .await?;
        Ok(row.is_some_and(|r| r.get::<_, bool>(0)))
    }

    async fn login_outcomes_since(
        &self,
        user: &UserId,
        outcome: LoginOutcome,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<DateTime<Utc>>> {
        let client = self.client().await?;
        client
            .query(
                "SELECT at FROM login_log WHERE user_id = $1 AND outcome = $2 AND at >= $3",
                &[&user.to_string(), &outcome.as_str(), &ts(&since)],
            )
            .await?
            .iter()
            .map(|row| get_ts(row, "at"))
            .collect()
    }
}
