//! `Areas`: Flensburg's Stadtteile and statistical districts, and incremental building.

use augenmerk_domain::AreaId;
use augenmerk_geo::{AreaKeys, Areas, FeatureProblem, GeoError, Shape};
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
    // The file's id `STGT01` became a slug.
    assert_eq!(hits[0].id.as_str(), "stgt01");
    assert_eq!(hits[0].name, "Altstadt");
    assert!(a.contains(&id("stgt01"), p(54.7816, 9.4366)));
    assert!(!a.contains(&id("stgt03"), p(54.7816, 9.4366)));
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
        single
            .insert(area.id().clone(), area.name(), Shape::from_geojson(&text).unwrap())
            .unwrap();
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
            all.insert(area.id().clone(), area.name(), area.shape().clone())
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
    let geometry = Shape::from_geojson_value(&polygon(&[square(54.0, 10.0, 1.0)])).unwrap();
    a.insert(id("a1"), "One", geometry.clone()).unwrap();
    let err = a.insert(id("a1"), "Again", geometry).unwrap_err();
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
fn unusable_geometry_is_refused(#[case] geometry: &str) {
    assert!(Shape::from_geojson(geometry).is_err(), "{geometry}");
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(geometry) {
        assert!(Shape::from_geojson_value(&value).is_err(), "{geometry}");
    }
}

#[test]
fn a_blank_name_and_an_id_without_letters_are_refused() {
    let mut a = Areas::new();
    let geometry = Shape::from_geojson_value(&polygon(&[square(54.0, 10.0, 1.0)])).unwrap();
    assert!(a.insert(id("x"), "  ", geometry).is_err());
    let text = collection(&[(
        json!({"id": " – ", "name": "Nothing"}),
        polygon(&[square(54.0, 10.0, 1.0)]),
    )]);
    assert!(matches!(
        Areas::from_geojson(&text),
        Err(GeoError::InvalidFeature {
            index: 0,
            problem: FeatureProblem::InvalidProperty { .. }
        })
    ));
}

#[test]
fn areas_are_built_from_parsed_features() {
    // As the server builds a municipality's areas from its stored definitions.
    let square_at = |lat: f64| Shape::from_geojson_value(&polygon(&[square(lat, 10.0, 1.0)])).unwrap();
    let areas = Areas::from_features([
        (id("nord"), "Nord", square_at(55.0)),
        (id("sued"), "Süd", square_at(54.0)),
    ])
    .unwrap();
    assert_eq!(areas.len(), 2);
    let hits: Vec<String> = areas.containing(p(54.5, 10.5)).into_iter().map(|a| a.name).collect();
    assert_eq!(hits, ["Süd"]);
    assert!(areas.contains(&id("nord"), p(55.5, 10.5)));
    // An invalid point lies in no area.
    let nowhere = augenmerk_geo::GeoPoint { lat: 91.0, lon: 10.5 };
    assert!(areas.containing(nowhere).is_empty() && !areas.contains(&id("nord"), nowhere));

    let twice = Areas::from_features([
        (id("nord"), "Nord", square_at(55.0)),
        (id("nord"), "Auch Nord", square_at(54.0)),
    ]);
    assert!(matches!(
        twice,
        Err(GeoError::InvalidArea {
            problem: FeatureProblem::DuplicateKey(_),
            ..
        })
    ));
}
