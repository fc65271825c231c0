//! Sync benchmark (not a test): how long 1,000 queued reports with one ~400 KB photo each
//! take to reach the server over loopback, and how long a field worker's device takes to
//! pull the 1,000 cases (with their photos) that the rules assigned to its department.
//!
//! The server runs in this process on 127.0.0.1 with the demo seeded and its data on the
//! disk (`SYNC_BENCH_DIR`, default the system temp dir). Knobs: `SYNC_BENCH_REPORTS`
//! (1,000), `SYNC_BENCH_PHOTO_SIDE` (photo width, 1,040; height is 3/4 of it), `SYNC_BENCH_PARALLEL`
//! (requests in flight, default the client's). Run: `scripts/bench-sync.sh`.

use std::time::{Duration, Instant};

use anyhow::Context;
use rand::{Rng, SeedableRng};

use augenmerk_client::{Client, ClientOptions, ReportDraft, SyncOptions};
use augenmerk_domain::{Ags, CategoryId, GeoPoint};
use augenmerk_server::config::Settings;
use augenmerk_server::{build_state, demo, serve};

const PASSWORD: &str = "augenmerk-bench-passwort";
/// Target of the issue: 1,000 reports with photos in at most this long.
const TARGET: Duration = Duration::from_secs(30);

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A metadata-free JPEG of noise, as the anonymizer would store it.
fn photo(width: u32, seed: u64) -> anyhow::Result<Vec<u8>> {
    let height = width * 3 / 4;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let n: u8 = rng.random();
        image::Rgb([(x / 3) as u8 ^ (n >> 3), (y / 3) as u8, n >> 1])
    });
    Ok(augenmerk_anon::encode::encode_jpeg(
        img,
        &augenmerk_anon::EncodeOptions::default(),
    )?)
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let reports: u64 = env_or("SYNC_BENCH_REPORTS", 1_000);
    let side: u32 = env_or("SYNC_BENCH_PHOTO_SIDE", 1040);
    let root = std::env::var_os("SYNC_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-sync-bench-")
        .tempdir_in(root)?;

    let mut settings = Settings {
        listen: "127.0.0.1:0".parse()?,
        data_dir: dir.path().join("server"),
        ..Default::default()
    };
    // One address sends what a whole town would: the per-address limits are not measured here.
    settings.rate_limits.reports_per_address = 1_000_000;
    settings.rate_limits.uploads_per_address = 1_000_000;
    // One device uploads 1,000 photos: far over a citizen's daily quota, not measured here.
    settings.photos.per_device_per_day = u64::MAX;
    settings.photos.bytes_per_device_per_day = u64::MAX;
    let state = build_state(settings).await?;
    demo::seed_demo(&state, PASSWORD).await?;
    let running = serve(state).await?;
    let url = format!("http://{}", running.addr);

    let options = |name: &str| {
        let mut o = ClientOptions::new(dir.path().join(name), Some(url.clone()));
        if let Some(p) = std::env::var("SYNC_BENCH_PARALLEL").ok().and_then(|v| v.parse().ok()) {
            o.parallel_requests = p;
        }
        o
    };
    let citizen = Client::open(options("citizen"))?;
    citizen.refresh_configuration().await.context("configuration")?;

    println!(
        "preparing {reports} reports with one photo each ({side}x{} JPEG)…",
        side * 3 / 4
    );
    let mut photo_bytes = 0usize;
    for n in 0..reports {
        let jpeg = photo(side, n)?;
        photo_bytes += jpeg.len();
        let hash = citizen.store_prepared_photo(&jpeg)?;
        let mut answers = serde_json::Map::new();
        answers.insert("gefahr_akut".into(), false.into());
        answers.insert("strassenart".into(), "gemeindestrasse".into());
        citizen.create_report(ReportDraft {
            municipality: Some(Ags::parse(demo::FLENSBURG).map_err(|e| anyhow::anyhow!("{e}"))?),
            category: CategoryId::parse("schlagloch").map_err(|e| anyhow::anyhow!("{e}"))?,
            answers,
            description: format!("Schlagloch Nr. {n}"),
            location: GeoPoint {
                lat: 54.8100 + (n % 50) as f64 * 1e-4,
                lon: 9.4800 + (n / 50) as f64 * 1e-4,
            },
            address_hint: None,
            photos: vec![hash],
            contact_email: None,
            consent: true,
            language: None,
            share_contact: false,
        })?;
    }
    let mean_kb = photo_bytes as f64 / reports as f64 / 1024.0;
    println!("mean photo size: {mean_kb:.0} KB");

    let t = Instant::now();
    let summary = citizen.sync(&SyncOptions::default()).await?;
    let push = t.elapsed();
    anyhow::ensure!(
        summary.reports_sent as u64 == reports && summary.still_queued == 0,
        "not everything was sent: {summary:?}"
    );

    let field = Client::open(options("field"))?;
    field
        .login(
            Some(Ags::parse(demo::FLENSBURG).map_err(|e| anyhow::anyhow!("{e}"))?),
            "field",
            PASSWORD,
            None,
        )
        .await?;
    let t = Instant::now();
    let pulled = field.sync(&SyncOptions::default()).await?;
    let pull = t.elapsed();
    let cases = field.cases()?.len();

    println!();
    println!("| step | items | time | rate |");
    println!("|---|---|---|---|");
    println!(
        "| push: {reports} reports + {reports} photos (~{mean_kb:.0} KB) | {} sent, {} photos | {:.1} s | {:.0} reports/s, {:.1} MB/s |",
        summary.reports_sent,
        summary.photos_uploaded,
        push.as_secs_f64(),
        reports as f64 / push.as_secs_f64(),
        photo_bytes as f64 / 1e6 / push.as_secs_f64()
    );
    println!(
        "| pull: field worker's cases with photos | {} cases | {:.1} s | {:.0} cases/s |",
        pulled.cases_pulled,
        pull.as_secs_f64(),
        cases as f64 / pull.as_secs_f64()
    );
    println!();
    println!(
        "target: {reports} reports with photos in <= {} s: {}",
        TARGET.as_secs(),
        if push <= TARGET { "PASS" } else { "FAIL" }
    );
    anyhow::ensure!(
        cases as u64 == reports,
        "the field worker got {cases} cases, expected {reports}"
    );
    running.handle.abort();
    Ok(())
}
