//! The load generator: device registration, the warm-up, the closed loops (clients back
//! to back) and the open loop (a fixed rate, latency from the scheduled send time).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;
use tokio::task::JoinSet;

use crate::Knobs;
use crate::figures::{Outcome, Row, Stats};
use crate::reports::report_body;
use crate::server::{Server, cpu_time};

/// Warm-up before measuring the server (tenant cache, connections, page cache).
pub const WARMUP: Duration = Duration::from_secs(2);
/// Clients during the warm-up.
const WARMUP_CLIENTS: usize = 16;
/// A request that takes longer than this counts as an error (and ends its loop's wait).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The pause between the closed loops and the open loop.
const SETTLE: Duration = Duration::from_secs(3);

/// Result of one server phase.
pub struct Phase {
    /// Closed-loop clients, or 0 for the open loop.
    pub clients: usize,
    pub stats: Stats,
    elapsed: Duration,
    server_cpu: Option<Duration>,
    generator_cpu: Option<Duration>,
}

impl Phase {
    pub fn name(&self) -> String {
        if self.clients == 0 {
            "open loop".into()
        } else {
            format!("closed loop, {} clients", self.clients)
        }
    }

    pub fn rate(&self) -> f64 {
        self.stats.ok as f64 / self.elapsed.as_secs_f64()
    }

    pub fn row(&self, name: &str) -> Row {
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

    pub fn cpu_summary(&self) -> String {
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

pub struct Phases {
    pub closed: Vec<Phase>,
    pub open: Phase,
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
pub async fn drive(server: &Server, knobs: &Knobs, points: Arc<Vec<(f64, f64)>>) -> anyhow::Result<(Phases, u64)> {
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
