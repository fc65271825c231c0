//! The staff inbox: filtered, sorted, paged report lists; counts; statistics; nearby
//! reports.
//!
//! As in SQLite, the WHERE clause is assembled from fixed SQL fragments and every value
//! is bound (`$n`), never interpolated; a filter value that cannot match yields no
//! results rather than being dropped. The sort orders, the LIKE pattern and the ordering
//! of the statistics lists are shared with SQLite (`crate::listing`), so both backends
//! answer alike. Statistics are aggregated in PostgreSQL (one statement, so one snapshot)
//! instead of fetching every row.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;

use augenmerk_domain::api::ReportQuery;
use augenmerk_domain::geo::BoundingBox;
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::Page;
use augenmerk_domain::{Ags, CategoryId, GeoPoint, Status};

use super::codec::{REPORT_COLUMNS, reports_from_rows, ts, uint};
use crate::listing::{like_pattern, open_statuses, order_by, sorted};
use crate::sqlite::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::{ReportStats, StoreError, StoreResult, Visibility};

/// A bound value of a query built at run time.
type Param = Box<dyn ToSql + Sync + Send>;

/// A WHERE clause under construction with its bound values (`$1` is the municipality).
struct Filter {
    clauses: Vec<String>,
    values: Vec<Param>,
    /// A filter that can match nothing; the query is not run.
    empty: bool,
}

impl Filter {
    fn new(ags: &Ags) -> Self {
        let mut f = Self {
            clauses: Vec::new(),
            values: Vec::new(),
            empty: false,
        };
        let p = f.bind(ags.as_str().to_owned());
        f.and(format!("ags = {p}"));
        f
    }

    /// Binds a value; returns its placeholder.
    fn bind(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.values.push(Box::new(value));
        format!("${}", self.values.len())
    }

    fn and(&mut self, clause: impl Into<String>) {
        self.clauses.push(clause.into());
    }

    /// Adds `column = ANY($n)`; an empty list matches nothing.
    fn and_in(&mut self, column: &str, values: Vec<String>) {
        if values.is_empty() {
            self.empty = true;
            return;
        }
        let p = self.bind(values);
        self.and(format!("{column} = ANY({p})"));
    }

    fn visible_to(&mut self, v: Option<&Visibility>) {
        match v {
            Some(Visibility {
                department: Some(d),
                user,
            }) => {
                let d = self.bind(d.as_str().to_owned());
                let u = self.bind(user.to_string());
                self.and(format!("(department = {d} OR assignee = {u})"));
            }
            Some(Visibility { department: None, user }) => {
                let u = self.bind(user.to_string());
                self.and(format!("assignee = {u}"));
            }
            None => {}
        }
    }

    /// Adds a bounding box of positions (the `(ags, lat, lon)` index).
    fn within(&mut self, min_lat: f64, max_lat: f64, min_lon: f64, max_lon: f64) {
        let [a, b, c, d] = [min_lat, max_lat, min_lon, max_lon].map(|v| self.bind(v));
        self.and(format!("lat BETWEEN {a} AND {b} AND lon BETWEEN {c} AND {d}"));
    }

    fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.values
            .iter()
            .map(|v| {
                let p: &(dyn ToSql + Sync) = v.as_ref();
                p
            })
            .collect()
    }
}

/// Whether a report's answers hold a value matching the LIKE pattern `p`, by value only
/// (not by question id, which every report of a category shares). Matches SQLite's
/// `json_tree` atoms as `fold()` prints them: strings as they are, whole numbers as
/// written, decimals as their shortest `f64` text (`3.0` as `3`), booleans as 1 and 0.
fn answers_match(p: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM jsonb_path_query(reports.answers::jsonb, 'strict $.**') AS a(v)
                 WHERE jsonb_typeof(a.v) IN ('string', 'number', 'boolean')
                   AND lower(CASE jsonb_typeof(a.v)
                                 WHEN 'boolean' THEN CASE WHEN a.v = 'true'::jsonb THEN '1' ELSE '0' END
                                 WHEN 'number' THEN CASE WHEN a.v::text ~ '[.eE]'
                                     THEN a.v::text::double precision::text ELSE a.v::text END
                                 ELSE a.v #>> '{{}}' END) LIKE {p} ESCAPE '\\')"
    )
}

/// The inbox filter of a query (without paging and sorting).
async fn inbox_filter(
    c: &impl GenericClient,
    ags: &Ags,
    q: &ReportQuery,
    visible_to: Option<&Visibility>,
    now: &DateTime<Utc>,
) -> StoreResult<Filter> {
    let mut f = Filter::new(ags);
    f.visible_to(visible_to);
    if let Some(list) = q.status.as_deref().filter(|s| !s.trim().is_empty()) {
        let statuses: Vec<String> = list
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .filter_map(Status::parse)
            .map(|s| s.as_str().to_owned())
            .collect();
        f.and_in("status", statuses);
    }
    if let Some(category) = &q.category {
        // The category with its whole subtree; a category no longer in the tree still
        // finds the reports filed on it.
        let tree = super::config::get_categories(c, ags).await?;
        let ids: Vec<String> = match tree.find(category) {
            Some(c) => {
                let sub = augenmerk_domain::CategoryTree {
                    categories: vec![c.clone()],
                };
                sub.iter().map(|c| c.id.as_str().to_owned()).collect()
            }
            None => vec![category.as_str().to_owned()],
        };
        f.and_in("category", ids);
    }
    if let Some(list) = q.ids.as_deref() {
        let ids: Vec<String> = list
            .split(',')
            .filter_map(|t| t.trim().parse::<augenmerk_domain::ReportId>().ok())
            .map(|id| id.to_string())
            .collect();
        f.and_in("id", ids);
    }
    if let Some(list) = q.categories.as_deref() {
        let ids: Vec<String> = list
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        f.and_in("category", ids);
    }
    if let Some(from) = &q.received_from {
        let p = f.bind(ts(from));
        f.and(format!("received_at >= {p}"));
    }
    if let Some(to) = &q.received_to {
        let p = f.bind(ts(to));
        f.and(format!("received_at <= {p}"));
    }
    if let Some(d) = &q.department {
        let p = f.bind(d.as_str().to_owned());
        f.and(format!("department = {p}"));
    }
    if let Some(g) = &q.gemeinde {
        let p = f.bind(g.as_str().to_owned());
        f.and(format!("gemeinde = {p}"));
    }
    if let Some(u) = &q.assignee {
        let p = f.bind(u.to_string());
        f.and(format!("assignee = {p}"));
    }
    if let Some(p) = q.priority {
        let p = f.bind(p.as_str().to_owned());
        f.and(format!("priority = {p}"));
    }
    if let Some(overdue) = q.overdue {
        // due_at IS NOT NULL keeps the expression from being NULL, so NOT is exact.
        let p = f.bind(ts(now));
        let clause = format!(
            "(status IN ({}) AND due_at IS NOT NULL AND due_at < {p})",
            open_statuses()
        );
        f.and(if overdue { clause } else { format!("NOT {clause}") });
    }
    if q.assigned_to_me == Some(true) || q.my_department == Some(true) {
        // "Me" is the server's to resolve into `assignee`/`department`; unresolved, the
        // filter must not widen to everyone's reports.
        f.empty = true;
    }
    if let Some(waiting) = q.awaiting_reply {
        f.and(if waiting {
            "awaiting_reply_since IS NOT NULL"
        } else {
            "awaiting_reply_since IS NULL"
        });
    }
    if let Some(bbox) = q.bbox.as_deref() {
        match BoundingBox::parse(bbox) {
            Ok(b) => f.within(b.min_lat, b.max_lat, b.min_lon, b.max_lon),
            Err(_) => f.empty = true,
        }
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // `lower()` folds Unicode as SQLite's `fold()` does (the pattern is lower case).
        let p = f.bind(like_pattern(text));
        f.and(format!(
            "(lower(description) LIKE {p} ESCAPE '\\' OR lower(address_hint) LIKE {p} ESCAPE '\\' OR {})",
            answers_match(&p)
        ));
    }
    Ok(f)
}

/// The staff inbox.
pub(crate) async fn query_reports(
    c: &impl GenericClient,
    ags: &Ags,
    q: &ReportQuery,
    visible_to: Option<&Visibility>,
    now: &DateTime<Utc>,
) -> StoreResult<Page<Report>> {
    let page = q.page.unwrap_or(1).max(1);
    let page_size = q.page_size.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    let mut f = inbox_filter(c, ags, q, visible_to, now).await?;
    if f.empty {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            page,
            page_size,
        });
    }
    // Not `prepare_cached`: the filters vary, and a statement planned for the values at
    // hand suits them better than a generic plan.
    let where_sql = f.sql();
    let total: i64 = c
        .query_one(&format!("SELECT count(*) FROM reports WHERE {where_sql}"), &f.params())
        .await?
        .try_get(0)?;
    let offset = i64::from(page - 1) * i64::from(page_size);
    let limit = f.bind(i64::from(page_size));
    let offset = f.bind(offset);
    let rows = c
        .query(
            &format!(
                "SELECT {REPORT_COLUMNS} FROM reports WHERE {where_sql} ORDER BY {} LIMIT {limit} OFFSET {offset}",
                order_by(q.sort.as_deref())
            ),
            &f.params(),
        )
        .await?;
    Ok(Page {
        items: reports_from_rows(&rows)?,
        total: u64::try_from(total).unwrap_or(0),
        page,
        page_size,
    })
}

/// Counts of reports per status, every status listed (zero included), in process order.
pub(crate) async fn count_by_status(
    c: &impl GenericClient,
    ags: &Ags,
    visible_to: Option<&Visibility>,
) -> StoreResult<Vec<(Status, u64)>> {
    let mut f = Filter::new(ags);
    f.visible_to(visible_to);
    let rows = c
        .query(
            &format!(
                "SELECT status, count(*) AS n FROM reports WHERE {} GROUP BY status",
                f.sql()
            ),
            &f.params(),
        )
        .await?;
    let mut counts: HashMap<String, u64> = HashMap::new();
    for row in &rows {
        counts.insert(row.try_get("status")?, uint(row, "n")?);
    }
    Ok(Status::ALL
        .iter()
        .map(|s| (*s, counts.get(s.as_str()).copied().unwrap_or(0)))
        .collect())
}

/// The categories of the municipality's reports with their counts, ordered by id (read
/// from the statistics index, which starts with `ags` and holds `category`).
pub(crate) async fn categories_in_use(c: &impl GenericClient, ags: &Ags) -> StoreResult<Vec<(CategoryId, u64)>> {
    let stmt = c
        .prepare_cached("SELECT category, count(*) AS n FROM reports WHERE ags = $1 GROUP BY category")
        .await?;
    let rows = c.query(&stmt, &[&ags.as_str()]).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        // A stored id always parsed once; one that no longer does is skipped, not fatal.
        if let Ok(id) = CategoryId::parse(row.try_get("category")?) {
            out.push((id, uint(row, "n")?));
        }
    }
    // Sorted here, by bytes as SQLite does, whatever the database's collation.
    out.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    Ok(out)
}

/// Metres per degree of latitude (and of longitude at the equator), generously rounded
/// down so that the prefilter box is never too small.
const METRES_PER_DEGREE: f64 = 111_000.0;

/// Open reports within `radius_m` of `center`, nearest first, at most `limit`, of those
/// `visible_to` may see.
pub(crate) async fn nearby_reports(
    c: &impl GenericClient,
    ags: &Ags,
    center: GeoPoint,
    radius_m: f64,
    limit: u32,
    visible_to: Option<&Visibility>,
) -> StoreResult<Vec<Report>> {
    if !radius_m.is_finite() || radius_m < 0.0 || limit == 0 {
        return Ok(Vec::new());
    }
    // A box around the circle lets the (ags, lat, lon) index do the work; the exact
    // distance is checked afterwards, with the same function as SQLite's.
    let dlat = radius_m / METRES_PER_DEGREE;
    let dlon = radius_m / (METRES_PER_DEGREE * center.lat.to_radians().cos().max(0.01));
    let mut f = Filter::new(ags);
    f.visible_to(visible_to);
    f.within(
        center.lat - dlat,
        center.lat + dlat,
        center.lon - dlon,
        center.lon + dlon,
    );
    f.and(format!("status IN ({})", open_statuses()));
    let rows = c
        .query(
            &format!("SELECT {REPORT_COLUMNS} FROM reports WHERE {}", f.sql()),
            &f.params(),
        )
        .await?;
    let mut near: Vec<(f64, Report)> = reports_from_rows(&rows)?
        .into_iter()
        .map(|r| (center.distance_m(&r.location), r))
        .filter(|(d, _)| *d <= radius_m)
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(near.into_iter().take(limit as usize).map(|(_, r)| r).collect())
}

/// Which list a row of the statistics statement belongs to.
const BY_STATUS: i32 = 0;
const BY_CATEGORY: i32 = 1;
const BY_DEPARTMENT: i32 = 2;
const BY_GEMEINDE: i32 = 3;
const TOTALS: i32 = 4;
const FIRST_RESPONSE: i32 = 5;
const RESOLUTION: i32 = 6;

/// Statistics of the reports received in `[from, to]`, aggregated in one statement.
pub(crate) async fn statistics(
    c: &impl GenericClient,
    ags: &Ags,
    from: &DateTime<Utc>,
    to: &DateTime<Utc>,
    visible_to: Option<&Visibility>,
    now: &DateTime<Utc>,
) -> StoreResult<ReportStats> {
    let mut f = Filter::new(ags);
    f.visible_to(visible_to);
    let (from, to) = (f.bind(ts(from)), f.bind(ts(to)));
    f.and(format!("received_at >= {from} AND received_at <= {to}"));
    let now = f.bind(ts(now));
    // The period's rows are read once (a CTE used several times is materialized; the
    // columns are those of the covering index `reports_for_statistics`) and counted per
    // list. The medians are SQLite's: the middle value, or the mean of the two middle
    // ones. `percentile_disc(0.5)` is the lower middle value in ascending order and the
    // upper one in descending order (the same for an odd count); `percentile_cont`
    // would interpolate as `lo + (hi - lo) * 0.5`, which can differ from SQLite's
    // `(lo + hi) / 2` in the last bit.
    let sql = format!(
        "WITH r AS (
             SELECT status, category, department, gemeinde, first_response_secs, resolution_secs,
                    (status IN ({open}) AND due_at IS NOT NULL AND due_at < {now}) AS overdue
             FROM reports WHERE {filter})
         SELECT {BY_STATUS} AS list, status AS key, count(*) AS n,
                NULL::bigint AS m, NULL::double precision AS lo, NULL::double precision AS hi
           FROM r GROUP BY status
         UNION ALL SELECT {BY_CATEGORY}, category, count(*), NULL, NULL, NULL FROM r GROUP BY category
         UNION ALL SELECT {BY_DEPARTMENT}, department, count(*), NULL, NULL, NULL FROM r GROUP BY department
         UNION ALL SELECT {BY_GEMEINDE}, gemeinde, count(*), NULL, NULL, NULL FROM r GROUP BY gemeinde
         UNION ALL SELECT {TOTALS}, NULL, count(*), count(*) FILTER (WHERE overdue), NULL, NULL FROM r
         UNION ALL SELECT {FIRST_RESPONSE}, NULL, count(first_response_secs), NULL,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY first_response_secs),
                percentile_disc(0.5) WITHIN GROUP (ORDER BY first_response_secs DESC) FROM r
         UNION ALL SELECT {RESOLUTION}, NULL, count(resolution_secs), NULL,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY resolution_secs),
                percentile_disc(0.5) WITHIN GROUP (ORDER BY resolution_secs DESC) FROM r",
        open = open_statuses(),
        filter = f.sql(),
    );
    let rows = c.query(&sql, &f.params()).await?;
    let mut stats = ReportStats::default();
    let mut by_status: HashMap<String, u64> = HashMap::new();
    let mut by_category: HashMap<String, u64> = HashMap::new();
    let mut by_department: HashMap<Option<String>, u64> = HashMap::new();
    let mut by_gemeinde: HashMap<String, u64> = HashMap::new();
    for row in &rows {
        let n = uint(row, "n")?;
        let key: Option<String> = row.try_get("key")?;
        let list: i32 = row.try_get("list")?;
        match list {
            BY_STATUS => {
                by_status.insert(required(key)?, n);
            }
            BY_CATEGORY => {
                by_category.insert(required(key)?, n);
            }
            BY_DEPARTMENT => {
                by_department.insert(key, n);
            }
            BY_GEMEINDE => {
                by_gemeinde.insert(required(key)?, n);
            }
            TOTALS => {
                stats.total = n;
                stats.overdue = uint(row, "m")?;
            }
            FIRST_RESPONSE => stats.median_first_response_secs = median(n, row)?,
            RESOLUTION => stats.median_resolution_secs = median(n, row)?,
            _ => return Err(StoreError::Database(format!("unexpected statistics list {list}"))),
        }
    }
    stats.by_status = Status::ALL
        .iter()
        .map(|s| (*s, by_status.get(s.as_str()).copied().unwrap_or(0)))
        .collect();
    stats.by_category = sorted(by_category);
    stats.by_department = sorted(by_department);
    stats.by_gemeinde = sorted(by_gemeinde);
    Ok(stats)
}

/// A key of a NOT NULL column.
fn required(key: Option<String>) -> StoreResult<String> {
    key.ok_or_else(|| StoreError::Database("statistics key of a NOT NULL column is NULL".into()))
}

/// The median of `n` values from their lower and upper middle values.
fn median(n: u64, row: &tokio_postgres::Row) -> StoreResult<Option<f64>> {
    let lo: Option<f64> = row.try_get("lo")?;
    let hi: Option<f64> = row.try_get("hi")?;
    Ok(match (lo, hi) {
        _ if n == 0 => None,
        (Some(lo), Some(hi)) if n.is_multiple_of(2) => Some((lo + hi) / 2.0),
        (_, Some(hi)) => Some(hi),
        _ => None,
    })
}

/// Open reports now per department and status, with how many of each are overdue at
/// `now` (the SLA view): `(department, status, count, overdue)`.
pub(crate) async fn department_workload(
    c: &impl GenericClient,
    ags: &Ags,
    visible_to: Option<&Visibility>,
    now: &DateTime<Utc>,
) -> StoreResult<Vec<crate::WorkloadRow>> {
    let mut f = Filter::new(ags);
    f.visible_to(visible_to);
    f.and(format!("status IN ({})", open_statuses()));
    let now = f.bind(ts(now));
    let sql = format!(
        "SELECT department, status, count(*) AS n,
                count(*) FILTER (WHERE due_at IS NOT NULL AND due_at < {now}) AS late
         FROM reports WHERE {} GROUP BY department, status",
        f.sql()
    );
    let rows = c.query(&sql, &f.params()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let status: String = row.try_get("status")?;
        // A status this version no longer knows is left out, not fatal (as in SQLite).
        if let Some(s) = Status::parse(&status) {
            out.push((row.try_get("department")?, s, uint(row, "n")?, uint(row, "late")?));
        }
    }
    Ok(out)
}

/// Each municipality's figures for the platform overview (see
/// [`crate::Store::tenant_figures`]); one statement, so one snapshot.
pub(crate) async fn tenant_figures(
    c: &impl GenericClient,
    since: &DateTime<Utc>,
    now: &DateTime<Utc>,
) -> StoreResult<Vec<(Ags, augenmerk_domain::overview::TenantFigures)>> {
    let open = open_statuses();
    let sql = format!(
        "SELECT m.ags AS ags,
           (SELECT count(*) FROM users u WHERE u.ags = m.ags AND u.active) AS users,
           (SELECT count(*) FROM reports r WHERE r.ags = m.ags AND r.status IN ({open})) AS open,
           (SELECT count(*) FROM reports r WHERE r.ags = m.ags AND r.status IN ({open})
              AND r.due_at IS NOT NULL AND r.due_at < $1) AS overdue,
           (SELECT count(*) FROM reports r WHERE r.ags = m.ags AND r.received_at >= $2) AS recent,
           (SELECT max(r.updated_at) FROM reports r WHERE r.ags = m.ags) AS last_activity,
           (SELECT count(*) FROM jobs j WHERE j.ags = m.ags AND j.state = 'failed' AND j.done_at >= $2) AS failed
         FROM municipalities m ORDER BY m.ags"
    );
    let rows = c.query(&sql, &[&ts(now), &ts(since)]).await?;
    rows.iter()
        .map(|row| {
            Ok((
                super::codec::get_id::<Ags>(row, "ags")?,
                augenmerk_domain::overview::TenantFigures {
                    users: uint(row, "users")?,
                    open: uint(row, "open")?,
                    overdue: uint(row, "overdue")?,
                    recent: uint(row, "recent")?,
                    last_activity: super::codec::get_ts_opt(row, "last_activity")?,
                    failed_deliveries: uint(row, "failed")?,
                },
            ))
        })
        .collect()
}
