//! The sync status as the app's status line, the command line and the web page show it:
//! what waits for the network, whether a sync runs, when the last one succeeded and why
//! the last one failed.
//!
//! The counts come from the database; the rest is remembered by this [`Client`] for the
//! life of the process (a restart starts fresh). Every [`Client::sync`] records itself
//! here, so the app and the command line cannot tell it differently. Changes are
//! published on a `watch` channel ([`Client::subscribe_status`]).

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::error::{ClientError, Result};
use crate::model::{ActionState, SyncStatus};
use crate::{Client, time};

/// What the client remembers about its syncs, and the channel it publishes them on.
pub(crate) struct StatusTracker {
    memory: Mutex<Memory>,
    tx: watch::Sender<SyncStatus>,
}

#[derive(Debug, Default)]
struct Memory {
    /// Syncs running now in this process (a second one fails at once with `SyncBusy`).
    running: u32,
    last_success: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

impl Default for StatusTracker {
    fn default() -> Self {
        Self {
            memory: Mutex::new(Memory::default()),
            tx: watch::channel(SyncStatus::default()).0,
        }
    }
}

impl StatusTracker {
    fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        // Plain fields, always consistent: a poisoned lock is safe to reuse.
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Client {
    /// The queue and the last sync, as the status line shows them.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let (queued_reports, queued_replies) = self.pending_count()?;
        let pending_actions = self
            .actions()?
            .iter()
            .filter(|a| a.state == ActionState::Pending)
            .count() as u64;
        let memory = self.status.memory();
        Ok(SyncStatus {
            queued_reports,
            queued_replies,
            pending_actions,
            syncing: memory.running > 0,
            last_success: memory.last_success,
            last_error: memory.last_error.clone(),
        })
    }

    /// Changes of the sync status (start, finish, error, something queued), newest value
    /// first.
    pub fn subscribe_status(&self) -> watch::Receiver<SyncStatus> {
        self.status.tx.subscribe()
    }

    /// Publishes the current status to [`Client::subscribe_status`] (after something was
    /// queued or removed outside a sync).
    pub fn publish_status(&self) {
        match self.sync_status() {
            Ok(status) => {
                self.status.tx.send_replace(status);
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the sync status"),
        }
    }

    /// A sync run begins.
    pub(crate) fn sync_started(&self) {
        self.status.memory().running += 1;
        self.publish_status();
    }

    /// A sync run ended with `result`.
    pub(crate) fn sync_finished<T>(&self, result: &Result<T>) {
        {
            let mut memory = self.status.memory();
            memory.running = memory.running.saturating_sub(1);
            match result {
                Ok(_) => {
                    memory.last_success = Some(time::now());
                    memory.last_error = None;
                }
                // Another sync of this data directory is not a failure of ours.
                Err(ClientError::SyncBusy) => {}
                Err(e) => memory.last_error = Some(e.to_string()),
            }
        }
        self.publish_status();
    }
}

#[cfg(test)]
mod tests {
    use crate::{Client, ClientOptions, SyncOptions};

    #[tokio::test]
    async fn a_failed_sync_is_remembered_and_published() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let client = Client::open(ClientOptions::new(dir.path(), None))?;
        let mut status = client.subscribe_status();
        assert!(client.sync(&SyncOptions::default()).await.is_err());
        assert!(status.has_changed()?);
        let now = status.borrow_and_update().clone();
        assert!(!now.syncing, "{now:?}");
        assert!(now.last_success.is_none());
        assert!(
            now.last_error.as_deref().is_some_and(|e| e.contains("no server")),
            "{now:?}"
        );
        assert_eq!(client.sync_status()?, now);
        Ok(())
    }
}
