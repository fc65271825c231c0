//! `Areas`: Flensburg's Stadtteile and statistical districts, and incremental building.

use augenmerk_geo::{AreaId, AreaKeys, Areas, FeatureProblem, GeoError};
use rstest::rstest;
use serde_json::json;

use crate::helpers::{collection, data_file, p, polygon, square, stadtteile};

fn id(text: &str) -> AreaId {
    AreaId::parse(text).unwrap()
}

#[test]
fn suedermarkt_lies_in_the_altstadt() {
    let a = stadtteile();
    assert_eq!(a.len(), 13);
    let hits = a.containing(p(54.7816, 9.4366));
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id.as_str(), "STGT01");
    assert_eq!(hits[0].name, "Altstadt");
    assert!(a.contains(&id("STGT01"), p(54.7816, 9.4366)));
    assert!(!a.contains(&id("STGT03"), p(54.7816, 9.4366)));
    assert!(!a.contains(&id("no-such-area"), p(54.7816, 9.4366)));
}

#[rstest]
#[case::kiel(54.3233, 10.1394)]
#[case::foerde(54.8000, 9.4350)]
fn points_outside_flensburg_lie_in_no_stadtteil(#[case] lat: f64, #[case] lon: f64) {
    assert!(stadtteile().containing(p(lat, lon)).is_empty());
}

#[test]
fn every_stadtteil_round_trips_through_its_geojson_text() {
    // The server stores each area's geometry as text and rebuilds the set from it.
    for area in stadtteile().iter() {
        let text = area.geometry_geojson();
        let mut single = Areas::new();
        single.insert(area.id().clone(), area.name(), &text).unwrap();
        assert_eq!(single.get(area.id()).unwrap().bbox(), area.bbox());
    }
}

#[test]
fn nested_areas_come_smallest_first() {
    // Stadtteile and statistical districts in one set, built incrementally as the server does.
    let mut all = Areas::new();
    for source in [
        Areas::from_geojson(&data_file("flensburg-stadtteile.geojson")).unwrap(),
        Areas::from_geojson(&data_file("flensburg-statistische-bezirke.geojson")).unwrap(),
    ] {
        for area in source.iter() {
            all.insert(area.id().clone(), area.name(), &area.geometry_geojson())
                .unwrap();
        }
    }
    assert_eq!(all.len(), 13 + 41);
    let names: Vec<String> = all.containing(p(54.7816, 9.4366)).into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["St. Nikolai", "Altstadt"]);
}

#[test]
fn custom_keys_and_integer_ids() {
    let text = collection(&[(json!({"nr": 7, "label": "Hafen"}), polygon(&[square(54.0, 10.0, 1.0)]))]);
    let keys = AreaKeys {
        id: "nr".to_owned(),
        name: "label".to_owned(),
    };
    let a = Areas::from_geojson_with(&text, &keys).unwrap();
    assert!(a.contains(&id("7"), p(54.5, 10.5)));
}

#[test]
fn insert_rejects_a_duplicate_id() {
    let mut a = Areas::new();
    let geometry = polygon(&[square(54.0, 10.0, 1.0)]).to_string();
    a.insert(id("A1"), "One", &geometry).unwrap();
    let err = a.insert(id("A1"), "Again", &geometry).unwrap_err();
    assert!(matches!(
        err,
        GeoError::InvalidArea {
            problem: FeatureProblem::DuplicateKey(_),
            ..
        }
    ));
    assert_eq!(a.len(), 1);
}

#[rstest]
#[case::not_json("{\"type\": \"Polygon\", ")]
#[case::line_string(r#"{"type": "LineString", "coordinates": [[10, 54], [11, 55]]}"#)]
#[case::a_feature(r#"{"type": "Feature", "properties": {}, "geometry": null}"#)]
#[case::open_ring(r#"{"type": "Polygon", "coordinates": [[[10, 54], [11, 54], [10, 54]]]}"#)]
#[case::no_rings(r#"{"type": "Polygon", "coordinates": []}"#)]
#[case::projected(r#"{"type": "Polygon", "coordinates": [[[568000, 6020000], [569000, 6020000], [569000, 6021000], [568000, 6020000]]]}"#)]
fn insert_rejects_unusable_geometry(#[case] geometry: &str) {
    let mut a = Areas::new();
    let err = a.insert(id("X"), "X", geometry).unwrap_err();
    assert!(matches!(err, GeoError::InvalidArea { .. }), "{err:?}");
    assert!(a.is_empty());
}

#[test]
fn insert_rejects_a_blank_name_and_ids_must_not_be_blank() {
    let mut a = Areas::new();
    let geometry = polygon(&[square(54.0, 10.0, 1.0)]).to_string();
    assert!(a.insert(id("X"), "  ", &geometry).is_err());
    assert!(matches!(AreaId::parse(" "), Err(GeoError::EmptyAreaId)));
}
