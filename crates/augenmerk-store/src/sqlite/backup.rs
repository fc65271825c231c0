//! A consistent copy of a live SQLite database, through SQLite's online backup API.
//!
//! The copy is taken in one step from a read transaction of its own connection: in WAL
//! mode the server's writers go on meanwhile, and the copy is the database as it was when
//! the step began (every report acknowledged before it, none half-written). The server
//! may run in another process; nothing here needs it to pause.

use std::path::Path;
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::{StoreError, StoreResult};

/// What a copy holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedDatabase {
    /// Its schema version (`PRAGMA user_version`).
    pub schema_version: u32,
    /// Reports in it.
    pub reports: u64,
}

fn db(e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(e.to_string())
}

/// Copies the database at `source` to `target` (a new file) and checks the copy.
pub fn backup_database(source: &Path, target: &Path) -> StoreResult<CopiedDatabase> {
    if target.exists() {
        return Err(StoreError::Duplicate(target.display().to_string()));
    }
    let src = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(db)?;
    src.busy_timeout(Duration::from_secs(30)).map_err(db)?;
    let mut dst = Connection::open(target).map_err(db)?;
    {
        let backup = Backup::new(&src, &mut dst).map_err(db)?;
        // All pages in one step: one read transaction, so one consistent state. A busy
        // or locked source (a checkpoint in progress) is waited for.
        loop {
            match backup.step(-1).map_err(db)? {
                StepResult::Done => break,
                // More pages (not with -1), or a busy or locked source: again, a little later.
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
    check(&dst)
}

/// Checks a copy: SQLite's integrity check, and what it holds.
pub fn check_database(path: &Path) -> StoreResult<CopiedDatabase> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(db)?;
    check(&conn)
}

fn check(conn: &Connection) -> StoreResult<CopiedDatabase> {
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(db)?;
    if integrity != "ok" {
        return Err(StoreError::Database(format!("the copy is damaged: {integrity}")));
    }
    let schema_version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db)?;
    let reports: i64 = conn
        .query_row("SELECT count(*) FROM reports", [], |r| r.get(0))
        .map_err(db)?;
    Ok(CopiedDatabase {
        schema_version,
        reports: u64::try_from(reports).unwrap_or(0),
    })
}
