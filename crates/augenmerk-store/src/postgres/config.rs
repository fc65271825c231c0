//! Boundaries, municipalities and their configuration: departments, areas, rules.
//!
//! Every configuration write bumps `municipalities.config_version` in the same
//! transaction, so clients that compare versions never miss a change. The bump comes
//! first and doubles as the existence check of the municipality (`NotFound`); it also
//! locks the municipality's row until the commit, so concurrent configuration writes of
//! one municipality (from any instance) run one after the other, always taking the
//! municipality's lock before a department's or area's (no deadlock between them).

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Row;

use augenmerk_domain::api::{AreaDefinition, MunicipalitySettings};
use augenmerk_domain::rules::Rule;
use augenmerk_domain::staff::Department;
use augenmerk_domain::{Ags, AreaId, CategoryTree, DepartmentId};

use super::codec::{duplicate_as, found, get_id, get_json, json, parsed, parsed_opt, text, text_opt};
use crate::{BoundaryRecord, MunicipalityRecord, StoreError, StoreResult};

/// Inserts or replaces boundaries by AGS.
pub(crate) async fn upsert_boundaries(tx: &Transaction<'_>, boundaries: &[BoundaryRecord]) -> StoreResult<()> {
    let stmt = tx
        .prepare_cached(
            "INSERT INTO boundaries (ags, name, geometry, administration) VALUES ($1, $2, $3, $4)
             ON CONFLICT (ags) DO UPDATE SET name = excluded.name, geometry = excluded.geometry,
                 administration = excluded.administration",
        )
        .await?;
    // In key order, so that two imports at once lock the rows in the same order (no
    // deadlock); the sort is stable, so of two entries for one AGS the later still wins.
    let mut sorted: Vec<&BoundaryRecord> = boundaries.iter().collect();
    sorted.sort_by(|a, b| a.ags.as_str().cmp(b.ags.as_str()));
    for b in sorted {
        tx.execute(
            &stmt,
            &[
                &b.ags.as_str(),
                &b.name,
                &b.geometry,
                &b.administration.as_ref().map(Ags::as_str),
            ],
        )
        .await?;
    }
    Ok(())
}

/// All boundaries, by AGS.
pub(crate) async fn list_boundaries(c: &impl GenericClient) -> StoreResult<Vec<BoundaryRecord>> {
    let rows = c
        .query(
            "SELECT ags, name, geometry, administration FROM boundaries ORDER BY ags",
            &[],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(BoundaryRecord {
                ags: parsed(row, "ags", Ags::parse)?,
                name: text(row, "name")?,
                geometry: text(row, "geometry")?,
                administration: parsed_opt(row, "administration", Ags::parse)?,
            })
        })
        .collect()
}

/// Creates a municipality; `Duplicate` if the AGS is taken.
pub(crate) async fn create_municipality(tx: &Transaction<'_>, m: &MunicipalityRecord) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO municipalities (ags, name, categories, settings, config_version)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &m.ags.as_str(),
            &m.name,
            &json(&m.categories)?,
            &json(&m.settings)?,
            &m.config_version,
        ],
    )
    .await
    .map_err(duplicate_as("municipality"))?;
    Ok(())
}

const MUNICIPALITY_COLUMNS: &str = "ags, name, categories, settings, config_version";

fn municipality_from_row(row: &Row) -> StoreResult<MunicipalityRecord> {
    Ok(MunicipalityRecord {
        ags: parsed(row, "ags", Ags::parse)?,
        name: text(row, "name")?,
        categories: get_json(row, "categories")?,
        settings: get_json(row, "settings")?,
        config_version: row.try_get("config_version")?,
    })
}

/// One municipality.
pub(crate) async fn get_municipality(c: &impl GenericClient, ags: &Ags) -> StoreResult<MunicipalityRecord> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {MUNICIPALITY_COLUMNS} FROM municipalities WHERE ags = $1"
        ))
        .await?;
    let row = c.query_opt(&stmt, &[&ags.as_str()]).await?;
    municipality_from_row(&found(row)?)
}

/// All municipalities, by AGS.
pub(crate) async fn list_municipalities(c: &impl GenericClient) -> StoreResult<Vec<MunicipalityRecord>> {
    let rows = c
        .query(
            &format!("SELECT {MUNICIPALITY_COLUMNS} FROM municipalities ORDER BY ags"),
            &[],
        )
        .await?;
    rows.iter().map(municipality_from_row).collect()
}

/// The category tree of a municipality.
pub(crate) async fn get_categories(c: &impl GenericClient, ags: &Ags) -> StoreResult<CategoryTree> {
    let stmt = c
        .prepare_cached("SELECT categories FROM municipalities WHERE ags = $1")
        .await?;
    let row = found(c.query_opt(&stmt, &[&ags.as_str()]).await?)?;
    let tree: &str = row.try_get(0)?;
    serde_json::from_str(tree).map_err(|e| StoreError::Database(format!("stored category tree is invalid: {e}")))
}

/// Bumps the configuration version (locking the municipality's row until the commit);
/// `NotFound` if there is no such municipality.
async fn bump(tx: &Transaction<'_>, ags: &Ags) -> StoreResult<()> {
    let n = tx
        .execute(
            "UPDATE municipalities SET config_version = config_version + 1 WHERE ags = $1",
            &[&ags.as_str()],
        )
        .await?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Replaces the category tree.
pub(crate) async fn put_categories(tx: &Transaction<'_>, ags: &Ags, tree: &CategoryTree) -> StoreResult<()> {
    // The bump and the change are one statement.
    let n = tx
        .execute(
            "UPDATE municipalities SET categories = $2, config_version = config_version + 1 WHERE ags = $1",
            &[&ags.as_str(), &json(tree)?],
        )
        .await?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Replaces the settings.
pub(crate) async fn put_settings(tx: &Transaction<'_>, ags: &Ags, settings: &MunicipalitySettings) -> StoreResult<()> {
    let n = tx
        .execute(
            "UPDATE municipalities SET settings = $2, config_version = config_version + 1 WHERE ags = $1",
            &[&ags.as_str(), &json(settings)?],
        )
        .await?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Departments of a municipality, by id.
pub(crate) async fn list_departments(c: &impl GenericClient, ags: &Ags) -> StoreResult<Vec<Department>> {
    let stmt = c
        .prepare_cached("SELECT id, name, email FROM departments WHERE ags = $1 ORDER BY id")
        .await?;
    let rows = c.query(&stmt, &[&ags.as_str()]).await?;
    rows.iter()
        .map(|row| {
            Ok(Department {
                id: get_id(row, "id")?,
                name: text(row, "name")?,
                email: text_opt(row, "email")?,
            })
        })
        .collect()
}

/// Creates or updates a department.
pub(crate) async fn put_department(tx: &Transaction<'_>, ags: &Ags, d: &Department) -> StoreResult<()> {
    bump(tx, ags).await?;
    tx.execute(
        "INSERT INTO departments (ags, id, name, email) VALUES ($1, $2, $3, $4)
         ON CONFLICT (ags, id) DO UPDATE SET name = excluded.name, email = excluded.email",
        &[&ags.as_str(), &d.id.as_str(), &d.name, &d.email],
    )
    .await?;
    Ok(())
}

/// Deletes a department; `NotFound` if absent.
pub(crate) async fn delete_department(tx: &Transaction<'_>, ags: &Ags, id: &DepartmentId) -> StoreResult<()> {
    // Bumped first, unlike SQLite, to lock the municipality before the department as the
    // other writes do; a `NotFound` below rolls the bump back with the transaction.
    bump(tx, ags).await?;
    let n = tx
        .execute(
            "DELETE FROM departments WHERE ags = $1 AND id = $2",
            &[&ags.as_str(), &id.as_str()],
        )
        .await?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Named areas of a municipality, by id.
pub(crate) async fn list_areas(c: &impl GenericClient, ags: &Ags) -> StoreResult<Vec<AreaDefinition>> {
    let stmt = c
        .prepare_cached("SELECT id, name, geometry FROM areas WHERE ags = $1 ORDER BY id")
        .await?;
    let rows = c.query(&stmt, &[&ags.as_str()]).await?;
    rows.iter()
        .map(|row| {
            Ok(AreaDefinition {
                id: get_id(row, "id")?,
                name: text(row, "name")?,
                geometry: get_json(row, "geometry")?,
            })
        })
        .collect()
}

/// Creates or replaces an area.
pub(crate) async fn put_area(tx: &Transaction<'_>, ags: &Ags, area: &AreaDefinition) -> StoreResult<()> {
    bump(tx, ags).await?;
    tx.execute(
        "INSERT INTO areas (ags, id, name, geometry) VALUES ($1, $2, $3, $4)
         ON CONFLICT (ags, id) DO UPDATE SET name = excluded.name, geometry = excluded.geometry",
        &[&ags.as_str(), &area.id.as_str(), &area.name, &json(&area.geometry)?],
    )
    .await?;
    Ok(())
}

/// Deletes an area; `NotFound` if absent.
pub(crate) async fn delete_area(tx: &Transaction<'_>, ags: &Ags, id: &AreaId) -> StoreResult<()> {
    // Bumped first for the lock order (see `delete_department`).
    bump(tx, ags).await?;
    let n = tx
        .execute(
            "DELETE FROM areas WHERE ags = $1 AND id = $2",
            &[&ags.as_str(), &id.as_str()],
        )
        .await?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// The ordered rules; empty if none were stored, `NotFound` for an unknown municipality.
pub(crate) async fn get_rules(c: &impl GenericClient, ags: &Ags) -> StoreResult<Vec<Rule>> {
    let stmt = c
        .prepare_cached("SELECT r.rules FROM municipalities m LEFT JOIN rules r ON r.ags = m.ags WHERE m.ags = $1")
        .await?;
    let row = found(c.query_opt(&stmt, &[&ags.as_str()]).await?)?;
    match row.try_get::<_, Option<&str>>(0)? {
        None => Ok(Vec::new()),
        Some(stored) => {
            serde_json::from_str(stored).map_err(|e| StoreError::Database(format!("stored rules are invalid: {e}")))
        }
    }
}

/// Replaces the ordered rules.
pub(crate) async fn put_rules(tx: &Transaction<'_>, ags: &Ags, rules: &[Rule]) -> StoreResult<()> {
    bump(tx, ags).await?;
    tx.execute(
        "INSERT INTO rules (ags, rules) VALUES ($1, $2) ON CONFLICT (ags) DO UPDATE SET rules = excluded.rules",
        &[&ags.as_str(), &json(rules)?],
    )
    .await?;
    Ok(())
}
