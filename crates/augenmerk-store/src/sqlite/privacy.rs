//! [`PrivacyStore`] on SQLite: each method delegates to `erasure` (reports, withdrawals,
//! the erasure log) or `housekeeping` (devices, mailed reports, photos, tokens, schedules).
//!
//! Erased data must be gone from the file, not only from query results. SQLite on its own
//! keeps deleted or overwritten values: a deleted cell's bytes stay in its page until the
//! space is reused, a freed page keeps its old content on the free list, and in WAL mode
//! every page image written since the last checkpoint (those before the erasure included)
//! stays in the `-wal` file until the WAL is rewound and overwritten. So every write
//! connection runs with `secure_delete=ON` (see `schema::WRITE_PRAGMAS`), which zeroes
//! deleted cells and freed pages as they are written, and [`PrivacyStore::scrub`] asks
//! the checkpoint thread for a `TRUNCATE` checkpoint: the WAL's pages (the zeroed ones
//! last) are copied into the database file and the WAL is cut to nothing. Data deleted
//! before this version (without `secure_delete`) may still sit in free pages; `VACUUM`
//! rewrites the file and removes it.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use augenmerk_domain::audit::Actor;
use augenmerk_domain::privacy::{ErasureCandidate, ErasureLogEntry, ErasureScope};
use augenmerk_domain::report::Email;
use augenmerk_domain::{Ags, BlobHash, DeviceId, ReportId};

use super::{SqliteStore, erasure, housekeeping};
use crate::StoreResult;
use crate::privacy::{Erased, Erasure, ErasureTarget, IdleDevice, PrivacyStore};

/// A device's last request is recorded at most this often (every request would be a write).
const TOUCH_INTERVAL_HOURS: i64 = 1;

#[async_trait]
impl PrivacyStore for SqliteStore {
    async fn erase_reports(&self, ags: &Ags, targets: Vec<ErasureTarget>, erasure: Erasure) -> StoreResult<Erased> {
        let ags = ags.clone();
        self.write(move |tx| erasure::erase_reports(tx, &ags, &targets, &erasure))
            .await
    }

    async fn retention_due(
        &self,
        ags: &Ags,
        scope: ErasureScope,
        closed_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ReportId>> {
        let ags = ags.clone();
        self.read(move |c| erasure::retention_due(c, &ags, scope, &closed_before, limit))
            .await
    }

    async fn withdraw_report(&self, ags: &Ags, id: &ReportId, actor: Actor, at: DateTime<Utc>) -> StoreResult<Erased> {
        let (ags, id) = (ags.clone(), *id);
        self.write(move |tx| erasure::withdraw_report(tx, &ags, &id, &actor, &at))
            .await
    }

    async fn reports_by_email(&self, ags: Option<&Ags>, email: &Email) -> StoreResult<Vec<(Ags, ErasureCandidate)>> {
        let (ags, email) = (ags.cloned(), email.clone());
        self.read(move |c| erasure::reports_by_email(c, ags.as_ref(), &email))
            .await
    }

    async fn erasure_log(&self, ags: &Ags, limit: u32) -> StoreResult<Vec<ErasureLogEntry>> {
        let ags = ags.clone();
        self.read(move |c| erasure::erasure_log(c, &ags, limit)).await
    }

    async fn touch_device(&self, device: &DeviceId, now: DateTime<Utc>) -> StoreResult<()> {
        let device = *device;
        let threshold = now - Duration::hours(TOUCH_INTERVAL_HOURS);
        // Asked on a read connection first, so that the usual request (marked within the
        // hour) costs no trip through the writer; the write checks again.
        if self
            .read(move |c| housekeeping::is_stale(c, &device, &threshold))
            .await?
        {
            self.write(move |tx| housekeeping::touch_device(tx, &device, &now, &threshold))
                .await?;
        }
        Ok(())
    }

    async fn idle_devices(&self, seen_before: DateTime<Utc>, limit: u32) -> StoreResult<Vec<IdleDevice>> {
        self.read(move |c| housekeeping::idle_devices(c, &seen_before, limit))
            .await
    }

    async fn delete_device(&self, device: &DeviceId) -> StoreResult<()> {
        let device = *device;
        self.write(move |tx| housekeeping::delete_device(tx, &device)).await
    }

    async fn erase_mailed(&self, device: Option<&DeviceId>, email: Option<&Email>) -> StoreResult<Erased> {
        let (device, email) = (device.copied(), email.cloned());
        self.write(move |tx| housekeeping::erase_mailed(tx, device.as_ref(), email.as_ref()))
            .await
    }

    async fn expire_mailed(&self, before: DateTime<Utc>) -> StoreResult<Erased> {
        self.write(move |tx| housekeeping::expire_mailed(tx, &before)).await
    }

    async fn unused_blobs(&self, uploaded_before: DateTime<Utc>, limit: u32) -> StoreResult<Vec<BlobHash>> {
        self.read(move |c| housekeeping::unused_blobs(c, &uploaded_before, limit))
            .await
    }

    async fn forget_blobs(&self, hashes: &[BlobHash]) -> StoreResult<Vec<BlobHash>> {
        let hashes = hashes.to_vec();
        self.write(move |tx| housekeeping::forget_blobs(tx, &hashes)).await
    }

    async fn create_erasure_token(
        &self,
        token_hash: &str,
        email: &Email,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (token_hash, email) = (token_hash.to_owned(), email.clone());
        self.write(move |tx| housekeeping::create_erasure_token(tx, &token_hash, &email, &expires_at))
            .await
    }

    async fn take_erasure_token(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Email> {
        let token_hash = token_hash.to_owned();
        self.write(move |tx| housekeeping::take_erasure_token(tx, &token_hash, &now))
            .await
    }

    async fn claim_schedule(
        &self,
        name: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        first_run: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let name = name.to_owned();
        self.write(move |tx| housekeeping::claim_schedule(tx, &name, &now, &lease_until, &first_run))
            .await
    }

    async fn scrub(&self) -> StoreResult<()> {
        // The erasures were committed before their calls returned, so the WAL holds the
        // zeroed pages; emptying it writes them over the old ones in the database file.
        self.checkpointer.truncate().await
    }
}
