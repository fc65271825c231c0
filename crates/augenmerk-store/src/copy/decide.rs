//! The decisions of a copy, as plain functions: which tables and columns, in which
//! order, how a value converts to its PostgreSQL type, and how rows render for the hash.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::types::ValueRef;
use sha2::{Digest, Sha256};
use tokio_postgres::types::{ToSql, Type};

use super::{CopyReport, TableCopy};

/// Tables only PostgreSQL has: not copied, not compared (but a row in them still makes
/// the target count as used).
pub(crate) const POSTGRES_ONLY: &[&str] = &["rate_limits", "schema_migrations"];

/// A value as both databases hold it, before it is typed for PostgreSQL or rendered.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Cell {
    pub(crate) fn from_sqlite(value: ValueRef<'_>) -> Result<Self, String> {
        Ok(match value {
            ValueRef::Null => Self::Null,
            ValueRef::Integer(i) => Self::Int(i),
            ValueRef::Real(f) => Self::Real(f),
            ValueRef::Text(t) => Self::Text(String::from_utf8(t.to_vec()).map_err(|_| "text is not UTF-8".to_owned())?),
            ValueRef::Blob(b) => Self::Bytes(b.to_vec()),
        })
    }

    /// The canonical rendering: a type tag and the value, text and bytes with their
    /// length, so that no two different rows render alike. Reals by their bits: both
    /// databases keep IEEE doubles.
    fn render(&self, out: &mut Vec<u8>) {
        match self {
            Self::Null => out.push(b'N'),
            Self::Int(i) => out.extend_from_slice(format!("I{i};").as_bytes()),
            Self::Real(f) => out.extend_from_slice(format!("R{:016x};", f.to_bits()).as_bytes()),
            Self::Text(t) => {
                out.extend_from_slice(format!("T{}:", t.len()).as_bytes());
                out.extend_from_slice(t.as_bytes());
            }
            Self::Bytes(b) => {
                out.extend_from_slice(format!("B{}:", b.len()).as_bytes());
                out.extend_from_slice(b);
            }
        }
    }
}

/// Counts and hashes rows rendered canonically.
#[derive(Default)]
pub(crate) struct RowHasher {
    rows: u64,
    sha: Sha256,
    buffer: Vec<u8>,
}

impl RowHasher {
    pub(crate) fn add(&mut self, cells: &[Cell]) {
        self.buffer.clear();
        for c in cells {
            c.render(&mut self.buffer);
        }
        self.buffer.push(b'\n');
        self.sha.update(&self.buffer);
        self.rows += 1;
    }

    pub(crate) fn finish(self) -> (u64, String) {
        let digest = self.sha.finalize();
        (self.rows, digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// The PostgreSQL column types the schema uses (and a few more that convert alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnType {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Text,
    Bytea,
    /// A type this copy does not know; planning refuses its table.
    Other,
}

impl ColumnType {
    pub(crate) fn from_data_type(data_type: &str) -> Self {
        match data_type {
            "boolean" => Self::Bool,
            "smallint" => Self::Int2,
            "integer" => Self::Int4,
            "bigint" => Self::Int8,
            "real" => Self::Float4,
            "double precision" => Self::Float8,
            "text" | "character varying" => Self::Text,
            "bytea" => Self::Bytea,
            _ => Self::Other,
        }
    }

    pub(crate) fn pg_type(self) -> Type {
        match self {
            Self::Bool => Type::BOOL,
            Self::Int2 => Type::INT2,
            Self::Int4 => Type::INT4,
            Self::Int8 => Type::INT8,
            Self::Float4 => Type::FLOAT4,
            Self::Float8 => Type::FLOAT8,
            Self::Text | Self::Other => Type::TEXT,
            Self::Bytea => Type::BYTEA,
        }
    }

    /// A PostgreSQL value read back as a cell (booleans as 0/1, as SQLite keeps them).
    pub(crate) fn read(self, row: &tokio_postgres::Row, i: usize) -> Result<Cell, tokio_postgres::Error> {
        Ok(match self {
            Self::Bool => row
                .try_get::<_, Option<bool>>(i)?
                .map_or(Cell::Null, |b| Cell::Int(i64::from(b))),
            Self::Int2 => row
                .try_get::<_, Option<i16>>(i)?
                .map_or(Cell::Null, |v| Cell::Int(v.into())),
            Self::Int4 => row
                .try_get::<_, Option<i32>>(i)?
                .map_or(Cell::Null, |v| Cell::Int(v.into())),
            Self::Int8 => row.try_get::<_, Option<i64>>(i)?.map_or(Cell::Null, Cell::Int),
            Self::Float4 => row
                .try_get::<_, Option<f32>>(i)?
                .map_or(Cell::Null, |v| Cell::Real(v.into())),
            Self::Float8 => row.try_get::<_, Option<f64>>(i)?.map_or(Cell::Null, Cell::Real),
            Self::Text | Self::Other => row.try_get::<_, Option<String>>(i)?.map_or(Cell::Null, Cell::Text),
            Self::Bytea => row.try_get::<_, Option<Vec<u8>>>(i)?.map_or(Cell::Null, Cell::Bytes),
        })
    }
}

/// A value typed for PostgreSQL (NULL keeps the column's type).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PgValue {
    Bool(Option<bool>),
    Int2(Option<i16>),
    Int4(Option<i32>),
    Int8(Option<i64>),
    Float4(Option<f32>),
    Float8(Option<f64>),
    Text(Option<String>),
    Bytea(Option<Vec<u8>>),
}

impl PgValue {
    pub(crate) fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Self::Bool(v) => v,
            Self::Int2(v) => v,
            Self::Int4(v) => v,
            Self::Int8(v) => v,
            Self::Float4(v) => v,
            Self::Float8(v) => v,
            Self::Text(v) => v,
            Self::Bytea(v) => v,
        }
    }
}

/// Converts an SQLite value to the target column's type; anything that would change
/// the value (a 2 in a boolean, a fraction in an integer, a number in a text) is refused.
pub(crate) fn convert(cell: Cell, ty: ColumnType) -> Result<PgValue, String> {
    let wrong = |cell: &Cell| format!("{cell:?} does not fit a {ty:?} column");
    Ok(match (ty, cell) {
        (ColumnType::Bool, Cell::Null) => PgValue::Bool(None),
        (ColumnType::Bool, Cell::Int(0)) => PgValue::Bool(Some(false)),
        (ColumnType::Bool, Cell::Int(1)) => PgValue::Bool(Some(true)),
        (ColumnType::Int2, Cell::Null) => PgValue::Int2(None),
        (ColumnType::Int2, Cell::Int(i)) => PgValue::Int2(Some(i16::try_from(i).map_err(|_| wrong(&Cell::Int(i)))?)),
        (ColumnType::Int4, Cell::Null) => PgValue::Int4(None),
        (ColumnType::Int4, Cell::Int(i)) => PgValue::Int4(Some(i32::try_from(i).map_err(|_| wrong(&Cell::Int(i)))?)),
        (ColumnType::Int8, Cell::Null) => PgValue::Int8(None),
        (ColumnType::Int8, Cell::Int(i)) => PgValue::Int8(Some(i)),
        (ColumnType::Float8, Cell::Null) => PgValue::Float8(None),
        (ColumnType::Float8, Cell::Real(f)) => PgValue::Float8(Some(f)),
        (ColumnType::Float4, Cell::Null) => PgValue::Float4(None),
        (ColumnType::Text, Cell::Null) => PgValue::Text(None),
        (ColumnType::Text, Cell::Text(t)) => PgValue::Text(Some(t)),
        (ColumnType::Bytea, Cell::Null) => PgValue::Bytea(None),
        (ColumnType::Bytea, Cell::Bytes(b)) => PgValue::Bytea(Some(b)),
        (_, cell) => return Err(wrong(&cell)),
    })
}

pub(crate) fn convert_row(plan: &TablePlan, row: Vec<Cell>) -> Result<Vec<PgValue>, String> {
    row.into_iter()
        .zip(&plan.columns)
        .map(|(cell, column)| {
            convert(cell, column.ty).map_err(|e| format!("table {} column {}: {e}", plan.table, column.name))
        })
        .collect()
}

/// A PostgreSQL table as the catalog describes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PgTable {
    pub(crate) name: String,
    /// Name, type, whether it is an identity column; in column order.
    pub(crate) columns: Vec<(String, ColumnType, bool)>,
    pub(crate) primary_key: Vec<String>,
    /// Tables its foreign keys point to.
    pub(crate) references: BTreeSet<String>,
}

impl PgTable {
    pub(crate) fn named(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            columns: Vec::new(),
            primary_key: Vec::new(),
            references: BTreeSet::new(),
        }
    }
}

/// A target column and where its values come from in SQLite.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlannedColumn {
    pub(crate) name: String,
    pub(crate) ty: ColumnType,
    pub(crate) identity: bool,
    /// The SQLite expression: the column of the same name, or `rowid`.
    pub(crate) source: String,
}

/// How one table is copied and compared.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TablePlan {
    pub(crate) table: String,
    pub(crate) columns: Vec<PlannedColumn>,
    /// Indexes into `columns` of the primary key (every column when there is none).
    pub(crate) key: Vec<usize>,
}

impl TablePlan {
    pub(crate) fn copy_statement(&self) -> String {
        let columns: Vec<String> = self.columns.iter().map(|c| quote(&c.name)).collect();
        format!(
            "COPY {} ({}) FROM STDIN (FORMAT binary)",
            quote(&self.table),
            columns.join(", ")
        )
    }

    /// Text keys in byte order (`COLLATE "C"`), as SQLite's BINARY collation orders them.
    pub(crate) fn select_postgres(&self) -> String {
        let columns: Vec<String> = self.columns.iter().map(|c| quote(&c.name)).collect();
        let order: Vec<String> = self
            .key
            .iter()
            .filter_map(|&i| self.columns.get(i))
            .map(|c| match c.ty {
                ColumnType::Text => format!("{} COLLATE \"C\"", quote(&c.name)),
                _ => quote(&c.name),
            })
            .collect();
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            columns.join(", "),
            quote(&self.table),
            order.join(", ")
        )
    }

    pub(crate) fn select_sqlite(&self) -> String {
        let columns: Vec<String> = self.columns.iter().map(|c| c.source.clone()).collect();
        let order: Vec<String> = self
            .key
            .iter()
            .filter_map(|&i| self.columns.get(i))
            .map(|c| format!("{} COLLATE BINARY", c.source))
            .collect();
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            columns.join(", "),
            quote(&self.table),
            order.join(", ")
        )
    }
}

/// Decides the copy: every SQLite table must exist in PostgreSQL with every column (and
/// the other way round, but for PostgreSQL's own tables and identity columns that SQLite
/// keeps as `rowid`), all types must be known, and tables come in foreign-key order.
pub(crate) fn plan(tables: Vec<PgTable>, sqlite: &BTreeMap<String, Vec<String>>) -> Result<Vec<TablePlan>, String> {
    let mut problems = Vec::new();
    for name in sqlite.keys() {
        if !tables.iter().any(|t| &t.name == name) {
            problems.push(format!("SQLite table {name} has no counterpart in PostgreSQL"));
        }
    }
    let tables: Vec<PgTable> = tables
        .into_iter()
        .filter(|t| !POSTGRES_ONLY.contains(&t.name.as_str()))
        .collect();
    let mut plans = Vec::with_capacity(tables.len());
    for table in &tables {
        let Some(source) = sqlite.get(&table.name) else {
            problems.push(format!("PostgreSQL table {} is missing in SQLite", table.name));
            continue;
        };
        for column in source {
            if !table.columns.iter().any(|(name, _, _)| name == column) {
                problems.push(format!(
                    "column {}.{column} has no counterpart in PostgreSQL",
                    table.name
                ));
            }
        }
        let mut columns = Vec::with_capacity(table.columns.len());
        for (name, ty, identity) in &table.columns {
            if *ty == ColumnType::Other {
                problems.push(format!(
                    "column {}.{name} has a type this copy does not know",
                    table.name
                ));
            }
            let source = if source.contains(name) {
                quote(name)
            } else if *identity {
                "rowid".to_owned()
            } else {
                problems.push(format!("column {}.{name} is missing in SQLite", table.name));
                continue;
            };
            columns.push(PlannedColumn {
                name: name.clone(),
                ty: *ty,
                identity: *identity,
                source,
            });
        }
        let mut key: Vec<usize> = table
            .primary_key
            .iter()
            .filter_map(|k| columns.iter().position(|c| &c.name == k))
            .collect();
        if key.is_empty() {
            key = (0..columns.len()).collect();
        }
        plans.push(TablePlan {
            table: table.name.clone(),
            columns,
            key,
        });
    }
    let order = foreign_key_order(&tables)?;
    if !problems.is_empty() {
        return Err(format!("the schemas do not match: {}", problems.join("; ")));
    }
    let mut by_name: BTreeMap<String, TablePlan> = plans.into_iter().map(|p| (p.table.clone(), p)).collect();
    Ok(order.into_iter().filter_map(|t| by_name.remove(&t)).collect())
}

/// Tables so that every table comes after those its foreign keys point to; ties by name.
/// A reference to a table outside the set or to itself does not constrain the order.
pub(crate) fn foreign_key_order(tables: &[PgTable]) -> Result<Vec<String>, String> {
    let names: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut order = Vec::with_capacity(tables.len());
    while order.len() < tables.len() {
        let ready: Vec<&str> = tables
            .iter()
            .filter(|t| !done.contains(t.name.as_str()))
            .filter(|t| {
                t.references
                    .iter()
                    .all(|r| r == &t.name || !names.contains(r.as_str()) || done.contains(r.as_str()))
            })
            .map(|t| t.name.as_str())
            .collect();
        if ready.is_empty() {
            let rest: Vec<&str> = names.difference(&done).copied().collect();
            return Err(format!("the foreign keys of {} form a cycle", rest.join(", ")));
        }
        let first = ready.into_iter().min().unwrap_or_default();
        done.insert(first);
        order.push(first.to_owned());
    }
    Ok(order)
}

/// Both sides' counts and hashes per table → the report, or an error naming every table
/// that differs.
pub(crate) fn compare(
    plans: &[TablePlan],
    source: &[(u64, String)],
    target: &[(u64, String)],
) -> Result<CopyReport, String> {
    if source.len() != plans.len() || target.len() != plans.len() {
        return Err("verification read an incomplete set of tables".into());
    }
    let mut tables = Vec::with_capacity(plans.len());
    let mut differences = Vec::new();
    for ((plan, (rows, sha256)), (target_rows, target_sha)) in plans.iter().zip(source).zip(target) {
        if rows != target_rows || sha256 != target_sha {
            differences.push(format!(
                "table {}: SQLite has {rows} rows (sha256 {sha256}), PostgreSQL {target_rows} (sha256 {target_sha})",
                plan.table
            ));
        }
        tables.push(TableCopy {
            table: plan.table.clone(),
            rows: *rows,
            sha256: sha256.clone(),
        });
    }
    if differences.is_empty() {
        Ok(CopyReport { tables })
    } else {
        Err(format!(
            "the copy differs from the original: {}",
            differences.join("; ")
        ))
    }
}

/// An identifier quoted for SQL (both databases use double quotes).
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A `regclass` name back to the table name (it is quoted only when it has to be).
pub(crate) fn unquote(name: &str) -> &str {
    name.strip_prefix('"').and_then(|n| n.strip_suffix('"')).unwrap_or(name)
}

#[cfg(test)]
mod tests;
