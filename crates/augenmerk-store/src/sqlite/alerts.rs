//! Alert subscriptions on SQLite (see [`crate::alerts`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};

use augenmerk_domain::alerts::AlertEvents;
use augenmerk_domain::{Ags, Language};

use super::SqliteStore;
use super::codec::{duplicate_as, get_json, get_ts, get_ts_opt, parsed, parsed_opt};
use crate::alerts::{AlertRecord, AlertStore};
use crate::codec::{json, ts};
use crate::{StoreError, StoreResult};

const COLUMNS: &str = "id, token, email, language, ags, area, new_reports, status_changes, created_at, confirmed_at";

fn alert_from_row(row: &Row<'_>) -> rusqlite::Result<AlertRecord> {
    Ok(AlertRecord {
        id: parsed(row, "id", uuid::Uuid::parse_str)?,
        token: row.get("token")?,
        email: row.get("email")?,
        language: Language::from_tag(&row.get::<_, String>("language")?),
        ags: parsed_opt(row, "ags", Ags::parse)?,
        area: get_json(row, "area")?,
        events: AlertEvents {
            new_reports: row.get("new_reports")?,
            status_changes: row.get("status_changes")?,
        },
        created_at: get_ts(row, "created_at")?,
        confirmed_at: get_ts_opt(row, "confirmed_at")?,
    })
}

fn by_token(conn: &Connection, token: &str) -> StoreResult<AlertRecord> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM alert_subscriptions WHERE token = ?1"))?
        .query_row([token], alert_from_row)?)
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[async_trait]
impl AlertStore for SqliteStore {
    async fn create_alert(&self, a: AlertRecord) -> StoreResult<()> {
        let area = json(&a.area)?;
        self.write(move |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO alert_subscriptions ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))?
            .execute(params![
                a.id.to_string(),
                a.token,
                a.email.to_lowercase(),
                a.language.as_str(),
                a.ags.as_ref().map(Ags::as_str),
                area,
                a.events.new_reports,
                a.events.status_changes,
                ts(&a.created_at),
                a.confirmed_at.as_ref().map(ts),
            ])
            .map_err(duplicate_as("alert subscription"))?;
            Ok(())
        })
        .await
    }

    async fn alert_by_token(&self, token: &str) -> StoreResult<AlertRecord> {
        let token = token.to_owned();
        self.read(move |c| by_token(c, &token)).await
    }

    async fn confirm_alert(&self, token: &str, at: DateTime<Utc>) -> StoreResult<AlertRecord> {
        let token = token.to_owned();
        self.write(move |tx| {
            tx.prepare_cached(
                "UPDATE alert_subscriptions SET confirmed_at = ?2 WHERE token = ?1 AND confirmed_at IS NULL",
            )?
            .execute([token.as_str(), &ts(&at)])?;
            by_token(tx, &token)
        })
        .await
    }

    async fn delete_alert(&self, token: &str) -> StoreResult<bool> {
        let token = token.to_owned();
        self.write(move |tx| {
            Ok(tx
                .prepare_cached("DELETE FROM alert_subscriptions WHERE token = ?1")?
                .execute([token])?
                > 0)
        })
        .await
    }

    async fn confirmed_alerts(&self) -> StoreResult<Vec<AlertRecord>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM alert_subscriptions WHERE confirmed_at IS NOT NULL ORDER BY created_at"
            ))?;
            let rows = stmt.query_map([], alert_from_row)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(StoreError::from)
        })
        .await
    }

    async fn count_alerts(&self, email: &str) -> StoreResult<u32> {
        let email = email.to_lowercase();
        self.read(move |c| {
            let n: i64 = c
                .prepare_cached("SELECT count(*) FROM alert_subscriptions WHERE email = ?1")?
                .query_row([email], |r| r.get(0))?;
            Ok(u32::try_from(n).unwrap_or(u32::MAX))
        })
        .await
    }

    async fn delete_alerts_of(&self, email: &str) -> StoreResult<u32> {
        let email = email.to_lowercase();
        self.write(move |tx| {
            Ok(count(
                tx.prepare_cached("DELETE FROM alert_subscriptions WHERE email = ?1")?
                    .execute([email])?,
            ))
        })
        .await
    }

    async fn delete_unconfirmed_alerts(&self, before: DateTime<Utc>) -> StoreResult<u32> {
        self.write(move |tx| {
            Ok(count(
                tx.prepare_cached("DELETE FROM alert_subscriptions WHERE confirmed_at IS NULL AND created_at < ?1")?
                    .execute([ts(&before)])?,
            ))
        })
        .await
    }
}
