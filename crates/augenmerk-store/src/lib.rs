//! The server's storage, behind a trait so that backends can be swapped.
//!
//! SQLite ([`sqlite::SqliteStore`]) is the embedded default; a PostgreSQL backend can
//! implement the same trait without touching handlers or domain code. SQL that only one
//! database understands stays inside its backend.
//!
//! Tenancy: every method that reads or writes municipal data takes the municipality's
//! AGS, and backends filter by it, so a lookup with the wrong tenant finds nothing.
//! Writes that belong together (a report with its audit entries and feed events) are one
//! call and one transaction.

pub mod alerts;
mod codec;
pub mod copy;
pub mod duplicates;
mod listing;
pub mod outbox;
pub mod postgres;
pub mod privacy;
pub mod public_map;
pub mod second_factor;
pub mod sessions;
pub mod sqlite;
pub mod sso;
pub mod triage;

pub use alerts::{AlertRecord, AlertStore};
pub use duplicates::{DuplicateStore, MergeWrite};
pub use outbox::{
    ExternalRequest, Job, JobKind, JobOutcome, JobState, NewJob, NewSubscription, SubscriptionChange,
    SubscriptionRecord,
};
pub use postgres::PgStore;
pub use privacy::{Erased, Erasure, ErasureTarget, IdleDevice, PrivacyStore};
pub use public_map::{CellCount, PublicMapStore, PublicRow, Snapshot};
pub use second_factor::{SecondFactorStore, TotpRecord};
pub use sessions::{SessionRecord, SessionStore};
pub use sqlite::SqliteStore;
pub use sso::{SsoPendingKind, SsoStore};
pub use triage::TriageStore;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use augenmerk_domain::api::{AreaDefinition, MunicipalitySettings, ReportQuery};
use augenmerk_domain::audit::AuditEntry;
use augenmerk_domain::public::{PublicMessage, PublicStatusChange, SyncChange};
use augenmerk_domain::report::Report;
use augenmerk_domain::rules::Rule;
use augenmerk_domain::staff::{ApiKeyInfo, Department, InternalNote, Page, StaffMessage, StaffUser};
use augenmerk_domain::{
    Ags, ApiKeyId, AuthorityId, BlobHash, CategoryTree, DepartmentId, DeviceId, ReportId, Status, UserId,
};

/// What can go wrong in storage; handlers map `NotFound` to 404 and the rest to 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Nothing with that key (in that municipality).
    #[error("not found")]
    NotFound,
    /// A unique key is taken (e.g. a login name within a municipality).
    #[error("already exists: {0}")]
    Duplicate(String),
    /// The record changed since it was read (optimistic concurrency).
    #[error("the record changed concurrently")]
    Conflict,
    /// The report was withdrawn by its citizen; its id is not taken again.
    #[error("the report was withdrawn")]
    Withdrawn,
    /// The database failed.
    #[error("database error: {0}")]
    Database(String),
}

/// Result of storage calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// A municipality's boundary as imported from GeoJSON (all of Schleswig-Holstein, whether
/// or not the municipality takes reports here).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryRecord {
    /// AGS.
    pub ags: Ags,
    /// Name.
    pub name: String,
    /// GeoJSON geometry (Polygon or MultiPolygon) as text.
    pub geometry: String,
    /// The administration that serves it (`VWG_ARS`: its Amt, or itself when amtsfrei).
    pub administration: Option<Ags>,
}

/// A municipality that takes reports on this server.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalityRecord {
    /// AGS.
    pub ags: Ags,
    /// Name.
    pub name: String,
    /// Category tree.
    pub categories: CategoryTree,
    /// Working hours, authorities, accent colour.
    pub settings: MunicipalitySettings,
    /// Bumped on every configuration change (categories, settings, areas, rules, departments).
    pub config_version: i64,
}

/// A staff account with its password hash, for login only.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The account.
    pub user: StaffUser,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// A change that citizens' devices are told about (becomes a [`SyncChange`]).
#[derive(Debug, Clone, PartialEq)]
pub enum PublicEvent {
    /// The status changed.
    Status(PublicStatusChange),
    /// A message was added.
    Message(PublicMessage),
}

/// A report write with everything that goes with it, stored atomically.
#[derive(Debug, Clone)]
pub struct ReportWrite {
    /// The report's new state.
    pub report: Report,
    /// Audit entries to append.
    pub audit: Vec<AuditEntry>,
    /// Events for the submitting device's feed (and the public status history).
    pub events: Vec<PublicEvent>,
    /// Mails and forwardings the change causes (the transactional outbox).
    pub jobs: Vec<NewJob>,
    /// For a new report with a contact address: the citizen's mail subscription.
    pub subscription: Option<NewSubscription>,
}

impl ReportWrite {
    /// A write of a report with its audit entries and events, causing no mail.
    pub fn new(report: Report, audit: Vec<AuditEntry>, events: Vec<PublicEvent>) -> Self {
        Self {
            report,
            audit,
            events,
            jobs: Vec::new(),
            subscription: None,
        }
    }
}

/// A report mailed to an administration that is not on the platform.
#[derive(Debug, Clone, PartialEq)]
pub struct MailedReport {
    /// The report as mailed (its `municipality` is the administration's key).
    pub report: Report,
    /// The directory key it was mailed to.
    pub administration: Ags,
    /// The administration's name then, for the citizen ("sent by e-mail to …").
    pub mailed_to: String,
    /// When it was accepted and queued.
    pub created_at: DateTime<Utc>,
}

/// What happened to an idempotent insert.
#[derive(Debug, Clone, PartialEq)]
pub enum Inserted<T> {
    /// It is new.
    Created(T),
    /// It existed already; this is the stored one (the new one was not written).
    Existing(T),
}

/// Metadata of a stored photo.
#[derive(Debug, Clone, PartialEq)]
pub struct BlobRecord {
    /// SHA-256 of the stored bytes (as uploaded; see the blob module on stripping).
    pub hash: BlobHash,
    /// Size in bytes.
    pub size: u64,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
}

/// Who uploaded a photo; only they may attach it to a report or a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uploader {
    /// A citizen's device.
    Device(DeviceId),
    /// Staff of a municipality.
    Municipality(Ags),
}

/// A device's photo uploads within a window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadUsage {
    /// Photos uploaded.
    pub photos: u64,
    /// Their stored bytes.
    pub bytes: u64,
    /// When the oldest of them was uploaded.
    pub oldest: Option<DateTime<Utc>>,
}

/// What [`Store::follow_report`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    /// The device follows the report now.
    Created,
    /// It followed it already.
    Already,
    /// The device follows as many reports as allowed; nothing was changed.
    LimitReached,
}

/// The server's storage.
#[async_trait]
pub trait Store:
    PrivacyStore
    + PublicMapStore
    + AlertStore
    + SessionStore
    + SecondFactorStore
    + SsoStore
    + TriageStore
    + DuplicateStore
    + Send
    + Sync
    + 'static
{
    /// Whether the database answers (a load balancer's readiness check).
    async fn ping(&self) -> StoreResult<()>;

    // --- the directory of administrations not on the platform, and mailed reports ---
    /// The directory, by key.
    async fn list_directory(&self) -> StoreResult<Vec<augenmerk_domain::api::DirectoryEntry>>;
    /// One directory entry.
    async fn get_directory(&self, key: &Ags) -> StoreResult<augenmerk_domain::api::DirectoryEntry>;
    /// Adds or replaces entries, all or nothing.
    async fn put_directory(
        &self,
        entries: Vec<augenmerk_domain::api::DirectoryEntry>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Removes an entry (reports mailed before stay).
    async fn delete_directory(&self, key: &Ags) -> StoreResult<()>;
    /// Stores a report mailed to a directory administration with its mail jobs; a known id
    /// comes back as stored (`Duplicate` if a tenant's report has it).
    async fn insert_mailed(&self, mailed: MailedReport, jobs: Vec<NewJob>) -> StoreResult<Inserted<MailedReport>>;
    /// Reports mailed to an administration and not yet taken into an inbox, oldest first.
    async fn mailed_reports(&self, administration: &Ags) -> StoreResult<Vec<MailedReport>>;
    /// Per administration, how many mailed reports wait to be taken in.
    async fn mailed_counts(&self) -> StoreResult<Vec<(Ags, u32)>>;
    /// A device's mailed reports not yet taken in, newest first.
    async fn device_mailed(&self, device: &DeviceId) -> StoreResult<Vec<MailedReport>>;
    /// A device's mailed report (not yet taken in).
    async fn get_device_mailed(&self, device: &DeviceId, id: &ReportId) -> StoreResult<MailedReport>;
    /// Takes a mailed report into a tenant's inbox (`write.report` is the tenant's report):
    /// inserted and marked as taken in one transaction.
    async fn take_mailed(&self, write: ReportWrite, now: DateTime<Utc>) -> StoreResult<Inserted<Report>>;

    // --- boundaries and municipalities ---
    /// Inserts or replaces boundaries (by AGS).
    async fn upsert_boundaries(&self, boundaries: Vec<BoundaryRecord>) -> StoreResult<()>;
    /// All boundaries.
    async fn list_boundaries(&self) -> StoreResult<Vec<BoundaryRecord>>;
    /// Creates a municipality; `Duplicate` if it exists.
    async fn create_municipality(&self, m: MunicipalityRecord) -> StoreResult<()>;
    /// One municipality.
    async fn get_municipality(&self, ags: &Ags) -> StoreResult<MunicipalityRecord>;
    /// All municipalities that take reports.
    async fn list_municipalities(&self) -> StoreResult<Vec<MunicipalityRecord>>;
    /// Replaces the category tree; bumps the config version.
    async fn put_categories(&self, ags: &Ags, tree: CategoryTree) -> StoreResult<()>;
    /// Replaces the settings; bumps the config version.
    async fn put_settings(&self, ags: &Ags, settings: MunicipalitySettings) -> StoreResult<()>;

    // --- departments, areas, rules ---
    /// Departments of a municipality.
    async fn list_departments(&self, ags: &Ags) -> StoreResult<Vec<Department>>;
    /// Creates or updates a department; bumps the config version.
    async fn put_department(&self, ags: &Ags, d: Department) -> StoreResult<()>;
    /// Deletes a department; `NotFound` if absent.
    async fn delete_department(&self, ags: &Ags, id: &DepartmentId) -> StoreResult<()>;
    /// Named areas of a municipality.
    async fn list_areas(&self, ags: &Ags) -> StoreResult<Vec<AreaDefinition>>;
    /// Creates or replaces an area; bumps the config version.
    async fn put_area(&self, ags: &Ags, area: AreaDefinition) -> StoreResult<()>;
    /// Deletes an area.
    async fn delete_area(&self, ags: &Ags, id: &augenmerk_domain::AreaId) -> StoreResult<()>;
    /// The ordered rules.
    async fn get_rules(&self, ags: &Ags) -> StoreResult<Vec<Rule>>;
    /// Replaces the ordered rules; bumps the config version.
    async fn put_rules(&self, ags: &Ags, rules: Vec<Rule>) -> StoreResult<()>;

    // --- staff, sessions, devices ---
    /// Creates a staff account; `Duplicate` if the login name is taken in that municipality.
    async fn create_user(&self, user: StaffUser, password_hash: String) -> StoreResult<()>;
    /// Looks up an account for login (`ags` none: the platform admins).
    async fn get_credentials(&self, ags: Option<&Ags>, username: &str) -> StoreResult<Credentials>;
    /// One account of a municipality.
    async fn get_user(&self, ags: &Ags, id: &UserId) -> StoreResult<StaffUser>;
    /// All accounts of a municipality.
    async fn list_users(&self, ags: &Ags) -> StoreResult<Vec<StaffUser>>;
    /// Updates an account (and its password hash when given). A new password hash or
    /// `active: false` also ends every session of the account, atomically.
    async fn update_user(&self, user: StaffUser, password_hash: Option<String>) -> StoreResult<()>;
    /// Stores a session by the hash of its token.
    async fn create_session(&self, token_hash: String, user: UserId, expires_at: DateTime<Utc>) -> StoreResult<()>;
    /// The account behind a session that has not expired at `now`; `NotFound` otherwise.
    async fn get_session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<StaffUser>;
    /// Ends a session.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Registers a device by the hash of its token.
    async fn create_device(
        &self,
        id: DeviceId,
        token_hash: String,
        platform: Option<String>,
        app_version: Option<String>,
    ) -> StoreResult<()>;
    /// The device behind a token hash.
    async fn get_device(&self, token_hash: &str) -> StoreResult<DeviceId>;

    // --- Open311 API keys ---
    /// Issues a key (stored as its hash).
    async fn create_api_key(&self, key: ApiKeyInfo, key_hash: String) -> StoreResult<()>;
    /// The active key with this hash (`NotFound` if unknown or revoked).
    async fn get_api_key(&self, key_hash: &str) -> StoreResult<ApiKeyInfo>;
    /// A municipality's keys, revoked ones included.
    async fn list_api_keys(&self, ags: &Ags) -> StoreResult<Vec<ApiKeyInfo>>;
    /// Revokes a municipality's key.
    async fn revoke_api_key(&self, ags: &Ags, id: &ApiKeyId, at: DateTime<Utc>) -> StoreResult<()>;
    /// Replaces the allowed photo hosts of a key of a municipality and answers the key;
    /// `NotFound` for another municipality's key.
    async fn set_api_key_hosts(&self, ags: &Ags, id: &ApiKeyId, hosts: Vec<String>) -> StoreResult<ApiKeyInfo>;

    // --- blobs ---
    /// Records an uploaded photo (idempotent: the same hash again is a no-op).
    async fn put_blob(&self, blob: BlobRecord) -> StoreResult<()>;
    /// Metadata of a photo.
    async fn get_blob(&self, hash: &BlobHash) -> StoreResult<BlobRecord>;
    /// Which of these hashes are not stored.
    async fn missing_blobs(&self, hashes: &[BlobHash]) -> StoreResult<Vec<BlobHash>>;
    /// Records that a device or staff of a municipality uploaded this photo (or had it
    /// anonymized by the server), `size` bytes at `at`; the same uploader again is a no-op.
    async fn record_upload(
        &self,
        hash: &BlobHash,
        uploader: &Uploader,
        size: u64,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Whether the device or municipality may see and attach the photo: a report of
    /// theirs references it, or they uploaded it themselves. A hash alone grants nothing.
    async fn blob_visible_to(&self, hash: &BlobHash, device: Option<&DeviceId>, ags: Option<&Ags>)
    -> StoreResult<bool>;
    /// Which of these hashes the device or municipality may not attach (not stored, or
    /// not [`Store::blob_visible_to`] them), in the order given, each once.
    async fn unattachable_blobs(
        &self,
        hashes: &[BlobHash],
        device: Option<&DeviceId>,
        ags: Option<&Ags>,
    ) -> StoreResult<Vec<BlobHash>>;
    /// How many photos, and how many bytes, a device uploaded since `since`, and when
    /// the oldest of them was uploaded (for the daily quota and its `Retry-After`).
    async fn device_uploads_since(&self, device: &DeviceId, since: DateTime<Utc>) -> StoreResult<UploadUsage>;

    // --- reports ---
    /// Inserts a new report with its audit and events, idempotent by report id.
    async fn insert_report(&self, write: ReportWrite) -> StoreResult<Inserted<Report>>;
    /// One report of a municipality.
    async fn get_report(&self, ags: &Ags, id: &ReportId) -> StoreResult<Report>;
    /// One report of a device (whichever municipality).
    async fn get_device_report(&self, device: &DeviceId, id: &ReportId) -> StoreResult<Report>;
    /// The device's own reports (not those it follows), the most recently changed first.
    async fn device_reports(&self, device: &DeviceId) -> StoreResult<Vec<Report>>;
    /// One report by id, whichever municipality (Open311 and internal use).
    async fn get_report_any(&self, id: &ReportId) -> StoreResult<Report>;
    /// Updates a report if its `updated_at` still equals `expected_updated_at`
    /// (else `Conflict`), appending audit entries and events in the same transaction.
    async fn update_report(&self, write: ReportWrite, expected_updated_at: DateTime<Utc>) -> StoreResult<()>;
    /// The staff inbox: filters, sorting and paging as in [`ReportQuery`]; `visible_to`
    /// limits to reports of a department or assignee (field workers).
    async fn query_reports(
        &self,
        ags: &Ags,
        query: &ReportQuery,
        visible_to: Option<&Visibility>,
        now: DateTime<Utc>,
    ) -> StoreResult<Page<Report>>;
    /// Statistics of the reports received in `[from, to]` (field workers: those they may see).
    async fn statistics(
        &self,
        ags: &Ags,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        visible_to: Option<&Visibility>,
        now: DateTime<Utc>,
    ) -> StoreResult<ReportStats>;
    /// Counts of reports per status.
    async fn count_by_status(&self, ags: &Ags, visible_to: Option<&Visibility>) -> StoreResult<Vec<(Status, u64)>>;
    /// Open reports now per department and status, with how many are overdue at `now`:
    /// `(department, status, count, overdue)` rows (field workers: those they may see).
    async fn department_workload(
        &self,
        ags: &Ags,
        visible_to: Option<&Visibility>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<WorkloadRow>>;
    /// Each municipality's figures for the platform overview, by key: active accounts,
    /// open and overdue reports at `now`, reports received and jobs given up since `since`,
    /// the last change to a report.
    async fn tenant_figures(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(Ags, augenmerk_domain::overview::TenantFigures)>>;
    /// The categories the municipality's reports are filed on, with how many each has
    /// (a category in use is deactivated, not deleted).
    async fn categories_in_use(&self, ags: &Ags) -> StoreResult<Vec<(augenmerk_domain::CategoryId, u64)>>;
    /// Open reports within `radius_m` of a point, nearest first (duplicate detection,
    /// "already reported?"); `visible_to` limits them as in [`Store::query_reports`].
    /// Every list and search of reports takes the caller's visibility, so that no
    /// staff route can show a field worker more than the inbox does.
    async fn nearby_reports(
        &self,
        ags: &Ags,
        center: augenmerk_domain::GeoPoint,
        radius_m: f64,
        limit: u32,
        visible_to: Option<&Visibility>,
    ) -> StoreResult<Vec<Report>>;

    // --- audit, history, messages, notes, feed ---
    // Each takes the report's municipality: a report of another tenant is `NotFound`
    // (writes) or has nothing (lists).
    /// The audit trail of a report, oldest first.
    async fn list_audit(&self, ags: &Ags, id: &ReportId) -> StoreResult<Vec<AuditEntry>>;
    /// The public status history of a report, oldest first.
    async fn list_status_changes(&self, ags: &Ags, id: &ReportId) -> StoreResult<Vec<PublicStatusChange>>;
    /// Public status changes of a municipality's reports in a time window, oldest first,
    /// with a stable id each (Open311 `servicerequestupdates`).
    async fn status_changes_between(
        &self,
        ags: &Ags,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<(i64, ReportId, PublicStatusChange)>>;
    /// Adds a message idempotently by its id (and a feed event for the device), queuing
    /// `jobs` with it (only when it is new).
    async fn add_message(
        &self,
        ags: &Ags,
        message: StaffMessage,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Inserted<StaffMessage>>;
    /// The thread of a report, oldest first.
    async fn list_messages(&self, ags: &Ags, id: &ReportId) -> StoreResult<Vec<StaffMessage>>;
    /// Adds an internal note idempotently by its id.
    async fn add_note(&self, ags: &Ags, note: InternalNote) -> StoreResult<Inserted<InternalNote>>;
    /// Internal notes of a report, oldest first.
    async fn list_notes(&self, ags: &Ags, id: &ReportId) -> StoreResult<Vec<InternalNote>>;
    /// Lets a device follow someone else's report; [`Followed::Already`] if it did already,
    /// `Conflict` for the device's own report, `NotFound` for an unknown one.
    /// At most `max_follows` reports per device ([`Followed::LimitReached`] beyond).
    async fn follow_report(
        &self,
        device: &DeviceId,
        report: &ReportId,
        at: DateTime<Utc>,
        max_follows: u32,
    ) -> StoreResult<Followed>;
    /// Stops following; `Ok(false)` if the device did not follow the report.
    async fn unfollow_report(&self, device: &DeviceId, report: &ReportId) -> StoreResult<bool>;
    /// The reports a device follows, the most recently followed first.
    async fn followed_reports(&self, device: &DeviceId) -> StoreResult<Vec<Report>>;
    /// One report the device follows.
    async fn get_followed_report(&self, device: &DeviceId, report: &ReportId) -> StoreResult<Report>;
    /// The device's feed after `since`, at most `limit` entries, oldest first: everything
    /// public about its own reports and the status changes of the reports it follows.
    async fn device_changes(&self, device: &DeviceId, since: i64, limit: u32) -> StoreResult<Vec<SyncChange>>;

    // --- outbox: mails and forwardings (see `outbox`) ---
    /// Queues jobs that belong to no other write (a digest); an existing `dedupe_key` is skipped.
    async fn enqueue_jobs(&self, jobs: Vec<NewJob>) -> StoreResult<()>;
    /// Claims up to `limit` pending jobs due at `now` whose lease (if any) ran out, oldest
    /// first, leasing them until `lease_until`. Several workers never claim the same job
    /// while its lease lasts.
    async fn claim_jobs(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Job>>;
    /// Records how an attempt at a claimed job ended and releases its lease.
    async fn finish_job(&self, id: i64, outcome: JobOutcome, now: DateTime<Utc>) -> StoreResult<()>;
    /// The mails and forwardings about a report, oldest first.
    async fn report_jobs(&self, ags: &Ags, report: &ReportId) -> StoreResult<Vec<Job>>;
    /// Mails delivered to an address since `since`: receipts (and new links), and all.
    async fn mails_to_since(
        &self,
        recipient: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<augenmerk_domain::mail::RecentMails>;
    /// Jobs waiting (`pending`) or given up (`failed`), per kind and state (the metrics).
    async fn job_counts(&self) -> StoreResult<Vec<(String, String, u64)>>;
    /// When a periodic job runs next (none: never scheduled).
    async fn next_run(&self, name: &str) -> StoreResult<Option<DateTime<Utc>>>;
    /// Sets when a periodic job runs next.
    async fn set_schedule(&self, name: &str, next_run: DateTime<Utc>) -> StoreResult<()>;

    // --- citizens' mail subscriptions ---
    /// The subscription of a report, if the citizen gave an address.
    async fn subscription(&self, report: &ReportId) -> StoreResult<Option<SubscriptionRecord>>;
    /// The subscription behind a status link (by its secret).
    async fn subscription_by_token(&self, token: &str) -> StoreResult<SubscriptionRecord>;
    /// Changes a subscription at `at` and queues `jobs` with it.
    async fn change_subscription(
        &self,
        report: &ReportId,
        change: SubscriptionChange,
        at: DateTime<Utc>,
        jobs: Vec<NewJob>,
    ) -> StoreResult<()>;

    // --- reports forwarded by Open311 ---
    /// Records what the authority answered to a forwarding, with the audit entry of it.
    async fn record_external(&self, request: ExternalRequest, audit: AuditEntry) -> StoreResult<()>;
    /// The forwarded reports of a municipality's authority that are still open there.
    async fn open_external_requests(&self, ags: &Ags, authority: &AuthorityId) -> StoreResult<Vec<ExternalRequest>>;
    /// Records the authority's latest status of a forwarded report.
    async fn update_external(
        &self,
        report: &ReportId,
        status: &str,
        at: DateTime<Utc>,
        polled_at: DateTime<Utc>,
    ) -> StoreResult<()>;
}

/// What [`RateCounter::take`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    /// Within the limit; counted.
    Allowed,
    /// Over the limit; not counted. A request is allowed again after this many µs.
    Refused {
        /// Microseconds until the next request is allowed.
        retry_after_micros: i64,
    },
}

/// Rate limits kept in the database, so that they hold across several instances (the
/// PostgreSQL backend; a single SQLite instance counts in memory).
#[async_trait]
pub trait RateCounter: Send + Sync + 'static {
    /// Takes one request of `key` at `now_micros` (µs since the epoch) from a bucket that
    /// refills one request per `interval_micros` and holds `burst` requests.
    async fn take(&self, key: &str, now_micros: i64, interval_micros: i64, burst: u32) -> StoreResult<RateDecision>;
}

/// One row of [`Store::department_workload`]: the department (none: not routed to one),
/// an open status, how many reports, and how many of them are overdue.
pub type WorkloadRow = (Option<String>, Status, u64, u64);

/// Statistics of a municipality's reports over a period (before names are attached).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportStats {
    /// Reports received in the period.
    pub total: u64,
    /// Per status, every status listed, in process order.
    pub by_status: Vec<(Status, u64)>,
    /// Per category id, largest first.
    pub by_category: Vec<(String, u64)>,
    /// Per department id (none: not routed to one), largest first.
    pub by_department: Vec<(Option<String>, u64)>,
    /// Per Gemeinde (AGS), largest first.
    pub by_gemeinde: Vec<(String, u64)>,
    /// Median seconds from arrival to the first public reaction (message or status).
    pub median_first_response_secs: Option<f64>,
    /// Median seconds from arrival to the first resolution or closing.
    pub median_resolution_secs: Option<f64>,
    /// Open reports past their due date now.
    pub overdue: u64,
}

/// Which reports a field worker may see: those of their department or assigned to them.
#[derive(Debug, Clone, PartialEq)]
pub struct Visibility {
    /// Their department.
    pub department: Option<DepartmentId>,
    /// Themselves.
    pub user: UserId,
}
