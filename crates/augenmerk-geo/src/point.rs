//! Input points ([`LatLon`], validated on construction) and bounding boxes.

use serde::{Deserialize, Serialize};

use crate::GeoError;

/// A WGS84 point in degrees; always finite, latitude within ±90°, longitude within ±180°.
///
/// Serialized as `{"lat": …, "lon": …}`; deserializing validates as [`LatLon::new`] does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawLatLon")]
pub struct LatLon {
    lat: f64,
    lon: f64,
}

impl LatLon {
    /// Validates and builds a point from latitude and longitude in degrees.
    pub fn new(lat: f64, lon: f64) -> Result<Self, GeoError> {
        if lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0 {
            Ok(Self { lat, lon })
        } else {
            Err(GeoError::InvalidCoordinate { lat, lon })
        }
    }

    /// Latitude in degrees, north positive.
    pub fn lat(self) -> f64 {
        self.lat
    }

    /// Longitude in degrees, east positive.
    pub fn lon(self) -> f64 {
        self.lon
    }

    /// The point as a geo point (x = longitude, y = latitude).
    pub(crate) fn to_geo(self) -> geo::Point<f64> {
        geo::Point::new(self.lon, self.lat)
    }
}

/// The unvalidated wire form of [`LatLon`].
#[derive(Deserialize)]
struct RawLatLon {
    lat: f64,
    lon: f64,
}

impl TryFrom<RawLatLon> for LatLon {
    type Error = GeoError;

    fn try_from(raw: RawLatLon) -> Result<Self, Self::Error> {
        LatLon::new(raw.lat, raw.lon)
    }
}

/// A bounding box in WGS84 degrees (for map views; it never crosses the antimeridian here).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BBox {
    /// Minimum latitude.
    pub south: f64,
    /// Minimum longitude.
    pub west: f64,
    /// Maximum latitude.
    pub north: f64,
    /// Maximum longitude.
    pub east: f64,
}

impl BBox {
    /// Whether the point lies within the box, edges included.
    pub fn contains(&self, point: LatLon) -> bool {
        (self.south..=self.north).contains(&point.lat()) && (self.west..=self.east).contains(&point.lon())
    }
}
