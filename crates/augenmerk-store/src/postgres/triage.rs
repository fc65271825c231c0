//! Saved filters and the waiting citizens on PostgreSQL (see [`crate::triage`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use augenmerk_domain::triage::SavedFilter;
use augenmerk_domain::{Ags, ReportId, SavedFilterId, UserId};

use super::PgStore;
use super::codec::{get_id, get_ts, text};
use crate::codec::ts;
use crate::triage::{TriageStore, decode_query, encode_query};
use crate::{StoreError, StoreResult};

#[async_trait]
impl TriageStore for PgStore {
    async fn awaiting_replies(&self, ags: &Ags, ids: &[ReportId]) -> StoreResult<Vec<(ReportId, DateTime<Utc>)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let client = self.client().await?;
        client
            .query(
                "SELECT id, awaiting_reply_since FROM reports
                  WHERE ags = $1 AND id = ANY($2) AND awaiting_reply_since IS NOT NULL",
                &[&ags.as_str(), &ids],
            )
            .await?
            .iter()
            .map(|row| Ok((get_id(row, "id")?, get_ts(row, "awaiting_reply_since")?)))
            .collect()
    }

    async fn list_saved_filters(&self, ags: &Ags, user: &UserId) -> StoreResult<Vec<SavedFilter>> {
        let client = self.client().await?;
        client
            .query(
                "SELECT id, name, query, created_at FROM saved_filters
                  WHERE ags = $1 AND user_id = $2 ORDER BY created_at, id",
                &[&ags.as_str(), &user.to_string()],
            )
            .await?
            .iter()
            .map(|row| {
                Ok(SavedFilter {
                    id: get_id(row, "id")?,
                    name: text(row, "name")?,
                    query: decode_query(&text(row, "query")?)?,
                    created_at: get_ts(row, "created_at")?,
                })
            })
            .collect()
    }

    async fn add_saved_filter(&self, ags: &Ags, user: &UserId, f: &SavedFilter) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO saved_filters (id, ags, user_id, name, query, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &f.id.to_string(),
                    &ags.as_str(),
                    &user.to_string(),
                    &f.name,
                    &encode_query(&f.query)?,
                    &ts(&f.created_at),
                ],
            )
            .await?;
        Ok(())
    }

    async fn delete_saved_filter(&self, ags: &Ags, user: &UserId, id: &SavedFilterId) -> StoreResult<()> {
        let client = self.client().await?;
        let n = client
            .execute(
                "DELETE FROM saved_filters WHERE id = $1 AND ags = $2 AND user_id = $3",
                &[&id.to_string(), &ags.as_str(), &user.to_string()],
            )
            .await?;
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}
