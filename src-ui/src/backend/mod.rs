//! What the UI asks of the program it runs in. In the app, the Tauri commands answer
//! (local queue, on-device anonymization, sync in the background); on the web page, an
//! outbox in IndexedDB and the sync server's API (photos anonymized in the browser where
//! it can, by the server otherwise). The UI code is the same for both.

pub mod privacy;
mod tauri;
pub(crate) mod web;

use augenmerk_domain::device::{
    AppInfo, LocalCase, LocalFollowed, LocalReport, LocalReportDetail, ReopenedReport, ReportDraft, SyncStatus,
};
use augenmerk_domain::error::FieldError;
use augenmerk_domain::public::{AnonymizedPhoto, MunicipalityConfig, MunicipalityInfo, NearbyReport, Responsibility};
use augenmerk_domain::staff::StaffUser;
use augenmerk_domain::{ActionId, BlobHash, ErrorBody, I18nText, ReportId, Status};

/// An error as the UI shows it: a bilingual message and the fields it concerns.
#[derive(Debug, Clone, PartialEq)]
pub struct UiError {
    /// Stable code (as the server's), if there is one.
    pub code: Option<String>,
    /// What to tell the user.
    pub message: I18nText,
    /// Field-level problems (e.g. `answers.tiefe_cm: required`).
    pub details: Vec<FieldError>,
    /// The network was not reachable: the action is kept and retried.
    pub offline: bool,
}

impl UiError {
    /// An error with a message in both languages.
    pub fn new(de: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code: None,
            message: I18nText {
                de: de.into(),
                en: en.into(),
            },
            details: Vec::new(),
            offline: false,
        }
    }

    /// An error whose message is one of the UI's texts (a Fluent key), in both languages.
    pub fn localized(key: &str) -> Self {
        Self::new(
            crate::i18n::format(crate::i18n::Lang::De, key, None),
            crate::i18n::format(crate::i18n::Lang::En, key, None),
        )
    }

    /// [`UiError::localized`] with arguments for the text's placeables.
    pub fn localized_with(key: &str, args: &fluent_bundle::FluentArgs<'_>) -> Self {
        Self::new(
            crate::i18n::format(crate::i18n::Lang::De, key, Some(args)),
            crate::i18n::format(crate::i18n::Lang::En, key, Some(args)),
        )
    }

    /// The network (or the server) could not be reached.
    pub fn offline() -> Self {
        Self {
            offline: true,
            ..Self::localized("e-offline")
        }
    }

    /// An answer that did not have the expected shape.
    pub fn unexpected(what: impl std::fmt::Display) -> Self {
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("what", what.to_string());
        Self::localized_with("e-unexpected", &args)
    }
}

impl From<ErrorBody> for UiError {
    fn from(body: ErrorBody) -> Self {
        let code = serde_json::to_value(body.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        Self {
            offline: code.as_deref() == Some("network"),
            code,
            message: body.message,
            details: body.details,
        }
    }
}

/// Where a photo was anonymized (shown per photo: `data-anonymized` on its card).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnonymizedBy {
    /// On this device (the app, or the browser's anonymizer).
    Device,
    /// By the server (`POST /api/v1/photos`), where the browser could not.
    Server,
}

impl AnonymizedBy {
    /// The attribute's value: `device` or `server`.
    pub fn as_str(self) -> &'static str {
        match self {
            AnonymizedBy::Device => "device",
            AnonymizedBy::Server => "server",
        }
    }
}

/// Shorthand for the backend's results.
pub type UiResult<T> = Result<T, UiError>;

/// The program the UI runs in.
#[derive(Clone)]
pub enum Backend {
    /// The Tauri app.
    App(tauri::AppBackend),
    /// The web page served by the sync server.
    Web(web::WebBackend),
}

impl Backend {
    /// The app when Tauri's global API is present, the web page otherwise.
    pub fn detect() -> Self {
        if tauri::available() {
            Backend::App(tauri::AppBackend)
        } else {
            Backend::Web(web::WebBackend::new())
        }
    }

    /// The backend of the public map embedded in another site: the web page's, without
    /// its background work (`WebBackend::passive`).
    pub fn embedded() -> Self {
        Backend::Web(web::WebBackend::passive())
    }

    /// Whether this is the app (field work, on-device anonymization).
    pub fn is_app(&self) -> bool {
        matches!(self, Backend::App(_))
    }

    /// Facts about the program (server, tiles, where photos are anonymized).
    pub async fn app_info(&self) -> UiResult<AppInfo> {
        match self {
            Backend::App(b) => b.app_info().await,
            Backend::Web(b) => b.app_info().await,
        }
    }

    /// The responsible municipality for a place.
    pub async fn locate(&self, lat: f64, lon: f64) -> UiResult<Responsibility> {
        match self {
            Backend::App(b) => b.locate(lat, lon).await,
            Backend::Web(b) => b.locate(lat, lon).await,
        }
    }

    /// Open reports of a category near a place ("already reported?"); needs the network.
    pub async fn nearby_reports(&self, lat: f64, lon: f64, category: &str) -> UiResult<Vec<NearbyReport>> {
        match self {
            Backend::App(b) => b.nearby_reports(lat, lon, category).await,
            Backend::Web(b) => b.nearby_reports(lat, lon, category).await,
        }
    }

    /// A municipality's public configuration (category tree, questions).
    pub async fn municipality_config(&self, ags: &str) -> UiResult<MunicipalityConfig> {
        match self {
            Backend::App(b) => b.municipality_config(ags).await,
            Backend::Web(b) => b.municipality_config(ags).await,
        }
    }

    /// Anonymizes a photo (on the device or by the server) and keeps only the result.
    pub async fn add_photo(&self, bytes: Vec<u8>, blur: &[[f32; 4]]) -> UiResult<AnonymizedPhoto> {
        match self {
            Backend::App(b) => b.add_photo(bytes, blur).await,
            Backend::Web(b) => b.add_photo(bytes, blur).await,
        }
    }

    /// Forgets a photo the user removed (on the web, one the server anonymized is deleted
    /// there when no report uses it after `augenmerk_domain::privacy::UNUSED_PHOTO_HOURS`).
    pub async fn discard_photo(&self, hash: &BlobHash) -> UiResult<()> {
        match self {
            Backend::App(b) => b.discard_photo(hash).await,
            Backend::Web(b) => b.discard_photo(hash).await,
        }
    }

    /// Where a photo was anonymized, once it was added or shown here.
    pub fn anonymized_by(&self, hash: &BlobHash) -> Option<AnonymizedBy> {
        match self {
            Backend::App(_) => Some(AnonymizedBy::Device),
            Backend::Web(b) => b.anonymized_by(hash),
        }
    }

    /// An address an `<img>` can show the (anonymized) photo from.
    pub async fn photo_src(&self, hash: &BlobHash) -> UiResult<String> {
        match self {
            Backend::App(b) => b.photo_src(hash).await,
            Backend::Web(b) => b.photo_src(hash).await,
        }
    }

    /// Saves a report (it is sent now or, without network, later); returns its id.
    pub async fn create_report(&self, draft: ReportDraft) -> UiResult<ReportId> {
        match self {
            Backend::App(b) => b.create_report(draft).await,
            Backend::Web(b) => b.create_report(draft).await,
        }
    }

    /// Queues the corrected version of a report the server refused, in its place.
    pub async fn replace_report(&self, refused: &str, draft: ReportDraft) -> UiResult<ReportId> {
        match self {
            Backend::App(b) => b.replace_report(refused, draft).await,
            Backend::Web(b) => b.replace_report(refused, draft).await,
        }
    }

    /// A report the server refused, as a draft for the form.
    pub async fn reopen_report(&self, id: &str) -> UiResult<ReopenedReport> {
        match self {
            Backend::App(b) => b.reopen_report(id).await,
            Backend::Web(b) => b.reopen_report(id).await,
        }
    }

    /// Forgets a report the server refused.
    pub async fn discard_report(&self, id: &str) -> UiResult<()> {
        match self {
            Backend::App(b) => b.discard_report(id).await,
            Backend::Web(b) => b.discard_report(id).await,
        }
    }

    /// The citizen's reports, newest first.
    pub async fn reports(&self) -> UiResult<Vec<LocalReport>> {
        match self {
            Backend::App(b) => b.reports().await,
            Backend::Web(b) => b.reports().await,
        }
    }

    /// One report with its history and thread.
    pub async fn report(&self, id: &str) -> UiResult<LocalReportDetail> {
        match self {
            Backend::App(b) => b.report(id).await,
            Backend::Web(b) => b.report(id).await,
        }
    }

    /// Remembers that the user saw the report's current state.
    pub async fn mark_seen(&self, id: &str) -> UiResult<()> {
        match self {
            Backend::App(b) => b.mark_seen(id).await,
            Backend::Web(b) => b.mark_seen(id).await,
        }
    }

    /// Follows someone else's report instead of reporting it again (needs the network).
    pub async fn follow_report(&self, id: &str) -> UiResult<LocalFollowed> {
        match self {
            Backend::App(b) => b.follow_report(id).await,
            Backend::Web(b) => b.follow_report(id).await,
        }
    }

    /// Stops following a report (needs the network).
    pub async fn unfollow_report(&self, id: &str) -> UiResult<()> {
        match self {
            Backend::App(b) => b.unfollow_report(id).await,
            Backend::Web(b) => b.unfollow_report(id).await,
        }
    }

    /// The reports this device follows.
    pub async fn followed_reports(&self) -> UiResult<Vec<LocalFollowed>> {
        match self {
            Backend::App(b) => b.followed_reports().await,
            Backend::Web(b) => b.followed_reports().await,
        }
    }

    /// Remembers that the user saw the current state of the followed reports
    /// `shown` (the app's database marks all it holds, which are the same).
    pub async fn mark_followed_seen(&self, shown: &[ReportId]) -> UiResult<()> {
        match self {
            Backend::App(b) => b.mark_followed_seen().await,
            Backend::Web(b) => b.mark_followed_seen(shown).await,
        }
    }

    /// Answers the municipality in a report's thread.
    pub async fn reply(&self, id: &str, body: &str) -> UiResult<()> {
        match self {
            Backend::App(b) => b.reply(id, body).await,
            Backend::Web(b) => b.reply(id, body).await,
        }
    }

    /// Where the queue stands.
    pub async fn sync_status(&self) -> UiResult<SyncStatus> {
        match self {
            Backend::App(b) => b.sync_status().await,
            Backend::Web(b) => b.sync_status().await,
        }
    }

    /// Sends what is queued and fetches what changed, now.
    pub async fn sync_now(&self) -> UiResult<()> {
        match self {
            Backend::App(b) => b.sync_now().await,
            Backend::Web(b) => b.sync_now().await,
        }
    }

    /// Calls `on_change` whenever the queue's state changes (the app's background sync).
    pub fn on_sync_change(&self, on_change: impl Fn(SyncStatus) + Send + Sync + 'static) {
        match self {
            Backend::App(b) => b.on_sync_change(on_change),
            Backend::Web(b) => b.on_sync_change(on_change),
        }
    }

    /// The municipalities whose staff log in (app only): the server's list, offline the
    /// cached configurations.
    pub async fn staff_municipalities(&self) -> UiResult<Vec<MunicipalityInfo>> {
        self.app()?.staff_municipalities().await
    }

    /// Logs a field worker in (app only); `totp` is the second factor, once the server
    /// asked for it (`totp_required`).
    pub async fn login(
        &self,
        municipality: Option<String>,
        username: &str,
        password: &str,
        totp: Option<&str>,
    ) -> UiResult<StaffUser> {
        self.app()?.login(municipality, username, password, totp).await
    }

    /// Logs the field worker out.
    pub async fn logout(&self) -> UiResult<()> {
        self.app()?.logout().await
    }

    /// The logged-in field worker, if any.
    pub async fn staff_user(&self) -> UiResult<Option<StaffUser>> {
        match self {
            Backend::App(b) => b.staff_user().await,
            Backend::Web(_) => Ok(None),
        }
    }

    /// The field worker's cases on the device.
    pub async fn cases(&self) -> UiResult<Vec<LocalCase>> {
        self.app()?.cases().await
    }

    /// One case.
    pub async fn case_detail(&self, id: &str) -> UiResult<LocalCase> {
        self.app()?.case_detail(id).await
    }

    /// Queues a status change of a case.
    pub async fn queue_transition(
        &self,
        case: &str,
        to: Status,
        expected: Status,
        comment: Option<String>,
        photos: Vec<BlobHash>,
    ) -> UiResult<ActionId> {
        self.app()?.queue_transition(case, to, expected, comment, photos).await
    }

    /// Queues an internal note on a case.
    pub async fn queue_note(&self, case: &str, body: &str) -> UiResult<ActionId> {
        self.app()?.queue_note(case, body).await
    }

    /// Queues a message to the citizen.
    pub async fn queue_case_message(&self, case: &str, body: &str) -> UiResult<ActionId> {
        self.app()?.queue_case_message(case, body).await
    }

    /// Dismisses a conflicted action the worker has seen.
    pub async fn dismiss_action(&self, id: &str) -> UiResult<()> {
        self.app()?.dismiss_action(id).await
    }

    fn app(&self) -> UiResult<&tauri::AppBackend> {
        match self {
            Backend::App(b) => Ok(b),
            Backend::Web(_) => Err(UiError::localized("e-field-app-only")),
        }
    }
}
