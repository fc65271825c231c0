//! Devices following someone else's report: they see its public status, nothing more.

use rusqlite::{Connection, OptionalExtension, params};

use augenmerk_domain::report::Report;
use augenmerk_domain::{DeviceId, ReportId};

use super::codec::{REPORT_COLUMNS, report_from_row, ts};
use crate::{Followed, StoreError, StoreResult};

/// Starts following; [`Followed::Already`] if the device followed already. A device cannot
/// follow its own report (`Conflict`): it sees everything of that one anyway. A device
/// follows at most `max_follows` reports: each one adds to its feed and report list.
pub(crate) fn follow(
    conn: &Connection,
    device: &DeviceId,
    report: &ReportId,
    at: &chrono::DateTime<chrono::Utc>,
    max_follows: u32,
) -> StoreResult<Followed> {
    let owner: Option<Option<String>> = conn
        .prepare_cached("SELECT device_id FROM reports WHERE id = ?1")?
        .query_row([report.to_string()], |r| r.get(0))
        .optional()?;
    match owner {
        None => return Err(StoreError::NotFound),
        Some(Some(d)) if d == device.to_string() => return Err(StoreError::Conflict),
        Some(_) => {}
    }
    let already: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM followers WHERE device_id = ?1 AND report_id = ?2")?
        .query_row([device.to_string(), report.to_string()], |r| r.get(0))
        .optional()?;
    if already.is_some() {
        return Ok(Followed::Already);
    }
    // In the same write transaction as the insert, so parallel requests cannot overshoot.
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM followers WHERE device_id = ?1")?
        .query_row([device.to_string()], |r| r.get(0))?;
    if count >= i64::from(max_follows) {
        return Ok(Followed::LimitReached);
    }
    let n = conn
        .prepare_cached(
            "INSERT INTO followers (device_id, report_id, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (device_id, report_id) DO NOTHING",
        )?
        .execute(params![device.to_string(), report.to_string(), ts(at)])?;
    Ok(if n > 0 { Followed::Created } else { Followed::Already })
}

/// Stops following; `Ok(false)` if the device did not follow it.
pub(crate) fn unfollow(conn: &Connection, device: &DeviceId, report: &ReportId) -> StoreResult<bool> {
    let n = conn
        .prepare_cached("DELETE FROM followers WHERE device_id = ?1 AND report_id = ?2")?
        .execute([device.to_string(), report.to_string()])?;
    Ok(n > 0)
}

/// The reports a device follows, the most recently followed first.
pub(crate) fn followed_reports(conn: &Connection, device: &DeviceId) -> StoreResult<Vec<Report>> {
    let columns = prefixed_columns();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {columns} FROM followers f JOIN reports r ON r.id = f.report_id
         WHERE f.device_id = ?1 ORDER BY f.created_at DESC, r.id"
    ))?;
    let rows = stmt.query_map([device.to_string()], report_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One report the device follows.
pub(crate) fn get_followed_report(conn: &Connection, device: &DeviceId, id: &ReportId) -> StoreResult<Report> {
    let columns = prefixed_columns();
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {columns} FROM followers f JOIN reports r ON r.id = f.report_id
             WHERE f.device_id = ?1 AND f.report_id = ?2"
        ))?
        .query_row([device.to_string(), id.to_string()], report_from_row)?)
}

/// The report columns qualified with the `r` alias (the join has `created_at` twice).
fn prefixed_columns() -> String {
    REPORT_COLUMNS
        .split(',')
        .map(|c| format!("r.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}
