//! WAL checkpoints on their own thread and connection.
//!
//! SQLite checkpoints automatically inside the commit that crosses the WAL size
//! threshold, so one unlucky commit also copies the WAL into the database and fsyncs
//! it, and every write queued behind it waits: that was the long tail of intake
//! latency. The writer therefore turns automatic checkpoints off and this thread runs
//! passive checkpoints (which never block writers) every second. Durability does not
//! change: every commit is still fsynced in the WAL.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::schema;
use crate::{StoreError, StoreResult};

/// How often the WAL is checkpointed.
const INTERVAL: Duration = Duration::from_secs(1);

/// The handle to the checkpoint thread; dropping it stops the thread after a last checkpoint.
pub(crate) struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path`.
    pub(crate) fn start(path: &Path) -> StoreResult<Self> {
        let conn = schema::open_write_connection(path)?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("augenmerk-store-checkpoint".into())
            .spawn(move || {
                loop {
                    let last = !matches!(stopped.recv_timeout(INTERVAL), Err(RecvTimeoutError::Timeout));
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
                    }
                    if last {
                        break;
                    }
                }
            })
            .map_err(|e| StoreError::Database(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            tracing::error!("the checkpoint thread panicked");
        }
    }
}
