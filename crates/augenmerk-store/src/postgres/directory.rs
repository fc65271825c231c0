//! The directory of administrations that are not on the platform, and the reports
//! mailed to them.
//!
//! A mailed report is kept whole (its JSON) with the device that sent it, so that the
//! citizen still sees it and where it went, and so that the administration can take it
//! into its inbox when it joins: [`take_mailed`] inserts the report into `reports` and
//! marks the mailed row in the same transaction.

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Row;

use augenmerk_domain::api::DirectoryEntry;
use augenmerk_domain::report::{Email, Report};
use augenmerk_domain::{Ags, DeviceId, ReportId};

use super::codec::{bad, found, get_json, get_ts, json, parsed, text, ts};
use crate::outbox::NewJob;
use crate::{Inserted, MailedReport, ReportWrite, StoreError, StoreResult};

/// The whole directory, by key.
pub(crate) async fn list(c: &impl GenericClient) -> StoreResult<Vec<DirectoryEntry>> {
    let rows = c
        .query("SELECT key, name, email FROM directory ORDER BY key", &[])
        .await?;
    rows.iter().map(entry_from_row).collect()
}

/// One entry.
pub(crate) async fn get(c: &impl GenericClient, key: &Ags) -> StoreResult<DirectoryEntry> {
    let stmt = c
        .prepare_cached("SELECT key, name, email FROM directory WHERE key = $1")
        .await?;
    let row = c.query_opt(&stmt, &[&key.as_str()]).await?;
    entry_from_row(&found(row)?)
}

fn entry_from_row(row: &Row) -> StoreResult<DirectoryEntry> {
    Ok(DirectoryEntry {
        key: parsed(row, "key", Ags::parse)?,
        name: text(row, "name")?,
        email: parsed(row, "email", Email::parse)?,
    })
}

/// Adds or replaces entries (an import is all or nothing: one transaction).
pub(crate) async fn put(tx: &Transaction<'_>, entries: &[DirectoryEntry], now: &DateTime<Utc>) -> StoreResult<()> {
    let stmt = tx
        .prepare_cached(
            "INSERT INTO directory (key, name, email, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (key) DO UPDATE SET name = excluded.name, email = excluded.email,
                 updated_at = excluded.updated_at",
        )
        .await?;
    // In key order, so that two imports at once lock the rows in the same order (no
    // deadlock); the sort is stable, so of two entries for one key the later still wins.
    let mut sorted: Vec<&DirectoryEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
    let now = ts(now);
    for e in sorted {
        tx.execute(&stmt, &[&e.key.as_str(), &e.name, &e.email.as_str(), &now])
            .await?;
    }
    Ok(())
}

/// Removes an entry; `NotFound` if there is none. Reports mailed before stay.
pub(crate) async fn delete(tx: &Transaction<'_>, key: &Ags) -> StoreResult<()> {
    let n = tx
        .execute("DELETE FROM directory WHERE key = $1", &[&key.as_str()])
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Stores a mailed report with its mail jobs unless its id is known (as a mailed report
/// or a report of a tenant): a retry gets the stored one back.
pub(crate) async fn insert_mailed(
    tx: &Transaction<'_>,
    m: &MailedReport,
    jobs: &[NewJob],
) -> StoreResult<Inserted<MailedReport>> {
    let id = m.report.id.to_string();
    if let Some(existing) = get_mailed(tx, &m.report.id).await? {
        return Ok(Inserted::Existing(existing));
    }
    let in_reports = tx.query_opt("SELECT 1 FROM reports WHERE id = $1", &[&id]).await?;
    if in_reports.is_some() {
        return Err(StoreError::Duplicate("report".into()));
    }
    // Another instance may store the same retry at the same moment: the conflict waits
    // for it, and the row it stored is the answer (its jobs came with it).
    let n = tx
        .execute(
            "INSERT INTO mailed_reports (id, administration, device_id, report, mailed_to, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
            &[
                &id,
                &m.administration.as_str(),
                &m.report.device_id.map(|d| d.to_string()),
                &json(&m.report)?,
                &m.mailed_to,
                &ts(&m.created_at),
            ],
        )
        .await?;
    if n == 0 {
        // A new statement sees what the other transaction committed; a row already
        // taken into an inbox is a report of a tenant now.
        return match get_mailed(tx, &m.report.id).await? {
            Some(existing) => Ok(Inserted::Existing(existing)),
            None => Err(StoreError::Duplicate("report".into())),
        };
    }
    super::outbox::insert_jobs(tx, jobs, &m.created_at).await?;
    Ok(Inserted::Created(m.clone()))
}

const MAILED_COLUMNS: &str = "administration, report, mailed_to, created_at";

fn mailed_from_row(row: &Row) -> StoreResult<MailedReport> {
    Ok(MailedReport {
        administration: parsed(row, "administration", Ags::parse)?,
        report: get_json::<Report>(row, "report")?,
        mailed_to: text(row, "mailed_to")?,
        created_at: get_ts(row, "created_at")?,
    })
}

/// A mailed report not yet taken into an inbox.
pub(crate) async fn get_mailed(c: &impl GenericClient, id: &ReportId) -> StoreResult<Option<MailedReport>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {MAILED_COLUMNS} FROM mailed_reports WHERE id = $1 AND imported_at IS NULL"
        ))
        .await?;
    c.query_opt(&stmt, &[&id.to_string()])
        .await?
        .as_ref()
        .map(mailed_from_row)
        .transpose()
}

/// The reports mailed to an administration and not yet taken into an inbox, oldest first.
pub(crate) async fn mailed_to(c: &impl GenericClient, administration: &Ags) -> StoreResult<Vec<MailedReport>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {MAILED_COLUMNS} FROM mailed_reports
             WHERE administration = $1 AND imported_at IS NULL ORDER BY created_at, id"
        ))
        .await?;
    let rows = c.query(&stmt, &[&administration.as_str()]).await?;
    rows.iter().map(mailed_from_row).collect()
}

/// How many reports each administration has that were mailed and not yet taken in.
pub(crate) async fn mailed_counts(c: &impl GenericClient) -> StoreResult<Vec<(Ags, u32)>> {
    let rows = c
        .query(
            "SELECT administration, count(*) AS n FROM mailed_reports WHERE imported_at IS NULL
             GROUP BY administration ORDER BY administration",
            &[],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let n: i64 = row.try_get("n")?;
            Ok((
                parsed(row, "administration", Ags::parse)?,
                u32::try_from(n).map_err(|e| bad("n", e))?,
            ))
        })
        .collect()
}

/// A device's mailed reports not yet taken into an inbox, newest first.
pub(crate) async fn device_mailed(c: &impl GenericClient, device: &DeviceId) -> StoreResult<Vec<MailedReport>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {MAILED_COLUMNS} FROM mailed_reports
             WHERE device_id = $1 AND imported_at IS NULL ORDER BY created_at DESC, id"
        ))
        .await?;
    let rows = c.query(&stmt, &[&device.to_string()]).await?;
    rows.iter().map(mailed_from_row).collect()
}

/// Takes a mailed report into a tenant's inbox: the report with its audit and events,
/// and the mark on the mailed row, in one transaction. Taking it again changes nothing.
pub(crate) async fn take_mailed(
    tx: &Transaction<'_>,
    write: &ReportWrite,
    now: &DateTime<Utc>,
) -> StoreResult<Inserted<Report>> {
    // Two instances taking the same report at once: the report's insert is idempotent
    // (the second gets `Existing`), and only the first mark sets `imported_at`.
    let inserted = super::reports::insert_report(tx, write).await?;
    tx.execute(
        "UPDATE mailed_reports SET imported_at = $2 WHERE id = $1 AND imported_at IS NULL",
        &[&write.report.id.to_string(), &ts(now)],
    )
    .await?;
    Ok(inserted)
}
