//! One sync at a time per data directory, across processes (the app and the command line
//! may share a directory): an advisory lock on `sync.lock`, released when the guard drops
//! or the process dies.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use crate::error::{ClientError, Result};

/// Holds the lock while alive.
#[derive(Debug)]
pub struct SyncLock {
    _file: File,
}

impl SyncLock {
    /// Takes the lock or answers [`ClientError::SyncBusy`] at once.
    pub fn try_acquire(data_dir: &Path) -> Result<Self> {
        let path = data_dir.join("sync.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| ClientError::io(format!("cannot open {}", path.display()), e))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(ClientError::SyncBusy),
            Err(TryLockError::Error(e)) => Err(ClientError::io("cannot lock sync.lock", e)),
        }
    }

    /// Takes the lock, waiting up to `patience` for a running sync to finish.
    pub async fn acquire(data_dir: &Path, patience: std::time::Duration) -> Result<Self> {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            match Self::try_acquire(data_dir) {
                Err(ClientError::SyncBusy) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_sync_is_refused_while_the_first_holds_the_lock() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| ClientError::io("tempdir", e))?;
        let first = SyncLock::try_acquire(dir.path())?;
        assert!(matches!(SyncLock::try_acquire(dir.path()), Err(ClientError::SyncBusy)));
        drop(first);
        SyncLock::try_acquire(dir.path())?;
        Ok(())
    }
}
