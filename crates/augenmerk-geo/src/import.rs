//! GeoJSON import: parsing, property reading and geometry validation shared by
//! [`crate::Boundaries`] and [`crate::Areas`].
//!
//! Only Polygon and MultiPolygon geometries in WGS84 are accepted; every ring
//! must be closed (at least 4 positions) and every position a longitude within
//! ±180° and a latitude within ±90° (which catches projected data, e.g. UTM).

use std::str::FromStr;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use geojson::{Feature, GeoJson, GeometryValue, PolygonType};
use serde::Deserialize;
use serde_json::Value;

use crate::{FeatureProblem, GeoError};

/// Parses GeoJSON text that must be a non-empty FeatureCollection.
pub(crate) fn parse_features(text: &str) -> Result<Vec<Feature>, GeoError> {
    let parsed = GeoJson::from_str(text).map_err(|e| GeoError::InvalidGeoJson { message: e.to_string() })?;
    let features = match parsed {
        GeoJson::FeatureCollection(fc) => fc.features,
        GeoJson::Feature(_) => return Err(not_a_collection("a Feature")),
        GeoJson::Geometry(_) => return Err(not_a_collection("a Geometry")),
    };
    if features.is_empty() {
        return Err(GeoError::NoFeatures);
    }
    Ok(features)
}

fn not_a_collection(found: &str) -> GeoError {
    GeoError::InvalidGeoJson {
        message: format!("expected a FeatureCollection, found {found}"),
    }
}

/// Parses GeoJSON text that must be a single Polygon or MultiPolygon geometry.
pub(crate) fn parse_geometry(text: &str) -> Result<MultiPolygon<f64>, FeatureProblem> {
    let geometry = geojson::Geometry::from_str(text).map_err(|e| FeatureProblem::Unparsable(e.to_string()))?;
    to_multi_polygon(&geometry.value)
}

/// A parsed GeoJSON value that must be a single Polygon or MultiPolygon geometry.
pub(crate) fn geometry_from_json(value: &Value) -> Result<MultiPolygon<f64>, FeatureProblem> {
    let geometry = geojson::Geometry::deserialize(value).map_err(|e| FeatureProblem::Unparsable(e.to_string()))?;
    to_multi_polygon(&geometry.value)
}

/// The feature's geometry as a validated multipolygon.
pub(crate) fn feature_geometry(feature: &Feature) -> Result<MultiPolygon<f64>, FeatureProblem> {
    let geometry = feature.geometry.as_ref().ok_or(FeatureProblem::MissingGeometry)?;
    to_multi_polygon(&geometry.value)
}

/// A required property as a trimmed, non-empty string.
pub(crate) fn string_property(feature: &Feature, key: &str) -> Result<String, FeatureProblem> {
    match feature.property(key) {
        None | Some(Value::Null) => Err(FeatureProblem::MissingProperty(key.to_owned())),
        Some(Value::String(s)) if s.trim().is_empty() => Err(FeatureProblem::InvalidProperty {
            key: key.to_owned(),
            message: "must not be empty".to_owned(),
        }),
        Some(Value::String(s)) => Ok(s.trim().to_owned()),
        Some(other) => Err(FeatureProblem::WrongPropertyType {
            key: key.to_owned(),
            expected: "a string",
            found: json_type(other),
        }),
    }
}

/// A required id property: a non-empty string, or an integer written in decimal.
pub(crate) fn id_property(feature: &Feature, key: &str) -> Result<String, FeatureProblem> {
    match feature.property(key) {
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        Some(Value::Number(_)) => Err(FeatureProblem::WrongPropertyType {
            key: key.to_owned(),
            expected: "a string or an integer",
            found: "a fractional number",
        }),
        _ => string_property(feature, key),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn to_multi_polygon(value: &GeometryValue) -> Result<MultiPolygon<f64>, FeatureProblem> {
    let polygons = match value {
        GeometryValue::Polygon { coordinates } => vec![to_polygon(coordinates)?],
        GeometryValue::MultiPolygon { coordinates } => coordinates.iter().map(to_polygon).collect::<Result<_, _>>()?,
        other => {
            return Err(FeatureProblem::UnsupportedGeometry(other.type_name().to_owned()));
        }
    };
    if polygons.is_empty() {
        return Err(FeatureProblem::EmptyGeometry);
    }
    Ok(MultiPolygon::new(polygons))
}

fn to_polygon(rings: &PolygonType) -> Result<Polygon<f64>, FeatureProblem> {
    let mut rings = rings.iter().map(|ring| {
        if ring.len() < 4 {
            return Err(FeatureProblem::RingTooShort(ring.len()));
        }
        ring.iter()
            .map(|position| {
                // geojson 1.0 accepts positions with fewer than two ordinates (and its
                // own conversion to geo would then panic); extra ones (height) are ignored.
                let (x, y) = match position.as_slice() {
                    [x, y, ..] => (*x, *y),
                    short => return Err(FeatureProblem::PositionTooShort(short.len())),
                };
                if x.is_finite() && y.is_finite() && x.abs() <= 180.0 && y.abs() <= 90.0 {
                    Ok(Coord { x, y })
                } else {
                    Err(FeatureProblem::NotWgs84 { x, y })
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(LineString::new)
    });
    let exterior = rings.next().ok_or(FeatureProblem::EmptyGeometry)??;
    let interiors = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}
