//! The public map's side of the wire: the answers of `/api/v1/public/reports…` as the page
//! reads them, the filter the citizen chose, and the query strings built from it.
//!
//! The types mirror the JSON shapes agreed for issue 20 (the server's are in
//! `augenmerk_domain::public_map`). The page keeps its own copies with lenient defaults so
//! that a field the server adds later, or leaves out, does not blank the whole page.

use chrono::{DateTime, NaiveDate, Utc};
use gloo_net::http::Request;
use serde::Deserialize;

use augenmerk_domain::category::CategoryTree;
use augenmerk_domain::{I18nText, Status};

use crate::backend::web::WebBackend;
use crate::backend::{UiError, UiResult};

/// A point on the map.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct LatLon {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// Several reports in one cell of the server's grid.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Cluster {
    /// Latitude of the cell's reports' centre.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// How many reports.
    pub count: u64,
}

/// One report as the public sees it (position on the municipality's grid unless exact).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PublicMapReport {
    /// The report's id.
    pub id: String,
    /// The municipality's AGS.
    pub municipality: String,
    /// Its name.
    #[serde(default)]
    pub municipality_name: String,
    /// Category id.
    pub category: String,
    /// Category name in both languages.
    pub category_name: I18nText,
    /// Current status.
    pub status: Status,
    /// Where (rounded unless `exact`).
    pub location: LatLon,
    /// Whether staff published the exact position.
    #[serde(default)]
    pub exact: bool,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// The department or external authority working on it.
    #[serde(default)]
    pub handled_by: Option<String>,
    /// Public comments in its history.
    #[serde(default)]
    pub comments: u32,
}

/// The map's answer for a viewport.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct PublicMap {
    /// Cells holding more than one report.
    #[serde(default)]
    pub clusters: Vec<Cluster>,
    /// Single reports.
    #[serde(default)]
    pub reports: Vec<PublicMapReport>,
    /// Reports matching the filter in the viewport.
    #[serde(default)]
    pub total: u64,
}

/// One page of the list, newest first.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct PublicList {
    /// The reports on this page.
    #[serde(default)]
    pub items: Vec<PublicMapReport>,
    /// All matching reports.
    #[serde(default)]
    pub total: u64,
    /// This page (from 1).
    #[serde(default)]
    pub page: u32,
    /// Reports per page.
    #[serde(default)]
    pub page_size: u32,
}

/// One step of a report's public history.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HistoryEntry {
    /// The status it moved to.
    pub to: Status,
    /// When.
    pub at: DateTime<Utc>,
    /// The municipality's public comment.
    #[serde(default)]
    pub comment: Option<String>,
}

/// A report with its history, as the detail view shows it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PublicReportDetail {
    /// What the list shows too.
    #[serde(flatten)]
    pub report: PublicMapReport,
    /// Status changes with the public comments, oldest first.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// The citizen's text, when the municipality publishes it and staff approved it.
    #[serde(default)]
    pub description: Option<String>,
    /// The citizen's hint to the place, likewise.
    #[serde(default)]
    pub address_hint: Option<String>,
    /// URLs of approved public photos.
    #[serde(default)]
    pub photos: Vec<String>,
}

/// What the page needs of a municipality's public configuration
/// (`GET /api/v1/municipalities/{ags}/config`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MunicipalityPage {
    /// Its name.
    pub name: String,
    /// Its boundary (GeoJSON geometry), to fit the map to.
    #[serde(default)]
    pub boundary: Option<serde_json::Value>,
    /// Its categories, for the filter.
    #[serde(default)]
    pub categories: Option<CategoryTree>,
    /// Whether and under which licence it publishes its reports.
    #[serde(default)]
    pub public: PublicInfo,
}

/// A municipality's publishing choices as its public configuration shows them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PublicInfo {
    /// Whether the public map shows its reports (on unless it switched it off).
    #[serde(default = "enabled_default")]
    pub enabled: bool,
    /// The open-data licence's id (`dl-de/zero-2-0` unless it chose another).
    #[serde(default)]
    pub licence: Option<String>,
}

impl Default for PublicInfo {
    fn default() -> Self {
        Self {
            enabled: true,
            licence: None,
        }
    }
}

fn enabled_default() -> bool {
    true
}

/// Which reports the citizen wants to see, in wire form per field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    /// A category id; empty for all.
    pub category: String,
    /// `open`, `closed`, one status' wire name; empty for all.
    pub status: String,
    /// First day (inclusive).
    pub from: Option<NaiveDate>,
    /// Last day (inclusive).
    pub to: Option<NaiveDate>,
}

/// The visible part of the map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// West, south, east, north in degrees.
    pub bbox: [f64; 4],
    /// Leaflet's zoom level.
    pub zoom: u32,
}

/// The status choices of the filter, besides "all": open, closed (every finished status),
/// and each status a public report can have (rejected reports are never public). The
/// single status "closed" is not offered: on the wire `closed` names the group.
pub const STATUS_CHOICES: [&str; 8] = [
    "open",
    "closed",
    "received",
    "assigned",
    "in_progress",
    "forwarded",
    "duplicate",
    "resolved",
];

/// The query parameters every public request shares: municipality and filter.
fn filter_params(ags: Option<&str>, filter: &Filter) -> Vec<(&'static str, String)> {
    let mut params = Vec::new();
    if let Some(ags) = ags.filter(|a| !a.is_empty()) {
        params.push(("ags", ags.to_owned()));
    }
    if !filter.category.is_empty() {
        params.push(("category", filter.category.clone()));
    }
    if !filter.status.is_empty() {
        params.push(("status", filter.status.clone()));
    }
    if let Some(from) = filter.from {
        params.push(("from", from.format("%Y-%m-%d").to_string()));
    }
    if let Some(to) = filter.to {
        params.push(("to", to.format("%Y-%m-%d").to_string()));
    }
    params
}

fn query(params: &[(&str, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes a query value (RFC 3986 unreserved characters and `,` stay).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The map's request: `reports?ags=…&bbox=w,s,e,n&zoom=…&…`.
pub fn map_query(ags: Option<&str>, filter: &Filter, view: Viewport) -> String {
    let mut params = filter_params(ags, filter);
    let [w, s, e, n] = view.bbox;
    params.push(("bbox", format!("{w:.6},{s:.6},{e:.6},{n:.6}")));
    params.push(("zoom", view.zoom.to_string()));
    query(&params)
}

/// The list's request for a page (from 1).
pub fn list_query(ags: Option<&str>, filter: &Filter, page: u32, page_size: u32) -> String {
    let mut params = filter_params(ags, filter);
    params.push(("page", page.to_string()));
    params.push(("page_size", page_size.to_string()));
    query(&params)
}

/// Where the API is: the page's own server, or the app's configured server.
fn base(server: Option<&str>) -> String {
    let server = server.map(|s| s.trim_end_matches('/')).unwrap_or_default();
    format!("{server}/api/v1/public/reports")
}

async fn get<T: serde::de::DeserializeOwned>(url: &str) -> UiResult<T> {
    let request = Request::get(url)
        .header("Accept", "application/json")
        .build()
        .map_err(UiError::unexpected);
    WebBackend::json(request).await
}

/// A municipality's public configuration.
pub async fn load_municipality(server: Option<&str>, ags: &str) -> UiResult<MunicipalityPage> {
    let server = server.map(|s| s.trim_end_matches('/')).unwrap_or_default();
    get(&format!("{server}/api/v1/municipalities/{}/config", encode(ags))).await
}

/// Clusters and single reports in a viewport.
pub async fn load_map(server: Option<&str>, ags: Option<&str>, filter: &Filter, view: Viewport) -> UiResult<PublicMap> {
    get(&format!("{}?{}", base(server), map_query(ags, filter, view))).await
}

/// A page of the list.
pub async fn load_list(
    server: Option<&str>,
    ags: Option<&str>,
    filter: &Filter,
    page: u32,
    page_size: u32,
) -> UiResult<PublicList> {
    get(&format!(
        "{}/list?{}",
        base(server),
        list_query(ags, filter, page, page_size)
    ))
    .await
}

/// One report with its history.
pub async fn load_detail(server: Option<&str>, id: &str) -> UiResult<PublicReportDetail> {
    // The id comes from the server's own answer, but stays one path segment all the same.
    get(&format!("{}/{}", base(server), encode(id))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_carry_only_what_was_chosen() {
        let all = Filter::default();
        assert_eq!(list_query(None, &all, 1, 25), "page=1&page_size=25");
        let chosen = Filter {
            category: "schlagloch".into(),
            status: "closed".into(),
            from: NaiveDate::from_ymd_opt(2026, 1, 1),
            to: NaiveDate::from_ymd_opt(2026, 12, 31),
        };
        assert_eq!(
            list_query(Some("01001000"), &chosen, 2, 10),
            "ags=01001000&category=schlagloch&status=closed&from=2026-01-01&to=2026-12-31&page=2&page_size=10"
        );
        let view = Viewport {
            bbox: [9.4, 54.77, 9.45, 54.8],
            zoom: 14,
        };
        let open = Filter {
            status: "open".into(),
            ..Filter::default()
        };
        assert_eq!(
            map_query(Some("01001000"), &open, view),
            "ags=01001000&status=open&bbox=9.400000,54.770000,9.450000,54.800000&zoom=14"
        );
    }

    #[test]
    fn values_are_encoded() {
        assert_eq!(encode("a b&c=d/ä"), "a%20b%26c%3Dd%2F%C3%A4");
        assert_eq!(
            base(Some("https://x.example/")),
            "https://x.example/api/v1/public/reports"
        );
        assert_eq!(base(None), "/api/v1/public/reports");
    }

    #[test]
    fn answers_parse_leniently() {
        let json = r#"{"clusters":[{"lat":54.78,"lon":9.43,"count":3}],"reports":[{"id":"r1",
            "municipality":"01001000","municipality_name":"Flensburg","category":"schlagloch",
            "category_name":{"de":"Schlagloch","en":"Pothole"},"status":"in_progress",
            "location":{"lat":54.78,"lon":9.43},"exact":false,"received_at":"2026-11-01T10:00:00Z",
            "updated_at":"2026-11-02T10:00:00Z","handled_by":null,"comments":1,"future":true}],"total":4}"#;
        let map: PublicMap = serde_json::from_str(json).unwrap_or_default();
        assert_eq!(map.total, 4);
        assert_eq!(map.clusters.len(), 1);
        assert_eq!(map.reports[0].status, Status::InProgress);
        let detail = r#"{"id":"r1","municipality":"01001000","category":"x",
            "category_name":{"de":"X","en":"X"},"status":"resolved","location":{"lat":1.0,"lon":2.0},
            "received_at":"2026-11-01T10:00:00Z","updated_at":"2026-11-02T10:00:00Z",
            "history":[{"to":"received","at":"2026-11-01T10:00:00Z"},
                       {"to":"resolved","at":"2026-11-02T10:00:00Z","comment":"Repariert."}]}"#;
        let parsed: Result<PublicReportDetail, _> = serde_json::from_str(detail);
        assert!(
            parsed
                .as_ref()
                .is_ok_and(|d| d.history.len() == 2 && d.photos.is_empty()),
            "{parsed:?}"
        );
    }
}
