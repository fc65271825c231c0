//! Named areas (Stadtteile, statistical districts, a park, a harbour) that
//! delegation rules refer to by [`AreaId`] ("area condition").
//!
//! [`Areas`] is built from a GeoJSON FeatureCollection, or one area at a time
//! from (id, name, GeoJSON geometry text) as the server stores them. Areas may
//! nest or overlap; [`Areas::containing`] returns all that contain a point.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::import::{feature_geometry, id_property, parse_features, parse_geometry, string_property};
use crate::index::{HasShape, Shape, ShapeIndex};
use crate::{BBox, FeatureProblem, GeoError, LatLon};

/// The id of a named area, e.g. `"STGT01"`; never empty, no surrounding blanks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AreaId(String);

impl AreaId {
    /// Validates an id: trimmed, it must not be empty.
    pub fn parse(value: &str) -> Result<Self, GeoError> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            Err(GeoError::EmptyAreaId)
        } else {
            Ok(Self(trimmed.to_owned()))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AreaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AreaId {
    type Error = GeoError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<AreaId> for String {
    fn from(id: AreaId) -> Self {
        id.0
    }
}

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
    pub fn bbox(&self) -> BBox {
        self.shape.bbox()
    }

    /// The geometry as GeoJSON geometry text (Polygon or MultiPolygon), as the server stores it.
    pub fn geometry_geojson(&self) -> String {
        self.shape.geojson()
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
    /// Fails on the first unusable feature (missing id or name, geometry other
    /// than Polygon/MultiPolygon, duplicate id), naming its index.
    pub fn from_geojson_with(geojson: &str, keys: &AreaKeys) -> Result<Self, GeoError> {
        let features = parse_features(geojson)?;
        let mut areas = Vec::with_capacity(features.len());
        let mut by_id = BTreeMap::new();
        for (index, feature) in features.iter().enumerate() {
            let fail = |problem| GeoError::InvalidFeature { index, problem };
            let raw_id = id_property(feature, &keys.id).map_err(fail)?;
            let id = AreaId::parse(&raw_id).map_err(|e| {
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

    /// Adds an area from its id, name and GeoJSON geometry text (Polygon or MultiPolygon).
    ///
    /// Fails if the id is taken, the name is blank or the geometry is unusable.
    pub fn insert(&mut self, id: AreaId, name: &str, geometry_geojson: &str) -> Result<(), GeoError> {
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
        let geometry = parse_geometry(geometry_geojson).map_err(fail)?;
        let shape = Shape::new(geometry).ok_or_else(|| fail(FeatureProblem::EmptyGeometry))?;
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
    pub fn containing(&self, point: LatLon) -> Vec<AreaRef> {
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

    /// Whether the area with this id contains the point (boundary included); false for an unknown id.
    pub fn contains(&self, id: &AreaId, point: LatLon) -> bool {
        self.get(id).is_some_and(|area| area.shape.contains(point))
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
