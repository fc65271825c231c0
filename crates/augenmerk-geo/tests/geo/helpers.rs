//! Shared fixtures: the data files, loaded once, and builders for small collections.

use std::sync::OnceLock;

use augenmerk_geo::{Areas, Boundaries, GeoPoint};

/// Reads a file from the repository's `data/geo/`.
pub fn data_file(name: &str) -> String {
    let path = format!("{}/../../data/geo/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// All 1,108 municipalities of Schleswig-Holstein.
pub fn gemeinden() -> &'static Boundaries {
    static B: OnceLock<Boundaries> = OnceLock::new();
    B.get_or_init(|| Boundaries::from_geojson(&data_file("sh-gemeinden.geojson")).unwrap())
}

/// Flensburg's 13 Stadtteile.
pub fn stadtteile() -> &'static Areas {
    static A: OnceLock<Areas> = OnceLock::new();
    A.get_or_init(|| Areas::from_geojson(&data_file("flensburg-stadtteile.geojson")).unwrap())
}

/// A valid point.
pub fn p(lat: f64, lon: f64) -> GeoPoint {
    GeoPoint::parse(lat, lon).unwrap()
}

/// A closed square ring with its south-west corner at (lat, lon) and the given side in degrees.
pub fn square(lat: f64, lon: f64, side: f64) -> serde_json::Value {
    serde_json::json!([
        [lon, lat],
        [lon + side, lat],
        [lon + side, lat + side],
        [lon, lat + side],
        [lon, lat]
    ])
}

/// A FeatureCollection of features with the given properties and geometries.
pub fn collection(features: &[(serde_json::Value, serde_json::Value)]) -> String {
    let features: Vec<_> = features
        .iter()
        .map(|(properties, geometry)| {
            serde_json::json!({"type": "Feature", "properties": properties, "geometry": geometry})
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
}

/// A Polygon geometry from rings.
pub fn polygon(rings: &[serde_json::Value]) -> serde_json::Value {
    serde_json::json!({"type": "Polygon", "coordinates": rings})
}
