//! `migrate-store`: moving a municipality that started on the embedded default (SQLite,
//! photos as files in the data directory) to PostgreSQL and an S3 bucket.
//!
//! Photos are copied first, then the database: the photo copy is idempotent (a photo
//! already in the bucket with the same bytes is skipped), and the database is copied
//! only once every photo is in the bucket, so a run that stopped or failed at a photo is
//! simply run again; the database copy is all or nothing and refuses a target that
//! holds rows (see [`augenmerk_store::copy`]). Every photo listed in the `blobs` table
//! is read back from the bucket and its bytes hashed against the source's; the stored
//! bytes may differ from the upload's hash (metadata stripping), so the name proves
//! nothing and the bytes are compared.
//!
//! Stop the server first: the database is copied from one snapshot and verified against
//! the file again, so a server still writing makes the verification fail (and anything
//! it wrote after the snapshot would be lost).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;

use augenmerk_domain::BlobHash;
use augenmerk_store::copy::{self, CopyReport};

use crate::blobs::{BlobStore, FsBlobStore, S3BlobStore};
use crate::config::{Database, Settings};

/// Photos copied at once: enough to keep a bucket busy, few enough to bound memory
/// (each holds one photo's bytes twice).
const PARALLEL_PHOTOS: usize = 8;

/// What `migrate-store` was asked to do.
#[derive(Debug, Clone)]
pub struct MigrateArgs {
    /// `sqlite:<file>` (or `sqlite:` for the data directory's database).
    pub from: String,
    /// `postgres://…`.
    pub to: String,
    /// The photo directory to copy from (default: the data directory's `blobs/`).
    pub photos_from: Option<PathBuf>,
    /// Copy the photos to the settings' `object_store`.
    pub photos_to_s3: bool,
}

/// What happened to the photos.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhotoReport {
    /// Photos the `blobs` table lists.
    pub listed: u64,
    /// Written to the target.
    pub copied: u64,
    /// Already in the target with the same bytes (not written again).
    pub present: u64,
    /// Read back from the target with the source's bytes (SHA-256).
    pub verified: u64,
    /// Listed but not in the source directory.
    pub missing: Vec<String>,
    /// Read back different from the source, or failing to copy (hash and why).
    pub failed: Vec<String>,
}

impl PhotoReport {
    /// Whether every listed photo is in the target with its bytes.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.failed.is_empty() && self.verified == self.listed
    }
}

/// What a run moved.
#[derive(Debug, Clone)]
pub struct Moved {
    /// The photos (none when they stay in the filesystem).
    pub photos: Option<PhotoReport>,
    /// The database, verified (none: not copied because photos are missing).
    pub database: Option<CopyReport>,
}

/// The `migrate-store` command: moves, prints the per-table rows and hashes and the
/// photo counts, and fails on any mismatch.
pub async fn run(settings: &Settings, args: MigrateArgs) -> anyhow::Result<()> {
    let moved = migrate(settings, &args).await?;
    print!("{}", render(&moved));
    if let Some(photos) = moved.photos.as_ref().filter(|p| !p.is_complete()) {
        bail!(
            "{} photo(s) missing in the source, {} failed; the database was not copied: fix the cause \
             and run again (photos already copied are skipped)",
            photos.missing.len(),
            photos.failed.len()
        );
    }
    Ok(())
}

/// Copies photos (when asked) and then, if every photo arrived, the database; a photo
/// mismatch is in the report (and the database is left alone), a database mismatch or
/// refusal is the error.
pub async fn migrate(settings: &Settings, args: &MigrateArgs) -> anyhow::Result<Moved> {
    let (sqlite, postgres) = endpoints(&args.from, &args.to, &settings.database_path())?;
    if !sqlite.is_file() {
        bail!("no SQLite database at {}", sqlite.display());
    }
    let target = match (&settings.object_store, args.photos_to_s3) {
        (Some(s3), true) => Some(S3BlobStore::new(s3).context("cannot open the object store")?),
        (None, true) => bail!("--photos-to-s3 needs `object_store` in the settings (endpoint, bucket, keys)"),
        (_, false) => None,
    };
    let photos = match target {
        Some(target) => {
            let dir = args.photos_from.clone().unwrap_or_else(|| settings.blob_dir());
            let hashes = photo_hashes(&sqlite)?;
            if !hashes.is_empty() && !dir.is_dir() {
                bail!("no photo directory at {} (give --photos-from)", dir.display());
            }
            let source = FsBlobStore::new(&dir).with_context(|| format!("cannot open {}", dir.display()))?;
            tracing::info!(photos = hashes.len(), from = %dir.display(), "copying photos");
            Some(copy_photos(Arc::new(source), Arc::new(target), hashes).await)
        }
        None => None,
    };
    if photos.as_ref().is_some_and(|p| !p.is_complete()) {
        return Ok(Moved { photos, database: None });
    }
    tracing::info!(from = %sqlite.display(), "copying the database");
    let database = copy::sqlite_to_postgres(&sqlite, &postgres)
        .await
        .context("the database was not copied")?;
    Ok(Moved {
        photos,
        database: Some(database),
    })
}

/// The SQLite file and the PostgreSQL URL of `--from` and `--to`.
pub fn endpoints(from: &str, to: &str, default_file: &Path) -> anyhow::Result<(PathBuf, String)> {
    let Database::Sqlite(sqlite) = Database::parse(from, default_file).map_err(anyhow::Error::msg)? else {
        bail!("--from must be an SQLite database (sqlite:<file>)");
    };
    let Database::Postgres(postgres) = Database::parse(to, default_file).map_err(anyhow::Error::msg)? else {
        bail!("--to must be a PostgreSQL database (postgres://…)");
    };
    Ok((sqlite, postgres))
}

/// Every photo the SQLite database lists (the `blobs` table).
pub fn photo_hashes(sqlite: &Path) -> anyhow::Result<Vec<BlobHash>> {
    let conn = rusqlite::Connection::open_with_flags(sqlite, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open {}", sqlite.display()))?;
    let mut statement = conn.prepare("SELECT hash FROM blobs ORDER BY hash")?;
    let hashes = statement
        .query_map([], |row| row.get::<_, String>(0))?
        .map(|hash| {
            let hash = hash?;
            BlobHash::parse(&hash).map_err(|e| anyhow::anyhow!("the blobs table lists {hash:?}: {e:?}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(hashes)
}

/// Copies the photos (skipping those the target has with the same bytes) and reads each
/// back; never stops at one photo's failure, so the report lists all of them.
pub async fn copy_photos(source: Arc<dyn BlobStore>, target: Arc<dyn BlobStore>, hashes: Vec<BlobHash>) -> PhotoReport {
    let mut report = PhotoReport {
        listed: u64::try_from(hashes.len()).unwrap_or(u64::MAX),
        ..PhotoReport::default()
    };
    let mut running = JoinSet::new();
    let mut pending = hashes.into_iter();
    loop {
        while running.len() < PARALLEL_PHOTOS {
            let Some(hash) = pending.next() else { break };
            let (source, target) = (source.clone(), target.clone());
            running.spawn(async move {
                let outcome = copy_photo(source.as_ref(), target.as_ref(), &hash).await;
                (hash, outcome)
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok((hash, outcome)) => report.count(hash.as_str(), outcome),
            Err(e) => report.failed.push(format!("a copy task stopped: {e}")),
        }
    }
    report
}

/// What happened to one photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoOutcome {
    /// Written and read back equal.
    Copied,
    /// The target had it with the same bytes.
    Present,
    /// Not in the source.
    Missing,
    /// Failed (why).
    Failed(String),
}

impl PhotoReport {
    fn count(&mut self, hash: &str, outcome: PhotoOutcome) {
        match outcome {
            PhotoOutcome::Copied => {
                self.copied += 1;
                self.verified += 1;
            }
            PhotoOutcome::Present => {
                self.present += 1;
                self.verified += 1;
            }
            PhotoOutcome::Missing => self.missing.push(hash.to_owned()),
            PhotoOutcome::Failed(why) => self.failed.push(format!("{hash}: {why}")),
        }
    }
}

async fn copy_photo(source: &dyn BlobStore, target: &dyn BlobStore, hash: &BlobHash) -> PhotoOutcome {
    let bytes = match source.get(hash).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return PhotoOutcome::Missing,
        Err(e) => return PhotoOutcome::Failed(format!("cannot read the source: {e}")),
    };
    let expected = sha256(&bytes);
    match read_back(target, hash).await {
        Ok(Some(there)) if there == expected => return PhotoOutcome::Present,
        Ok(_) => {}
        Err(e) => return PhotoOutcome::Failed(e),
    }
    if let Err(e) = target.put(hash, Bytes::clone(&bytes)).await {
        return PhotoOutcome::Failed(format!("cannot write the target: {e}"));
    }
    match read_back(target, hash).await {
        Ok(Some(there)) if there == expected => PhotoOutcome::Copied,
        Ok(Some(_)) => PhotoOutcome::Failed("reads back with other bytes".into()),
        Ok(None) => PhotoOutcome::Failed("not in the target after writing it".into()),
        Err(e) => PhotoOutcome::Failed(e),
    }
}

/// The SHA-256 of the target's bytes of a photo (`None`: not there).
async fn read_back(target: &dyn BlobStore, hash: &BlobHash) -> Result<Option<[u8; 32]>, String> {
    match target.get(hash).await {
        Ok(bytes) => Ok(Some(sha256(&bytes))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read the target: {e}")),
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The run as a table: rows and SHA-256 per table, then the photo counts.
pub fn render(moved: &Moved) -> String {
    let mut out = String::new();
    match &moved.database {
        Some(database) => {
            let width = database
                .tables
                .iter()
                .map(|t| t.table.len())
                .max()
                .unwrap_or(0)
                .max("table".len());
            out.push_str(&format!("{:<width$}  {:>10}  sha256\n", "table", "rows"));
            for t in &database.tables {
                out.push_str(&format!("{:<width$}  {:>10}  {}\n", t.table, t.rows, t.sha256));
            }
        }
        None => out.push_str("database: not copied\n"),
    }
    match &moved.photos {
        Some(p) => {
            out.push_str(&format!(
                "photos: {} listed, {} copied, {} already there, {} verified",
                p.listed, p.copied, p.present, p.verified
            ));
            if !p.missing.is_empty() || !p.failed.is_empty() {
                out.push_str(&format!(
                    ", {} missing in the source, {} failed",
                    p.missing.len(),
                    p.failed.len()
                ));
            }
            out.push('\n');
            for hash in &p.missing {
                out.push_str(&format!("missing in the source: {hash}\n"));
            }
            for failure in &p.failed {
                out.push_str(&format!("failed: {failure}\n"));
            }
        }
        None => out.push_str("photos: not copied (they stay in the photo directory)\n"),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_sqlite_then_postgres() {
        let default = Path::new("/srv/augenmerk.db");
        let (file, url) = endpoints("sqlite:", "postgres://db/augenmerk", default).expect("valid");
        assert_eq!(file, default);
        assert_eq!(url, "postgres://db/augenmerk");
        assert!(endpoints("postgres://db/a", "postgres://db/b", default).is_err());
        assert!(endpoints("sqlite:/a.db", "sqlite:/b.db", default).is_err());
    }

    #[test]
    fn the_report_counts_every_photo() {
        let mut report = PhotoReport {
            listed: 4,
            ..PhotoReport::default()
        };
        report.count("a", PhotoOutcome::Copied);
        report.count("b", PhotoOutcome::Present);
        assert!(!report.is_complete(), "two photos are not accounted for");
        report.count("c", PhotoOutcome::Copied);
        report.count("d", PhotoOutcome::Missing);
        assert!(!report.is_complete());
        assert_eq!((report.copied, report.present, report.verified), (2, 1, 3));
        assert_eq!(report.missing, vec!["d".to_owned()]);
        let moved = Moved {
            photos: Some(report),
            database: Some(CopyReport {
                tables: vec![copy::TableCopy {
                    table: "reports".into(),
                    rows: 3,
                    sha256: "ab".into(),
                }],
            }),
        };
        let text = render(&moved);
        let row: Vec<&str> = text.lines().nth(1).unwrap_or_default().split_whitespace().collect();
        assert_eq!(row, ["reports", "3", "ab"], "{text}");
        assert!(
            text.contains("4 listed, 2 copied, 1 already there, 3 verified, 1 missing"),
            "{text}"
        );
    }
}
