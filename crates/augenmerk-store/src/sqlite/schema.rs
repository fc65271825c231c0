//! Connection settings and schema migrations.
//!
//! Migrations are the SQL files in `migrations/`, embedded at compile time and applied
//! in order by the shared migrator (`augenmerk-sqlite`), each in its own transaction
//! together with the bump of `PRAGMA user_version`, so a crash leaves the database at a
//! whole version. A database whose version is newer than this code knows is refused
//! rather than used: an older server must not write into a schema it does not understand.
//! Migrations only ever add; none drops user data.

use std::path::Path;

use augenmerk_sqlite::{Migration, MigrationError};
use rusqlite::{Connection, OpenFlags};

use crate::{StoreError, StoreResult};

/// The migrations, in order; migration `i` brings `user_version` from `i` to `i + 1`.
/// Append only: never edit or reorder a migration that has shipped.
const MIGRATIONS: &[Migration] = &[
    migration("0001_initial", include_str!("migrations/0001_initial.sql")),
    migration("0002_open311", include_str!("migrations/0002_open311.sql")),
    migration("0003_followers", include_str!("migrations/0003_followers.sql")),
    migration("0004_photo_owners", include_str!("migrations/0004_photo_owners.sql")),
    migration("0005_outbox", include_str!("migrations/0005_outbox.sql")),
    migration(
        "0006_administrations",
        include_str!("migrations/0006_administrations.sql"),
    ),
    migration("0007_privacy", include_str!("migrations/0007_privacy.sql")),
    migration("0008_public_map", include_str!("migrations/0008_public_map.sql")),
    migration("0009_alerts", include_str!("migrations/0009_alerts.sql")),
    migration("0010_sessions", include_str!("migrations/0010_sessions.sql")),
    migration("0011_totp", include_str!("migrations/0011_totp.sql")),
    migration("0012_oidc", include_str!("migrations/0012_oidc.sql")),
    migration("0013_triage", include_str!("migrations/0013_triage.sql")),
    migration("0014_duplicates", include_str!("migrations/0014_duplicates.sql")),
];

const fn migration(name: &'static str, sql: &'static str) -> Migration {
    Migration { name, sql }
}

/// The schema version this code writes (`PRAGMA user_version` after all migrations).
pub const SCHEMA_VERSION: u32 = augenmerk_sqlite::latest(MIGRATIONS);

/// The durability and safety settings of every write connection, as `(pragma, value)`.
///
/// * `journal_mode=WAL`: readers never block the writer and the writer never blocks readers.
/// * `synchronous=FULL`: the server acknowledges a report to a device, which then stops
///   sending it (it leaves the outbox); an acknowledged write must therefore survive a power cut. In WAL
///   mode `FULL` fsyncs the WAL on every commit (`NORMAL` would only fsync at checkpoints
///   and could lose the last commits). Group commit in the writer spreads that one fsync
///   over every write queued at the time.
/// * `foreign_keys=ON`: SQLite enforces foreign keys only when asked, per connection.
/// * `busy_timeout=5000`: another process (a backup, the CLI's `migrate`) holding the
///   lock makes us wait up to 5 s instead of failing at once.
/// * `secure_delete=ON`: deleted rows and overwritten values are zeroed in their page, and
///   pages that become free are zeroed too; otherwise erased personal data would stay
///   readable in the file until SQLite happened to reuse the space (see `privacy`). It
///   costs a write of each freed page, and deletions are rare here.
///
/// Public so that benchmarks comparing against a bare SQLite loop use the same settings.
/// The busy timeout comes first so that switching to WAL already waits for other processes.
pub const WRITE_PRAGMAS: &[(&str, &str)] = &[
    ("busy_timeout", "5000"),
    ("journal_mode", "WAL"),
    ("synchronous", "FULL"),
    ("foreign_keys", "ON"),
    ("secure_delete", "ON"),
];

/// Applies [`WRITE_PRAGMAS`] to a connection (outside any transaction).
pub fn apply_write_pragmas(conn: &Connection) -> StoreResult<()> {
    for (name, value) in WRITE_PRAGMAS {
        if *name == "journal_mode" {
            // The journal mode answers with the mode it ended up in; in-memory and some
            // file systems silently refuse WAL, and we want to know.
            let mode = journal_mode(conn, value)?;
            if !mode.eq_ignore_ascii_case(value) {
                return Err(StoreError::Database(format!(
                    "the database refused journal_mode={value} (it is {mode}); use a local file system"
                )));
            }
        } else {
            conn.pragma_update(None, name, value)?;
        }
    }
    Ok(())
}

/// Sets the journal mode and answers the mode in effect. Switching a new file to WAL needs
/// an exclusive lock, and SQLite answers "busy" at once (without the busy handler) when
/// another process switches at the same moment; so it is tried again for up to the busy
/// timeout, after which the other process has finished.
fn journal_mode(conn: &Connection, value: &str) -> StoreResult<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", value, |row| row.get::<_, String>(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return Ok(other?),
        }
    }
}

/// Opens (creating if missing) the write connection with [`WRITE_PRAGMAS`] applied.
pub(crate) fn open_write_connection(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::Database(format!("cannot open database {}: {e}", path.display())))?;
    apply_write_pragmas(&conn)?;
    Ok(conn)
}

/// Opens a read-only connection; it cannot write even by mistake.
pub(crate) fn open_read_connection(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| StoreError::Database(format!("cannot open database {}: {e}", path.display())))?;
    conn.pragma_update(None, "busy_timeout", "5000")?;
    conn.pragma_update(None, "query_only", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(conn)
}

/// Brings the database up to [`SCHEMA_VERSION`] and returns how many migrations ran.
///
/// Refuses a database newer than this code, and leaves it untouched. A second process
/// migrating at the same moment (the CLI next to a starting server) waits and then finds
/// the work done (see [`augenmerk_sqlite::migrate`]).
pub(crate) fn run_migrations(conn: &mut Connection) -> StoreResult<usize> {
    augenmerk_sqlite::migrate(conn, MIGRATIONS).map_err(|e| match e {
        MigrationError::Newer { found, known } => StoreError::Database(format!(
            "the database has schema version {found}, but this server only knows up to version \
             {known}; it was written by a newer Augenmerk server: run that version \
             (or restore a backup), this one will not touch the data"
        )),
        other => StoreError::Database(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order() {
        assert_eq!(augenmerk_sqlite::check_numbering(MIGRATIONS), Ok(()));
    }

    #[test]
    fn write_connections_zero_what_they_delete() -> StoreResult<()> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Database(e.to_string()))?;
        let conn = open_write_connection(&dir.path().join("db.sqlite"))?;
        let on: i64 = conn.pragma_query_value(None, "secure_delete", |r| r.get(0))?;
        assert_eq!(on, 1);
        Ok(())
    }

    #[test]
    fn migrating_twice_runs_nothing_the_second_time() -> StoreResult<()> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Database(e.to_string()))?;
        let mut conn = open_write_connection(&dir.path().join("db.sqlite"))?;
        assert_eq!(run_migrations(&mut conn)?, MIGRATIONS.len());
        assert_eq!(run_migrations(&mut conn)?, 0);
        let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        assert_eq!(version, SCHEMA_VERSION);
        Ok(())
    }

    #[test]
    fn two_processes_migrating_at_once_both_succeed() -> StoreResult<()> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Database(e.to_string()))?;
        let path = dir.path().join("db.sqlite");
        let runs: Vec<StoreResult<usize>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..2)
                .map(|_| s.spawn(|| run_migrations(&mut open_write_connection(&path)?)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or(Err(StoreError::Conflict)))
                .collect()
        });
        let total: usize = runs.into_iter().collect::<StoreResult<Vec<_>>>()?.into_iter().sum();
        assert_eq!(total, MIGRATIONS.len());
        Ok(())
    }
}
