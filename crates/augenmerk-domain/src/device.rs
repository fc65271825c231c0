//! What a device (the app, the command line) keeps: its queued reports, their thread, a
//! field worker's cases and queued actions. Shared by the client library and the UI.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::public::{AnonymizedPhoto, FollowedReport, MessageAuthor, MunicipalityConfig, PublicStatusChange};
use crate::staff::StaffReportDetail;
use crate::{ActionId, Ags, BlobHash, CategoryId, GeoPoint, MessageId, ReportId, Status};

/// Where a queued item stands in its way to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Waiting for the network (or for the next sync).
    Queued,
    /// The server acknowledged it.
    Sent,
    /// The server refused it for good (e.g. the configuration changed); kept and shown.
    Rejected,
}

impl SyncState {
    /// Wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Rejected => "rejected",
        }
    }

    /// Parses the database name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "queued" => Some(Self::Queued),
            "sent" => Some(Self::Sent),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// A new report as the user filled it in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDraft {
    /// The municipality, if the user confirmed one; otherwise the location decides.
    pub municipality: Option<Ags>,
    /// Leaf category.
    pub category: CategoryId,
    /// Answers by question id (typed JSON values).
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// Description.
    pub description: String,
    /// Where.
    pub location: GeoPoint,
    /// Free-text hint on the place.
    pub address_hint: Option<String>,
    /// Photos captured (anonymized) before, by hash.
    pub photos: Vec<BlobHash>,
    /// Contact e-mail for updates.
    pub contact_email: Option<String>,
    /// The user accepted the privacy notice.
    pub consent: bool,
    /// The language the user writes in; mails about the report use it (default German).
    #[serde(default)]
    pub language: Option<crate::i18n::Language>,
    /// Where the report is mailed to an administration not on the platform: the user
    /// agreed that their contact address goes with it (default: it does not).
    #[serde(default)]
    pub share_contact: bool,
}

/// A report the server refused, taken back into the form to be corrected and sent again
/// (or discarded): what it said, and its photos as the form shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReopenedReport {
    /// The refused report's id; the corrected one replaces it.
    pub id: ReportId,
    /// Its content (the municipality is left to the location again).
    pub draft: ReportDraft,
    /// Its photos, already anonymized.
    pub photos: Vec<AnonymizedPhoto>,
}

/// One of the citizen's reports on this device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalReport {
    /// Id (chosen on the device).
    pub id: ReportId,
    /// Municipality.
    pub municipality: Ags,
    /// Category.
    pub category: CategoryId,
    /// Category name (German), from the cached tree.
    pub category_name: Option<String>,
    /// Description.
    pub description: String,
    /// Where.
    pub location: GeoPoint,
    /// Photos.
    pub photos: Vec<BlobHash>,
    /// When it was created here.
    pub created_at: DateTime<Utc>,
    /// Sync state.
    pub sync_state: SyncState,
    /// The server's status once sent.
    pub status: Option<Status>,
    /// Why the last attempt failed (kept until it succeeds).
    pub last_error: Option<String>,
    /// Something changed since the user last looked.
    pub unseen: bool,
    /// The place as citizens see it: "Wees (Amt Langballig)", or just "Flensburg".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_name: Option<String>,
    /// The administration the report was sent to by e-mail (it is not on the platform).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailed_to: Option<String>,
}

/// Someone else's report this device follows, as last heard from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalFollowed {
    /// The report's public view.
    #[serde(flatten)]
    pub report: FollowedReport,
    /// When this device started following it.
    pub followed_at: DateTime<Utc>,
    /// Its status changed since the user last looked.
    pub unseen: bool,
}

/// A report with its history and thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalReportDetail {
    /// The report.
    #[serde(flatten)]
    pub report: LocalReport,
    /// Answers.
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// Address hint.
    pub address_hint: Option<String>,
    /// Public status history, oldest first.
    pub history: Vec<PublicStatusChange>,
    /// The thread, oldest first.
    pub messages: Vec<LocalMessage>,
    /// The category's questions as they were when the report was written: labels for its
    /// answers once the category has left the citizens' tree (empty where not kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<crate::category::Question>,
    /// Whether the server sends the reporter updates by mail, as last synced (none until
    /// the server has the report).
    #[serde(default)]
    pub mail_updates: crate::mail::MailUpdates,
}

/// A message in a report's thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalMessage {
    /// Id.
    pub id: MessageId,
    /// Citizen or municipality.
    pub author: MessageAuthor,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Queued replies wait for the network.
    pub sync_state: SyncState,
}

/// What a field worker does to a case while offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldAction {
    /// Change the status (with a public comment and completion photos).
    Transition {
        /// Target status.
        to: Status,
        /// The status the worker saw; the server refuses if it changed meanwhile.
        expected: Status,
        /// Comment the citizen sees.
        comment: Option<String>,
        /// Photos (anonymized), e.g. of the finished work.
        photos: Vec<BlobHash>,
    },
    /// An internal note.
    Note {
        /// Text.
        body: String,
    },
    /// A message to the citizen.
    Message {
        /// Text.
        body: String,
    },
}

impl FieldAction {
    /// Database name of the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Transition { .. } => "transition",
            Self::Note { .. } => "note",
            Self::Message { .. } => "message",
        }
    }
}

/// Where a field worker's action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    /// Waiting to be sent.
    Pending,
    /// The server applied it.
    Done,
    /// The server refused it (see the error); kept until the worker dismisses it.
    Conflicted,
    /// A conflict the worker has seen and dismissed.
    Dismissed,
}

impl ActionState {
    /// Database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Conflicted => "conflicted",
            Self::Dismissed => "dismissed",
        }
    }

    /// Parses the database name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "done" => Some(Self::Done),
            "conflicted" => Some(Self::Conflicted),
            "dismissed" => Some(Self::Dismissed),
            _ => None,
        }
    }
}

/// A queued (or finished, or conflicted) field action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalAction {
    /// Idempotency key.
    pub id: ActionId,
    /// The case.
    pub case_id: ReportId,
    /// What.
    pub action: FieldAction,
    /// Where it stands.
    pub state: ActionState,
    /// The server's reason for a conflict.
    pub error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

/// A case on a field worker's device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalCase {
    /// As last pulled from the server.
    pub detail: StaffReportDetail,
    /// The status after the worker's pending transitions (what the worker expects).
    pub local_status: Status,
    /// Actions not yet applied by the server, and conflicts not yet dismissed.
    pub actions: Vec<LocalAction>,
    /// When it was pulled.
    pub fetched_at: DateTime<Utc>,
}

/// A cached municipality configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedMunicipality {
    /// AGS.
    pub ags: Ags,
    /// Name.
    pub name: String,
    /// The configuration.
    pub config: MunicipalityConfig,
}

/// What one sync run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncSummary {
    /// Municipality configurations fetched.
    pub configurations: usize,
    /// Photos uploaded (those already on the server are not sent again).
    pub photos_uploaded: usize,
    /// Reports the server acknowledged.
    pub reports_sent: usize,
    /// Reports the server refused for good (kept, with the reason).
    pub reports_rejected: usize,
    /// Replies the server acknowledged.
    pub replies_sent: usize,
    /// Changes (status, messages) pulled from the server.
    pub changes: usize,
    /// Field actions the server applied.
    pub actions_done: usize,
    /// Field actions the server refused (kept, with the reason).
    pub actions_conflicted: usize,
    /// Cases pulled (new or changed).
    pub cases_pulled: usize,
    /// Follows the server had lost (a restored backup, say) and was told again.
    #[serde(default)]
    pub follows_renewed: usize,
    /// Reports and replies still waiting afterwards.
    pub still_queued: u64,
}

/// Where the device's queue stands, for the app's status line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Reports waiting for the network.
    pub queued_reports: u64,
    /// Replies waiting for the network.
    pub queued_replies: u64,
    /// A field worker's actions waiting for the network.
    pub pending_actions: u64,
    /// A sync is running now.
    pub syncing: bool,
    /// When the last sync finished without error.
    pub last_success: Option<DateTime<Utc>>,
    /// Why the last sync failed (cleared by the next success).
    pub last_error: Option<String>,
}

/// What the UI needs to know about the program it runs in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppInfo {
    /// Program version.
    pub version: String,
    /// The sync server's address, if one is configured.
    pub server: Option<String>,
    /// Photos are anonymized on this device (the app) rather than by the server (the web page).
    pub anonymizes_on_device: bool,
    /// Map tiles (`{z}/{x}/{y}` template); `None` shows coordinates only.
    pub tile_url: Option<String>,
    /// Attribution shown with the tiles.
    pub tile_attribution: Option<String>,
    /// The server offers address search (`/api/v1/geocode/…`); without it the report
    /// form hides its search field.
    #[serde(default)]
    pub geocoder: bool,
    /// Where the report form's map opens before a place is known: the box of the one
    /// municipality this server serves; `None` (several, or the app): all of
    /// Schleswig-Holstein.
    #[serde(default)]
    pub home: Option<crate::geo::BoundingBox>,
}
