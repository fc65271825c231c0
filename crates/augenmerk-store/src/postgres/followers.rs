//! Devices following someone else's report: they see its public status, nothing more.

use deadpool_postgres::{GenericClient, Transaction};

use augenmerk_domain::report::Report;
use augenmerk_domain::{DeviceId, ReportId};

use super::codec::{REPORT_COLUMNS, found, report_from_row, reports_from_rows, ts};
use crate::{Followed, StoreError, StoreResult};

/// Starts following; [`Followed::Already`] if the device followed already. A device cannot
/// follow its own report (`Conflict`): it sees everything of that one anyway. A device
/// follows at most `max_follows` reports: each one adds to its feed and report list.
pub(crate) async fn follow(
    tx: &Transaction<'_>,
    device: &DeviceId,
    report: &ReportId,
    at: &chrono::DateTime<chrono::Utc>,
    max_follows: u32,
) -> StoreResult<Followed> {
    let owner = tx
        .query_opt("SELECT device_id FROM reports WHERE id = $1", &[&report.to_string()])
        .await?;
    let owner: Option<String> = found(owner)?.try_get(0)?;
    if owner == Some(device.to_string()) {
        return Err(StoreError::Conflict);
    }
    // The device's row is locked for the count and the insert: two instances following
    // for the same device at once cannot both pass the limit.
    let device_known = tx
        .query_opt("SELECT 1 FROM devices WHERE id = $1 FOR UPDATE", &[&device.to_string()])
        .await?;
    if device_known.is_none() {
        return Err(StoreError::NotFound);
    }
    let already = tx
        .query_opt(
            "SELECT 1 FROM followers WHERE device_id = $1 AND report_id = $2",
            &[&device.to_string(), &report.to_string()],
        )
        .await?;
    if already.is_some() {
        return Ok(Followed::Already);
    }
    let count: i64 = tx
        .query_one(
            "SELECT count(*) FROM followers WHERE device_id = $1",
            &[&device.to_string()],
        )
        .await?
        .try_get(0)?;
    if count >= i64::from(max_follows) {
        return Ok(Followed::LimitReached);
    }
    let n = tx
        .execute(
            "INSERT INTO followers (device_id, report_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (device_id, report_id) DO NOTHING",
            &[&device.to_string(), &report.to_string(), &ts(at)],
        )
        .await?;
    Ok(if n > 0 { Followed::Created } else { Followed::Already })
}

/// Stops following; `Ok(false)` if the device did not follow it.
pub(crate) async fn unfollow(tx: &Transaction<'_>, device: &DeviceId, report: &ReportId) -> StoreResult<bool> {
    let n = tx
        .execute(
            "DELETE FROM followers WHERE device_id = $1 AND report_id = $2",
            &[&device.to_string(), &report.to_string()],
        )
        .await?;
    Ok(n > 0)
}

/// The reports a device follows, the most recently followed first.
pub(crate) async fn followed_reports(c: &impl GenericClient, device: &DeviceId) -> StoreResult<Vec<Report>> {
    let columns = prefixed_columns();
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {columns} FROM followers f JOIN reports r ON r.id = f.report_id
             WHERE f.device_id = $1 ORDER BY f.created_at DESC, r.id"
        ))
        .await?;
    reports_from_rows(&c.query(&stmt, &[&device.to_string()]).await?)
}

/// One report the device follows.
pub(crate) async fn get_followed_report(
    c: &impl GenericClient,
    device: &DeviceId,
    id: &ReportId,
) -> StoreResult<Report> {
    let columns = prefixed_columns();
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {columns} FROM followers f JOIN reports r ON r.id = f.report_id
             WHERE f.device_id = $1 AND f.report_id = $2"
        ))
        .await?;
    let row = c.query_opt(&stmt, &[&device.to_string(), &id.to_string()]).await?;
    report_from_row(&found(row)?)
}

/// The report columns qualified with the `r` alias (the join has `created_at` twice).
fn prefixed_columns() -> String {
    REPORT_COLUMNS
        .split(',')
        .map(|c| format!("r.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}
