//! The offline-first client core of Augenmerk.
//!
//! A [`Client`] owns one data directory: a SQLite database (the outbox, the cached
//! municipality configuration, the citizen's reports with their status and messages, a
//! field worker's cases and queued actions) and a folder of anonymized photos. Photos are
//! anonymized the moment they are captured ([`Client::capture_photo`]); the raw photo is
//! never written. [`Client::sync`] talks to the server: it is safe to interrupt at any
//! point and to run again, and it never sends a report twice. The protocol is described
//! in `docs/sync-protocol.md`.
//!
//! The Tauri app wraps these methods in one-line commands; the `augenmerk` command line
//! uses the same library.

pub mod api;
mod capture;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
mod cli_args;
#[cfg(feature = "cli")]
mod cli_citizen;
#[cfg(feature = "cli")]
mod cli_field;
#[cfg(feature = "cli")]
mod cli_privacy;
#[cfg(feature = "cli")]
mod cli_settings;
mod config_cache;
mod db;
pub mod error;
mod field;
mod following;
mod lock;
mod login;
mod mail_state;
pub mod model;
mod outbox;
mod photos;
mod privacy;
mod push;
pub mod retry;
mod status;
mod sync;
mod text;
mod time;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rusqlite::Connection;

pub use crate::api::Api;
pub use crate::db::{SCHEMA_VERSION, integrity_check};
pub use crate::error::{ClientError, RemoteError, Result};
pub use crate::model::*;
pub use crate::privacy::Withdrawal;
pub use crate::retry::RetryPolicy;
pub use crate::sync::{SyncOptions, SyncSummary};

/// Settings of a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The data directory (database and photos); created if missing.
    pub data_dir: PathBuf,
    /// The server, e.g. `http://127.0.0.1:8080`; `None` works offline only.
    pub server: Option<String>,
    /// Where the anonymizer's models are; default: `augenmerk_anon::default_models_dir()`.
    pub models_dir: Option<PathBuf>,
    /// Retries of one request within a sync run.
    pub retry: RetryPolicy,
    /// Requests in flight at once during a sync.
    pub parallel_requests: usize,
    /// How often a sync makes sure the server still has this device's follows (a server
    /// restored from a backup forgets the newer ones); at once after a new registration.
    pub follows_check_every: std::time::Duration,
    /// How often a sync asks whether the citizen confirmed or unsubscribed mail updates of
    /// recent reports (through the receipt's link, on any device).
    pub mail_updates_check_every: std::time::Duration,
}

impl ClientOptions {
    /// Options with defaults for a data directory and a server.
    pub fn new(data_dir: impl Into<PathBuf>, server: Option<String>) -> Self {
        Self {
            data_dir: data_dir.into(),
            server,
            models_dir: None,
            retry: RetryPolicy::default(),
            parallel_requests: 4,
            follows_check_every: std::time::Duration::from_secs(6 * 3600),
            mail_updates_check_every: std::time::Duration::from_secs(15 * 60),
        }
    }
}

/// One device's local state and its connection to the server.
pub struct Client {
    options: ClientOptions,
    db: Mutex<Connection>,
    photos: photos::PhotoStore,
    api: Option<Api>,
    anonymizer: OnceLock<Arc<augenmerk_anon::Anonymizer>>,
    boundaries: config_cache::BoundaryCache,
    status: status::StatusTracker,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("data_dir", &self.options.data_dir)
            .field("server", &self.options.server)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Opens (or creates) the data directory.
    pub fn open(options: ClientOptions) -> Result<Self> {
        std::fs::create_dir_all(&options.data_dir)
            .map_err(|e| ClientError::io(format!("cannot create {}", options.data_dir.display()), e))?;
        let db = db::open(&options.data_dir.join("augenmerk.sqlite"))?;
        let photos = photos::PhotoStore::open(&options.data_dir.join("photos"))?;
        let api = match &options.server {
            Some(url) => Some(Api::new(url)?),
            None => None,
        };
        Ok(Self {
            options,
            db: Mutex::new(db),
            photos,
            api,
            anonymizer: OnceLock::new(),
            boundaries: config_cache::BoundaryCache::default(),
            status: status::StatusTracker::default(),
        })
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.options.data_dir
    }

    /// Runs `f` on the database connection.
    fn db<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions
        // roll back on drop), so a poisoned lock is safe to reuse.
        let mut conn = self.db.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }

    /// The server API, or an error when the client was opened without a server.
    fn api(&self) -> Result<&Api> {
        self.api
            .as_ref()
            .ok_or_else(|| ClientError::Server("no server configured (--server or AUGENMERK__SERVER)".into()))
    }

    /// Path of a stored photo (for showing it).
    pub fn photo_path(&self, hash: &augenmerk_domain::BlobHash) -> PathBuf {
        self.photos.path(hash)
    }
}
