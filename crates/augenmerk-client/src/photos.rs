//! The folder of anonymized photos, content-addressed by SHA-256.
//!
//! A file is written under a temporary name, synced, and renamed into place, so a photo
//! file is either complete or absent; the database row is written after the file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use augenmerk_domain::BlobHash;
use sha2::{Digest, Sha256};

use crate::error::{ClientError, Result};

/// The photo folder.
#[derive(Debug)]
pub struct PhotoStore {
    dir: PathBuf,
}

/// SHA-256 of bytes as a blob hash.
pub fn hash_of(bytes: &[u8]) -> BlobHash {
    let digest = hex::encode(Sha256::digest(bytes));
    // 64 lower-case hex digits always parse.
    BlobHash::parse(&digest).unwrap_or_else(|_| unreachable!("sha256 hex is a valid blob hash"))
}

impl PhotoStore {
    /// Opens (creates) the folder.
    pub fn open(dir: &Path) -> Result<Self> {
        fs::create_dir_all(dir).map_err(|e| ClientError::io(format!("cannot create {}", dir.display()), e))?;
        Ok(Self { dir: dir.to_owned() })
    }

    /// Where a photo lives.
    pub fn path(&self, hash: &BlobHash) -> PathBuf {
        self.dir.join(format!("{}.jpg", hash.as_str()))
    }

    /// Stores bytes durably and returns their hash; storing the same bytes again is a no-op.
    pub fn put(&self, bytes: &[u8]) -> Result<BlobHash> {
        let hash = hash_of(bytes);
        self.put_named(&hash, bytes)?;
        Ok(hash)
    }

    /// Stores bytes durably under a name the server gave them (downloads).
    pub fn put_named(&self, hash: &BlobHash, bytes: &[u8]) -> Result<()> {
        let hash = hash.clone();
        let target = self.path(&hash);
        if target.exists() {
            return Ok(());
        }
        let tmp = self
            .dir
            .join(format!(".{}.{}.tmp", hash.as_str(), uuid::Uuid::new_v4().simple()));
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, &target)?;
            // The rename itself must survive a power cut too.
            fs::File::open(&self.dir)?.sync_all()
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            ClientError::io(format!("cannot store photo {}", hash.as_str()), e)
        })
    }

    /// Reads a photo and checks that it still has its hash.
    pub fn get(&self, hash: &BlobHash) -> Result<Vec<u8>> {
        let bytes = fs::read(self.path(hash))
            .map_err(|e| ClientError::io(format!("cannot read photo {}", hash.as_str()), e))?;
        if &hash_of(&bytes) != hash {
            return Err(ClientError::io(
                format!("photo {} is damaged", hash.as_str()),
                std::io::Error::other("content does not match its hash"),
            ));
        }
        Ok(bytes)
    }

    /// Whether a photo file exists.
    pub fn contains(&self, hash: &BlobHash) -> bool {
        self.path(hash).exists()
    }
}
