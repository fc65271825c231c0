//! The printed result: one table of figures per backend with the PostgreSQL/SQLite ratio
//! and the goals, then the data sizes and load times.

use std::time::Duration;

use crate::data::DataSet;
use crate::load_pg::PgLoad;
use crate::load_sqlite::SqliteLoad;
use crate::measure::Timing;

/// The goal of the inbox and the statistics at 1 M reports.
const QUERY_GOAL: Duration = Duration::from_millis(200);

/// The figures of one backend.
#[derive(Debug, Default)]
pub struct Figures {
    pub inbox_big: Option<Timing>,
    pub inbox_big_text: Option<Timing>,
    pub inbox_median: Option<Timing>,
    pub inbox_median_text: Option<Timing>,
    pub statistics: Option<Timing>,
    pub export_median: Option<Timing>,
    pub export_big: Option<Timing>,
    pub nearby: Option<Timing>,
    /// Per number of store instances: reports/s and failed inserts.
    pub intake: Vec<(usize, (f64, u64))>,
}

/// Data sizes and load times.
#[derive(Default)]
pub struct Sizes {
    pub generate: Duration,
    pub pg_load: Option<PgLoad>,
    pub pg_bytes: u64,
    pub pg_rows: String,
    pub pg_settings: String,
    pub sqlite_load: Option<SqliteLoad>,
    pub sqlite_bytes: u64,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn cell(t: Option<Timing>) -> String {
    t.map_or_else(
        || "–".to_owned(),
        |t| format!("{:.1} ms (max {:.1}) [{}]", ms(t.median), ms(t.max), t.found),
    )
}

fn verdict(t: Option<Timing>) -> &'static str {
    match t {
        Some(t) if t.median <= QUERY_GOAL => "PASS",
        Some(_) => "FAIL",
        None => "–",
    }
}

/// Prints the table (`variant`: PostgreSQL with a proposed change, if measured).
pub fn print(n: usize, data: &DataSet, sizes: &Sizes, s: &Figures, p: &Figures, variant: Option<&(String, Figures)>) {
    let alt = variant.map(|(_, f)| f);
    let big = &data.towns[0];
    let median = &data.towns[data.towns.len() / 2];
    let count = |i: usize| data.rows.iter().filter(|r| r.town == i).count();
    println!();
    println!(
        "{n} reports, {} municipalities; biggest {} ({} reports), median {} ({} reports)",
        data.towns.len(),
        big.ags,
        count(0),
        median.ags,
        count(data.towns.len() / 2)
    );
    println!("median and max of the timed runs; [what was found: total, rows or hits]");
    println!();
    println!(
        "| measurement | SQLite | PostgreSQL | PG/SQLite | PG variant | goal ≤ 200 ms (SQLite / PG / PG variant) |"
    );
    println!("|---|---|---|---|---|---|");
    type Pick = fn(&Figures) -> Option<Timing>;
    let rows: [(&str, Pick, bool); 8] = [
        ("inbox p.1 status+category, biggest", |f| f.inbox_big, true),
        ("inbox p.1 status+category+text, biggest", |f| f.inbox_big_text, true),
        ("inbox p.1 status+category, median", |f| f.inbox_median, true),
        ("inbox p.1 status+category+text, median", |f| f.inbox_median_text, true),
        ("statistics 2025, biggest", |f| f.statistics, true),
        ("CSV export 2025 store calls, median", |f| f.export_median, false),
        ("CSV export 2025 store calls, biggest", |f| f.export_big, false),
        ("nearby 500 m / 20, biggest's centre", |f| f.nearby, false),
    ];
    for (label, pick, goal) in rows {
        let (a, b, c) = (pick(s), pick(p), alt.and_then(pick));
        let ratio = match (a, b) {
            (Some(a), Some(b)) if !a.median.is_zero() => format!("{:.2}", ms(b.median) / ms(a.median)),
            _ => "–".to_owned(),
        };
        let goal = if goal {
            format!("{} / {} / {}", verdict(a), verdict(b), verdict(c))
        } else {
            "(no goal)".to_owned()
        };
        println!(
            "| {label} | {} | {} | {ratio} | {} | {goal} |",
            cell(a),
            cell(b),
            cell(c)
        );
    }
    let sqlite_rate = s.intake.first().map_or(0.0, |(_, (r, _))| *r);
    for (instances, (rate, failed)) in &p.intake {
        let holds = if *rate >= sqlite_rate { "PASS" } else { "FAIL" };
        println!(
            "| intake, PG ×{instances} instance(s) vs SQLite | {sqlite_rate:.0} reports/s | {rate:.0} reports/s \
             ({failed} failed) | {:.2} | – | PG ≥ SQLite: {holds} |",
            rate / sqlite_rate.max(f64::MIN_POSITIVE)
        );
    }
    if let Some((_, (_, failed))) = s.intake.first() {
        println!("(SQLite intake: {failed} failed inserts)");
    }
    println!();
    if let Some((sql, _)) = variant {
        println!("PG variant: {sql}");
    }
    println!("data: PostgreSQL {}", sizes.pg_rows);
    println!("settings: {}", sizes.pg_settings);
    println!(
        "sizes: PostgreSQL database {:.0} MiB, SQLite file {:.0} MiB",
        sizes.pg_bytes as f64 / 1_048_576.0,
        sizes.sqlite_bytes as f64 / 1_048_576.0
    );
    println!("generating the rows in Rust: {:.1} s", sizes.generate.as_secs_f64());
    if let Some(l) = &sizes.pg_load {
        println!(
            "PostgreSQL load: COPY {:.1} s, indexes {:.1} s, VACUUM (ANALYZE) {:.1} s",
            l.copy.as_secs_f64(),
            l.indexes.as_secs_f64(),
            l.analyze.as_secs_f64()
        );
    }
    if let Some(l) = &sizes.sqlite_load {
        println!(
            "SQLite load: INSERT {:.1} s, indexes {:.1} s",
            l.insert.as_secs_f64(),
            l.indexes.as_secs_f64()
        );
    }
}
