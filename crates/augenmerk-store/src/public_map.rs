//! Storage of the public map and open data (issue 20): staff's publication choice per
//! report, the viewport's clustering cells, the published reports of a filter, and the
//! daily open-data snapshots.
//!
//! Approach to scale: SQL grid aggregation on an index. A viewport is one `GROUP BY` over
//! the reports in the box (index `reports_public_map` on municipality and position, which
//! carries the filter columns, so neither database reads the table rows for the count);
//! only cells holding a single report are then read in full. No projection table has to
//! be kept in step with the reports. What is never public is left out here already
//! (rejected or closed after a rejection — the `turned_down` column the report writes keep
//! — and reports whose content was erased; withdrawn reports no longer exist), and the
//! domain's policy ([`augenmerk_domain::public::publish`]) decides the fields.

use async_trait::async_trait;
use chrono::NaiveDate;

use augenmerk_domain::geo::BoundingBox;
use augenmerk_domain::public_map::{PublicFilter, Publication};
use augenmerk_domain::report::Report;
use augenmerk_domain::{Ags, ReportId};

use crate::StoreResult;
use crate::codec::ts;

/// A report the public may see, with staff's publication choice.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicRow {
    /// The report.
    pub report: Report,
    /// Staff's choice (default: grid position, text not approved).
    pub publication: Publication,
}

/// One clustering cell of a viewport: its row and column in the raster of
/// `(dlat, dlon)` cells (`floor(lat / dlat)`, `floor(lon / dlon)`), and its reports.
#[derive(Debug, Clone, PartialEq)]
pub struct CellCount {
    /// `floor(lat / dlat)`.
    pub row: i64,
    /// `floor(lon / dlon)`.
    pub col: i64,
    /// Reports in the cell.
    pub count: u64,
    /// One of them (the only one when `count` is 1).
    pub sample: ReportId,
}

/// An open-data file of one municipality and day, built once and then served as stored,
/// so that every instance answers every request of the day with the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The municipality.
    pub ags: Ags,
    /// The day (Europe/Berlin) it was built for.
    pub day: NaiveDate,
    /// `geojson` or `csv`.
    pub kind: String,
    /// The file.
    pub body: Vec<u8>,
}

/// The storage of the public map, a part of [`crate::Store`].
#[async_trait]
pub trait PublicMapStore: Send + Sync + 'static {
    /// Staff's publication choice for a report (`NotFound` for another tenant's).
    async fn get_publication(&self, ags: &Ags, id: &ReportId) -> StoreResult<Publication>;
    /// Sets the choice and appends the audit entry, in one transaction.
    async fn set_publication(
        &self,
        ags: &Ags,
        id: &ReportId,
        publication: Publication,
        audit: augenmerk_domain::audit::AuditEntry,
    ) -> StoreResult<()>;
    /// The clustering cells of `bbox` with `(dlat, dlon)` cells, for the published
    /// reports matching `filter`.
    async fn public_cells(
        &self,
        filter: &PublicFilter,
        bbox: &BoundingBox,
        cell: (f64, f64),
    ) -> StoreResult<Vec<CellCount>>;
    /// Published reports matching `filter` (and `bbox`, and `ids` unless empty), newest
    /// first, with how many match in all.
    async fn public_reports(
        &self,
        filter: &PublicFilter,
        bbox: Option<&BoundingBox>,
        ids: &[ReportId],
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<PublicRow>, u64)>;
    /// The stored open-data file, if one was built for the day.
    async fn get_snapshot(&self, ags: &Ags, day: NaiveDate, kind: &str) -> StoreResult<Option<Vec<u8>>>;
    /// Stores a file unless one exists for the day (the first writer wins; returns the
    /// stored bytes, which are the other writer's when it was first).
    async fn put_snapshot(&self, snapshot: Snapshot) -> StoreResult<Vec<u8>>;
}

/// A bound value of a built query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Text(String),
    Real(f64),
}

/// The `WHERE` clause of the published reports matching a filter, with its values;
/// `mark(i)` spells the i-th placeholder (from 1) in the backend's dialect.
pub(crate) fn public_where(
    filter: &PublicFilter,
    bbox: Option<&BoundingBox>,
    ids: &[ReportId],
    mark: impl Fn(usize) -> String,
) -> (String, Vec<Arg>) {
    // Never public, whatever the filter says (see the module comment).
    let mut clauses = vec!["status <> 'rejected' AND turned_down = FALSE AND content_erased_at IS NULL".to_owned()];
    let mut args = Vec::new();
    let bind = |args: &mut Vec<Arg>, a: Arg| {
        args.push(a);
        mark(args.len())
    };
    if let Some(ags) = &filter.ags {
        let m = bind(&mut args, Arg::Text(ags.to_string()));
        clauses.push(format!("ags = {m}"));
    }
    let mut list = |args: &mut Vec<Arg>, column: &str, values: Vec<String>, negate: bool| {
        if values.is_empty() {
            return;
        }
        let marks: Vec<String> = values.into_iter().map(|v| bind(args, Arg::Text(v))).collect();
        let op = if negate { "NOT IN" } else { "IN" };
        clauses.push(format!("{column} {op} ({})", marks.join(", ")));
    };
    list(
        &mut args,
        "ags",
        filter.hidden.iter().map(ToString::to_string).collect(),
        true,
    );
    list(
        &mut args,
        "category",
        filter.categories.iter().map(ToString::to_string).collect(),
        false,
    );
    list(
        &mut args,
        "status",
        filter.statuses.iter().map(|s| s.as_str().to_owned()).collect(),
        false,
    );
    list(&mut args, "id", ids.iter().map(ToString::to_string).collect(), false);
    let bind = |args: &mut Vec<Arg>, a: Arg| {
        args.push(a);
        mark(args.len())
    };
    if let Some(from) = &filter.from {
        let m = bind(&mut args, Arg::Text(ts(from)));
        clauses.push(format!("received_at >= {m}"));
    }
    if let Some(to) = &filter.to {
        let m = bind(&mut args, Arg::Text(ts(to)));
        clauses.push(format!("received_at < {m}"));
    }
    if let Some(b) = bbox {
        let (a, b2, c, d) = (
            bind(&mut args, Arg::Real(b.min_lat)),
            bind(&mut args, Arg::Real(b.max_lat)),
            bind(&mut args, Arg::Real(b.min_lon)),
            bind(&mut args, Arg::Real(b.max_lon)),
        );
        clauses.push(format!("lat BETWEEN {a} AND {b2} AND lon BETWEEN {c} AND {d}"));
    }
    (clauses.join(" AND "), args)
}
