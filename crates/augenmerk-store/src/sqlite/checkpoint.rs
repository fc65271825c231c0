//! WAL checkpoints on their own thread and connection.
//!
//! SQLite checkpoints automatically inside the commit that crosses the WAL size
//! threshold, so one unlucky commit also copies the WAL into the database and fsyncs
//! it, and every write queued behind it waits: that was the long tail of intake
//! latency. The writer therefore turns automatic checkpoints off and this thread runs
//! passive checkpoints (which never block writers) every second. Durability does not
//! change: every commit is still fsynced in the WAL.
//!
//! A passive checkpoint alone never lets the WAL start over under steady load: commits
//! land while it runs, so it never finds the WAL fully copied, and SQLite only rewinds
//! the WAL when a write transaction begins on a fully copied one. The WAL then grows
//! without bound (gigabytes after minutes at 300 reports/s) and every commit and page
//! lookup gets slower. So once the WAL is big enough this thread raises [`CatchUp`], and
//! the writer, between two batches, copies the few frames committed meanwhile (a passive
//! checkpoint on its own connection); its next transaction then rewinds
//! the WAL.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::schema;
use crate::{StoreError, StoreResult};

/// How often the WAL is checkpointed.
const INTERVAL: Duration = Duration::from_secs(1);

/// From this many frames (256 MiB of 4 KiB pages) on, the WAL is rewound. The writer's
/// catch-up holds up the writes arriving meanwhile for 30–70 ms on this machine's disk
/// (copying the newest pages and syncing the database file), so it must be rare: at 300
/// reports/s (about 18 frames each) it comes every 12 s. Readers only search the frames
/// after the last checkpoint, so a long WAL does not slow them down.
pub(crate) const REWIND_FRAMES: i64 = 65_536;

/// Raised by the checkpoint thread, taken by the writer: time to finish the checkpoint.
#[derive(Clone, Default)]
pub(crate) struct CatchUp(Arc<AtomicBool>);

impl CatchUp {
    fn raise(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether a checkpoint finished since the last call (and lowers the flag).
    pub(crate) fn take(&self) -> bool {
        self.0.swap(false, Ordering::AcqRel)
    }
}

/// The handle to the checkpoint thread; dropping it stops the thread after a last checkpoint.
pub(crate) struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path`; from `rewind_frames` on, it asks the
    /// writer to catch up so that the WAL is rewound.
    pub(crate) fn start(path: &Path, catch_up: CatchUp, rewind_frames: i64) -> StoreResult<Self> {
        let conn = schema::open_write_connection(path)?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("augenmerk-store-checkpoint".into())
            .spawn(move || {
                loop {
                    let last = !matches!(stopped.recv_timeout(INTERVAL), Err(RecvTimeoutError::Timeout));
                    match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1)) {
                        Ok(frames) if frames >= rewind_frames => catch_up.raise(),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; will retry"),
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
