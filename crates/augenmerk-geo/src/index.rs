//! The spatial index shared by [`crate::Boundaries`] and [`crate::Areas`]: an
//! R-tree over the bounding box of every polygon part, answering "which shapes
//! contain this point" and "which shape is nearest, and how far".
//!
//! A *shape* ([`Shape`]) is one feature's (multi)polygon, parsed and checked once
//! from GeoJSON; a *part* is one polygon of it.
//! Indexing parts rather than shapes keeps boxes tight for shapes with islands.

use geo::{Area, BoundingRect, Centroid, Intersects, MultiPolygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject};

use crate::import::{geometry_from_json, parse_geometry};
use crate::sphere::{Vec3, arc_lat_range, distance_to_ring_m, lower_bound_to_box_m, search_envelope};
use crate::{BoundingBox, FeatureProblem, GeoPoint};

/// Distances closer than this (metres) count as equal, so that the lower index
/// wins a tie even where rounding differs between mirror-image geometries.
const TIE_M: f64 = 0.001;

/// Smallest first search radius of [`ShapeIndex::nearest`], in metres.
const MIN_SEARCH_RADIUS_M: f64 = 1_000.0;

/// A Polygon or MultiPolygon in WGS84, checked (closed rings, longitude/latitude in
/// range) and with what the lookups need precomputed: the geometry of one
/// municipality or area, parsed once from GeoJSON.
#[derive(Debug, Clone)]
pub struct Shape {
    geometry: MultiPolygon<f64>,
    /// Unit vectors of every ring, per part: `rings[part][ring][vertex]`.
    rings: Vec<Vec<Vec<Vec3>>>,
    bbox: BoundingBox,
    /// Planar area in square degrees; only for ordering overlapping shapes.
    planar_area: f64,
    centroid: GeoPoint,
}

impl Shape {
    /// Parses GeoJSON geometry text (a Polygon or MultiPolygon), as the server stores it.
    pub fn from_geojson(text: &str) -> Result<Self, FeatureProblem> {
        Self::new(parse_geometry(text)?).ok_or(FeatureProblem::EmptyGeometry)
    }

    /// Reads an already parsed GeoJSON geometry object (a Polygon or MultiPolygon),
    /// as configurations carry it.
    pub fn from_geojson_value(value: &serde_json::Value) -> Result<Self, FeatureProblem> {
        Self::new(geometry_from_json(value)?).ok_or(FeatureProblem::EmptyGeometry)
    }

    /// Precomputes a shape from a non-empty multipolygon with valid WGS84 coordinates.
    ///
    /// Returns `None` if the geometry has no coordinates (callers reject those earlier).
    pub(crate) fn new(geometry: MultiPolygon<f64>) -> Option<Self> {
        let rect = geometry.bounding_rect()?;
        let rings = geometry
            .0
            .iter()
            .map(|polygon| {
                std::iter::once(polygon.exterior())
                    .chain(polygon.interiors())
                    .map(|ring| ring.coords().map(|c| Vec3::from_degrees(c.y, c.x)).collect())
                    .collect()
            })
            .collect();
        let bbox = BoundingBox {
            min_lon: rect.min().x,
            min_lat: rect.min().y,
            max_lon: rect.max().x,
            max_lat: rect.max().y,
        };
        let centroid = geometry
            .centroid()
            .and_then(|c| GeoPoint::parse(c.y(), c.x()).ok())
            .or_else(|| {
                GeoPoint::parse((bbox.min_lat + bbox.max_lat) / 2.0, (bbox.min_lon + bbox.max_lon) / 2.0).ok()
            })?;
        Some(Self {
            planar_area: geometry.unsigned_area(),
            geometry,
            rings,
            bbox,
            centroid,
        })
    }

    /// The bounding box.
    pub fn bbox(&self) -> BoundingBox {
        self.bbox
    }

    /// The planar centroid (of the multipolygon in longitude/latitude); it may lie
    /// outside a concave or multi-part shape.
    pub fn centroid(&self) -> GeoPoint {
        self.centroid
    }

    /// Planar area in square degrees, for ordering only.
    pub(crate) fn planar_area(&self) -> f64 {
        self.planar_area
    }

    /// The geometry as GeoJSON text: a Polygon if it has one part, else a MultiPolygon.
    pub fn to_geojson(&self) -> String {
        let value = match self.geometry.0.as_slice() {
            [single] => geojson::GeometryValue::from(single),
            _ => geojson::GeometryValue::from(&self.geometry),
        };
        geojson::Geometry::new(value).to_string()
    }

    /// Whether the point lies in the shape or on its boundary.
    pub(crate) fn contains(&self, point: GeoPoint) -> bool {
        point.within(&self.bbox) && self.geometry.intersects(&to_geo(point))
    }

    fn part_contains(&self, part: usize, point: GeoPoint) -> bool {
        self.geometry
            .0
            .get(part)
            .is_some_and(|polygon| polygon.intersects(&to_geo(point)))
    }

    /// Distance in metres from the point to one part: 0 inside, else to its boundary.
    fn part_distance_m(&self, part: usize, point: GeoPoint, v: Vec3) -> f64 {
        if self.part_contains(part, point) {
            return 0.0;
        }
        self.rings.get(part).map_or(f64::INFINITY, |rings| {
            rings
                .iter()
                .map(|ring| distance_to_ring_m(v, ring))
                .fold(f64::INFINITY, f64::min)
        })
    }

    /// Index boxes of the parts: longitude from the vertices (longitude is monotonic
    /// along each edge), latitude widened to hold the great-circle edges that the
    /// distances are measured to, so that the search bounds stay valid.
    fn part_rects(&self) -> impl Iterator<Item = (usize, Rectangle<[f64; 2]>)> + '_ {
        self.geometry
            .0
            .iter()
            .zip(&self.rings)
            .enumerate()
            .filter_map(|(part, (polygon, rings))| {
                let r = polygon.bounding_rect()?;
                let (south, north) = rings
                    .iter()
                    .flat_map(|ring| ring.windows(2))
                    .map(|w| arc_lat_range(w[0], w[1]))
                    .fold((r.min().y, r.max().y), |(s, n), (ws, wn)| (s.min(ws), n.max(wn)));
                Some((part, Rectangle::from_corners([r.min().x, south], [r.max().x, north])))
            })
    }
}

/// The point as a geo point (x = longitude, y = latitude).
fn to_geo(point: GeoPoint) -> geo::Point<f64> {
    geo::Point::new(point.lon, point.lat)
}

/// Something that owns a [`Shape`].
pub(crate) trait HasShape {
    /// The shape.
    fn shape(&self) -> &Shape;
}

/// Which part of which item an R-tree entry stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PartRef {
    item: usize,
    part: usize,
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, PartRef>;

/// Items with shapes, and an R-tree over their parts' bounding boxes.
#[derive(Debug, Clone)]
pub(crate) struct ShapeIndex<T> {
    items: Vec<T>,
    tree: RTree<Entry>,
}

impl<T> Default for ShapeIndex<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            tree: RTree::new(),
        }
    }
}

impl<T: HasShape> ShapeIndex<T> {
    /// Builds the index in one go (bulk loading gives a better tree than inserts).
    pub(crate) fn bulk_load(items: Vec<T>) -> Self {
        let entries = items
            .iter()
            .enumerate()
            .flat_map(|(item, t)| {
                t.shape()
                    .part_rects()
                    .map(move |(part, rect)| Entry::new(rect, PartRef { item, part }))
            })
            .collect();
        Self {
            items,
            tree: RTree::bulk_load(entries),
        }
    }

    /// Adds one item and returns its index.
    pub(crate) fn push(&mut self, t: T) -> usize {
        let item = self.items.len();
        for (part, rect) in t.shape().part_rects() {
            self.tree.insert(Entry::new(rect, PartRef { item, part }));
        }
        self.items.push(t);
        item
    }

    /// All items, in index order.
    pub(crate) fn items(&self) -> &[T] {
        &self.items
    }

    /// Indices of the items whose shape contains the point (boundary included), ascending.
    pub(crate) fn containing(&self, point: GeoPoint) -> Vec<usize> {
        let env = rstar::AABB::from_point([point.lon, point.lat]);
        let mut hits: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&env)
            .filter(|e| {
                self.items
                    .get(e.data.item)
                    .is_some_and(|t| t.shape().part_contains(e.data.part, point))
            })
            .map(|e| e.data.item)
            .collect();
        hits.sort_unstable();
        hits.dedup();
        hits
    }

    /// Every item within `radius_m` of the point (0 inside) with its distance in metres,
    /// nearest first, ties (within 1 mm) to the lower index.
    pub(crate) fn within(&self, point: GeoPoint, radius_m: f64) -> Vec<(usize, f64)> {
        let v = Vec3::from(point);
        let (env, _) = search_envelope(point, radius_m);
        // An item's distance is that of its nearest part.
        let mut best: Vec<(usize, f64)> = Vec::new();
        for e in self.tree.locate_in_envelope_intersecting(&env) {
            let b = e.geom().envelope();
            if lower_bound_to_box_m(point, b.lower(), b.upper()) > radius_m {
                continue;
            }
            let Some(t) = self.items.get(e.data.item) else {
                continue;
            };
            let d = t.shape().part_distance_m(e.data.part, point, v);
            match best.iter_mut().find(|(i, _)| *i == e.data.item) {
                Some(found) => found.1 = found.1.min(d),
                None => best.push((e.data.item, d)),
            }
        }
        best.retain(|&(_, d)| d <= radius_m);
        best.sort_by(|a, b| {
            if (a.1 - b.1).abs() <= TIE_M {
                a.0.cmp(&b.0)
            } else {
                a.1.total_cmp(&b.1)
            }
        });
        best
    }

    /// The item nearest to the point and its distance in metres; ties (within 1 mm)
    /// go to the lower index.
    ///
    /// Searches boxes of growing radius, starting at `start_radius_m`: a result at
    /// distance `d` found within a box of radius `r >= d` is final, since every
    /// shape closer than `r` has a part whose box meets the search box.
    pub(crate) fn nearest(&self, point: GeoPoint, start_radius_m: f64) -> Option<(usize, f64)> {
        if self.items.is_empty() {
            return None;
        }
        let v = Vec3::from(point);
        let mut radius = start_radius_m.max(MIN_SEARCH_RADIUS_M);
        loop {
            let (env, whole_world) = search_envelope(point, radius);
            // Candidates by a cheap lower bound, so that most never need an exact distance.
            let mut candidates: Vec<(f64, PartRef)> = self
                .tree
                .locate_in_envelope_intersecting(&env)
                .map(|e| {
                    let b = e.geom().envelope();
                    (lower_bound_to_box_m(point, b.lower(), b.upper()), e.data)
                })
                .collect();
            candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut best: Option<(usize, f64)> = None;
            for (bound, at) in candidates {
                if best.is_some_and(|(_, bd)| bound > bd + TIE_M) {
                    break;
                }
                let Some(t) = self.items.get(at.item) else {
                    continue;
                };
                let d = t.shape().part_distance_m(at.part, point, v);
                let better = match best {
                    None => true,
                    Some((bi, bd)) => d < bd - TIE_M || (d <= bd + TIE_M && at.item < bi),
                };
                if better {
                    best = Some((at.item, d));
                }
            }
            match best {
                Some((_, d)) if d <= radius || whole_world => return best,
                None if whole_world => return None,
                _ => radius *= 4.0,
            }
        }
    }
}
