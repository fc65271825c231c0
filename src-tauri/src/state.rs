//! The app's state and everything the commands do, as plain methods that need no window.
//!
//! [`AppState`] holds the client library's [`Client`] (one data directory) and the
//! settings. The client keeps the sync status (running now, last success, last error,
//! what is queued) and publishes it on a `watch` channel; the app forwards each change to
//! the UI as the event `augenmerk://sync` (see `sync_loop`), tests read it directly.
//!
//! Only one sync runs at a time in this process: [`AppState::sync_now`] waits for a running
//! sync to finish and then runs its own, so that whatever the user queued meanwhile is
//! included. Another process on the same data directory (the `augenmerk` command line) is
//! kept out by the client's file lock and reported as `conflict` / `sync_busy`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

use augenmerk_anon::BBox;
use augenmerk_client::{Client, ClientOptions, SyncOptions};
use augenmerk_domain::device::{
    AppInfo, LocalCase, LocalFollowed, LocalReport, LocalReportDetail, ReopenedReport, ReportDraft, SyncStatus,
    SyncSummary,
};
use augenmerk_domain::error::{ErrorCode, FieldError};
use augenmerk_domain::public::{AnonymizedPhoto, MunicipalityConfig, MunicipalityInfo, NearbyReport, Responsibility};
use augenmerk_domain::second_factor::SecondFactor;
use augenmerk_domain::staff::StaffUser;
use augenmerk_domain::{ActionId, Ags, BlobHash, CategoryId, GeoPoint, MessageId, ReportId, Status};

use crate::error::CommandError;
use crate::settings::Settings;

/// Result of the app's operations.
pub type CmdResult<T> = Result<T, CommandError>;

/// The app's state: the client (which keeps the sync status) and the settings.
pub struct AppState {
    client: Arc<Client>,
    settings: Settings,
    /// Held for the whole of a sync run, so runs in this process never overlap (and by
    /// the privacy operations, which must not run alongside a sync: see `privacy`).
    pub(crate) sync_gate: tokio::sync::Mutex<()>,
    /// Wakes the sync loop early (something was queued).
    trigger: Notify,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("client", &self.client)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens (or creates) the data directory named in the settings.
    pub fn open(settings: Settings) -> CmdResult<Self> {
        let mut options = ClientOptions::new(&settings.data_dir, Some(settings.server.clone()));
        options.models_dir.clone_from(&settings.models_dir);
        // The loop runs again every half minute anyway: a few quick retries inside one run,
        // so that "sending" turns into "waiting for network" within seconds when offline.
        options.retry = augenmerk_client::RetryPolicy {
            attempts: 3,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(30),
        };
        let client = Client::open(options)?;
        Ok(Self::with_client(client, settings))
    }

    /// Wraps a client opened elsewhere (tests choose its options).
    pub fn with_client(client: Client, settings: Settings) -> Self {
        let state = Self {
            client: Arc::new(client),
            settings,
            sync_gate: tokio::sync::Mutex::new(()),
            trigger: Notify::new(),
        };
        state.publish_status();
        state
    }

    /// The client library behind the state.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    // ---- the program ----

    /// What the UI needs to know about the program.
    pub fn app_info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            server: Some(self.settings.server.clone()),
            anonymizes_on_device: true,
            tile_url: self.settings.tile_url.clone(),
            tile_attribution: self.settings.tile_attribution.clone(),
            // The app's address search would go through the server; not wired yet.
            geocoder: false,
            home: None,
        }
    }

    // ---- syncing ----

    /// The queue and the last sync, as the status line shows them (kept by the client).
    pub fn sync_status(&self) -> CmdResult<SyncStatus> {
        Ok(self.client.sync_status()?)
    }

    /// Changes of the sync status (start, finish, error), newest value first.
    pub fn subscribe_status(&self) -> watch::Receiver<SyncStatus> {
        self.client.subscribe_status()
    }

    /// Runs one sync now. If one is running in this app, waits for it to finish and then
    /// runs another (so that what was queued meanwhile goes too). The client records it
    /// in the sync status.
    pub async fn sync_now(&self) -> CmdResult<SyncSummary> {
        let _gate = self.sync_gate.lock().await;
        let result = self.client.sync(&SyncOptions::default()).await;
        if let Err(e) = &result {
            tracing::info!(error = %e, "sync did not complete; everything stays queued");
        }
        Ok(result?)
    }

    /// Asks the sync loop to run soon (something was queued); returns at once.
    pub fn trigger_sync(&self) {
        // A permit is kept if the loop is busy, so a trigger during a run causes one more run.
        self.trigger.notify_one();
    }

    /// Waits until [`AppState::trigger_sync`] is called (used by the sync loop).
    pub async fn triggered(&self) {
        self.trigger.notified().await;
    }

    pub(crate) fn publish_status(&self) {
        self.client.publish_status();
    }

    // ---- place and configuration ----

    /// The Gemeinde of a place and the administration that takes reports there, from the
    /// cached boundaries (inside, or within the server's tolerance; `distance_m` 0 inside,
    /// else metres to the boundary), answered as the server would.
    pub fn locate(&self, lat: f64, lon: f64) -> CmdResult<Responsibility> {
        let point = GeoPoint::parse(lat, lon).map_err(|e| CommandError::validation(vec![e]))?;
        Ok(self.client.locate(point)?.responsibility())
    }

    /// Open reports of a category near a place, from the server ("already reported?").
    pub async fn nearby_reports(&self, lat: f64, lon: f64, category: &str) -> CmdResult<Vec<NearbyReport>> {
        let point = GeoPoint::parse(lat, lon).map_err(|e| CommandError::validation(vec![e]))?;
        let category = CategoryId::parse(category).map_err(|e| CommandError::validation(vec![e]))?;
        Ok(self.client.nearby_reports(point, &category).await?)
    }

    /// A municipality's cached configuration (categories, questions, boundary).
    pub fn municipality_config(&self, ags: &str) -> CmdResult<MunicipalityConfig> {
        let ags = Ags::parse(ags).map_err(|e| CommandError::validation(vec![e]))?;
        Ok(self.client.municipality(&ags)?)
    }

    // ---- photos ----

    /// Anonymizes a photo on a blocking thread (it takes about a second) and keeps only
    /// the result; `blur` holds extra areas the user marked, in the upright original's pixels.
    pub async fn capture_photo(&self, bytes: Vec<u8>, blur: Vec<BBox>) -> CmdResult<AnonymizedPhoto> {
        if bytes.is_empty() {
            return Err(CommandError::invalid_field("photo", "empty"));
        }
        let client = self.client.clone();
        let captured = tokio::task::spawn_blocking(move || client.capture_photo(&bytes, &blur))
            .await
            .map_err(|e| CommandError::new(ErrorCode::Internal, format!("anonymizer task failed: {e}")))??;
        Ok(captured.into())
    }

    /// Forgets a captured photo no report uses (the user replaced it); a no-op otherwise.
    pub fn discard_photo(&self, hash: &str) -> CmdResult<()> {
        Ok(self.client.discard_photo(&parse_hash(hash)?)?)
    }

    /// The URL under which the webview loads a stored photo (see `protocol`).
    pub fn photo_url(&self, hash: &str) -> CmdResult<String> {
        Ok(crate::protocol::photo_url(&parse_hash(hash)?))
    }

    // ---- the citizen's reports ----

    /// Checks a draft against the cached configuration and queues it; syncs soon.
    pub fn create_report(&self, draft: ReportDraft) -> CmdResult<ReportId> {
        let id = self.client.create_report(draft)?;
        self.trigger_sync();
        Ok(id)
    }

    /// Queues the corrected version of a refused report in its place and syncs soon.
    pub fn replace_report(&self, refused: &str, draft: ReportDraft) -> CmdResult<ReportId> {
        let id = self.client.replace_report(&parse_id(refused, "id")?, draft)?;
        self.trigger_sync();
        Ok(id)
    }

    /// A refused report as a draft for the form.
    pub fn reopen_report(&self, id: &str) -> CmdResult<ReopenedReport> {
        Ok(self.client.reopen_report(&parse_id(id, "id")?)?)
    }

    /// Forgets a refused report.
    pub fn discard_report(&self, id: &str) -> CmdResult<()> {
        Ok(self.client.discard_report(&parse_id(id, "id")?)?)
    }

    /// The citizen's reports on this device, newest first.
    pub fn reports(&self) -> CmdResult<Vec<LocalReport>> {
        Ok(self.client.reports()?)
    }

    /// One report with its history and thread.
    pub fn report(&self, id: &str) -> CmdResult<LocalReportDetail> {
        Ok(self.client.report(&parse_id(id, "id")?)?)
    }

    /// Clears a report's "changed" mark.
    pub fn mark_seen(&self, id: &str) -> CmdResult<()> {
        Ok(self.client.mark_seen(&parse_id(id, "id")?)?)
    }

    /// Follows someone else's report (needs the network).
    pub async fn follow_report(&self, id: &str) -> CmdResult<LocalFollowed> {
        Ok(self.client.follow_report(&parse_id(id, "id")?).await?)
    }

    /// Stops following a report (needs the network).
    pub async fn unfollow_report(&self, id: &str) -> CmdResult<()> {
        Ok(self.client.unfollow_report(&parse_id(id, "id")?).await?)
    }

    /// The reports this device follows.
    pub fn followed_reports(&self) -> CmdResult<Vec<LocalFollowed>> {
        Ok(self.client.followed_reports()?)
    }

    /// Clears the followed reports' "changed" marks.
    pub fn mark_followed_seen(&self) -> CmdResult<()> {
        Ok(self.client.mark_followed_seen()?)
    }

    /// Queues a reply to the municipality; syncs soon.
    pub fn reply(&self, id: &str, body: &str) -> CmdResult<MessageId> {
        let mid = self.client.queue_reply(&parse_id(id, "id")?, body)?;
        self.trigger_sync();
        Ok(mid)
    }

    // ---- field workers ----

    /// The municipalities to log in to, by name (from the server, offline from the cache).
    pub async fn staff_municipalities(&self) -> CmdResult<Vec<MunicipalityInfo>> {
        Ok(self.client.staff_municipalities().await?)
    }

    /// Logs in as staff (needs the network); then syncs soon to pull the cases. `totp` is
    /// the second factor of an account that has one (the UI asks for it once the server
    /// answered `totp_required`); empty counts as none.
    pub async fn login(
        &self,
        municipality: Option<&str>,
        username: &str,
        password: &str,
        totp: Option<&str>,
    ) -> CmdResult<StaffUser> {
        let municipality = municipality
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(Ags::parse)
            .transpose()
            .map_err(|e| CommandError::validation(vec![e]))?;
        if username.trim().is_empty() {
            return Err(CommandError::invalid_field("username", "required"));
        }
        if password.is_empty() {
            return Err(CommandError::invalid_field("password", "required"));
        }
        let totp = match totp.map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            // Not a code at all: said here, and not counted by the server as a wrong one.
            Some(typed) => Some(SecondFactor::parse(typed).ok_or_else(|| {
                CommandError::new(ErrorCode::InvalidTotp, "neither a code nor a recovery code")
                    .with_details(vec![FieldError::new("totp", "malformed")])
                    .with_message(
                        "Das ist weder ein sechsstelliger Code noch ein Wiederherstellungscode.",
                        "That is neither a six-digit code nor a recovery code.",
                    )
            })?),
        };
        let user = self
            .client
            .login(municipality, username.trim(), password, totp.as_ref())
            .await?;
        self.trigger_sync();
        Ok(user)
    }

    /// Ends the staff session; queued actions stay for the next login.
    pub async fn logout(&self) -> CmdResult<()> {
        Ok(self.client.logout().await?)
    }

    /// The logged-in staff member, if any.
    pub fn staff_user(&self) -> CmdResult<Option<StaffUser>> {
        Ok(self.client.staff_user()?)
    }

    /// The cases on this device, soonest due first.
    pub fn cases(&self) -> CmdResult<Vec<LocalCase>> {
        Ok(self.client.cases()?)
    }

    /// One case with its queued actions.
    pub fn case_detail(&self, id: &str) -> CmdResult<LocalCase> {
        Ok(self.client.case(&parse_id(id, "id")?)?)
    }

    /// Queues a status change. `expected` is the status the worker saw; if the case moved
    /// on this device meanwhile (another queued transition), the client queues nothing and
    /// the answer is a `conflict` naming the current status.
    pub fn queue_transition(
        &self,
        case: &str,
        to: Status,
        expected: Status,
        comment: Option<String>,
        photos: Vec<BlobHash>,
    ) -> CmdResult<ActionId> {
        let case = parse_id(case, "case")?;
        let id = self
            .client
            .queue_transition(&case, to, Some(expected), comment, photos)?;
        self.trigger_sync();
        Ok(id)
    }

    /// Queues an internal note on a case.
    pub fn queue_note(&self, case: &str, body: &str) -> CmdResult<ActionId> {
        let id = self.client.queue_note(&parse_id(case, "case")?, body)?;
        self.trigger_sync();
        Ok(id)
    }

    /// Queues a message to the citizen of a case.
    pub fn queue_case_message(&self, case: &str, body: &str) -> CmdResult<ActionId> {
        let id = self.client.queue_case_message(&parse_id(case, "case")?, body)?;
        self.trigger_sync();
        Ok(id)
    }

    /// Stops showing a conflicted action.
    pub fn dismiss_action(&self, id: &str) -> CmdResult<()> {
        let id: ActionId = parse_id(id, "id")?;
        Ok(self.client.dismiss_action(&id)?)
    }
}

/// Parses a UUID id coming from the UI, naming the argument in the error.
pub(crate) fn parse_id<T: std::str::FromStr>(s: &str, field: &str) -> CmdResult<T> {
    s.trim()
        .parse()
        .map_err(|_| CommandError::invalid_field(field, "invalid_uuid"))
}

/// Parses a photo hash coming from the UI.
fn parse_hash(s: &str) -> CmdResult<BlobHash> {
    BlobHash::parse(s.trim()).map_err(|_| CommandError::invalid_field("hash", "invalid_hash"))
}

/// Parses the blur header ([`augenmerk_domain::blur::BlurBoxes`]: boxes `x1,y1,x2,y2`
/// separated by `;`, in the upright original's pixels). Empty means none.
pub fn parse_blur_boxes(header: &str) -> CmdResult<Vec<BBox>> {
    let boxes: augenmerk_domain::blur::BlurBoxes = header.parse().map_err(|e| CommandError::validation(vec![e]))?;
    Ok(boxes.boxes().iter().map(|b| BBox::from(*b)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blur_boxes_parse_and_bad_ones_are_refused() -> CmdResult<()> {
        assert!(parse_blur_boxes("")?.is_empty());
        let boxes = parse_blur_boxes("10,20,30,40; 0,0,5.5,6")?;
        assert_eq!(
            boxes,
            vec![BBox::new(10.0, 20.0, 30.0, 40.0), BBox::new(0.0, 0.0, 5.5, 6.0)]
        );
        for bad in ["1,2,3", "1,2,3,4,5", "a,b,c,d", "30,20,10,40", "1,2,NaN,4", "1,2,inf,4"] {
            let e = parse_blur_boxes(bad).err().map(|e| e.code());
            assert_eq!(e, Some(ErrorCode::ValidationFailed), "{bad}");
        }
        Ok(())
    }
}
