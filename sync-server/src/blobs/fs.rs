//! Photos as files in the data directory (one instance; the default).

use std::path::{Path, PathBuf};

use bytes::Bytes;

use augenmerk_domain::BlobHash;

use super::BlobStore;

/// Photos as files under `<dir>/ab/cd/<hash>`.
pub struct FsBlobStore {
    dir: PathBuf,
}

impl FsBlobStore {
    /// A store rooted at `dir` (created if missing).
    pub fn new(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(Self { dir: dir.to_owned() })
    }

    fn path(&self, hash: &BlobHash) -> PathBuf {
        let h = hash.as_str();
        self.dir.join(&h[0..2]).join(&h[2..4]).join(h)
    }
}

#[async_trait::async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, hash: &BlobHash, bytes: Bytes) -> std::io::Result<()> {
        let path = self.path(hash);
        if tokio::fs::try_exists(&path).await? {
            return Ok(());
        }
        let parent = path.parent().unwrap_or(&self.dir).to_owned();
        tokio::fs::create_dir_all(&parent).await?;
        // Write to a temporary name, fsync, then rename: a crash never leaves half a photo
        // under a valid address.
        let tmp = parent.join(format!(".{}.{}.tmp", hash.as_str(), uuid::Uuid::new_v4()));
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            Ok(())
        })
        .await
        .map_err(std::io::Error::other)?
    }

    async fn get(&self, hash: &BlobHash) -> std::io::Result<Bytes> {
        tokio::fs::read(self.path(hash)).await.map(Bytes::from)
    }

    async fn exists(&self, hash: &BlobHash) -> std::io::Result<bool> {
        tokio::fs::try_exists(self.path(hash)).await
    }

    async fn delete(&self, hash: &BlobHash) -> std::io::Result<()> {
        match tokio::fs::remove_file(self.path(hash)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    async fn ping(&self) -> std::io::Result<()> {
        // The directory is still there (an unmounted volume, a deleted data directory).
        if tokio::fs::metadata(&self.dir).await?.is_dir() {
            Ok(())
        } else {
            Err(std::io::Error::other(format!(
                "{} is not a directory",
                self.dir.display()
            )))
        }
    }
}
