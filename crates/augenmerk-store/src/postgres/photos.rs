//! Who may see and attach a photo, and how much a device uploaded.
//!
//! A photo's hash is public in the sense that anyone holding the same photo can compute
//! it, so it must not work as a capability: a device sees and attaches only photos it
//! uploaded itself (proving possession of the bytes) or that one of its reports uses;
//! staff only those uploaded by staff of their municipality or used by its reports.

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Transaction};

use augenmerk_domain::{Ags, BlobHash, DeviceId};

use super::codec::{get_ts_opt, text, ts, uint};
use crate::{StoreError, StoreResult, UploadUsage, Uploader};

/// Records an upload; the same uploader and hash again keeps the first record (so a
/// repeated upload neither counts twice against the quota nor moves its time).
pub(crate) async fn record_upload(
    tx: &Transaction<'_>,
    hash: &BlobHash,
    uploader: &Uploader,
    size: u64,
    at: &DateTime<Utc>,
) -> StoreResult<()> {
    let size = i64::try_from(size).map_err(|_| StoreError::Database("upload size out of range".into()))?;
    match uploader {
        Uploader::Device(device) => {
            tx.execute(
                "INSERT INTO blob_uploads (hash, device_id, size, uploaded_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
                &[&hash.as_str(), &device.to_string(), &size, &ts(at)],
            )
            .await?
        }
        Uploader::Municipality(ags) => {
            tx.execute(
                "INSERT INTO blob_staff_uploads (hash, ags, uploaded_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&hash.as_str(), &ags.as_str(), &ts(at)],
            )
            .await?
        }
    };
    Ok(())
}

/// The condition "the photo `{h}` is visible to the device `$2` or the municipality
/// `$3`", shared by [`blob_visible_to`] and [`unattachable_blobs`]. A NULL parameter
/// compares unequal to everything, so an absent device or municipality grants nothing.
fn visible(h: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM report_photos p JOIN reports r ON r.id = p.report_id
                  WHERE p.hash = {h} AND (r.device_id = $2 OR r.ags = $3))
          OR EXISTS (SELECT 1 FROM blob_uploads u WHERE u.hash = {h} AND u.device_id = $2)
          OR EXISTS (SELECT 1 FROM blob_staff_uploads s WHERE s.hash = {h} AND s.ags = $3))"
    )
}

/// Whether a report of this device or municipality references the photo, or the device
/// or staff of the municipality uploaded it.
pub(crate) async fn blob_visible_to(
    c: &impl GenericClient,
    hash: &BlobHash,
    device: Option<&DeviceId>,
    ags: Option<&Ags>,
) -> StoreResult<bool> {
    let stmt = c
        .prepare_cached(&format!("SELECT {} AS visible", visible("$1::text")))
        .await?;
    let row = c
        .query_one(
            &stmt,
            &[&hash.as_str(), &device.map(|d| d.to_string()), &ags.map(|a| a.as_str())],
        )
        .await?;
    Ok(row.try_get("visible")?)
}

/// The hashes that are not stored or not visible to the device or municipality, in the
/// order given, each once.
pub(crate) async fn unattachable_blobs(
    c: &impl GenericClient,
    hashes: &[BlobHash],
    device: Option<&DeviceId>,
    ags: Option<&Ags>,
) -> StoreResult<Vec<BlobHash>> {
    // One round trip for all hashes: the attachable ones come back, the rest are out.
    let wanted: Vec<String> = hashes.iter().map(|h| h.as_str().to_owned()).collect();
    let stmt = c
        .prepare_cached(&format!(
            "SELECT b.hash FROM blobs b WHERE b.hash = ANY($1) AND {}",
            visible("b.hash")
        ))
        .await?;
    let attachable: Vec<String> = c
        .query(
            &stmt,
            &[&wanted, &device.map(|d| d.to_string()), &ags.map(|a| a.as_str())],
        )
        .await?
        .iter()
        .map(|row| text(row, "hash"))
        .collect::<StoreResult<_>>()?;
    let mut out: Vec<BlobHash> = Vec::new();
    for h in hashes {
        if !out.contains(h) && !attachable.iter().any(|a| a == h.as_str()) {
            out.push(h.clone());
        }
    }
    Ok(out)
}

/// A device's uploads since a time.
pub(crate) async fn device_uploads_since(
    c: &impl GenericClient,
    device: &DeviceId,
    since: &DateTime<Utc>,
) -> StoreResult<UploadUsage> {
    let stmt = c
        .prepare_cached(
            "SELECT count(*) AS photos, coalesce(sum(size), 0)::bigint AS bytes, min(uploaded_at) AS oldest
             FROM blob_uploads WHERE device_id = $1 AND uploaded_at >= $2",
        )
        .await?;
    let row = c.query_one(&stmt, &[&device.to_string(), &ts(since)]).await?;
    Ok(UploadUsage {
        photos: uint(&row, "photos")?,
        bytes: uint(&row, "bytes")?,
        oldest: get_ts_opt(&row, "oldest")?,
    })
}
