//! Privacy housekeeping outside reports: devices that are no longer used, mailed reports,
//! unused photos, the single-use tokens of erasure by e-mail, and the claim on the daily
//! run that does it.
//!
//! Several instances run the same housekeeping: what decides (a due schedule, an unused
//! token) is decided by one conditional statement or under a row lock, so that exactly
//! one instance acts.

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::types::ToSql;

use augenmerk_domain::report::{Email, Report};
use augenmerk_domain::{Ags, BlobHash, DeviceId, ReportId};

use super::codec::{duplicate_as, found, get_id, get_json, parse_ts, parsed, text, ts};
use super::erasure::{UNREFERENCED, drop_jobs, orphaned};
use crate::privacy::{Erased, IdleDevice};
use crate::{StoreError, StoreResult};

/// Whether a device's last mark is older than `threshold` (so touching it would write).
pub(crate) async fn is_stale(
    c: &impl GenericClient,
    device: &DeviceId,
    threshold: &DateTime<Utc>,
) -> StoreResult<bool> {
    let stmt = c
        .prepare_cached("SELECT 1 FROM devices WHERE id = $1 AND last_seen_at < $2")
        .await?;
    Ok(c.query_opt(&stmt, &[&device.to_string(), &ts(threshold)])
        .await?
        .is_some())
}

/// Marks a device as seen at `now` if its last mark is older than `threshold`. One
/// statement on a plain connection: concurrent requests of the device both pass
/// `is_stale`, and the second update finds the row fresh and changes nothing.
pub(crate) async fn touch_device(
    c: &impl GenericClient,
    device: &DeviceId,
    now: &DateTime<Utc>,
    threshold: &DateTime<Utc>,
) -> StoreResult<()> {
    let stmt = c
        .prepare_cached("UPDATE devices SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $3")
        .await?;
    c.execute(&stmt, &[&device.to_string(), &ts(now), &ts(threshold)])
        .await?;
    Ok(())
}

/// Devices not seen since `seen_before`, longest unseen first, with the municipalities
/// their reports went to.
pub(crate) async fn idle_devices(
    c: &impl GenericClient,
    seen_before: &DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<IdleDevice>> {
    let devices = c
        .query(
            "SELECT id, last_seen_at FROM devices WHERE last_seen_at < $1 ORDER BY last_seen_at, id LIMIT $2",
            &[&ts(seen_before), &i64::from(limit)],
        )
        .await?;
    let mut out = Vec::with_capacity(devices.len());
    let mut ids = Vec::with_capacity(devices.len());
    for row in &devices {
        let id: DeviceId = get_id(row, "id")?;
        // The column's empty default (a row written without it) counts as never seen.
        let last_seen = parse_ts(row.try_get::<_, &str>("last_seen_at")?).unwrap_or(DateTime::UNIX_EPOCH);
        ids.push(id.to_string());
        out.push(IdleDevice {
            id,
            last_seen,
            municipalities: Vec::new(),
        });
    }
    if ids.is_empty() {
        return Ok(out);
    }
    // The municipalities of all these devices in one query, not one per device.
    let rows = c
        .query(
            "SELECT DISTINCT device_id, ags FROM reports WHERE device_id = ANY($1) ORDER BY device_id, ags",
            &[&ids],
        )
        .await?;
    for row in &rows {
        let device = text(row, "device_id")?;
        let ags = parsed(row, "ags", Ags::parse)?;
        if let Some(i) = ids.iter().position(|id| *id == device) {
            out[i].municipalities.push(ags);
        }
    }
    Ok(out)
}

/// Deletes a device registration; what referred to it loses the link. Deleting a device
/// that does not exist (a repeated request) changes nothing.
pub(crate) async fn delete_device(tx: &Transaction<'_>, device: &DeviceId) -> StoreResult<()> {
    let id = device.to_string();
    // Locked first: a concurrent write that refers to the device (a report, an upload,
    // a follow; their foreign keys lock the device's row) waits and then fails on the
    // missing device, instead of adding a link after the updates below.
    tx.execute("SELECT 1 FROM devices WHERE id = $1 FOR UPDATE", &[&id])
        .await?;
    for sql in [
        "UPDATE reports SET device_id = NULL WHERE device_id = $1",
        "UPDATE events SET device_id = NULL WHERE device_id = $1",
        "UPDATE mailed_reports SET device_id = NULL WHERE device_id = $1",
        "DELETE FROM followers WHERE device_id = $1",
        "DELETE FROM blob_uploads WHERE device_id = $1",
        "DELETE FROM devices WHERE id = $1",
    ] {
        tx.execute(sql, &[&id]).await?;
    }
    Ok(())
}

/// Deletes mailed reports selected by `filter` (a condition on `mailed_reports` with its
/// parameters), with their mail jobs' content; returns the photos that are now
/// unreferenced.
async fn delete_mailed(tx: &Transaction<'_>, filter: &str, parameters: &[&(dyn ToSql + Sync)]) -> StoreResult<Erased> {
    let rows = tx
        .query(
            &format!("DELETE FROM mailed_reports WHERE {filter} RETURNING id, report"),
            parameters,
        )
        .await?;
    let deleted = rows
        .iter()
        .map(|row| Ok((get_id::<ReportId>(row, "id")?, get_json::<Report>(row, "report")?)))
        .collect::<StoreResult<Vec<_>>>()?;
    let mut photos = Vec::new();
    for (id, report) in &deleted {
        // The mail to the administration carried the report; its log entry stays bare.
        drop_jobs(tx, id).await?;
        photos.extend(report.photos.iter().cloned());
    }
    Ok(Erased {
        reports: u32::try_from(deleted.len()).unwrap_or(u32::MAX),
        orphaned_photos: orphaned(tx, photos).await?,
    })
}

/// Deletes the mailed reports a device sent or that carry an address (any case).
pub(crate) async fn erase_mailed(
    tx: &Transaction<'_>,
    device: Option<&DeviceId>,
    email: Option<&Email>,
) -> StoreResult<Erased> {
    // A NULL parameter matches nothing, so an absent device or address selects nothing.
    delete_mailed(
        tx,
        "device_id = $1::text OR lower(report::jsonb ->> 'contact_email') = lower($2::text)",
        &[&device.map(|d| d.to_string()), &email.map(|e| e.as_str())],
    )
    .await
}

/// Deletes mailed reports created before `before` that no administration took in. One
/// statement: a mailed report being taken in concurrently is re-checked once its row is
/// free, and kept.
pub(crate) async fn expire_mailed(tx: &Transaction<'_>, before: &DateTime<Utc>) -> StoreResult<Erased> {
    delete_mailed(tx, "created_at < $1 AND imported_at IS NULL", &[&ts(before)]).await
}

/// Photos stored before `uploaded_before` that nothing refers to, oldest first.
pub(crate) async fn unused_blobs(
    c: &impl GenericClient,
    uploaded_before: &DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<BlobHash>> {
    // The mailed reports' photos are collected once (a non-correlated subquery, hashed),
    // not per blob; a photo entry is never NULL, so `NOT IN` is safe.
    let stmt = c
        .prepare_cached(
            "SELECT b.hash FROM blobs b
             WHERE b.created_at < $1
               AND NOT EXISTS (SELECT 1 FROM report_photos p WHERE p.hash = b.hash)
               AND NOT EXISTS (SELECT 1 FROM blob_staff_uploads s WHERE s.hash = b.hash)
               AND b.hash NOT IN (SELECT j.hash FROM mailed_reports m,
                                      jsonb_array_elements_text(m.report::jsonb -> 'photos') j(hash)
                                  WHERE j.hash IS NOT NULL)
             ORDER BY b.created_at, b.hash LIMIT $2",
        )
        .await?;
    let rows = c.query(&stmt, &[&ts(uploaded_before), &i64::from(limit)]).await?;
    rows.iter().map(|r| parsed(r, "hash", BlobHash::parse)).collect()
}

/// Forgets photos whose files are gone, unless something refers to them again.
pub(crate) async fn forget_blobs(tx: &Transaction<'_>, hashes: &[BlobHash]) -> StoreResult<Vec<BlobHash>> {
    if hashes.is_empty() {
        return Ok(Vec::new());
    }
    // The blobs' rows are locked before the checks, in one order (two instances
    // forgetting overlapping lists wait instead of deadlocking): the second instance
    // deletes nothing and does not report the photo, and a writer that locks a blob's
    // row to attach it comes before the check or after the delete.
    let keys: Vec<String> = hashes.iter().map(|h| h.as_str().to_owned()).collect();
    tx.execute(
        "SELECT 1 FROM blobs WHERE hash = ANY($1) ORDER BY hash FOR UPDATE",
        &[&keys],
    )
    .await?;
    let unreferenced = tx.prepare_cached(&format!("SELECT {UNREFERENCED}")).await?;
    let blob = tx.prepare_cached("DELETE FROM blobs WHERE hash = $1").await?;
    let uploads = tx.prepare_cached("DELETE FROM blob_uploads WHERE hash = $1").await?;
    let mut out: Vec<BlobHash> = Vec::new();
    for h in hashes {
        if out.contains(h) {
            continue;
        }
        let free: bool = tx.query_one(&unreferenced, &[&h.as_str()]).await?.try_get(0)?;
        if !free {
            continue;
        }
        let rows = tx.execute(&blob, &[&h.as_str()]).await? + tx.execute(&uploads, &[&h.as_str()]).await?;
        if rows > 0 {
            out.push(h.clone());
        }
    }
    Ok(out)
}

/// Stores an erasure token (by its hash) for an address, and forgets expired ones.
pub(crate) async fn create_erasure_token(
    tx: &Transaction<'_>,
    token_hash: &str,
    email: &Email,
    expires_at: &DateTime<Utc>,
) -> StoreResult<()> {
    // Cleaning up here keeps addresses of unused links no longer than they are valid,
    // without a background job.
    tx.execute("DELETE FROM erasure_tokens WHERE expires_at <= $1", &[&ts(&Utc::now())])
        .await?;
    tx.execute(
        "INSERT INTO erasure_tokens (token_hash, email, expires_at) VALUES ($1, $2, $3)",
        &[&token_hash, &email.as_str().to_lowercase(), &ts(expires_at)],
    )
    .await
    .map_err(duplicate_as("erasure token"))?;
    Ok(())
}

/// Uses up a token: its address, if it exists, is unused and has not expired. The used
/// token keeps no address.
pub(crate) async fn take_erasure_token(
    tx: &Transaction<'_>,
    token_hash: &str,
    now: &DateTime<Utc>,
) -> StoreResult<Email> {
    // `FOR UPDATE` makes the check and the use one step: of two requests with the same
    // link, the second waits, re-checks `used_at` on the used row and finds nothing.
    let row = tx
        .query_opt(
            "SELECT email FROM erasure_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
             FOR UPDATE",
            &[&token_hash, &ts(now)],
        )
        .await?;
    let email = text(&found(row)?, "email")?;
    tx.execute(
        "UPDATE erasure_tokens SET used_at = $2, email = '' WHERE token_hash = $1",
        &[&token_hash, &ts(now)],
    )
    .await?;
    Email::parse(&email).map_err(|_| StoreError::Database("stored erasure address is invalid".into()))
}

/// Claims a due schedule until `lease_until`; a new schedule is created due at `first_run`.
pub(crate) async fn claim_schedule(
    tx: &Transaction<'_>,
    name: &str,
    now: &DateTime<Utc>,
    lease_until: &DateTime<Utc>,
    first_run: &DateTime<Utc>,
) -> StoreResult<bool> {
    // One statement decides: of several instances, the first locks the row and moves
    // `next_run` to the lease; the others wait for it, re-check the condition on the
    // new row (READ COMMITTED) and change nothing.
    let claimed = tx
        .execute(
            "UPDATE schedules SET next_run = $3 WHERE name = $1 AND next_run <= $2",
            &[&name, &ts(now), &ts(lease_until)],
        )
        .await?;
    if claimed > 0 {
        return Ok(true);
    }
    tx.execute(
        "INSERT INTO schedules (name, next_run) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        &[&name, &ts(first_run)],
    )
    .await?;
    Ok(false)
}
