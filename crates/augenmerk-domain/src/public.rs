//! Types that citizens and the public may receive.
//!
//! These are built from the stored report by explicit conversion in the server; they
//! carry no staff names, no internal notes, no contact data of other people and nothing
//! from the audit trail but status changes with their public comment.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::administration::{AdministrationRef, Delivery, GemeindeInfo, place_name};
use crate::category::CategoryTree;
use crate::geo::GeoPoint;
use crate::ids::{Ags, BlobHash, CategoryId, DeviceId, MessageId, ReportId};
use crate::process::Status;
use crate::report::Answers;

/// Who wrote a message, as citizens see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageAuthor {
    /// The citizen who reported.
    Citizen,
    /// The municipality (staff names are not shown to citizens).
    Municipality,
}

/// A message of a report's thread, as the citizen sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicMessage {
    /// Message id.
    pub id: MessageId,
    /// The report.
    pub report_id: ReportId,
    /// Citizen or municipality.
    pub author: MessageAuthor,
    /// Text.
    pub body: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A status change as the citizen sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicStatusChange {
    /// Before (none for the first entry).
    pub from: Option<Status>,
    /// After.
    pub to: Status,
    /// The municipality's public comment.
    pub comment: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Photos documenting the change (e.g. of the finished work), already anonymized.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<BlobHash>,
}

/// A report as the device that submitted it sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CitizenReport {
    /// Report id.
    pub id: ReportId,
    /// Responsible municipality.
    pub municipality: Ags,
    /// Its name.
    pub municipality_name: String,
    /// Category.
    pub category: CategoryId,
    /// The category's name in German.
    pub category_name: String,
    /// The answers given.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
    /// Description.
    pub description: String,
    /// Position.
    pub location: GeoPoint,
    /// Address hint.
    pub address_hint: Option<String>,
    /// Photos.
    pub photos: Vec<BlobHash>,
    /// Current status.
    pub status: Status,
    /// Name of the authority it was forwarded to, if any.
    pub forwarded_to: Option<String>,
    /// The report it duplicates, if any.
    pub duplicate_of: Option<ReportId>,
    /// Status history, oldest first.
    pub history: Vec<PublicStatusChange>,
    /// The thread with the municipality, oldest first.
    pub messages: Vec<PublicMessage>,
    /// Created on the device.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Whether the reporter gets updates by mail.
    #[serde(default)]
    pub mail_updates: crate::mail::MailUpdates,
    /// The Gemeinde the report lies in, named as citizens see it ("Wees (Amt Langballig)").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_name: Option<String>,
    /// The administration it was sent to by e-mail, when that administration is not on
    /// the platform ("sent by e-mail to …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailed_to: Option<String>,
}

/// A change to one of the device's reports, for `GET /api/v1/sync`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncChange {
    /// Position in the device's change feed; the next cursor is the last seq seen.
    pub seq: i64,
    /// The report.
    pub report_id: ReportId,
    /// What happened.
    #[serde(flatten)]
    pub change: ChangeKind,
}

/// The kinds of change a device is told about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeKind {
    /// The status changed.
    Status {
        /// The change.
        #[serde(flatten)]
        change: PublicStatusChange,
    },
    /// A message was added to the thread.
    Message {
        /// The message.
        message: PublicMessage,
    },
}

/// The answer of `GET /api/v1/sync`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncResponse {
    /// Changes after the cursor, oldest first.
    pub changes: Vec<SyncChange>,
    /// Send this as `since` next time.
    pub cursor: i64,
    /// More changes are waiting; ask again at once.
    pub more: bool,
}

/// A registered device's credentials, returned once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRegistered {
    /// The device id.
    pub device_id: DeviceId,
    /// Secret bearer token; the server only keeps its hash.
    pub token: String,
}

/// A municipality's public configuration, cached by clients for offline intake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MunicipalityConfig {
    /// AGS.
    pub ags: Ags,
    /// Name.
    pub name: String,
    /// The category tree with its questions.
    pub categories: CategoryTree,
    /// Boundary as a GeoJSON geometry, for finding the municipality offline.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub boundary: Option<serde_json::Value>,
    /// Accent colour for the UI (CSS colour).
    pub accent_color: Option<String>,
    /// Logo for the UI (a `data:` URL, so it works offline from the cached configuration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// Changes whenever the configuration changes; clients refresh their cache when it differs.
    pub version: String,
    /// The Gemeinden of an Amt, each with its boundary (empty for a tenant that is one
    /// Gemeinde under its own AGS; one entry for a Gemeinde under its administration key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gemeinden: Vec<GemeindeInfo>,
    /// Whether reports are worked here or mailed to the administration.
    #[serde(default)]
    pub delivery: Delivery,
    /// Privacy notice, Impressum and retention policy, for reading offline before consent.
    #[serde(default)]
    pub legal: crate::privacy::LegalInfo,
    /// The public map: shown or not, and the open data's licence.
    #[serde(default)]
    pub public: crate::public_map::PublicInfo,
}

/// A municipality as listed publicly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MunicipalityInfo {
    /// AGS.
    pub ags: Ags,
    /// Name.
    pub name: String,
    /// Whether it takes reports on this server (has a category tree).
    pub active: bool,
    /// The version of its configuration (as in [`MunicipalityConfig::version`]), so clients
    /// fetch only configurations that changed.
    #[serde(default)]
    pub config_version: Option<String>,
    /// Whether its reports are worked here or mailed to it (an administration in the
    /// platform's directory); staff sign in only where they are worked here.
    #[serde(default)]
    pub delivery: Delivery,
}

/// Which municipality is responsible for a location, as the server answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Responsibility {
    /// The Gemeinde the location lies in (eight digits).
    pub ags: Ags,
    /// Its name.
    pub name: String,
    /// 0 inside the boundary; otherwise how far outside (within the tolerance).
    pub distance_m: f64,
    /// Whether it takes reports on this server (on the platform or by mail).
    pub active: bool,
    /// The administration that serves the Gemeinde (an Amt, or the Gemeinde itself), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub administration: Option<AdministrationRef>,
    /// Where a report at this location goes.
    #[serde(default)]
    pub delivery: Delivery,
    /// Near a municipal border: the other administrations within the tolerance of the
    /// location that take reports, nearest first; the citizen may file the report with
    /// one of them instead (each without alternatives of its own). Empty elsewhere, and
    /// from servers that predate the choice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub alternatives: Vec<Responsibility>,
}

/// What an obscured area of a photo held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BlurredKind {
    /// A face.
    Face,
    /// A licence plate.
    Plate,
    /// An area the user marked.
    Manual,
}

/// An obscured area, in the upright original's pixels `[x1, y1, x2, y2]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlurredArea {
    /// What was there.
    pub kind: BlurredKind,
    /// Where.
    #[serde(rename = "box")]
    pub area: [f32; 4],
}

/// A photo anonymized by the server (`POST /api/v1/photos`): for clients that cannot
/// anonymize on the device, such as the web page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnonymizedPhoto {
    /// Address of the stored (anonymized) photo, for `NewReport::photos`.
    pub hash: BlobHash,
    /// Size of the stored JPEG.
    pub width: u32,
    /// Size of the stored JPEG.
    pub height: u32,
    /// Size of the upright original (the space of `blurred`).
    pub source_width: u32,
    /// Size of the upright original.
    pub source_height: u32,
    /// The obscured areas.
    pub blurred: Vec<BlurredArea>,
    /// The photo's GPS position, as a suggestion for the report's location.
    pub suggested_location: Option<GeoPoint>,
}

/// An open report of the same category near a place: offered to a citizen before they
/// report the same defect again ("already reported?"). Only what the place and the
/// process show: no description, photos, messages or contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NearbyReport {
    /// Its id.
    pub id: ReportId,
    /// Its category.
    pub category: CategoryId,
    /// Where it is, as the public may see it ([`public_location`]).
    pub location: GeoPoint,
    /// Its current status (always an open one).
    pub status: Status,
    /// When it was reported.
    pub created_at: DateTime<Utc>,
    /// Metres from the place asked about.
    pub distance_m: f64,
    /// It is the asking device's own report (nothing to follow: it is under "my reports").
    #[serde(default)]
    pub own: bool,
}

/// Someone else's report that a device follows ("already reported? follow it instead"):
/// where and what, and how it is handled. No description, answers, photos, messages or
/// contact: those stay between the municipality and the reporter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowedReport {
    /// Its id.
    pub id: ReportId,
    /// The responsible municipality.
    pub municipality: Ags,
    /// Its name.
    pub municipality_name: String,
    /// Its category.
    pub category: CategoryId,
    /// The category's name.
    pub category_name: String,
    /// Where it is, as the public may see it ([`public_location`]).
    pub location: GeoPoint,
    /// Its current status.
    pub status: Status,
    /// Status changes with the municipality's public comments (without photos).
    pub history: Vec<PublicStatusChange>,
    /// When it was reported.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

pub use crate::publication::{
    PublicReport, PublishedReport, is_published, public_fields, public_location, public_view, publish,
};
