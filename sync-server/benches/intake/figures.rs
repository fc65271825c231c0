//! The figures of a run: latencies and outcomes of one phase, and the results table.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;
use hdrhistogram::Histogram;

/// Latencies and outcomes of one phase.
pub struct Stats {
    /// Latency in microseconds.
    pub latency: Histogram<u64>,
    pub ok: u64,
    /// Error kind (`HTTP 422`, `timeout`, …) → count.
    errors: BTreeMap<String, u64>,
    /// The first few error answers, to show what went wrong.
    samples: Vec<String>,
}

impl Stats {
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self {
            latency: Histogram::new_with_bounds(1, 120_000_000, 3).context("histogram bounds")?,
            ok: 0,
            errors: BTreeMap::new(),
            samples: Vec::new(),
        })
    }

    pub fn record(&mut self, latency: Duration, outcome: Outcome) {
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

    pub fn merge(&mut self, other: Self) -> anyhow::Result<()> {
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

    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    pub fn percentile_ms(&self, p: f64) -> f64 {
        self.latency.value_at_percentile(p) as f64 / 1000.0
    }

    pub fn print_errors(&self, phase: &str) {
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
pub enum Outcome {
    Ok,
    Failed { kind: String, detail: String },
}

/// A line of the results table.
pub struct Row {
    pub name: String,
    pub ok: u64,
    pub errors: u64,
    pub rate: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

pub fn print_table(rows: &[Row]) {
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
