//! Loading the data set into PostgreSQL with binary COPY.
//!
//! The secondary indexes of the bulk tables are read from the catalogue (as the
//! migration made them), dropped, and rebuilt after the load with the same definitions:
//! building an index once is much faster than maintaining it row by row. Foreign keys
//! are not checked during the load (`session_replication_role = replica`): the rows are
//! consistent by construction, and checking a million references row by row would time
//! the checks, not the store.

use std::pin::pin;
use std::time::{Duration, Instant};

use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, NoTls};

use crate::data::{BenchResult, DataSet, channel_name, ts};

/// What the load took.
pub struct PgLoad {
    pub copy: Duration,
    pub indexes: Duration,
    pub analyze: Duration,
}

/// Tables loaded in bulk (their non-constraint indexes are rebuilt).
const TABLES: &str = "'devices', 'reports', 'audit', 'events'";

async fn copy_rows<F>(client: &Client, sql: &str, types: &[Type], rows: usize, mut row: F) -> BenchResult<()>
where
    F: FnMut(usize, &mut Vec<Box<dyn ToSql + Sync + Send>>) -> BenchResult<()>,
{
    let sink = client.copy_in(sql).await?;
    let mut writer = pin!(BinaryCopyInWriter::new(sink, types));
    let mut values: Vec<Box<dyn ToSql + Sync + Send>> = Vec::with_capacity(types.len());
    for i in 0..rows {
        values.clear();
        row(i, &mut values)?;
        let refs: Vec<&(dyn ToSql + Sync)> = values
            .iter()
            .map(|v| {
                let r: &(dyn ToSql + Sync) = v.as_ref();
                r
            })
            .collect();
        writer.as_mut().write(&refs).await?;
    }
    writer.finish().await?;
    Ok(())
}

/// Loads devices, reports, their audit entries and feed events, then VACUUM (ANALYZE).
pub async fn load(url: &str, data: &DataSet) -> BenchResult<PgLoad> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    let driver = tokio::spawn(connection);
    let indexes = client
        .query(
            &format!(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ({TABLES})
                   AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            ),
            &[],
        )
        .await?;
    let mut definitions = Vec::new();
    for row in &indexes {
        let name: String = row.try_get(0)?;
        definitions.push(row.try_get::<_, String>(1)?);
        client.batch_execute(&format!("DROP INDEX {name}")).await?;
    }
    client
        .batch_execute("SET session_replication_role = replica; SET maintenance_work_mem = '512MB'")
        .await?;

    let t = Instant::now();
    let created = ts(&data.now);
    copy_rows(
        &client,
        "COPY devices (id, token_hash, created_at, last_seen_at) FROM STDIN (FORMAT binary)",
        &[Type::TEXT; 4],
        data.devices.len(),
        |i, v| {
            v.push(Box::new(data.devices[i].clone()));
            v.push(Box::new(format!("{:064x}", i)));
            v.push(Box::new(created.clone()));
            v.push(Box::new(created.clone()));
            Ok(())
        },
    )
    .await?;
    copy_rows(
        &client,
        "COPY reports (id, ags, device_id, category, answers, description, lat, lon, address_hint, photos,
             consent, status, priority, due_at, department, assignee, channel, created_at, received_at,
             updated_at, first_response_secs, resolution_secs, gemeinde, closed_at)
         FROM STDIN (FORMAT binary)",
        &[
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::FLOAT8,
            Type::FLOAT8,
            Type::TEXT,
            Type::TEXT,
            Type::BOOL,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::FLOAT8,
            Type::FLOAT8,
            Type::TEXT,
            Type::TEXT,
        ],
        data.rows.len(),
        |i, v| {
            let r = &data.rows[i];
            let town = &data.towns[r.town];
            let received = ts(&r.received_at);
            v.push(Box::new(r.id.clone()));
            v.push(Box::new(town.ags.clone()));
            v.push(Box::new(data.device_of(r).map(str::to_owned)));
            v.push(Box::new(r.category));
            v.push(Box::new("{}"));
            v.push(Box::new(r.description));
            v.push(Box::new(r.lat));
            v.push(Box::new(r.lon));
            v.push(Box::new(r.address_hint.clone()));
            v.push(Box::new("[]"));
            v.push(Box::new(true));
            v.push(Box::new(r.status.as_str()));
            v.push(Box::new(r.priority));
            v.push(Box::new(r.due_at.as_ref().map(ts)));
            v.push(Box::new(r.department));
            v.push(Box::new(data.assignee_of(r).map(str::to_owned)));
            v.push(Box::new(channel_name(r.channel)));
            v.push(Box::new(received.clone()));
            v.push(Box::new(received));
            v.push(Box::new(ts(&r.updated_at)));
            v.push(Box::new(r.first_response_secs));
            v.push(Box::new(r.resolution_secs));
            v.push(Box::new(town.gemeinden[r.gemeinde].clone()));
            v.push(Box::new(r.closed_at.as_ref().map(ts)));
            Ok(())
        },
    )
    .await?;
    copy_rows(
        &client,
        "COPY audit (report_id, at, actor, action) FROM STDIN (FORMAT binary)",
        &[Type::TEXT; 4],
        data.rows.len(),
        |i, v| {
            let r = &data.rows[i];
            let (actor, action) = data.audit_json(r)?;
            v.push(Box::new(r.id.clone()));
            v.push(Box::new(ts(&r.received_at)));
            v.push(Box::new(actor));
            v.push(Box::new(action));
            Ok(())
        },
    )
    .await?;
    // Events of a report come in pairs at most; flattened by index.
    let mut events = Vec::with_capacity(data.rows.len() * 2);
    for (i, r) in data.rows.iter().enumerate() {
        for e in DataSet::events_json(r)? {
            events.push((i, e));
        }
    }
    copy_rows(
        &client,
        "COPY events (report_id, device_id, kind, payload, at) FROM STDIN (FORMAT binary)",
        &[Type::TEXT; 5],
        events.len(),
        |i, v| {
            let (row, (payload, at)) = &events[i];
            let r = &data.rows[*row];
            v.push(Box::new(r.id.clone()));
            v.push(Box::new(data.device_of(r).map(str::to_owned)));
            v.push(Box::new("status"));
            v.push(Box::new(payload.clone()));
            v.push(Box::new(ts(at)));
            Ok(())
        },
    )
    .await?;
    let copy = t.elapsed();

    let t = Instant::now();
    for definition in &definitions {
        client.batch_execute(definition).await?;
    }
    let indexes = t.elapsed();
    // VACUUM as well as ANALYZE: it sets the hint bits and the visibility map that
    // autovacuum would set soon after such a load anyway (index-only scans depend on
    // it), so that the timings do not depend on whether autovacuum came first.
    let t = Instant::now();
    client.batch_execute("VACUUM (ANALYZE)").await?;
    let analyze = t.elapsed();
    drop(client);
    let _ = driver.await;
    Ok(PgLoad { copy, indexes, analyze })
}
