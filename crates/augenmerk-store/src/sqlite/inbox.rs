//! The staff inbox: filtered, sorted, paged report lists; counts; nearby reports.
//!
//! The WHERE clause is assembled from fixed SQL fragments with `?` placeholders, and
//! every value is bound, never interpolated. A filter value that cannot match (an
//! unknown status, an invalid bounding box) yields no results rather than being dropped,
//! so a malformed filter never shows more than asked for.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use augenmerk_domain::api::ReportQuery;
use augenmerk_domain::geo::BoundingBox;
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::Page;
use augenmerk_domain::{Ags, GeoPoint, Status};

use super::codec::{REPORT_COLUMNS, report_from_row, ts};
use super::config::get_categories;
use std::collections::HashMap;

use crate::listing::{like_pattern, open_statuses, order_by, sorted};
use crate::{ReportStats, StoreResult, Visibility};

/// Items per page when the query does not say.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Most items per page.
pub const MAX_PAGE_SIZE: u32 = 200;

/// A WHERE clause under construction with its bound values.
struct Filter {
    clauses: Vec<String>,
    values: Vec<Value>,
    /// A filter that can match nothing; the query is not run.
    empty: bool,
}

impl Filter {
    fn new(ags: &Ags) -> Self {
        Self {
            clauses: vec!["ags = ?".into()],
            values: vec![Value::Text(ags.as_str().to_owned())],
            empty: false,
        }
    }

    /// Adds a clause whose `?`s take `values` in order.
    fn and(&mut self, clause: impl Into<String>, values: impl IntoIterator<Item = Value>) {
        self.clauses.push(clause.into());
        self.values.extend(values);
    }

    /// Adds `column IN (?, …)`; an empty list matches nothing.
    fn and_in(&mut self, column: &str, values: Vec<String>) {
        if values.is_empty() {
            self.empty = true;
            return;
        }
        let marks = vec!["?"; values.len()].join(", ");
        self.and(format!("{column} IN ({marks})"), values.into_iter().map(Value::Text));
    }

    fn visible_to(&mut self, v: Option<&Visibility>) {
        match v {
            Some(Visibility {
                department: Some(d),
                user,
            }) => self.and(
                "(department = ? OR assignee = ?)",
                [Value::Text(d.as_str().to_owned()), Value::Text(user.to_string())],
            ),
            Some(Visibility { department: None, user }) => self.and("assignee = ?", [Value::Text(user.to_string())]),
            None => {}
        }
    }

    fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }
}

/// The staff inbox.
pub(crate) fn query_reports(
    conn: &Connection,
    ags: &Ags,
    q: &ReportQuery,
    visible_to: Option<&Visibility>,
    now: &DateTime<Utc>,
) -> StoreResult<Page<Report>> {
    let page = q.page.unwrap_or(1).max(1);
    let page_size = q.page_size.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    let mut f = Filter::new(ags);
    f.visible_to(visible_to);

    if let Some(list) = q.status.as_deref().filter(|s| !s.trim().is_empty()) {
        let tokens: Vec<&str> = list.split(',').map(str::trim).filter(|t| !t.is_empty()).collect();
        let statuses: Vec<String> = tokens
            .iter()
            .filter_map(|t| Status::parse(t))
            .map(|s| s.as_str().to_owned())
            .collect();
        f.and_in("status", statuses);
    }
    if let Some(category) = &q.category {
        // The category with its whole subtree; a category no longer in the tree still
        // finds the reports filed on it.
        let tree = get_categories(conn, ags)?;
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
        f.and("received_at >= ?", [Value::Text(ts(from))]);
    }
    if let Some(to) = &q.received_to {
        f.and("received_at <= ?", [Value::Text(ts(to))]);
    }
    if let Some(d) = &q.department {
        f.and("department = ?", [Value::Text(d.as_str().to_owned())]);
    }
    if let Some(g) = &q.gemeinde {
        f.and("gemeinde = ?", [Value::Text(g.as_str().to_owned())]);
    }
    if let Some(u) = &q.assignee {
        f.and("assignee = ?", [Value::Text(u.to_string())]);
    }
    if let Some(p) = q.priority {
        f.and("priority = ?", [Value::Text(p.as_str().to_owned())]);
    }
    if let Some(overdue) = q.overdue {
        // due_at IS NOT NULL keeps the expression from being NULL, so NOT is exact.
        let clause = format!(
            "(status IN ({}) AND due_at IS NOT NULL AND due_at < ?)",
            open_statuses()
        );
        let clause = if overdue { clause } else { format!("NOT {clause}") };
        f.and(clause, [Value::Text(ts(now))]);
    }
    if q.assigned_to_me == Some(true) || q.my_department == Some(true) {
        // "Me" is the server's to resolve into `assignee`/`department`; unresolved, the
        // filter must not widen to everyone's reports.
        f.empty = true;
    }
    if let Some(waiting) = q.awaiting_reply {
        f.and(
            if waiting {
                "awaiting_reply_since IS NOT NULL"
            } else {
                "awaiting_reply_since IS NULL"
            },
            [],
        );
    }
    if let Some(bbox) = q.bbox.as_deref() {
        match BoundingBox::parse(bbox) {
            Ok(b) => f.and(
                "lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
                [b.min_lat, b.max_lat, b.min_lon, b.max_lon].map(Value::Real),
            ),
            Err(_) => f.empty = true,
        }
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = like_pattern(text);
        // Answers are searched by their values only (json_tree atoms), not by question ids,
        // which every report of a category shares.
        f.and(
            "(fold(description) LIKE ? ESCAPE '\\' OR fold(address_hint) LIKE ? ESCAPE '\\' \
              OR EXISTS (SELECT 1 FROM json_tree(reports.answers) a \
                         WHERE a.atom IS NOT NULL AND fold(a.atom) LIKE ? ESCAPE '\\'))",
            std::iter::repeat_n(Value::Text(pattern), 3),
        );
    }

    if f.empty {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            page,
            page_size,
        });
    }
    let where_sql = f.sql();
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM reports WHERE {where_sql}"))?
        .query_row(params_from_iter(&f.values), |row| row.get(0))?;
    let offset = i64::from(page - 1) * i64::from(page_size);
    let mut values = f.values;
    values.extend([Value::Integer(i64::from(page_size)), Value::Integer(offset)]);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REPORT_COLUMNS} FROM reports WHERE {where_sql} ORDER BY {} LIMIT ? OFFSET ?",
        order_by(q.sort.as_deref())
    ))?;
    let items = stmt
        .query_map(params_from_iter(&values), report_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        total: u64::try_from(total).unwrap_or(0),
        page,
        page_size,
    })
}

/// Counts of reports per status, every status listed (zero included), in process order.
pub(crate) fn count_by_status(
    conn: &Connection,
    ags: &Ags,
    visible_to: Option<&Visibility>,
) -> StoreResult<Vec<(Status, u64)>> {
    let mut f = Filter::new(ags);
    f.visible_to(visible_to);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT status, count(*) FROM reports WHERE {} GROUP BY status",
        f.sql()
    ))?;
    let rows: Vec<(String, i64)> = stmt
        .query_map(params_from_iter(&f.values), |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(Status::ALL
        .iter()
        .map(|s| {
            let n = rows.iter().find(|(name, _)| name == s.as_str()).map_or(0, |(_, n)| *n);
            (*s, u64::try_from(n).unwrap_or(0))
        })
        .collect())
}

/// The categories of the municipality's reports with their counts (read from the
/// statistics index, which starts with `ags` and holds `category`).
pub(crate) fn categories_in_use(conn: &Connection, ags: &Ags) -> StoreResult<Vec<(augenmerk_domain::CategoryId, u64)>> {
    let mut stmt = conn
        .prepare_cached("SELECT category, count(*) FROM reports WHERE ags = ?1 GROUP BY category ORDER BY category")?;
    let rows: Vec<(String, i64)> = stmt
        .query_map([ags.as_str()], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        // A stored id always parsed once; one that no longer does is skipped, not fatal.
        .filter_map(|(id, n)| {
            augenmerk_domain::CategoryId::parse(&id)
                .ok()
                .map(|id| (id, u64::try_from(n).unwrap_or(0)))
        })
        .collect())
}

/// Metres per degree of latitude (and of longitude at the equator), generously rounded
/// down so that the prefilter box is never too small.
const METRES_PER_DEGREE: f64 = 111_000.0;

/// Open reports within `radius_m` of `center`, nearest first, at most `limit`, of those
/// `visible_to` may see.
pub(crate) fn nearby_reports(
    conn: &Connection,
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
    // distance is checked afterwards.
    let dlat = radius_m / METRES_PER_DEGREE;
    let dlon = radius_m / (METRES_PER_DEGREE * center.lat.to_radians().cos().max(0.01));
    let mut f = Filter::new(ags);
    f.visible_to(visible_to);
    f.and(
        "lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
        [
            center.lat - dlat,
            center.lat + dlat,
            center.lon - dlon,
            center.lon + dlon,
        ]
        .map(Value::Real),
    );
    f.and(format!("status IN ({})", open_statuses()), []);
    let mut stmt = conn.prepare_cached(&format!("SELECT {REPORT_COLUMNS} FROM reports WHERE {}", f.sql()))?;
    let candidates: Vec<Report> = stmt
        .query_map(params_from_iter(&f.values), report_from_row)?
        .collect::<Result<_, _>>()?;
    let mut near: Vec<(f64, Report)> = candidates
        .into_iter()
        .map(|r| (center.distance_m(&r.location), r))
        .filter(|(d, _)| *d <= radius_m)
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(near.into_iter().take(limit as usize).map(|(_, r)| r).collect())
}

/// Statistics of the reports received in `[from, to]`, in one scan.
pub(crate) fn statistics(
    conn: &Connection,
    ags: &Ags,
    from: &DateTime<Utc>,
    to: &DateTime<Utc>,
    visible_to: Option<&Visibility>,
    now: &DateTime<Utc>,
) -> StoreResult<ReportStats> {
    let mut f = Filter::new(ags);
    f.visible_to(visible_to);
    f.and(
        "received_at >= ? AND received_at <= ?",
        [Value::Text(ts(from)), Value::Text(ts(to))],
    );
    // One scan of the covering index `reports_for_statistics`; keys are compared as
    // borrowed text, so a row allocates nothing. The `?` of "now" comes first in the
    // text, so its value comes first.
    let mut values = vec![Value::Text(ts(now))];
    values.extend(f.values.iter().cloned());
    let sql = format!(
        "SELECT status, category, department, first_response_secs, resolution_secs,
                status IN ({}) AND due_at IS NOT NULL AND due_at < ?, gemeinde
         FROM reports WHERE {}",
        open_statuses(),
        f.sql()
    );
    let mut stats = ReportStats::default();
    let mut by_status: Vec<(String, u64)> = Vec::new();
    let mut by_category: Vec<(String, u64)> = Vec::new();
    let mut by_department: Vec<(Option<String>, u64)> = Vec::new();
    let mut by_gemeinde: Vec<(String, u64)> = Vec::new();
    let mut responses = Vec::new();
    let mut resolutions = Vec::new();
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(&values))?;
    while let Some(row) = rows.next()? {
        stats.total += 1;
        bump(&mut by_status, row.get_ref(0)?.as_str().map_err(bad_column)?);
        bump(&mut by_category, row.get_ref(1)?.as_str().map_err(bad_column)?);
        match row.get_ref(2)?.as_str_or_null().map_err(bad_column)? {
            Some(d) => match by_department.iter_mut().find(|(k, _)| k.as_deref() == Some(d)) {
                Some(e) => e.1 += 1,
                None => by_department.push((Some(d.to_owned()), 1)),
            },
            None => match by_department.iter_mut().find(|(k, _)| k.is_none()) {
                Some(e) => e.1 += 1,
                None => by_department.push((None, 1)),
            },
        }
        if let Some(d) = row.get::<_, Option<f64>>(3)? {
            responses.push(d);
        }
        if let Some(d) = row.get::<_, Option<f64>>(4)? {
            resolutions.push(d);
        }
        if row.get::<_, Option<bool>>(5)?.unwrap_or(false) {
            stats.overdue += 1;
        }
        bump(&mut by_gemeinde, row.get_ref(6)?.as_str().map_err(bad_column)?);
    }
    let by_status: HashMap<String, u64> = by_status.into_iter().collect();
    let by_category: HashMap<String, u64> = by_category.into_iter().collect();
    let by_department: HashMap<Option<String>, u64> = by_department.into_iter().collect();
    let by_gemeinde: HashMap<String, u64> = by_gemeinde.into_iter().collect();
    stats.by_status = Status::ALL
        .iter()
        .map(|s| (*s, by_status.get(s.as_str()).copied().unwrap_or(0)))
        .collect();
    stats.by_category = sorted(by_category);
    stats.by_department = sorted(by_department);
    stats.by_gemeinde = sorted(by_gemeinde);
    stats.median_first_response_secs = median(&mut responses);
    stats.median_resolution_secs = median(&mut resolutions);
    Ok(stats)
}

fn bad_column(e: rusqlite::types::FromSqlError) -> crate::StoreError {
    crate::StoreError::Database(format!("unexpected column type: {e}"))
}

/// Counts one more of `key` (a municipality has some dozen categories: a list is enough).
fn bump(counts: &mut Vec<(String, u64)>, key: &str) {
    match counts.iter_mut().find(|(k, _)| k == key) {
        Some(e) => e.1 += 1,
        None => counts.push((key.to_owned(), 1)),
    }
}

/// The median (the mean of the middle two for an even count).
fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    // Selection, not a full sort: linear on average, which matters over a year's reports.
    let mid = values.len() / 2;
    let odd = values.len() % 2 == 1;
    let (lower, upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    let upper = *upper;
    Some(if odd {
        upper
    } else {
        // The largest of the lower half is the other middle value.
        let below = lower.iter().copied().max_by(f64::total_cmp).unwrap_or(upper);
        (below + upper) / 2.0
    })
}

/// Open reports now per department and status, with how many of each are overdue at
/// `now` (the SLA view): `(department, status, count, overdue)`.
pub(crate) fn department_workload(
    conn: &Connection,
    ags: &Ags,
    visible_to: Option<&Visibility>,
    now: &DateTime<Utc>,
) -> StoreResult<Vec<crate::WorkloadRow>> {
    let mut f = Filter::new(ags);
    f.visible_to(visible_to);
    f.and(format!("status IN ({})", open_statuses()), []);
    // The `?` of "now" comes first in the text, so its value comes first.
    let mut values = vec![Value::Text(ts(now))];
    values.extend(f.values.iter().cloned());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT department, status, count(*), sum(due_at IS NOT NULL AND due_at < ?)
         FROM reports WHERE {} GROUP BY department, status",
        f.sql()
    ))?;
    let rows: Vec<(Option<String>, String, i64, i64)> = stmt
        .query_map(params_from_iter(&values), |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        // A status this version no longer knows is left out, not fatal.
        .filter_map(|(d, s, n, late)| {
            Status::parse(&s).map(|s| (d, s, u64::try_from(n).unwrap_or(0), u64::try_from(late).unwrap_or(0)))
        })
        .collect())
}

/// Each municipality's figures for the platform overview (see
/// [`crate::Store::tenant_figures`]); one statement, so one snapshot.
pub(crate) fn tenant_figures(
    conn: &Connection,
    since: &DateTime<Utc>,
    now: &DateTime<Utc>,
) -> StoreResult<Vec<(Ags, augenmerk_domain::overview::TenantFigures)>> {
    let open = open_statuses();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT m.ags AS ags,
           (SELECT count(*) FROM users u WHERE u.ags = m.ags AND u.active = 1) AS users,
           (SELECT count(*) FROM reports r WHERE r.ags = m.ags AND r.status IN ({open})) AS open,
           (SELECT count(*) FROM reports r WHERE r.ags = m.ags AND r.status IN ({open})
              AND r.due_at IS NOT NULL AND r.due_at < ?1) AS overdue,
           (SELECT count(*) FROM reports r WHERE r.ags = m.ags AND r.received_at >= ?2) AS recent,
           (SELECT max(r.updated_at) FROM reports r WHERE r.ags = m.ags) AS last_activity,
           (SELECT count(*) FROM jobs j WHERE j.ags = m.ags AND j.state = 'failed' AND j.done_at >= ?2) AS failed
         FROM municipalities m ORDER BY m.ags"
    ))?;
    let count =
        |row: &rusqlite::Row<'_>, column: &str| row.get::<_, i64>(column).map(|n| u64::try_from(n).unwrap_or(0));
    let rows = stmt.query_map([ts(now), ts(since)], |row| {
        Ok((
            super::codec::get_id::<Ags>(row, "ags")?,
            augenmerk_domain::overview::TenantFigures {
                users: count(row, "users")?,
                open: count(row, "open")?,
                overdue: count(row, "overdue")?,
                recent: count(row, "recent")?,
                last_activity: super::codec::get_ts_opt(row, "last_activity")?,
                failed_deliveries: count(row, "failed")?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0]), Some(3.0));
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        let mut many: Vec<f64> = (0..1001).rev().map(f64::from).collect();
        assert_eq!(median(&mut many), Some(500.0));
    }
}
