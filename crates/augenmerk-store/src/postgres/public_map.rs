//! The public map and open data on PostgreSQL (see [`crate::public_map`]).

use async_trait::async_trait;
use chrono::NaiveDate;
use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;

use augenmerk_domain::audit::AuditEntry;
use augenmerk_domain::geo::BoundingBox;
use augenmerk_domain::public_map::{PublicFilter, Publication};
use augenmerk_domain::{Ags, ReportId};

use super::PgStore;
use super::codec::{REPORT_COLUMNS, json, report_from_row, ts};
use crate::public_map::{Arg, CellCount, PublicMapStore, PublicRow, Snapshot, public_where};
use crate::{StoreError, StoreResult};

type Param = Box<dyn ToSql + Sync + Send>;

fn boxed(args: Vec<Arg>) -> Vec<Param> {
    args.into_iter()
        .map(|a| -> Param {
            match a {
                Arg::Text(t) => Box::new(t),
                Arg::Real(r) => Box::new(r),
            }
        })
        .collect()
}

fn refs(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| {
            let r: &(dyn ToSql + Sync) = p.as_ref();
            r
        })
        .collect()
}

fn mark(i: usize) -> String {
    format!("${i}")
}

async fn cells(
    c: &impl GenericClient,
    filter: &PublicFilter,
    bbox: &BoundingBox,
    cell: (f64, f64),
) -> StoreResult<Vec<CellCount>> {
    let (where_sql, args) = public_where(filter, Some(bbox), &[], mark);
    let mut params = boxed(args);
    params.push(Box::new(cell.0));
    params.push(Box::new(cell.1));
    let (dlat, dlon) = (params.len() - 1, params.len());
    let sql = format!(
        "SELECT floor(lat / ${dlat})::bigint AS r, floor(lon / ${dlon})::bigint AS c, count(*) AS n,
                min(id) AS sample
           FROM reports WHERE {where_sql} GROUP BY 1, 2"
    );
    let rows = c.query(&sql, &refs(&params)).await?;
    rows.iter()
        .map(|row| {
            let sample: String = row.try_get("sample")?;
            Ok(CellCount {
                row: row.try_get("r")?,
                col: row.try_get("c")?,
                count: u64::try_from(row.try_get::<_, i64>("n")?).unwrap_or(0),
                sample: sample
                    .parse::<ReportId>()
                    .map_err(|_| StoreError::Database("bad report id".into()))?,
            })
        })
        .collect()
}

async fn reports(
    c: &impl GenericClient,
    filter: &PublicFilter,
    bbox: Option<&BoundingBox>,
    ids: &[ReportId],
    offset: u64,
    limit: u32,
) -> StoreResult<(Vec<PublicRow>, u64)> {
    let (where_sql, args) = public_where(filter, bbox, ids, mark);
    let mut params = boxed(args);
    let total: i64 = c
        .query_one(
            &format!("SELECT count(*) FROM reports WHERE {where_sql}"),
            &refs(&params),
        )
        .await?
        .try_get(0)?;
    params.push(Box::new(i64::from(limit)));
    params.push(Box::new(i64::try_from(offset).unwrap_or(i64::MAX)));
    let n = params.len();
    let sql = format!(
        "SELECT {REPORT_COLUMNS}, public_exact, public_approved FROM reports WHERE {where_sql}
         ORDER BY received_at DESC, id LIMIT ${} OFFSET ${n}",
        n - 1
    );
    let rows = c.query(&sql, &refs(&params)).await?;
    let out = rows
        .iter()
        .map(|row| {
            Ok(PublicRow {
                report: report_from_row(row)?,
                publication: Publication {
                    exact: row.try_get("public_exact")?,
                    approved: row.try_get("public_approved")?,
                },
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok((out, u64::try_from(total).unwrap_or(0)))
}

#[async_trait]
impl PublicMapStore for PgStore {
    async fn get_publication(&self, ags: &Ags, id: &ReportId) -> StoreResult<Publication> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT public_exact, public_approved FROM reports WHERE id = $1 AND ags = $2",
                &[&id.to_string(), &ags.as_str()],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(Publication {
            exact: row.try_get(0)?,
            approved: row.try_get(1)?,
        })
    }

    async fn set_publication(
        &self,
        ags: &Ags,
        id: &ReportId,
        publication: Publication,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let changed = tx
            .execute(
                "UPDATE reports SET public_exact = $3, public_approved = $4 WHERE id = $1 AND ags = $2",
                &[
                    &id.to_string(),
                    &ags.as_str(),
                    &publication.exact,
                    &publication.approved,
                ],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        tx.execute(
            "INSERT INTO audit (report_id, at, actor, action, public_comment) VALUES ($1, $2, $3, $4, NULL)",
            &[
                &id.to_string(),
                &ts(&audit.at),
                &json(&audit.actor)?,
                &json(&audit.action)?,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn public_cells(
        &self,
        filter: &PublicFilter,
        bbox: &BoundingBox,
        cell: (f64, f64),
    ) -> StoreResult<Vec<CellCount>> {
        let client = self.client().await?;
        cells(&client, filter, bbox, cell).await
    }

    async fn public_reports(
        &self,
        filter: &PublicFilter,
        bbox: Option<&BoundingBox>,
        ids: &[ReportId],
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<PublicRow>, u64)> {
        let client = self.client().await?;
        reports(&client, filter, bbox, ids, offset, limit).await
    }

    async fn get_snapshot(&self, ags: &Ags, day: NaiveDate, kind: &str) -> StoreResult<Option<Vec<u8>>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT body FROM open_data_snapshots WHERE ags = $1 AND day = $2 AND kind = $3",
                &[&ags.as_str(), &day.to_string(), &kind],
            )
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    async fn put_snapshot(&self, s: Snapshot) -> StoreResult<Vec<u8>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let day = s.day.to_string();
        tx.execute(
            "INSERT INTO open_data_snapshots (ags, day, kind, body) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&s.ags.as_str(), &day, &s.kind, &s.body],
        )
        .await?;
        // Older days are of no use any more: one file per kind and municipality stays.
        tx.execute(
            "DELETE FROM open_data_snapshots WHERE ags = $1 AND kind = $2 AND day < $3",
            &[&s.ags.as_str(), &s.kind, &day],
        )
        .await?;
        let body: Vec<u8> = tx
            .query_one(
                "SELECT body FROM open_data_snapshots WHERE ags = $1 AND day = $2 AND kind = $3",
                &[&s.ags.as_str(), &day, &s.kind],
            )
            .await?
            .try_get(0)?;
        tx.commit().await?;
        Ok(body)
    }
}
