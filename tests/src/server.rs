//! The sync server as a process (this package's `e2e-server`, killed when dropped or by
//! [`Server::kill`], like a power cut of the process), with the demo seeded.
//!
//! Started without a port, it takes port 0 and the port is read from its "listening on"
//! line, so two servers can never be given the same port. A server that must come back at
//! an address a client already knows is started again with [`ServerSetup::start_on`].

use std::ffi::OsString;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use crate::PASSWORD;
use crate::paths::{bin, models_dir, workspace};
use crate::process::{Group, wait_for_200};

/// How long seeding the demo (1,108 boundaries, six password hashes) and binding may take
/// in a debug build next to other builds.
const START: Duration = Duration::from_secs(120);

/// How a server is started: its data directory, its log and its environment.
#[derive(Debug, Clone)]
pub struct ServerSetup {
    data: PathBuf,
    log: PathBuf,
    env: Vec<(String, OsString)>,
}

impl ServerSetup {
    /// The demo in `data`, its log in `log` (appended to when started again). With
    /// [`crate::backend::postgres`], the database is a new one in the test PostgreSQL
    /// cluster (the same one whenever this setup starts a server again).
    pub fn new(data: &Path, log: &Path) -> Self {
        let setup = Self {
            data: data.to_owned(),
            log: log.to_owned(),
            env: Vec::new(),
        };
        if crate::backend::postgres() {
            let database = crate::backend::postgres_database_of(data);
            setup.env("AUGENMERK__DATABASE_URL", database)
        } else {
            setup
        }
    }

    /// As the browser tests want it: serving the built UI, with the models and no map
    /// tiles; data in `dir/server`, log in `dir/server.log`.
    pub fn web(dir: &Path) -> Self {
        Self::new(&dir.join("server"), &dir.join("server.log"))
            .env("AUGENMERK__UI_DIR", built_ui())
            // No requests to the internet: the map shows coordinates only.
            .env("AUGENMERK__TILE_URL", "")
            .env("AUGENMERK__MODELS_DIR", models_dir())
    }

    /// As the client tests want it: data in `data`, log next to it; one address (the
    /// tests) sends what a whole town would.
    pub fn client(data: &Path) -> Self {
        Self::new(data, &data.with_extension("log"))
            // Hundreds of reports a minute from one address. The per-address limits have
            // their own tests (tests/api).
            .env("AUGENMERK__RATE_LIMITS__REPORTS_PER_ADDRESS", "1000000")
            .env("AUGENMERK__RATE_LIMITS__UPLOADS_PER_ADDRESS", "1000000")
            .env("AUGENMERK__RATE_LIMITS__DEVICES_PER_ADDRESS", "1000000")
            // Staff log in again after every restart; on PostgreSQL the login limits
            // outlive a restart (they are in the database), so the tests' logins add up.
            // The login limits have their own tests (tests/api, tests/client/scale_out.rs).
            .env("AUGENMERK__LOGIN_ATTEMPTS_PER_MINUTE", "1000")
            .env("AUGENMERK__RATE_LIMITS__LOGIN_PER_ADDRESS", "1000")
            // The crash test's one device uploads more photos than a citizen's daily
            // quota (100); the quota has its own test (tests/api/photo_limits.rs).
            .env("AUGENMERK__PHOTOS__PER_DEVICE_PER_DAY", "1000000")
            .env("AUGENMERK__PHOTOS__BYTES_PER_DEVICE_PER_DAY", "100000000000")
    }

    /// One more environment variable (`AUGENMERK__…` settings, `AUGENMERK_FAULT`).
    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.env.push((key.to_owned(), value.into()));
        self
    }

    /// The data directory.
    pub fn data(&self) -> &Path {
        &self.data
    }

    /// Starts the server on a port it picks and waits until it answers.
    pub fn start(&self) -> Server {
        self.start_at(0)
    }

    /// Starts the server on `port` (again: it keeps its data, the demo is seeded once) and
    /// waits until it answers.
    pub fn start_on(&self, port: u16) -> Server {
        assert_ne!(port, 0, "start() lets the server pick its port");
        self.start_at(port)
    }

    fn start_at(&self, port: u16) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("server log");
        let mut cmd = Command::new(bin("e2e-server"));
        cmd.args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}"), "--data"])
            .arg(&self.data)
            .env("AUGENMERK_DEMO_PASSWORD", PASSWORD)
            .env("RUST_LOG", "warn")
            .env_remove("AUGENMERK_FAULT")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log);
        let mut process = Group::spawn(&mut cmd).expect("start e2e-server");
        let stdout = process.stdout().expect("the server's stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(stdout).lines();
            for line in lines.by_ref().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on http://") {
                    let _ = tx.send(addr.to_owned());
                    break;
                }
            }
            // Read on until the process ends: with the pipe closed, its next line on
            // stdout would fail.
            lines.for_each(drop);
        });
        let port = rx
            .recv_timeout(START)
            .ok()
            .and_then(|addr| addr.rsplit_once(':').and_then(|(_, p)| p.parse::<u16>().ok()))
            .unwrap_or_else(|| {
                panic!(
                    "the server did not say where it listens; see {}:\n{}",
                    self.log.display(),
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                )
            });
        wait_for_200(port, "/healthz", "the server", &self.log);
        Server {
            process: Some(process),
            port,
            url: format!("http://127.0.0.1:{port}"),
            data: self.data.clone(),
            log: self.log.clone(),
        }
    }
}

/// A running server.
pub struct Server {
    process: Option<Group>,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// Its data directory.
    pub data: PathBuf,
    /// Its log (stderr).
    pub log: PathBuf,
}

impl Drop for Server {
    /// A failing test shows the end of the server's log: its temporary directory (and
    /// the log in it) is gone once the test has ended.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(40)..].join("\n");
        eprintln!(
            "--- the last lines of the server's log ({}):\n{tail}\n---",
            self.log.display()
        );
    }
}

impl Server {
    /// The browser tests' server ([`ServerSetup::web`]) in `dir` on a port it picks.
    pub fn start(dir: &Path) -> Self {
        ServerSetup::web(dir).start()
    }

    /// The browser tests' server ([`ServerSetup::web`]) in `dir` on `port`, which a client
    /// (the app) was told before; started again on the same `dir`, it keeps its data.
    pub fn start_on(dir: &Path, port: u16) -> Self {
        ServerSetup::web(dir).start_on(port)
    }

    /// The client tests' server ([`ServerSetup::client`]) with its data in `data`.
    pub fn client(data: &Path) -> Self {
        ServerSetup::client(data).start()
    }

    /// The client tests' server ([`ServerSetup::client`]) started again on `port`.
    pub fn client_on(data: &Path, port: u16) -> Self {
        ServerSetup::client(data).start_on(port)
    }

    /// Kills the process (SIGKILL: no shutdown, like a power cut of the process).
    pub fn kill(&mut self) {
        self.process = None;
    }

    /// Asks the server to stop (SIGTERM): it drains and finishes its requests in flight.
    pub fn terminate(&self) {
        if let Some(p) = &self.process {
            p.terminate();
        }
    }

    /// How the process ended, if it has (a server told to fail exits on its own).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.process.as_mut().and_then(Group::exited)
    }
}

/// The built web UI, failing with what to do when it is not built.
pub fn built_ui() -> PathBuf {
    let dist = workspace().join("src-ui/dist");
    assert!(
        dist.join("index.html").is_file() && dist.join("pkg").is_dir(),
        "the web UI is not built at {}: run scripts/build-ui.sh first (scripts/test.sh does)",
        dist.display()
    );
    dist
}
