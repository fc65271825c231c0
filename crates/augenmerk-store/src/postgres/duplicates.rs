//! Merged duplicates on PostgreSQL (see [`crate::duplicates`]).

use async_trait::async_trait;
use deadpool_postgres::Transaction;

use augenmerk_domain::report::Report;
use augenmerk_domain::{Ags, ReportId};

use super::PgStore;
use super::codec::{REPORT_COLUMNS, get_id, json, reports_from_rows, ts};
use crate::duplicates::{DuplicateStore, MergeWrite};
use crate::{StoreResult, SubscriptionRecord};

async fn merge(tx: &Transaction<'_>, m: &MergeWrite) -> StoreResult<()> {
    let duplicate = m.duplicate.report.id.to_string();
    let original = m.original.to_string();
    let at = ts(&m.at);
    super::reports::update_report(tx, &m.duplicate, &m.expected_updated_at).await?;
    for a in &m.original_audit {
        tx.execute(
            "INSERT INTO audit (report_id, at, actor, action, public_comment) VALUES ($1, $2, $3, $4, $5)",
            &[
                &a.report_id.to_string(),
                &ts(&a.at),
                &json(&a.actor)?,
                &json(&a.action)?,
                &a.public_comment,
            ],
        )
        .await?;
    }
    // The primary key makes a second merge of the same duplicate fail instead of moving it.
    tx.execute(
        "INSERT INTO report_merges (duplicate_id, original_id, ags, merged_at) VALUES ($1, $2, $3, $4)",
        &[&duplicate, &original, &m.duplicate.report.municipality.as_str(), &at],
    )
    .await?;
    tx.execute(
        "UPDATE report_merges SET original_id = $2 WHERE original_id = $1",
        &[&duplicate, &original],
    )
    .await?;
    // The duplicate's reporter (its device) and its followers now follow the original;
    // the original's own device is no follower of its own report.
    tx.execute(
        "INSERT INTO followers (device_id, report_id, created_at)
         SELECT device_id, $2, $3 FROM (
             SELECT device_id FROM followers WHERE report_id = $1
             UNION SELECT device_id FROM reports WHERE id = $1 AND device_id IS NOT NULL
         ) AS moving
         WHERE device_id IS DISTINCT FROM (SELECT device_id FROM reports WHERE id = $2)
         ON CONFLICT DO NOTHING",
        &[&duplicate, &original, &at],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl DuplicateStore for PgStore {
    async fn merge_reports(&self, merge_write: MergeWrite) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        merge(&tx, &merge_write).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn merged_into(&self, ags: &Ags, report: &ReportId) -> StoreResult<Option<ReportId>> {
        let client = self.client().await?;
        client
            .query_opt(
                "SELECT original_id FROM report_merges WHERE duplicate_id = $1 AND ags = $2",
                &[&report.to_string(), &ags.as_str()],
            )
            .await?
            .map(|row| get_id(&row, "original_id"))
            .transpose()
    }

    async fn merged_reports(&self, ags: &Ags, original: &ReportId) -> StoreResult<Vec<Report>> {
        let columns = REPORT_COLUMNS
            .split(',')
            .map(|c| format!("r.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {columns} FROM report_merges m JOIN reports r ON r.id = m.duplicate_id
                     WHERE m.original_id = $1 AND m.ags = $2 ORDER BY m.merged_at, r.id"
                ),
                &[&original.to_string(), &ags.as_str()],
            )
            .await?;
        reports_from_rows(&rows)
    }

    async fn merged_subscriptions(&self, original: &ReportId) -> StoreResult<Vec<SubscriptionRecord>> {
        let client = self.client().await?;
        let ids: Vec<ReportId> = client
            .query(
                "SELECT duplicate_id FROM report_merges WHERE original_id = $1 ORDER BY merged_at",
                &[&original.to_string()],
            )
            .await?
            .iter()
            .map(|row| get_id(row, "duplicate_id"))
            .collect::<StoreResult<_>>()?;
        let mut out = Vec::new();
        for id in ids {
            out.extend(super::outbox::subscription(&client, &id).await?);
        }
        Ok(out)
    }
}
