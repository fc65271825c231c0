//! A throwaway PostgreSQL 15 cluster, one per test binary.
//!
//! `initdb` refuses to run as root, and CI runs as root: there the cluster belongs to
//! the `postgres` user and every server command runs through `runuser -u postgres --`.
//! The cluster trusts local connections of the user `test`, listens on a free port of
//! 127.0.0.1 and skips fsync (a crash loses a throwaway cluster, nothing else).
//!
//! Tests copy a migrated template database (`CREATE DATABASE … TEMPLATE …`, a file
//! copy) instead of migrating a database each: see [`PgCluster::create_database`].

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::{EnvError, free_port, watchdog};

/// Where Debian's `postgresql-15` puts the server programs.
pub const BIN_DIR: &str = "/usr/lib/postgresql/15/bin";

/// The user tests connect as (trusted, a superuser).
pub const USER: &str = "test";

/// A running cluster.
#[derive(Debug)]
pub struct PgCluster {
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
    as_postgres: bool,
    databases: AtomicU32,
}

static SHARED: OnceLock<Result<PgCluster, String>> = OnceLock::new();

/// The test binary's cluster, started on first use.
pub fn shared() -> Result<&'static PgCluster, EnvError> {
    SHARED
        .get_or_init(|| PgCluster::start().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| EnvError::Failed {
            what: "starting PostgreSQL".into(),
            detail: e.clone(),
        })
}

impl PgCluster {
    /// Starts a new cluster in a temporary directory (stopped and removed when the
    /// process exits).
    pub fn start() -> Result<Self, EnvError> {
        let initdb = Path::new(BIN_DIR).join("initdb");
        if !initdb.exists() {
            return Err(EnvError::Missing("PostgreSQL 15", initdb.display().to_string()));
        }
        let as_postgres = is_root();
        let dir = tempfile::Builder::new().prefix("augenmerk-pg-").tempdir()?.keep();
        // `tempdir` makes a 0700 directory; the postgres user must be able to enter it.
        chmod(&dir, "755")?;
        if as_postgres {
            run("chown", Command::new("chown").arg("postgres:").arg(&dir))?;
        }
        let data = dir.join("data");
        let port = free_port()?;
        let cluster = Self {
            port,
            dir: dir.clone(),
            as_postgres,
            databases: AtomicU32::new(0),
        };
        let stop = format!(
            "{} {}/pg_ctl -D {} stop -m immediate >/dev/null 2>&1; rm -rf {}",
            if as_postgres { "runuser -u postgres --" } else { "" },
            BIN_DIR,
            data.display(),
            dir.display()
        );
        watchdog::watch(&stop)?;
        run(
            "initdb",
            cluster.server_command("initdb").arg("-D").arg(&data).args([
                "-U",
                USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]),
        )?;
        let options = format!(
            "-k {} -c listen_addresses=127.0.0.1 -p {port} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=1000",
            dir.display()
        );
        run(
            "pg_ctl start",
            cluster
                .server_command("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(dir.join("server.log"))
                .args(["-w", "-o", &options, "start"]),
        )?;
        Ok(cluster)
    }

    /// The URL of one of its databases.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates a database with a new name (a copy of `template` when given; the
    /// template must have no open connection) and returns its URL.
    pub fn create_database(&self, template: Option<&str>) -> Result<String, EnvError> {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let name = format!("t{n}");
        let sql = match template {
            Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
            None => format!("CREATE DATABASE {name}"),
        };
        self.execute("postgres", &sql)?;
        Ok(self.url(&name))
    }

    /// Creates a database with this name (for a template) and returns its URL.
    pub fn create_named(&self, name: &str) -> Result<String, EnvError> {
        self.execute("postgres", &format!("CREATE DATABASE {name}"))?;
        Ok(self.url(name))
    }

    /// Runs SQL with `psql` in a database and returns what it printed (unaligned, tuples only).
    pub fn execute(&self, database: &str, sql: &str) -> Result<String, EnvError> {
        run(
            "psql",
            Command::new(Path::new(BIN_DIR).join("psql"))
                .args([
                    "-X",
                    "-q",
                    "-A",
                    "-t",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    USER,
                ])
                .arg("-p")
                .arg(self.port.to_string())
                .args(["-d", database, "-c", sql]),
        )
    }

    /// The server's log so far (for a failing test's message).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// A server program, run as `postgres` when this process is root.
    fn server_command(&self, program: &str) -> Command {
        let path = Path::new(BIN_DIR).join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}

fn chmod(path: &Path, mode: &str) -> Result<(), EnvError> {
    run("chmod", Command::new("chmod").arg(mode).arg(path)).map(drop)
}

/// Runs a command to completion; its output on success, its output in the error otherwise.
fn run(what: &str, command: &mut Command) -> Result<String, EnvError> {
    let out = command.output().map_err(|e| EnvError::Failed {
        what: what.into(),
        detail: e.to_string(),
    })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(EnvError::Failed {
            what: what.into(),
            detail: format!(
                "{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        })
    }
}
