//! How PostgreSQL rows become domain values (values are encoded as in `crate::codec`,
//! the same text as in SQLite).
//!
//! Reading is strict: a stored value that does not parse is reported as a database
//! error naming the column, never a panic. Column types are those of
//! `migrations/0001_initial.sql`: `text`, `bigint` (read as `i64`), `double precision`
//! (`f64`) and `boolean`; tokio-postgres checks them exactly, so an `i32` or `u32` is
//! converted in Rust (`uint`, `i64::from`), never asked of the row.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;

use augenmerk_domain::report::{Channel, Email, Report};
use augenmerk_domain::{Ags, GeoPoint, Priority, Status};

use crate::StoreError;
pub(crate) use crate::codec::{REPORT_COLUMNS, json, parse_ts, parse_wire, ts, ts_opt, wire_name};

// `?` on tokio-postgres calls: every error is a database error whose text handlers log
// but never show. A missing row is not an error there: `query_opt` returns `None`, and
// callers turn that into `NotFound` themselves (`found`).
impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::Database(format!("no database connection: {e}"))
    }
}

/// `NotFound` for a missing row.
pub(crate) fn found<T>(row: Option<T>) -> Result<T, StoreError> {
    row.ok_or(StoreError::NotFound)
}

/// Whether an error is a violated UNIQUE or PRIMARY KEY constraint.
pub(crate) fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// Maps a unique violation to `Duplicate(what)`, anything else as usual.
pub(crate) fn duplicate_as(what: &str) -> impl Fn(tokio_postgres::Error) -> StoreError + '_ {
    move |e| {
        if is_unique_violation(&e) {
            StoreError::Duplicate(what.to_owned())
        } else {
            StoreError::from(e)
        }
    }
}

/// A stored `bigint` that must not be negative.
pub(crate) fn uint(row: &Row, column: &str) -> Result<u64, StoreError> {
    let n: i64 = row.try_get(column)?;
    u64::try_from(n).map_err(|e| bad(column, e))
}

/// A parse failure of a stored value, naming the column.
pub(crate) fn bad(column: &str, why: impl std::fmt::Display) -> StoreError {
    StoreError::Database(format!("stored value of column {column} is invalid: {why}"))
}

/// Reads a text column and parses it.
pub(crate) fn parsed<T, E: std::fmt::Display>(
    row: &Row,
    column: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    let s: &str = row.try_get(column)?;
    parse(s).map_err(|e| bad(column, e))
}

/// Reads an optional text column and parses it.
pub(crate) fn parsed_opt<T, E: std::fmt::Display>(
    row: &Row,
    column: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    let s: Option<&str> = row.try_get(column)?;
    s.map(|s| parse(s).map_err(|e| bad(column, e))).transpose()
}

/// Reads a timestamp column.
pub(crate) fn get_ts(row: &Row, column: &str) -> Result<DateTime<Utc>, StoreError> {
    parsed(row, column, parse_ts)
}

/// Reads an optional timestamp column.
pub(crate) fn get_ts_opt(row: &Row, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    parsed_opt(row, column, parse_ts)
}

/// Reads a JSON column.
pub(crate) fn get_json<T: DeserializeOwned>(row: &Row, column: &str) -> Result<T, StoreError> {
    parsed(row, column, |s| serde_json::from_str(s))
}

/// Reads a column of a type parsed by `FromStr` (ids, slugs).
pub(crate) fn get_id<T>(row: &Row, column: &str) -> Result<T, StoreError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    parsed(row, column, str::parse)
}

/// Reads an optional column of a type parsed by `FromStr` (ids, slugs).
pub(crate) fn get_id_opt<T>(row: &Row, column: &str) -> Result<Option<T>, StoreError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    parsed_opt(row, column, str::parse)
}

/// Reads a text column as it is.
pub(crate) fn text(row: &Row, column: &str) -> Result<String, StoreError> {
    Ok(row.try_get(column)?)
}

/// Reads an optional text column as it is.
pub(crate) fn text_opt(row: &Row, column: &str) -> Result<Option<String>, StoreError> {
    Ok(row.try_get(column)?)
}

/// A report from a row selected with [`REPORT_COLUMNS`].
pub(crate) fn report_from_row(row: &Row) -> Result<Report, StoreError> {
    Ok(Report {
        id: get_id(row, "id")?,
        municipality: parsed(row, "ags", Ags::parse)?,
        gemeinde: parsed(row, "gemeinde", Ags::parse)?,
        device_id: get_id_opt(row, "device_id")?,
        category: get_id(row, "category")?,
        answers: get_json(row, "answers")?,
        description: text(row, "description")?,
        location: GeoPoint {
            lat: row.try_get("lat")?,
            lon: row.try_get("lon")?,
        },
        address_hint: text_opt(row, "address_hint")?,
        photos: get_json(row, "photos")?,
        contact_email: parsed_opt(row, "contact_email", Email::parse)?,
        consent: row.try_get("consent")?,
        consent_version: row
            .try_get::<_, Option<i64>>("consent_version")?
            .map(|v| u32::try_from(v).map_err(|e| bad("consent_version", e)))
            .transpose()?,
        status: parsed(row, "status", |s| Status::parse(s).ok_or("unknown status"))?,
        priority: parsed(row, "priority", |s| Priority::parse(s).ok_or("unknown priority"))?,
        due_at: get_ts_opt(row, "due_at")?,
        department: get_id_opt(row, "department")?,
        assignee: get_id_opt(row, "assignee")?,
        forwarded_to: get_id_opt(row, "forwarded_to")?,
        duplicate_of: get_id_opt(row, "duplicate_of")?,
        routed_by: get_id_opt(row, "routed_by")?,
        channel: parsed(row, "channel", parse_wire::<Channel>)?,
        created_at: get_ts(row, "created_at")?,
        received_at: get_ts(row, "received_at")?,
        updated_at: get_ts(row, "updated_at")?,
    })
}

/// Reports from rows selected with [`REPORT_COLUMNS`].
pub(crate) fn reports_from_rows(rows: &[Row]) -> Result<Vec<Report>, StoreError> {
    rows.iter().map(report_from_row).collect()
}
