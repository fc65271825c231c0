//! `augenmerk-server backup --to DIR` and `restore --from DIR` for the embedded default
//! (SQLite and photos as files): an online backup while the server runs, and bringing it
//! back into a data directory.
//!
//! Order makes the backup whole: first the database (one consistent state, see
//! `augenmerk_store::sqlite::backup`), then the photo files. A photo is stored before any
//! report can name it, and photo files are never changed, so every photo the copied
//! database names is in the photo directory by then; one erased in between is left out,
//! as it should be. The backup directory is written under a temporary name and renamed
//! when complete, with a `manifest.json` saying what is in it.
//!
//! PostgreSQL and object storage have their own tools (`pg_dump`, point-in-time
//! recovery, bucket versioning); see `docs/operations.md`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use augenmerk_store::sqlite::backup::{backup_database, check_database};

use crate::config::{Database, Settings};

/// The database file's name in a backup.
const DATABASE: &str = "augenmerk.db";
/// The photo directory's name in a backup.
const PHOTOS: &str = "blobs";
/// What a backup holds.
const MANIFEST: &str = "manifest.json";

/// Why a backup or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The settings name a database this command does not back up.
    #[error(
        "the database is PostgreSQL: back it up with pg_dump or point-in-time recovery, and photos in object \
         storage with the bucket's versioning or replication (docs/operations.md)"
    )]
    NotEmbedded,
    /// Photos are in object storage.
    #[error(
        "photos are in object storage: back the bucket up with its own tools (docs/operations.md); \
         this command backs up the embedded default"
    )]
    ObjectStorage,
    /// The target exists and is not empty, or the data directory has a database.
    #[error("{0}")]
    Refused(String),
    /// The database failed.
    #[error("database: {0}")]
    Store(#[from] augenmerk_store::StoreError),
    /// A file could not be read or written.
    #[error("{what}: {source}")]
    Io {
        /// Which file or step.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The manifest is missing or unreadable.
    #[error("not a backup of Augenmerk (no readable manifest.json): {0}")]
    Manifest(String),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// `manifest.json` of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The format of this directory.
    pub format: u32,
    /// When the database was copied.
    pub created_at: DateTime<Utc>,
    /// The database's schema version.
    pub schema_version: u32,
    /// Reports in it.
    pub reports: u64,
    /// Photo files.
    pub photos: u64,
    /// Their bytes.
    pub photo_bytes: u64,
}

fn sqlite_file(settings: &Settings) -> Result<PathBuf, BackupError> {
    match settings.database().map_err(BackupError::Refused)? {
        Database::Sqlite(path) => Ok(path),
        Database::Postgres(_) => Err(BackupError::NotEmbedded),
    }
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none())
}

/// Copies the photo files under `from` to `to` (same layout); returns files and bytes.
/// Files being written (`.…tmp`) are left out: they are not photos yet.
fn copy_photos(from: &Path, to: &Path) -> Result<(u64, u64), BackupError> {
    let (mut files, mut bytes) = (0, 0);
    let Ok(entries) = std::fs::read_dir(from) else {
        return Ok((0, 0));
    };
    for entry in entries {
        let entry = entry.map_err(io(from.display().to_string()))?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let target = to.join(&name);
        let kind = entry.file_type().map_err(io(path.display().to_string()))?;
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(io(target.display().to_string()))?;
            let (f, b) = copy_photos(&path, &target)?;
            files += f;
            bytes += b;
        } else if kind.is_file() {
            if target.exists() {
                continue; // content-addressed: the same name is the same photo
            }
            bytes += std::fs::copy(&path, &target).map_err(io(path.display().to_string()))?;
            files += 1;
        }
    }
    Ok((files, bytes))
}

/// Takes a backup into `to` (which must not exist, or be empty) while the server may run.
pub fn backup(settings: &Settings, to: &Path) -> Result<Manifest, BackupError> {
    let database = sqlite_file(settings)?;
    if settings.object_store.is_some() {
        return Err(BackupError::ObjectStorage);
    }
    if to.exists() && !is_empty_dir(to) {
        return Err(BackupError::Refused(format!(
            "{} exists and is not empty: back up into a new directory",
            to.display()
        )));
    }
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let partial = to.with_file_name(format!(".{name}.partial"));
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(io(partial.display().to_string()))?;
    }
    std::fs::create_dir_all(partial.join(PHOTOS)).map_err(io(partial.display().to_string()))?;
    let created_at = Utc::now();
    let copied = backup_database(&database, &partial.join(DATABASE))?;
    let (photos, photo_bytes) = copy_photos(&settings.blob_dir(), &partial.join(PHOTOS))?;
    let manifest = Manifest {
        format: 1,
        created_at,
        schema_version: copied.schema_version,
        reports: copied.reports,
        photos,
        photo_bytes,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Manifest(e.to_string()))?;
    std::fs::write(partial.join(MANIFEST), json).map_err(io("manifest.json"))?;
    if to.exists() {
        std::fs::remove_dir(to).map_err(io(to.display().to_string()))?;
    }
    std::fs::rename(&partial, to).map_err(io(to.display().to_string()))?;
    Ok(manifest)
}

/// Brings a backup back into the data directory of `settings`, whose database must not
/// exist (stop the server and move the old data aside first). The server started on it
/// afterwards has the data of the backup.
pub fn restore(settings: &Settings, from: &Path) -> Result<Manifest, BackupError> {
    let database = sqlite_file(settings)?;
    if settings.object_store.is_some() {
        return Err(BackupError::ObjectStorage);
    }
    let manifest: Manifest = std::fs::read(from.join(MANIFEST))
        .map_err(|e| BackupError::Manifest(e.to_string()))
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| BackupError::Manifest(e.to_string())))?;
    let checked = check_database(&from.join(DATABASE))?;
    if checked.reports != manifest.reports || checked.schema_version != manifest.schema_version {
        return Err(BackupError::Manifest(format!(
            "the database holds {} reports (schema {}), the manifest says {} (schema {})",
            checked.reports, checked.schema_version, manifest.reports, manifest.schema_version
        )));
    }
    if database.exists() {
        return Err(BackupError::Refused(format!(
            "{} exists: stop the server and move the data directory aside before restoring",
            database.display()
        )));
    }
    if let Some(dir) = database.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir.display().to_string()))?;
    }
    // The database last, under its final name only when complete: a restore broken off
    // halfway leaves no database the server would start on.
    let blobs = settings.blob_dir();
    std::fs::create_dir_all(&blobs).map_err(io(blobs.display().to_string()))?;
    copy_photos(&from.join(PHOTOS), &blobs)?;
    let partial = database.with_extension("db.restoring");
    std::fs::copy(from.join(DATABASE), &partial).map_err(io(partial.display().to_string()))?;
    std::fs::rename(&partial, &database).map_err(io(database.display().to_string()))?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_copied_with_their_layout_but_not_files_being_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let from = dir.path().join("from");
        std::fs::create_dir_all(from.join("ab/cd")).expect("dirs");
        std::fs::write(from.join("ab/cd/abcd1"), b"photo").expect("photo");
        std::fs::write(from.join("ab/cd/.abcd2.x.tmp"), b"half").expect("tmp");
        let to = dir.path().join("to");
        std::fs::create_dir_all(&to).expect("to");
        assert_eq!(copy_photos(&from, &to).expect("copied"), (1, 5));
        assert!(to.join("ab/cd/abcd1").exists());
        assert!(!to.join("ab/cd/.abcd2.x.tmp").exists());
    }
}
