//! The Tauri commands: one line each, calling [`AppState`], which holds the logic.
//!
//! Names are snake_case here; the UI passes arguments in camelCase (Tauri's default).
//! Every command answers `Result<T, CommandError>`; the error serializes as the API's
//! `ErrorBody`. Arguments that do not even deserialize (a wrong type from the UI) are
//! refused by Tauri before these run, with its own plain-string error.

use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Manager, State};

use augenmerk_domain::device::{
    AppInfo, LocalCase, LocalFollowed, LocalReport, LocalReportDetail, ReopenedReport, ReportDraft, SyncStatus,
    SyncSummary,
};
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::public::{AnonymizedPhoto, MunicipalityConfig, MunicipalityInfo, NearbyReport, Responsibility};
use augenmerk_domain::staff::StaffUser;
use augenmerk_domain::{ActionId, BlobHash, Language, MessageId, ReportId, Status};

use crate::error::CommandError;
use crate::privacy::ExportedFile;
use crate::state::{AppState, CmdResult, parse_blur_boxes};

/// The request header with areas to blur in addition to the detected ones.
pub const BLUR_HEADER: &str = "x-augenmerk-blur";

/// What the UI needs to know about the program.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> CmdResult<AppInfo> {
    Ok(state.app_info())
}

/// The queue and the last sync.
#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> CmdResult<SyncStatus> {
    state.sync_status()
}

/// Syncs now (after a running sync, if any).
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> CmdResult<SyncSummary> {
    state.sync_now().await
}

/// The municipality responsible for a place, from the cache.
#[tauri::command]
pub async fn locate(state: State<'_, AppState>, lat: f64, lon: f64) -> CmdResult<Responsibility> {
    state.locate(lat, lon)
}

/// Open reports of the chosen category near the place (needs the network).
#[tauri::command]
pub async fn nearby_reports(
    state: State<'_, AppState>,
    lat: f64,
    lon: f64,
    category: String,
) -> CmdResult<Vec<NearbyReport>> {
    state.nearby_reports(lat, lon, &category).await
}

/// A municipality's cached configuration.
#[tauri::command]
pub async fn municipality_config(state: State<'_, AppState>, ags: String) -> CmdResult<MunicipalityConfig> {
    state.municipality_config(&ags)
}

/// Anonymizes the photo in the raw request body; areas to blur in the `x-augenmerk-blur` header.
#[tauri::command]
pub async fn capture_photo(state: State<'_, AppState>, request: Request<'_>) -> CmdResult<AnonymizedPhoto> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::new(
            ErrorCode::MalformedRequest,
            "capture_photo needs the photo as a raw body",
        ));
    };
    let blur = match request.headers().get(BLUR_HEADER) {
        Some(v) => parse_blur_boxes(
            v.to_str()
                .map_err(|_| CommandError::invalid_field("blur", "invalid_box"))?,
        )?,
        None => Vec::new(),
    };
    state.capture_photo(bytes.clone(), blur).await
}

/// Forgets a captured photo that no report uses.
#[tauri::command]
pub async fn discard_photo(state: State<'_, AppState>, hash: String) -> CmdResult<()> {
    state.discard_photo(&hash)
}

/// The URL the webview loads a stored photo from.
#[tauri::command]
pub async fn photo_url(state: State<'_, AppState>, hash: String) -> CmdResult<String> {
    state.photo_url(&hash)
}

/// Queues a new report and syncs soon.
#[tauri::command]
pub async fn create_report(state: State<'_, AppState>, draft: ReportDraft) -> CmdResult<ReportId> {
    state.create_report(draft)
}

/// Queues the corrected version of a refused report in its place.
#[tauri::command]
pub async fn replace_report(state: State<'_, AppState>, id: String, draft: ReportDraft) -> CmdResult<ReportId> {
    state.replace_report(&id, draft)
}

/// A refused report as a draft for the form.
#[tauri::command]
pub async fn reopen_report(state: State<'_, AppState>, id: String) -> CmdResult<ReopenedReport> {
    state.reopen_report(&id)
}

/// Forgets a refused report.
#[tauri::command]
pub async fn discard_report(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    state.discard_report(&id)
}

/// The citizen's reports on this device.
#[tauri::command]
pub async fn reports(state: State<'_, AppState>) -> CmdResult<Vec<LocalReport>> {
    state.reports()
}

/// One report with history and thread.
#[tauri::command]
pub async fn report(state: State<'_, AppState>, id: String) -> CmdResult<LocalReportDetail> {
    state.report(&id)
}

/// Clears a report's "changed" mark.
#[tauri::command]
pub async fn mark_seen(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    state.mark_seen(&id)
}

/// Follows someone else's report instead of reporting it again.
#[tauri::command]
pub async fn follow_report(state: State<'_, AppState>, id: String) -> CmdResult<LocalFollowed> {
    state.follow_report(&id).await
}

/// Stops following a report.
#[tauri::command]
pub async fn unfollow_report(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    state.unfollow_report(&id).await
}

/// The reports this device follows.
#[tauri::command]
pub async fn followed_reports(state: State<'_, AppState>) -> CmdResult<Vec<LocalFollowed>> {
    state.followed_reports()
}

/// Clears the followed reports' "changed" marks.
#[tauri::command]
pub async fn mark_followed_seen(state: State<'_, AppState>) -> CmdResult<()> {
    state.mark_followed_seen()
}

/// Queues a reply to the municipality and syncs soon.
#[tauri::command]
pub async fn reply(state: State<'_, AppState>, id: String, body: String) -> CmdResult<MessageId> {
    state.reply(&id, &body)
}

/// The municipalities whose staff log in here, for choosing by name.
#[tauri::command]
pub async fn staff_municipalities(state: State<'_, AppState>) -> CmdResult<Vec<MunicipalityInfo>> {
    state.staff_municipalities().await
}

/// Logs in as staff; `totp` is the second factor of an account that has one.
#[tauri::command]
pub async fn login(
    state: State<'_, AppState>,
    municipality: Option<String>,
    username: String,
    password: String,
    totp: Option<String>,
) -> CmdResult<StaffUser> {
    state
        .login(municipality.as_deref(), &username, &password, totp.as_deref())
        .await
}

/// Ends the staff session.
#[tauri::command]
pub async fn logout(state: State<'_, AppState>) -> CmdResult<()> {
    state.logout().await
}

/// The logged-in staff member, if any.
#[tauri::command]
pub async fn staff_user(state: State<'_, AppState>) -> CmdResult<Option<StaffUser>> {
    state.staff_user()
}

/// The field worker's cases.
#[tauri::command]
pub async fn cases(state: State<'_, AppState>) -> CmdResult<Vec<LocalCase>> {
    state.cases()
}

/// One case.
#[tauri::command]
pub async fn case_detail(state: State<'_, AppState>, id: String) -> CmdResult<LocalCase> {
    state.case_detail(&id)
}

/// Queues a status change of a case and syncs soon.
#[tauri::command]
pub async fn queue_transition(
    state: State<'_, AppState>,
    case: String,
    to: Status,
    expected: Status,
    comment: Option<String>,
    photos: Vec<BlobHash>,
) -> CmdResult<ActionId> {
    state.queue_transition(&case, to, expected, comment, photos)
}

/// Queues an internal note and syncs soon.
#[tauri::command]
pub async fn queue_note(state: State<'_, AppState>, case: String, body: String) -> CmdResult<ActionId> {
    state.queue_note(&case, &body)
}

/// Queues a message to the citizen and syncs soon.
#[tauri::command]
pub async fn queue_case_message(state: State<'_, AppState>, case: String, body: String) -> CmdResult<ActionId> {
    state.queue_case_message(&case, &body)
}

/// Stops showing a conflicted action.
#[tauri::command]
pub async fn dismiss_action(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    state.dismiss_action(&id)
}

/// Saves the citizen's data export into the download folder (needs the network).
#[tauri::command]
pub async fn export_my_data(app: AppHandle, state: State<'_, AppState>) -> CmdResult<ExportedFile> {
    state.export_my_data(app.path().download_dir().ok()).await
}

/// Withdraws a report nobody handled yet (one never sent is deleted on the device).
#[tauri::command]
pub async fn withdraw_report(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    state.withdraw_report(&id).await.map(drop)
}

/// Erases the citizen's data on the server and on the device; how many reports.
#[tauri::command]
pub async fn erase_my_data(state: State<'_, AppState>) -> CmdResult<u32> {
    state.erase_my_data().await
}

/// Asks for a confirmation link to erase everything sent with an e-mail address.
#[tauri::command]
pub async fn request_email_erasure(state: State<'_, AppState>, email: String, language: Language) -> CmdResult<()> {
    state.request_email_erasure(&email, language).await
}
