//! The PostgreSQL backend of [`Store`]: for several server instances sharing one
//! database (issue 18); SQLite stays the embedded default.
//!
//! Selected by `database_url = "postgres://…"`. A pool of connections (deadpool) serves
//! every call; a write is one transaction (READ COMMITTED), and the SQL of each write is
//! written so that concurrent instances cannot break it: inserts are idempotent with
//! `ON CONFLICT`, updates check what they expect in their `WHERE` (the optimistic
//! `updated_at`, a lease), rows that a decision reads and then changes are locked with
//! `FOR UPDATE`, and jobs are claimed with `FOR UPDATE SKIP LOCKED`.
//!
//! The tables, columns and value encodings are SQLite's (see `migrations/`), so both
//! backends answer every call alike and `migrate-store` copies rows as they are. SQL
//! lives in one file per concern, named as in `sqlite/`: `config`, `accounts`, `photos`,
//! `reports`, `followers`, `inbox`, `directory`, `outbox`, `erasure`, `housekeeping`;
//! `privacy` implements `PrivacyStore` with them.
//!
//! Longer than 600 lines for one reason: the `Store` impl is one block (a trait impl
//! cannot be split), a short delegation per method to the module that holds its SQL.

/// Runs `$body` (an expression using `$tx`, a `&deadpool_postgres::Transaction`) in a
/// transaction of a pooled connection and commits it when it succeeds; an error rolls
/// it back (the transaction is dropped).
macro_rules! in_tx {
    ($self:ident, |$tx:ident| $body:expr) => {{
        let mut client = $self.client().await?;
        let transaction = client.transaction().await?;
        let $tx = &transaction;
        let out = $body.await?;
        transaction.commit().await?;
        Ok(out)
    }};
}

/// Runs `$body` (an expression using `$c`, a pooled `&deadpool_postgres::Client`) on a
/// pooled connection, outside any explicit transaction.
macro_rules! on_conn {
    ($self:ident, |$c:ident| $body:expr) => {{
        let client = $self.client().await?;
        let $c = &client;
        $body.await
    }};
}

mod accounts;
mod alerts;
mod codec;
mod config;
mod directory;
mod duplicates;
mod erasure;
mod followers;
mod housekeeping;
mod inbox;
mod limits;
mod outbox;
mod photos;
mod privacy;
mod public_map;
mod reports;
mod schema;
mod second_factor;
mod sessions;
mod sso;
mod triage;

use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use augenmerk_domain::api::{AreaDefinition, DirectoryEntry, MunicipalitySettings, ReportQuery};
use augenmerk_domain::audit::AuditEntry;
use augenmerk_domain::public::{PublicStatusChange, SyncChange};
use augenmerk_domain::report::Report;
use augenmerk_domain::rules::Rule;
use augenmerk_domain::staff::{ApiKeyInfo, Department, InternalNote, Page, StaffMessage, StaffUser};
use augenmerk_domain::{
    Ags, ApiKeyId, AreaId, BlobHash, CategoryTree, DepartmentId, DeviceId, GeoPoint, ReportId, Status, UserId,
};

pub use schema::SCHEMA_VERSION;

use crate::outbox::{ExternalRequest, Job, JobOutcome, NewJob, SubscriptionChange, SubscriptionRecord};
use crate::{
    BlobRecord, BoundaryRecord, Credentials, Followed, Inserted, MailedReport, MunicipalityRecord, ReportStats,
    ReportWrite, Store, StoreError, StoreResult, UploadUsage, Uploader, Visibility,
};

/// Connections per instance unless configured: enough for a few hundred requests per
/// second of short statements, and 8 instances stay within PostgreSQL's default of 100.
pub const DEFAULT_CONNECTIONS: usize = 12;

/// The PostgreSQL store. Cheap to share behind an `Arc`.
pub struct PgStore {
    pool: Pool,
    /// When this instance last swept expired rate-limit rows (µs since the epoch).
    last_sweep: std::sync::atomic::AtomicI64,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`),
    /// migrating it to [`SCHEMA_VERSION`] first; refuses a database of a newer version.
    pub async fn connect(url: &str, connections: usize) -> StoreResult<Self> {
        let ran = Self::migrate(url).await?;
        if ran > 0 {
            tracing::info!(migrations = ran, "PostgreSQL database migrated");
        }
        let mut config = parse_url(url)?;
        // No JIT: the store's statements are short, and at 1,000,000 reports JIT
        // compiling the inbox's count cost 140–180 ms per call for nothing
        // (benches/scale). Set per connection, so the database's own setting is untouched.
        config.options("-c jit=off");
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                // A connection that a failed statement left in a bad state is dropped by
                // the pool (`is_closed`), so the fast check is enough.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(connections.max(1))
            .build()
            .map_err(|e| StoreError::Database(format!("cannot build the connection pool: {e}")))?;
        let store = Self {
            pool,
            last_sweep: std::sync::atomic::AtomicI64::new(0),
        };
        // Fail at start, not at the first request, when the database is unreachable.
        drop(store.client().await?);
        Ok(store)
    }

    /// Migrates the database at `url` on a connection of its own, closed before this
    /// returns (a migrated template database must have no open connection to be copied);
    /// returns how many migrations ran.
    pub async fn migrate(url: &str) -> StoreResult<usize> {
        let config = parse_url(url)?;
        let (mut client, connection) = config.connect(NoTls).await?;
        let driver = tokio::spawn(connection);
        let ran = schema::run_migrations(&mut client).await;
        drop(client);
        // The connection task ends once the client is gone and the server has closed.
        let _ = driver.await;
        ran
    }

    /// A pooled connection.
    async fn client(&self) -> StoreResult<deadpool_postgres::Object> {
        Ok(self.pool.get().await?)
    }
}

fn parse_url(url: &str) -> StoreResult<tokio_postgres::Config> {
    tokio_postgres::Config::from_str(url).map_err(|e| StoreError::Database(format!("invalid database URL: {e}")))
}

// Each method takes a pooled connection and calls the module that holds its SQL.
#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        self.client().await?.simple_query("SELECT 1").await?;
        Ok(())
    }

    async fn upsert_boundaries(&self, boundaries: Vec<BoundaryRecord>) -> StoreResult<()> {
        in_tx!(self, |tx| config::upsert_boundaries(tx, &boundaries))
    }

    async fn list_boundaries(&self) -> StoreResult<Vec<BoundaryRecord>> {
        on_conn!(self, |c| config::list_boundaries(c))
    }

    async fn create_municipality(&self, m: MunicipalityRecord) -> StoreResult<()> {
        in_tx!(self, |tx| config::create_municipality(tx, &m))
    }

    async fn get_municipality(&self, ags: &Ags) -> StoreResult<MunicipalityRecord> {
        on_conn!(self, |c| config::get_municipality(c, ags))
    }

    async fn list_municipalities(&self) -> StoreResult<Vec<MunicipalityRecord>> {
        on_conn!(self, |c| config::list_municipalities(c))
    }

    async fn put_categories(&self, ags: &Ags, tree: CategoryTree) -> StoreResult<()> {
        in_tx!(self, |tx| config::put_categories(tx, ags, &tree))
    }

    async fn put_settings(&self, ags: &Ags, settings: MunicipalitySettings) -> StoreResult<()> {
        in_tx!(self, |tx| config::put_settings(tx, ags, &settings))
    }

    async fn list_departments(&self, ags: &Ags) -> StoreResult<Vec<Department>> {
        on_conn!(self, |c| config::list_departments(c, ags))
    }

    async fn put_department(&self, ags: &Ags, d: Department) -> StoreResult<()> {
        in_tx!(self, |tx| config::put_department(tx, ags, &d))
    }

    async fn delete_department(&self, ags: &Ags, id: &DepartmentId) -> StoreResult<()> {
        in_tx!(self, |tx| config::delete_department(tx, ags, id))
    }

    async fn list_areas(&self, ags: &Ags) -> StoreResult<Vec<AreaDefinition>> {
        on_conn!(self, |c| config::list_areas(c, ags))
    }

    async fn put_area(&self, ags: &Ags, area: AreaDefinition) -> StoreResult<()> {
        in_tx!(self, |tx| config::put_area(tx, ags, &area))
    }

    async fn delete_area(&self, ags: &Ags, id: &AreaId) -> StoreResult<()> {
        in_tx!(self, |tx| config::delete_area(tx, ags, id))
    }

    async fn get_rules(&self, ags: &Ags) -> StoreResult<Vec<Rule>> {
        on_conn!(self, |c| config::get_rules(c, ags))
    }

    async fn put_rules(&self, ags: &Ags, rules: Vec<Rule>) -> StoreResult<()> {
        in_tx!(self, |tx| config::put_rules(tx, ags, &rules))
    }

    async fn create_user(&self, user: StaffUser, password_hash: String) -> StoreResult<()> {
        in_tx!(self, |tx| accounts::create_user(tx, &user, &password_hash))
    }

    async fn get_credentials(&self, ags: Option<&Ags>, username: &str) -> StoreResult<Credentials> {
        on_conn!(self, |c| accounts::get_credentials(c, ags, username))
    }

    async fn get_user(&self, ags: &Ags, id: &UserId) -> StoreResult<StaffUser> {
        on_conn!(self, |c| accounts::get_user(c, ags, id))
    }

    async fn list_users(&self, ags: &Ags) -> StoreResult<Vec<StaffUser>> {
        on_conn!(self, |c| accounts::list_users(c, ags))
    }

    async fn update_user(&self, user: StaffUser, password_hash: Option<String>) -> StoreResult<()> {
        in_tx!(self, |tx| accounts::update_user(tx, &user, password_hash.as_deref()))
    }

    async fn create_session(&self, token_hash: String, user: UserId, expires_at: DateTime<Utc>) -> StoreResult<()> {
        in_tx!(self, |tx| accounts::create_session(tx, &token_hash, &user, &expires_at))
    }

    async fn get_session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<StaffUser> {
        on_conn!(self, |c| accounts::get_session(c, token_hash, &now))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        in_tx!(self, |tx| accounts::delete_session(tx, token_hash))
    }

    async fn create_device(
        &self,
        id: DeviceId,
        token_hash: String,
        platform: Option<String>,
        app_version: Option<String>,
    ) -> StoreResult<()> {
        in_tx!(self, |tx| accounts::create_device(
            tx,
            &id,
            &token_hash,
            platform.as_deref(),
            app_version.as_deref()
        ))
    }

    async fn get_device(&self, token_hash: &str) -> StoreResult<DeviceId> {
        on_conn!(self, |c| accounts::get_device(c, token_hash))
    }

    async fn statistics(
        &self,
        ags: &Ags,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        visible_to: Option<&Visibility>,
        now: DateTime<Utc>,
    ) -> StoreResult<ReportStats> {
        on_conn!(self, |c| inbox::statistics(c, ags, &from, &to, visible_to, &now))
    }

    async fn status_changes_between(
        &self,
        ags: &Ags,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<(i64, ReportId, PublicStatusChange)>> {
        on_conn!(self, |c| reports::status_changes_between(c, ags, &from, &to, limit))
    }

    async fn create_api_key(&self, key: ApiKeyInfo, key_hash: String) -> StoreResult<()> {
        in_tx!(self, |tx| accounts::create_api_key(tx, &key, &key_hash))
    }

    async fn get_api_key(&self, key_hash: &str) -> StoreResult<ApiKeyInfo> {
        on_conn!(self, |c| accounts::get_api_key(c, key_hash))
    }

    async fn list_api_keys(&self, ags: &Ags) -> StoreResult<Vec<ApiKeyInfo>> {
        on_conn!(self, |c| accounts::list_api_keys(c, ags))
    }

    async fn revoke_api_key(&self, ags: &Ags, id: &ApiKeyId, at: DateTime<Utc>) -> StoreResult<()> {
        in_tx!(self, |tx| accounts::revoke_api_key(tx, ags, id, &at))
    }

    async fn set_api_key_hosts(&self, ags: &Ags, id: &ApiKeyId, hosts: Vec<String>) -> StoreResult<ApiKeyInfo> {
        in_tx!(self, |tx| accounts::set_api_key_hosts(tx, ags, id, &hosts))
    }

    async fn put_blob(&self, blob: BlobRecord) -> StoreResult<()> {
        in_tx!(self, |tx| accounts::put_blob(tx, &blob))
    }

    async fn get_blob(&self, hash: &BlobHash) -> StoreResult<BlobRecord> {
        on_conn!(self, |c| accounts::get_blob(c, hash))
    }

    async fn missing_blobs(&self, hashes: &[BlobHash]) -> StoreResult<Vec<BlobHash>> {
        on_conn!(self, |c| accounts::missing_blobs(c, hashes))
    }

    async fn record_upload(
        &self,
        hash: &BlobHash,
        uploader: &Uploader,
        size: u64,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        in_tx!(self, |tx| photos::record_upload(tx, hash, uploader, size, &at))
    }

    async fn blob_visible_to(
        &self,
        hash: &BlobHash,
        device: Option<&DeviceId>,
        ags: Option<&Ags>,
    ) -> StoreResult<bool> {
        on_conn!(self, |c| photos::blob_visible_to(c, hash, device, ags))
    }

    async fn unattachable_blobs(
        &self,
        hashes: &[BlobHash],
        device: Option<&DeviceId>,
        ags: Option<&Ags>,
    ) -> StoreResult<Vec<BlobHash>> {
        on_conn!(self, |c| photos::unattachable_blobs(c, hashes, device, ags))
    }

    async fn device_uploads_since(&self, device: &DeviceId, since: DateTime<Utc>) -> StoreResult<UploadUsage> {
        on_conn!(self, |c| photos::device_uploads_since(c, device, &since))
    }

    async fn insert_report(&self, write: ReportWrite) -> StoreResult<Inserted<Report>> {
        in_tx!(self, |tx| reports::insert_report(tx, &write))
    }

    async fn get_report(&self, ags: &Ags, id: &ReportId) -> StoreResult<Report> {
        on_conn!(self, |c| reports::get_report(c, ags, id))
    }

    async fn get_device_report(&self, device: &DeviceId, id: &ReportId) -> StoreResult<Report> {
        on_conn!(self, |c| reports::get_device_report(c, device, id))
    }

    async fn device_reports(&self, device: &DeviceId) -> StoreResult<Vec<Report>> {
        on_conn!(self, |c| reports::device_reports(c, device))
    }

    async fn get_report_any(&self, id: &ReportId) -> StoreResult<Report> {
        on_conn!(self, |c| reports::get_report_any(c, id))
    }

    async fn update_report(&self, write: ReportWrite, expected_updated_at: DateTime<Utc>) -> StoreResult<()> {
        in_tx!(self, |tx| reports::update_report(tx, &write, &expected_updated_at))
    }

    async fn query_reports(
        &self,
        ags: &Ags,
        query: &ReportQuery,
        visible_to: Option<&Visibility>,
        now: DateTime<Utc>,
    ) -> StoreResult<Page<Report>> {
        on_conn!(self, |c| inbox::query_reports(c, ags, query, visible_to, &now))
    }

    async fn count_by_status(&self, ags: &Ags, visible_to: Option<&Visibility>) -> StoreResult<Vec<(Status, u64)>> {
        on_conn!(self, |c| inbox::count_by_status(c, ags, visible_to))
    }

    async fn department_workload(
        &self,
        ags: &Ags,
        visible_to: Option<&Visibility>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<crate::WorkloadRow>> {
        on_conn!(self, |c| inbox::department_workload(c, ags, visible_to, &now))
    }

    async fn tenant_figures(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(Ags, augenmerk_domain::overview::TenantFigures)>> {
        on_conn!(self, |c| inbox::tenant_figures(c, &since, &now))
    }

    async fn categories_in_use(&self, ags: &Ags) -> StoreResult<Vec<(augenmerk_domain::CategoryId, u64)>> {
        on_conn!(self, |c| inbox::categories_in_use(c, ags))
    }

    async fn nearby_reports(
        &self,
        ags: &Ags,
        center: GeoPoint,
        radius_m: f64,
        limit: u32,
        visible_to: Option<&Visibility>,
    ) -> StoreResult<Vec<Report>> {
        on_conn!(self, |c| inbox::nearby_reports(
            c, ags, center, radius_m, limit, visible_to
        ))
    }

    async fn list_audit(&self, ags: &Ags, id: &ReportId) -> StoreResult<Vec<AuditEntry>> {
        on_conn!(self, |c| reports::list_audit(c, ags, id))
    }

    async fn list_status_changes(&self, ags: &Ags, id: &ReportId) -> StoreResult<Vec<PublicStatusChange>> {
        on_conn!(self, |c| reports::list_status_changes(c, ags, id))
    }

    async fn add_message(
        &self,
        ags: &Ags,
        message: StaffMessage,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Inserted<StaffMessage>> {
        in_tx!(self, |tx| reports::add_message(tx, ags, &message, &jobs))
    }

    async fn list_messages(&self, ags: &Ags, id: &ReportId) -> StoreResult<Vec<StaffMessage>> {
        on_conn!(self, |c| reports::list_messages(c, ags, id))
    }

    async fn add_note(&self, ags: &Ags, note: InternalNote) -> StoreResult<Inserted<InternalNote>> {
        in_tx!(self, |tx| reports::add_note(tx, ags, &note))
    }

    async fn list_notes(&self, ags: &Ags, id: &ReportId) -> StoreResult<Vec<InternalNote>> {
        on_conn!(self, |c| reports::list_notes(c, ags, id))
    }

    async fn follow_report(
        &self,
        device: &DeviceId,
        report: &ReportId,
        at: DateTime<Utc>,
        max_follows: u32,
    ) -> StoreResult<Followed> {
        in_tx!(self, |tx| followers::follow(tx, device, report, &at, max_follows))
    }

    async fn unfollow_report(&self, device: &DeviceId, report: &ReportId) -> StoreResult<bool> {
        in_tx!(self, |tx| followers::unfollow(tx, device, report))
    }

    async fn followed_reports(&self, device: &DeviceId) -> StoreResult<Vec<Report>> {
        on_conn!(self, |c| followers::followed_reports(c, device))
    }

    async fn get_followed_report(&self, device: &DeviceId, report: &ReportId) -> StoreResult<Report> {
        on_conn!(self, |c| followers::get_followed_report(c, device, report))
    }

    async fn device_changes(&self, device: &DeviceId, since: i64, limit: u32) -> StoreResult<Vec<SyncChange>> {
        on_conn!(self, |c| reports::device_changes(c, device, since, limit))
    }

    async fn enqueue_jobs(&self, jobs: Vec<NewJob>) -> StoreResult<()> {
        let now = Utc::now();
        in_tx!(self, |tx| outbox::insert_jobs(tx, &jobs, &now))
    }

    async fn claim_jobs(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Job>> {
        in_tx!(self, |tx| outbox::claim_jobs(tx, &now, &lease_until, limit))
    }

    async fn finish_job(&self, id: i64, outcome: JobOutcome, now: DateTime<Utc>) -> StoreResult<()> {
        in_tx!(self, |tx| outbox::finish_job(tx, id, &outcome, &now))
    }

    async fn report_jobs(&self, ags: &Ags, report: &ReportId) -> StoreResult<Vec<Job>> {
        on_conn!(self, |c| outbox::report_jobs(c, ags, report))
    }

    async fn mails_to_since(
        &self,
        recipient: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<augenmerk_domain::mail::RecentMails> {
        on_conn!(self, |c| outbox::mails_to_since(c, recipient, &since))
    }

    async fn job_counts(&self) -> StoreResult<Vec<(String, String, u64)>> {
        on_conn!(self, |c| outbox::job_counts(c))
    }

    async fn next_run(&self, name: &str) -> StoreResult<Option<DateTime<Utc>>> {
        on_conn!(self, |c| outbox::next_run(c, name))
    }

    async fn set_schedule(&self, name: &str, next_run: DateTime<Utc>) -> StoreResult<()> {
        in_tx!(self, |tx| outbox::set_schedule(tx, name, &next_run))
    }

    async fn subscription(&self, report: &ReportId) -> StoreResult<Option<SubscriptionRecord>> {
        on_conn!(self, |c| outbox::subscription(c, report))
    }

    async fn subscription_by_token(&self, token: &str) -> StoreResult<SubscriptionRecord> {
        on_conn!(self, |c| outbox::subscription_by_token(c, token))
    }

    async fn change_subscription(
        &self,
        report: &ReportId,
        change: SubscriptionChange,
        at: DateTime<Utc>,
        jobs: Vec<NewJob>,
    ) -> StoreResult<()> {
        in_tx!(self, |tx| async {
            outbox::change_subscription(tx, report, &change, &at).await?;
            outbox::insert_jobs(tx, &jobs, &at).await
        })
    }

    async fn record_external(&self, request: ExternalRequest, audit: AuditEntry) -> StoreResult<()> {
        in_tx!(self, |tx| outbox::record_external(tx, &request, &audit))
    }

    async fn open_external_requests(
        &self,
        ags: &Ags,
        authority: &augenmerk_domain::AuthorityId,
    ) -> StoreResult<Vec<ExternalRequest>> {
        on_conn!(self, |c| outbox::open_external_requests(c, ags, authority))
    }

    async fn update_external(
        &self,
        report: &ReportId,
        status: &str,
        at: DateTime<Utc>,
        polled_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        in_tx!(self, |tx| outbox::update_external(tx, report, status, &at, &polled_at))
    }

    async fn list_directory(&self) -> StoreResult<Vec<DirectoryEntry>> {
        on_conn!(self, |c| directory::list(c))
    }

    async fn get_directory(&self, key: &Ags) -> StoreResult<DirectoryEntry> {
        on_conn!(self, |c| directory::get(c, key))
    }

    async fn put_directory(&self, entries: Vec<DirectoryEntry>, now: DateTime<Utc>) -> StoreResult<()> {
        in_tx!(self, |tx| directory::put(tx, &entries, &now))
    }

    async fn delete_directory(&self, key: &Ags) -> StoreResult<()> {
        in_tx!(self, |tx| directory::delete(tx, key))
    }

    async fn insert_mailed(&self, mailed: MailedReport, jobs: Vec<NewJob>) -> StoreResult<Inserted<MailedReport>> {
        in_tx!(self, |tx| directory::insert_mailed(tx, &mailed, &jobs))
    }

    async fn mailed_reports(&self, administration: &Ags) -> StoreResult<Vec<MailedReport>> {
        on_conn!(self, |c| directory::mailed_to(c, administration))
    }

    async fn mailed_counts(&self) -> StoreResult<Vec<(Ags, u32)>> {
        on_conn!(self, |c| directory::mailed_counts(c))
    }

    async fn device_mailed(&self, device: &DeviceId) -> StoreResult<Vec<MailedReport>> {
        on_conn!(self, |c| directory::device_mailed(c, device))
    }

    async fn get_device_mailed(&self, device: &DeviceId, id: &ReportId) -> StoreResult<MailedReport> {
        on_conn!(self, |c| async {
            directory::get_mailed(c, id)
                .await?
                .filter(|m| m.report.device_id.as_ref() == Some(device))
                .ok_or(StoreError::NotFound)
        })
    }

    async fn take_mailed(&self, write: ReportWrite, now: DateTime<Utc>) -> StoreResult<Inserted<Report>> {
        in_tx!(self, |tx| directory::take_mailed(tx, &write, &now))
    }
}
