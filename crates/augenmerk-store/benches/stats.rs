//! Statistics benchmark (not a test): 100,000 reports of one municipality in the embedded
//! SQLite store, then the statistics of the whole year and of one month, timed through the
//! `Store` trait as the server calls them. Target: ≤ 200 ms for the 100,000.
//! Knobs: `STATS_BENCH_REPORTS` (100,000), `STATS_BENCH_DIR` (where the database goes).

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rusqlite::params;

use augenmerk_domain::Ags;
use augenmerk_store::SqliteStore;
use augenmerk_store::Store;

const STATUSES: [&str; 8] = [
    "received",
    "assigned",
    "in_progress",
    "resolved",
    "rejected",
    "forwarded",
    "duplicate",
    "closed",
];
const CATEGORIES: [&str; 8] = [
    "schlagloch",
    "gehweg",
    "leuchte_aus",
    "papierkorb",
    "wilder_muell",
    "graffiti",
    "spielgeraet",
    "baum",
];
const DEPARTMENTS: [&str; 4] = ["tiefbau", "tbz", "gruenflaechen", "ordnungsamt"];
const TARGET: Duration = Duration::from_millis(200);

fn ts(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u32 = std::env::var("STATS_BENCH_REPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let root = std::env::var_os("STATS_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-stats-bench-")
        .tempdir_in(root)?;
    let path = dir.path().join("augenmerk.db");
    drop(SqliteStore::open(&path)?); // creates the schema

    println!("seeding {n} reports…");
    let t = Instant::now();
    let mut conn = rusqlite::Connection::open(&path)?;
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO municipalities (ags, name, categories, settings, config_version) VALUES ('01001000', 'Flensburg', '{\"categories\":[]}', '{}', 1)",
        [],
    )?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let year_start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().ok_or("date")?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO reports (id, ags, device_id, category, answers, description, lat, lon, photos, consent,
                 status, priority, due_at, department, channel, created_at, received_at, updated_at,
                 first_response_secs, resolution_secs)
             VALUES (?1, '01001000', NULL, ?2, '{}', 'Bench', 54.78, 9.43, '[]', 1,
                 ?3, 'normal', ?4, ?5, 'app', ?6, ?6, ?6, ?7, ?8)",
        )?;
        for _ in 0..n {
            let received = year_start + chrono::Duration::seconds(rng.random_range(0..330 * 86_400));
            let status = STATUSES[rng.random_range(0..STATUSES.len())];
            // Seconds after arrival, as the store records them.
            let responded = (status != "received").then(|| rng.random_range(300.0..300_000.0_f64));
            let resolved = matches!(status, "resolved" | "closed").then(|| rng.random_range(3_600.0..1_440_000.0_f64));
            stmt.execute(params![
                uuid::Uuid::new_v4().to_string(),
                CATEGORIES[rng.random_range(0..CATEGORIES.len())],
                status,
                ts(received + chrono::Duration::days(5)),
                DEPARTMENTS[rng.random_range(0..DEPARTMENTS.len())],
                ts(received),
                responded,
                resolved,
            ])?;
        }
    }
    tx.commit()?;
    drop(conn);
    println!("seeded in {:.1} s", t.elapsed().as_secs_f64());

    let store = SqliteStore::open(&path)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let ags = Ags::parse("01001000").map_err(|e| format!("{e:?}"))?;
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().ok_or("date")?;
    let year_end = Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).single().ok_or("date")?;
    let month = (
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).single().ok_or("date")?,
        Utc.with_ymd_and_hms(2026, 6, 30, 0, 0, 0).single().ok_or("date")?,
    );
    println!();
    println!("| period | reports | median of 7 runs | min |");
    println!("|---|---|---|---|");
    let mut year_median = Duration::ZERO;
    for (label, from, to) in [("year", year_start, year_end), ("June", month.0, month.1)] {
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..7 {
            let t = Instant::now();
            let stats = runtime.block_on(store.statistics(&ags, from, to, None, now))?;
            times.push(t.elapsed());
            total = stats.total;
        }
        times.sort();
        println!(
            "| {label} | {total} | {:.1} ms | {:.1} ms |",
            times[3].as_secs_f64() * 1000.0,
            times[0].as_secs_f64() * 1000.0
        );
        if label == "year" {
            year_median = times[3];
        }
    }
    println!();
    println!(
        "target: statistics over {n} reports in <= {} ms: {}",
        TARGET.as_millis(),
        if year_median <= TARGET { "PASS" } else { "FAIL" }
    );
    Ok(())
}
