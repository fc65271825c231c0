//! Who takes reports at a place, from the municipalities' public configurations that a
//! device cached: the same answer the server's `GET /api/v1/responsibility` gives, for
//! the app's offline client and the web page without network alike (no I/O here).
//!
//! A configuration is an administration's: an amtsfreie Gemeinde or Stadt with its own
//! boundary, or an Amt that lists its Gemeinden, each with its boundary. A Gemeinde of an
//! Amt carries the Amt's key as its administration, so a lookup names both.

use std::collections::{BTreeMap, HashSet};

use thiserror::Error;

use augenmerk_domain::public::{AdministrationRef, Delivery, MunicipalityConfig, Responsibility};
use augenmerk_domain::{Ags, GeoPoint};

use crate::{Boundaries, FeatureProblem, GeoError, Location, MunicipalityRef, Shape};

/// Why no boundaries could be built from the cached configurations.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ConfigBoundaryError {
    /// No configuration has a boundary (nothing cached yet).
    #[error("no cached configuration has a boundary")]
    NoBoundaries,
    /// A boundary in a configuration is not a usable polygon.
    #[error("municipality {ags}: {problem}")]
    Unusable {
        /// The Gemeinde whose boundary it is.
        ags: Ags,
        /// What is wrong with it.
        problem: FeatureProblem,
    },
    /// The boundaries do not form a lookup.
    #[error(transparent)]
    Geo(#[from] GeoError),
}

/// Why a place has no responsible Gemeinde.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PlaceError {
    /// The point or the tolerance is not usable.
    #[error("invalid point: {0}")]
    Invalid(GeoError),
    /// The place lies farther than the tolerance from every cached Gemeinde.
    #[error("the place lies {distance_m} m outside {}, the nearest municipality", nearest.name)]
    Outside {
        /// The nearest Gemeinde.
        nearest: MunicipalityRef,
        /// Metres to its boundary, rounded.
        distance_m: f64,
    },
}

/// The Gemeinde a place lies in and the administration that serves it.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The administration's key: the Amt's, or the Gemeinde's own.
    pub administration: Ags,
    /// The Gemeinde.
    pub gemeinde: MunicipalityRef,
    /// 0 inside the Gemeinde; otherwise metres outside it (within the tolerance), rounded.
    pub distance_m: f64,
}

/// The boundaries of the configurations' Gemeinden: one feature per Gemeinde of an Amt
/// (with the Amt's key as its administration), one for an administration that serves a
/// single Gemeinde.
///
/// A Gemeinde listed twice (a directory entry beside the platform's tenant that replaced
/// it) belongs to the tenant; among others the smaller administration key wins, so the
/// answer does not depend on the order the configurations come in.
pub fn boundaries_from_configs<'a>(
    configs: impl IntoIterator<Item = &'a MunicipalityConfig>,
) -> Result<Boundaries, ConfigBoundaryError> {
    let mut configs: Vec<&MunicipalityConfig> = configs.into_iter().collect();
    configs.sort_by(|a, b| (a.delivery != Delivery::Platform, &a.ags).cmp(&(b.delivery != Delivery::Platform, &b.ags)));
    let mut seen = HashSet::new();
    let mut features: Vec<(MunicipalityRef, Shape)> = Vec::new();
    let shape = |ags: &Ags, geometry: &serde_json::Value| {
        Shape::from_geojson_value(geometry).map_err(|problem| ConfigBoundaryError::Unusable {
            ags: ags.clone(),
            problem,
        })
    };
    for m in configs {
        if m.gemeinden.is_empty() {
            if let Some(geometry) = &m.boundary
                && seen.insert(m.ags.clone())
            {
                let gemeinde = MunicipalityRef {
                    ags: m.ags.clone(),
                    name: m.name.clone(),
                    administration: None,
                };
                features.push((gemeinde, shape(&m.ags, geometry)?));
            }
            continue;
        }
        for g in &m.gemeinden {
            if let Some(geometry) = &g.boundary
                && seen.insert(g.ags.clone())
            {
                let gemeinde = MunicipalityRef {
                    ags: g.ags.clone(),
                    name: g.name.clone(),
                    administration: Some(m.ags.clone()),
                };
                features.push((gemeinde, shape(&g.ags, geometry)?));
            }
        }
    }
    if features.is_empty() {
        return Err(ConfigBoundaryError::NoBoundaries);
    }
    Ok(Boundaries::from_municipalities(features)?)
}

/// The Gemeinde of a point in boundaries built by [`boundaries_from_configs`], as the
/// server rounds it: inside, or within `tolerance_m`; else [`PlaceError::Outside`].
pub fn place(boundaries: &Boundaries, point: GeoPoint, tolerance_m: f64) -> Result<Placed, PlaceError> {
    let (gemeinde, distance_m) = match boundaries.locate(point, tolerance_m).map_err(PlaceError::Invalid)? {
        Location::Inside { municipality } => (municipality, 0.0),
        Location::WithinTolerance {
            municipality,
            distance_m,
        } => (municipality, distance_m.round()),
        Location::Outside { nearest, distance_m } => {
            return Err(PlaceError::Outside {
                nearest,
                distance_m: distance_m.round(),
            });
        }
    };
    let administration = gemeinde.administration.clone().unwrap_or_else(|| gemeinde.ags.clone());
    Ok(Placed {
        administration,
        gemeinde,
        distance_m,
    })
}

/// The Gemeinden a report at a point may be filed under: first the one [`place`] names,
/// then, near a border, every other Gemeinde within `tolerance_m` of the point whose
/// administration differs (nearest first, equal distances by AGS). Within one
/// administration the choice would not change who handles the report, so one Gemeinde
/// per administration is offered.
///
/// The server checks a report's chosen municipality against this list, and the offline
/// lookups offer the same choice.
pub fn candidates(boundaries: &Boundaries, point: GeoPoint, tolerance_m: f64) -> Result<Vec<Placed>, PlaceError> {
    let first = place(boundaries, point, tolerance_m)?;
    let near = boundaries.within(point, tolerance_m).map_err(PlaceError::Invalid)?;
    let mut all = vec![first];
    for (m, distance_m) in near {
        let gemeinde = m.to_ref();
        let administration = gemeinde.administration.clone().unwrap_or_else(|| gemeinde.ags.clone());
        if all.iter().any(|p| p.administration == administration) {
            continue;
        }
        all.push(Placed {
            administration,
            gemeinde,
            distance_m: distance_m.round(),
        });
    }
    Ok(all)
}

/// What a place's answer needs of its administration's configuration.
#[derive(Debug, Clone, PartialEq)]
struct Administration {
    name: String,
    serves_several: bool,
    delivery: Delivery,
}

/// The cached configurations' boundaries and administrations, built once per set of
/// configurations, answering as the server does.
#[derive(Debug)]
pub struct Responsibilities {
    boundaries: Boundaries,
    administrations: BTreeMap<Ags, Administration>,
}

impl Responsibilities {
    /// Builds the lookup from the cached configurations.
    pub fn from_configs<'a>(
        configs: impl IntoIterator<Item = &'a MunicipalityConfig>,
    ) -> Result<Self, ConfigBoundaryError> {
        let configs: Vec<&MunicipalityConfig> = configs.into_iter().collect();
        let boundaries = boundaries_from_configs(configs.iter().copied())?;
        let administrations = configs
            .iter()
            .map(|c| {
                let a = Administration {
                    name: c.name.clone(),
                    serves_several: c.gemeinden.len() > 1,
                    delivery: c.delivery.clone(),
                };
                (c.ags.clone(), a)
            })
            .collect();
        Ok(Self {
            boundaries,
            administrations,
        })
    }

    /// The answer of `GET /api/v1/responsibility` for a point: the Gemeinde it lies in,
    /// and near a border the neighbours ([`candidates`]) that take reports.
    pub fn locate(&self, point: GeoPoint, tolerance_m: f64) -> Result<Responsibility, PlaceError> {
        let mut all = candidates(&self.boundaries, point, tolerance_m)?.into_iter();
        let Some(first) = all.next() else {
            // Unreachable: `candidates` always names the place's own Gemeinde first.
            return Err(PlaceError::Invalid(GeoError::NoFeatures));
        };
        let mut answer = self.responsibility(first);
        answer.alternatives = all.map(|p| self.responsibility(p)).filter(|r| r.active).collect();
        Ok(answer)
    }

    /// The answer for one Gemeinde, without alternatives.
    fn responsibility(&self, placed: Placed) -> Responsibility {
        let administration = self.administrations.get(&placed.administration);
        // Only administrations that take reports are cached; one missing is served by nobody.
        let delivery = administration.map_or(Delivery::Refused, |a| a.delivery.clone());
        Responsibility {
            ags: placed.gemeinde.ags,
            name: placed.gemeinde.name,
            distance_m: placed.distance_m,
            active: delivery != Delivery::Refused,
            administration: administration.map(|a| AdministrationRef {
                key: placed.administration.clone(),
                name: a.name.clone(),
                serves_several: a.serves_several,
            }),
            delivery,
            alternatives: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use augenmerk_domain::public::GemeindeInfo;
    use serde_json::json;

    use super::*;

    /// A square of `size` degrees with its south-west corner at (lat, lon).
    fn square(lat: f64, lon: f64, size: f64) -> serde_json::Value {
        json!({"type": "Polygon", "coordinates": [[
            [lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]
        ]]})
    }

    fn ags(s: &str) -> Ags {
        Ags::parse(s).expect("valid AGS")
    }

    fn config(key: &str, name: &str, delivery: Delivery) -> MunicipalityConfig {
        serde_json::from_value(json!({
            "ags": key, "name": name, "categories": {"categories": []}, "version": "1",
        }))
        .map(|c: MunicipalityConfig| MunicipalityConfig { delivery, ..c })
        .expect("a minimal configuration")
    }

    /// Flensburg (one Gemeinde, on the platform) and Amt Langballig (Wees and Munkbrarup),
    /// whose Wees is also a directory entry of its own, mailed.
    fn configs() -> Vec<MunicipalityConfig> {
        let mut flensburg = config("01001000", "Flensburg", Delivery::Platform);
        flensburg.boundary = Some(square(54.0, 9.0, 0.1));
        let mut amt = config("01059000", "Amt Langballig", Delivery::Platform);
        amt.gemeinden = vec![
            GemeindeInfo {
                ags: ags("01059001"),
                name: "Wees".into(),
                boundary: Some(square(54.0, 10.0, 0.1)),
            },
            GemeindeInfo {
                ags: ags("01059002"),
                name: "Munkbrarup".into(),
                // Adjoins Wees to the north: same Amt.
                boundary: Some(square(54.1, 10.0, 0.1)),
            },
        ];
        let mut wees_mail = config("01059001", "Wees (Verzeichnis)", Delivery::Mail { to: "Wees".into() });
        wees_mail.boundary = Some(square(54.0, 10.0, 0.1));
        // The directory entry first: the tenant must still win.
        vec![wees_mail, flensburg, amt]
    }

    fn point(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::parse(lat, lon).expect("valid point")
    }

    #[test]
    fn an_amtsfreie_gemeinde_is_its_own_administration() {
        let r = Responsibilities::from_configs(&configs()).expect("built");
        let answer = r.locate(point(54.05, 9.05), 500.0).expect("inside");
        assert_eq!(answer.ags, ags("01001000"));
        assert_eq!(answer.distance_m, 0.0);
        assert!(answer.active);
        assert_eq!(answer.delivery, Delivery::Platform);
        let admin = answer.administration.expect("administration");
        assert_eq!(
            (admin.key, admin.name.as_str(), admin.serves_several),
            (ags("01001000"), "Flensburg", false)
        );
    }

    #[test]
    fn a_gemeinde_of_an_amt_carries_the_amts_key_and_the_tenant_wins_over_the_directory() {
        let r = Responsibilities::from_configs(&configs()).expect("built");
        let answer = r.locate(point(54.05, 10.05), 500.0).expect("inside");
        assert_eq!((answer.ags, answer.name.as_str()), (ags("01059001"), "Wees"));
        let admin = answer.administration.expect("administration");
        assert_eq!((admin.key, admin.serves_several), (ags("01059000"), true));
        assert_eq!(answer.delivery, Delivery::Platform);
    }

    #[test]
    fn near_a_boundary_the_distance_is_rounded_and_far_away_is_outside() {
        let boundaries = boundaries_from_configs(&configs()).expect("built");
        // About 111 m north of Flensburg's northern edge (54.1°).
        let near = place(&boundaries, point(54.101, 9.05), 500.0).expect("within the tolerance");
        assert_eq!(near.administration, ags("01001000"));
        assert!(
            near.distance_m > 100.0 && near.distance_m < 125.0,
            "{}",
            near.distance_m
        );
        assert_eq!(near.distance_m, near.distance_m.round());
        match place(&boundaries, point(54.05, 9.5), 500.0) {
            Err(PlaceError::Outside { nearest, distance_m }) => {
                assert_eq!(nearest.ags, ags("01001000"));
                assert!(distance_m > 20_000.0, "{distance_m}");
                assert_eq!(distance_m, distance_m.round());
            }
            other => panic!("outside expected: {other:?}"),
        }
    }

    /// Harrislee, amtsfrei and mailed, adjoining Flensburg to the north (the edge at 54.1°).
    fn with_harrislee(delivery: Delivery) -> Vec<MunicipalityConfig> {
        let mut harrislee = config("01059183", "Harrislee", delivery);
        harrislee.boundary = Some(square(54.1, 9.0, 0.1));
        let mut all = configs();
        all.push(harrislee);
        all
    }

    #[test]
    fn inside_near_a_border_the_neighbour_is_a_candidate_after_the_own_gemeinde() {
        let boundaries = boundaries_from_configs(&with_harrislee(Delivery::Platform)).expect("built");
        // About 111 m south of the shared edge: in Flensburg, within 500 m of Harrislee.
        let near = candidates(&boundaries, point(54.099, 9.05), 500.0).expect("placed");
        let keys: Vec<(&str, f64)> = near.iter().map(|p| (p.gemeinde.ags.as_str(), p.distance_m)).collect();
        assert_eq!(keys.len(), 2, "{keys:?}");
        assert_eq!(keys[0], ("01001000", 0.0));
        assert_eq!(keys[1].0, "01059183");
        assert!(keys[1].1 > 100.0 && keys[1].1 < 125.0, "{keys:?}");
        // Deep inside: only the own Gemeinde.
        let inside = candidates(&boundaries, point(54.05, 9.05), 500.0).expect("placed");
        assert_eq!(inside.len(), 1);
        // The first candidate is always what `place` answers.
        assert_eq!(
            candidates(&boundaries, point(54.101, 9.05), 500.0).expect("placed")[0],
            place(&boundaries, point(54.101, 9.05), 500.0).expect("placed")
        );
    }

    #[test]
    fn outside_every_boundary_all_gemeinden_within_the_tolerance_are_candidates_nearest_first() {
        let boundaries = boundaries_from_configs(&with_harrislee(Delivery::Platform)).expect("built");
        // Just east of the shared corner at (54.1°, 9.1°), a little nearer Flensburg.
        let near = candidates(&boundaries, point(54.0995, 9.102), 500.0).expect("within the tolerance");
        let keys: Vec<&str> = near.iter().map(|p| p.gemeinde.ags.as_str()).collect();
        assert_eq!(keys, ["01001000", "01059183"]);
        assert!(near.iter().all(|p| p.distance_m > 0.0), "{near:?}");
        assert!(near[0].distance_m <= near[1].distance_m, "{near:?}");
    }

    #[test]
    fn a_neighbour_of_the_same_administration_is_no_choice() {
        let boundaries = boundaries_from_configs(&configs()).expect("built");
        // In Wees, 111 m from Munkbrarup: both are Amt Langballig's.
        let near = candidates(&boundaries, point(54.099, 10.05), 500.0).expect("placed");
        assert_eq!(near.len(), 1, "{near:?}");
        assert_eq!(near[0].administration, ags("01059000"));
    }

    #[test]
    fn the_lookup_offers_neighbours_that_take_reports_and_no_others() {
        let r =
            Responsibilities::from_configs(&with_harrislee(Delivery::Mail { to: "Harrislee".into() })).expect("built");
        let answer = r.locate(point(54.099, 9.05), 500.0).expect("inside");
        assert_eq!(answer.ags, ags("01001000"));
        assert_eq!(answer.alternatives.len(), 1);
        let alternative = &answer.alternatives[0];
        assert_eq!((alternative.ags.as_str(), alternative.active), ("01059183", true));
        assert_eq!(alternative.delivery, Delivery::Mail { to: "Harrislee".into() });
        assert!(alternative.alternatives.is_empty());
        assert!(alternative.distance_m > 100.0);

        let refused = Responsibilities::from_configs(&with_harrislee(Delivery::Refused)).expect("built");
        let answer = refused.locate(point(54.099, 9.05), 500.0).expect("inside");
        assert!(answer.alternatives.is_empty(), "{answer:?}");
        // Far from any border: none.
        assert!(
            r.locate(point(54.05, 9.05), 500.0)
                .expect("inside")
                .alternatives
                .is_empty()
        );
    }

    #[test]
    fn without_boundaries_nothing_is_built_and_a_bad_one_is_named() {
        assert_eq!(
            boundaries_from_configs(&[config("01001000", "Flensburg", Delivery::Platform)]).err(),
            Some(ConfigBoundaryError::NoBoundaries)
        );
        let mut bad = config("01001000", "Flensburg", Delivery::Platform);
        bad.boundary = Some(json!({"type": "Point", "coordinates": [9.0, 54.0]}));
        assert!(matches!(
            boundaries_from_configs(&[bad]),
            Err(ConfigBoundaryError::Unusable { ags: a, .. }) if a == ags("01001000")
        ));
    }
}
