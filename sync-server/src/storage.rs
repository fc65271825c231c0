//! Opening the database the settings name: SQLite (the embedded default) or PostgreSQL.

use std::sync::Arc;

use anyhow::Context;
use augenmerk_store::{PgStore, RateCounter, SqliteStore, Store};

use crate::config::{Database, Settings};

/// The schema version the PostgreSQL backend migrates to (for `migrate`'s tests).
pub const POSTGRES_SCHEMA_VERSION: u32 = augenmerk_store::postgres::SCHEMA_VERSION;

/// An open database.
pub struct Opened {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The rate-limit counter shared by every instance (PostgreSQL only: one SQLite
    /// instance counts in memory).
    pub rate_counter: Option<Arc<dyn RateCounter>>,
}

/// Opens (and migrates) the database of the settings.
pub async fn open(settings: &Settings) -> anyhow::Result<Opened> {
    let database = settings.database().map_err(anyhow::Error::msg)?;
    open_database(&database, settings.database_connections).await
}

/// Opens (and migrates) a database; `connections` is PostgreSQL's pool size.
pub async fn open_database(database: &Database, connections: usize) -> anyhow::Result<Opened> {
    Ok(match database {
        Database::Sqlite(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create the directory of {}", path.display()))?;
            }
            let path = path.clone();
            let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path))
                .await?
                .with_context(|| format!("cannot open {}", database.display()))?;
            Opened {
                store: Arc::new(store),
                rate_counter: None,
            }
        }
        Database::Postgres(url) => {
            let store = Arc::new(
                PgStore::connect(url, connections)
                    .await
                    .with_context(|| format!("cannot open {}", database.display()))?,
            );
            Opened {
                store: store.clone(),
                rate_counter: Some(store),
            }
        }
    })
}
