//! A small pool of read-only connections.
//!
//! In WAL mode readers see the last committed state and neither block nor are blocked by
//! the writer, so reads run in parallel on blocking threads (`spawn_blocking`), one
//! connection each. A semaphore with one permit per connection guarantees that a task
//! holding a permit finds a free connection.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::schema::open_read_connection;
use crate::{StoreError, StoreResult};

/// The read connections.
pub(crate) struct Readers {
    idle: Arc<Mutex<Vec<Connection>>>,
    permits: Arc<Semaphore>,
}

impl Readers {
    /// Opens `size` read-only connections to the database at `path`.
    pub(crate) fn open(path: &Path, size: usize) -> StoreResult<Self> {
        let conns = (0..size.max(1))
            .map(|_| {
                let conn = open_read_connection(path)?;
                super::functions::register(&conn)?;
                Ok(conn)
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(conns.len())),
            idle: Arc::new(Mutex::new(conns)),
        })
    }

    /// Runs `work` on a free connection on a blocking thread.
    pub(crate) async fn read<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Database("the read pool is closed".into()))?;
        let idle = Arc::clone(&self.idle);
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let lease = Lease::take(&idle)?;
            work(lease.conn()?)
        });
        // A panic in `work` surfaces here; the connection went back in `Lease::drop`.
        task.await.unwrap_or_else(|_| {
            Err(StoreError::Database(
                "a read failed unexpectedly; see the server log".into(),
            ))
        })
    }
}

/// A connection taken from the pool, put back when dropped (also while unwinding).
struct Lease<'a> {
    conn: Option<Connection>,
    idle: &'a Mutex<Vec<Connection>>,
}

impl<'a> Lease<'a> {
    /// Takes a connection; the caller holds a permit, so one is free.
    fn take(idle: &'a Mutex<Vec<Connection>>) -> StoreResult<Self> {
        // A poisoned lock only means another thread panicked while holding it; the Vec
        // of connections is intact either way.
        let conn = idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .ok_or_else(|| StoreError::Database("no free read connection".into()))?;
        Ok(Self { conn: Some(conn), idle })
    }

    /// The leased connection.
    fn conn(&self) -> StoreResult<&Connection> {
        self.conn
            .as_ref()
            .ok_or_else(|| StoreError::Database("read connection already returned".into()))
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.idle.lock().unwrap_or_else(PoisonError::into_inner).push(conn);
        }
    }
}
