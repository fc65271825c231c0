//! The bare SQLite baseline: the server's schema and write pragmas, and a loop of
//! `INSERT`s in three shapes (one row, intake's row set, a batch per commit).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{SecondsFormat, Utc};
use hdrhistogram::Histogram;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, params};
use serde_json::json;
use uuid::Uuid;

use augenmerk_server::demo::FLENSBURG;
use augenmerk_store::SqliteStore;
use augenmerk_store::sqlite::apply_write_pragmas;

use crate::figures::Row;
use crate::reports::DESCRIPTION;

/// Rows per transaction in the batched bare loop.
const BARE_BATCH: usize = 64;
/// Audit entries and feed events that intake writes for a typical report (created,
/// routed, assigned, due, status; feed: received, assigned); the "intake row set" loop.
const AUDIT_PER_REPORT: usize = 5;
const EVENTS_PER_REPORT: usize = 2;

#[derive(Clone, Copy, PartialEq)]
pub enum BareShape {
    /// One report row per commit (autocommit).
    OneRow,
    /// Per commit the rows intake writes for one report: report, audit entries, events.
    IntakeRows,
    /// [`BARE_BATCH`] report rows per commit.
    Batch,
}

pub struct BareResult {
    /// Reports inserted.
    reports: u64,
    elapsed: Duration,
    /// Latency per commit (µs).
    commit: Histogram<u64>,
}

impl BareResult {
    pub fn rate(&self) -> f64 {
        self.reports as f64 / self.elapsed.as_secs_f64()
    }

    pub fn row(&self, name: &str) -> Row {
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
pub fn bare_inserts(
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
