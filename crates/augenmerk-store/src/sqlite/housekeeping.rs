//! Privacy housekeeping outside reports: devices that are no longer used, mailed reports,
//! unused photos, the single-use tokens of erasure by e-mail, and the claim on the daily
//! run that does it.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use augenmerk_domain::report::{Email, Report};
use augenmerk_domain::{Ags, BlobHash, DeviceId, ReportId};

use super::codec::{duplicate_as, get_id, get_json, parsed, ts};
use super::erasure::{UNREFERENCED, drop_jobs, orphaned};
use crate::privacy::{Erased, IdleDevice};
use crate::{StoreError, StoreResult};

/// Whether a device's last mark is older than `threshold` (so touching it would write).
pub(crate) fn is_stale(conn: &Connection, device: &DeviceId, threshold: &DateTime<Utc>) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM devices WHERE id = ?1 AND last_seen_at < ?2")?
        .query_row([device.to_string(), ts(threshold)], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Marks a device as seen at `now` if its last mark is older than `threshold`.
pub(crate) fn touch_device(
    conn: &Connection,
    device: &DeviceId,
    now: &DateTime<Utc>,
    threshold: &DateTime<Utc>,
) -> StoreResult<()> {
    conn.prepare_cached("UPDATE devices SET last_seen_at = ?2 WHERE id = ?1 AND last_seen_at < ?3")?
        .execute([device.to_string(), ts(now), ts(threshold)])?;
    Ok(())
}

/// Devices not seen since `seen_before`, longest unseen first, with the municipalities
/// their reports went to.
pub(crate) fn idle_devices(conn: &Connection, seen_before: &DateTime<Utc>, limit: u32) -> StoreResult<Vec<IdleDevice>> {
    let mut devices = conn.prepare_cached(
        "SELECT id, last_seen_at FROM devices WHERE last_seen_at < ?1 ORDER BY last_seen_at, id LIMIT ?2",
    )?;
    let found = devices
        .query_map(params![ts(seen_before), limit], |row| {
            Ok((get_id::<DeviceId>(row, "id")?, row.get::<_, String>("last_seen_at")?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut ags = conn.prepare_cached("SELECT DISTINCT ags FROM reports WHERE device_id = ?1 ORDER BY ags")?;
    let mut out = Vec::with_capacity(found.len());
    for (id, last_seen) in found {
        let municipalities = ags
            .query_map([id.to_string()], |r| parsed(r, "ags", Ags::parse))?
            .collect::<Result<Vec<_>, _>>()?;
        // The column's empty default (a row written without it) counts as never seen.
        let last_seen = super::codec::parse_ts(&last_seen).unwrap_or(DateTime::UNIX_EPOCH);
        out.push(IdleDevice {
            id,
            last_seen,
            municipalities,
        });
    }
    Ok(out)
}

/// Deletes a device registration; what referred to it loses the link. Deleting a device
/// that does not exist (a repeated request) changes nothing.
pub(crate) fn delete_device(conn: &Connection, device: &DeviceId) -> StoreResult<()> {
    let id = device.to_string();
    for sql in [
        "UPDATE reports SET device_id = NULL WHERE device_id = ?1",
        "UPDATE events SET device_id = NULL WHERE device_id = ?1",
        "UPDATE mailed_reports SET device_id = NULL WHERE device_id = ?1",
        "DELETE FROM followers WHERE device_id = ?1",
        "DELETE FROM blob_uploads WHERE device_id = ?1",
        "DELETE FROM devices WHERE id = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([&id])?;
    }
    Ok(())
}

/// Deletes mailed reports selected by `filter` (a condition on `mailed_reports` with its
/// parameters), with their mail jobs' content; returns the photos that are now
/// unreferenced.
fn delete_mailed(conn: &Connection, filter: &str, parameters: impl rusqlite::Params) -> StoreResult<Erased> {
    let mut stmt = conn.prepare_cached(&format!(
        "DELETE FROM mailed_reports WHERE {filter} RETURNING id, report"
    ))?;
    let deleted = stmt
        .query_map(parameters, |row| {
            Ok((get_id::<ReportId>(row, "id")?, get_json::<Report>(row, "report")?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut photos = Vec::new();
    for (id, report) in &deleted {
        // The mail to the administration carried the report; its log entry stays bare.
        drop_jobs(conn, id)?;
        photos.extend(report.photos.iter().cloned());
    }
    Ok(Erased {
        reports: u32::try_from(deleted.len()).unwrap_or(u32::MAX),
        orphaned_photos: orphaned(conn, photos)?,
    })
}

/// Deletes the mailed reports a device sent or that carry an address (any case).
pub(crate) fn erase_mailed(conn: &Connection, device: Option<&DeviceId>, email: Option<&Email>) -> StoreResult<Erased> {
    // A NULL parameter matches nothing, so an absent device or address selects nothing.
    delete_mailed(
        conn,
        "device_id = ?1 OR lower(json_extract(report, '$.contact_email')) = lower(?2)",
        params![device.map(|d| d.to_string()), email.map(|e| e.as_str())],
    )
}

/// Deletes mailed reports created before `before` that no administration took in.
pub(crate) fn expire_mailed(conn: &Connection, before: &DateTime<Utc>) -> StoreResult<Erased> {
    delete_mailed(conn, "created_at < ?1 AND imported_at IS NULL", [ts(before)])
}

/// Photos stored before `uploaded_before` that nothing refers to, oldest first.
pub(crate) fn unused_blobs(
    conn: &Connection,
    uploaded_before: &DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<BlobHash>> {
    // The mailed reports' photos are collected once (a non-correlated subquery), not per blob.
    let mut stmt = conn.prepare_cached(
        "SELECT b.hash FROM blobs b
         WHERE b.created_at < ?1
           AND NOT EXISTS (SELECT 1 FROM report_photos p WHERE p.hash = b.hash)
           AND NOT EXISTS (SELECT 1 FROM blob_staff_uploads s WHERE s.hash = b.hash)
           AND b.hash NOT IN (SELECT j.value FROM mailed_reports m, json_each(m.report, '$.photos') j)
         ORDER BY b.created_at, b.hash LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![ts(uploaded_before), limit], |r| {
        parsed(r, "hash", BlobHash::parse)
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Forgets photos whose files are gone, unless something refers to them again.
pub(crate) fn forget_blobs(conn: &Connection, hashes: &[BlobHash]) -> StoreResult<Vec<BlobHash>> {
    let mut unreferenced = conn.prepare_cached(&format!("SELECT {UNREFERENCED}"))?;
    let mut blob = conn.prepare_cached("DELETE FROM blobs WHERE hash = ?1")?;
    let mut uploads = conn.prepare_cached("DELETE FROM blob_uploads WHERE hash = ?1")?;
    let mut out: Vec<BlobHash> = Vec::new();
    for h in hashes {
        if out.contains(h) || !unreferenced.query_row([h.as_str()], |r| r.get::<_, bool>(0))? {
            continue;
        }
        let rows = blob.execute([h.as_str()])? + uploads.execute([h.as_str()])?;
        if rows > 0 {
            out.push(h.clone());
        }
    }
    Ok(out)
}

/// Stores an erasure token (by its hash) for an address, and forgets expired ones.
pub(crate) fn create_erasure_token(
    conn: &Connection,
    token_hash: &str,
    email: &Email,
    expires_at: &DateTime<Utc>,
) -> StoreResult<()> {
    // Cleaning up here keeps addresses of unused links no longer than they are valid,
    // without a background job.
    conn.prepare_cached("DELETE FROM erasure_tokens WHERE expires_at <= ?1")?
        .execute([ts(&Utc::now())])?;
    conn.prepare_cached("INSERT INTO erasure_tokens (token_hash, email, expires_at) VALUES (?1, ?2, ?3)")?
        .execute([token_hash, &email.as_str().to_lowercase(), &ts(expires_at)])
        .map_err(duplicate_as("erasure token"))?;
    Ok(())
}

/// Uses up a token: its address, if it exists, is unused and has not expired. The used
/// token keeps no address.
pub(crate) fn take_erasure_token(conn: &Connection, token_hash: &str, now: &DateTime<Utc>) -> StoreResult<Email> {
    let email: String = conn
        .prepare_cached(
            "SELECT email FROM erasure_tokens WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
        )?
        .query_row([token_hash, &ts(now)], |r| r.get(0))?;
    conn.prepare_cached("UPDATE erasure_tokens SET used_at = ?2, email = '' WHERE token_hash = ?1")?
        .execute([token_hash, &ts(now)])?;
    Email::parse(&email).map_err(|_| StoreError::Database("stored erasure address is invalid".into()))
}

/// Claims a due schedule until `lease_until`; a new schedule is created due at `first_run`.
pub(crate) fn claim_schedule(
    conn: &Connection,
    name: &str,
    now: &DateTime<Utc>,
    lease_until: &DateTime<Utc>,
    first_run: &DateTime<Utc>,
) -> StoreResult<bool> {
    // One statement decides: of several instances, only the first finds it due.
    let claimed = conn
        .prepare_cached("UPDATE schedules SET next_run = ?3 WHERE name = ?1 AND next_run <= ?2")?
        .execute([name, &ts(now), &ts(lease_until)])?;
    if claimed > 0 {
        return Ok(true);
    }
    conn.prepare_cached("INSERT INTO schedules (name, next_run) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING")?
        .execute([name, &ts(first_run)])?;
    Ok(false)
}
