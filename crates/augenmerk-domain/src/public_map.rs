//! The public map and list of reports (issue 20), and the per-report publication choices
//! staff make.
//!
//! Key terms: the *grid* is the municipality's privacy raster (default 50 m): a public
//! position is the centre of the grid cell the report lies in, unless staff marked the
//! report *exact*. A *cell* of the map is the clustering raster of one zoom level: a cell
//! holding more than one report is shown as a *cluster* (count at the cell's centre).
//! Which reports and fields are public at all is decided by [`crate::public`].

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::geo::{BoundingBox, GeoPoint};
use crate::i18n::I18nText;
use crate::ids::{Ags, CategoryId, ReportId};
use crate::process::Status;

/// Metres per degree of latitude (mean).
const METRES_PER_DEGREE: f64 = 111_320.0;

/// Licence of the open data unless the municipality chooses another (Datenlizenz
/// Deutschland – Zero – Version 2.0).
pub const DEFAULT_LICENCE: &str = "dl-de/zero-2-0";

/// A municipality's choices for the public map and open data. Every field has a default,
/// so older stored settings read unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PublicSettings {
    /// Show the municipality's reports on the public map and in the open data.
    pub enabled: bool,
    /// Edge of the privacy grid in metres (positions are rounded to it unless exact).
    pub grid_m: u32,
    /// Publish the citizens' photos of reports staff approved.
    pub publish_photos: bool,
    /// Licence of the open data (a dl-de identifier such as `dl-de/zero-2-0` or `dl-de/by-2-0`).
    pub licence: String,
    /// Origins that may embed the map (`/embed/{ags}`), for CSP `frame-ancestors`.
    pub frame_ancestors: Vec<String>,
}

impl Default for PublicSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            grid_m: 50,
            publish_photos: false,
            licence: DEFAULT_LICENCE.to_owned(),
            frame_ancestors: Vec::new(),
        }
    }
}

impl PublicSettings {
    /// Checks the settings as an admin sends them: a grid of 10 m to 5 km, a licence
    /// identifier, and `frame_ancestors` as CSP source expressions (`https://host[:port]`,
    /// nothing that could end the header's directive).
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(10..=5_000).contains(&self.grid_m) {
            errors.push(FieldError::new("public.grid_m", "out_of_range"));
        }
        let id_char = |c: char| c.is_ascii_alphanumeric() || "-./_".contains(c);
        if self.licence.is_empty() || self.licence.len() > 64 || !self.licence.chars().all(id_char) {
            errors.push(FieldError::new("public.licence", "invalid"));
        }
        for (i, origin) in self.frame_ancestors.iter().enumerate() {
            let host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            let ok = host.is_some_and(|h| {
                !h.is_empty() && h.len() < 200 && h.chars().all(|c| c.is_ascii_alphanumeric() || "-.:*".contains(c))
            });
            if !ok {
                errors.push(FieldError::new(format!("public.frame_ancestors.{i}"), "invalid"));
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The grid edge actually used: never finer than 10 m, whatever was stored.
    pub fn grid(&self) -> u32 {
        self.grid_m.max(10)
    }
}

/// What the public configuration tells about the public map (`MunicipalityConfig::public`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PublicInfo {
    /// The municipality shows its reports publicly.
    pub enabled: bool,
    /// Licence of its open data.
    pub licence: String,
}

impl Default for PublicInfo {
    fn default() -> Self {
        PublicSettings::default().info()
    }
}

impl PublicSettings {
    /// The part the public configuration shows.
    pub fn info(&self) -> PublicInfo {
        PublicInfo {
            enabled: self.enabled,
            licence: self.licence.clone(),
        }
    }
}

/// Staff's publication choice for one report (`PUT /api/v1/staff/reports/{id}/publication`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Publication {
    /// Show the exact position (e.g. a public street lamp), not the grid cell.
    #[serde(default)]
    pub exact: bool,
    /// The citizen's text and photos may be published (if the municipality publishes them).
    #[serde(default)]
    pub approved: bool,
}

/// The centre of the `grid_m` grid cell `point` lies in. The cells are `grid_m` high and,
/// at the cell row's latitude, `grid_m` wide; every report in a cell gets the same
/// position, so the public cannot tell them apart within it.
pub fn snap_to_grid(point: GeoPoint, grid_m: u32) -> GeoPoint {
    let dlat = f64::from(grid_m.max(1)) / METRES_PER_DEGREE;
    let row = (point.lat / dlat).floor();
    let lat = (row + 0.5) * dlat;
    let dlon = dlat / lat.to_radians().cos().max(0.01);
    let lon = ((point.lon / dlon).floor() + 0.5) * dlon;
    // Seven decimals (1 cm) keep the JSON short without moving the cell centre.
    let round = |v: f64| (v * 1e7).round() / 1e7;
    GeoPoint {
        lat: round(lat),
        lon: round(lon),
    }
}

/// Highest zoom level the map asks for (OpenStreetMap tiles end at 19).
pub const MAX_ZOOM: u8 = 19;
/// At most this many reports in a viewport are shown one by one, unclustered.
pub const UNCLUSTERED_MAX: u64 = 50;

/// The clustering cell of a zoom level in degrees `(dlat, dlon)`: a quarter of a map
/// tile (64 px) wide, and as high as it is wide on the ground at `lat`. Depends on the
/// zoom and (in whole degrees) the latitude only, so clusters stay put while panning.
pub fn cell_size(zoom: u8, lat: f64) -> (f64, f64) {
    let zoom = zoom.min(MAX_ZOOM);
    let dlon = 360.0 / f64::from(1u32 << zoom) / 4.0;
    let dlat = dlon * lat.round().to_radians().cos().max(0.01);
    (dlat, dlon)
}

/// Which published reports a public request asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublicFilter {
    /// One municipality, or every municipality on the server.
    pub ags: Option<Ags>,
    /// Municipalities left out (those that switched the public map off).
    pub hidden: Vec<Ags>,
    /// Categories (empty: all).
    pub categories: Vec<CategoryId>,
    /// Statuses (empty: all published ones).
    pub statuses: Vec<Status>,
    /// Received at or after.
    pub from: Option<DateTime<Utc>>,
    /// Received before.
    pub to: Option<DateTime<Utc>>,
}

/// The query string of the public endpoints, as sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
pub struct PublicQuery {
    /// Municipality (AGS); absent: statewide.
    pub ags: Option<String>,
    /// `minLon,minLat,maxLon,maxLat` (map only).
    pub bbox: Option<String>,
    /// Map zoom level 0–19 (map only).
    pub zoom: Option<u8>,
    /// Category ids, comma-separated.
    pub category: Option<String>,
    /// `open`, `closed`, or status names, comma-separated.
    pub status: Option<String>,
    /// First day (`YYYY-MM-DD`, Europe/Berlin), inclusive.
    pub from: Option<String>,
    /// Last day (`YYYY-MM-DD`, Europe/Berlin), inclusive.
    pub to: Option<String>,
    /// Page from 1 (list only).
    pub page: Option<u32>,
    /// Items per page, 1–100 (list only).
    pub page_size: Option<u32>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Midnight at the start of `day` in Europe/Berlin.
fn berlin_midnight(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono_tz::Europe::Berlin
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

impl PublicQuery {
    /// The filter, parsed once; a field error names what is wrong.
    pub fn filter(&self) -> Result<PublicFilter, FieldError> {
        let ags = non_empty(&self.ags)
            .map(|a| Ags::parse(a).map_err(|_| FieldError::new("ags", "invalid")))
            .transpose()?;
        let categories = non_empty(&self.category)
            .map(|c| {
                c.split(',')
                    .map(|id| CategoryId::parse(id.trim()).map_err(|_| FieldError::new("category", "invalid")))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let mut statuses = Vec::new();
        for s in non_empty(&self.status).map(|s| s.split(',')).into_iter().flatten() {
            match s.trim() {
                "open" => statuses.extend(Status::ALL.into_iter().filter(|s| s.is_open())),
                "closed" => statuses.extend(Status::ALL.into_iter().filter(|s| !s.is_open())),
                other => statuses.push(Status::parse(other).ok_or_else(|| FieldError::new("status", "invalid"))?),
            }
        }
        // Turned-down reports are never public, whatever is asked for.
        statuses.retain(|s| *s != Status::Rejected);
        if non_empty(&self.status).is_some() && statuses.is_empty() {
            statuses.push(Status::Rejected); // matches nothing: the store never shows these
        }
        let day = |s: &Option<String>, field: &str| {
            non_empty(s)
                .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| FieldError::new(field, "invalid")))
                .transpose()
        };
        let from = day(&self.from, "from")?.map(berlin_midnight);
        let to = day(&self.to, "to")?.and_then(|d| d.succ_opt()).map(berlin_midnight);
        Ok(PublicFilter {
            ags,
            hidden: Vec::new(),
            categories,
            statuses,
            from,
            to,
        })
    }

    /// The viewport of a map request: the box (default: everything) and the zoom (default 8).
    pub fn viewport(&self) -> Result<(BoundingBox, u8), FieldError> {
        let bbox = match non_empty(&self.bbox) {
            Some(b) => BoundingBox::parse(b)?,
            None => BoundingBox {
                min_lon: -180.0,
                min_lat: -90.0,
                max_lon: 180.0,
                max_lat: 90.0,
            },
        };
        let zoom = self.zoom.unwrap_or(8);
        if zoom > MAX_ZOOM {
            return Err(FieldError::new("zoom", "out_of_range"));
        }
        Ok((bbox, zoom))
    }

    /// Page and page size of a list request (defaults 1 and 25, at most 100 per page).
    pub fn paging(&self) -> (u32, u32) {
        (
            self.page.unwrap_or(1).max(1),
            self.page_size.unwrap_or(25).clamp(1, 100),
        )
    }
}

/// A clustering cell holding more than one report: the count at the cell's centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapCluster {
    /// Centre of the cell.
    pub lat: f64,
    /// Centre of the cell.
    pub lon: f64,
    /// Reports in the cell.
    pub count: u64,
}

/// A report on the public map and list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicMapReport {
    /// Its id.
    pub id: ReportId,
    /// The responsible municipality.
    pub municipality: Ags,
    /// Its name.
    pub municipality_name: String,
    /// Category.
    pub category: CategoryId,
    /// The category's name.
    pub category_name: I18nText,
    /// Current status.
    pub status: Status,
    /// Public position: the grid cell's centre, or exact if staff marked it so.
    pub location: GeoPoint,
    /// Whether `location` is the exact position.
    pub exact: bool,
    /// When the server received it.
    pub received_at: DateTime<Utc>,
    /// The last public change.
    pub updated_at: DateTime<Utc>,
    /// The department, or the external authority it was forwarded to.
    pub handled_by: Option<String>,
    /// Public comments in its history.
    pub comments: u32,
}

/// `GET /api/v1/public/reports`: clusters and single reports in a viewport.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicMap {
    /// Cells with more than one report.
    pub clusters: Vec<MapCluster>,
    /// Reports shown one by one.
    pub reports: Vec<PublicMapReport>,
    /// Reports matching the filter in the box.
    pub total: u64,
}

/// `GET /api/v1/public/reports/list`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicReportList {
    /// The page's reports.
    pub items: Vec<PublicMapReport>,
    /// Matching reports in all.
    pub total: u64,
    /// Page from 1.
    pub page: u32,
    /// Items per page.
    pub page_size: u32,
}

/// One public status change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicHistoryEntry {
    /// The new status.
    pub to: Status,
    /// When.
    pub at: DateTime<Utc>,
    /// The municipality's public comment.
    pub comment: Option<String>,
}

/// `GET /api/v1/public/reports/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicReportDetail {
    /// The map/list fields.
    #[serde(flatten)]
    pub report: PublicMapReport,
    /// Public status changes, oldest first.
    pub history: Vec<PublicHistoryEntry>,
    /// The citizen's description (only if published and approved).
    pub description: Option<String>,
    /// The citizen's address hint (only if published and approved).
    pub address_hint: Option<String>,
    /// URLs of approved public photos.
    pub photos: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::public::publish;
    use crate::publication::tests::{change, report, settings};

    fn metres(a: GeoPoint, b: GeoPoint) -> f64 {
        let dy = (a.lat - b.lat) * METRES_PER_DEGREE;
        let dx = (a.lon - b.lon) * METRES_PER_DEGREE * a.lat.to_radians().cos();
        (dx * dx + dy * dy).sqrt()
    }

    #[test]
    fn grid_snapping_hides_the_position_within_the_cell() {
        let p = GeoPoint {
            lat: 54.781_234_5,
            lon: 9.436_789_1,
        };
        for grid in [10, 50, 200] {
            let s = snap_to_grid(p, grid);
            assert!(metres(p, s) <= f64::from(grid) * 0.75, "{grid}: {s:?}");
            assert_eq!(snap_to_grid(s, grid), s, "the centre is its own cell");
        }
        // Two points a few metres apart in one 50 m cell get the same position.
        let near = GeoPoint {
            lat: p.lat + 0.000_01,
            lon: p.lon + 0.000_01,
        };
        assert_eq!(snap_to_grid(near, 50), snap_to_grid(p, 50));
    }

    #[test]
    fn the_query_is_parsed_once() {
        let q = PublicQuery {
            category: Some("schlagloch, leuchte".into()),
            status: Some("open,rejected".into()),
            from: Some("2026-03-01".into()),
            to: Some("2026-03-31".into()),
            ..PublicQuery::default()
        };
        let f = q.filter().expect("valid");
        assert_eq!(f.categories.len(), 2);
        assert!(f.statuses.iter().all(|s| s.is_open() && *s != Status::Rejected));
        assert_eq!(f.from.map(|t| t.to_rfc3339()), Some("2026-02-28T23:00:00+00:00".into()));
        assert_eq!(f.to.map(|t| t.to_rfc3339()), Some("2026-03-31T22:00:00+00:00".into()));
        let only_rejected = PublicQuery {
            status: Some("rejected".into()),
            ..PublicQuery::default()
        };
        assert_eq!(only_rejected.filter().expect("valid").statuses, vec![Status::Rejected]);
        for bad in [
            PublicQuery {
                ags: Some("x".into()),
                ..PublicQuery::default()
            },
            PublicQuery {
                status: Some("maybe".into()),
                ..PublicQuery::default()
            },
            PublicQuery {
                from: Some("1.3.2026".into()),
                ..PublicQuery::default()
            },
        ] {
            assert!(bad.filter().is_err(), "{bad:?}");
        }
        let zoom = PublicQuery {
            zoom: Some(25),
            ..PublicQuery::default()
        };
        assert!(zoom.viewport().is_err());
    }

    #[test]
    fn public_settings_are_checked() {
        assert_eq!(PublicSettings::default().check(), Ok(()));
        let ok = PublicSettings {
            grid_m: 100,
            licence: "dl-de/by-2-0".into(),
            frame_ancestors: vec!["https://www.flensburg.de".into(), "https://*.kiel.de:8443".into()],
            ..PublicSettings::default()
        };
        assert_eq!(ok.check(), Ok(()));
        let bad = PublicSettings {
            grid_m: 5,
            licence: "dl de".into(),
            frame_ancestors: vec!["https://a.de; script-src *".into(), "www.b.de".into()],
            ..PublicSettings::default()
        };
        assert_eq!(bad.check().map_err(|e| e.len()), Err(4));
    }

    #[test]
    fn cells_halve_with_each_zoom_level() {
        let (a, b) = (cell_size(12, 54.78), cell_size(13, 54.9));
        assert!((a.1 / b.1 - 2.0).abs() < 1e-9);
        assert!(a.0 < a.1, "a degree of longitude is shorter up north");
    }

    #[test]
    fn the_map_rounds_to_the_grid_and_publishes_text_only_when_approved() {
        let r = report(Status::Resolved);
        let history = [change(Status::Received, 0), change(Status::Resolved, 5)];
        let mut s = settings(true);
        let unreviewed = publish(&r, &history, &s, &Publication::default()).expect("published");
        assert!(!unreviewed.exact);
        assert_eq!(unreviewed.report.location, snap_to_grid(r.location, 50));
        assert_eq!(unreviewed.report.description, None, "not approved");
        assert!(unreviewed.photos.is_empty());
        let approved = Publication {
            exact: true,
            approved: true,
        };
        let shown = publish(&r, &history, &s, &approved).expect("published");
        assert_eq!((shown.exact, shown.report.location), (true, r.location));
        assert_eq!(shown.report.description.as_deref(), Some(r.description.as_str()));
        s.publish_text = false;
        assert_eq!(
            publish(&r, &history, &s, &approved)
                .expect("published")
                .report
                .description,
            None
        );
        s.public.grid_m = 200;
        let coarse = publish(&r, &history, &s, &Publication::default()).expect("published");
        assert_eq!(coarse.report.location, snap_to_grid(r.location, 200));
        s.public.enabled = false;
        assert!(publish(&r, &history, &s, &approved).is_none(), "switched off");
        let rejected = report(Status::Rejected);
        assert!(publish(&rejected, &[change(Status::Rejected, 0)], &settings(true), &approved).is_none());
    }
}
