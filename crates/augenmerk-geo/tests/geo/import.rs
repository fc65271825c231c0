//! Import errors: malformed GeoJSON and unusable features give errors that name
//! the feature, never a panic.

use augenmerk_domain::Ags;
use augenmerk_geo::{Areas, Boundaries, BoundaryKeys, FeatureProblem, GeoError};
use rstest::rstest;
use serde_json::json;

use crate::helpers::{collection, data_file, gemeinden, p, polygon, square};

fn feature_problem(text: &str) -> (usize, FeatureProblem) {
    match Boundaries::from_geojson(text) {
        Err(GeoError::InvalidFeature { index, problem }) => (index, problem),
        other => panic!("expected InvalidFeature, got {other:?}"),
    }
}

fn good() -> (serde_json::Value, serde_json::Value) {
    (
        json!({"AGS": "01000001", "GEN": "Good"}),
        polygon(&[square(54.0, 10.0, 1.0)]),
    )
}

#[rstest]
#[case::empty_text("")]
#[case::not_json("not json at all")]
#[case::json_but_not_geojson(r#"{"hello": "world"}"#)]
#[case::truncated(r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "#)]
#[case::a_feature_not_a_collection(r#"{"type": "Feature", "properties": {}, "geometry": null}"#)]
#[case::a_geometry_not_a_collection(r#"{"type": "Point", "coordinates": [10, 54]}"#)]
fn malformed_geojson_is_an_error(#[case] text: &str) {
    assert!(matches!(
        Boundaries::from_geojson(text),
        Err(GeoError::InvalidGeoJson { .. })
    ));
    assert!(matches!(
        Areas::from_geojson(text),
        Err(GeoError::InvalidGeoJson { .. })
    ));
}

/// Regression: geojson 1.0 parses one-ordinate positions, and its own
/// conversion to geo types would panic indexing the missing latitude.
#[test]
fn a_position_without_latitude_is_an_error_not_a_panic() {
    let ring = json!([[10.0], [11.0, 54.0], [11.0, 55.0], [10.0]]);
    let text = collection(&[(json!({"AGS": "01000001", "GEN": "X"}), polygon(&[ring]))]);
    assert_eq!(feature_problem(&text), (0, FeatureProblem::PositionTooShort(1)));
}

#[test]
fn an_empty_collection_is_an_error() {
    let text = r#"{"type": "FeatureCollection", "features": []}"#;
    assert_eq!(Boundaries::from_geojson(text).unwrap_err(), GeoError::NoFeatures);
}

#[test]
fn every_truncation_of_a_real_file_is_an_error_not_a_panic() {
    let text = data_file("flensburg-stadtteile.geojson");
    // Cut at many places (on char boundaries) through the whole file.
    let cuts = (0..text.len()).step_by(97).filter(|&i| text.is_char_boundary(i));
    for cut in cuts {
        assert!(Areas::from_geojson(&text[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn missing_ags_names_the_feature() {
    let text = collection(&[good(), (json!({"GEN": "No key"}), polygon(&[square(54.0, 11.0, 1.0)]))]);
    assert_eq!(
        feature_problem(&text),
        (1, FeatureProblem::MissingProperty("AGS".to_owned()))
    );
    let err = Boundaries::from_geojson(&text).unwrap_err().to_string();
    assert!(err.contains("feature #1") && err.contains("AGS"), "{err}");
}

#[rstest]
#[case::null_ags(json!({"AGS": null, "GEN": "X"}))]
#[case::numeric_ags(json!({"AGS": 1002000, "GEN": "X"}))]
#[case::short_ags(json!({"AGS": "1002000", "GEN": "X"}))]
#[case::missing_name(json!({"AGS": "01000002"}))]
#[case::blank_name(json!({"AGS": "01000002", "GEN": " "}))]
#[case::no_properties(json!(null))]
fn unusable_properties_name_the_feature(#[case] properties: serde_json::Value) {
    let text = collection(&[good(), (properties, polygon(&[square(54.0, 11.0, 1.0)]))]);
    assert_eq!(feature_problem(&text).0, 1);
}

#[test]
fn non_polygon_geometry_names_the_feature_and_type() {
    let line = json!({"type": "LineString", "coordinates": [[10, 54], [11, 55]]});
    let text = collection(&[good(), good(), (json!({"AGS": "01000003", "GEN": "Line"}), line)]);
    // The first duplicate is reported before the line: feature order decides.
    assert_eq!(
        feature_problem(&text),
        (1, FeatureProblem::DuplicateKey("01000001".to_owned()))
    );
    let line = json!({"type": "LineString", "coordinates": [[10, 54], [11, 55]]});
    let text = collection(&[good(), (json!({"AGS": "01000003", "GEN": "Line"}), line)]);
    assert_eq!(
        feature_problem(&text),
        (1, FeatureProblem::UnsupportedGeometry("LineString".to_owned()))
    );
}

#[test]
fn missing_geometry_names_the_feature() {
    let text = collection(&[(json!({"AGS": "01000001", "GEN": "X"}), json!(null))]);
    assert_eq!(feature_problem(&text), (0, FeatureProblem::MissingGeometry));
}

#[test]
fn projected_coordinates_are_rejected_with_a_hint() {
    let ring = json!([
        [568000.0, 6020000.0],
        [569000.0, 6020000.0],
        [569000.0, 6021000.0],
        [568000.0, 6020000.0]
    ]);
    let text = collection(&[(json!({"AGS": "01000001", "GEN": "UTM"}), polygon(&[ring]))]);
    let (index, problem) = feature_problem(&text);
    assert_eq!(index, 0);
    assert!(matches!(problem, FeatureProblem::NotWgs84 { .. }));
    assert!(problem.to_string().contains("EPSG:4326"));
}

#[test]
fn multipolygons_and_custom_property_names_import() {
    let multi = json!({"type": "MultiPolygon", "coordinates": [[square(54.0, 10.0, 0.5)], [square(55.0, 10.0, 0.5)]]});
    let text = collection(&[(json!({"KEY": "01000001", "NAME": "Islands"}), multi)]);
    let keys = BoundaryKeys {
        ags: "KEY".to_owned(),
        name: "NAME".to_owned(),
        administration: "ADMIN".to_owned(),
    };
    let b = Boundaries::from_geojson_with(&text, &keys).unwrap();
    assert!(b.locate(p(55.2, 10.2), 0.0).unwrap().responsible().is_some());
    // Between the two islands, about 0.5° of latitude from each: outside.
    assert!(b.locate(p(54.75, 10.25), 500.0).unwrap().responsible().is_none());
    // The default keys do not match this file.
    assert!(Boundaries::from_geojson(&text).is_err());
}

#[test]
fn the_administration_of_each_gemeinde_is_imported() {
    let amt = Ags::parse("010595937").unwrap();
    let langballig: Vec<&str> = gemeinden().served_by(&amt).map(|m| m.name()).collect();
    assert_eq!(
        langballig,
        [
            "Dollerup",
            "Grundhof",
            "Langballig",
            "Munkbrarup",
            "Ringsberg",
            "Wees",
            "Westerholz"
        ]
    );
    // An amtsfreie Stadt is its own administration, under a nine-digit key.
    let kiel = gemeinden().get(&Ags::parse("01002000").unwrap()).unwrap();
    assert_eq!(kiel.administration().map(Ags::as_str), Some("010020000"));
    // 84 Ämter and 88 amtsfreie Gemeinden: 172 administrations.
    let keys: std::collections::BTreeSet<_> = gemeinden().iter().filter_map(|m| m.administration()).collect();
    assert_eq!(keys.len(), 172);
}

#[test]
fn an_unusable_administration_key_is_refused_and_a_missing_one_is_none() {
    let text = collection(&[(
        json!({"AGS": "01000001", "GEN": "A", "VWG_ARS": "12x"}),
        json!({"type": "Polygon", "coordinates": [square(54.0, 10.0, 0.5)]}),
    )]);
    assert!(Boundaries::from_geojson(&text).is_err());
    let text = collection(&[(
        json!({"AGS": "01000001", "GEN": "A"}),
        json!({"type": "Polygon", "coordinates": [square(54.0, 10.0, 0.5)]}),
    )]);
    let b = Boundaries::from_geojson(&text).unwrap();
    assert!(b.iter().all(|m| m.administration().is_none()));
}
