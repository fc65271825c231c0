//! The generated data set: municipalities of Zipf-distributed size, and reports of
//! several years generated in Rust from a fixed seed, so that both backends get the same
//! rows. Times, statuses and milestones follow what the store would have written.

use chrono::{DateTime, Duration, SecondsFormat, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use augenmerk_domain::audit::{Actor, AuditAction};
use augenmerk_domain::public::PublicStatusChange;
use augenmerk_domain::report::Channel;
use augenmerk_domain::{DeviceId, Status};

/// The bench's error type.
pub type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// The category tree every municipality gets: top-level groups with subcategories, so
/// that a category filter takes a subtree as the inbox does.
pub const CATEGORY_TREE: &str = r#"{"categories": [
  {"id": "strasse", "de": "Straße und Wege", "en": "Roads", "subcategories": [
    {"id": "schlagloch", "de": "Schlagloch", "en": "Pothole"},
    {"id": "gehweg", "de": "Gehweg beschädigt", "en": "Damaged pavement"},
    {"id": "radweg", "de": "Radweg", "en": "Cycle path"}]},
  {"id": "beleuchtung", "de": "Beleuchtung", "en": "Lighting", "subcategories": [
    {"id": "leuchte_aus", "de": "Laterne defekt", "en": "Street light out"}]},
  {"id": "muell", "de": "Müll", "en": "Litter", "subcategories": [
    {"id": "wilder_muell", "de": "Wilder Müll", "en": "Fly-tipping"},
    {"id": "papierkorb", "de": "Papierkorb voll", "en": "Bin full"}]},
  {"id": "gruen", "de": "Grünflächen", "en": "Green spaces", "subcategories": [
    {"id": "baum", "de": "Baum", "en": "Tree"},
    {"id": "spielgeraet", "de": "Spielgerät", "en": "Playground"}]},
  {"id": "graffiti", "de": "Graffiti", "en": "Graffiti"}
]}"#;

/// Leaf categories with their weight and department (`None`: not routed).
const CATEGORIES: [(&str, u32, &str); 9] = [
    ("schlagloch", 22, "tiefbau"),
    ("gehweg", 10, "tiefbau"),
    ("radweg", 6, "tiefbau"),
    ("leuchte_aus", 14, "tbz"),
    ("wilder_muell", 16, "tbz"),
    ("papierkorb", 8, "tbz"),
    ("baum", 9, "gruenflaechen"),
    ("spielgeraet", 5, "gruenflaechen"),
    ("graffiti", 10, "ordnungsamt"),
];

/// Departments of every municipality: id and name.
pub const DEPARTMENTS: [(&str, &str); 4] = [
    ("tiefbau", "Tiefbau"),
    ("tbz", "Technisches Betriebszentrum"),
    ("gruenflaechen", "Grünflächen"),
    ("ordnungsamt", "Ordnungsamt"),
];

/// Staff accounts per municipality (assignees).
pub const USERS_PER_MUNICIPALITY: usize = 5;

const DESCRIPTIONS: [&str; 10] = [
    "Tiefes Loch in der Fahrbahn, Radfahrer müssen ausweichen",
    "Gehwegplatten lose, Stolpergefahr",
    "Laterne brennt seit Tagen nicht",
    "Sperrmüll am Straßenrand abgestellt",
    "Papierkorb quillt über",
    "Ast droht abzubrechen",
    "Schaukel auf dem Spielplatz kaputt",
    "Schmiererei an der Bushaltestelle",
    "Schlagloch nach dem Frost, etwa 10 cm tief",
    "Radweg durch Wurzeln angehoben",
];

/// A municipality of the data set.
#[derive(Debug, Clone)]
pub struct Town {
    /// AGS (eight digits; an Amt's nine).
    pub ags: String,
    /// Name.
    pub name: String,
    /// Its Gemeinden (itself when it is one).
    pub gemeinden: Vec<String>,
    /// Centre.
    pub lat: f64,
    /// Centre.
    pub lon: f64,
    /// Spread of positions in degrees of latitude.
    pub spread: f64,
    /// Share of all reports (sums to 1).
    pub share: f64,
    /// Staff account ids.
    pub users: Vec<String>,
}

/// One generated report with what the store would have recorded about it.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub town: usize,
    pub gemeinde: usize,
    pub device: Option<usize>,
    pub category: &'static str,
    pub description: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub address_hint: Option<String>,
    pub status: Status,
    pub priority: &'static str,
    pub due_at: Option<DateTime<Utc>>,
    pub department: Option<&'static str>,
    pub assignee: Option<usize>,
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_secs: Option<f64>,
    pub resolution_secs: Option<f64>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// Everything generated.
pub struct DataSet {
    pub towns: Vec<Town>,
    pub devices: Vec<String>,
    pub rows: Vec<Row>,
    /// When the data set ends ("now" of the queries).
    pub now: DateTime<Utc>,
}

/// A timestamp as the store writes it (nine fractional digits).
pub fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

fn uuid(rng: &mut StdRng) -> String {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid().to_string()
}

/// A value near 0 with roughly normal spread (sum of three uniforms, in [-1.5, 1.5]).
fn bell(rng: &mut StdRng) -> f64 {
    (0..3).map(|_| rng.random_range(-0.5..0.5)).sum()
}

/// 100 municipalities inside Schleswig-Holstein, sized by Zipf's law (s = 1): the
/// biggest takes about a fifth of all reports, the median one about 0.4 %.
fn towns(rng: &mut StdRng, count: usize) -> Vec<Town> {
    let weights: Vec<f64> = (1..=count).map(|i| 1.0 / i as f64).collect();
    let sum: f64 = weights.iter().sum();
    weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            // Every third small one is an Amt of several Gemeinden (nine-digit key).
            let amt = i >= 10 && i % 3 == 0;
            let ags = if amt {
                format!("0105{:05}", 50_000 + i)
            } else {
                format!("0100{:04}", 1_000 + i)
            };
            let gemeinden = if amt {
                (0..6).map(|g| format!("0105{:04}", 100 * i + g)).collect()
            } else {
                vec![ags.clone()]
            };
            Town {
                name: format!("Gemeinde {i}"),
                gemeinden,
                lat: rng.random_range(53.95..54.85),
                lon: rng.random_range(8.7..10.9),
                spread: if i < 5 { 0.05 } else { 0.02 },
                share: w / sum,
                users: (0..USERS_PER_MUNICIPALITY).map(|_| uuid(rng)).collect(),
                ags,
            }
        })
        .collect()
}

/// Picks an index by weight (`cumulative` ascending, ending at the total).
fn pick(rng: &mut StdRng, cumulative: &[f64]) -> usize {
    let x = rng.random_range(0.0..cumulative.last().copied().unwrap_or(1.0));
    cumulative.partition_point(|c| *c <= x).min(cumulative.len() - 1)
}

fn cumulate(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    weights
        .scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        })
        .collect()
}

/// The status of a report `age_days` old, and seconds to first response and resolution.
fn lifecycle(rng: &mut StdRng, age_days: i64) -> (Status, Option<f64>, Option<f64>) {
    use Status::*;
    let table: &[(Status, u32)] = if age_days > 90 {
        &[
            (Closed, 68),
            (Resolved, 12),
            (Rejected, 8),
            (Duplicate, 4),
            (Forwarded, 4),
            (InProgress, 2),
            (Assigned, 1),
            (Received, 1),
        ]
    } else {
        &[
            (Received, 25),
            (Assigned, 20),
            (InProgress, 20),
            (Resolved, 15),
            (Closed, 10),
            (Rejected, 5),
            (Duplicate, 3),
            (Forwarded, 2),
        ]
    };
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    let mut status = Received;
    for (s, w) in table {
        if x < *w {
            status = *s;
            break;
        }
        x -= w;
    }
    // As `mark_milestones` records them: a first public reaction for everything past
    // received/assigned, a resolution for resolved and closed; log-uniform durations.
    let responded = !matches!(status, Received | Assigned);
    let first = responded.then(|| 10f64.powf(rng.random_range(2.5..5.8)));
    let resolved =
        matches!(status, Resolved | Closed).then(|| first.unwrap_or(0.0) + 10f64.powf(rng.random_range(3.5..6.5)));
    (status, first, resolved)
}

/// Generates `n` reports over `towns` municipalities from a fixed seed.
pub fn generate(n: usize, towns_count: usize) -> BenchResult<DataSet> {
    let mut rng = StdRng::seed_from_u64(18);
    let towns = towns(&mut rng, towns_count);
    let devices: Vec<String> = (0..n / 3).map(|_| uuid(&mut rng)).collect();
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().ok_or("date")?;
    let start = Utc.with_ymd_and_hms(2021, 1, 1, 0, 0, 0).single().ok_or("date")?;
    let span = (now - start).num_seconds() as f64;
    let town_cum = cumulate(towns.iter().map(|t| t.share));
    let cat_cum = cumulate(CATEGORIES.iter().map(|c| f64::from(c.1)));
    let mut rows = Vec::with_capacity(n);
    for _ in 0..n {
        let town = pick(&mut rng, &town_cum);
        let t = &towns[town];
        let (category, _, dept) = CATEGORIES[pick(&mut rng, &cat_cum)];
        // Usage grows over the years: density rising linearly towards now.
        let received_at = start + Duration::seconds((span * rng.random::<f64>().sqrt()) as i64);
        let age_days = (now - received_at).num_days();
        let (status, first, resolved) = lifecycle(&mut rng, age_days);
        let channel = match rng.random_range(0..20) {
            0..=16 => Channel::App,
            17 | 18 => Channel::Open311,
            _ => Channel::Staff,
        };
        let secs = |s: Option<f64>| s.map(|s| received_at + Duration::milliseconds((s * 1000.0) as i64));
        let updated_at = secs(resolved).or(secs(first)).unwrap_or(received_at).min(now);
        let routed = rng.random_range(0..10) > 0;
        let lat_spread = t.spread;
        rows.push(Row {
            id: uuid(&mut rng),
            town,
            gemeinde: rng.random_range(0..t.gemeinden.len()),
            device: (matches!(channel, Channel::App) && !devices.is_empty())
                .then(|| rng.random_range(0..devices.len())),
            category,
            description: DESCRIPTIONS[rng.random_range(0..DESCRIPTIONS.len())],
            lat: t.lat + bell(&mut rng) * lat_spread,
            lon: t.lon + bell(&mut rng) * lat_spread * 1.7,
            address_hint: (rng.random_range(0..2) == 0).then(|| format!("vor Hausnummer {}", rng.random_range(1..120))),
            status,
            priority: ["low", "normal", "normal", "normal", "high", "urgent"][rng.random_range(0..6)],
            due_at: (rng.random_range(0..10) < 3).then(|| received_at + Duration::days(14)),
            department: routed.then_some(dept),
            assignee: (routed && status != Status::Received && rng.random_range(0..10) < 6)
                .then(|| rng.random_range(0..t.users.len())),
            channel,
            received_at,
            updated_at,
            first_response_secs: first,
            resolution_secs: resolved,
            closed_at: (status == Status::Closed).then_some(updated_at),
        });
    }
    Ok(DataSet {
        towns,
        devices,
        rows,
        now,
    })
}

impl DataSet {
    /// The device id of a row, as stored.
    pub fn device_of(&self, r: &Row) -> Option<&str> {
        r.device.map(|d| self.devices[d].as_str())
    }

    /// The assignee of a row, as stored.
    pub fn assignee_of(&self, r: &Row) -> Option<&str> {
        r.assignee.map(|u| self.towns[r.town].users[u].as_str())
    }

    /// The intake audit entry's actor and action (JSON, as the store encodes them).
    pub fn audit_json(&self, r: &Row) -> BenchResult<(String, String)> {
        let device = match r.device {
            Some(d) => Some(self.devices[d].parse::<DeviceId>().map_err(|e| format!("{e:?}"))?),
            None => None,
        };
        Ok((
            serde_json::to_string(&Actor::Citizen { device })?,
            serde_json::to_string(&AuditAction::Created { channel: r.channel })?,
        ))
    }

    /// The feed events of a row: the intake status event and, for a report that moved
    /// on, the change to its current status. Each as (payload JSON, at).
    pub fn events_json(r: &Row) -> BenchResult<Vec<(String, DateTime<Utc>)>> {
        let mut out = vec![(
            serde_json::to_string(&PublicStatusChange {
                from: None,
                to: Status::Received,
                comment: None,
                at: r.received_at,
                photos: Vec::new(),
            })?,
            r.received_at,
        )];
        if r.status != Status::Received {
            out.push((
                serde_json::to_string(&PublicStatusChange {
                    from: Some(Status::Received),
                    to: r.status,
                    comment: None,
                    at: r.updated_at,
                    photos: Vec::new(),
                })?,
                r.updated_at,
            ));
        }
        Ok(out)
    }
}

/// The wire name of a channel, as stored.
pub fn channel_name(c: Channel) -> &'static str {
    match c {
        Channel::App => "app",
        Channel::Open311 => "open311",
        Channel::Staff => "staff",
    }
}
