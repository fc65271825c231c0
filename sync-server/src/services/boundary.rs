//! A municipality's own boundary, uploaded by its admin as GeoJSON: checked and shown
//! first (nothing changes), then stored on confirmation, when the statewide index is
//! rebuilt and `/api/v1/locate` answers with the new line.
//!
//! What an upload may hold: for a tenant that is one Gemeinde, one Polygon or
//! MultiPolygon (bare, as a Feature, or the only feature of a FeatureCollection; an `AGS`
//! property, if given, must be the Gemeinde's). For an Amt, features whose `AGS` property
//! names one of its Gemeinden; the others keep their boundary. Names and the
//! administration a Gemeinde belongs to stay as the boundary data has them: the upload
//! changes only the line.

use augenmerk_domain::Ags;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::public::GemeindeInfo;
use augenmerk_geo::Shape;
use augenmerk_store::BoundaryRecord;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A Gemeinde the tenant stands for, as the boundary data has it now.
#[derive(Debug, Clone, PartialEq)]
pub struct Served {
    /// Its AGS.
    pub ags: Ags,
    /// Its name.
    pub name: String,
    /// Its administration (an Amt), if the data names one.
    pub administration: Option<Ags>,
}

/// One geometry of an upload and the `AGS` its feature names, if any.
struct Part {
    ags: Option<String>,
    geometry: Value,
}

fn invalid(field: impl Into<String>, problem: &str, reason: impl std::fmt::Display) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, problem)])
        .context(serde_json::json!({ "reason": reason.to_string() }))
}

/// The geometries of a GeoJSON text: a geometry, a Feature or a FeatureCollection.
fn parts(text: &str) -> ApiResult<Vec<Part>> {
    let value: Value = serde_json::from_str(text).map_err(|e| invalid("body", "invalid_geojson", e))?;
    let feature = |f: &Value| Part {
        ags: f["properties"]["AGS"].as_str().map(str::to_owned),
        geometry: f["geometry"].clone(),
    };
    let parts = match value["type"].as_str() {
        Some("FeatureCollection") => value["features"]
            .as_array()
            .map(|all| all.iter().map(feature).collect())
            .unwrap_or_default(),
        Some("Feature") => vec![feature(&value)],
        Some("Polygon" | "MultiPolygon") => vec![Part {
            ags: None,
            geometry: value,
        }],
        other => return Err(invalid("body", "invalid_geojson", format!("unexpected type {other:?}"))),
    };
    if parts.is_empty() {
        return Err(invalid("body", "no_features", "the file holds no geometry"));
    }
    Ok(parts)
}

/// The boundary records an upload stands for, checked against the Gemeinden the tenant
/// serves (all or nothing; problems name `features.N`).
pub fn records(served: &[Served], text: &str) -> ApiResult<Vec<BoundaryRecord>> {
    let parts = parts(text)?;
    let mut out: Vec<BoundaryRecord> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let target = match (served, &part.ags) {
            // One Gemeinde: the file is its boundary; a named AGS must be its own.
            ([one], None) if parts.len() == 1 => one,
            ([one], Some(a)) if parts.len() == 1 && a == one.ags.as_str() => one,
            ([_], _) if parts.len() > 1 => return Err(invalid("body", "one_geometry_expected", parts.len())),
            (_, None) => {
                return Err(invalid(
                    format!("features.{i}.properties.AGS"),
                    "required",
                    "an Amt's file names each Gemeinde by AGS",
                ));
            }
            (all, Some(a)) => all
                .iter()
                .find(|g| g.ags.as_str() == a)
                .ok_or_else(|| invalid(format!("features.{i}.properties.AGS"), "not_served_here", a))?,
        };
        if out.iter().any(|r| r.ags == target.ags) {
            return Err(invalid(
                format!("features.{i}.properties.AGS"),
                "duplicate",
                &target.ags,
            ));
        }
        let shape = Shape::from_geojson_value(&part.geometry)
            .map_err(|e| invalid(format!("features.{i}.geometry"), "invalid_geometry", e))?;
        out.push(BoundaryRecord {
            ags: target.ags.clone(),
            name: target.name.clone(),
            geometry: shape.to_geojson(),
            administration: target.administration.clone(),
        });
    }
    Ok(out)
}

/// The Gemeinden the tenant `key` stands for, from the boundary index.
fn served(state: &AppState, key: &Ags) -> Vec<Served> {
    let index = state.boundary_index();
    state
        .gemeinden_of(key)
        .into_iter()
        .map(|(ags, name)| Served {
            administration: index.get(&ags).and_then(|m| m.administration().cloned()),
            ags,
            name,
        })
        .collect()
}

/// The records as the answer shows them (each Gemeinde with its new line).
fn shown(records: &[BoundaryRecord]) -> Vec<GemeindeInfo> {
    records
        .iter()
        .map(|r| GemeindeInfo {
            ags: r.ags.clone(),
            name: r.name.clone(),
            boundary: serde_json::from_str(&r.geometry).ok(),
        })
        .collect()
}

/// Checks an upload and shows what it would store; changes nothing.
pub async fn check(state: &AppState, key: &Ags, text: &str) -> ApiResult<Vec<GemeindeInfo>> {
    state.tenant(key).await?;
    Ok(shown(&records(&served(state, key), text)?))
}

/// Checks an upload again and stores it; the index is rebuilt at once.
pub async fn replace(state: &AppState, key: &Ags, text: &str) -> ApiResult<Vec<GemeindeInfo>> {
    state.tenant(key).await?;
    let records = records(&served(state, key), text)?;
    state.store.upsert_boundaries(records.clone()).await?;
    state.reload_boundaries().await.map_err(ApiError::internal)?;
    Ok(shown(&records))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Served, records};

    fn gemeinde(ags: &str, name: &str) -> Served {
        Served {
            ags: augenmerk_domain::Ags::parse(ags).expect("ags"),
            name: name.into(),
            administration: None,
        }
    }

    fn square(lon: f64, lat: f64) -> serde_json::Value {
        json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.1, lat], [lon + 0.1, lat + 0.1], [lon, lat + 0.1], [lon, lat]]]})
    }

    fn field_of(e: &crate::error::ApiError) -> String {
        format!("{e:?}")
    }

    #[test]
    fn a_gemeinde_takes_a_bare_geometry_a_feature_or_a_collection_of_one() {
        let flensburg = [gemeinde("01001000", "Flensburg")];
        for text in [
            square(9.4, 54.7).to_string(),
            json!({"type": "Feature", "properties": {}, "geometry": square(9.4, 54.7)}).to_string(),
            json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"AGS": "01001000"}, "geometry": square(9.4, 54.7)}]})
            .to_string(),
        ] {
            let r = records(&flensburg, &text).expect("accepted");
            assert_eq!(r.len(), 1);
            assert_eq!(r[0].ags.as_str(), "01001000");
            assert_eq!(r[0].name, "Flensburg", "the name stays");
        }
    }

    #[test]
    fn wrong_uploads_are_refused_naming_the_field() {
        let flensburg = [gemeinde("01001000", "Flensburg")];
        let e = records(&flensburg, "{no json").expect_err("refused");
        assert!(field_of(&e).contains("invalid_geojson"), "{e:?}");
        let other = json!({"type": "Feature", "properties": {"AGS": "01002000"}, "geometry": square(9.4, 54.7)});
        let e = records(&flensburg, &other.to_string()).expect_err("refused");
        assert!(field_of(&e).contains("features.0.properties.AGS"), "{e:?}");
        let line = json!({"type": "LineString", "coordinates": [[9.4, 54.7], [9.5, 54.8]]});
        assert!(records(&flensburg, &line.to_string()).is_err());
        let utm = json!({"type": "Polygon", "coordinates": [[[500000.0, 6000000.0], [500100.0, 6000000.0], [500100.0, 6000100.0], [500000.0, 6000000.0]]]});
        let e = records(&flensburg, &utm.to_string()).expect_err("refused");
        assert!(field_of(&e).contains("features.0.geometry"), "{e:?}");
    }

    #[test]
    fn an_amt_names_each_gemeinde_by_ags() {
        let amt = [gemeinde("01059001", "A-Dorf"), gemeinde("01059002", "B-Dorf")];
        let text = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"AGS": "01059002"}, "geometry": square(9.6, 54.8)}]});
        let r = records(&amt, &text.to_string()).expect("accepted");
        assert_eq!(r[0].name, "B-Dorf");
        let e = records(&amt, &square(9.6, 54.8).to_string()).expect_err("refused");
        assert!(field_of(&e).contains("features.0.properties.AGS"), "{e:?}");
    }
}
