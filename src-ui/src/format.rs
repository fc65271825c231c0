//! Dates and numbers as people read them in the chosen language.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;

use crate::i18n::Lang;

/// A point in time in German local time: `27.11.2026, 14:05` or `27 Nov 2026, 14:05`.
pub fn date_time(lang: Lang, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&Berlin);
    match lang {
        Lang::De => local.format("%d.%m.%Y, %H:%M").to_string(),
        Lang::En => local.format("%-d %b %Y, %H:%M").to_string(),
    }
}

/// Coordinates with five decimals (about a metre).
pub fn coordinates(lat: f64, lon: f64) -> String {
    format!("{lat:.5}, {lon:.5}")
}

/// Distance between two points in metres (haversine; plenty for sorting cases).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_000.0_f64;
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let dla = (b.0 - a.0).to_radians();
    let dlo = (b.1 - a.1).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

/// A distance as `850 m` or `2,4 km`.
pub fn distance(lang: Lang, metres: f64) -> String {
    if metres < 1000.0 {
        format!("{:.0} m", metres)
    } else {
        let km = format!("{:.1}", metres / 1000.0);
        match lang {
            Lang::De => format!("{} km", km.replace('.', ",")),
            Lang::En => format!("{km} km"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let at = DateTime::parse_from_rfc3339("2026-11-27T13:05:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(date_time(Lang::De, at), "27.11.2026, 14:05");
        assert_eq!(date_time(Lang::En, at), "27 Nov 2026, 14:05");
        assert_eq!(distance(Lang::De, 2412.0), "2,4 km");
        assert_eq!(distance(Lang::En, 850.4), "850 m");
        let d = distance_m((54.7836, 9.4321), (54.7936, 9.4321));
        assert!((d - 1112.0).abs() < 5.0, "{d}");
    }
}
