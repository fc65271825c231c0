//! Alert subscriptions on PostgreSQL (see [`crate::alerts`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use augenmerk_domain::alerts::AlertEvents;
use augenmerk_domain::{Ags, Language};

use super::PgStore;
use super::codec::{duplicate_as, found, get_json, get_ts, get_ts_opt, parsed, parsed_opt, text};
use crate::StoreResult;
use crate::alerts::{AlertRecord, AlertStore};
use crate::codec::{json, ts};

const COLUMNS: &str = "id, token, email, language, ags, area, new_reports, status_changes, created_at, confirmed_at";

fn alert_from_row(row: &Row) -> StoreResult<AlertRecord> {
    Ok(AlertRecord {
        id: parsed(row, "id", uuid::Uuid::parse_str)?,
        token: text(row, "token")?,
        email: text(row, "email")?,
        language: Language::from_tag(&text(row, "language")?),
        ags: parsed_opt(row, "ags", Ags::parse)?,
        area: get_json(row, "area")?,
        events: AlertEvents {
            new_reports: row.try_get("new_reports")?,
            status_changes: row.try_get("status_changes")?,
        },
        created_at: get_ts(row, "created_at")?,
        confirmed_at: get_ts_opt(row, "confirmed_at")?,
    })
}

fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[async_trait]
impl AlertStore for PgStore {
    async fn create_alert(&self, a: AlertRecord) -> StoreResult<()> {
        let client = self.client().await?;
        let confirmed = a.confirmed_at.as_ref().map(ts);
        client
            .execute(
                &format!(
                    "INSERT INTO alert_subscriptions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                ),
                &[
                    &a.id.to_string(),
                    &a.token,
                    &a.email.to_lowercase(),
                    &a.language.as_str(),
                    &a.ags.as_ref().map(Ags::as_str),
                    &json(&a.area)?,
                    &a.events.new_reports,
                    &a.events.status_changes,
                    &ts(&a.created_at),
                    &confirmed,
                ],
            )
            .await
            .map_err(duplicate_as("alert subscription"))?;
        Ok(())
    }

    async fn alert_by_token(&self, token: &str) -> StoreResult<AlertRecord> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM alert_subscriptions WHERE token = $1"),
                &[&token],
            )
            .await?;
        alert_from_row(&found(row)?)
    }

    async fn confirm_alert(&self, token: &str, at: DateTime<Utc>) -> StoreResult<AlertRecord> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE alert_subscriptions SET confirmed_at = $2 WHERE token = $1 AND confirmed_at IS NULL",
                &[&token, &ts(&at)],
            )
            .await?;
        let row = client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM alert_subscriptions WHERE token = $1"),
                &[&token],
            )
            .await?;
        alert_from_row(&found(row)?)
    }

    async fn delete_alert(&self, token: &str) -> StoreResult<bool> {
        let client = self.client().await?;
        Ok(client
            .execute("DELETE FROM alert_subscriptions WHERE token = $1", &[&token])
            .await?
            > 0)
    }

    async fn confirmed_alerts(&self) -> StoreResult<Vec<AlertRecord>> {
        let client = self.client().await?;
        client
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM alert_subscriptions WHERE confirmed_at IS NOT NULL ORDER BY created_at"
                ),
                &[],
            )
            .await?
            .iter()
            .map(alert_from_row)
            .collect()
    }

    async fn count_alerts(&self, email: &str) -> StoreResult<u32> {
        let client = self.client().await?;
        let n: i64 = client
            .query_one(
                "SELECT count(*) FROM alert_subscriptions WHERE email = $1",
                &[&email.to_lowercase()],
            )
            .await?
            .try_get(0)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn delete_alerts_of(&self, email: &str) -> StoreResult<u32> {
        let client = self.client().await?;
        Ok(count(
            client
                .execute(
                    "DELETE FROM alert_subscriptions WHERE email = $1",
                    &[&email.to_lowercase()],
                )
                .await?,
        ))
    }

    async fn delete_unconfirmed_alerts(&self, before: DateTime<Utc>) -> StoreResult<u32> {
        let client = self.client().await?;
        Ok(count(
            client
                .execute(
                    "DELETE FROM alert_subscriptions WHERE confirmed_at IS NULL AND created_at < $1",
                    &[&ts(&before)],
                )
                .await?,
        ))
    }
}
