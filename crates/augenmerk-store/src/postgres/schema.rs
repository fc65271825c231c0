//! Schema migrations of the PostgreSQL backend.
//!
//! Migrations are the SQL files in `migrations/`, embedded at compile time and applied
//! in order, each in its own transaction together with its row in `schema_migrations`,
//! so a crash leaves the database at a whole version. Several instances may start at
//! once: the first takes a session-level advisory lock and migrates, the others wait for
//! it and then find nothing to do. A database that has migrations this code does not
//! know is refused rather than used, as on SQLite.

use tokio_postgres::Client;

use crate::{StoreError, StoreResult};

/// One migration: a name and its SQL.
struct Migration {
    name: &'static str,
    sql: &'static str,
}

/// The migrations, in order. Append only: never edit or reorder one that has shipped.
const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_initial",
        sql: include_str!("migrations/0001_initial.sql"),
    },
    Migration {
        name: "0002_public_map",
        sql: include_str!("migrations/0002_public_map.sql"),
    },
    Migration {
        name: "0003_alerts",
        sql: include_str!("migrations/0003_alerts.sql"),
    },
    Migration {
        name: "0004_sessions",
        sql: include_str!("migrations/0004_sessions.sql"),
    },
    Migration {
        name: "0005_totp",
        sql: include_str!("migrations/0005_totp.sql"),
    },
    Migration {
        name: "0006_oidc",
        sql: include_str!("migrations/0006_oidc.sql"),
    },
    Migration {
        name: "0007_triage",
        sql: include_str!("migrations/0007_triage.sql"),
    },
    Migration {
        name: "0008_duplicates",
        sql: include_str!("migrations/0008_duplicates.sql"),
    },
];

/// The schema version this code writes (how many migrations it knows).
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The advisory lock key that serializes migrations across instances ("augenmer" in ASCII).
const MIGRATION_LOCK: i64 = 0x6175_6765_6e6d_6572;

/// Brings the database to [`SCHEMA_VERSION`]; returns how many migrations ran.
pub(crate) async fn run_migrations(client: &mut Client) -> StoreResult<usize> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    bigint PRIMARY KEY,
                 name       text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now()
             )",
        )
        .await
        .or_else(ignore_concurrent_create)?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let ran = migrate_locked(client).await;
    // Released whatever happened; a failed unlock only means the session ends soon anyway.
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    ran
}

async fn migrate_locked(client: &mut Client) -> StoreResult<usize> {
    let applied: i64 = client
        .query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[])
        .await?
        .try_get(0)?;
    let known = i64::from(SCHEMA_VERSION);
    if applied > known {
        return Err(StoreError::Database(format!(
            "the database has schema version {applied}, newer than this server's {known}; \
             use a newer Augenmerk"
        )));
    }
    let mut ran = 0;
    for (version, m) in (1_i64..).zip(MIGRATIONS).skip(usize::try_from(applied).unwrap_or(0)) {
        let tx = client.transaction().await?;
        tx.batch_execute(m.sql)
            .await
            .map_err(|e| StoreError::Database(format!("migration {} failed: {e}", m.name)))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&version, &m.name],
        )
        .await?;
        tx.commit().await?;
        ran += 1;
    }
    Ok(ran)
}

/// Two instances creating `schema_migrations` at the same moment: one of them gets a
/// unique violation on the catalog, which means the table is there.
fn ignore_concurrent_create(e: tokio_postgres::Error) -> Result<(), tokio_postgres::Error> {
    if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
        Ok(())
    } else {
        Err(e)
    }
}
