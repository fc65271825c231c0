//! The directory of administrations that are not on the platform, and the reports
//! mailed to them.
//!
//! A mailed report is kept whole (its JSON) with the device that sent it, so that the
//! citizen still sees it and where it went, and so that the administration can take it
//! into its inbox when it joins: [`take_mailed`] inserts the report into `reports` and
//! marks the mailed row in the same transaction.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use augenmerk_domain::api::DirectoryEntry;
use augenmerk_domain::report::{Email, Report};
use augenmerk_domain::{Ags, DeviceId, ReportId};

use super::codec::{get_json, get_ts, json, parsed, ts};
use crate::outbox::NewJob;
use crate::{Inserted, MailedReport, ReportWrite, StoreResult};

/// The whole directory, by key.
pub(crate) fn list(conn: &Connection) -> StoreResult<Vec<DirectoryEntry>> {
    let mut stmt = conn.prepare_cached("SELECT key, name, email FROM directory ORDER BY key")?;
    let rows = stmt.query_map([], entry_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One entry.
pub(crate) fn get(conn: &Connection, key: &Ags) -> StoreResult<DirectoryEntry> {
    Ok(conn
        .prepare_cached("SELECT key, name, email FROM directory WHERE key = ?1")?
        .query_row([key.as_str()], entry_from_row)?)
}

fn entry_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DirectoryEntry> {
    Ok(DirectoryEntry {
        key: parsed(row, "key", Ags::parse)?,
        name: row.get("name")?,
        email: parsed(row, "email", Email::parse)?,
    })
}

/// Adds or replaces entries (an import is all or nothing: one transaction).
pub(crate) fn put(conn: &Connection, entries: &[DirectoryEntry], now: &DateTime<Utc>) -> StoreResult<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO directory (key, name, email, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO UPDATE SET name = excluded.name, email = excluded.email,
             updated_at = excluded.updated_at",
    )?;
    for e in entries {
        stmt.execute(params![e.key.as_str(), e.name, e.email.as_str(), ts(now)])?;
    }
    Ok(())
}

/// Removes an entry; `NotFound` if there is none. Reports mailed before stay.
pub(crate) fn delete(conn: &Connection, key: &Ags) -> StoreResult<()> {
    let n = conn
        .prepare_cached("DELETE FROM directory WHERE key = ?1")?
        .execute([key.as_str()])?;
    if n == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// Stores a mailed report with its mail jobs unless its id is known (as a mailed report
/// or a report of a tenant): a retry gets the stored one back.
pub(crate) fn insert_mailed(
    conn: &Connection,
    m: &MailedReport,
    jobs: &[NewJob],
) -> StoreResult<Inserted<MailedReport>> {
    let id = m.report.id.to_string();
    if let Some(existing) = get_mailed(conn, &m.report.id)? {
        return Ok(Inserted::Existing(existing));
    }
    let in_reports = conn
        .prepare_cached("SELECT 1 FROM reports WHERE id = ?1")?
        .query_row([&id], |_| Ok(()))
        .optional()?
        .is_some();
    if in_reports {
        return Err(crate::StoreError::Duplicate("report".into()));
    }
    conn.prepare_cached(
        "INSERT INTO mailed_reports (id, administration, device_id, report, mailed_to, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        m.administration.as_str(),
        m.report.device_id.map(|d| d.to_string()),
        json(&m.report)?,
        m.mailed_to,
        ts(&m.created_at)
    ])?;
    super::outbox::insert_jobs(conn, jobs, &m.created_at)?;
    Ok(Inserted::Created(m.clone()))
}

const MAILED_COLUMNS: &str = "administration, report, mailed_to, created_at";

fn mailed_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<MailedReport> {
    Ok(MailedReport {
        administration: parsed(row, "administration", Ags::parse)?,
        report: get_json::<Report>(row, "report")?,
        mailed_to: row.get("mailed_to")?,
        created_at: get_ts(row, "created_at")?,
    })
}

/// A mailed report not yet taken into an inbox.
pub(crate) fn get_mailed(conn: &Connection, id: &ReportId) -> StoreResult<Option<MailedReport>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {MAILED_COLUMNS} FROM mailed_reports WHERE id = ?1 AND imported_at IS NULL"
        ))?
        .query_row([id.to_string()], mailed_from_row)
        .optional()?)
}

/// The reports mailed to an administration and not yet taken into an inbox, oldest first.
pub(crate) fn mailed_to(conn: &Connection, administration: &Ags) -> StoreResult<Vec<MailedReport>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MAILED_COLUMNS} FROM mailed_reports
         WHERE administration = ?1 AND imported_at IS NULL ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([administration.as_str()], mailed_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many reports each administration has that were mailed and not yet taken in.
pub(crate) fn mailed_counts(conn: &Connection) -> StoreResult<Vec<(Ags, u32)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT administration, count(*) AS n FROM mailed_reports WHERE imported_at IS NULL
         GROUP BY administration ORDER BY administration",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((parsed(row, "administration", Ags::parse)?, row.get("n")?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A device's mailed reports not yet taken into an inbox, newest first.
pub(crate) fn device_mailed(conn: &Connection, device: &DeviceId) -> StoreResult<Vec<MailedReport>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MAILED_COLUMNS} FROM mailed_reports
         WHERE device_id = ?1 AND imported_at IS NULL ORDER BY created_at DESC, id"
    ))?;
    let rows = stmt.query_map([device.to_string()], mailed_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Takes a mailed report into a tenant's inbox: the report with its audit and events,
/// and the mark on the mailed row, in one transaction. Taking it again changes nothing.
pub(crate) fn take_mailed(
    conn: &Connection,
    write: &ReportWrite,
    now: &DateTime<Utc>,
) -> StoreResult<Inserted<Report>> {
    let inserted = super::reports::insert_report(conn, write)?;
    conn.prepare_cached("UPDATE mailed_reports SET imported_at = ?2 WHERE id = ?1 AND imported_at IS NULL")?
        .execute(params![write.report.id.to_string(), ts(now)])?;
    Ok(inserted)
}
