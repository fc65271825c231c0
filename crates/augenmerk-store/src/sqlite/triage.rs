//! Saved filters and the waiting citizens on SQLite (see [`crate::triage`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Row, params, params_from_iter};

use augenmerk_domain::triage::SavedFilter;
use augenmerk_domain::{Ags, ReportId, SavedFilterId, UserId};

use super::SqliteStore;
use super::codec::{get_id, get_ts};
use crate::codec::ts;
use crate::triage::{TriageStore, decode_query, encode_query};
use crate::{StoreError, StoreResult};

fn filter_from_row(row: &Row<'_>) -> rusqlite::Result<(SavedFilterId, String, String, DateTime<Utc>)> {
    Ok((
        get_id(row, "id")?,
        row.get("name")?,
        row.get("query")?,
        get_ts(row, "created_at")?,
    ))
}

#[async_trait]
impl TriageStore for SqliteStore {
    async fn awaiting_replies(&self, ags: &Ags, ids: &[ReportId]) -> StoreResult<Vec<(ReportId, DateTime<Utc>)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut values = vec![Value::Text(ags.as_str().to_owned())];
        values.extend(ids.iter().map(|id| Value::Text(id.to_string())));
        let marks = vec!["?"; ids.len()].join(", ");
        self.read(move |c| {
            let mut stmt = c.prepare(&format!(
                "SELECT id, awaiting_reply_since FROM reports
                  WHERE ags = ? AND id IN ({marks}) AND awaiting_reply_since IS NOT NULL"
            ))?;
            let rows = stmt.query_map(params_from_iter(&values), |row| {
                Ok((get_id(row, "id")?, get_ts(row, "awaiting_reply_since")?))
            })?;
            rows.collect::<Result<Vec<_>, _>>().map_err(StoreError::from)
        })
        .await
    }

    async fn list_saved_filters(&self, ags: &Ags, user: &UserId) -> StoreResult<Vec<SavedFilter>> {
        let (ags, user) = (ags.as_str().to_owned(), user.to_string());
        let rows = self
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, name, query, created_at FROM saved_filters
                      WHERE ags = ?1 AND user_id = ?2 ORDER BY created_at, id",
                )?;
                let rows = stmt.query_map([ags, user], filter_from_row)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(StoreError::from)
            })
            .await?;
        rows.into_iter()
            .map(|(id, name, query, created_at)| {
                Ok(SavedFilter {
                    id,
                    name,
                    query: decode_query(&query)?,
                    created_at,
                })
            })
            .collect()
    }

    async fn add_saved_filter(&self, ags: &Ags, user: &UserId, f: &SavedFilter) -> StoreResult<()> {
        let values = (
            f.id.to_string(),
            ags.as_str().to_owned(),
            user.to_string(),
            f.name.clone(),
            encode_query(&f.query)?,
            ts(&f.created_at),
        );
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO saved_filters (id, ags, user_id, name, query, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![values.0, values.1, values.2, values.3, values.4, values.5])?;
            Ok(())
        })
        .await
    }

    async fn delete_saved_filter(&self, ags: &Ags, user: &UserId, id: &SavedFilterId) -> StoreResult<()> {
        let (ags, user, id) = (ags.as_str().to_owned(), user.to_string(), id.to_string());
        self.write(move |tx| {
            let n = tx
                .prepare_cached("DELETE FROM saved_filters WHERE id = ?1 AND ags = ?2 AND user_id = ?3")?
                .execute([id, ags, user])?;
            if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
        })
        .await
    }
}
