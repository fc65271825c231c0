//! `Boundaries::locate` and the municipality lookups.

use augenmerk_domain::{Ags, AreaId};
use augenmerk_geo::{Areas, Boundaries, DEFAULT_TOLERANCE_M, GeoError, GeoPoint, Location, MunicipalityRef, Shape};
use geo::{Closest, Distance, Haversine, HaversineClosestPoint, Intersects, MultiPolygon, Point};
use rstest::rstest;
use serde_json::json;

use crate::helpers::{collection, gemeinden, p, polygon, square};

fn inside_ags(location: &Location) -> Option<&str> {
    match location {
        Location::Inside { municipality } => Some(municipality.ags.as_str()),
        _ => None,
    }
}

#[rstest]
#[case::kiel_rathaus(54.3233, 10.1394, "01002000", "Kiel")]
#[case::holstentor(53.8663, 10.6797, "01003000", "Lübeck")]
#[case::flensburg_suedermarkt(54.7816, 9.4366, "01001000", "Flensburg")]
#[case::neumuenster(54.0742, 9.9844, "01004000", "Neumünster")]
#[case::helgoland(54.1825, 7.8856, "01056025", "Helgoland")]
#[case::sylt_westerland(54.9079, 8.3033, "01054168", "Sylt")]
#[case::fehmarn_burg(54.4380, 11.1930, "01055046", "Fehmarn")]
#[case::ratzeburg(53.6997, 10.7727, "01053100", "Ratzeburg")]
#[case::schleswig_dom(54.5133, 9.5700, "01059075", "Schleswig")]
#[case::travemuende(53.9600, 10.8700, "01003000", "Lübeck")]
fn known_points_lie_inside(#[case] lat: f64, #[case] lon: f64, #[case] ags: &str, #[case] name: &str) {
    let location = gemeinden().locate(p(lat, lon), DEFAULT_TOLERANCE_M).unwrap();
    let Location::Inside { municipality } = location else {
        panic!("expected Inside, got {location:?}");
    };
    assert_eq!(municipality.ags.as_str(), ags);
    assert_eq!(municipality.name, name);
}

#[test]
fn point_in_the_flensburger_foerde_falls_to_flensburg_by_tolerance() {
    let location = gemeinden().locate(p(54.8000, 9.4350), DEFAULT_TOLERANCE_M).unwrap();
    let Location::WithinTolerance {
        municipality,
        distance_m,
    } = &location
    else {
        panic!("expected WithinTolerance, got {location:?}");
    };
    assert_eq!(municipality.ags.as_str(), "01001000");
    assert!((100.0..=500.0).contains(distance_m), "{distance_m} m");
    assert_eq!(location.responsible(), Some(municipality));
}

#[test]
fn the_same_foerde_point_is_outside_with_a_smaller_tolerance() {
    let location = gemeinden().locate(p(54.8000, 9.4350), 100.0).unwrap();
    let Location::Outside { nearest, distance_m } = &location else {
        panic!("expected Outside, got {location:?}");
    };
    assert_eq!(nearest.name, "Flensburg");
    assert!(*distance_m > 100.0);
    assert_eq!(location.responsible(), None);
}

#[rstest]
#[case::denmark(55.0000, 9.5000, "Glücksburg (Ostsee)")]
#[case::hamburg_rathaus(53.5507, 9.9929, "Schenefeld")]
#[case::north_sea(54.5000, 7.0000, "Helgoland")]
fn points_beyond_the_tolerance_are_outside_naming_the_nearest(
    #[case] lat: f64,
    #[case] lon: f64,
    #[case] nearest_name: &str,
) {
    let location = gemeinden().locate(p(lat, lon), DEFAULT_TOLERANCE_M).unwrap();
    let Location::Outside { nearest, distance_m } = location else {
        panic!("expected Outside, got {location:?}");
    };
    assert_eq!(nearest.name, nearest_name);
    assert!(distance_m > DEFAULT_TOLERANCE_M);
}

#[rstest]
#[case::nan_latitude(f64::NAN, 10.0)]
#[case::nan_longitude(54.0, f64::NAN)]
#[case::infinite(f64::INFINITY, 10.0)]
#[case::latitude_above_90(90.5, 10.0)]
#[case::latitude_below_minus_90(-91.0, 10.0)]
#[case::longitude_above_180(54.0, 180.1)]
#[case::longitude_below_minus_180(54.0, -200.0)]
#[case::swapped_utm_like(6_020_000.0, 568_000.0)]
fn invalid_coordinates_are_rejected(#[case] lat: f64, #[case] lon: f64) {
    assert!(matches!(
        gemeinden().locate(GeoPoint { lat, lon }, DEFAULT_TOLERANCE_M),
        Err(GeoError::InvalidCoordinate { .. })
    ));
}

#[test]
fn coordinates_on_the_limits_are_valid() {
    for (lat, lon) in [(90.0, 180.0), (-90.0, -180.0), (0.0, 0.0)] {
        let point = p(lat, lon);
        // Far from Schleswig-Holstein, yet answered, with the nearest municipality named.
        assert!(matches!(
            gemeinden().locate(point, DEFAULT_TOLERANCE_M).unwrap(),
            Location::Outside { .. }
        ));
    }
}

#[rstest]
#[case(-1.0)]
#[case(f64::NAN)]
#[case(f64::INFINITY)]
fn invalid_tolerance_is_rejected(#[case] tolerance_m: f64) {
    assert!(matches!(
        gemeinden().locate(p(54.3233, 10.1394), tolerance_m),
        Err(GeoError::InvalidTolerance { .. })
    ));
}

#[test]
fn location_serializes_with_a_kind_tag() {
    let location = gemeinden().locate(p(54.8000, 9.4350), DEFAULT_TOLERANCE_M).unwrap();
    let value = serde_json::to_value(&location).unwrap();
    assert_eq!(value["kind"], "within_tolerance");
    assert_eq!(
        value["municipality"],
        json!({"ags": "01001000", "name": "Flensburg", "administration": "010010000"})
    );
    assert!(value["distance_m"].is_f64());
    let back: Location = serde_json::from_value(value).unwrap();
    assert_eq!(back, location);
}

#[test]
fn municipality_lookup_by_ags() {
    let b = gemeinden();
    assert_eq!(b.len(), 1108);
    let kiel = b.get(&Ags::parse("01002000").unwrap()).unwrap();
    assert_eq!(kiel.name(), "Kiel");
    let rathaus = p(54.3233, 10.1394);
    assert!(rathaus.within(&kiel.bbox()));
    assert!(kiel.centroid().within(&kiel.bbox()));
    assert!(b.get(&Ags::parse("01999999").unwrap()).is_none());

    // The GeoJSON for clients is a valid geometry that holds the Rathaus.
    let text = kiel.geometry_geojson();
    let geometry: geojson::Geometry = text.parse().unwrap();
    assert!(matches!(
        geometry.value,
        geojson::GeometryValue::Polygon { .. } | geojson::GeometryValue::MultiPolygon { .. }
    ));
    let mut areas = Areas::new();
    let id = AreaId::parse("kiel").unwrap();
    areas
        .insert(id.clone(), "Kiel", Shape::from_geojson(&text).unwrap())
        .unwrap();
    assert!(areas.contains(&id, rathaus));
}

#[test]
fn municipalities_iterate_in_ags_order() {
    let keys: Vec<&str> = gemeinden().iter().map(|m| m.ags().as_str()).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn boundaries_are_of_gemeinden_so_kreise_are_refused() {
    // Keys are the domain's `Ags`: a Gemeinde (8 digits) or an administration (9); the
    // five-digit keys of Kreise name neither.
    let err = Boundaries::from_geojson(&crate::helpers::data_file("sh-kreise.geojson")).unwrap_err();
    assert!(matches!(err, GeoError::InvalidFeature { index: 0, .. }), "{err}");
}

#[test]
fn boundaries_are_built_from_parsed_municipalities() {
    // As the server builds its index from stored boundaries and a device from configurations.
    let kiel = gemeinden().get(&Ags::parse("01002000").unwrap()).unwrap();
    let flensburg = gemeinden().get(&Ags::parse("01001000").unwrap()).unwrap();
    let both = Boundaries::from_municipalities([
        (kiel.to_ref(), Shape::from_geojson(&kiel.geometry_geojson()).unwrap()),
        (flensburg.to_ref(), flensburg.shape().clone()),
    ])
    .unwrap();
    assert_eq!(both.len(), 2);
    assert_eq!(
        both.iter().next().map(|m| m.name()),
        Some("Flensburg"),
        "ordered by AGS"
    );
    let location = both.locate(p(54.3233, 10.1394), DEFAULT_TOLERANCE_M).unwrap();
    assert_eq!(inside_ags(&location), Some("01002000"));
    assert_eq!(
        location
            .responsible()
            .and_then(|m| m.administration.as_ref())
            .map(Ags::as_str),
        Some("010020000")
    );

    let twice = Boundaries::from_municipalities([
        (kiel.to_ref(), kiel.shape().clone()),
        (kiel.to_ref(), kiel.shape().clone()),
    ]);
    assert!(matches!(twice, Err(GeoError::InvalidMunicipality { .. })));
    let none: [(MunicipalityRef, Shape); 0] = [];
    assert!(matches!(
        Boundaries::from_municipalities(none),
        Err(GeoError::NoFeatures)
    ));
}

/// Exact nearest by brute force with geo's own `HaversineClosestPoint`, to cross-check
/// the index search and our vector distances.
fn brute_force_nearest(all: &[(String, MultiPolygon<f64>)], point: GeoPoint) -> Vec<(String, f64)> {
    let from = Point::new(point.lon, point.lat);
    all.iter()
        .map(|(ags, mp)| {
            let d = if mp.intersects(&from) {
                0.0
            } else {
                match mp.haversine_closest_point(&from) {
                    Closest::SinglePoint(q) | Closest::Intersection(q) => Haversine.distance(from, q),
                    Closest::Indeterminate => f64::INFINITY,
                }
            };
            (ags.clone(), d)
        })
        .collect()
}

#[test]
fn nearest_agrees_with_brute_force_over_all_municipalities() {
    let b = gemeinden();
    let all: Vec<(String, MultiPolygon<f64>)> = b
        .iter()
        .map(|m| {
            let g: geojson::Geometry = m.geometry_geojson().parse().unwrap();
            let mp = match geo::Geometry::<f64>::try_from(g).unwrap() {
                geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
                geo::Geometry::MultiPolygon(mp) => mp,
                other => panic!("unexpected {other:?}"),
            };
            (m.ags().to_string(), mp)
        })
        .collect();
    // A coarse grid over the state and its surroundings, plus coastal points.
    let mut points: Vec<GeoPoint> = (0..10)
        .flat_map(|i| (0..10).map(move |j| (53.2 + 0.2 * f64::from(i), 7.6 + 0.42 * f64::from(j))))
        .map(|(lat, lon)| p(lat, lon))
        .collect();
    points.extend([
        p(54.8000, 9.4350),
        p(55.0, 9.5),
        p(54.33, 10.17),
        p(54.45, 10.25),
        p(53.95, 10.9),
    ]);
    let mut outside_checked = 0;
    for point in points {
        let truth = brute_force_nearest(&all, point);
        let min = truth.iter().map(|t| t.1).fold(f64::INFINITY, f64::min);
        let (ags, distance_m) = match b.locate(point, DEFAULT_TOLERANCE_M).unwrap() {
            Location::Inside { municipality } => (municipality.ags, 0.0),
            Location::WithinTolerance {
                municipality,
                distance_m,
            } => (municipality.ags, distance_m),
            Location::Outside { nearest, distance_m } => {
                outside_checked += 1;
                (nearest.ags, distance_m)
            }
        };
        let of_ours = truth.iter().find(|t| t.0 == ags.as_str()).unwrap().1;
        assert!(
            (distance_m - min).abs() < 0.05 && (of_ours - min).abs() < 0.05,
            "{point:?}: we say {ags} at {distance_m} m, brute force minimum {min} m ({ags} at {of_ours} m)"
        );
    }
    assert!(outside_checked > 20, "the grid should reach beyond the state");
}

#[test]
fn overlapping_polygons_resolve_to_the_smallest_then_the_lowest_ags() {
    let text = collection(&[
        (
            json!({"AGS": "01000003", "GEN": "Big"}),
            polygon(&[square(54.0, 10.0, 1.0)]),
        ),
        (
            json!({"AGS": "01000002", "GEN": "Small"}),
            polygon(&[square(54.4, 10.4, 0.2)]),
        ),
        (
            json!({"AGS": "01000001", "GEN": "Small twin"}),
            polygon(&[square(54.4, 10.4, 0.2)]),
        ),
    ]);
    let b = Boundaries::from_geojson(&text).unwrap();
    let in_small = b.locate(p(54.5, 10.5), 0.0).unwrap();
    assert_eq!(inside_ags(&in_small), Some("01000001"));
    let in_big_only = b.locate(p(54.1, 10.1), 0.0).unwrap();
    assert_eq!(inside_ags(&in_big_only), Some("01000003"));
}

#[test]
fn equally_near_municipalities_resolve_to_the_lowest_ags() {
    // Two squares sharing the meridian 10.5°, the point due north of their shared corner.
    let text = collection(&[
        (
            json!({"AGS": "01000002", "GEN": "East"}),
            polygon(&[square(54.0, 10.5, 0.5)]),
        ),
        (
            json!({"AGS": "01000001", "GEN": "West"}),
            polygon(&[square(54.0, 10.0, 0.5)]),
        ),
    ]);
    let b = Boundaries::from_geojson(&text).unwrap();
    let Location::Outside { nearest, .. } = b.locate(p(55.0, 10.5), 0.0).unwrap() else {
        panic!("expected Outside");
    };
    assert_eq!(nearest.ags.as_str(), "01000001");
}

#[test]
fn a_point_in_a_hole_is_not_inside_and_measures_to_the_hole() {
    // A 1° square with a 0.2° hole in the middle (hole edges ~0.1° = ~11 km from its centre).
    let text = collection(&[(
        json!({"AGS": "01000001", "GEN": "Ring"}),
        polygon(&[square(54.0, 10.0, 1.0), square(54.4, 10.4, 0.2)]),
    )]);
    let b = Boundaries::from_geojson(&text).unwrap();
    let Location::Outside { distance_m, .. } = b.locate(p(54.5, 10.5), 500.0).unwrap() else {
        panic!("expected Outside");
    };
    // Nearest hole edge: 0.1° of longitude at 54.5° N, about 6.46 km.
    assert!((6_000.0..7_000.0).contains(&distance_m), "{distance_m}");
    let location = b.locate(p(54.5, 10.5), 10_000.0).unwrap();
    assert!(matches!(location, Location::WithinTolerance { .. }));
}

#[test]
fn boundary_points_count_as_inside() {
    let text = collection(&[(
        json!({"AGS": "01000001", "GEN": "Square"}),
        polygon(&[square(54.0, 10.0, 1.0)]),
    )]);
    let b = Boundaries::from_geojson(&text).unwrap();
    assert_eq!(inside_ags(&b.locate(p(54.0, 10.5), 0.0).unwrap()), Some("01000001"));
    assert_eq!(inside_ags(&b.locate(p(55.0, 11.0), 0.0).unwrap()), Some("01000001"));
}
