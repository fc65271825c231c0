//! Who may see and attach a photo, and how much a device uploaded.
//!
//! A photo's hash is public in the sense that anyone holding the same photo can compute
//! it, so it must not work as a capability: a device sees and attaches only photos it
//! uploaded itself (proving possession of the bytes) or that one of its reports uses;
//! staff only those uploaded by staff of their municipality or used by its reports.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use augenmerk_domain::{Ags, BlobHash, DeviceId};

use super::codec::ts;
use crate::{StoreError, StoreResult, UploadUsage, Uploader};

/// Records an upload; the same uploader and hash again keeps the first record (so a
/// repeated upload neither counts twice against the quota nor moves its time).
pub(crate) fn record_upload(
    conn: &Connection,
    hash: &BlobHash,
    uploader: &Uploader,
    size: u64,
    at: &DateTime<Utc>,
) -> StoreResult<()> {
    let size = i64::try_from(size).map_err(|_| StoreError::Database("upload size out of range".into()))?;
    match uploader {
        Uploader::Device(device) => conn
            .prepare_cached(
                "INSERT INTO blob_uploads (hash, device_id, size, uploaded_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![hash.as_str(), device.to_string(), size, ts(at)])?,
        Uploader::Municipality(ags) => conn
            .prepare_cached(
                "INSERT INTO blob_staff_uploads (hash, ags, uploaded_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            )?
            .execute(params![hash.as_str(), ags.as_str(), ts(at)])?,
    };
    Ok(())
}

/// Whether a report of this device or municipality references the photo, or the device
/// or staff of the municipality uploaded it.
pub(crate) fn blob_visible_to(
    conn: &Connection,
    hash: &BlobHash,
    device: Option<&DeviceId>,
    ags: Option<&Ags>,
) -> StoreResult<bool> {
    // A NULL parameter compares unequal to everything, so an absent device or
    // municipality grants nothing.
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM report_photos p JOIN reports r ON r.id = p.report_id
                            WHERE p.hash = ?1 AND (r.device_id = ?2 OR r.ags = ?3))
                 OR EXISTS (SELECT 1 FROM blob_uploads u WHERE u.hash = ?1 AND u.device_id = ?2)
                 OR EXISTS (SELECT 1 FROM blob_staff_uploads s WHERE s.hash = ?1 AND s.ags = ?3)",
        )?
        .query_row(
            params![hash.as_str(), device.map(|d| d.to_string()), ags.map(|a| a.as_str())],
            |row| row.get(0),
        )?)
}

/// The hashes that are not stored or not visible to the device or municipality, in the
/// order given, each once.
pub(crate) fn unattachable_blobs(
    conn: &Connection,
    hashes: &[BlobHash],
    device: Option<&DeviceId>,
    ags: Option<&Ags>,
) -> StoreResult<Vec<BlobHash>> {
    let mut stored = conn.prepare_cached("SELECT 1 FROM blobs WHERE hash = ?1")?;
    let mut out: Vec<BlobHash> = Vec::new();
    for h in hashes {
        if out.contains(h) {
            continue;
        }
        let is_stored = stored.query_row([h.as_str()], |_| Ok(())).optional()?.is_some();
        if !is_stored || !blob_visible_to(conn, h, device, ags)? {
            out.push(h.clone());
        }
    }
    Ok(out)
}

/// A device's uploads since a time.
pub(crate) fn device_uploads_since(
    conn: &Connection,
    device: &DeviceId,
    since: &DateTime<Utc>,
) -> StoreResult<UploadUsage> {
    let (photos, bytes, oldest): (i64, i64, Option<String>) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(size), 0), min(uploaded_at) FROM blob_uploads
             WHERE device_id = ?1 AND uploaded_at >= ?2",
        )?
        .query_row(params![device.to_string(), ts(since)], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?;
    Ok(UploadUsage {
        photos: u64::try_from(photos).unwrap_or(0),
        bytes: u64::try_from(bytes).unwrap_or(0),
        oldest: oldest
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|t| t.with_timezone(&Utc)),
    })
}
