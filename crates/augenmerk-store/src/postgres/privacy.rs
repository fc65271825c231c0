//! [`PrivacyStore`] on PostgreSQL: each method delegates to `erasure` (reports,
//! withdrawals, the erasure log) or `housekeeping` (devices, mailed reports, photos,
//! tokens, schedules).
//!
//! Erased data and PostgreSQL's files: an `UPDATE` or `DELETE` leaves the old row
//! version in its page until `VACUUM` prunes it, and the WAL keeps it until the segment
//! is recycled. [`PrivacyStore::scrub`] therefore vacuums the tables that hold personal
//! data, which removes the dead versions from the pages (see `erasure::scrub`); WAL
//! segments and backups follow the operator's retention (documented in the README).

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use augenmerk_domain::audit::Actor;
use augenmerk_domain::privacy::{ErasureCandidate, ErasureLogEntry, ErasureScope};
use augenmerk_domain::report::Email;
use augenmerk_domain::{Ags, BlobHash, DeviceId, ReportId};

use super::{PgStore, erasure, housekeeping};
use crate::StoreResult;
use crate::privacy::{Erased, Erasure, ErasureTarget, IdleDevice, PrivacyStore};

/// A device's last request is recorded at most this often (every request would be a write).
const TOUCH_INTERVAL_HOURS: i64 = 1;

#[async_trait]
impl PrivacyStore for PgStore {
    async fn erase_reports(&self, ags: &Ags, targets: Vec<ErasureTarget>, erasure: Erasure) -> StoreResult<Erased> {
        in_tx!(self, |tx| erasure::erase_reports(tx, ags, &targets, &erasure))
    }

    async fn retention_due(
        &self,
        ags: &Ags,
        scope: ErasureScope,
        closed_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ReportId>> {
        on_conn!(self, |c| erasure::retention_due(c, ags, scope, &closed_before, limit))
    }

    async fn withdraw_report(&self, ags: &Ags, id: &ReportId, actor: Actor, at: DateTime<Utc>) -> StoreResult<Erased> {
        in_tx!(self, |tx| erasure::withdraw_report(tx, ags, id, &actor, &at))
    }

    async fn reports_by_email(&self, ags: Option<&Ags>, email: &Email) -> StoreResult<Vec<(Ags, ErasureCandidate)>> {
        on_conn!(self, |c| erasure::reports_by_email(c, ags, email))
    }

    async fn erasure_log(&self, ags: &Ags, limit: u32) -> StoreResult<Vec<ErasureLogEntry>> {
        on_conn!(self, |c| erasure::erasure_log(c, ags, limit))
    }

    async fn touch_device(&self, device: &DeviceId, now: DateTime<Utc>) -> StoreResult<()> {
        let threshold = now - Duration::hours(TOUCH_INTERVAL_HOURS);
        // Asked first, so that the usual request (marked within the hour) writes
        // nothing; the update checks the threshold again.
        let client = self.client().await?;
        if housekeeping::is_stale(&client, device, &threshold).await? {
            housekeeping::touch_device(&client, device, &now, &threshold).await?;
        }
        Ok(())
    }

    async fn idle_devices(&self, seen_before: DateTime<Utc>, limit: u32) -> StoreResult<Vec<IdleDevice>> {
        on_conn!(self, |c| housekeeping::idle_devices(c, &seen_before, limit))
    }

    async fn delete_device(&self, device: &DeviceId) -> StoreResult<()> {
        in_tx!(self, |tx| housekeeping::delete_device(tx, device))
    }

    async fn erase_mailed(&self, device: Option<&DeviceId>, email: Option<&Email>) -> StoreResult<Erased> {
        in_tx!(self, |tx| housekeeping::erase_mailed(tx, device, email))
    }

    async fn expire_mailed(&self, before: DateTime<Utc>) -> StoreResult<Erased> {
        in_tx!(self, |tx| housekeeping::expire_mailed(tx, &before))
    }

    async fn unused_blobs(&self, uploaded_before: DateTime<Utc>, limit: u32) -> StoreResult<Vec<BlobHash>> {
        on_conn!(self, |c| housekeeping::unused_blobs(c, &uploaded_before, limit))
    }

    async fn forget_blobs(&self, hashes: &[BlobHash]) -> StoreResult<Vec<BlobHash>> {
        in_tx!(self, |tx| housekeeping::forget_blobs(tx, hashes))
    }

    async fn create_erasure_token(
        &self,
        token_hash: &str,
        email: &Email,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        in_tx!(self, |tx| housekeeping::create_erasure_token(
            tx,
            token_hash,
            email,
            &expires_at
        ))
    }

    async fn take_erasure_token(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Email> {
        in_tx!(self, |tx| housekeeping::take_erasure_token(tx, token_hash, &now))
    }

    async fn claim_schedule(
        &self,
        name: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        first_run: DateTime<Utc>,
    ) -> StoreResult<bool> {
        in_tx!(self, |tx| housekeeping::claim_schedule(
            tx,
            name,
            &now,
            &lease_until,
            &first_run
        ))
    }

    async fn scrub(&self) -> StoreResult<()> {
        on_conn!(self, |c| erasure::scrub(c))
    }
}
