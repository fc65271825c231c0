//! Named areas (Stadtteile, statistical districts, a park, a harbour) that
//! delegation rules refer to by [`AreaId`] ("area condition").
//!
//! [`Areas`] is built from a GeoJSON FeatureCollection, or from (id, name, [`Shape`])
//! as the server stores them. Areas may nest or overlap; [`Areas::containing`]
//! returns all that contain a point.

use std::collections::BTreeMap;

use augenmerk_domain::AreaId;
use serde::{Deserialize, Serialize};

use crate::import::{feature_geometry, id_property, parse_features, string_property};
use crate::index::{HasShape, Shape, ShapeIndex};
use crate::{BoundingBox, FeatureProblem, GeoError, GeoPoint};

/// Names of the GeoJSON properties holding an area's id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaKeys {
    /// Property with the id (a string or an integer); default `"id"`.
    pub id: String,
    /// Property with the name; default `"name"`.
    pub name: String,
}

impl Default for AreaKeys {
    fn default() -> Self {
        Self {
            id: "id".to_owned(),
            name: "name".to_owned(),
        }
    }
}

/// An area's id and name, as returned by lookups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaRef {
    /// The area's id.
    pub id: AreaId,
    /// The area's name, e.g. "Altstadt".
    pub name: String,
}

/// One named area.
#[derive(Debug, Clone)]
pub struct Area {
    id: AreaId,
    name: String,
    shape: Shape,
}

impl Area {
    /// The id.
    pub fn id(&self) -> &AreaId {
        &self.id
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The bounding box.
    pub fn bbox(&self) -> BoundingBox {
        self.shape.bbox()
    }

    /// The geometry.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// The geometry as GeoJSON geometry text (Polygon or MultiPolygon), as the server stores it.
    pub fn geometry_geojson(&self) -> String {
        self.shape.to_geojson()
    }

    /// Id and name.
    pub fn to_ref(&self) -> AreaRef {
        AreaRef {
            id: self.id.clone(),
            name: self.name.clone(),
        }
    }
}

impl HasShape for Area {
    fn shape(&self) -> &Shape {
        &self.shape
    }
}

/// A set of named areas with unique ids, indexed for point queries.
#[derive(Debug, Clone, Default)]
pub struct Areas {
    index: ShapeIndex<Area>,
    by_id: BTreeMap<AreaId, usize>,
}

impl Areas {
    /// An empty set, to fill with [`Areas::insert`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Imports a GeoJSON FeatureCollection with the properties `id` and `name`.
    pub fn from_geojson(geojson: &str) -> Result<Self, GeoError> {
        Self::from_geojson_with(geojson, &AreaKeys::default())
    }

    /// Imports a GeoJSON FeatureCollection, reading id and name from the given properties.
    ///
    /// A file's ids become [`AreaId`] slugs ([`AreaId::from_label`]: `STGT01` →
    /// `stgt01`, `Westliche Höhe` → `westliche-hoehe`), so that the id property may
    /// also be the name. Fails on the first unusable feature (missing id or name, an
    /// id without a letter or digit, geometry other than Polygon/MultiPolygon,
    /// duplicate id), naming its index.
    pub fn from_geojson_with(geojson: &str, keys: &AreaKeys) -> Result<Self, GeoError> {
        let features = parse_features(geojson)?;
        let mut areas = Vec::with_capacity(features.len());
        let mut by_id = BTreeMap::new();
        for (index, feature) in features.iter().enumerate() {
            let fail = |problem| GeoError::InvalidFeature { index, problem };
            let raw_id = id_property(feature, &keys.id).map_err(fail)?;
            let id = AreaId::from_label(&raw_id).map_err(|e| {
                fail(FeatureProblem::InvalidProperty {
                    key: keys.id.clone(),
                    message: e.to_string(),
                })
            })?;
            let name = string_property(feature, &keys.name).map_err(fail)?;
            let geometry = feature_geometry(feature).map_err(fail)?;
            let shape = Shape::new(geometry).ok_or_else(|| fail(FeatureProblem::EmptyGeometry))?;
            if by_id.insert(id.clone(), areas.len()).is_some() {
                return Err(fail(FeatureProblem::DuplicateKey(id.to_string())));
            }
            areas.push(Area { id, name, shape });
        }
        Ok(Self {
            index: ShapeIndex::bulk_load(areas),
            by_id,
        })
    }

    /// Builds a set from areas whose id, name and geometry are already parsed (as the
    /// server stores them).
    ///
    /// Fails as [`Areas::insert`] does, on the first unusable area.
    pub fn from_features<N: AsRef<str>>(areas: impl IntoIterator<Item = (AreaId, N, Shape)>) -> Result<Self, GeoError> {
        let mut all = Self::new();
        for (id, name, shape) in areas {
            all.insert(id, name.as_ref(), shape)?;
        }
        Ok(all)
    }

    /// Adds an area from its id, name and geometry.
    ///
    /// Fails if the id is taken or the name is blank.
    pub fn insert(&mut self, id: AreaId, name: &str, shape: Shape) -> Result<(), GeoError> {
        let fail = |problem| GeoError::InvalidArea {
            id: id.to_string(),
            problem,
        };
        if self.by_id.contains_key(&id) {
            return Err(fail(FeatureProblem::DuplicateKey(id.to_string())));
        }
        let name = name.trim();
        if name.is_empty() {
            return Err(fail(FeatureProblem::InvalidProperty {
                key: "name".to_owned(),
                message: "must not be empty".to_owned(),
            }));
        }
        let index = self.index.push(Area {
            id: id.clone(),
            name: name.to_owned(),
            shape,
        });
        self.by_id.insert(id, index);
        Ok(())
    }

    /// All areas containing the point (boundary included), smallest first, ties by id.
    ///
    /// With nested areas (a district inside its Stadtteil) the most specific comes first.
    /// A point that is not a valid WGS84 position lies in no area.
    pub fn containing(&self, point: GeoPoint) -> Vec<AreaRef> {
        let Ok(point) = point.validated() else {
            return Vec::new();
        };
        let items = self.index.items();
        let mut hits: Vec<&Area> = self
            .index
            .containing(point)
            .into_iter()
            .filter_map(|i| items.get(i))
            .collect();
        hits.sort_by(|a, b| {
            a.shape
                .planar_area()
                .total_cmp(&b.shape.planar_area())
                .then_with(|| a.id.cmp(&b.id))
        });
        hits.into_iter().map(Area::to_ref).collect()
    }

    /// Whether the area with this id contains the point (boundary included); false for an
    /// unknown id or a point that is not a valid WGS84 position.
    pub fn contains(&self, id: &AreaId, point: GeoPoint) -> bool {
        point.validated().is_ok() && self.get(id).is_some_and(|area| area.shape.contains(point))
    }

    /// The area with this id.
    pub fn get(&self, id: &AreaId) -> Option<&Area> {
        self.by_id.get(id).and_then(|&i| self.index.items().get(i))
    }

    /// All areas, in import/insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Area> {
        self.index.items().iter()
    }

    /// Number of areas.
    pub fn len(&self) -> usize {
        self.index.items().len()
    }

    /// Whether there are no areas.
    pub fn is_empty(&self) -> bool {
        self.index.items().is_empty()
    }
}
