//! Types that citizens and the public may receive.
//!
//! These are built from the stored report by explicit conversion in the server; they
//! carry no staff names, no internal notes, no contact data of other people and nothing
//! from the audit trail but status changes with their public comment.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::administration::{AdministrationRef, Delivery, GemeindeInfo, place_name};
use crate::api::MunicipalitySettings;
use crate::category::CategoryTree;
use crate::geo::GeoPoint;
use crate::ids::{Ags, BlobHash, CategoryId, DeviceId, MessageId, ReportId};
use crate::process::Status;
use crate::public_map::{Publication, snap_to_grid};
use crate::report::{Answers, Report};

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
    /// Where it is; rounded to about ten metres.
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
    /// Where it is; rounded to about ten metres.
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

/// A report as anyone may see it. This is the one publication policy behind every
/// public view of a report — the Open311 feed, the reports a device follows, the
/// "already reported?" list, and (with staff's per-report choice, see [`publish`]) the
/// public map and the open data — so that they cannot drift apart:
///
/// - the position is rounded to about ten metres ([`GeoPoint::rounded_for_public`]);
/// - the citizen's description and address hint only if the municipality publishes
///   them ([`MunicipalitySettings::publish_text`], off by default), never the answers,
///   photos, contact data, device or messages;
/// - the process as the citizen sees it: status and the public status changes with
///   the municipality's public comments (without photos), no internal dates (due
///   date, internal edits: `updated_at` is the last public change);
/// - reports the municipality turned down (rejected, or closed after a rejection) are
///   not published at all ([`public_view`] gives `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicReport {
    /// Its id.
    pub id: ReportId,
    /// The responsible municipality.
    pub municipality: Ags,
    /// Its category.
    pub category: CategoryId,
    /// Where it is; rounded to about ten metres.
    pub location: GeoPoint,
    /// Its current status.
    pub status: Status,
    /// The citizen's description, if the municipality publishes it.
    pub description: Option<String>,
    /// The citizen's address hint, if the municipality publishes it.
    pub address_hint: Option<String>,
    /// Public status changes with their comments, oldest first (without photos).
    pub history: Vec<PublicStatusChange>,
    /// When it was reported (the device's time).
    pub created_at: DateTime<Utc>,
    /// When the server received it.
    pub received_at: DateTime<Utc>,
    /// The last public change (a status change), else its arrival.
    pub updated_at: DateTime<Utc>,
}

/// Whether the public may see a report at all: not when the municipality turned it
/// down — rejected, or closed after a rejection (its last status before closing, from
/// the public `history`, oldest first).
pub fn is_published(report: &Report, history: &[PublicStatusChange]) -> bool {
    let decided = history
        .iter()
        .rev()
        .map(|c| c.to)
        .find(|s| *s != Status::Closed)
        .unwrap_or(report.status);
    match report.status {
        Status::Rejected => false,
        Status::Closed => decided != Status::Rejected,
        _ => true,
    }
}

/// The report as the public may see it, or `None` if it is not published (see
/// [`PublicReport`] for the policy). `history` is its public status history.
pub fn public_view(
    report: &Report,
    history: &[PublicStatusChange],
    settings: &MunicipalitySettings,
) -> Option<PublicReport> {
    is_published(report, history).then(|| public_fields(report, history, settings))
}

/// The public fields of a report whether or not it is published: for a device that has
/// its own reason to know the report (it follows it, and its feed carries the status
/// changes anyway). Everything else goes through [`public_view`].
pub fn public_fields(report: &Report, history: &[PublicStatusChange], settings: &MunicipalitySettings) -> PublicReport {
    fields(
        report,
        history,
        settings.publish_text,
        report.location.rounded_for_public(),
    )
}

/// A report as the public map and the open data show it: [`PublicReport`] plus the
/// marks of the map (see [`publish`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedReport {
    /// The public fields.
    pub report: PublicReport,
    /// Whether `report.location` is the exact position.
    pub exact: bool,
    /// The citizen's photos, where the municipality publishes photos and staff approved.
    pub photos: Vec<BlobHash>,
}

/// The policy of the public map and the open data (issue 20), a stricter form of
/// [`public_view`]: nothing if the municipality switched the public map off or the report
/// is not published ([`is_published`]); the position on the municipality's grid
/// ([`crate::public_map::snap_to_grid`], default 50 m) unless staff marked it exact; the
/// citizen's text only where the municipality publishes text *and* staff approved the
/// report, photos only where it publishes photos and staff approved. Erased reports
/// (their content removed) never reach this: the store leaves them out.
pub fn publish(
    report: &Report,
    history: &[PublicStatusChange],
    settings: &MunicipalitySettings,
    publication: &Publication,
) -> Option<PublishedReport> {
    if !settings.public.enabled || !is_published(report, history) {
        return None;
    }
    let location = if publication.exact {
        report.location
    } else {
        snap_to_grid(report.location, settings.public.grid())
    };
    let photos = if settings.public.publish_photos && publication.approved {
        report.photos.clone()
    } else {
        Vec::new()
    };
    Some(PublishedReport {
        report: fields(report, history, settings.publish_text && publication.approved, location),
        exact: publication.exact,
        photos,
    })
}

fn fields(report: &Report, history: &[PublicStatusChange], publish_text: bool, location: GeoPoint) -> PublicReport {
    let text = |t: Option<&str>| t.filter(|_| publish_text).filter(|t| !t.is_empty()).map(str::to_owned);
    PublicReport {
        id: report.id,
        municipality: report.municipality.clone(),
        category: report.category.clone(),
        location,
        status: report.status,
        description: text(Some(report.description.as_str())),
        address_hint: text(report.address_hint.as_deref()),
        history: history
            .iter()
            .map(|c| PublicStatusChange {
                photos: Vec::new(),
                ..c.clone()
            })
            .collect(),
        created_at: report.created_at,
        received_at: report.received_at,
        updated_at: history
            .last()
            .map_or(report.received_at, |c| c.at.max(report.received_at)),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::{Channel, Priority};

    pub(crate) fn report(status: Status) -> Report {
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        Report {
            id: ReportId::new_random(),
            municipality: Ags::parse("01001000").expect("ags"),
            gemeinde: Ags::parse("01001000").expect("ags"),
            device_id: Some(DeviceId::new_random()),
            category: CategoryId::parse("schlagloch").expect("id"),
            answers: Answers::new(),
            description: "Loch vor Nr. 12, Herr Muster, 0461 123456".into(),
            location: GeoPoint {
                lat: 54.781_234_5,
                lon: 9.436_789_1,
            },
            address_hint: Some("Hinterhof Muster".into()),
            photos: Vec::new(),
            contact_email: None,
            consent: true,
            consent_version: None,
            status,
            priority: Priority::Normal,
            due_at: Some(at + chrono::Duration::days(3)),
            department: None,
            assignee: None,
            forwarded_to: None,
            duplicate_of: None,
            routed_by: None,
            channel: Channel::App,
            created_at: at,
            received_at: at,
            // An internal edit later than any public change.
            updated_at: at + chrono::Duration::days(2),
        }
    }

    pub(crate) fn change(to: Status, hours: i64) -> PublicStatusChange {
        PublicStatusChange {
            from: None,
            to,
            comment: Some(format!("→ {to}")),
            at: DateTime::from_timestamp(1_800_000_000 + hours * 3600, 0).unwrap_or_default(),
            photos: vec![BlobHash::parse(&"a".repeat(64)).expect("hash")],
        }
    }

    pub(crate) fn settings(publish_text: bool) -> MunicipalitySettings {
        MunicipalitySettings {
            publish_text,
            ..MunicipalitySettings::default()
        }
    }

    #[test]
    fn reports_turned_down_are_not_published() {
        use Status::*;
        // (current status, history, published)
        let cases: &[(Status, &[Status], bool)] = &[
            (Received, &[Received], true),
            (InProgress, &[Received, Assigned, InProgress], true),
            (Resolved, &[Received, Resolved], true),
            (Closed, &[Received, Resolved, Closed], true),
            (Forwarded, &[Received, Forwarded], true),
            (Duplicate, &[Received, Duplicate], true),
            (Rejected, &[Received, Rejected], false),
            (Rejected, &[], false),
            (Closed, &[Received, Rejected, Closed], false),
            (Closed, &[], true),
        ];
        for (status, steps, published) in cases {
            let history: Vec<_> = steps.iter().enumerate().map(|(i, s)| change(*s, i as i64)).collect();
            let r = report(*status);
            assert_eq!(is_published(&r, &history), *published, "{status} after {steps:?}");
            assert_eq!(public_view(&r, &history, &settings(true)).is_some(), *published);
        }
    }

    #[test]
    fn the_public_view_hides_what_is_not_published() {
        let r = report(Status::InProgress);
        let history = [change(Status::Received, 0), change(Status::InProgress, 5)];
        let v = public_view(&r, &history, &settings(false)).expect("published");
        assert_eq!(
            v.location,
            GeoPoint {
                lat: 54.7812,
                lon: 9.4368
            }
        );
        assert_eq!((&v.description, &v.address_hint), (&None, &None));
        assert!(
            v.history.iter().all(|c| c.photos.is_empty()),
            "photos are the reporter's"
        );
        assert_eq!(v.history[1].comment.as_deref(), Some("→ in_progress"));
        assert_eq!(
            v.updated_at, history[1].at,
            "the last public change, not an internal edit"
        );
        let text = serde_json::to_string(&v).expect("json");
        let photo = "a".repeat(64);
        for hidden in [
            "Muster",
            "0461",
            "due",
            "device",
            "contact",
            "answers",
            "54.781234",
            &photo,
        ] {
            assert!(!text.contains(hidden), "{hidden} in {text}");
        }
        let published = public_view(&r, &history, &settings(true)).expect("published");
        assert_eq!(published.description.as_deref(), Some(r.description.as_str()));
        assert_eq!(published.address_hint, r.address_hint);
    }
}
