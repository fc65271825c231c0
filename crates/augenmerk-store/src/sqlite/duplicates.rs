//! Merged duplicates on SQLite (see [`crate::duplicates`]).

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};

use augenmerk_domain::report::Report;
use augenmerk_domain::{Ags, ReportId};

use super::SqliteStore;
use super::codec::{REPORT_COLUMNS, get_id, report_from_row};
use crate::codec::{json, ts};
use crate::duplicates::{DuplicateStore, MergeWrite};
use crate::{StoreResult, SubscriptionRecord};

fn merge(tx: &Connection, m: &MergeWrite) -> StoreResult<()> {
    let duplicate = m.duplicate.report.id.to_string();
    let original = m.original.to_string();
    let at = ts(&m.at);
    super::reports::update_report(tx, &m.duplicate, &m.expected_updated_at)?;
    let mut audit = tx.prepare_cached(
        "INSERT INTO audit (report_id, at, actor, action, public_comment) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for a in &m.original_audit {
        audit.execute(params![
            a.report_id.to_string(),
            ts(&a.at),
            json(&a.actor)?,
            json(&a.action)?,
            a.public_comment
        ])?;
    }
    // The primary key makes a second merge of the same duplicate fail instead of moving it.
    tx.prepare_cached("INSERT INTO report_merges (duplicate_id, original_id, ags, merged_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![
            duplicate,
            original,
            m.duplicate.report.municipality.as_str(),
            at
        ])?;
    tx.prepare_cached("UPDATE report_merges SET original_id = ?2 WHERE original_id = ?1")?
        .execute(params![duplicate, original])?;
    // The duplicate's reporter (its device) and its followers now follow the original;
    // the original's own device is no follower of its own report.
    tx.prepare_cached(
        "INSERT INTO followers (device_id, report_id, created_at)
         SELECT device_id, ?2, ?3 FROM (
             SELECT device_id FROM followers WHERE report_id = ?1
             UNION SELECT device_id FROM reports WHERE id = ?1 AND device_id IS NOT NULL
         ) AS moving
         WHERE device_id IS NOT (SELECT device_id FROM reports WHERE id = ?2)
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![duplicate, original, at])?;
    Ok(())
}

#[async_trait]
impl DuplicateStore for SqliteStore {
    async fn merge_reports(&self, merge_write: MergeWrite) -> StoreResult<()> {
        self.write(move |tx| merge(tx, &merge_write)).await
    }

    async fn merged_into(&self, ags: &Ags, report: &ReportId) -> StoreResult<Option<ReportId>> {
        let (ags, report) = (ags.clone(), report.to_string());
        self.read(move |c| {
            Ok(
                c.prepare_cached("SELECT original_id FROM report_merges WHERE duplicate_id = ?1 AND ags = ?2")?
                    .query_row(params![report, ags.as_str()], |row| get_id(row, "original_id"))
                    .optional()?,
            )
        })
        .await
    }

    async fn merged_reports(&self, ags: &Ags, original: &ReportId) -> StoreResult<Vec<Report>> {
        let (ags, original) = (ags.clone(), original.to_string());
        let columns = REPORT_COLUMNS
            .split(',')
            .map(|c| format!("r.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {columns} FROM report_merges m JOIN reports r ON r.id = m.duplicate_id
                 WHERE m.original_id = ?1 AND m.ags = ?2 ORDER BY m.merged_at, r.id"
            ))?;
            let rows = stmt.query_map(params![original, ags.as_str()], report_from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn merged_subscriptions(&self, original: &ReportId) -> StoreResult<Vec<SubscriptionRecord>> {
        let original = original.to_string();
        self.read(move |c| {
            let ids: Vec<ReportId> = c
                .prepare_cached("SELECT duplicate_id FROM report_merges WHERE original_id = ?1 ORDER BY merged_at")?
                .query_map([original], |row| get_id(row, "duplicate_id"))?
                .collect::<Result<_, _>>()?;
            let mut out = Vec::new();
            for id in ids {
                out.extend(super::outbox::subscription(c, &id)?);
            }
            Ok(out)
        })
        .await
    }
}
