//! The server under test: `augenmerk-server serve --demo` as a child process on
//! 127.0.0.1:0, its CPU time, and the reports it stored.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use rusqlite::{Connection, OpenFlags};

/// The Linux clock tick of `/proc/<pid>/stat` (USER_HZ, 100 on every common platform).
const CLOCK_TICKS_PER_SEC: f64 = 100.0;

/// The server as a child process; killed when dropped (also on an error or a panic).
pub struct Server {
    child: Child,
    pub base: String,
    log: PathBuf,
}

impl Server {
    pub fn start(data: &Path, log: &Path) -> anyhow::Result<Self> {
        let parent = data.parent().context("data directory has no parent")?;
        let log_file = std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_augenmerk-server"));
        cmd.arg("--data")
            .arg(data)
            .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            // No stray ./augenmerk.toml or AUGENMERK__ variables: the defaults are measured.
            .current_dir(parent)
            .env("AUGENMERK_DEMO_PASSWORD", "intake-bench-demo-password")
            // Every simulated citizen comes from 127.0.0.1: lift the per-address limits
            // (set after the clean-up of AUGENMERK__ variables below).
            .env(
                "RUST_LOG",
                std::env::var("INTAKE_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("AUGENMERK__") {
                cmd.env_remove(key);
            }
        }
        for limit in ["DEVICES", "REPORTS", "UPLOADS"] {
            cmd.env(format!("AUGENMERK__RATE_LIMITS__{limit}_PER_ADDRESS"), "1000000000");
        }
        let mut child = cmd.spawn().context("cannot start augenmerk-server")?;
        let stdout = child.stdout.take();
        // From here on the guard owns the child, so every early return kills it.
        let mut server = Self {
            child,
            base: String::new(),
            log: log.to_owned(),
        };
        let stdout = stdout.context("no stdout from the server")?;
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads stdout to its end, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(base) => server.base = base,
            Err(_) => bail!(
                "the server did not report its address (exited or took over 120 s)\n{}",
                server.log_tail()
            ),
        }
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last lines of the server's log, for an error message.
    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let len = f.metadata().map_or(0, |m| m.len());
            let _ = f.seek(SeekFrom::Start(len.saturating_sub(4000)));
            let _ = f.read_to_string(&mut text);
        }
        format!("--- server log ({}) ---\n{text}", self.log.display())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU time (user + system) a process has used so far.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_secs_f64(ticks as f64 / CLOCK_TICKS_PER_SEC))
}

/// Counts the reports in the server's database (read-only, next to the server's WAL).
pub fn count_reports(db: &Path) -> anyhow::Result<u64> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open {}", db.display()))?;
    let n: i64 = conn.query_row("SELECT count(*) FROM reports", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
