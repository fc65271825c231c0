//! The device's SQLite database: opening, pragmas and migrations.
//!
//! Migrations are driven by `PRAGMA user_version` (the shared migrator of
//! `augenmerk-sqlite`, as on the server) and each runs in one transaction with the
//! version bump, so a crash leaves either the old or the new schema. A database from a
//! newer version is refused untouched: an older app must not guess at data it does not
//! understand, and never deletes it.

use std::path::Path;
use std::time::Duration;

use augenmerk_sqlite::{Migration, MigrationError};
use rusqlite::Connection;

use crate::error::{ClientError, Result};

/// The migrations in order; entry `i` brings the schema to version `i + 1`.
/// Append only: never edit or reorder a migration that has shipped.
const MIGRATIONS: &[Migration] = &[
    migration("0001_initial", include_str!("0001_initial.sql")),
    migration("0002_followed", include_str!("0002_followed.sql")),
    migration("0003_refused_reports", include_str!("0003_refused_reports.sql")),
    migration("0004_mail_updates", include_str!("0004_mail_updates.sql")),
    migration("0005_administrations", include_str!("0005_administrations.sql")),
    migration("0006_privacy", include_str!("0006_privacy.sql")),
];

const fn migration(name: &'static str, sql: &'static str) -> Migration {
    Migration { name, sql }
}

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = augenmerk_sqlite::latest(MIGRATIONS) as i64;

/// Opens (and creates or upgrades) the database at `path`.
pub fn open(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    // FULL: a report counts as saved only once it survives a power cut.
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// SQLite's `PRAGMA integrity_check` of a database file: `ok`, or what is damaged.
pub fn integrity_check(path: &Path) -> Result<String> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let rows: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows.join("; "))
}

/// Brings the schema up to [`SCHEMA_VERSION`]; another process (the app beside the
/// command line) migrating at the same moment waits for the lock and finds the work done.
fn migrate(conn: &mut Connection) -> Result<()> {
    match augenmerk_sqlite::migrate(conn, MIGRATIONS) {
        Ok(_) => Ok(()),
        Err(MigrationError::Newer { found, known }) => Err(ClientError::NewerDatabase {
            found: found.into(),
            known: known.into(),
        }),
        Err(MigrationError::Failed { source, .. } | MigrationError::Sqlite(source)) => Err(source.into()),
        // Only a damaged or tampered file has a negative version: refuse it as SQLite
        // refuses a number out of range, without touching it.
        Err(MigrationError::InvalidVersion(v)) => Err(rusqlite::Error::IntegralValueOutOfRange(0, v).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order() {
        assert_eq!(augenmerk_sqlite::check_numbering(MIGRATIONS), Ok(()));
    }

    #[test]
    fn a_fresh_database_gets_the_newest_schema_and_reopens() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| ClientError::io("tempdir", e))?;
        let path = dir.path().join("client.sqlite");
        drop(open(&path)?);
        let conn = open(&path)?;
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        assert_eq!(v, SCHEMA_VERSION);
        Ok(())
    }

    #[test]
    fn a_newer_database_is_refused_and_left_untouched() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| ClientError::io("tempdir", e))?;
        let path = dir.path().join("client.sqlite");
        {
            let conn = open(&path)?;
            conn.execute("INSERT INTO meta (key, value) VALUES ('keep', 'me')", [])?;
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)?;
        }
        let err = open(&path).err();
        assert!(
            matches!(err, Some(ClientError::NewerDatabase { found, known }) if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION),
            "{err:?}"
        );
        let conn = Connection::open(&path)?;
        let kept: String = conn.query_row("SELECT value FROM meta WHERE key = 'keep'", [], |r| r.get(0))?;
        assert_eq!(kept, "me");
        Ok(())
    }
}
