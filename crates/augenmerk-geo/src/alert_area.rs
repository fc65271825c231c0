//! Whether a report's public position lies in an alert's area (a circle or a drawn
//! polygon, [`augenmerk_domain::alerts::AlertArea`]).

use geo::{Contains, Coord, LineString, Point, Polygon};

use augenmerk_domain::GeoPoint;
use augenmerk_domain::alerts::AlertArea;

/// Whether `point` lies in `area`: within the circle's radius (great-circle distance),
/// or inside the polygon (its edge counts as inside, so that a report snapped onto the
/// grid line of a drawn corner is not lost).
pub fn alert_area_contains(area: &AlertArea, point: GeoPoint) -> bool {
    match area {
        AlertArea::Circle { center, radius_m } => center.distance_m(&point) <= f64::from(*radius_m),
        AlertArea::Polygon { points } => {
            let ring: Vec<Coord> = points.iter().map(|p| Coord { x: p.lon, y: p.lat }).collect();
            let polygon = Polygon::new(LineString::new(ring), Vec::new());
            let p = Point::new(point.lon, point.lat);
            polygon.contains(&p) || geo::Intersects::intersects(&polygon, &p)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint { lat, lon }
    }

    #[test]
    fn a_circle_holds_what_is_within_its_radius() {
        let area = AlertArea::Circle {
            center: p(54.78, 9.43),
            radius_m: 500,
        };
        // 0.004° north is about 445 m, 0.005° about 556 m.
        assert!(alert_area_contains(&area, p(54.784, 9.43)));
        assert!(!alert_area_contains(&area, p(54.785, 9.43)));
    }

    #[test]
    fn a_drawn_polygon_holds_its_inside_and_its_edge_but_not_its_notch() {
        // An L shape: the notch at the top right is outside.
        let area = AlertArea::Polygon {
            points: vec![
                p(54.78, 9.43),
                p(54.80, 9.43),
                p(54.80, 9.44),
                p(54.79, 9.44),
                p(54.79, 9.45),
                p(54.78, 9.45),
            ],
        };
        assert!(alert_area_contains(&area, p(54.785, 9.435)));
        assert!(alert_area_contains(&area, p(54.785, 9.448)));
        assert!(!alert_area_contains(&area, p(54.795, 9.448)), "the notch");
        assert!(alert_area_contains(&area, p(54.78, 9.44)), "the edge");
        assert!(!alert_area_contains(&area, p(54.81, 9.435)));
    }
}
