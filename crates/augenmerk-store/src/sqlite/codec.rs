//! How domain values become SQLite values and back.
//!
//! Values are encoded as in `crate::codec` (shared with the PostgreSQL backend).
//!
//! Reading is strict: a stored value that does not parse is reported as a database
//! error naming the column, never a panic.

use chrono::{DateTime, Utc};
use rusqlite::Row;
use rusqlite::types::Type;
use serde::de::DeserializeOwned;

use augenmerk_domain::report::{Channel, Email, Report};
use augenmerk_domain::{Ags, GeoPoint, Priority, Status};

use crate::StoreError;
pub(crate) use crate::codec::{REPORT_COLUMNS, json, parse_ts, parse_wire, ts, ts_opt, wire_name};

// `?` on rusqlite calls: a missing row is `NotFound` (every `query_row` here looks up a
// key), everything else is a database error whose text handlers log but never show.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            // The extended code tells which I/O or lock failed ("disk I/O error" alone
            // covers some thirty causes); it goes to the log only.
            rusqlite::Error::SqliteFailure(f, _) => {
                StoreError::Database(format!("{e} (SQLite extended code {})", f.extended_code))
            }
            e => StoreError::Database(e.to_string()),
        }
    }
}

/// Whether an error is a violated UNIQUE or PRIMARY KEY constraint.
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

/// Maps a unique violation to `Duplicate(what)`, anything else as usual.
pub(crate) fn duplicate_as(what: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| {
        if is_unique_violation(&e) {
            StoreError::Duplicate(what.to_owned())
        } else {
            StoreError::from(e)
        }
    }
}

/// Turns a parse failure of a stored value into a row error that names the column.
fn bad(column: &str, why: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        Type::Text,
        format!("stored value of column {column} is invalid: {why}").into(),
    )
}

/// Reads a text column and parses it.
pub(crate) fn parsed<T, E: std::fmt::Display>(
    row: &Row<'_>,
    column: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> rusqlite::Result<T> {
    let s: String = row.get(column)?;
    parse(&s).map_err(|e| bad(column, e))
}

/// Reads an optional text column and parses it.
pub(crate) fn parsed_opt<T, E: std::fmt::Display>(
    row: &Row<'_>,
    column: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> rusqlite::Result<Option<T>> {
    let s: Option<String> = row.get(column)?;
    s.map(|s| parse(&s).map_err(|e| bad(column, e))).transpose()
}

/// Reads a timestamp column.
pub(crate) fn get_ts(row: &Row<'_>, column: &str) -> rusqlite::Result<DateTime<Utc>> {
    parsed(row, column, parse_ts)
}

/// Reads an optional timestamp column.
pub(crate) fn get_ts_opt(row: &Row<'_>, column: &str) -> rusqlite::Result<Option<DateTime<Utc>>> {
    parsed_opt(row, column, parse_ts)
}

/// Reads a JSON column.
pub(crate) fn get_json<T: DeserializeOwned>(row: &Row<'_>, column: &str) -> rusqlite::Result<T> {
    parsed(row, column, |s| serde_json::from_str(s))
}

/// Reads an optional column of a type parsed by `FromStr` (ids, slugs).
pub(crate) fn get_id_opt<T>(row: &Row<'_>, column: &str) -> rusqlite::Result<Option<T>>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    parsed_opt(row, column, str::parse)
}

/// Reads a column of a type parsed by `FromStr` (ids, slugs).
pub(crate) fn get_id<T>(row: &Row<'_>, column: &str) -> rusqlite::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    parsed(row, column, str::parse)
}

/// A report from a row selected with [`REPORT_COLUMNS`].
pub(crate) fn report_from_row(row: &Row<'_>) -> rusqlite::Result<Report> {
    Ok(Report {
        id: get_id(row, "id")?,
        municipality: parsed(row, "ags", Ags::parse)?,
        gemeinde: parsed(row, "gemeinde", Ags::parse)?,
        device_id: get_id_opt(row, "device_id")?,
        category: get_id(row, "category")?,
        answers: get_json(row, "answers")?,
        description: row.get("description")?,
        location: GeoPoint {
            lat: row.get("lat")?,
            lon: row.get("lon")?,
        },
        address_hint: row.get("address_hint")?,
        photos: get_json(row, "photos")?,
        contact_email: parsed_opt(row, "contact_email", Email::parse)?,
        consent: row.get("consent")?,
        consent_version: row.get("consent_version")?,
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
