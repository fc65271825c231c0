//! Loading the same data set into the SQLite file with rusqlite, in one transaction (as
//! `benches/stats.rs` does). The secondary indexes of the bulk tables are dropped and
//! rebuilt from their stored definitions, as on PostgreSQL. No ANALYZE: the store never
//! runs it, so the planner works as in production.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::params;

use crate::data::{BenchResult, DataSet, channel_name, ts};

/// What the load took.
pub struct SqliteLoad {
    pub insert: Duration,
    pub indexes: Duration,
}

/// Loads devices, reports, their audit entries and feed events.
pub fn load(path: &Path, data: &DataSet) -> BenchResult<SqliteLoad> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    let definitions: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
               AND tbl_name IN ('devices', 'reports', 'audit', 'events')",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let t = Instant::now();
    let tx = conn.transaction()?;
    for (name, _) in &definitions {
        tx.execute_batch(&format!("DROP INDEX {name}"))?;
    }
    let created = ts(&data.now);
    {
        let mut stmt =
            tx.prepare("INSERT INTO devices (id, token_hash, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?3)")?;
        for (i, d) in data.devices.iter().enumerate() {
            stmt.execute(params![d, format!("{:064x}", i), created])?;
        }
        let mut stmt = tx.prepare(
            "INSERT INTO reports (id, ags, device_id, category, answers, description, lat, lon, address_hint,
                 photos, consent, status, priority, due_at, department, assignee, channel, created_at,
                 received_at, updated_at, first_response_secs, resolution_secs, gemeinde, closed_at)
             VALUES (?1, ?2, ?3, ?4, '{}', ?5, ?6, ?7, ?8, '[]', 1, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15,
                 ?16, ?17, ?18, ?19, ?20)",
        )?;
        let mut audit = tx.prepare("INSERT INTO audit (report_id, at, actor, action) VALUES (?1, ?2, ?3, ?4)")?;
        let mut event = tx.prepare(
            "INSERT INTO events (report_id, device_id, kind, payload, at) VALUES (?1, ?2, 'status', ?3, ?4)",
        )?;
        for r in &data.rows {
            let town = &data.towns[r.town];
            let received = ts(&r.received_at);
            stmt.execute(params![
                r.id,
                town.ags,
                data.device_of(r),
                r.category,
                r.description,
                r.lat,
                r.lon,
                r.address_hint,
                r.status.as_str(),
                r.priority,
                r.due_at.as_ref().map(ts),
                r.department,
                data.assignee_of(r),
                channel_name(r.channel),
                received,
                ts(&r.updated_at),
                r.first_response_secs,
                r.resolution_secs,
                town.gemeinden[r.gemeinde],
                r.closed_at.as_ref().map(ts),
            ])?;
            let (actor, action) = data.audit_json(r)?;
            audit.execute(params![r.id, received, actor, action])?;
            for (payload, at) in DataSet::events_json(r)? {
                event.execute(params![r.id, data.device_of(r), payload, ts(&at)])?;
            }
        }
    }
    let insert = t.elapsed();
    let t = Instant::now();
    for (_, sql) in &definitions {
        tx.execute_batch(sql)?;
    }
    tx.commit()?;
    let indexes = t.elapsed();
    Ok(SqliteLoad { insert, indexes })
}
