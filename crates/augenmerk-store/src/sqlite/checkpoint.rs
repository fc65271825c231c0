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
//!
//! On request ([`Checkpointer::truncate`]) the thread also runs a `TRUNCATE` checkpoint,
//! which copies everything into the database file and empties the WAL: after an erasure,
//! the WAL must not keep the old page images that still hold the erased data.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::oneshot;

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

/// How often a `TRUNCATE` checkpoint is tried when readers or the writer keep the WAL
/// busy beyond the busy timeout, before [`Checkpointer::truncate`] gives up.
const TRUNCATE_ATTEMPTS: u32 = 3;

/// What the checkpoint thread is asked to do besides its periodic checkpoint.
enum Command {
    /// Empty the WAL and answer how it went.
    Truncate(oneshot::Sender<StoreResult<()>>),
}

/// The handle to the checkpoint thread; dropping it stops the thread after a last checkpoint.
pub(crate) struct Checkpointer {
    commands: Option<mpsc::Sender<Command>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path`; from `rewind_frames` on, it asks the
    /// writer to catch up so that the WAL is rewound.
    pub(crate) fn start(path: &Path, catch_up: CatchUp, rewind_frames: i64) -> StoreResult<Self> {
        let conn = schema::open_write_connection(path)?;
        let (commands, received) = mpsc::channel::<Command>();
        let thread = std::thread::Builder::new()
            .name("augenmerk-store-checkpoint".into())
            .spawn(move || {
                loop {
                    let last = match received.recv_timeout(INTERVAL) {
                        Ok(Command::Truncate(reply)) => {
                            // The caller may have given up waiting; nothing to do then.
                            let _ = reply.send(truncate(&conn));
                            continue;
                        }
                        Err(RecvTimeoutError::Timeout) => false,
                        Err(RecvTimeoutError::Disconnected) => true,
                    };
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
            commands: Some(commands),
            thread: Some(thread),
        })
    }

    /// Copies the whole WAL into the database file and truncates the WAL to nothing.
    /// Waits (the busy timeout, a few times) for readers to finish and for the writer's
    /// current batch; the writer's next batch waits for it in turn.
    pub(crate) async fn truncate(&self) -> StoreResult<()> {
        let stopped = || StoreError::Database("the checkpoint thread has stopped".into());
        let (reply, answer) = oneshot::channel();
        self.commands
            .as_ref()
            .ok_or_else(stopped)?
            .send(Command::Truncate(reply))
            .map_err(|_| stopped())?;
        answer.await.unwrap_or_else(|_| Err(stopped()))
    }
}

/// One `TRUNCATE` checkpoint, tried again while it reports the WAL busy.
fn truncate(conn: &Connection) -> StoreResult<()> {
    for _ in 0..TRUNCATE_ATTEMPTS {
        // Columns: busy (1 if it could not finish), frames in the WAL, frames copied.
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy == 0 {
            return Ok(());
        }
    }
    Err(StoreError::Database(
        "the write-ahead log stayed busy; it could not be emptied".into(),
    ))
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.commands.take();
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            tracing::error!("the checkpoint thread panicked");
        }
    }
}
