//! What the simulated citizens send: valid reports at random places inside Flensburg.

use anyhow::{Context, bail};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::json;
use uuid::Uuid;

use augenmerk_geo::{Boundaries, GeoPoint, Location};
use augenmerk_server::demo::{FLENSBURG, SH_BOUNDARIES};

pub const DESCRIPTION: &str = "Tiefes Schlagloch auf der rechten Fahrspur, Radfahrer müssen ausweichen. \
     Seit etwa zwei Wochen, wird nach Regen größer.";

const STRASSENARTEN: &[&str] = &["gemeindestrasse", "kreisstrasse", "landesstrasse", "unbekannt"];
const ADDRESS_HINTS: &[&str] = &[
    "vor Hausnummer 12",
    "Ecke Holm",
    "an der Bushaltestelle",
    "neben dem Spielplatz",
];

/// A valid report at a random place in Flensburg: mostly potholes, some lights and litter.
pub fn report_body(rng: &mut StdRng, points: &[(f64, f64)]) -> serde_json::Value {
    let (lat, lon) = points[rng.random_range(0..points.len())];
    let danger = rng.random_bool(0.2);
    let (category, answers) = match rng.random_range(0..10) {
        0..=5 => {
            let mut a = json!({"gefahr_akut": danger});
            if rng.random_bool(0.5) {
                a["groesse"] = json!(["lt20", "20_50", "gt50"][rng.random_range(0..3)]);
            }
            if rng.random_bool(0.3) {
                a["strassenart"] = json!(STRASSENARTEN[rng.random_range(0..STRASSENARTEN.len())]);
            }
            ("schlagloch", a)
        }
        6 | 7 => ("leuchte_aus", json!({"gefahr_akut": danger})),
        8 => ("papierkorb", json!({})),
        _ => (
            "ablagerung",
            json!({"gefaehrlich": danger, "art": ["sperrmuell", "elektro"], "menge": "mittel"}),
        ),
    };
    let mut body = json!({
        "id": Uuid::new_v4(),
        "category": category,
        "answers": answers,
        "description": DESCRIPTION,
        "location": {"lat": lat, "lon": lon},
        "consent": true,
    });
    if rng.random_bool(0.5) {
        body["address_hint"] = json!(ADDRESS_HINTS[rng.random_range(0..ADDRESS_HINTS.len())]);
    }
    body
}

/// Points of a grid over Flensburg that lie inside the city (so none is rejected as outside).
pub fn flensburg_points() -> anyhow::Result<Vec<(f64, f64)>> {
    let boundaries = Boundaries::from_geojson(SH_BOUNDARIES).context("the statewide boundaries")?;
    let ags = augenmerk_domain::Ags::parse(FLENSBURG)?;
    let bbox = boundaries
        .get(&ags)
        .context("Flensburg is not in the boundaries")?
        .bbox();
    const STEPS: u32 = 30;
    let mut points = Vec::new();
    for i in 0..STEPS {
        for j in 0..STEPS {
            let lat = bbox.min_lat + (f64::from(i) + 0.5) / f64::from(STEPS) * (bbox.max_lat - bbox.min_lat);
            let lon = bbox.min_lon + (f64::from(j) + 0.5) / f64::from(STEPS) * (bbox.max_lon - bbox.min_lon);
            let p = GeoPoint::parse(lat, lon)?;
            if let Location::Inside { municipality } = boundaries.locate(p, 0.0)?
                && municipality.ags == ags
            {
                points.push((lat, lon));
            }
        }
    }
    if points.len() < 50 {
        bail!("only {} grid points inside Flensburg", points.len());
    }
    Ok(points)
}
