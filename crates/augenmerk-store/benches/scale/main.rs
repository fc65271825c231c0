//! Scale benchmark (issue 18; not a test): 1,000,000 reports of 100 municipalities in
//! PostgreSQL and in SQLite, then the staff inbox, the statistics, the CSV export's store
//! calls, the nearby search and the intake timed through the `Store` trait on both.
//! Goals: inbox and statistics ≤ 200 ms at 1 M; intake on PostgreSQL ≥ SQLite's.
//!
//! Knobs (environment): `SCALE_BENCH_REPORTS` (1,000,000), `SCALE_BENCH_TOWNS` (100),
//! `SCALE_BENCH_RUNS` (5 timed runs after one warm-up), `SCALE_BENCH_INTAKE_SECS` (7 per
//! configuration, four configurations), `SCALE_BENCH_TASKS` (16 intake tasks),
//! `SCALE_BENCH_DIR` (where the SQLite file goes), `SCALE_BENCH_PG_VARIANT` (SQL run on
//! PostgreSQL after the intake, `{db}` the database, before the queries are measured once
//! more; empty: skipped; default [`DEFAULT_VARIANT`]), `SCALE_BENCH_HOLD_SECS` (keep the
//! PostgreSQL cluster up this long at the end, for EXPLAIN by hand; 0).
//! Run with `scripts/bench-scale.sh` (release mode).

mod data;
mod load_pg;
mod load_sqlite;
mod measure;
mod report;

use std::sync::Arc;
use std::time::{Duration, Instant};

use augenmerk_domain::api::MunicipalitySettings;
use augenmerk_domain::staff::{Department, Role, StaffUser};
use augenmerk_domain::{Ags, CategoryTree, DepartmentId};
use augenmerk_store::{MunicipalityRecord, PgStore, SqliteStore, Store};

use data::{BenchResult, CATEGORY_TREE, DEPARTMENTS, DataSet, Town};
use report::Figures;

/// No variant by default: the first proposal measured this way (JIT off, an index on
/// `(ags, status, category)`) is now in the store itself.
const DEFAULT_VARIANT: &str = "";

fn knob<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn ags(s: &str) -> BenchResult<Ags> {
    Ok(Ags::parse(s).map_err(|e| format!("{e:?}"))?)
}

fn settings() -> MunicipalitySettings {
    MunicipalitySettings::default()
}

/// Creates the municipalities with their category tree, departments and staff accounts
/// through the store, as the admin routes do.
async fn create_towns(store: &dyn Store, towns: &[Town]) -> BenchResult<()> {
    let tree = CategoryTree::from_json(CATEGORY_TREE).map_err(|e| format!("{e:?}"))?;
    for town in towns {
        let a = ags(&town.ags)?;
        store
            .create_municipality(MunicipalityRecord {
                ags: a.clone(),
                name: town.name.clone(),
                categories: tree.clone(),
                settings: settings(),
                config_version: 1,
            })
            .await?;
        for (id, name) in DEPARTMENTS {
            let department = Department {
                id: DepartmentId::parse(id).map_err(|e| format!("{e:?}"))?,
                name: name.into(),
                email: None,
            };
            store.put_department(&a, department).await?;
        }
        for (i, id) in town.users.iter().enumerate() {
            let user = StaffUser {
                id: id.parse().map_err(|e| format!("{e:?}"))?,
                municipality: a.clone(),
                username: format!("mitarbeiter{i}"),
                display_name: format!("Mitarbeiterin {i}"),
                role: Role::Dispatcher,
                department: None,
                active: true,
                email: None,
                mail: Default::default(),
            };
            store.create_user(user, "$argon2id$bench".into()).await?;
        }
    }
    Ok(())
}

/// The query measurements on one backend.
async fn queries(store: &dyn Store, data: &DataSet, runs: usize, big_export: bool) -> BenchResult<Figures> {
    let big = &data.towns[0];
    let median = &data.towns[data.towns.len() / 2];
    let (big_ags, median_ags) = (ags(&big.ags)?, ags(&median.ags)?);
    let now = data.now;
    let plain = measure::inbox_query(None);
    let text = measure::inbox_query(Some("loch"));
    Ok(Figures {
        inbox_big: Some(measure::time(runs, || measure::inbox(store, &big_ags, &plain, now)).await?),
        inbox_big_text: Some(measure::time(runs, || measure::inbox(store, &big_ags, &text, now)).await?),
        inbox_median: Some(measure::time(runs, || measure::inbox(store, &median_ags, &plain, now)).await?),
        inbox_median_text: Some(measure::time(runs, || measure::inbox(store, &median_ags, &text, now)).await?),
        statistics: Some(measure::time(runs, || measure::statistics(store, &big_ags, now)).await?),
        export_median: Some(measure::time(runs, || measure::export(store, &median_ags, now)).await?),
        // The big town's export pages through tens of thousands of rows: fewer runs.
        export_big: match big_export {
            true => Some(measure::time(runs.min(2), || measure::export(store, &big_ags, now)).await?),
            false => None,
        },
        nearby: Some(measure::time(runs, || measure::nearby(store, big)).await?),
        intake: Vec::new(),
    })
}

fn main() -> BenchResult<()> {
    let n: usize = knob("SCALE_BENCH_REPORTS", 1_000_000);
    let towns: usize = knob("SCALE_BENCH_TOWNS", 100);
    let runs: usize = knob("SCALE_BENCH_RUNS", 5);
    let intake_secs: u64 = knob("SCALE_BENCH_INTAKE_SECS", 7);
    let tasks: usize = knob("SCALE_BENCH_TASKS", 16);
    let hold: u64 = knob("SCALE_BENCH_HOLD_SECS", 0);
    let root = std::env::var_os("SCALE_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;

    println!("generating {n} reports over {towns} municipalities…");
    let t = Instant::now();
    let data = data::generate(n, towns.max(2))?;
    let mut sizes = report::Sizes {
        generate: t.elapsed(),
        ..Default::default()
    };

    // PostgreSQL: migrated by `connect`, municipalities through the store, then COPY.
    let cluster = augenmerk_testenv::pg::shared()?;
    let url = cluster.create_database(None)?;
    let database = url.rsplit('/').next().unwrap_or_default().to_owned();
    let connections = augenmerk_store::postgres::DEFAULT_CONNECTIONS;
    println!("loading PostgreSQL ({url})…");
    runtime.block_on(async {
        let store = PgStore::connect(&url, connections).await?;
        create_towns(&store, &data.towns).await?;
        BenchResult::Ok(())
    })?;
    let pg_load = runtime.block_on(load_pg::load(&url, &data))?;
    sizes.pg_load = Some(pg_load);
    sizes.pg_bytes = cluster
        .execute(&database, &format!("SELECT pg_database_size('{database}')"))?
        .trim()
        .parse()
        .unwrap_or(0);
    sizes.pg_settings = cluster
        .execute(
            &database,
            "SELECT 'PostgreSQL ' || current_setting('server_version') || ': jit=' || current_setting('jit') \
             || ', shared_buffers=' || current_setting('shared_buffers') || ', work_mem=' \
             || current_setting('work_mem') || ', fsync=' || current_setting('fsync') \
             || ', synchronous_commit=' || current_setting('synchronous_commit')",
        )?
        .trim()
        .to_owned();
    sizes.pg_rows = cluster
        .execute(
            &database,
            "SELECT (SELECT count(*) FROM reports) || ' reports, ' || (SELECT count(*) FROM audit) \
             || ' audit entries, ' || (SELECT count(*) FROM events) || ' events'",
        )?
        .trim()
        .to_owned();

    // SQLite: the same rows in one file.
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-scale-bench-")
        .tempdir_in(root)?;
    let path = dir.path().join("augenmerk.db");
    println!("loading SQLite ({})…", path.display());
    runtime.block_on(async {
        let store = SqliteStore::open(&path)?;
        create_towns(&store, &data.towns).await?;
        BenchResult::Ok(())
    })?;
    sizes.sqlite_load = Some(load_sqlite::load(&path, &data)?);
    sizes.sqlite_bytes = std::fs::metadata(&path)?.len();

    let pg: Arc<dyn Store> = Arc::new(runtime.block_on(PgStore::connect(&url, connections))?);
    let sqlite: Arc<dyn Store> = Arc::new(SqliteStore::open(&path)?);
    println!("measuring queries ({runs} runs after one warm-up)…");
    let mut pg_figures = runtime.block_on(queries(pg.as_ref(), &data, runs, true))?;
    let mut sqlite_figures = runtime.block_on(queries(sqlite.as_ref(), &data, runs, true))?;
    println!("measuring intake ({tasks} tasks, {intake_secs} s per configuration)…");
    let window = Duration::from_secs(intake_secs);
    sqlite_figures.intake = vec![(1, runtime.block_on(measure::intake(&[sqlite], &data, tasks, window))?)];
    for instances in [1, 2, 4] {
        let stores = runtime.block_on(async {
            let mut stores: Vec<Arc<dyn Store>> = Vec::new();
            for _ in 0..instances {
                stores.push(Arc::new(PgStore::connect(&url, connections).await?));
            }
            BenchResult::Ok(stores)
        })?;
        let rate = runtime.block_on(measure::intake(&stores, &data, tasks, window))?;
        pg_figures.intake.push((instances, rate));
    }

    // The queries once more on PostgreSQL with a proposed change (settings, indexes) in
    // place, on the loaded data: the intake's reports are removed first.
    let variant_sql = std::env::var("SCALE_BENCH_PG_VARIANT").unwrap_or_else(|_| DEFAULT_VARIANT.to_owned());
    let variant = if variant_sql.trim().is_empty() {
        None
    } else {
        let sql = variant_sql.replace("{db}", &database);
        println!("measuring queries on PostgreSQL with the variant (the big export skipped): {sql}");
        cluster.execute(
            &database,
            "DELETE FROM reports WHERE description LIKE 'Intake-Benchmark %'",
        )?;
        cluster.execute(&database, "VACUUM (ANALYZE)")?;
        cluster.execute(&database, &sql)?;
        let store = runtime.block_on(PgStore::connect(&url, connections))?;
        Some((sql, runtime.block_on(queries(&store, &data, runs, false))?))
    };

    report::print(n, &data, &sizes, &sqlite_figures, &pg_figures, variant.as_ref());
    if hold > 0 {
        println!("\nholding the PostgreSQL cluster for {hold} s: {url}");
        std::thread::sleep(Duration::from_secs(hold));
    }
    drop(pg);
    Ok(())
}
