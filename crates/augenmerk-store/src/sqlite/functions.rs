//! SQL functions the queries need that SQLite lacks.
//!
//! `fold(text)`: Unicode lower case, for case-insensitive search. SQLite's own `lower()`
//! and `LIKE` fold ASCII only, so "Ölspur" would not match "ölspur" without it.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;

use crate::StoreResult;

/// Registers the functions on a connection.
pub(crate) fn register(conn: &Connection) -> StoreResult<()> {
    conn.create_scalar_function(
        "fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Null => None,
                ValueRef::Text(t) => Some(String::from_utf8_lossy(t).to_lowercase()),
                ValueRef::Integer(i) => Some(i.to_string()),
                ValueRef::Real(r) => Some(r.to_string()),
                ValueRef::Blob(_) => None,
            })
        },
    )?;
    Ok(())
}
