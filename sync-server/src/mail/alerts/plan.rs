//! Which of a round's happenings each alert subscriber hears of. Pure: the round reads
//! the published reports and status changes of its window, this decides per subscriber.

use chrono::{DateTime, Utc};

use augenmerk_domain::alerts::{AlertChange, wants};
use augenmerk_domain::public_map::PublicMapReport;
use augenmerk_geo::alert_area_contains;
use augenmerk_store::AlertRecord;

/// Something that happened to a published report within a round's window.
#[derive(Debug, Clone, PartialEq)]
pub struct Happening {
    /// The report as the public map shows it (its position on the grid unless exact).
    pub report: PublicMapReport,
    /// What happened.
    pub change: AlertChange,
    /// When.
    pub at: DateTime<Utc>,
}

/// The happenings a subscriber hears of, oldest first: in their area (by the public
/// position, so a mail never tells more than the map), of the kinds and municipality they
/// chose, and after they confirmed (nothing from before they asked).
pub fn for_subscriber<'a>(alert: &AlertRecord, happenings: &'a [Happening]) -> Vec<&'a Happening> {
    let Some(confirmed_at) = alert.confirmed_at else {
        return Vec::new();
    };
    let mut mine: Vec<&Happening> = happenings
        .iter()
        .filter(|h| h.at >= confirmed_at)
        .filter(|h| {
            wants(
                alert.ags.as_ref(),
                alert.events,
                &h.report.municipality,
                &h.change,
                alert_area_contains(&alert.area, h.report.location),
            )
        })
        .collect();
    mine.sort_by_key(|h| h.at);
    mine
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use uuid::Uuid;

    use augenmerk_domain::alerts::{AlertArea, AlertEvents};
    use augenmerk_domain::{Ags, CategoryId, GeoPoint, I18nText, Language, ReportId, Status};

    use super::*;

    fn report(ags: &str, lat: f64, lon: f64) -> PublicMapReport {
        let now = Utc::now();
        PublicMapReport {
            id: ReportId::new_random(),
            municipality: Ags::parse(ags).expect("ags"),
            municipality_name: "Flensburg".into(),
            category: CategoryId::parse("schlagloch").expect("id"),
            category_name: I18nText::new("Schlagloch", "Pothole"),
            status: Status::Received,
            location: GeoPoint { lat, lon },
            exact: false,
            received_at: now,
            updated_at: now,
            handled_by: None,
            comments: 0,
        }
    }

    fn alert(confirmed_at: Option<DateTime<Utc>>) -> AlertRecord {
        AlertRecord {
            id: Uuid::new_v4(),
            token: "t".into(),
            email: "a@example.org".into(),
            language: Language::De,
            ags: Some(Ags::parse("01001000").expect("ags")),
            area: AlertArea::Circle {
                center: GeoPoint { lat: 54.78, lon: 9.43 },
                radius_m: 500,
            },
            events: AlertEvents {
                new_reports: true,
                status_changes: true,
            },
            created_at: Utc::now() - Duration::hours(2),
            confirmed_at,
        }
    }

    #[test]
    fn a_subscriber_hears_of_their_area_since_confirming_oldest_first() {
        let now = Utc::now();
        let near = report("01001000", 54.781, 9.431);
        let far = report("01001000", 54.80, 9.43);
        let happened = |r: &PublicMapReport, change, minutes| Happening {
            report: r.clone(),
            change,
            at: now - Duration::minutes(minutes),
        };
        let moved = AlertChange::Status {
            to: Status::InProgress,
            comment: Some("Wir kommen".into()),
        };
        let all = vec![
            happened(&near, moved.clone(), 5),
            happened(&near, AlertChange::New, 10),
            happened(&far, AlertChange::New, 10),
            happened(&near, AlertChange::New, 90),
        ];
        let sub = alert(Some(now - Duration::hours(1)));
        let mine = for_subscriber(&sub, &all);
        assert_eq!(
            mine.len(),
            2,
            "the far one and the one from before confirming are left out"
        );
        assert_eq!(mine[0].change, AlertChange::New);
        assert_eq!(mine[1].change, moved);
        assert!(
            for_subscriber(&alert(None), &all).is_empty(),
            "nothing before the confirmation"
        );
    }
}
