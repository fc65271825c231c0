//! What the store does for privacy by law: erasing personal data (one path for
//! retention, withdrawal and erasure), device expiry, unused photos, the erasure log
//! and the single-use tokens of erasure by e-mail.
//!
//! The decisions (which reports are due, which device has expired, which answers are
//! free text) are the domain's ([`augenmerk_domain::privacy`]); the store applies them
//! in transactions and answers the questions they need.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use augenmerk_domain::audit::Actor;
use augenmerk_domain::privacy::{ErasureCandidate, ErasureLogEntry, ErasureReason, ErasureScope};
use augenmerk_domain::report::{Answers, Email};
use augenmerk_domain::{Ags, BlobHash, DeviceId, ReportId};

use crate::StoreResult;

/// One report to erase.
#[derive(Debug, Clone, PartialEq)]
pub struct ErasureTarget {
    /// The report.
    pub id: ReportId,
    /// For [`ErasureScope::Content`]: the answers to keep
    /// ([`augenmerk_domain::privacy::answers_without_free_text`]); ignored for contact.
    pub answers: Answers,
}

/// Why, how far, by whom and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Erasure {
    /// What is removed.
    pub scope: ErasureScope,
    /// Why (recorded in each report's audit trail and in the erasure log).
    pub reason: ErasureReason,
    /// Who (audit actor).
    pub actor: Actor,
    /// The written request's reference (staff requests).
    pub reference: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// What an erasure did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Erased {
    /// Reports changed (reports already erased at that scope are not counted).
    pub reports: u32,
    /// Photos no report, mailed report or staff upload refers to any more: the caller
    /// deletes their files, then [`PrivacyStore::forget_blobs`].
    pub orphaned_photos: Vec<BlobHash>,
}

/// A device that has not been seen for a while.
#[derive(Debug, Clone, PartialEq)]
pub struct IdleDevice {
    /// The device.
    pub id: DeviceId,
    /// Its last authenticated request.
    pub last_seen: DateTime<Utc>,
    /// The municipalities it reported to (their policies decide).
    pub municipalities: Vec<Ags>,
}

/// Storage for privacy by law.
#[async_trait]
pub trait PrivacyStore: Send + Sync + 'static {
    /// Removes personal data from reports of a municipality in one transaction:
    /// - always: the contact address, and the e-mail of the report's mail subscription
    ///   (the status link keeps working, no further mail is sent);
    /// - for [`ErasureScope::Content`] also: description, answers (replaced by
    ///   `target.answers`), address hint is kept (it names the place), photos (the list
    ///   and `report_photos`), messages in both directions and their feed events,
    ///   internal notes, the link to the device;
    /// - queued mails about the report are dropped, sent ones lose their payload and
    ///   recipient (the mail log keeps kind, time and state);
    /// - one `PersonalDataRemoved` audit entry per changed report, and one erasure-log
    ///   line for the whole call (when it changed any report).
    ///
    /// Reports already erased at this scope (or wider) are skipped, so running it again
    /// changes nothing. Reports of another municipality are ignored.
    async fn erase_reports(&self, ags: &Ags, targets: Vec<ErasureTarget>, erasure: Erasure) -> StoreResult<Erased>;

    /// Reports of a municipality closed before `closed_before` that are not yet erased
    /// at `scope`, oldest first, at most `limit`.
    async fn retention_due(
        &self,
        ags: &Ags,
        scope: ErasureScope,
        closed_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ReportId>>;

    /// Withdraws a report nobody has handled yet
    /// ([`augenmerk_domain::privacy::withdrawable`], and no audit entry by staff, no
    /// message from the municipality): deletes it with everything that
    /// hangs on it (audit, events, messages, notes, followers, subscription, queued
    /// mails) and keeps a tombstone (id, municipality, time, actor), so that the id is
    /// refused if a device sends it again ([`crate::StoreError::Withdrawn`]) and the
    /// withdrawal appears in the erasure log. `Conflict` if someone handled it already,
    /// `NotFound` if it is not the municipality's.
    async fn withdraw_report(&self, ags: &Ags, id: &ReportId, actor: Actor, at: DateTime<Utc>) -> StoreResult<Erased>;

    /// Reports (of one municipality, or all) sent with this address, compared without
    /// regard to case; with each report's municipality.
    async fn reports_by_email(&self, ags: Option<&Ags>, email: &Email) -> StoreResult<Vec<(Ags, ErasureCandidate)>>;

    /// The erasure log of a municipality, newest first.
    async fn erasure_log(&self, ags: &Ags, limit: u32) -> StoreResult<Vec<ErasureLogEntry>>;

    /// Records a device's request (throttled: writes only if the last mark is older
    /// than an hour, so reading does not turn into a write per request).
    async fn touch_device(&self, device: &DeviceId, now: DateTime<Utc>) -> StoreResult<()>;

    /// Devices not seen since `seen_before`, at most `limit`.
    async fn idle_devices(&self, seen_before: DateTime<Utc>, limit: u32) -> StoreResult<Vec<IdleDevice>>;

    /// Deletes a device registration: its token stops working, its reports, mailed
    /// reports and feed events lose the link to it, its follows and upload records go.
    async fn delete_device(&self, device: &DeviceId) -> StoreResult<()>;

    /// Deletes the mailed reports (to administrations off the platform) a device sent,
    /// or that carry this address; returns their photos that are now unreferenced.
    async fn erase_mailed(&self, device: Option<&DeviceId>, email: Option<&Email>) -> StoreResult<Erased>;

    /// Deletes mailed reports created before `before` that no administration imported.
    async fn expire_mailed(&self, before: DateTime<Utc>) -> StoreResult<Erased>;

    /// Photos uploaded before `uploaded_before` that no report, mailed report or staff
    /// upload refers to, at most `limit`.
    async fn unused_blobs(&self, uploaded_before: DateTime<Utc>, limit: u32) -> StoreResult<Vec<BlobHash>>;

    /// Forgets photos whose files were deleted (their rows and upload records), unless
    /// something refers to them again by now; returns those forgotten.
    async fn forget_blobs(&self, hashes: &[BlobHash]) -> StoreResult<Vec<BlobHash>>;

    /// Stores the hash of a single-use erasure-confirmation token for an address.
    async fn create_erasure_token(&self, token_hash: &str, email: &Email, expires_at: DateTime<Utc>)
    -> StoreResult<()>;

    /// Uses up a token: its address if it exists and has not expired (`NotFound` otherwise).
    async fn take_erasure_token(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Email>;

    /// Claims a scheduled job for one instance: true (and `next_run` moved to
    /// `lease_until`) if it was due at `now`; false if another instance has it or it
    /// is not due. A schedule seen for the first time is created due at `first_run`
    /// and not claimed.
    async fn claim_schedule(
        &self,
        name: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        first_run: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// After a run of erasures: makes sure erased text does not linger in the database
    /// file's free pages or its write-ahead log (see the backend for how).
    async fn scrub(&self) -> StoreResult<()>;
}
