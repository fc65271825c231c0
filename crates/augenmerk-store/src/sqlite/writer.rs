//! The single writer thread and its group commit.
//!
//! SQLite allows one writer at a time, and with `synchronous=FULL` every commit costs an
//! fsync. So one dedicated thread owns the write connection and takes write jobs from a
//! channel. It drains every job queued at that moment (up to [`MAX_BATCH`]), runs them in
//! one transaction, each inside its own `SAVEPOINT` so that a failing job rolls back only
//! its own changes, commits once, and only then answers each job. Callers therefore never
//! see a success that is not durable, and hundreds of writes per second share few fsyncs.
//!
//! A job that panics is caught: its savepoint is rolled back, its caller gets an error,
//! and the writer goes on. The thread ends when the store is dropped (the channel closes)
//! after finishing the jobs already queued.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::checkpoint::CatchUp;
use crate::{StoreError, StoreResult};

/// Most jobs committed together; bounds how long one commit keeps the others waiting.
pub const MAX_BATCH: usize = 256;

/// How long a due catch-up checkpoint waits for an idle moment before it runs anyway,
/// so that sustained load cannot grow the WAL without bound.
const CATCH_UP_PATIENCE: Duration = Duration::from_secs(2);

/// How many jobs may wait before callers are slowed down (back-pressure).
const QUEUE_CAPACITY: usize = 4 * MAX_BATCH;

/// A write job: runs inside its savepoint and reports how it went.
trait Job: Send {
    /// Runs the work and returns its outcome, to be sent once the commit is known.
    fn run(self: Box<Self>, tx: &Transaction<'_>) -> Box<dyn Outcome>;
    /// Answers without running (the batch could not start).
    fn abandon(self: Box<Self>, error: String);
}

/// The result of a job, waiting for the commit.
trait Outcome: Send {
    /// Whether the job succeeded (else its savepoint is rolled back).
    fn succeeded(&self) -> bool;
    /// Answers the caller; `commit` is the error of the commit, if it failed.
    fn answer(self: Box<Self>, commit: Option<&str>);
}

/// A job built from a closure and the channel that answers its caller.
struct Pending<T, F> {
    work: F,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T, F> Job for Pending<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Transaction<'_>) -> StoreResult<T> + Send + 'static,
{
    fn run(self: Box<Self>, tx: &Transaction<'_>) -> Box<dyn Outcome> {
        let result = (self.work)(tx);
        Box::new(Done {
            result,
            reply: self.reply,
        })
    }

    fn abandon(self: Box<Self>, error: String) {
        let _ = self.reply.send(Err(StoreError::Database(error)));
    }
}

/// A finished job waiting for the commit.
struct Done<T> {
    result: StoreResult<T>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T: Send + 'static> Outcome for Done<T> {
    fn succeeded(&self) -> bool {
        self.result.is_ok()
    }

    fn answer(self: Box<Self>, commit: Option<&str>) {
        let result = match (self.result, commit) {
            // The job's own error is the one that explains what happened to it.
            (Err(e), _) => Err(e),
            (Ok(_), Some(e)) => Err(StoreError::Database(e.to_owned())),
            (Ok(v), None) => Ok(v),
        };
        // The caller may have given up waiting (request cancelled): nothing to do then.
        let _ = self.reply.send(result);
    }
}

/// The handle to the writer thread.
pub(crate) struct Writer {
    jobs: Option<mpsc::Sender<Box<dyn Job>>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread on a migrated, configured connection.
    pub(crate) fn start(conn: Connection, catch_up: CatchUp) -> StoreResult<Self> {
        let (jobs, rx) = mpsc::channel(QUEUE_CAPACITY);
        let thread = std::thread::Builder::new()
            .name("augenmerk-store-writer".into())
            .spawn(move || run(conn, rx, catch_up))
            .map_err(|e| StoreError::Database(format!("cannot start the writer thread: {e}")))?;
        Ok(Self {
            jobs: Some(jobs),
            thread: Some(thread),
        })
    }

    /// Runs `work` in the next group commit and returns its result once committed.
    pub(crate) async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> StoreResult<T> + Send + 'static,
    {
        let stopped = || StoreError::Database("the storage writer has stopped".into());
        let jobs = self.jobs.as_ref().ok_or_else(stopped)?;
        let (reply, answer) = oneshot::channel();
        jobs.send(Box::new(Pending { work, reply }))
            .await
            .map_err(|_| stopped())?;
        // A dropped reply means the job panicked (or the writer died mid-batch).
        answer.await.unwrap_or_else(|_| {
            Err(StoreError::Database(
                "the write failed unexpectedly; see the server log".into(),
            ))
        })
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the channel lets the thread finish what is queued and end.
        self.jobs.take();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the storage writer thread panicked");
        }
    }
}

/// The writer thread's loop.
fn run(mut conn: Connection, mut rx: mpsc::Receiver<Box<dyn Job>>, catch_up: CatchUp) {
    let mut queue: VecDeque<Box<dyn Job>> = VecDeque::new();
    // Since when a catch-up checkpoint is due.
    let mut owed: Option<Instant> = None;
    loop {
        if queue.is_empty() {
            match rx.blocking_recv() {
                Some(job) => queue.push_back(job),
                None => break,
            }
        }
        while queue.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => queue.push_back(job),
                Err(_) => break,
            }
        }
        run_batch(&mut conn, &mut queue);
        if catch_up.take() {
            owed.get_or_insert_with(Instant::now);
        }
        // Between batches no transaction is open, so the next one can rewind the WAL (see
        // `checkpoint`). Copying the frames committed meanwhile takes tens of milliseconds, which
        // jobs arriving now would wait for; so it waits for an idle moment, if one comes.
        if let Some(since) = owed
            && ((queue.is_empty() && rx.is_empty()) || since.elapsed() > CATCH_UP_PATIENCE)
        {
            owed = None;
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "WAL catch-up checkpoint failed; will retry");
            }
        }
    }
    tracing::debug!("storage writer stopped");
}

/// Runs up to [`MAX_BATCH`] queued jobs in one transaction and answers them.
///
/// Jobs not reached because the transaction was aborted stay queued for the next batch.
fn run_batch(conn: &mut Connection, queue: &mut VecDeque<Box<dyn Job>>) {
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            // Typically the lock stayed busy past busy_timeout (another process); the
            // callers get an error rather than waiting without bound.
            let error = format!("cannot start a write transaction: {e}");
            tracing::error!("{error}");
            queue.drain(..).for_each(|job| job.abandon(error.clone()));
            return;
        }
    };
    let mut done: Vec<Box<dyn Outcome>> = Vec::new();
    let mut aborted: Option<String> = None;
    let batch: Vec<_> = queue.drain(..queue.len().min(MAX_BATCH)).collect();
    let mut jobs = batch.into_iter();
    let mut unreached: Vec<Box<dyn Job>> = Vec::new();
    let mut ran = 0;
    for job in jobs.by_ref() {
        if let Err(e) = tx.execute_batch("SAVEPOINT job") {
            aborted = Some(format!("cannot start a savepoint: {e}"));
            unreached.push(job);
            break;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| job.run(&tx)));
        ran += 1;
        let ok = matches!(&outcome, Ok(o) if o.succeeded());
        if outcome.is_err() {
            tracing::error!("a storage write job panicked; its changes were rolled back");
        }
        let end = if ok {
            "RELEASE job"
        } else {
            "ROLLBACK TO job; RELEASE job"
        };
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction itself;
        // then there is no savepoint left and nothing done in this batch will be committed.
        let lost = tx.is_autocommit() || tx.execute_batch(end).is_err();
        if let Ok(outcome) = outcome {
            done.push(outcome);
        }
        if lost {
            aborted = Some("the write transaction was rolled back by the database".into());
            break;
        }
    }
    unreached.extend(jobs);
    if ran == 0 {
        // Not even the first job got through: answer everyone rather than retry forever.
        let error = aborted.clone().unwrap_or_default();
        unreached.into_iter().for_each(|job| job.abandon(error.clone()));
    } else {
        // Jobs not reached go back to the queue in their order, for the next batch.
        for job in unreached.into_iter().rev() {
            queue.push_front(job);
        }
    }
    let commit = match aborted {
        Some(e) => {
            drop(tx);
            Some(e)
        }
        None => tx.commit().err().map(|e| format!("commit failed: {e}")),
    };
    if let Some(e) = &commit {
        tracing::error!("write batch of {} jobs failed: {e}", done.len());
    }
    for outcome in done {
        outcome.answer(commit.as_deref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> (tempfile::TempDir, Writer) {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = Connection::open(dir.path().join("w.sqlite")).expect("open");
        conn.execute_batch("CREATE TABLE t (x INTEGER PRIMARY KEY)")
            .expect("schema");
        (dir, Writer::start(conn, CatchUp::default()).expect("writer"))
    }

    fn count(tx: &Transaction<'_>) -> StoreResult<i64> {
        Ok(tx.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?)
    }

    #[tokio::test]
    async fn a_panicking_job_is_rolled_back_and_the_writer_goes_on() {
        let (_dir, w) = writer();
        let panicked = w
            .write(|tx| -> StoreResult<()> {
                tx.execute("INSERT INTO t (x) VALUES (1)", [])?;
                panic!("bug in a job");
            })
            .await;
        assert!(matches!(panicked, Err(StoreError::Database(_))));
        w.write(|tx| Ok(tx.execute("INSERT INTO t (x) VALUES (2)", [])?))
            .await
            .expect("writer alive");
        assert_eq!(w.write(count).await.expect("count"), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jobs_of_one_batch_fail_alone() {
        let (_dir, w) = writer();
        let w = std::sync::Arc::new(w);
        // Even ids succeed; odd ones insert and then fail, so their row must vanish.
        let tasks: Vec<_> = (0..100_i64)
            .map(|i| {
                let w = std::sync::Arc::clone(&w);
                tokio::spawn(async move {
                    w.write(move |tx| {
                        tx.execute("INSERT INTO t (x) VALUES (?1)", [i])?;
                        if i % 2 == 1 { Err(StoreError::Conflict) } else { Ok(()) }
                    })
                    .await
                })
            })
            .collect();
        for (i, task) in tasks.into_iter().enumerate() {
            let result = task.await.expect("task");
            assert_eq!(result.is_ok(), i % 2 == 0, "job {i}: {result:?}");
        }
        assert_eq!(w.write(count).await.expect("count"), 50);
    }

    #[tokio::test]
    async fn the_wal_is_rewound_under_steady_writes() {
        use super::super::checkpoint::Checkpointer;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("w.sqlite");
        let conn = super::super::schema::open_write_connection(&path).expect("open");
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x INTEGER PRIMARY KEY, pad BLOB)")
            .expect("schema");
        let catch_up = CatchUp::default();
        let w = Writer::start(conn, catch_up.clone()).expect("writer");
        let _checkpointer = Checkpointer::start(&path, catch_up, 64).expect("checkpointer");
        // Without rewinding, the WAL would hold every commit's frames.
        let start = Instant::now();
        let mut commits = 0_i64;
        while start.elapsed() < Duration::from_secs(10) {
            w.write(|tx| Ok(tx.execute("INSERT INTO t (pad) VALUES (zeroblob(6000))", [])?))
                .await
                .expect("write");
            commits += 1;
        }
        // Every commit appends at least two frames (the 6 KB row spans two pages). A WAL
        // that is never rewound grows to hold them all; a rewound one is reused from its
        // start, so its file only grows to the most frames held between two rewinds
        // (about two seconds here, a fifth of the run; it fails only if no rewind came for
        // half of it).
        let wal = std::fs::metadata(path.with_extension("sqlite-wal"))
            .expect("wal file")
            .len();
        let frame = 4096 + 24;
        let capacity = i64::try_from(wal / frame).expect("frames");
        assert!(
            capacity < commits,
            "the WAL grew to {capacity} frames for {commits} commits: never rewound"
        );
    }

    #[test]
    fn dropping_the_writer_finishes_and_stops_the_thread() {
        let (_dir, w) = writer();
        let thread = w.thread.as_ref().map(|t| t.thread().id());
        assert!(thread.is_some());
        drop(w); // joins; a hang here would time the test out
    }
}
