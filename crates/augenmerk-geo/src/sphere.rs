//! Great-circle distances on a sphere with unit vectors, and the search
//! envelope (in degrees) that is sure to hold every point within a distance.
//!
//! The radius is geo's `Haversine` radius (GRS80 mean radius), so distances here
//! agree with `geo::Haversine`. Point-to-segment distances use vectors rather
//! than geo's `HaversineClosestPoint` because ring vertices can be converted
//! once at import, and because `atan2`/`asin` on vectors stay accurate from
//! centimetres to thousands of kilometres without `acos` near 1.

use geo::Haversine;

use crate::GeoPoint;

/// Sphere radius in metres for every distance in this crate.
pub(crate) const EARTH_RADIUS_M: f64 = Haversine.radius();

/// A unit vector from the centre of the sphere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Vec3 {
    x: f64,
    y: f64,
    z: f64,
}

impl Vec3 {
    /// The unit vector of a latitude/longitude in degrees.
    pub(crate) fn from_degrees(lat: f64, lon: f64) -> Self {
        let (sin_lat, cos_lat) = lat.to_radians().sin_cos();
        let (sin_lon, cos_lon) = lon.to_radians().sin_cos();
        Self {
            x: cos_lat * cos_lon,
            y: cos_lat * sin_lon,
            z: sin_lat,
        }
    }

    fn dot(self, o: Self) -> f64 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }

    fn cross(self, o: Self) -> Self {
        Self {
            x: self.y * o.z - self.z * o.y,
            y: self.z * o.x - self.x * o.z,
            z: self.x * o.y - self.y * o.x,
        }
    }

    fn norm(self) -> f64 {
        self.dot(self).sqrt()
    }
}

impl From<GeoPoint> for Vec3 {
    fn from(p: GeoPoint) -> Self {
        Self::from_degrees(p.lat, p.lon)
    }
}

/// Central angle between two unit vectors, in radians.
fn angle(a: Vec3, b: Vec3) -> f64 {
    a.cross(b).norm().atan2(a.dot(b))
}

/// Central angle from `p` to the closest point of the shorter great-circle arc `a`–`b`.
fn angle_to_arc(p: Vec3, a: Vec3, b: Vec3) -> f64 {
    let n = a.cross(b);
    let n_len = n.norm();
    // `a` and `b` (nearly) coincide: the arc is a point.
    if n_len < 1e-15 {
        return angle(p, a).min(angle(p, b));
    }
    // The foot of the perpendicular lies on the arc iff it is "after" a and "before" b.
    if projects_onto_arc(p, a, b, n) {
        (p.dot(n) / n_len).clamp(-1.0, 1.0).asin().abs()
    } else {
        angle(p, a).min(angle(p, b))
    }
}

/// Whether `v`'s projection onto the great circle of `a`–`b` (normal `n`) lies on the arc.
fn projects_onto_arc(v: Vec3, a: Vec3, b: Vec3, n: Vec3) -> bool {
    a.cross(v).dot(n) >= 0.0 && v.cross(b).dot(n) >= 0.0
}

/// Latitude range in degrees of the great-circle arc `a`–`b`, which can bulge
/// poleward beyond its endpoints (by about 30 m mid-way along a 30 km east-west edge).
pub(crate) fn arc_lat_range(a: Vec3, b: Vec3) -> (f64, f64) {
    let lat = |v: Vec3| v.z.clamp(-1.0, 1.0).asin().to_degrees();
    let (mut south, mut north) = (lat(a).min(lat(b)), lat(a).max(lat(b)));
    let n = a.cross(b);
    let n_len = n.norm();
    if n_len >= 1e-15 {
        // The point of the great circle nearest the north pole: k - (k·n̂)n̂, unnormalized.
        let nz = n.z / n_len;
        let top = Vec3 {
            x: -nz * n.x / n_len,
            y: -nz * n.y / n_len,
            z: 1.0 - nz * nz,
        };
        let apex = (1.0 - nz * nz).max(0.0).sqrt().min(1.0).asin().to_degrees();
        if projects_onto_arc(top, a, b, n) {
            north = north.max(apex);
        }
        let bottom = Vec3 {
            x: -top.x,
            y: -top.y,
            z: -top.z,
        };
        if projects_onto_arc(bottom, a, b, n) {
            south = south.min(-apex);
        }
    }
    (south, north)
}

/// Distance in metres from `p` to the closest point of a closed ring of unit vectors.
pub(crate) fn distance_to_ring_m(p: Vec3, ring: &[Vec3]) -> f64 {
    let min_angle = ring
        .windows(2)
        .map(|w| angle_to_arc(p, w[0], w[1]))
        .fold(f64::INFINITY, f64::min);
    min_angle * EARTH_RADIUS_M
}

/// A lower bound in metres of the distance from `p` to any point of a longitude/latitude box.
///
/// The larger of two bounds: the latitude gap (no path is shorter than the
/// meridian distance between the parallels) and the distance to the meridian
/// great circle through the nearer edge, which every path into the box crosses.
pub(crate) fn lower_bound_to_box_m(p: GeoPoint, lower: [f64; 2], upper: [f64; 2]) -> f64 {
    let ([west, south], [east, north]) = (lower, upper);
    let lat_gap = if p.lat < south {
        south - p.lat
    } else if p.lat > north {
        p.lat - north
    } else {
        0.0
    };
    let lat_bound = lat_gap.to_radians();
    // A box wider than a hemisphere is not separated by one meridian plane.
    let lon_bound = if (west..=east).contains(&p.lon) || east - west > 180.0 {
        0.0
    } else {
        let gap = |edge: f64| ((p.lon - edge).rem_euclid(360.0) - 180.0).abs();
        let dlon = (180.0 - gap(west)).min(180.0 - gap(east)).to_radians();
        (p.lat.to_radians().cos() * dlon.sin()).clamp(0.0, 1.0).asin()
    };
    // Slightly shrunk, so that rounding never makes the bound exceed an exact distance.
    (lat_bound.max(lon_bound) * EARTH_RADIUS_M * (1.0 - 1e-9) - 1e-6).max(0.0)
}

/// A longitude/latitude box holding every point within `radius_m` of `center`,
/// and whether it spans the whole globe.
pub(crate) fn search_envelope(center: GeoPoint, radius_m: f64) -> (rstar::AABB<[f64; 2]>, bool) {
    // A little slack so that rounding never leaves a point at exactly radius outside.
    let rho = radius_m / EARTH_RADIUS_M * (1.0 + 1e-9) + 1e-12;
    if rho >= std::f64::consts::PI {
        return (rstar::AABB::from_corners([-180.0, -90.0], [180.0, 90.0]), true);
    }
    let lat = center.lat;
    let rho_deg = rho.to_degrees();
    let south = lat - rho_deg;
    let north = lat + rho_deg;
    if south <= -90.0 || north >= 90.0 {
        // The cap holds a pole: every longitude.
        let env = rstar::AABB::from_corners([-180.0, south.max(-90.0)], [180.0, north.min(90.0)]);
        return (env, false);
    }
    // Widest longitude of a spherical cap of angular radius rho around latitude lat
    // (the cap holds no pole, so sin(rho) < cos(lat)).
    let dlon = (rho.sin() / lat.to_radians().cos()).min(1.0).asin().to_degrees();
    let (west, east) = (center.lon - dlon, center.lon + dlon);
    // Across the antimeridian: take every longitude rather than two boxes.
    let (west, east) = if west < -180.0 || east > 180.0 {
        (-180.0, 180.0)
    } else {
        (west, east)
    };
    (rstar::AABB::from_corners([west, south], [east, north]), false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Distance, Point};

    fn v(lat: f64, lon: f64) -> Vec3 {
        Vec3::from_degrees(lat, lon)
    }

    #[test]
    fn point_to_point_agrees_with_geo_haversine() {
        let (a, b) = ((54.3233, 10.1394), (53.8663, 10.6797));
        let ours = angle(v(a.0, a.1), v(b.0, b.1)) * EARTH_RADIUS_M;
        let geo = Haversine.distance(Point::new(a.1, a.0), Point::new(b.1, b.0));
        assert!((ours - geo).abs() < 1e-6, "{ours} vs {geo}");
    }

    #[test]
    fn perpendicular_foot_on_the_arc() {
        // A meridian segment at lon 10 from lat 54 to 55; a point 0.01° east at lat 54.5.
        let d = angle_to_arc(v(54.5, 10.01), v(54.0, 10.0), v(55.0, 10.0)) * EARTH_RADIUS_M;
        let expected = Haversine.distance(Point::new(10.0, 54.5), Point::new(10.01, 54.5));
        assert!((d - expected).abs() < 1.0, "{d} vs {expected}");
    }

    #[test]
    fn beyond_the_end_measures_to_the_endpoint() {
        let d = angle_to_arc(v(56.0, 10.0), v(54.0, 10.0), v(55.0, 10.0)) * EARTH_RADIUS_M;
        let expected = Haversine.distance(Point::new(10.0, 56.0), Point::new(10.0, 55.0));
        assert!((d - expected).abs() < 1e-6);
    }

    #[test]
    fn envelope_holds_the_circle() {
        let c = GeoPoint { lat: 54.5, lon: 9.5 };
        let (env, world) = search_envelope(c, 10_000.0);
        assert!(!world);
        // 10 km due east and due north must lie inside.
        let east = geo::Destination::destination(&Haversine, Point::new(c.lon, c.lat), 90.0, 10_000.0);
        let north = geo::Destination::destination(&Haversine, Point::new(c.lon, c.lat), 0.0, 10_000.0);
        for p in [east, north] {
            assert!(env.lower()[0] <= p.x() && p.x() <= env.upper()[0]);
            assert!(env.lower()[1] <= p.y() && p.y() <= env.upper()[1]);
        }
    }

    #[test]
    fn box_bound_never_exceeds_the_distance_to_a_box_corner_or_edge() {
        let (lower, upper) = ([9.0, 54.0], [10.0, 55.0]);
        let p = GeoPoint { lat: 54.5, lon: 11.0 };
        let bound = lower_bound_to_box_m(p, lower, upper);
        // Due west: the nearest point lies on the east edge, a little north of p's parallel.
        let edge = distance_to_ring_m(Vec3::from(p), &[v(54.0, 10.0), v(55.0, 10.0)]);
        assert!(bound <= edge && bound > 0.99 * edge, "{bound} vs {edge}");
        let inside = GeoPoint { lat: 54.5, lon: 9.5 };
        assert_eq!(lower_bound_to_box_m(inside, lower, upper), 0.0);
        // Across the antimeridian the short way round counts.
        let far_east = GeoPoint { lat: 0.0, lon: 179.5 };
        let bound = lower_bound_to_box_m(far_east, [-180.0, -1.0], [-179.0, 1.0]);
        assert!(bound < 60_000.0, "{bound}");
    }

    #[test]
    fn an_east_west_arc_bulges_poleward() {
        let (south, north) = arc_lat_range(v(54.5, 10.0), v(54.5, 10.5));
        assert_eq!(south, 54.5);
        // About 28 m north of the parallel mid-way along this 32 km edge.
        let bulge_m = (north - 54.5).to_radians() * EARTH_RADIUS_M;
        assert!((20.0..40.0).contains(&bulge_m), "{bulge_m}");
        // A meridian arc does not bulge.
        let (south, north) = arc_lat_range(v(54.0, 10.0), v(55.0, 10.0));
        assert!((south - 54.0).abs() < 1e-9 && (north - 55.0).abs() < 1e-9);
        // In the southern hemisphere it bulges towards the south pole.
        let (south, north) = arc_lat_range(v(-54.5, 10.0), v(-54.5, 10.5));
        assert!(south < -54.5 && (north + 54.5).abs() < 1e-9);
    }

    #[test]
    fn huge_radius_covers_the_globe() {
        let c = GeoPoint { lat: 0.0, lon: 0.0 };
        assert!(search_envelope(c, 30_000_000.0).1);
    }
}
