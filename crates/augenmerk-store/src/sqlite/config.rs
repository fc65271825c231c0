//! Boundaries, municipalities and their configuration: departments, areas, rules.
//!
//! Every configuration write bumps `municipalities.config_version` in the same
//! transaction, so clients that compare versions never miss a change. The bump comes
//! first and doubles as the existence check of the municipality (`NotFound`).

use rusqlite::{Connection, OptionalExtension, params};

use augenmerk_domain::api::{AreaDefinition, MunicipalitySettings};
use augenmerk_domain::rules::Rule;
use augenmerk_domain::staff::Department;
use augenmerk_domain::{Ags, AreaId, CategoryTree, DepartmentId};

use super::codec::{duplicate_as, get_id, get_json, json, parsed};
use crate::{BoundaryRecord, MunicipalityRecord, StoreError, StoreResult};

/// Inserts or replaces boundaries by AGS.
pub(crate) fn upsert_boundaries(conn: &Connection, boundaries: &[BoundaryRecord]) -> StoreResult<()> {
    // An upsert, not INSERT OR REPLACE: REPLACE deletes the row first.
    let mut stmt = conn.prepare_cached(
        "INSERT INTO boundaries (ags, name, geometry, administration) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (ags) DO UPDATE SET name = excluded.name, geometry = excluded.geometry,
             administration = excluded.administration",
    )?;
    for b in boundaries {
        stmt.execute(params![
            b.ags.as_str(),
            b.name,
            b.geometry,
            b.administration.as_ref().map(Ags::as_str)
        ])?;
    }
    Ok(())
}

/// All boundaries, by AGS.
pub(crate) fn list_boundaries(conn: &Connection) -> StoreResult<Vec<BoundaryRecord>> {
    let mut stmt = conn.prepare_cached("SELECT ags, name, geometry, administration FROM boundaries ORDER BY ags")?;
    let rows = stmt.query_map([], |row| {
        Ok(BoundaryRecord {
            ags: parsed(row, "ags", Ags::parse)?,
            name: row.get("name")?,
            geometry: row.get("geometry")?,
            administration: super::codec::parsed_opt(row, "administration", Ags::parse)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Creates a municipality; `Duplicate` if the AGS is taken.
pub(crate) fn create_municipality(conn: &Connection, m: &MunicipalityRecord) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO municipalities (ags, name, categories, settings, config_version)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        m.ags.as_str(),
        m.name,
        json(&m.categories)?,
        json(&m.settings)?,
        m.config_version
    ])
    .map_err(duplicate_as("municipality"))?;
    Ok(())
}

const MUNICIPALITY_COLUMNS: &str = "ags, name, categories, settings, config_version";

fn municipality_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<MunicipalityRecord> {
    Ok(MunicipalityRecord {
        ags: parsed(row, "ags", Ags::parse)?,
        name: row.get("name")?,
        categories: get_json(row, "categories")?,
        settings: get_json(row, "settings")?,
        config_version: row.get("config_version")?,
    })
}

/// One municipality.
pub(crate) fn get_municipality(conn: &Connection, ags: &Ags) -> StoreResult<MunicipalityRecord> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {MUNICIPALITY_COLUMNS} FROM municipalities WHERE ags = ?1"
        ))?
        .query_row([ags.as_str()], municipality_from_row)?)
}

/// All municipalities, by AGS.
pub(crate) fn list_municipalities(conn: &Connection) -> StoreResult<Vec<MunicipalityRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MUNICIPALITY_COLUMNS} FROM municipalities ORDER BY ags"
    ))?;
    let rows = stmt.query_map([], municipality_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The category tree of a municipality.
pub(crate) fn get_categories(conn: &Connection, ags: &Ags) -> StoreResult<CategoryTree> {
    let text: String = conn
        .prepare_cached("SELECT categories FROM municipalities WHERE ags = ?1")?
        .query_row([ags.as_str()], |row| row.get(0))?;
    serde_json::from_str(&text).map_err(|e| StoreError::Database(format!("stored category tree is invalid: {e}")))
}

/// Bumps the configuration version; `NotFound` if there is no such municipality.
fn bump(conn: &Connection, ags: &Ags) -> StoreResult<()> {
    let n = conn
        .prepare_cached("UPDATE municipalities SET config_version = config_version + 1 WHERE ags = ?1")?
        .execute([ags.as_str()])?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Replaces the category tree.
pub(crate) fn put_categories(conn: &Connection, ags: &Ags, tree: &CategoryTree) -> StoreResult<()> {
    bump(conn, ags)?;
    conn.prepare_cached("UPDATE municipalities SET categories = ?2 WHERE ags = ?1")?
        .execute(params![ags.as_str(), json(tree)?])?;
    Ok(())
}

/// Replaces the settings.
pub(crate) fn put_settings(conn: &Connection, ags: &Ags, settings: &MunicipalitySettings) -> StoreResult<()> {
    bump(conn, ags)?;
    conn.prepare_cached("UPDATE municipalities SET settings = ?2 WHERE ags = ?1")?
        .execute(params![ags.as_str(), json(settings)?])?;
    Ok(())
}

/// Departments of a municipality, by id.
pub(crate) fn list_departments(conn: &Connection, ags: &Ags) -> StoreResult<Vec<Department>> {
    let mut stmt = conn.prepare_cached("SELECT id, name, email FROM departments WHERE ags = ?1 ORDER BY id")?;
    let rows = stmt.query_map([ags.as_str()], |row| {
        Ok(Department {
            id: get_id(row, "id")?,
            name: row.get("name")?,
            email: row.get("email")?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Creates or updates a department.
pub(crate) fn put_department(conn: &Connection, ags: &Ags, d: &Department) -> StoreResult<()> {
    bump(conn, ags)?;
    conn.prepare_cached(
        "INSERT INTO departments (ags, id, name, email) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (ags, id) DO UPDATE SET name = excluded.name, email = excluded.email",
    )?
    .execute(params![ags.as_str(), d.id.as_str(), d.name, d.email])?;
    Ok(())
}

/// Deletes a department; `NotFound` if absent.
pub(crate) fn delete_department(conn: &Connection, ags: &Ags, id: &DepartmentId) -> StoreResult<()> {
    let n = conn
        .prepare_cached("DELETE FROM departments WHERE ags = ?1 AND id = ?2")?
        .execute([ags.as_str(), id.as_str()])?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    bump(conn, ags)
}

/// Named areas of a municipality, by id.
pub(crate) fn list_areas(conn: &Connection, ags: &Ags) -> StoreResult<Vec<AreaDefinition>> {
    let mut stmt = conn.prepare_cached("SELECT id, name, geometry FROM areas WHERE ags = ?1 ORDER BY id")?;
    let rows = stmt.query_map([ags.as_str()], |row| {
        Ok(AreaDefinition {
            id: get_id(row, "id")?,
            name: row.get("name")?,
            geometry: get_json(row, "geometry")?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Creates or replaces an area.
pub(crate) fn put_area(conn: &Connection, ags: &Ags, area: &AreaDefinition) -> StoreResult<()> {
    bump(conn, ags)?;
    conn.prepare_cached(
        "INSERT INTO areas (ags, id, name, geometry) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (ags, id) DO UPDATE SET name = excluded.name, geometry = excluded.geometry",
    )?
    .execute(params![
        ags.as_str(),
        area.id.as_str(),
        area.name,
        json(&area.geometry)?
    ])?;
    Ok(())
}

/// Deletes an area; `NotFound` if absent.
pub(crate) fn delete_area(conn: &Connection, ags: &Ags, id: &AreaId) -> StoreResult<()> {
    let n = conn
        .prepare_cached("DELETE FROM areas WHERE ags = ?1 AND id = ?2")?
        .execute([ags.as_str(), id.as_str()])?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    bump(conn, ags)
}

/// The ordered rules; empty if none were stored, `NotFound` for an unknown municipality.
pub(crate) fn get_rules(conn: &Connection, ags: &Ags) -> StoreResult<Vec<Rule>> {
    let stored: Option<Option<String>> = conn
        .prepare_cached("SELECT r.rules FROM municipalities m LEFT JOIN rules r ON r.ags = m.ags WHERE m.ags = ?1")?
        .query_row([ags.as_str()], |row| row.get(0))
        .optional()?;
    match stored {
        None => Err(StoreError::NotFound),
        Some(None) => Ok(Vec::new()),
        Some(Some(text)) => {
            serde_json::from_str(&text).map_err(|e| StoreError::Database(format!("stored rules are invalid: {e}")))
        }
    }
}

/// Replaces the ordered rules.
pub(crate) fn put_rules(conn: &Connection, ags: &Ags, rules: &[Rule]) -> StoreResult<()> {
    bump(conn, ags)?;
    conn.prepare_cached(
        "INSERT INTO rules (ags, rules) VALUES (?1, ?2) ON CONFLICT (ags) DO UPDATE SET rules = excluded.rules",
    )?
    .execute(params![ags.as_str(), json(rules)?])?;
    Ok(())
}
