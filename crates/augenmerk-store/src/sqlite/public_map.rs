//! The public map and open data on SQLite (see [`crate::public_map`]).

use async_trait::async_trait;
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use augenmerk_domain::audit::AuditEntry;
use augenmerk_domain::geo::BoundingBox;
use augenmerk_domain::public_map::{PublicFilter, Publication};
use augenmerk_domain::{Ags, ReportId};

use super::SqliteStore;
use super::codec::{REPORT_COLUMNS, json, report_from_row, ts};
use crate::public_map::{Arg, CellCount, PublicMapStore, PublicRow, Snapshot, public_where};
use crate::{StoreError, StoreResult};

fn values(args: Vec<Arg>) -> Vec<Value> {
    args.into_iter()
        .map(|a| match a {
            Arg::Text(t) => Value::Text(t),
            Arg::Real(r) => Value::Real(r),
        })
        .collect()
}

fn mark(i: usize) -> String {
    format!("?{i}")
}

/// `floor(x)` for the raster: SQLite's `floor()` exists only in builds with the math
/// functions, and `CAST` truncates toward zero; shifted by 10^9 every coordinate over a
/// cell of the finest zoom is positive (|lon / dlon| < 2·10^6).
fn floor_sql(expr: &str) -> String {
    format!("(CAST(({expr}) + 1000000000 AS INTEGER) - 1000000000)")
}

fn cells(
    conn: &Connection,
    filter: &PublicFilter,
    bbox: &BoundingBox,
    cell: (f64, f64),
) -> StoreResult<Vec<CellCount>> {
    let (where_sql, args) = public_where(filter, Some(bbox), &[], mark);
    let mut values = values(args);
    values.push(Value::Real(cell.0));
    values.push(Value::Real(cell.1));
    let (dlat, dlon) = (values.len() - 1, values.len());
    let sql = format!(
        "SELECT {} AS r, {} AS c, count(*) AS n, min(id) AS sample FROM reports
         WHERE {where_sql} GROUP BY r, c",
        floor_sql(&format!("lat / ?{dlat}")),
        floor_sql(&format!("lon / ?{dlon}")),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(values), |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (row, col, count, sample) = row?;
        out.push(CellCount {
            row,
            col,
            count: u64::try_from(count).unwrap_or(0),
            sample: sample
                .parse::<ReportId>()
                .map_err(|_| StoreError::Database("bad report id".into()))?,
        });
    }
    Ok(out)
}

fn reports(
    conn: &Connection,
    filter: &PublicFilter,
    bbox: Option<&BoundingBox>,
    ids: &[ReportId],
    offset: u64,
    limit: u32,
) -> StoreResult<(Vec<PublicRow>, u64)> {
    let (where_sql, args) = public_where(filter, bbox, ids, mark);
    let values = values(args);
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM reports WHERE {where_sql}"))?
        .query_row(params_from_iter(values.iter()), |r| r.get(0))?;
    let mut paged = values;
    paged.push(Value::Integer(i64::from(limit)));
    paged.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    let n = paged.len();
    let sql = format!(
        "SELECT {REPORT_COLUMNS}, public_exact, public_approved FROM reports WHERE {where_sql}
         ORDER BY received_at DESC, id LIMIT ?{} OFFSET ?{n}",
        n - 1
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(paged), |row| {
        Ok(PublicRow {
            report: report_from_row(row)?,
            publication: Publication {
                exact: row.get("public_exact")?,
                approved: row.get("public_approved")?,
            },
        })
    })?;
    Ok((rows.collect::<Result<_, _>>()?, u64::try_from(total).unwrap_or(0)))
}

#[async_trait]
impl PublicMapStore for SqliteStore {
    async fn get_publication(&self, ags: &Ags, id: &ReportId) -> StoreResult<Publication> {
        let (ags, id) = (ags.clone(), *id);
        self.read(move |c| {
            Ok(
                c.prepare_cached("SELECT public_exact, public_approved FROM reports WHERE id = ?1 AND ags = ?2")?
                    .query_row([id.to_string(), ags.to_string()], |r| {
                        Ok(Publication {
                            exact: r.get(0)?,
                            approved: r.get(1)?,
                        })
                    })?,
            )
        })
        .await
    }

    async fn set_publication(
        &self,
        ags: &Ags,
        id: &ReportId,
        publication: Publication,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let (ags, id) = (ags.clone(), *id);
        self.write(move |tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE reports SET public_exact = ?3, public_approved = ?4 WHERE id = ?1 AND ags = ?2",
                )?
                .execute(params![
                    id.to_string(),
                    ags.as_str(),
                    publication.exact,
                    publication.approved
                ])?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            tx.prepare_cached(
                "INSERT INTO audit (report_id, at, actor, action, public_comment) VALUES (?1, ?2, ?3, ?4, NULL)",
            )?
            .execute([id.to_string(), ts(&audit.at), json(&audit.actor)?, json(&audit.action)?])?;
            Ok(())
        })
        .await
    }

    async fn public_cells(
        &self,
        filter: &PublicFilter,
        bbox: &BoundingBox,
        cell: (f64, f64),
    ) -> StoreResult<Vec<CellCount>> {
        let (filter, bbox) = (filter.clone(), *bbox);
        self.read(move |c| cells(c, &filter, &bbox, cell)).await
    }

    async fn public_reports(
        &self,
        filter: &PublicFilter,
        bbox: Option<&BoundingBox>,
        ids: &[ReportId],
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<PublicRow>, u64)> {
        let (filter, bbox, ids) = (filter.clone(), bbox.copied(), ids.to_vec());
        self.read(move |c| reports(c, &filter, bbox.as_ref(), &ids, offset, limit))
            .await
    }

    async fn get_snapshot(&self, ags: &Ags, day: NaiveDate, kind: &str) -> StoreResult<Option<Vec<u8>>> {
        let (ags, kind) = (ags.clone(), kind.to_owned());
        self.read(move |c| {
            Ok(
                c.prepare_cached("SELECT body FROM open_data_snapshots WHERE ags = ?1 AND day = ?2 AND kind = ?3")?
                    .query_row([ags.to_string(), day.to_string(), kind], |r| r.get(0))
                    .optional()?,
            )
        })
        .await
    }

    async fn put_snapshot(&self, s: Snapshot) -> StoreResult<Vec<u8>> {
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO open_data_snapshots (ags, day, kind, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![s.ags.as_str(), s.day.to_string(), s.kind, s.body])?;
            // Older days are of no use any more: one file per kind and municipality stays.
            tx.prepare_cached("DELETE FROM open_data_snapshots WHERE ags = ?1 AND kind = ?2 AND day < ?3")?
                .execute([s.ags.as_str(), s.kind.as_str(), &s.day.to_string()])?;
            Ok(tx
                .prepare_cached("SELECT body FROM open_data_snapshots WHERE ags = ?1 AND day = ?2 AND kind = ?3")?
                .query_row([s.ags.to_string(), s.day.to_string(), s.kind.clone()], |r| r.get(0))?)
        })
        .await
    }
}
