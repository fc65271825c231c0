//! Moving house: copies a municipality's embedded SQLite database into an empty
//! PostgreSQL database, then proves that the copy is whole.
//!
//! Both schemas hold the same tables, columns and value encodings (see
//! `postgres/migrations`), so the copy is row by row: every table in foreign-key order,
//! all in one PostgreSQL transaction (a failed copy leaves the target empty), through
//! binary `COPY`. SQLite is read on a blocking thread in one read transaction (one
//! snapshot of every table) and streamed in batches through a channel.
//!
//! Verification reads both databases again and compares, per table, the number of rows
//! and a SHA-256 over a canonical rendering of all rows in primary-key order (byte order
//! of the keys on both sides), so any changed, lost or added value names its table.
//!
//! The decisions (which tables and columns, their order, how a value converts and how
//! a row is rendered) are plain functions in `decide`; this file does the I/O.
//!
//! Two differences are bridged: SQLite's integers 0/1 are PostgreSQL booleans (the hash
//! renders booleans as 0/1 again), and PostgreSQL keeps SQLite's `rowid` of `messages`
//! and `notes` as an identity column `seq` (any identity column that SQLite lacks is
//! read from `rowid`).

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::mpsc;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, NoTls};

use decide::{Cell, ColumnType, PgTable, PgValue, RowHasher, TablePlan, compare, convert_row, plan, quote, unquote};

use crate::{PgStore, SqliteStore, StoreError, StoreResult};

mod decide;

/// Rows per batch sent from the SQLite reader to the copy.
const BATCH_ROWS: usize = 2_000;

/// Rows fetched per round trip when PostgreSQL is read back for verification.
const FETCH_ROWS: i32 = 5_000;

/// One table of a copy: how many rows and the SHA-256 of their canonical rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    /// The table.
    pub table: String,
    /// Rows (equal on both sides).
    pub rows: u64,
    /// SHA-256 over the rows in primary-key order, lowercase hex (equal on both sides).
    pub sha256: String,
}

/// What was copied and verified, per table in foreign-key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Every copied table.
    pub tables: Vec<TableCopy>,
}

/// Copies the SQLite database at `sqlite` into the PostgreSQL database at
/// `postgres_url`, which must hold no rows yet, and verifies the copy.
///
/// Both databases are migrated to the current schema first. Refuses a target with rows
/// (`Duplicate`, nothing written); a failed copy rolls back whole; a copy that does not
/// read back equal is a `Database` error naming the table.
pub async fn sqlite_to_postgres(sqlite: &Path, postgres_url: &str) -> StoreResult<CopyReport> {
    if !sqlite.is_file() {
        return Err(StoreError::Database(format!(
            "no SQLite database at {}",
            sqlite.display()
        )));
    }
    let path = sqlite.to_owned();
    tokio::task::spawn_blocking(move || SqliteStore::migrate(&path))
        .await
        .map_err(|e| StoreError::Database(format!("the SQLite migration stopped: {e}")))??;
    PgStore::migrate(postgres_url).await?;

    let mut client = connect(postgres_url).await?;
    let plans = load_plan(&client, sqlite).await?;
    let tx = client.transaction().await?;
    // Nobody writes into the target while it is checked and filled.
    let all: Vec<String> = postgres_tables(&tx).await?;
    tx.batch_execute(&format!(
        "LOCK TABLE {} IN EXCLUSIVE MODE",
        all.iter().map(|t| quote(t)).collect::<Vec<_>>().join(", ")
    ))
    .await?;
    for table in all.iter().filter(|t| t.as_str() != "schema_migrations") {
        let used: bool = tx
            .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {})", quote(table)), &[])
            .await?
            .try_get(0)?;
        if used {
            return Err(StoreError::Duplicate(format!(
                "the target database holds data already (table {table} has rows); \
                 migrate-store copies into a new, empty database only"
            )));
        }
    }

    let (sender, mut receiver) = mpsc::channel(8);
    let reader = {
        let (path, plans) = (sqlite.to_owned(), plans.clone());
        tokio::task::spawn_blocking(move || stream_sqlite(&path, &plans, &sender))
    };
    for plan in &plans {
        let copied = copy_table(&tx, plan, &mut receiver).await;
        match copied {
            Ok(rows) => tracing::info!(table = %plan.table, rows, "copied"),
            // The reader stops first when it failed; its error is the cause.
            Err(e) => {
                drop(receiver);
                return Err(match reader.await {
                    Ok(Err(cause)) => cause,
                    _ => e,
                });
            }
        }
    }
    reader
        .await
        .map_err(|e| StoreError::Database(format!("the SQLite reader stopped: {e}")))??;
    for plan in &plans {
        for column in plan.columns.iter().filter(|c| c.identity) {
            // The next generated value follows the largest copied one (1 in an empty table).
            tx.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max({col}), 0) + 1, false) FROM {table}",
                    col = quote(&column.name),
                    table = quote(&plan.table)
                ),
                &[&quote(&plan.table), &column.name],
            )
            .await?;
        }
    }
    tx.commit().await?;
    // Statistics for the planner right away, not at the first autovacuum.
    client.batch_execute("ANALYZE").await?;
    verify_plans(&mut client, sqlite, &plans).await
}

/// Compares the SQLite database at `sqlite` with the PostgreSQL database at
/// `postgres_url`, table by table (rows and SHA-256); any difference is a `Database`
/// error naming every table that differs. Changes neither database.
pub async fn verify(sqlite: &Path, postgres_url: &str) -> StoreResult<CopyReport> {
    let mut client = connect(postgres_url).await?;
    let plans = load_plan(&client, sqlite).await?;
    verify_plans(&mut client, sqlite, &plans).await
}

async fn verify_plans(client: &mut Client, sqlite: &Path, plans: &[TablePlan]) -> StoreResult<CopyReport> {
    let source = {
        let (path, plans) = (sqlite.to_owned(), plans.to_vec());
        tokio::task::spawn_blocking(move || hash_sqlite(&path, &plans))
    };
    // One snapshot of every table; reading changes nothing.
    let tx = client
        .build_transaction()
        .read_only(true)
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .start()
        .await?;
    let mut target = Vec::with_capacity(plans.len());
    for plan in plans {
        target.push(hash_postgres(&tx, plan).await?);
    }
    tx.commit().await?;
    let source = source
        .await
        .map_err(|e| StoreError::Database(format!("the SQLite reader stopped: {e}")))??;
    compare(plans, &source, &target).map_err(StoreError::Database)
}

async fn connect(url: &str) -> StoreResult<Client> {
    let config = tokio_postgres::Config::from_str(url)
        .map_err(|e| StoreError::Database(format!("invalid database URL: {e}")))?;
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "PostgreSQL connection of migrate-store ended");
        }
    });
    Ok(client)
}

/// The tables of the current schema of PostgreSQL.
async fn postgres_tables(client: &tokio_postgres::Transaction<'_>) -> StoreResult<Vec<String>> {
    let rows = client
        .query(
            "SELECT table_name::text FROM information_schema.tables
              WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
            &[],
        )
        .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Reads both schemas and decides what is copied how.
async fn load_plan(client: &Client, sqlite: &Path) -> StoreResult<Vec<TablePlan>> {
    let columns = client
        .query(
            "SELECT table_name::text, column_name::text, data_type::text,
                    is_identity = 'YES' OR coalesce(column_default, '') LIKE 'nextval(%'
               FROM information_schema.columns
              WHERE table_schema = current_schema()
              ORDER BY table_name, ordinal_position",
            &[],
        )
        .await?;
    let keys = client
        .query(
            "SELECT tc.table_name::text, kcu.column_name::text
               FROM information_schema.table_constraints tc
               JOIN information_schema.key_column_usage kcu
                 ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name
              WHERE tc.table_schema = current_schema() AND tc.constraint_type = 'PRIMARY KEY'
              ORDER BY tc.table_name, kcu.ordinal_position",
            &[],
        )
        .await?;
    let references = client
        .query(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text
               FROM pg_constraint c
              WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace",
            &[],
        )
        .await?;
    let mut tables: BTreeMap<String, PgTable> = BTreeMap::new();
    for row in &columns {
        let (table, name, data_type, identity): (String, String, String, bool) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?);
        let ty = ColumnType::from_data_type(&data_type);
        let entry = tables.entry(table.clone()).or_insert_with(|| PgTable::named(&table));
        entry.columns.push((name, ty, identity));
    }
    for row in &keys {
        let (table, column): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        if let Some(t) = tables.get_mut(&table) {
            t.primary_key.push(column);
        }
    }
    for row in &references {
        let (from, to): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        if let Some(t) = tables.get_mut(unquote(&from)) {
            t.references.insert(unquote(&to).to_owned());
        }
    }
    let path = sqlite.to_owned();
    let source = tokio::task::spawn_blocking(move || sqlite_columns(&path))
        .await
        .map_err(|e| StoreError::Database(format!("the SQLite reader stopped: {e}")))??;
    plan(tables.into_values().collect(), &source).map_err(StoreError::Database)
}

/// Streams one table's batches from the channel into a binary `COPY`.
async fn copy_table(
    tx: &tokio_postgres::Transaction<'_>,
    plan: &TablePlan,
    receiver: &mut mpsc::Receiver<Chunk>,
) -> StoreResult<u64> {
    let sink = tx.copy_in(&plan.copy_statement()).await?;
    let types: Vec<Type> = plan.columns.iter().map(|c| c.ty.pg_type()).collect();
    let writer = BinaryCopyInWriter::new(sink, &types);
    let mut writer = std::pin::pin!(writer);
    loop {
        match receiver.recv().await {
            Some(Chunk::Rows(rows)) => {
                for row in rows {
                    let values = convert_row(plan, row).map_err(StoreError::Database)?;
                    let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(PgValue::as_sql).collect();
                    writer
                        .as_mut()
                        .write(&refs)
                        .await
                        .map_err(|e| StoreError::Database(format!("copying table {}: {e}", plan.table)))?;
                }
            }
            Some(Chunk::TableDone) => break,
            None => return Err(StoreError::Database("the SQLite reader stopped early".into())),
        }
    }
    writer
        .as_mut()
        .finish()
        .await
        .map_err(|e| StoreError::Database(format!("copying table {}: {e}", plan.table)))
}

/// PostgreSQL's rows of a table, hashed in primary-key order (fetched in portions).
async fn hash_postgres(tx: &tokio_postgres::Transaction<'_>, plan: &TablePlan) -> StoreResult<(u64, String)> {
    let portal = tx.bind(&plan.select_postgres(), &[]).await?;
    let mut hasher = RowHasher::default();
    loop {
        let rows = tx.query_portal(&portal, FETCH_ROWS).await?;
        for row in &rows {
            let cells = plan
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| c.ty.read(row, i))
                .collect::<Result<Vec<_>, _>>()?;
            hasher.add(&cells);
        }
        if rows.len() < usize::try_from(FETCH_ROWS).unwrap_or(usize::MAX) {
            return Ok(hasher.finish());
        }
    }
}

// --- SQLite (blocking) ---

/// What the SQLite reader sends: rows of the current table, then its end.
enum Chunk {
    Rows(Vec<Vec<Cell>>),
    TableDone,
}

fn open_sqlite(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| StoreError::Database(format!("cannot open {}: {e}", path.display())))?;
    conn.pragma_update(None, "busy_timeout", "5000")?;
    Ok(conn)
}

/// SQLite's tables (without its own) and their columns.
fn sqlite_columns(path: &Path) -> StoreResult<BTreeMap<String, Vec<String>>> {
    let conn = open_sqlite(path)?;
    let mut tables = BTreeMap::new();
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for name in names {
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?
            .query_map([&name], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        tables.insert(name, columns);
    }
    Ok(tables)
}

/// Calls `each` with every row of every planned table, in one snapshot; `each` answers
/// whether to go on.
fn scan_sqlite(
    path: &Path,
    plans: &[TablePlan],
    mut each: impl FnMut(usize, Option<Vec<Cell>>) -> bool,
) -> StoreResult<()> {
    let conn = open_sqlite(path)?;
    // One read transaction: every table comes from the same moment.
    conn.execute_batch("BEGIN")?;
    for (i, plan) in plans.iter().enumerate() {
        let mut statement = conn.prepare(&plan.select_sqlite())?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let cells = (0..plan.columns.len())
                .map(|c| Cell::from_sqlite(row.get_ref(c)?).map_err(|e| column_error(plan, c, &e)))
                .collect::<StoreResult<Vec<_>>>()?;
            if !each(i, Some(cells)) {
                return Ok(());
            }
        }
        if !each(i, None) {
            return Ok(());
        }
    }
    conn.execute_batch("COMMIT")?;
    Ok(())
}

fn column_error(plan: &TablePlan, column: usize, e: &str) -> StoreError {
    let name = plan.columns.get(column).map_or("?", |c| c.name.as_str());
    StoreError::Database(format!("table {} column {name}: {e}", plan.table))
}

/// The reader of a copy: batches of rows through the channel (stops when the copy does).
fn stream_sqlite(path: &Path, plans: &[TablePlan], sender: &mpsc::Sender<Chunk>) -> StoreResult<()> {
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    scan_sqlite(path, plans, |_, row| match row {
        Some(cells) => {
            batch.push(cells);
            batch.len() < BATCH_ROWS || sender.blocking_send(Chunk::Rows(std::mem::take(&mut batch))).is_ok()
        }
        None => {
            let rows = std::mem::take(&mut batch);
            (rows.is_empty() || sender.blocking_send(Chunk::Rows(rows)).is_ok())
                && sender.blocking_send(Chunk::TableDone).is_ok()
        }
    })
}

/// SQLite's rows per planned table: count and hash.
fn hash_sqlite(path: &Path, plans: &[TablePlan]) -> StoreResult<Vec<(u64, String)>> {
    let mut out = Vec::with_capacity(plans.len());
    let mut hasher = RowHasher::default();
    scan_sqlite(path, plans, |_, row| {
        match row {
            Some(cells) => hasher.add(&cells),
            None => out.push(std::mem::take(&mut hasher).finish()),
        }
        true
    })?;
    Ok(out)
}
