//! What the device keeps, as the app and the command line see it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use augenmerk_domain::public::{MessageAuthor, PublicStatusChange};
use augenmerk_domain::staff::StaffReportDetail;
use augenmerk_domain::{ActionId, Ags, BlobHash, CategoryId, GeoPoint, MessageId, ReportId, Status};

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
    /// Photos captured before ([`crate::Client::capture_photo`]).
    pub photos: Vec<BlobHash>,
    /// Contact e-mail for updates.
    pub contact_email: Option<String>,
    /// The user accepted the privacy notice.
    pub consent: bool,
}

/// A photo after anonymization.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapturedPhoto {
    /// Its hash (the name under which it is stored and uploaded).
    pub hash: BlobHash,
    /// Size of the stored JPEG.
    pub size: u64,
    /// Width and height of the stored JPEG.
    pub dimensions: (u32, u32),
    /// Width and height of the (upright) original, the space the boxes are in.
    pub source_dimensions: (u32, u32),
    /// The obscured boxes (faces, plates, the user's own marks).
    pub blurred: Vec<augenmerk_anon::BlurredBox>,
    /// The photo's GPS position, suggested as the report's location.
    pub suggested_location: Option<GeoPoint>,
}

/// One of the citizen's reports on this device.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

/// A report with its history and thread.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

/// A message in a report's thread.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CachedMunicipality {
    /// AGS.
    pub ags: Ags,
    /// Name.
    pub name: String,
    /// The configuration.
    pub config: augenmerk_domain::public::MunicipalityConfig,
}
