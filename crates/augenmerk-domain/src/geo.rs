//! WGS84 positions as they arrive from devices.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// A WGS84 position in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeoPoint {
    /// Latitude, −90 to 90.
    #[cfg_attr(feature = "openapi", schema(minimum = -90.0, maximum = 90.0))]
    pub lat: f64,
    /// Longitude, −180 to 180.
    #[cfg_attr(feature = "openapi", schema(minimum = -180.0, maximum = 180.0))]
    pub lon: f64,
}

impl GeoPoint {
    /// Checks that both coordinates are finite and within range.
    pub fn parse(lat: f64, lon: f64) -> Result<Self, FieldError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(FieldError::new("location.lat", "out_of_range"));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(FieldError::new("location.lon", "out_of_range"));
        }
        Ok(Self { lat, lon })
    }

    /// Re-validates a point that came in through deserialization.
    pub fn validated(self) -> Result<Self, FieldError> {
        Self::parse(self.lat, self.lon)
    }

    /// Whether the point lies inside a bounding box given as (min_lon, min_lat, max_lon, max_lat).
    pub fn within(&self, bbox: &BoundingBox) -> bool {
        self.lon >= bbox.min_lon && self.lon <= bbox.max_lon && self.lat >= bbox.min_lat && self.lat <= bbox.max_lat
    }

    /// Great-circle distance to another point in metres.
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        const EARTH_RADIUS_M: f64 = 6_371_008.8;
        let (la1, la2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = la2 - la1;
        let dlon = (other.lon - self.lon).to_radians();
        let a = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().asin()
    }
}

/// A longitude/latitude box, as used in the staff inbox filter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoundingBox {
    /// Western edge.
    pub min_lon: f64,
    /// Southern edge.
    pub min_lat: f64,
    /// Eastern edge.
    pub max_lon: f64,
    /// Northern edge.
    pub max_lat: f64,
}

impl BoundingBox {
    /// Parses `min_lon,min_lat,max_lon,max_lat` (the order of OGC and Leaflet's toBBoxString).
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let parts: Vec<f64> = s
            .split(',')
            .map(|p| p.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| FieldError::new("bbox", "invalid"))?;
        let [min_lon, min_lat, max_lon, max_lat] = parts[..] else {
            return Err(FieldError::new("bbox", "invalid"));
        };
        GeoPoint::parse(min_lat, min_lon).map_err(|_| FieldError::new("bbox", "out_of_range"))?;
        GeoPoint::parse(max_lat, max_lon).map_err(|_| FieldError::new("bbox", "out_of_range"))?;
        if min_lon > max_lon || min_lat > max_lat {
            return Err(FieldError::new("bbox", "invalid"));
        }
        Ok(Self {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_out_of_range_and_nan() {
        assert!(GeoPoint::parse(91.0, 0.0).is_err());
        assert!(GeoPoint::parse(0.0, -180.5).is_err());
        assert!(GeoPoint::parse(f64::NAN, 0.0).is_err());
        assert!(GeoPoint::parse(54.78, 9.43).is_ok());
    }

    #[test]
    fn distance_is_plausible() {
        let kiel = GeoPoint {
            lat: 54.3233,
            lon: 10.1394,
        };
        let flensburg = GeoPoint {
            lat: 54.7816,
            lon: 9.4366,
        };
        let d = kiel.distance_m(&flensburg);
        assert!((65_000.0..75_000.0).contains(&d), "{d}");
    }

    #[test]
    fn bbox_parses_in_ogc_order() {
        let b = BoundingBox::parse("9.3,54.7,9.5,54.85").expect("valid");
        assert!(GeoPoint { lat: 54.78, lon: 9.43 }.within(&b));
        assert!(BoundingBox::parse("9.5,54.7,9.3,54.85").is_err());
        assert!(BoundingBox::parse("1,2,3").is_err());
    }
}
