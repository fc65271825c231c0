//! Intake benchmark: how many reports per second the server stores durably and how fast it
//! answers, measured next to a bare SQLite insert loop with the same durability settings.
//!
//! `cargo bench -p augenmerk-server --bench intake` (or `scripts/bench-intake.sh`) runs, in
//! one process and one temporary directory:
//!
//! 1. **Bare SQLite**: the server's own schema (its migrations), the store's
//!    [`WRITE_PRAGMAS`] (WAL, `synchronous=FULL`, …), and a loop of `INSERT`s into
//!    `reports`: one row per commit (the reference for the ratio), the row set intake writes
//!    for one report per commit, and 64 reports per commit (what group commit can reach).
//! 2. **The real server** as a child process (`augenmerk-server serve --demo` on
//!    127.0.0.1:0), so the load generator does not share its runtime. After a short warm-up:
//!    * closed loop: N clients each submit valid Flensburg reports back to back;
//!    * open loop, after a 3 s pause that lets the server work off the closed loops'
//!      backlog: a fixed rate of sends, scheduled by the clock and not by the answers;
//!      latency counts from the *scheduled* send time, so a stall is not hidden by the
//!      sends it delayed (coordinated omission).
//!
//! The targets of the issue are checked and printed as PASS/FAIL, but the exit code is 0
//! whenever the benchmark itself ran: it measures, it does not gate.
//!
//! Knobs (environment): `INTAKE_SECS` (seconds per server phase, default 10),
//! `INTAKE_BARE_SECS` (per bare phase, default 5), `INTAKE_RATE` (open-loop rate, default
//! 300), `INTAKE_CLIENTS` (closed-loop client counts, default `16,64`), `INTAKE_SERVER_LOG`
//! (the server's `RUST_LOG`, default `warn`), `INTAKE_DIR`
//! (where the temporary directory goes; default the system's temp dir: it must be on the
//! disk you want to measure, not a tmpfs).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{SecondsFormat, Utc};
use hdrhistogram::Histogram;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, OpenFlags, params};
use serde_json::json;
use tokio::task::JoinSet;
use uuid::Uuid;

use augenmerk_geo::{Boundaries, GeoPoint, Location};
use augenmerk_server::demo::{FLENSBURG, SH_BOUNDARIES};
use augenmerk_store::SqliteStore;
use augenmerk_store::sqlite::{WRITE_PRAGMAS, apply_write_pragmas};

/// Target of the issue: intake reaches at least this share of the bare insert rate.
const TARGET_RATIO: f64 = 0.5;
/// Target of the issue: p99 latency at the open-loop rate, in milliseconds.
const TARGET_P99_MS: f64 = 20.0;
/// The open loop counts as keeping up if it completes at least this share of the rate.
const TARGET_RATE_SHARE: f64 = 0.95;
/// Warm-up before measuring the server (tenant cache, connections, page cache).
const WARMUP: Duration = Duration::from_secs(2);
/// Clients during the warm-up.
const WARMUP_CLIENTS: usize = 16;
/// A request that takes longer than this counts as an error (and ends its loop's wait).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Rows per transaction in the batched bare loop.
const BARE_BATCH: usize = 64;
/// Audit entries and feed events that intake writes for a typical report (created,
/// routed, assigned, due, status; feed: received, assigned); the "intake row set" loop.
const AUDIT_PER_REPORT: usize = 5;
const EVENTS_PER_REPORT: usize = 2;
/// The Linux clock tick of `/proc/<pid>/stat` (USER_HZ, 100 on every common platform).
const CLOCK_TICKS_PER_SEC: f64 = 100.0;

/// The pause between the closed loops and the open loop.
const SETTLE: Duration = Duration::from_secs(3);

fn main() -> anyhow::Result<()> {
    let knobs = Knobs::from_env()?;
    let parent = knobs.dir.clone().unwrap_or_else(std::env::temp_dir);
    let tmp = tempfile::Builder::new()
        .prefix("augenmerk-intake-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a temporary directory in {}", parent.display()))?;
    let points = Arc::new(flensburg_points()?);

    println!("Augenmerk intake benchmark");
    println!(
        "  data: {} ({}), {} CPU core(s), SQLite {}",
        tmp.path().display(),
        file_system_of(tmp.path()),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        rusqlite::version(),
    );
    let pragmas: Vec<String> = WRITE_PRAGMAS.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("  write pragmas (server and bare loop): {}", pragmas.join(", "));
    println!(
        "  {} report locations inside Flensburg; phases: bare {} s each, server {} s each (after {} s warm-up)",
        points.len(),
        knobs.bare.as_secs(),
        knobs.secs.as_secs(),
        WARMUP.as_secs()
    );

    let mut rows: Vec<Row> = Vec::new();

    // Bare SQLite first, while nothing else runs.
    eprintln!("bare SQLite loops …");
    let bare_single = bare_inserts(&tmp.path().join("bare-1.db"), knobs.bare, BareShape::OneRow, &points)?;
    rows.push(bare_single.row("bare: 1 report row / commit"));
    let bare_set = bare_inserts(
        &tmp.path().join("bare-set.db"),
        knobs.bare,
        BareShape::IntakeRows,
        &points,
    )?;
    rows.push(bare_set.row("bare: report+5 audit+2 events / commit"));
    let bare_batch = bare_inserts(&tmp.path().join("bare-64.db"), knobs.bare, BareShape::Batch, &points)?;
    rows.push(bare_batch.row("bare: 64 report rows / commit"));

    // Then the server, in its own process.
    let data = tmp.path().join("server");
    eprintln!("starting the server …");
    let server = Server::start(&data, &tmp.path().join("server.log"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot build the load generator's runtime")?;
    let outcome = runtime.block_on(drive(&server, &knobs, points));
    // Report what the server logged if the load failed; the guard kills it either way.
    let (phases, submitted) = match outcome {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{}", server.log_tail());
            return Err(e);
        }
    };
    let stored = count_reports(&data.join("augenmerk.db"))?;
    drop(server);

    let best = phases.closed.iter().map(|p| p.rate()).fold(0.0_f64, f64::max);
    rows.extend(
        phases
            .closed
            .iter()
            .map(|p| p.row(&format!("intake: closed loop, {} clients", p.clients))),
    );
    rows.push(phases.open.row(&format!("intake: open loop at {}/s", knobs.rate)));

    println!();
    print_table(&rows);
    println!();
    println!("server CPU (both cores = 200%):");
    for p in phases.closed.iter().chain(std::iter::once(&phases.open)) {
        println!("  {:<40} {}", p.name(), p.cpu_summary());
    }
    println!(
        "reports stored by the server: {stored} (2xx answers, warm-up included: {submitted}){}",
        if stored == submitted { "" } else { "  MISMATCH" }
    );
    println!();

    let bare_rate = bare_single.rate();
    let ratio = if bare_rate > 0.0 { best / bare_rate } else { 0.0 };
    println!(
        "ratio intake / bare = best closed loop {best:.0}/s / bare 1 row per commit {bare_rate:.0}/s = {:.0}%  \
         (target >= {:.0}%)  {}",
        ratio * 100.0,
        TARGET_RATIO * 100.0,
        verdict(ratio >= TARGET_RATIO)
    );
    let open = &phases.open;
    let p99 = open.stats.percentile_ms(99.0);
    let keeps_up = open.rate() >= f64::from(knobs.rate) * TARGET_RATE_SHARE;
    println!(
        "open loop {}/s: achieved {:.0}/s, p99 {p99:.1} ms, {} error(s)  (target p99 <= {TARGET_P99_MS} ms, \
         >= {:.0}% of the rate, no errors)  {}",
        knobs.rate,
        open.rate(),
        open.stats.error_count(),
        TARGET_RATE_SHARE * 100.0,
        verdict(p99 <= TARGET_P99_MS && keeps_up && open.stats.error_count() == 0)
    );
    for p in phases.closed.iter().chain(std::iter::once(open)) {
        p.stats.print_errors(&p.name());
    }
    Ok(())
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

/// Settings of a run, from the environment.
struct Knobs {
    secs: Duration,
    bare: Duration,
    rate: u32,
    clients: Vec<usize>,
    dir: Option<PathBuf>,
}

impl Knobs {
    fn from_env() -> anyhow::Result<Self> {
        fn var<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
            match std::env::var(name) {
                Ok(v) => v
                    .trim()
                    .parse()
                    .ok()
                    .with_context(|| format!("{name}={v} is not valid")),
                Err(_) => Ok(default),
            }
        }
        let clients = std::env::var("INTAKE_CLIENTS").unwrap_or_else(|_| "16,64".into());
        let clients = clients
            .split(',')
            .map(|c| c.trim().parse::<usize>().ok().filter(|n| (1..=1024).contains(n)))
            .collect::<Option<Vec<_>>>()
            .with_context(|| format!("INTAKE_CLIENTS={clients}: expected e.g. 16,64"))?;
        let knobs = Self {
            secs: Duration::from_secs(var("INTAKE_SECS", 10)?),
            bare: Duration::from_secs(var("INTAKE_BARE_SECS", 5)?),
            rate: var("INTAKE_RATE", 300)?,
            clients,
            dir: std::env::var_os("INTAKE_DIR").map(PathBuf::from),
        };
        if knobs.secs.is_zero() || knobs.bare.is_zero() || knobs.secs.as_secs() > 600 || knobs.rate == 0 {
            bail!("INTAKE_SECS and INTAKE_BARE_SECS must be 1–600, INTAKE_RATE at least 1");
        }
        Ok(knobs)
    }
}

// ---------------------------------------------------------------------------------------
// Measurements

/// Latencies and outcomes of one phase.
struct Stats {
    /// Latency in microseconds.
    latency: Histogram<u64>,
    ok: u64,
    /// Error kind (`HTTP 422`, `timeout`, …) → count.
    errors: BTreeMap<String, u64>,
    /// The first few error answers, to show what went wrong.
    samples: Vec<String>,
}

impl Stats {
    fn new() -> anyhow::Result<Self> {
        Ok(Self {
            latency: Histogram::new_with_bounds(1, 120_000_000, 3).context("histogram bounds")?,
            ok: 0,
            errors: BTreeMap::new(),
            samples: Vec::new(),
        })
    }

    fn record(&mut self, latency: Duration, outcome: Outcome) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.latency.saturating_record(micros.max(1));
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Failed { kind, detail } => {
                *self.errors.entry(kind.clone()).or_default() += 1;
                if self.samples.len() < 3 {
                    self.samples.push(format!("{kind}: {detail}"));
                }
            }
        }
    }

    fn merge(&mut self, other: Self) -> anyhow::Result<()> {
        self.latency.add(&other.latency).context("merging histograms")?;
        self.ok += other.ok;
        for (k, n) in other.errors {
            *self.errors.entry(k).or_default() += n;
        }
        for s in other.samples {
            if self.samples.len() < 3 {
                self.samples.push(s);
            }
        }
        Ok(())
    }

    fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        self.latency.value_at_percentile(p) as f64 / 1000.0
    }

    fn print_errors(&self, phase: &str) {
        if self.errors.is_empty() {
            return;
        }
        let kinds: Vec<String> = self.errors.iter().map(|(k, n)| format!("{n}× {k}")).collect();
        println!("errors in {phase}: {}", kinds.join(", "));
        for s in &self.samples {
            println!("  e.g. {s}");
        }
    }
}

/// How one request went.
enum Outcome {
    Ok,
    Failed { kind: String, detail: String },
}

/// A line of the results table.
struct Row {
    name: String,
    ok: u64,
    errors: u64,
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<40} {:>8} {:>6} {:>10} {:>9} {:>9} {:>9}",
        "phase", "ok", "errors", "per second", "p50 ms", "p99 ms", "max ms"
    );
    println!("{}", "-".repeat(97));
    for r in rows {
        println!(
            "{:<40} {:>8} {:>6} {:>10.1} {:>9.2} {:>9.2} {:>9.2}",
            r.name, r.ok, r.errors, r.rate, r.p50_ms, r.p99_ms, r.max_ms
        );
    }
    println!("(bare rows: latency of one commit; intake rows: one request, send to full answer)");
}

// ---------------------------------------------------------------------------------------
// The bare SQLite loop

#[derive(Clone, Copy, PartialEq)]
enum BareShape {
    /// One report row per commit (autocommit).
    OneRow,
    /// Per commit the rows intake writes for one report: report, audit entries, events.
    IntakeRows,
    /// [`BARE_BATCH`] report rows per commit.
    Batch,
}

struct BareResult {
    /// Reports inserted.
    reports: u64,
    elapsed: Duration,
    /// Latency per commit (µs).
    commit: Histogram<u64>,
}

impl BareResult {
    fn rate(&self) -> f64 {
        self.reports as f64 / self.elapsed.as_secs_f64()
    }

    fn row(&self, name: &str) -> Row {
        Row {
            name: name.into(),
            ok: self.reports,
            errors: 0,
            rate: self.rate(),
            p50_ms: self.commit.value_at_percentile(50.0) as f64 / 1000.0,
            p99_ms: self.commit.value_at_percentile(99.0) as f64 / 1000.0,
            max_ms: self.commit.max() as f64 / 1000.0,
        }
    }
}

/// Inserts report rows into a fresh database with the server's schema and write pragmas
/// for `duration`.
fn bare_inserts(
    path: &Path,
    duration: Duration,
    shape: BareShape,
    points: &[(f64, f64)],
) -> anyhow::Result<BareResult> {
    // The server's own migrations: the same table, columns, STRICT types and indexes.
    SqliteStore::migrate(path).context("creating the bare database")?;
    let mut conn = Connection::open(path).context("opening the bare database")?;
    apply_write_pragmas(&conn).context("applying the store's write pragmas")?;
    // Parents for the foreign keys.
    conn.execute(
        "INSERT INTO municipalities (ags, name, categories, settings, config_version)
         VALUES (?1, 'Flensburg', '{}', '{}', 1)",
        [FLENSBURG],
    )?;
    let device = Uuid::new_v4().to_string();
    conn.execute(
        "INSERT INTO devices (id, token_hash, platform, app_version, created_at) VALUES (?1, ?2, 'bench', '0', ?3)",
        params![device, Uuid::new_v4().to_string(), now()],
    )?;

    let mut rng = StdRng::seed_from_u64(7);
    let mut commit = Histogram::<u64>::new_with_bounds(1, 120_000_000, 3).context("histogram bounds")?;
    let mut reports = 0_u64;
    let start = Instant::now();
    while start.elapsed() < duration {
        let t = Instant::now();
        match shape {
            BareShape::OneRow => {
                // Autocommit: the statement is its own transaction, one WAL fsync.
                insert_bare_report(&conn, &device, &mut rng, points)?;
                reports += 1;
            }
            BareShape::IntakeRows => {
                let tx = conn.transaction()?;
                let id = insert_bare_report(&tx, &device, &mut rng, points)?;
                insert_bare_trail(&tx, &id)?;
                tx.commit()?;
                reports += 1;
            }
            BareShape::Batch => {
                let tx = conn.transaction()?;
                for _ in 0..BARE_BATCH {
                    insert_bare_report(&tx, &device, &mut rng, points)?;
                }
                tx.commit()?;
                reports += BARE_BATCH as u64;
            }
        }
        commit.saturating_record(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX).max(1));
    }
    let elapsed = start.elapsed();
    Ok(BareResult {
        reports,
        elapsed,
        commit,
    })
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// One row shaped like what intake stores for a routed pothole report.
fn insert_bare_report(
    conn: &Connection,
    device: &str,
    rng: &mut StdRng,
    points: &[(f64, f64)],
) -> anyhow::Result<String> {
    let id = Uuid::new_v4().to_string();
    let (lat, lon) = points[rng.random_range(0..points.len())];
    let at = now();
    let due = (Utc::now() + chrono::Duration::hours(240)).to_rfc3339_opts(SecondsFormat::Nanos, true);
    let answers = json!({
        "gefahr_akut": {"bool": rng.random_bool(0.2)},
        "groesse": {"choice": "20_50"},
        "strassenart": {"choice": "gemeindestrasse"},
    });
    conn.prepare_cached(
        "INSERT INTO reports (id, ags, device_id, category, answers, description, lat, lon, address_hint,
             photos, contact_email, consent, status, priority, due_at, department, assignee, forwarded_to,
             duplicate_of, routed_by, channel, created_at, received_at, updated_at)
         VALUES (?1, ?2, ?3, 'schlagloch', ?4, ?5, ?6, ?7, ?8, '[]', NULL, 1, 'assigned', 'normal', ?9, 'tiefbau',
             NULL, NULL, NULL, 'strasse', 'app', ?10, ?10, ?10)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        id,
        FLENSBURG,
        device,
        answers.to_string(),
        DESCRIPTION,
        lat,
        lon,
        "vor Hausnummer 12",
        due,
        at
    ])?;
    Ok(id)
}

/// The audit entries and feed events intake appends for a report (sizes alike).
fn insert_bare_trail(conn: &Connection, id: &str) -> anyhow::Result<()> {
    let at = now();
    let mut audit = conn.prepare_cached(
        "INSERT INTO audit (report_id, at, actor, action, public_comment) VALUES (?1, ?2, ?3, ?4, NULL)",
    )?;
    for i in 0..AUDIT_PER_REPORT {
        let action = json!({"type": "status_changed", "from": "received", "to": "assigned", "step": i});
        audit.execute(params![id, at, r#"{"type":"system"}"#, action.to_string()])?;
    }
    let mut events = conn.prepare_cached(
        "INSERT INTO events (report_id, device_id, kind, payload, at)
         SELECT id, device_id, 'status', ?2, ?3 FROM reports WHERE id = ?1",
    )?;
    for _ in 0..EVENTS_PER_REPORT {
        let payload = json!({"from": "received", "to": "assigned", "comment": null, "at": at});
        events.execute(params![id, payload.to_string(), at])?;
    }
    Ok(())
}

/// Counts the reports in the server's database (read-only, next to the server's WAL).
fn count_reports(db: &Path) -> anyhow::Result<u64> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open {}", db.display()))?;
    let n: i64 = conn.query_row("SELECT count(*) FROM reports", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

const DESCRIPTION: &str = "Tiefes Schlagloch auf der rechten Fahrspur, Radfahrer müssen ausweichen. \
     Seit etwa zwei Wochen, wird nach Regen größer.";

// ---------------------------------------------------------------------------------------
// The server under test

/// The server as a child process; killed when dropped (also on an error or a panic).
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Server {
    fn start(data: &Path, log: &Path) -> anyhow::Result<Self> {
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

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last lines of the server's log, for an error message.
    fn log_tail(&self) -> String {
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
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_secs_f64(ticks as f64 / CLOCK_TICKS_PER_SEC))
}

// ---------------------------------------------------------------------------------------
// The load generator

/// Result of one server phase.
struct Phase {
    /// Closed-loop clients, or 0 for the open loop.
    clients: usize,
    stats: Stats,
    elapsed: Duration,
    server_cpu: Option<Duration>,
    generator_cpu: Option<Duration>,
}

impl Phase {
    fn name(&self) -> String {
        if self.clients == 0 {
            "open loop".into()
        } else {
            format!("closed loop, {} clients", self.clients)
        }
    }

    fn rate(&self) -> f64 {
        self.stats.ok as f64 / self.elapsed.as_secs_f64()
    }

    fn row(&self, name: &str) -> Row {
        Row {
            name: name.into(),
            ok: self.stats.ok,
            errors: self.stats.error_count(),
            rate: self.rate(),
            p50_ms: self.stats.percentile_ms(50.0),
            p99_ms: self.stats.percentile_ms(99.0),
            max_ms: self.stats.latency.max() as f64 / 1000.0,
        }
    }

    fn cpu_summary(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        let per_report = |cpu: Duration| {
            if self.stats.ok == 0 {
                0.0
            } else {
                cpu.as_secs_f64() * 1e6 / self.stats.ok as f64
            }
        };
        match (self.server_cpu, self.generator_cpu) {
            (Some(s), Some(g)) => format!(
                "server {:>4.0}% ({:>4.0} µs CPU/report); load generator {:>4.0}%",
                s.as_secs_f64() / secs * 100.0,
                per_report(s),
                g.as_secs_f64() / secs * 100.0
            ),
            _ => "n/a (no /proc)".into(),
        }
    }
}

struct Phases {
    closed: Vec<Phase>,
    open: Phase,
}

/// Shared by every request of the load generator.
#[derive(Clone)]
struct Target {
    http: reqwest::Client,
    reports_url: Arc<str>,
    tokens: Arc<Vec<String>>,
    points: Arc<Vec<(f64, f64)>>,
}

/// Registers devices, warms up, and runs the closed and open loops. Returns the phases and
/// how many reports were accepted in all (warm-up included).
async fn drive(server: &Server, knobs: &Knobs, points: Arc<Vec<(f64, f64)>>) -> anyhow::Result<(Phases, u64)> {
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(REQUEST_TIMEOUT)
        .tcp_nodelay(true)
        .pool_max_idle_per_host(1024)
        .build()
        .context("cannot build the HTTP client")?;
    let devices = knobs.clients.iter().copied().max().unwrap_or(1).max(WARMUP_CLIENTS);
    let mut tokens = Vec::with_capacity(devices);
    for _ in 0..devices {
        tokens.push(register_device(&http, &server.base).await?);
    }
    let target = Target {
        http,
        reports_url: format!("{}/api/v1/reports", server.base).into(),
        tokens: Arc::new(tokens),
        points,
    };

    eprintln!("warm-up: {WARMUP_CLIENTS} clients, {} s …", WARMUP.as_secs());
    let warm = closed_loop(&target, server.pid(), WARMUP_CLIENTS, WARMUP, 1).await?;
    if warm.stats.ok == 0 {
        warm.stats.print_errors("warm-up");
        bail!("no report was accepted during the warm-up");
    }
    let mut submitted = warm.stats.ok;

    let mut closed = Vec::new();
    for (i, &clients) in knobs.clients.iter().enumerate() {
        eprintln!("closed loop: {clients} clients, {} s …", knobs.secs.as_secs());
        let phase = closed_loop(&target, server.pid(), clients, knobs.secs, 1000 * (i as u64 + 2)).await?;
        submitted += phase.stats.ok;
        closed.push(phase);
    }
    // The open loop measures the steady state at its rate, not how the server works off
    // the backlog of the overload just before (WAL checkpoints of the closed loops).
    eprintln!("settling: {} s …", SETTLE.as_secs());
    tokio::time::sleep(SETTLE).await;
    eprintln!("open loop: {}/s, {} s …", knobs.rate, knobs.secs.as_secs());
    let open = open_loop(&target, server.pid(), knobs.rate, knobs.secs).await?;
    submitted += open.stats.ok;
    Ok((Phases { closed, open }, submitted))
}

async fn register_device(http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let response = http
        .post(format!("{base}/api/v1/devices"))
        .json(&json!({"platform": "bench", "app_version": "intake"}))
        .send()
        .await
        .context("registering a device")?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.context("reading the device registration")?;
    if !status.is_success() {
        bail!("device registration answered {status}: {body}");
    }
    body["token"]
        .as_str()
        .map(str::to_owned)
        .context("device registration without a token")
}

/// Each client submits reports back to back until the time is up.
async fn closed_loop(
    target: &Target,
    pid: u32,
    clients: usize,
    duration: Duration,
    seed: u64,
) -> anyhow::Result<Phase> {
    let (server_cpu0, own_cpu0) = (cpu_time(pid), cpu_time(std::process::id()));
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = JoinSet::new();
    for c in 0..clients {
        let target = target.clone();
        let token = target.tokens[c % target.tokens.len()].clone();
        tasks.spawn(async move {
            let mut stats = Stats::new()?;
            let mut rng = StdRng::seed_from_u64(seed + c as u64);
            while Instant::now() < deadline {
                let body = report_body(&mut rng, &target.points);
                let sent = Instant::now();
                let outcome = submit(&target, &token, &body).await;
                stats.record(sent.elapsed(), outcome);
            }
            anyhow::Ok(stats)
        });
    }
    let mut stats = Stats::new()?;
    while let Some(done) = tasks.join_next().await {
        stats.merge(done.context("a client task failed")??)?;
    }
    // Up to the last answer: the requests in flight at the deadline count in full.
    let elapsed = start.elapsed();
    Ok(Phase {
        clients,
        stats,
        elapsed,
        server_cpu: cpu_time(pid).zip(server_cpu0).map(|(b, a)| b.saturating_sub(a)),
        generator_cpu: cpu_time(std::process::id())
            .zip(own_cpu0)
            .map(|(b, a)| b.saturating_sub(a)),
    })
}

/// Sends at a fixed rate whatever the answers do; latency counts from the scheduled time.
async fn open_loop(target: &Target, pid: u32, rate: u32, duration: Duration) -> anyhow::Result<Phase> {
    let (server_cpu0, own_cpu0) = (cpu_time(pid), cpu_time(std::process::id()));
    let total = u64::from(rate) * duration.as_secs();
    let period = Duration::from_secs_f64(1.0 / f64::from(rate));
    let mut rng = StdRng::seed_from_u64(99);
    let mut stats = Stats::new()?;
    let mut tasks = JoinSet::new();
    let start = tokio::time::Instant::now();
    for i in 0..total {
        let scheduled = start + period.mul_f64(i as f64);
        // Late (the generator was busy) means "send now"; the delay still counts.
        tokio::time::sleep_until(scheduled).await;
        let body = report_body(&mut rng, &target.points);
        let target = target.clone();
        let token = target.tokens[(i as usize) % target.tokens.len()].clone();
        tasks.spawn(async move {
            let outcome = submit(&target, &token, &body).await;
            (scheduled.elapsed(), outcome)
        });
        while let Some(done) = tasks.try_join_next() {
            let (latency, outcome) = done.context("a request task failed")?;
            stats.record(latency, outcome);
        }
    }
    while let Some(done) = tasks.join_next().await {
        let (latency, outcome) = done.context("a request task failed")?;
        stats.record(latency, outcome);
    }
    let elapsed = start.elapsed();
    Ok(Phase {
        clients: 0,
        stats,
        elapsed,
        server_cpu: cpu_time(pid).zip(server_cpu0).map(|(b, a)| b.saturating_sub(a)),
        generator_cpu: cpu_time(std::process::id())
            .zip(own_cpu0)
            .map(|(b, a)| b.saturating_sub(a)),
    })
}

/// Submits one report and reads the whole answer.
async fn submit(target: &Target, token: &str, body: &serde_json::Value) -> Outcome {
    let response = match target
        .http
        .post(&*target.reports_url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => return transport_error(&e),
    };
    let status = response.status();
    match response.bytes().await {
        Ok(_) if status.is_success() => Outcome::Ok,
        Ok(bytes) => Outcome::Failed {
            kind: format!("HTTP {}", status.as_u16()),
            detail: String::from_utf8_lossy(&bytes).chars().take(300).collect(),
        },
        Err(e) => transport_error(&e),
    }
}

fn transport_error(e: &reqwest::Error) -> Outcome {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else {
        "transport"
    };
    Outcome::Failed {
        kind: kind.into(),
        detail: e.to_string(),
    }
}

const STRASSENARTEN: &[&str] = &["gemeindestrasse", "kreisstrasse", "landesstrasse", "unbekannt"];
const ADDRESS_HINTS: &[&str] = &[
    "vor Hausnummer 12",
    "Ecke Holm",
    "an der Bushaltestelle",
    "neben dem Spielplatz",
];

/// A valid report at a random place in Flensburg: mostly potholes, some lights and litter.
fn report_body(rng: &mut StdRng, points: &[(f64, f64)]) -> serde_json::Value {
    let (lat, lon) = points[rng.random_range(0..points.len())];
    let danger = rng.random_bool(0.2);
    let (category, answers) = match rng.random_range(0..10) {
        0..=5 => {
            let mut a = json!({"gefahr_akut": danger});
            if rng.random_bool(0.5) {
                a["groesse"] = json!(["lt20", "20_50", "gt50"][rng.random_range(0..3)]);
            }
            if rng.random_bool(0.3) {
                a["strassenart"] = json!(STRASSENARTEN[rng.random_range(0..STRASSENARTEN.len())]);
            }
            ("schlagloch", a)
        }
        6 | 7 => ("leuchte_aus", json!({"gefahr_akut": danger})),
        8 => ("papierkorb", json!({})),
        _ => (
            "ablagerung",
            json!({"gefaehrlich": danger, "art": ["sperrmuell", "elektro"], "menge": "mittel"}),
        ),
    };
    let mut body = json!({
        "id": Uuid::new_v4(),
        "category": category,
        "answers": answers,
        "description": DESCRIPTION,
        "location": {"lat": lat, "lon": lon},
        "consent": true,
    });
    if rng.random_bool(0.5) {
        body["address_hint"] = json!(ADDRESS_HINTS[rng.random_range(0..ADDRESS_HINTS.len())]);
    }
    body
}

/// Points of a grid over Flensburg that lie inside the city (so none is rejected as outside).
fn flensburg_points() -> anyhow::Result<Vec<(f64, f64)>> {
    let boundaries = Boundaries::from_geojson(SH_BOUNDARIES).context("the statewide boundaries")?;
    let ags = augenmerk_domain::Ags::parse(FLENSBURG)?;
    let bbox = boundaries
        .get(&ags)
        .context("Flensburg is not in the boundaries")?
        .bbox();
    const STEPS: u32 = 30;
    let mut points = Vec::new();
    for i in 0..STEPS {
        for j in 0..STEPS {
            let lat = bbox.min_lat + (f64::from(i) + 0.5) / f64::from(STEPS) * (bbox.max_lat - bbox.min_lat);
            let lon = bbox.min_lon + (f64::from(j) + 0.5) / f64::from(STEPS) * (bbox.max_lon - bbox.min_lon);
            let p = GeoPoint::parse(lat, lon)?;
            if let Location::Inside { municipality } = boundaries.locate(p, 0.0)?
                && municipality.ags == ags
            {
                points.push((lat, lon));
            }
        }
    }
    if points.len() < 50 {
        bail!("only {} grid points inside Flensburg", points.len());
    }
    Ok(points)
}

/// The file system type of the directory (from /proc/mounts), or `unknown`.
fn file_system_of(dir: &Path) -> String {
    let Ok(mounts) = std::fs::read_to_string("/proc/mounts") else {
        return "unknown".into();
    };
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_, mount, fs) = (f.next()?, f.next()?, f.next()?);
            dir.starts_with(mount)
                .then(|| (mount.len(), format!("{fs} at {mount}")))
        })
        .max_by_key(|(len, _)| *len)
        .map_or_else(|| "unknown".into(), |(_, s)| s)
}
