//! The timed calls, through the `Store` trait as the server makes them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};

use augenmerk_domain::api::ReportQuery;
use augenmerk_domain::audit::{Actor, AuditAction, AuditEntry};
use augenmerk_domain::public::PublicStatusChange;
use augenmerk_domain::report::{Channel, Report};
use augenmerk_domain::{Ags, CategoryId, DeviceId, GeoPoint, Priority, ReportId, Status};
use augenmerk_store::{PublicEvent, ReportWrite, Store};

use crate::data::{BenchResult, DataSet, Town};

/// Timings of repeated runs of one call.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub median: Duration,
    pub max: Duration,
    /// What the call found (rows, total), to show that both backends agree.
    pub found: u64,
}

/// Runs `f` once to warm up, then `runs` times, timed.
pub async fn time<F, Fut>(runs: usize, mut f: F) -> BenchResult<Timing>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = BenchResult<u64>>,
{
    f().await?;
    let mut times = Vec::with_capacity(runs);
    let mut found = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        found = f().await?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok(Timing {
        median: times[times.len() / 2],
        max: times[times.len() - 1],
        found,
    })
}

/// The inbox's first page (default size and sort: newest first) of open road reports.
pub fn inbox_query(text: Option<&str>) -> ReportQuery {
    ReportQuery {
        status: Some("received,assigned,in_progress".into()),
        category: CategoryId::parse("strasse").ok(),
        q: text.map(str::to_owned),
        page: Some(1),
        ..ReportQuery::default()
    }
}

/// One page of the inbox; returns the total.
pub async fn inbox(store: &dyn Store, ags: &Ags, query: &ReportQuery, now: DateTime<Utc>) -> BenchResult<u64> {
    Ok(store.query_reports(ags, query, None, now).await?.total)
}

/// The year `[from, to]` of 2025.
pub fn year() -> BenchResult<(DateTime<Utc>, DateTime<Utc>)> {
    Ok((
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single().ok_or("date")?,
        Utc.with_ymd_and_hms(2025, 12, 31, 23, 59, 59).single().ok_or("date")?,
    ))
}

/// The statistics of 2025; returns the total.
pub async fn statistics(store: &dyn Store, ags: &Ags, now: DateTime<Utc>) -> BenchResult<u64> {
    let (from, to) = year()?;
    Ok(store.statistics(ags, from, to, None, now).await?.total)
}

/// The store calls of the CSV export of 2025 (`routes::staff::export_csv` with
/// `services::listing::matching_reports`): the accounts, then the filtered inbox in pages
/// of 200 (the store's largest) until a short page or 100,000 rows. The CSV writing
/// itself is not timed. Returns the rows.
pub async fn export(store: &dyn Store, ags: &Ags, now: DateTime<Utc>) -> BenchResult<u64> {
    const STORE_PAGE: u32 = 200;
    const MAX_EXPORT_ROWS: u64 = 100_000;
    let (from, to) = year()?;
    let users = store.list_users(ags).await?;
    let mut query = ReportQuery {
        received_from: Some(from),
        received_to: Some(to),
        page_size: Some(STORE_PAGE),
        ..ReportQuery::default()
    };
    let mut rows = 0;
    let mut page = 1;
    while rows < MAX_EXPORT_ROWS {
        query.page = Some(page);
        let p = store.query_reports(ags, &query, None, now).await?;
        let n = p.items.len();
        rows += n as u64;
        if n < STORE_PAGE as usize {
            break;
        }
        page += 1;
    }
    drop(users);
    Ok(rows.min(MAX_EXPORT_ROWS))
}

/// Open reports within 500 m of the town's centre, at most 20; returns how many.
pub async fn nearby(store: &dyn Store, town: &Town) -> BenchResult<u64> {
    let ags = Ags::parse(&town.ags).map_err(|e| format!("{e:?}"))?;
    let center = GeoPoint {
        lat: town.lat,
        lon: town.lon,
    };
    Ok(store.nearby_reports(&ags, center, 500.0, 20, None).await?.len() as u64)
}

/// A new report as intake writes it: with the "created" audit entry and the first
/// status event (`ReportWrite::new`).
fn intake_write(town: &Town, n: u64) -> BenchResult<ReportWrite> {
    let ags = Ags::parse(&town.ags).map_err(|e| format!("{e:?}"))?;
    let now = Utc::now();
    let report = Report {
        id: ReportId::new_random(),
        municipality: ags.clone(),
        gemeinde: Ags::parse(&town.gemeinden[0]).map_err(|e| format!("{e:?}"))?,
        device_id: None,
        category: CategoryId::parse(if n.is_multiple_of(2) {
            "schlagloch"
        } else {
            "leuchte_aus"
        })
        .map_err(|e| format!("{e:?}"))?,
        answers: Default::default(),
        description: format!("Intake-Benchmark {n}"),
        location: GeoPoint {
            lat: town.lat,
            lon: town.lon,
        },
        address_hint: Some("vor Hausnummer 12".into()),
        photos: vec![],
        contact_email: None,
        consent: true,
        consent_version: None,
        status: Status::Received,
        priority: Priority::Normal,
        due_at: None,
        department: None,
        assignee: None,
        forwarded_to: None,
        duplicate_of: None,
        routed_by: None,
        channel: Channel::App,
        created_at: now,
        received_at: now,
        updated_at: now,
    };
    Ok(ReportWrite::new(
        report.clone(),
        vec![AuditEntry {
            report_id: report.id,
            at: now,
            actor: Actor::Citizen {
                device: None::<DeviceId>,
            },
            action: AuditAction::Created { channel: Channel::App },
            public_comment: None,
        }],
        vec![PublicEvent::Status(PublicStatusChange {
            from: None,
            to: Status::Received,
            comment: None,
            at: now,
            photos: Vec::new(),
        })],
    ))
}

/// Intake throughput: `tasks` concurrent tasks insert new reports for `duration`, task
/// `i` through `stores[i % stores.len()]` (several stores: separate server instances,
/// each with its own pool). Reports go to the towns in proportion to their size.
/// Returns reports per second.
pub async fn intake(
    stores: &[Arc<dyn Store>],
    data: &DataSet,
    tasks: usize,
    duration: Duration,
) -> BenchResult<(f64, u64)> {
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let towns: Arc<Vec<Town>> = Arc::new(data.towns.clone());
    let shares: Arc<Vec<f64>> = Arc::new(
        data.towns
            .iter()
            .scan(0.0, |acc, t| {
                *acc += t.share;
                Some(*acc)
            })
            .collect(),
    );
    let start = Instant::now();
    let mut handles = Vec::with_capacity(tasks);
    for i in 0..tasks {
        let store = Arc::clone(&stores[i % stores.len()]);
        let (done, failed) = (Arc::clone(&done), Arc::clone(&failed));
        let (towns, shares) = (Arc::clone(&towns), Arc::clone(&shares));
        handles.push(tokio::spawn(async move {
            let mut n = i as u64;
            let mut state = 0x9E37_79B9_7F4A_7C15_u64 ^ n;
            while start.elapsed() < duration {
                // Towns in proportion to their size (xorshift; no RNG is kept across the await).
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let x = (state >> 11) as f64 / (1u64 << 53) as f64;
                let k = shares.partition_point(|c| *c <= x).min(towns.len() - 1);
                // `.ok()`: the error type is not `Send`, and must not live across the await.
                let ok = match intake_write(&towns[k], n).ok() {
                    Some(w) => store.insert_report(w).await.is_ok(),
                    None => false,
                };
                if ok { &done } else { &failed }.fetch_add(1, Ordering::Relaxed);
                n += tasks as u64;
            }
        }));
    }
    for h in handles {
        h.await?;
    }
    let secs = start.elapsed().as_secs_f64();
    Ok((
        done.load(Ordering::Relaxed) as f64 / secs,
        failed.load(Ordering::Relaxed),
    ))
}
