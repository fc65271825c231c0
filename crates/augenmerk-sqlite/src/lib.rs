//! Schema migrations of Augenmerk's SQLite databases, driven by `PRAGMA user_version`.
//!
//! Both the server's store and the device's outbox keep their schema as a list of SQL
//! files; migration `i` (counting from 0) brings `user_version` from `i` to `i + 1`, so
//! the version of a database is the number of migrations applied to it. Each migration
//! runs in its own transaction together with the bump of the version, so a crash leaves
//! the database at a whole version. A database newer than the code is refused and left
//! untouched: an older program must not write into a schema it does not understand.
//!
//! Why not `rusqlite_migration` (the crate for exactly this, also on `user_version`): its
//! releases pin an older rusqlite than ours (two `libsqlite3-sys` cannot link), it reads
//! the version before taking the write lock, so two processes starting at once (the CLI's
//! `migrate` beside a starting server) would both run the same migration, and it runs
//! all pending migrations in one transaction instead of one per version.

use rusqlite::{Connection, TransactionBehavior};

/// One schema change: its name (the SQL file's, for logs and errors) and its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// E.g. `0003_followers`; the number is its position counted from 1.
    pub name: &'static str,
    /// The statements, run as one batch.
    pub sql: &'static str,
}

/// Why a database could not be brought up to date; nothing half-done is left behind.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The database was written by newer code; it was not touched.
    #[error("the database has schema version {found}, but this code knows only up to {known}")]
    Newer {
        /// The database's `user_version`.
        found: u32,
        /// The newest version the code knows (the number of migrations).
        known: u32,
    },
    /// `user_version` holds a value no migration list produces (below zero or too large).
    #[error("invalid schema version {0}")]
    InvalidVersion(i64),
    /// A migration's SQL failed; its transaction was rolled back.
    #[error("migration {name} failed: {source}")]
    Failed {
        /// The migration's name.
        name: &'static str,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// Reading the version, locking or committing failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// The newest schema version a list of migrations produces.
pub const fn latest(migrations: &[Migration]) -> u32 {
    // A list longer than u32::MAX cannot be written down; the cast cannot truncate.
    migrations.len() as u32
}

/// The schema version of an open database.
pub fn user_version(conn: &Connection) -> Result<u32, MigrationError> {
    let v: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    u32::try_from(v).map_err(|_| MigrationError::InvalidVersion(v))
}

/// Brings the database up to the last of `migrations` and returns how many ran.
///
/// Each pending migration runs in an IMMEDIATE transaction that takes the write lock
/// first and then reads the version again: a second process migrating at the same moment
/// waits (up to the connection's busy timeout) and then finds the work done, instead of
/// running it twice or failing half-way.
pub fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<usize, MigrationError> {
    let known = latest(migrations);
    let found = user_version(conn)?;
    if found > known {
        return Err(MigrationError::Newer { found, known });
    }
    let mut ran = 0;
    for (version, migration) in (1..).zip(migrations).skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if user_version(&tx)? >= version {
            continue;
        }
        tx.execute_batch(migration.sql)
            .map_err(|source| MigrationError::Failed {
                name: migration.name,
                source,
            })?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(migration = migration.name, "applied database migration");
        ran += 1;
    }
    Ok(ran)
}

/// Checks that the names are numbered 1, 2, 3, … in order (`0001_…`, `0002_…`): a
/// migration moved or left out would give existing databases the wrong schema. For the
/// users' unit tests.
pub fn check_numbering(migrations: &[Migration]) -> Result<(), String> {
    for (version, m) in (1..).zip(migrations) {
        if !m.name.starts_with(&format!("{version:04}_")) {
            return Err(format!("migration {} is not number {version}", m.name));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &[Migration] = &[
        Migration {
            name: "0001_a",
            sql: "CREATE TABLE a (x TEXT);",
        },
        Migration {
            name: "0002_b",
            sql: "CREATE TABLE b (y TEXT);",
        },
    ];

    fn open(dir: &tempfile::TempDir) -> Connection {
        let conn = Connection::open(dir.path().join("db.sqlite")).expect("open");
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .expect("busy timeout");
        conn
    }

    #[test]
    fn migrating_twice_runs_nothing_the_second_time() -> Result<(), MigrationError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = open(&dir);
        assert_eq!(migrate(&mut conn, &TWO[..1])?, 1);
        assert_eq!(migrate(&mut conn, TWO)?, 1, "only the new one");
        assert_eq!(migrate(&mut conn, TWO)?, 0);
        assert_eq!(user_version(&conn)?, latest(TWO));
        Ok(())
    }

    #[test]
    fn a_newer_database_is_refused_untouched() -> Result<(), MigrationError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = open(&dir);
        migrate(&mut conn, TWO)?;
        conn.execute("INSERT INTO a VALUES ('keep')", [])?;
        let err = migrate(&mut conn, &TWO[..1]).err();
        assert!(
            matches!(err, Some(MigrationError::Newer { found: 2, known: 1 })),
            "{err:?}"
        );
        let kept: String = conn.query_row("SELECT x FROM a", [], |r| r.get(0))?;
        assert_eq!((kept.as_str(), user_version(&conn)?), ("keep", 2));
        Ok(())
    }

    #[test]
    fn a_failing_migration_leaves_the_previous_version() -> Result<(), MigrationError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = open(&dir);
        let broken = [
            TWO[0],
            Migration {
                name: "0002_broken",
                sql: "CREATE TABLE c (z TEXT); NOT SQL;",
            },
        ];
        let err = migrate(&mut conn, &broken).err();
        assert!(
            matches!(
                err,
                Some(MigrationError::Failed {
                    name: "0002_broken",
                    ..
                })
            ),
            "{err:?}"
        );
        assert_eq!(user_version(&conn)?, 1);
        let c: i64 = conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'c'", [], |r| r.get(0))?;
        assert_eq!(c, 0, "the failed migration's first statement was rolled back");
        Ok(())
    }

    #[test]
    fn a_negative_version_is_refused() -> Result<(), MigrationError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = open(&dir);
        conn.pragma_update(None, "user_version", -1)?;
        assert!(matches!(
            migrate(&mut conn, TWO),
            Err(MigrationError::InvalidVersion(-1))
        ));
        Ok(())
    }

    #[test]
    fn two_processes_migrating_at_once_both_succeed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let runs: Vec<usize> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..2).map(|_| s.spawn(|| migrate(&mut open(&dir), TWO))).collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread").expect("migrate"))
                .collect()
        });
        assert_eq!(runs.iter().sum::<usize>(), TWO.len());
    }

    #[test]
    fn numbering_out_of_order_is_found() {
        assert_eq!(check_numbering(TWO), Ok(()));
        assert!(check_numbering(&[TWO[1], TWO[0]]).is_err());
    }
}
