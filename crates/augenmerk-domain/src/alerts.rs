//! E-mail alerts of the public map: a citizen asks to hear by mail of new reports, or of
//! status changes, in an area (a circle around a place, or a polygon drawn on the map),
//! as FixMyStreet's local alerts do.
//!
//! Double opt-in: a subscription does nothing until the link mailed to the address is
//! opened; every alert mail carries a one-click unsubscribe, which deletes the
//! subscription (the address is kept for nothing else). What a mail says about a report
//! is what the public map shows of it (`crate::public::publish`), never more.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::geo::{BoundingBox, GeoPoint};
use crate::i18n::Language;
use crate::ids::Ags;
use crate::report::Email;

/// The smallest radius of a circle (a smaller one would hardly hold a report on the
/// public map's 50 m grid).
pub const MIN_RADIUS_M: u32 = 100;
/// The largest radius of a circle.
pub const MAX_RADIUS_M: u32 = 5_000;
/// The radius the forms offer first ("within 500 m of here").
pub const DEFAULT_RADIUS_M: u32 = 500;
/// Most corners of a drawn area.
pub const MAX_POINTS: usize = 100;
/// The largest extent of a drawn area (its bounding box's diagonal): a town, not a state.
pub const MAX_EXTENT_M: f64 = 30_000.0;
/// How long an unconfirmed subscription waits for its confirmation before it is deleted.
pub const CONFIRM_DAYS: i64 = 7;
/// Subscriptions (confirmed or not) one address may have.
pub const MAX_PER_ADDRESS: u32 = 10;

/// Where a subscriber wants to hear of reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AlertArea {
    /// Within `radius_m` metres of a place.
    Circle {
        /// The place.
        center: GeoPoint,
        /// Metres, 100 to 5,000.
        radius_m: u32,
    },
    /// Inside a polygon drawn on the map (its corners in order; it closes by itself).
    Polygon {
        /// 3 to 100 corners.
        points: Vec<GeoPoint>,
    },
}

impl AlertArea {
    /// Checks the area as it arrived: valid positions, a sensible size.
    pub fn validated(self) -> Result<Self, FieldError> {
        match &self {
            AlertArea::Circle { center, radius_m } => {
                center
                    .validated()
                    .map_err(|_| FieldError::new("area.center", "out_of_range"))?;
                if !(MIN_RADIUS_M..=MAX_RADIUS_M).contains(radius_m) {
                    return Err(FieldError::new("area.radius_m", "out_of_range"));
                }
            }
            AlertArea::Polygon { points } => {
                if points.len() < 3 {
                    return Err(FieldError::new("area.points", "too_few"));
                }
                if points.len() > MAX_POINTS {
                    return Err(FieldError::new("area.points", "too_many"));
                }
                for p in points {
                    p.validated()
                        .map_err(|_| FieldError::new("area.points", "out_of_range"))?;
                }
                let b = self.bbox();
                let diagonal = GeoPoint {
                    lat: b.min_lat,
                    lon: b.min_lon,
                }
                .distance_m(&GeoPoint {
                    lat: b.max_lat,
                    lon: b.max_lon,
                });
                if diagonal > MAX_EXTENT_M {
                    return Err(FieldError::new("area.points", "too_large"));
                }
                if diagonal < 1.0 {
                    return Err(FieldError::new("area.points", "too_small"));
                }
            }
        }
        Ok(self)
    }

    /// The smallest box holding the area (what the store narrows its search to).
    pub fn bbox(&self) -> BoundingBox {
        match self {
            AlertArea::Circle { center, radius_m } => {
                // Degrees per metre: 1/111,320 north–south, wider east–west by 1/cos(lat).
                let dlat = f64::from(*radius_m) / 111_320.0;
                let dlon = dlat / center.lat.to_radians().cos().max(0.01);
                BoundingBox {
                    min_lon: center.lon - dlon,
                    min_lat: center.lat - dlat,
                    max_lon: center.lon + dlon,
                    max_lat: center.lat + dlat,
                }
            }
            AlertArea::Polygon { points } => points.iter().fold(
                BoundingBox {
                    min_lon: f64::INFINITY,
                    min_lat: f64::INFINITY,
                    max_lon: f64::NEG_INFINITY,
                    max_lat: f64::NEG_INFINITY,
                },
                |b, p| BoundingBox {
                    min_lon: b.min_lon.min(p.lon),
                    min_lat: b.min_lat.min(p.lat),
                    max_lon: b.max_lon.max(p.lon),
                    max_lat: b.max_lat.max(p.lat),
                },
            ),
        }
    }
}

/// What a subscriber wants to hear of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertEvents {
    /// Reports that arrive in the area.
    pub new_reports: bool,
    /// Status changes of reports in the area.
    pub status_changes: bool,
}

/// `POST /api/v1/public/alerts`, as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertRequest {
    /// The address the alerts go to (a confirmation link goes there first).
    pub email: String,
    /// The area.
    pub area: AlertArea,
    /// Only reports of this municipality (AGS); absent: every municipality on the server.
    #[serde(default)]
    pub ags: Option<String>,
    /// Hear of new reports (default yes).
    #[serde(default = "yes")]
    pub new_reports: bool,
    /// Hear of status changes (default yes).
    #[serde(default = "yes")]
    pub status_changes: bool,
    /// Language of the mails (default German).
    #[serde(default)]
    pub language: Option<Language>,
}

fn yes() -> bool {
    true
}

/// A subscription request, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    /// The address.
    pub email: Email,
    /// The area.
    pub area: AlertArea,
    /// One municipality, or all.
    pub ags: Option<Ags>,
    /// What to hear of.
    pub events: AlertEvents,
    /// Language of the mails.
    pub language: Language,
}

impl AlertRequest {
    /// Parses the request once; every problem is named.
    pub fn parse(self) -> Result<NewAlert, Vec<FieldError>> {
        let mut problems = Vec::new();
        let email = Email::parse(&self.email)
            .map_err(|_| problems.push(FieldError::new("email", "invalid_email")))
            .ok();
        let area = self.area.validated().map_err(|e| problems.push(e)).ok();
        let ags = match self.ags.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            Some(a) => Ags::parse(a)
                .map(Some)
                .map_err(|_| problems.push(FieldError::new("ags", "invalid")))
                .unwrap_or(None),
            None => None,
        };
        if !self.new_reports && !self.status_changes {
            problems.push(FieldError::new("new_reports", "nothing_chosen"));
        }
        match (email, area) {
            (Some(email), Some(area)) if problems.is_empty() => Ok(NewAlert {
                email,
                area,
                ags,
                events: AlertEvents {
                    new_reports: self.new_reports,
                    status_changes: self.status_changes,
                },
                language: self.language.unwrap_or_default(),
            }),
            _ => Err(problems),
        }
    }
}

/// A subscription as its owner sees it behind the link (`GET /api/v1/public/alerts/{token}`);
/// the address itself is not repeated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertView {
    /// The area.
    pub area: AlertArea,
    /// One municipality, or all.
    pub ags: Option<Ags>,
    /// What is sent.
    pub events: AlertEvents,
    /// Language of the mails.
    pub language: Language,
    /// When the address was confirmed (nothing is sent before).
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
}

/// What happened to a report, for an alert.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertChange {
    /// It arrived.
    New,
    /// Its status changed (with the municipality's public comment).
    Status {
        /// The new status.
        to: crate::process::Status,
        /// The public comment.
        comment: Option<String>,
    },
}

/// Whether a subscriber hears of a change of a report of `ags` shown at `position`:
/// the municipality matches, they asked for this kind of change, and the report's public
/// position lies in their area (`contains`, the geometry test, is the caller's: it needs
/// a geometry library the domain does without).
pub fn wants(
    subscription_ags: Option<&Ags>,
    events: AlertEvents,
    ags: &Ags,
    change: &AlertChange,
    in_area: bool,
) -> bool {
    let kind = match change {
        AlertChange::New => events.new_reports,
        AlertChange::Status { .. } => events.status_changes,
    };
    kind && in_area && subscription_ags.is_none_or(|a| a == ags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn circle(radius_m: u32) -> AlertArea {
        AlertArea::Circle {
            center: GeoPoint { lat: 54.78, lon: 9.43 },
            radius_m,
        }
    }

    fn request(area: AlertArea) -> AlertRequest {
        AlertRequest {
            email: "anwohner@example.org".into(),
            area,
            ags: Some("01001000".into()),
            new_reports: true,
            status_changes: false,
            language: Some(Language::En),
        }
    }

    #[test]
    fn a_request_parses_into_a_subscription() {
        let alert = request(circle(500)).parse().expect("valid");
        assert_eq!(alert.email.as_str(), "anwohner@example.org");
        assert_eq!(alert.ags.as_ref().map(Ags::as_str), Some("01001000"));
        assert!(alert.events.new_reports && !alert.events.status_changes);
        assert_eq!(alert.language, Language::En);
    }

    #[test]
    fn every_problem_of_a_request_is_named() {
        let mut r = request(circle(20));
        r.email = "no address".into();
        r.ags = Some("1".into());
        r.new_reports = false;
        let problems = r.parse().expect_err("invalid");
        let fields: Vec<_> = problems
            .iter()
            .map(|p| (p.field.as_str(), p.problem.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("email", "invalid_email"),
                ("area.radius_m", "out_of_range"),
                ("ags", "invalid"),
                ("new_reports", "nothing_chosen"),
            ]
        );
    }

    #[test]
    fn areas_must_be_a_sensible_size() {
        assert!(circle(MAX_RADIUS_M + 1).validated().is_err());
        assert!(circle(MAX_RADIUS_M).validated().is_ok());
        let p = |lat, lon| GeoPoint { lat, lon };
        let triangle = AlertArea::Polygon {
            points: vec![p(54.78, 9.43), p(54.79, 9.43), p(54.79, 9.45)],
        };
        assert!(triangle.clone().validated().is_ok());
        let two = AlertArea::Polygon {
            points: vec![p(54.78, 9.43), p(54.79, 9.43)],
        };
        assert_eq!(two.validated().map_err(|e| e.problem), Err("too_few".into()));
        let state = AlertArea::Polygon {
            points: vec![p(54.0, 9.0), p(54.9, 9.0), p(54.9, 10.5)],
        };
        assert_eq!(state.validated().map_err(|e| e.problem), Err("too_large".into()));
        let bad = AlertArea::Polygon {
            points: vec![p(54.78, 9.43), p(95.0, 9.43), p(54.79, 9.45)],
        };
        assert_eq!(bad.validated().map_err(|e| e.problem), Err("out_of_range".into()));
    }

    #[test]
    fn a_circles_box_holds_it() {
        let b = circle(1000).bbox();
        let center = GeoPoint { lat: 54.78, lon: 9.43 };
        let north = GeoPoint {
            lat: b.max_lat,
            lon: 9.43,
        };
        let east = GeoPoint {
            lat: 54.78,
            lon: b.max_lon,
        };
        assert!((center.distance_m(&north) - 1000.0).abs() < 5.0);
        assert!((center.distance_m(&east) - 1000.0).abs() < 5.0);
    }

    #[test]
    fn a_subscriber_hears_only_of_what_they_chose_in_their_area_and_municipality() {
        let flensburg = Ags::parse("01001000").expect("ags");
        let kiel = Ags::parse("01002000").expect("ags");
        let only_new = AlertEvents {
            new_reports: true,
            status_changes: false,
        };
        let status = AlertChange::Status {
            to: crate::process::Status::InProgress,
            comment: None,
        };
        assert!(wants(Some(&flensburg), only_new, &flensburg, &AlertChange::New, true));
        assert!(!wants(Some(&flensburg), only_new, &flensburg, &status, true));
        assert!(!wants(Some(&flensburg), only_new, &flensburg, &AlertChange::New, false));
        assert!(!wants(Some(&flensburg), only_new, &kiel, &AlertChange::New, true));
        assert!(wants(None, only_new, &kiel, &AlertChange::New, true));
    }
}
