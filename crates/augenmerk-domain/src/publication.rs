//! The publication policy: what anyone may see of a report ([`public_view`]), and the
//! stricter form the public map and the open data apply with staff's per-report choice
//! ([`publish`]). One place, so that the public views cannot drift apart; re-exported
//! from [`crate::public`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::MunicipalitySettings;
use crate::geo::GeoPoint;
use crate::ids::{Ags, BlobHash, CategoryId, ReportId};
use crate::process::Status;
use crate::public::PublicStatusChange;
use crate::public_map::{Publication, snap_to_grid};
use crate::report::Report;

/// A report as anyone may see it. This is the one publication policy behind every
/// public view of a report — the Open311 feed, the reports a device follows, the
/// "already reported?" list, and (with staff's per-report choice, see [`publish`]) the
/// public map and the open data — so that they cannot drift apart:
///
/// - the position on the municipality's grid (default 50 m) unless staff marked the
///   report exact ([`public_location`]: the public map's rule, the only one);
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
    /// Where it is, as the public may see it ([`public_location`]).
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
/// [`PublicReport`] for the policy). `history` is its public status history,
/// `publication` staff's choice for it.
pub fn public_view(
    report: &Report,
    history: &[PublicStatusChange],
    settings: &MunicipalitySettings,
    publication: &Publication,
) -> Option<PublicReport> {
    is_published(report, history).then(|| public_fields(report, history, settings, publication))
}

/// The public fields of a report whether or not it is published: for a device that has
/// its own reason to know the report (it follows it, and its feed carries the status
/// changes anyway). Everything else goes through [`public_view`].
pub fn public_fields(
    report: &Report,
    history: &[PublicStatusChange],
    settings: &MunicipalitySettings,
    publication: &Publication,
) -> PublicReport {
    fields(
        report,
        history,
        settings.publish_text,
        public_location(report.location, settings, publication),
    )
}

/// Where the public sees a report, in every public view (the map, the open data, Open311,
/// the "already reported?" list, followed reports): the centre of its cell on the
/// municipality's grid ([`snap_to_grid`], default 50 m), or the exact position where
/// staff marked the report so (a street lamp, a sign).
pub fn public_location(location: GeoPoint, settings: &MunicipalitySettings, publication: &Publication) -> GeoPoint {
    if publication.exact {
        location
    } else {
        snap_to_grid(location, settings.public.grid())
    }
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
    let location = public_location(report.location, settings, publication);
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
    use crate::ids::DeviceId;
    use crate::report::{Answers, Channel, Priority};

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
            assert_eq!(
                public_view(&r, &history, &settings(true), &Publication::default()).is_some(),
                *published
            );
        }
    }

    #[test]
    fn the_public_view_hides_what_is_not_published() {
        let r = report(Status::InProgress);
        let history = [change(Status::Received, 0), change(Status::InProgress, 5)];
        let v = public_view(&r, &history, &settings(false), &Publication::default()).expect("published");
        // On the municipality's grid (default 50 m), as the public map shows it.
        assert_eq!(v.location, snap_to_grid(r.location, 50));
        assert_ne!(v.location, r.location);
        let exact = Publication {
            exact: true,
            approved: false,
        };
        let marked = public_view(&r, &history, &settings(false), &exact).expect("published");
        assert_eq!(marked.location, r.location, "staff marked it exact");
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
        let published = public_view(&r, &history, &settings(true), &Publication::default()).expect("published");
        assert_eq!(published.description.as_deref(), Some(r.description.as_str()));
        assert_eq!(published.address_hint, r.address_hint);
    }
}
