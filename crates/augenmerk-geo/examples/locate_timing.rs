//! Times point lookups on the statewide Schleswig-Holstein data in `data/geo/`.
//!
//! Run with `cargo run --release -p augenmerk-geo --example locate_timing`.

use std::time::Instant;

use augenmerk_geo::{Areas, Boundaries, DEFAULT_TOLERANCE_M, GeoPoint, Location};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/geo");
    let text = std::fs::read_to_string(format!("{dir}/sh-gemeinden.geojson"))?;
    let started = Instant::now();
    let boundaries = Boundaries::from_geojson(&text)?;
    println!(
        "import: {} municipalities in {:.1} ms",
        boundaries.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    let areas = Areas::from_geojson(&std::fs::read_to_string(format!("{dir}/flensburg-stadtteile.geojson"))?)?;

    // A deterministic grid over Schleswig-Holstein and the sea and land around it.
    let n = 100;
    let points: Vec<GeoPoint> = (0..n * n)
        .map(|i| {
            let lat = 53.3 + 1.8 * f64::from(i / n) / f64::from(n);
            let lon = 7.8 + 3.8 * f64::from(i % n) / f64::from(n);
            GeoPoint::parse(lat, lon)
        })
        .collect::<Result<_, _>>()?;

    let (mut inside, mut tolerance, mut outside) = (0, 0, 0);
    let mut slowest = std::time::Duration::ZERO;
    let started = Instant::now();
    for &p in &points {
        let one = Instant::now();
        let location = boundaries.locate(p, DEFAULT_TOLERANCE_M)?;
        slowest = slowest.max(one.elapsed());
        match location {
            Location::Inside { .. } => inside += 1,
            Location::WithinTolerance { .. } => tolerance += 1,
            Location::Outside { .. } => outside += 1,
        }
    }
    let elapsed = started.elapsed();
    println!(
        "locate: {} points in {:.1} ms = {:.1} µs each, slowest {:.1} µs \
         ({inside} inside, {tolerance} by tolerance, {outside} outside)",
        points.len(),
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / points.len() as f64,
        slowest.as_secs_f64() * 1e6
    );

    let inside_points: Vec<GeoPoint> = points
        .iter()
        .copied()
        .filter(|&p| matches!(boundaries.locate(p, 0.0), Ok(Location::Inside { .. })))
        .collect();
    let started = Instant::now();
    for &p in &inside_points {
        boundaries.locate(p, DEFAULT_TOLERANCE_M)?;
    }
    let elapsed = started.elapsed();
    println!(
        "locate, points inside only: {:.1} µs each",
        elapsed.as_secs_f64() * 1e6 / inside_points.len().max(1) as f64
    );

    let started = Instant::now();
    let mut hits = 0;
    for &p in &points {
        hits += areas.containing(p).len();
    }
    let elapsed = started.elapsed();
    println!(
        "areas.containing: {:.2} µs each ({hits} hits)",
        elapsed.as_secs_f64() * 1e6 / points.len() as f64
    );
    Ok(())
}
