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
//!
//! The parts: [`bare`] (the bare SQLite loops), [`server`] (the server as a child process,
//! its CPU time and stored reports), [`load`] (the closed and open loops against it),
//! [`reports`] (what the simulated citizens send, and where), [`figures`] (latencies,
//! outcomes and the results table); this file holds the run itself, its knobs and the
//! verdicts.

mod bare;
mod figures;
mod load;
mod reports;
mod server;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};

use augenmerk_store::sqlite::WRITE_PRAGMAS;

use bare::{BareShape, bare_inserts};
use figures::{Row, print_table};
use load::{WARMUP, drive};
use reports::flensburg_points;
use server::{Server, count_reports};

/// Target of the issue: intake reaches at least this share of the bare insert rate.
const TARGET_RATIO: f64 = 0.5;
/// Target of the issue: p99 latency at the open-loop rate, in milliseconds.
const TARGET_P99_MS: f64 = 20.0;
/// The open loop counts as keeping up if it completes at least this share of the rate.
const TARGET_RATE_SHARE: f64 = 0.95;

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
