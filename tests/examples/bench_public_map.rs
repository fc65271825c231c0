//! Benchmark (issue 20; not a test): the public map's viewport query with 100,000
//! reports in one municipality (Flensburg), on SQLite and on PostgreSQL, through the real
//! server over HTTP on 127.0.0.1. Prints p50/p95 per zoom level; the goal is ≤ 200 ms.
//!
//! The reports are generated inside the database (one `INSERT … SELECT` over a series),
//! spread over the town's box, with a mix of statuses (some rejected: those are left out)
//! and a year of arrival dates. Each zoom level is asked for `PUBLIC_MAP_BENCH_VIEWS`
//! viewports (default 30) of a 1280×800 screen at places spread over the town, after one
//! warm-up request per level.
//!
//! Knobs: `PUBLIC_MAP_BENCH_REPORTS` (100,000), `PUBLIC_MAP_BENCH_VIEWS` (30),
//! `PUBLIC_MAP_BENCH_BACKENDS` (`sqlite,postgres`). Run with `scripts/bench-public-map.sh`.

use std::time::{Duration, Instant};

use augenmerk_server::config::Settings;
use augenmerk_server::{build_state, demo, serve};

const FLENSBURG: &str = demo::FLENSBURG;
/// The town's box (roughly the city limits).
const BOX: (f64, f64, f64, f64) = (54.745, 9.36, 54.835, 9.50);
const ZOOMS: [u8; 7] = [10, 12, 13, 14, 15, 16, 18];

fn knob<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The generated reports as one statement; `series` names the row number `i` (1..=n),
/// `hex8`/`hex12` spell it as zero-padded hex, `stamp` turns days and seconds into the
/// stored timestamp text.
fn insert_sql(n: u32, postgres: bool) -> String {
    let (lat0, lon0, lat1, lon1) = BOX;
    let (series, id, received, consent) = if postgres {
        (
            format!("generate_series(1::bigint, {n}) AS s(i)"),
            "lpad(to_hex(i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(i), 12, '0')".to_owned(),
            "to_char(timestamp '2026-01-01' + (i % 330) * interval '1 day' + (i % 86400) * interval '1 second', \
             'YYYY-MM-DD\"T\"HH24:MI:SS') || '.000000000Z'"
                .to_owned(),
            "true",
        )
    } else {
        (
            format!("(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s)"),
            "printf('%08x-0000-4000-8000-%012x', i, i)".to_owned(),
            "strftime('%Y-%m-%dT%H:%M:%S', '2026-01-01', '+' || (i % 330) || ' days', '+' || (i % 86400) || ' seconds') \
             || '.000000000Z'"
                .to_owned(),
            "1",
        )
    };
    // Pseudo-random but repeatable positions: two co-prime strides over the box.
    let lat = format!("{lat0} + ((i * 7919) % 10007) * {} / 10007.0", lat1 - lat0);
    let lon = format!("{lon0} + ((i * 104729) % 10009) * {} / 10009.0", lon1 - lon0);
    format!(
        "INSERT INTO reports (id, ags, device_id, category, answers, description, lat, lon, address_hint, photos,
             contact_email, consent, status, priority, channel, created_at, received_at, updated_at, gemeinde,
             turned_down)
         SELECT {id}, '{FLENSBURG}', NULL,
             CASE i % 4 WHEN 0 THEN 'schlagloch' WHEN 1 THEN 'leuchte_aus' WHEN 2 THEN 'muell' ELSE 'papierkorb' END,
             '{{}}', 'Benchmark', {lat}, {lon}, NULL, '[]', NULL, {consent},
             CASE i % 10 WHEN 0 THEN 'rejected' WHEN 1 THEN 'in_progress' WHEN 2 THEN 'resolved'
                         WHEN 3 THEN 'closed' WHEN 4 THEN 'assigned' ELSE 'received' END,
             'normal', 'app', {received}, {received}, {received}, '{FLENSBURG}',
             {}
         FROM {series}",
        if postgres { "i % 10 = 0" } else { "(i % 10 = 0)" }
    )
}

/// A 1280×800 screen's box at `zoom` around a point.
fn viewport(zoom: u8, lat: f64, lon: f64) -> String {
    let width = 1280.0 / 256.0 * 360.0 / f64::from(1u32 << zoom);
    let height = width * 800.0 / 1280.0 * lat.to_radians().cos();
    format!(
        "{:.6},{:.6},{:.6},{:.6}",
        lon - width / 2.0,
        lat - height / 2.0,
        lon + width / 2.0,
        lat + height / 2.0
    )
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(backend: &str, reports: u32, views: u32) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let postgres = backend == "postgres";
    let database = if postgres {
        let cluster = augenmerk_testenv::pg::shared()?;
        let name = format!("bench_public_map_{}", std::process::id());
        Some((cluster, name.clone(), cluster.create_named(&name)?))
    } else {
        None
    };
    let settings = Settings {
        listen: "127.0.0.1:0".parse()?,
        data_dir: dir.path().join("data"),
        database_url: database.as_ref().map(|(_, _, url)| url.clone()),
        ..Default::default()
    };
    let state = build_state(settings.clone()).await?;
    demo::seed_demo(&state, "benchmark-passwort").await?;

    let started = Instant::now();
    let sql = insert_sql(reports, postgres);
    match &database {
        Some((cluster, name, _)) => {
            cluster.execute(name, &sql)?;
            // As autovacuum would soon after a load: statistics, and the visibility map that
            // lets the count be an index-only scan.
            cluster.execute(name, "VACUUM ANALYZE reports")?;
        }
        None => {
            let conn = rusqlite::Connection::open(settings.database_path())?;
            conn.busy_timeout(Duration::from_secs(30))?;
            conn.execute_batch(&format!("BEGIN; {sql}; COMMIT; ANALYZE;"))?;
        }
    }
    println!(
        "{backend}: {reports} reports loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let running = serve(state).await?;
    let client = reqwest::Client::new();
    let base = format!("http://{}/api/v1/public/reports?ags={FLENSBURG}", running.addr);
    println!("{backend}: zoom  p50 ms  p95 ms  max ms  (clusters+reports shown, reports in view: median)");
    for zoom in ZOOMS {
        let mut times = Vec::new();
        let mut shown = Vec::new();
        let mut totals = Vec::new();
        for v in 0..=views {
            // Places spread over the town (a 6×5 raster, then again).
            let (row, col) = (f64::from(v % 5), f64::from((v / 5) % 6));
            let lat = BOX.0 + (BOX.2 - BOX.0) * (row + 0.5) / 5.0;
            let lon = BOX.1 + (BOX.3 - BOX.1) * (col + 0.5) / 6.0;
            let url = format!("{base}&bbox={}&zoom={zoom}", viewport(zoom, lat, lon));
            let t = Instant::now();
            let reply = client.get(&url).send().await?;
            let status = reply.status();
            let body: serde_json::Value = reply.json().await?;
            let took = t.elapsed();
            anyhow::ensure!(status.is_success(), "{url}: {status} {body}");
            if v == 0 {
                continue; // warm-up
            }
            times.push(took);
            let items =
                body["clusters"].as_array().map_or(0, Vec::len) + body["reports"].as_array().map_or(0, Vec::len);
            shown.push(items);
            totals.push(body["total"].as_u64().unwrap_or(0));
        }
        times.sort();
        shown.sort_unstable();
        totals.sort_unstable();
        println!(
            "{backend}: {zoom:>4}  {:>6.1}  {:>6.1}  {:>6.1}  ({}, {})",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(*times.last().unwrap_or(&Duration::ZERO)),
            shown.get(shown.len() / 2).copied().unwrap_or(0),
            totals.get(totals.len() / 2).copied().unwrap_or(0),
        );
    }
    running.handle.abort();
    if let Some((cluster, name, _)) = &database {
        // Another connection may still be closing; the cluster is thrown away anyway.
        let _ = cluster.execute("postgres", &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let reports = knob("PUBLIC_MAP_BENCH_REPORTS", 100_000u32);
    let views = knob("PUBLIC_MAP_BENCH_VIEWS", 30u32);
    let backends: String = knob("PUBLIC_MAP_BENCH_BACKENDS", "sqlite,postgres".to_owned());
    for backend in backends.split(',').map(str::trim).filter(|b| !b.is_empty()) {
        anyhow::ensure!(
            backend == "sqlite" || backend == "postgres",
            "unknown backend {backend}"
        );
        run(backend, reports, views).await?;
    }
    Ok(())
}
