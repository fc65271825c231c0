//! The embedded SQLite backend of [`Store`]: one file, no server to run.
//!
//! Writes go to one writer thread that owns the only write connection and commits
//! whatever is queued as one group (see `writer`); reads use a small pool of read-only
//! connections on blocking threads (see `readers`). WAL mode keeps them out of each
//! other's way. Settings and migrations are in `schema`, value encoding in `codec`.
//!
//! SQL lives in one file per concern: `config` (boundaries, municipalities,
//! departments, areas, rules), `accounts` (staff, sessions, devices, blobs),
//! `reports` (reports, audit, messages, notes, feed), `inbox` (staff queries),
//! `directory` (administrations off the platform, mailed reports), `erasure` (erasing
//! personal data, withdrawals, the erasure log) and `housekeeping` (expiring devices,
//! mailed reports and photos, erasure tokens); `privacy` implements `PrivacyStore` with
//! them.
//!
//! Longer than 600 lines for one reason: the `Store` impl is one block (a trait impl
//! cannot be split), a short delegation per method to the module that holds its SQL.

mod accounts;
mod alerts;
pub mod backup;
mod checkpoint;
mod codec;
mod config;
mod directory;
mod duplicates;
mod erasure;
mod followers;
mod functions;
mod housekeeping;
mod inbox;
mod outbox;
mod photos;
mod privacy;
mod public_map;
mod readers;
mod reports;
mod schema;
mod second_factor;
mod sessions;
mod sso;
mod triage;
mod writer;

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::Transaction;

use augenmerk_domain::api::{AreaDefinition, DirectoryEntry, MunicipalitySettings, ReportQuery};
use augenmerk_domain::audit::AuditEntry;
use augenmerk_domain::public::{PublicStatusChange, SyncChange};
use augenmerk_domain::report::Report;
use augenmerk_domain::rules::Rule;
use augenmerk_domain::staff::{ApiKeyInfo, Department, InternalNote, Page, StaffMessage, StaffUser};
use augenmerk_domain::{
    Ags, ApiKeyId, AreaId, BlobHash, CategoryTree, DepartmentId, DeviceId, GeoPoint, ReportId, Status, UserId,
};

pub use accounts::PLATFORM_AGS;
pub use inbox::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use schema::{SCHEMA_VERSION, WRITE_PRAGMAS, apply_write_pragmas};
pub use writer::MAX_BATCH;

use crate::outbox::{ExternalRequest, Job, JobOutcome, NewJob, SubscriptionChange, SubscriptionRecord};
use crate::{
    BlobRecord, BoundaryRecord, Credentials, Followed, Inserted, MailedReport, MunicipalityRecord, ReportStats,
    ReportWrite, Store, StoreError, StoreResult, UploadUsage, Uploader, Visibility,
};

/// Read connections opened by [`SqliteStore::open`]: enough for a 2–4 core server, where
/// reads are short index lookups.
pub const READ_CONNECTIONS: usize = 4;

/// The SQLite store. Cheap to share behind an `Arc`; dropping it finishes queued writes
/// and stops the writer thread.
pub struct SqliteStore {
    path: PathBuf,
    writer: writer::Writer,
    readers: readers::Readers,
    // Declared after the writer so that it is dropped last and checkpoints what was written.
    checkpointer: checkpoint::Checkpointer,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the database at `path`, creating it if missing and migrating it to
    /// [`SCHEMA_VERSION`]; refuses a database written by a newer version.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let mut conn = schema::open_write_connection(path)?;
        let ran = schema::run_migrations(&mut conn)?;
        if ran > 0 {
            tracing::info!(path = %path.display(), migrations = ran, "database migrated");
        }
        functions::register(&conn)?;
        // Checkpoints run on their own thread (see `checkpoint`); the writer never stalls on one.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "cache_size", -16_000)?;
        // Every job of a group commit runs in a savepoint, whose undo pages SQLite spills
        // to a temporary file beyond 64 KiB unless temporary storage is in memory; a batch
        // holds at most a few megabytes of them.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Readers open after the migrations, so they never see an old schema.
        let readers = readers::Readers::open(path, READ_CONNECTIONS)?;
        let catch_up = checkpoint::CatchUp::default();
        let writer = writer::Writer::start(conn, catch_up.clone())?;
        let checkpointer = checkpoint::Checkpointer::start(path, catch_up, checkpoint::REWIND_FRAMES)?;
        Ok(Self {
            path: path.to_owned(),
            writer,
            readers,
            checkpointer,
        })
    }

    /// Migrates the database at `path` (creating it if missing) without opening a store,
    /// and returns how many migrations ran; for the CLI's `migrate` command.
    pub fn migrate(path: &Path) -> StoreResult<usize> {
        let mut conn = schema::open_write_connection(path)?;
        schema::run_migrations(&mut conn)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> StoreResult<T> + Send + 'static,
    {
        self.writer.write(work).await
    }

    async fn read<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> StoreResult<T> + Send + 'static,
    {
        self.readers.read(work).await
    }
}

// Each method clones its arguments into a closure that runs on the writer thread or a
// read connection; the SQL itself is in the concern modules.
#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?)).await
    }

    async fn upsert_boundaries(&self, boundaries: Vec<BoundaryRecord>) -> StoreResult<()> {
        self.write(move |tx| config::upsert_boundaries(tx, &boundaries)).await
    }

    async fn list_boundaries(&self) -> StoreResult<Vec<BoundaryRecord>> {
        self.read(config::list_boundaries).await
    }

    async fn create_municipality(&self, m: MunicipalityRecord) -> StoreResult<()> {
        self.write(move |tx| config::create_municipality(tx, &m)).await
    }

    async fn get_municipality(&self, ags: &Ags) -> StoreResult<MunicipalityRecord> {
        let ags = ags.clone();
        self.read(move |c| config::get_municipality(c, &ags)).await
    }

    async fn list_municipalities(&self) -> StoreResult<Vec<MunicipalityRecord>> {
        self.read(config::list_municipalities).await
    }

    async fn put_categories(&self, ags: &Ags, tree: CategoryTree) -> StoreResult<()> {
        let ags = ags.clone();
        self.write(move |tx| config::put_categories(tx, &ags, &tree)).await
    }

    async fn put_settings(&self, ags: &Ags, settings: MunicipalitySettings) -> StoreResult<()> {
        let ags = ags.clone();
        self.write(move |tx| config::put_settings(tx, &ags, &settings)).await
    }

    async fn list_departments(&self, ags: &Ags) -> StoreResult<Vec<Department>> {
        let ags = ags.clone();
        self.read(move |c| config::list_departments(c, &ags)).await
    }

    async fn put_department(&self, ags: &Ags, d: Department) -> StoreResult<()> {
        let ags = ags.clone();
        self.write(move |tx| config::put_department(tx, &ags, &d)).await
    }

    async fn delete_department(&self, ags: &Ags, id: &DepartmentId) -> StoreResult<()> {
        let (ags, id) = (ags.clone(), id.clone());
        self.write(move |tx| config::delete_department(tx, &ags, &id)).await
    }

    async fn list_areas(&self, ags: &Ags) -> StoreResult<Vec<AreaDefinition>> {
        let ags = ags.clone();
        self.read(move |c| config::list_areas(c, &ags)).await
    }

    async fn put_area(&self, ags: &Ags, area: AreaDefinition) -> StoreResult<()> {
        let ags = ags.clone();
        self.write(move |tx| config::put_area(tx, &ags, &area)).await
    }

    async fn delete_area(&self, ags: &Ags, id: &AreaId) -> StoreResult<()> {
        let (ags, id) = (ags.clone(), id.clone());
        self.write(move |tx| config::delete_area(tx, &ags, &id)).await
    }

    async fn get_rules(&self, ags: &Ags) -> StoreResult<Vec<Rule>> {
        let ags = ags.clone();
        self.read(move |c| config::get_rules(c, &ags)).await
    }

    async fn put_rules(&self, ags: &Ags, rules: Vec<Rule>) -> StoreResult<()> {
        let ags = ags.clone();
        self.write(move |tx| config::put_rules(tx, &ags, &rules)).await
    }

    async fn create_user(&self, user: StaffUser, password_hash: String) -> StoreResult<()> {
        self.write(move |tx| accounts::create_user(tx, &user, &password_hash))
            .await
    }

    async fn get_credentials(&self, ags: Option<&Ags>, username: &str) -> StoreResult<Credentials> {
        let (ags, username) = (ags.cloned(), username.to_owned());
        self.read(move |c| accounts::get_credentials(c, ags.as_ref(), &username))
            .await
    }

    async fn get_user(&self, ags: &Ags, id: &UserId) -> StoreResult<StaffUser> {
        let (ags, id) = (ags.clone(), *id);
        self.read(move |c| accounts::get_user(c, &ags, &id)).await
    }

    async fn list_users(&self, ags: &Ags) -> StoreResult<Vec<StaffUser>> {
        let ags = ags.clone();
        self.read(move |c| accounts::list_users(c, &ags)).await
    }

    async fn update_user(&self, user: StaffUser, password_hash: Option<String>) -> StoreResult<()> {
        self.write(move |tx| accounts::update_user(tx, &user, password_hash.as_deref()))
            .await
    }

    async fn create_session(&self, token_hash: String, user: UserId, expires_at: DateTime<Utc>) -> StoreResult<()> {
        self.write(move |tx| accounts::create_session(tx, &token_hash, &user, &expires_at))
            .await
    }

    async fn get_session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<StaffUser> {
        let token_hash = token_hash.to_owned();
        self.read(move |c| accounts::get_session(c, &token_hash, &now)).await
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        let token_hash = token_hash.to_owned();
        self.write(move |tx| accounts::delete_session(tx, &token_hash)).await
    }

    async fn create_device(
        &self,
        id: DeviceId,
        token_hash: String,
        platform: Option<String>,
        app_version: Option<String>,
    ) -> StoreResult<()> {
        self.write(move |tx| accounts::create_device(tx, &id, &token_hash, platform.as_deref(), app_version.as_deref()))
            .await
    }

    async fn get_device(&self, token_hash: &str) -> StoreResult<DeviceId> {
        let token_hash = token_hash.to_owned();
        self.read(move |c| accounts::get_device(c, &token_hash)).await
    }

    async fn statistics(
        &self,
        ags: &Ags,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        visible_to: Option<&Visibility>,
        now: DateTime<Utc>,
    ) -> StoreResult<ReportStats> {
        let (ags, visible_to) = (ags.clone(), visible_to.cloned());
        self.read(move |c| inbox::statistics(c, &ags, &from, &to, visible_to.as_ref(), &now))
            .await
    }

    async fn status_changes_between(
        &self,
        ags: &Ags,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<(i64, ReportId, PublicStatusChange)>> {
        let ags = ags.clone();
        self.read(move |c| reports::status_changes_between(c, &ags, &from, &to, limit))
            .await
    }

    async fn create_api_key(&self, key: ApiKeyInfo, key_hash: String) -> StoreResult<()> {
        self.write(move |tx| accounts::create_api_key(tx, &key, &key_hash))
            .await
    }

    async fn get_api_key(&self, key_hash: &str) -> StoreResult<ApiKeyInfo> {
        let key_hash = key_hash.to_owned();
        self.read(move |c| accounts::get_api_key(c, &key_hash)).await
    }

    async fn list_api_keys(&self, ags: &Ags) -> StoreResult<Vec<ApiKeyInfo>> {
        let ags = ags.clone();
        self.read(move |c| accounts::list_api_keys(c, &ags)).await
    }

    async fn revoke_api_key(&self, ags: &Ags, id: &ApiKeyId, at: DateTime<Utc>) -> StoreResult<()> {
        let (ags, id) = (ags.clone(), *id);
        self.write(move |tx| accounts::revoke_api_key(tx, &ags, &id, &at)).await
    }

    async fn set_api_key_hosts(&self, ags: &Ags, id: &ApiKeyId, hosts: Vec<String>) -> StoreResult<ApiKeyInfo> {
        let (ags, id) = (ags.clone(), *id);
        self.write(move |tx| accounts::set_api_key_hosts(tx, &ags, &id, &hosts))
            .await
    }

    async fn put_blob(&self, blob: BlobRecord) -> StoreResult<()> {
        self.write(move |tx| accounts::put_blob(tx, &blob)).await
    }

    async fn get_blob(&self, hash: &BlobHash) -> StoreResult<BlobRecord> {
        let hash = hash.clone();
        self.read(move |c| accounts::get_blob(c, &hash)).await
    }

    async fn missing_blobs(&self, hashes: &[BlobHash]) -> StoreResult<Vec<BlobHash>> {
        let hashes = hashes.to_vec();
        self.read(move |c| accounts::missing_blobs(c, &hashes)).await
    }

    async fn record_upload(
        &self,
        hash: &BlobHash,
        uploader: &Uploader,
        size: u64,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (hash, uploader) = (hash.clone(), uploader.clone());
        self.write(move |tx| photos::record_upload(tx, &hash, &uploader, size, &at))
            .await
    }

    async fn blob_visible_to(
        &self,
        hash: &BlobHash,
        device: Option<&DeviceId>,
        ags: Option<&Ags>,
    ) -> StoreResult<bool> {
        let (hash, device, ags) = (hash.clone(), device.copied(), ags.cloned());
        self.read(move |c| photos::blob_visible_to(c, &hash, device.as_ref(), ags.as_ref()))
            .await
    }

    async fn unattachable_blobs(
        &self,
        hashes: &[BlobHash],
        device: Option<&DeviceId>,
        ags: Option<&Ags>,
    ) -> StoreResult<Vec<BlobHash>> {
        let (hashes, device, ags) = (hashes.to_vec(), device.copied(), ags.cloned());
        self.read(move |c| photos::unattachable_blobs(c, &hashes, device.as_ref(), ags.as_ref()))
            .await
    }

    async fn device_uploads_since(&self, device: &DeviceId, since: DateTime<Utc>) -> StoreResult<UploadUsage> {
        let device = *device;
        self.read(move |c| photos::device_uploads_since(c, &device, &since))
            .await
    }

    async fn insert_report(&self, write: ReportWrite) -> StoreResult<Inserted<Report>> {
        self.write(move |tx| reports::insert_report(tx, &write)).await
    }

    async fn get_report(&self, ags: &Ags, id: &ReportId) -> StoreResult<Report> {
        let (ags, id) = (ags.clone(), *id);
        self.read(move |c| reports::get_report(c, &ags, &id)).await
    }

    async fn get_device_report(&self, device: &DeviceId, id: &ReportId) -> StoreResult<Report> {
        let (device, id) = (*device, *id);
        self.read(move |c| reports::get_device_report(c, &device, &id)).await
    }

    async fn device_reports(&self, device: &DeviceId) -> StoreResult<Vec<Report>> {
        let device = *device;
        self.read(move |c| reports::device_reports(c, &device)).await
    }

    async fn get_report_any(&self, id: &ReportId) -> StoreResult<Report> {
        let id = *id;
        self.read(move |c| reports::get_report_any(c, &id)).await
    }

    async fn update_report(&self, write: ReportWrite, expected_updated_at: DateTime<Utc>) -> StoreResult<()> {
        self.write(move |tx| reports::update_report(tx, &write, &expected_updated_at))
            .await
    }

    async fn query_reports(
        &self,
        ags: &Ags,
        query: &ReportQuery,
        visible_to: Option<&Visibility>,
        now: DateTime<Utc>,
    ) -> StoreResult<Page<Report>> {
        let (ags, query, visible_to) = (ags.clone(), query.clone(), visible_to.cloned());
        self.read(move |c| inbox::query_reports(c, &ags, &query, visible_to.as_ref(), &now))
            .await
    }

    async fn count_by_status(&self, ags: &Ags, visible_to: Option<&Visibility>) -> StoreResult<Vec<(Status, u64)>> {
        let (ags, visible_to) = (ags.clone(), visible_to.cloned());
        self.read(move |c| inbox::count_by_status(c, &ags, visible_to.as_ref()))
            .await
    }

    async fn department_workload(
        &self,
        ags: &Ags,
        visible_to: Option<&Visibility>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<crate::WorkloadRow>> {
        let (ags, visible_to) = (ags.clone(), visible_to.cloned());
        self.read(move |c| inbox::department_workload(c, &ags, visible_to.as_ref(), &now))
            .await
    }

    async fn tenant_figures(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(Ags, augenmerk_domain::overview::TenantFigures)>> {
        self.read(move |c| inbox::tenant_figures(c, &since, &now)).await
    }

    async fn categories_in_use(&self, ags: &Ags) -> StoreResult<Vec<(augenmerk_domain::CategoryId, u64)>> {
        let ags = ags.clone();
        self.read(move |c| inbox::categories_in_use(c, &ags)).await
    }

    async fn nearby_reports(
        &self,
        ags: &Ags,
        center: GeoPoint,
        radius_m: f64,
        limit: u32,
        visible_to: Option<&Visibility>,
    ) -> StoreResult<Vec<Report>> {
        let (ags, visible_to) = (ags.clone(), visible_to.cloned());
        self.read(move |c| inbox::nearby_reports(c, &ags, center, radius_m, limit, visible_to.as_ref()))
            .await
    }

    async fn list_audit(&self, ags: &Ags, id: &ReportId) -> StoreResult<Vec<AuditEntry>> {
        let (ags, id) = (ags.clone(), *id);
        self.read(move |c| reports::list_audit(c, &ags, &id)).await
    }

    async fn list_status_changes(&self, ags: &Ags, id: &ReportId) -> StoreResult<Vec<PublicStatusChange>> {
        let (ags, id) = (ags.clone(), *id);
        self.read(move |c| reports::list_status_changes(c, &ags, &id)).await
    }

    async fn add_message(
        &self,
        ags: &Ags,
        message: StaffMessage,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Inserted<StaffMessage>> {
        let ags = ags.clone();
        self.write(move |tx| reports::add_message(tx, &ags, &message, &jobs))
            .await
    }

    async fn list_messages(&self, ags: &Ags, id: &ReportId) -> StoreResult<Vec<StaffMessage>> {
        let (ags, id) = (ags.clone(), *id);
        self.read(move |c| reports::list_messages(c, &ags, &id)).await
    }

    async fn add_note(&self, ags: &Ags, note: InternalNote) -> StoreResult<Inserted<InternalNote>> {
        let ags = ags.clone();
        self.write(move |tx| reports::add_note(tx, &ags, &note)).await
    }

    async fn list_notes(&self, ags: &Ags, id: &ReportId) -> StoreResult<Vec<InternalNote>> {
        let (ags, id) = (ags.clone(), *id);
        self.read(move |c| reports::list_notes(c, &ags, &id)).await
    }

    async fn follow_report(
        &self,
        device: &DeviceId,
        report: &ReportId,
        at: DateTime<Utc>,
        max_follows: u32,
    ) -> StoreResult<Followed> {
        let (device, report) = (*device, *report);
        self.write(move |tx| followers::follow(tx, &device, &report, &at, max_follows))
            .await
    }

    async fn unfollow_report(&self, device: &DeviceId, report: &ReportId) -> StoreResult<bool> {
        let (device, report) = (*device, *report);
        self.write(move |tx| followers::unfollow(tx, &device, &report)).await
    }

    async fn followed_reports(&self, device: &DeviceId) -> StoreResult<Vec<Report>> {
        let device = *device;
        self.read(move |c| followers::followed_reports(c, &device)).await
    }

    async fn get_followed_report(&self, device: &DeviceId, report: &ReportId) -> StoreResult<Report> {
        let (device, report) = (*device, *report);
        self.read(move |c| followers::get_followed_report(c, &device, &report))
            .await
    }

    async fn device_changes(&self, device: &DeviceId, since: i64, limit: u32) -> StoreResult<Vec<SyncChange>> {
        let device = *device;
        self.read(move |c| reports::device_changes(c, &device, since, limit))
            .await
    }

    async fn enqueue_jobs(&self, jobs: Vec<NewJob>) -> StoreResult<()> {
        let now = Utc::now();
        self.write(move |tx| outbox::insert_jobs(tx, &jobs, &now)).await
    }

    async fn claim_jobs(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Job>> {
        self.write(move |tx| outbox::claim_jobs(tx, &now, &lease_until, limit))
            .await
    }

    async fn finish_job(&self, id: i64, outcome: JobOutcome, now: DateTime<Utc>) -> StoreResult<()> {
        self.write(move |tx| outbox::finish_job(tx, id, &outcome, &now)).await
    }

    async fn report_jobs(&self, ags: &Ags, report: &ReportId) -> StoreResult<Vec<Job>> {
        let (ags, report) = (ags.clone(), *report);
        self.read(move |c| outbox::report_jobs(c, &ags, &report)).await
    }

    async fn mails_to_since(
        &self,
        recipient: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<augenmerk_domain::mail::RecentMails> {
        let recipient = recipient.to_owned();
        self.read(move |c| outbox::mails_to_since(c, &recipient, &since)).await
    }

    async fn job_counts(&self) -> StoreResult<Vec<(String, String, u64)>> {
        self.read(outbox::job_counts).await
    }

    async fn next_run(&self, name: &str) -> StoreResult<Option<DateTime<Utc>>> {
        let name = name.to_owned();
        self.read(move |c| outbox::next_run(c, &name)).await
    }

    async fn set_schedule(&self, name: &str, next_run: DateTime<Utc>) -> StoreResult<()> {
        let name = name.to_owned();
        self.write(move |tx| outbox::set_schedule(tx, &name, &next_run)).await
    }

    async fn subscription(&self, report: &ReportId) -> StoreResult<Option<SubscriptionRecord>> {
        let report = *report;
        self.read(move |c| outbox::subscription(c, &report)).await
    }

    async fn subscription_by_token(&self, token: &str) -> StoreResult<SubscriptionRecord> {
        let token = token.to_owned();
        self.read(move |c| outbox::subscription_by_token(c, &token)).await
    }

    async fn change_subscription(
        &self,
        report: &ReportId,
        change: SubscriptionChange,
        at: DateTime<Utc>,
        jobs: Vec<NewJob>,
    ) -> StoreResult<()> {
        let report = *report;
        self.write(move |tx| {
            outbox::change_subscription(tx, &report, &change, &at)?;
            outbox::insert_jobs(tx, &jobs, &at)
        })
        .await
    }

    async fn record_external(&self, request: ExternalRequest, audit: AuditEntry) -> StoreResult<()> {
        self.write(move |tx| outbox::record_external(tx, &request, &audit))
            .await
    }

    async fn open_external_requests(
        &self,
        ags: &Ags,
        authority: &augenmerk_domain::AuthorityId,
    ) -> StoreResult<Vec<ExternalRequest>> {
        let (ags, authority) = (ags.clone(), authority.clone());
        self.read(move |c| outbox::open_external_requests(c, &ags, &authority))
            .await
    }

    async fn update_external(
        &self,
        report: &ReportId,
        status: &str,
        at: DateTime<Utc>,
        polled_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (report, status) = (*report, status.to_owned());
        self.write(move |tx| outbox::update_external(tx, &report, &status, &at, &polled_at))
            .await
    }

    async fn list_directory(&self) -> StoreResult<Vec<DirectoryEntry>> {
        self.read(directory::list).await
    }

    async fn get_directory(&self, key: &Ags) -> StoreResult<DirectoryEntry> {
        let key = key.clone();
        self.read(move |c| directory::get(c, &key)).await
    }

    async fn put_directory(&self, entries: Vec<DirectoryEntry>, now: DateTime<Utc>) -> StoreResult<()> {
        self.write(move |tx| directory::put(tx, &entries, &now)).await
    }

    async fn delete_directory(&self, key: &Ags) -> StoreResult<()> {
        let key = key.clone();
        self.write(move |tx| directory::delete(tx, &key)).await
    }

    async fn insert_mailed(&self, mailed: MailedReport, jobs: Vec<NewJob>) -> StoreResult<Inserted<MailedReport>> {
        self.write(move |tx| directory::insert_mailed(tx, &mailed, &jobs)).await
    }

    async fn mailed_reports(&self, administration: &Ags) -> StoreResult<Vec<MailedReport>> {
        let key = administration.clone();
        self.read(move |c| directory::mailed_to(c, &key)).await
    }

    async fn mailed_counts(&self) -> StoreResult<Vec<(Ags, u32)>> {
        self.read(directory::mailed_counts).await
    }

    async fn device_mailed(&self, device: &DeviceId) -> StoreResult<Vec<MailedReport>> {
        let device = *device;
        self.read(move |c| directory::device_mailed(c, &device)).await
    }

    async fn get_device_mailed(&self, device: &DeviceId, id: &ReportId) -> StoreResult<MailedReport> {
        let (device, id) = (*device, *id);
        self.read(move |c| {
            directory::get_mailed(c, &id)?
                .filter(|m| m.report.device_id == Some(device))
                .ok_or(StoreError::NotFound)
        })
        .await
    }

    async fn take_mailed(&self, write: ReportWrite, now: DateTime<Utc>) -> StoreResult<Inserted<Report>> {
        self.write(move |tx| directory::take_mailed(tx, &write, &now)).await
    }
}
