//! The responsibility finder: municipality boundaries keyed by their [`Ags`]
//! (eight digits; the administration that serves one has a nine-digit key), and
//! [`Boundaries::locate`], which names the municipality responsible for a point.
//!
//! Rules of [`Boundaries::locate`], in order:
//! 1. The point lies in (or on the boundary of) one or more polygons →
//!    [`Location::Inside`]. Overlapping polygons are data errors; the one with the
//!    smallest area wins (an enclave drawn without a hole in its surrounding
//!    municipality resolves to the enclave), ties going to the lowest AGS.
//! 2. Else the nearest polygon lies within the tolerance →
//!    [`Location::WithinTolerance`]: boundary data leaves water out (harbours,
//!    the Förde), so a report from a quay or a pier is still routed.
//! 3. Else [`Location::Outside`], naming the nearest municipality.
//!
//! "Nearest" is exact: the distance to the closest point of each candidate's
//! boundary on the sphere, over a search area widened until no farther polygon
//! can be closer; distances within 1 mm of each other count as equal, and then
//! the lowest AGS wins.

use std::collections::BTreeMap;

use augenmerk_domain::Ags;
use serde::{Deserialize, Serialize};

use crate::import::{feature_geometry, parse_features, string_property};
use crate::index::{HasShape, Shape, ShapeIndex};
use crate::{BoundingBox, FeatureProblem, GeoError, GeoPoint};

/// Default tolerance of [`Boundaries::locate`] in metres for points off every polygon.
pub const DEFAULT_TOLERANCE_M: f64 = 500.0;

/// Names of the GeoJSON properties holding a municipality's key, name and administration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryKeys {
    /// Property with the [`Ags`]; BKG data: `"AGS"`.
    pub ags: String,
    /// Property with the name; BKG data: `"GEN"`.
    pub name: String,
    /// Optional property with the key of the administration that serves the
    /// municipality (its Amt, or itself when amtsfrei); BKG data: `"VWG_ARS"`.
    pub administration: String,
}

impl Default for BoundaryKeys {
    fn default() -> Self {
        Self {
            ags: "AGS".to_owned(),
            name: "GEN".to_owned(),
            administration: "VWG_ARS".to_owned(),
        }
    }
}

/// A municipality's key and name, as returned by lookups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MunicipalityRef {
    /// The municipality's key.
    pub ags: Ags,
    /// The municipality's name, e.g. "Kiel".
    pub name: String,
    /// The key of the administration that serves it, if the data names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub administration: Option<Ags>,
}

/// The answer of [`Boundaries::locate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    /// The point lies in this municipality (boundary included).
    Inside {
        /// The municipality.
        municipality: MunicipalityRef,
    },
    /// The point lies in no municipality, but this one is nearest and within the tolerance.
    WithinTolerance {
        /// The nearest municipality.
        municipality: MunicipalityRef,
        /// Distance to its boundary in metres.
        distance_m: f64,
    },
    /// The point lies farther than the tolerance from every municipality.
    Outside {
        /// The nearest municipality, for the message to the user.
        nearest: MunicipalityRef,
        /// Distance to its boundary in metres.
        distance_m: f64,
    },
}

impl Location {
    /// The responsible municipality: inside or within tolerance; `None` if outside.
    pub fn responsible(&self) -> Option<&MunicipalityRef> {
        match self {
            Self::Inside { municipality } | Self::WithinTolerance { municipality, .. } => Some(municipality),
            Self::Outside { .. } => None,
        }
    }
}

/// One municipality: key, name and geometry.
#[derive(Debug, Clone)]
pub struct Municipality {
    ags: Ags,
    name: String,
    administration: Option<Ags>,
    shape: Shape,
}

impl Municipality {
    /// The key.
    pub fn ags(&self) -> &Ags {
        &self.ags
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key of the administration that serves it (its Amt, or itself when amtsfrei).
    pub fn administration(&self) -> Option<&Ags> {
        self.administration.as_ref()
    }

    /// The bounding box.
    pub fn bbox(&self) -> BoundingBox {
        self.shape.bbox()
    }

    /// The centroid in longitude/latitude (may lie outside a concave or multi-part shape).
    pub fn centroid(&self) -> GeoPoint {
        self.shape.centroid()
    }

    /// The geometry.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// The geometry as GeoJSON geometry text (Polygon or MultiPolygon), for clients.
    pub fn geometry_geojson(&self) -> String {
        self.shape.to_geojson()
    }

    /// Key and name.
    pub fn to_ref(&self) -> MunicipalityRef {
        MunicipalityRef {
            ags: self.ags.clone(),
            name: self.name.clone(),
            administration: self.administration.clone(),
        }
    }
}

impl HasShape for Municipality {
    fn shape(&self) -> &Shape {
        &self.shape
    }
}

/// The municipalities of a region, indexed for [`Boundaries::locate`].
#[derive(Debug, Clone)]
pub struct Boundaries {
    /// Sorted by AGS, so that index order breaks ties by AGS.
    index: ShapeIndex<Municipality>,
    by_ags: BTreeMap<Ags, usize>,
}

impl Boundaries {
    /// Imports a GeoJSON FeatureCollection with the BKG property names `AGS` and `GEN`.
    pub fn from_geojson(geojson: &str) -> Result<Self, GeoError> {
        Self::from_geojson_with(geojson, &BoundaryKeys::default())
    }

    /// Imports a GeoJSON FeatureCollection, reading key and name from the given properties.
    ///
    /// Fails on the first unusable feature (missing key or name, invalid AGS,
    /// geometry other than Polygon/MultiPolygon, duplicate AGS), naming its index.
    pub fn from_geojson_with(geojson: &str, keys: &BoundaryKeys) -> Result<Self, GeoError> {
        let features = parse_features(geojson)?;
        let mut municipalities = Vec::with_capacity(features.len());
        let mut seen = BTreeMap::new();
        for (index, feature) in features.iter().enumerate() {
            let fail = |problem| GeoError::InvalidFeature { index, problem };
            let key = string_property(feature, &keys.ags).map_err(fail)?;
            let ags = Ags::parse(&key).map_err(|e| {
                fail(FeatureProblem::InvalidProperty {
                    key: keys.ags.clone(),
                    message: e.to_string(),
                })
            })?;
            let name = string_property(feature, &keys.name).map_err(fail)?;
            // Optional: without it (or blank) each Gemeinde is its own administration.
            let administration = match string_property(feature, &keys.administration) {
                Ok(key) => Some(Ags::parse(&key).map_err(|e| {
                    fail(FeatureProblem::InvalidProperty {
                        key: keys.administration.clone(),
                        message: e.to_string(),
                    })
                })?),
                Err(FeatureProblem::MissingProperty(_) | FeatureProblem::InvalidProperty { .. }) => None,
                Err(other) => return Err(fail(other)),
            };
            let geometry = feature_geometry(feature).map_err(fail)?;
            let shape = Shape::new(geometry).ok_or_else(|| fail(FeatureProblem::EmptyGeometry))?;
            if seen.insert(ags.clone(), index).is_some() {
                return Err(fail(FeatureProblem::DuplicateKey(ags.to_string())));
            }
            municipalities.push(Municipality {
                ags,
                name,
                administration,
                shape,
            });
        }
        Ok(Self::index(municipalities))
    }

    /// Builds the index from municipalities whose key, name and geometry are already
    /// parsed (as the server stores them and configurations carry them).
    ///
    /// Fails if there is none, or if a key occurs twice.
    pub fn from_municipalities(
        municipalities: impl IntoIterator<Item = (MunicipalityRef, Shape)>,
    ) -> Result<Self, GeoError> {
        let mut all = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (m, shape) in municipalities {
            if !seen.insert(m.ags.clone()) {
                return Err(GeoError::InvalidMunicipality {
                    ags: m.ags.to_string(),
                    problem: FeatureProblem::DuplicateKey(m.ags.to_string()),
                });
            }
            all.push(Municipality {
                ags: m.ags,
                name: m.name,
                administration: m.administration,
                shape,
            });
        }
        if all.is_empty() {
            return Err(GeoError::NoFeatures);
        }
        Ok(Self::index(all))
    }

    /// Indexes municipalities with unique keys.
    fn index(mut municipalities: Vec<Municipality>) -> Self {
        municipalities.sort_by(|a, b| a.ags.cmp(&b.ags));
        let by_ags = municipalities
            .iter()
            .enumerate()
            .map(|(i, m)| (m.ags.clone(), i))
            .collect();
        Self {
            index: ShapeIndex::bulk_load(municipalities),
            by_ags,
        }
    }

    /// Finds the municipality responsible for a point (see the module docs for the rules).
    ///
    /// `tolerance_m` is usually [`DEFAULT_TOLERANCE_M`]; it must be finite and not negative.
    /// The point must be a valid WGS84 position ([`GeoPoint::parse`]).
    pub fn locate(&self, point: GeoPoint, tolerance_m: f64) -> Result<Location, GeoError> {
        let point = point.validated().map_err(|_| GeoError::InvalidCoordinate {
            lat: point.lat,
            lon: point.lon,
        })?;
        if !(tolerance_m.is_finite() && tolerance_m >= 0.0) {
            return Err(GeoError::InvalidTolerance { tolerance_m });
        }
        let items = self.index.items();
        let inside = self
            .index
            .containing(point)
            .into_iter()
            .filter_map(|i| items.get(i))
            // Indices ascend with AGS, so min_by keeps the lowest AGS among equal areas.
            .min_by(|a, b| a.shape.planar_area().total_cmp(&b.shape.planar_area()));
        if let Some(m) = inside {
            return Ok(Location::Inside {
                municipality: m.to_ref(),
            });
        }
        let nearest = self
            .index
            .nearest(point, tolerance_m)
            .and_then(|(i, d)| Some((items.get(i)?, d)));
        match nearest {
            Some((m, distance_m)) if distance_m <= tolerance_m => Ok(Location::WithinTolerance {
                municipality: m.to_ref(),
                distance_m,
            }),
            Some((m, distance_m)) => Ok(Location::Outside {
                nearest: m.to_ref(),
                distance_m,
            }),
            // Unreachable: an import has at least one feature with coordinates.
            None => Err(GeoError::NoFeatures),
        }
    }

    /// Every municipality within `tolerance_m` of a point (0 for those containing it) with
    /// its distance in metres, nearest first, equal distances by AGS: the neighbours a
    /// citizen may choose near a border.
    ///
    /// The same checks of point and tolerance as [`Boundaries::locate`].
    pub fn within(&self, point: GeoPoint, tolerance_m: f64) -> Result<Vec<(&Municipality, f64)>, GeoError> {
        let point = point.validated().map_err(|_| GeoError::InvalidCoordinate {
            lat: point.lat,
            lon: point.lon,
        })?;
        if !(tolerance_m.is_finite() && tolerance_m >= 0.0) {
            return Err(GeoError::InvalidTolerance { tolerance_m });
        }
        let items = self.index.items();
        Ok(self
            .index
            .within(point, tolerance_m)
            .into_iter()
            .filter_map(|(i, d)| Some((items.get(i)?, d)))
            .collect())
    }

    /// The municipality with this key.
    pub fn get(&self, ags: &Ags) -> Option<&Municipality> {
        self.by_ags.get(ags).and_then(|&i| self.index.items().get(i))
    }

    /// The municipalities an administration serves, ordered by AGS.
    pub fn served_by<'a>(&'a self, administration: &'a Ags) -> impl Iterator<Item = &'a Municipality> + 'a {
        self.iter()
            .filter(move |m| m.administration.as_ref() == Some(administration))
    }

    /// All municipalities, ordered by AGS.
    pub fn iter(&self) -> impl Iterator<Item = &Municipality> {
        self.index.items().iter()
    }

    /// Number of municipalities.
    pub fn len(&self) -> usize {
        self.index.items().len()
    }

    /// Whether there are no municipalities (never true for a successful import).
    pub fn is_empty(&self) -> bool {
        self.index.items().is_empty()
    }
}
