//! A small geocoder for the tests: an HTTP server on 127.0.0.1 that answers the parts of
//! the Nominatim API the server uses (`/search` and `/reverse`, `format=jsonv2` with
//! `addressdetails=1`) from `tests/fixtures/nominatim-flensburg.json`, real Flensburg
//! addresses with their positions.
//!
//! It answers as Nominatim does: `/search` matches every word of `q` against the
//! address (case-insensitive), honours `viewbox` with `bounded=1` and `limit`; `/reverse`
//! returns the nearest address within 150 m, else `{"error": "Unable to geocode"}`.
//! It counts the requests, so a test can see that a lookup happened (or did not).
//!
//! For the browser tests it also serves map tiles (`/tiles/{z}/{x}/{y}.png`): one plain
//! grid tile for every address, so that the map is drawn without a tile server on the
//! network (the test machines have none).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde_json::{Value, json};

/// Farthest a reverse lookup looks for an address, in metres.
const REVERSE_RADIUS_M: f64 = 150.0;

/// One address of the fixture.
#[derive(Debug, Clone)]
pub struct FixturePlace {
    /// Building name (may be empty).
    pub name: String,
    /// Street.
    pub road: String,
    /// House number (may be empty).
    pub house_number: String,
    /// Postcode.
    pub postcode: String,
    /// Stadtteil.
    pub suburb: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

impl FixturePlace {
    /// The label the server makes of it (`Rathausplatz 1, 24937 Flensburg`).
    pub fn label(&self) -> String {
        let street = if self.house_number.is_empty() {
            self.road.clone()
        } else {
            format!("{} {}", self.road, self.house_number)
        };
        format!("{street}, {} Flensburg", self.postcode)
    }

    fn display_name(&self) -> String {
        [
            self.name.as_str(),
            self.house_number.as_str(),
            self.road.as_str(),
            self.suburb.as_str(),
            "Flensburg",
            "Schleswig-Holstein",
            self.postcode.as_str(),
            "Deutschland",
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }

    /// As Nominatim's jsonv2 with address details (coordinates as strings, as it sends them).
    fn to_nominatim(&self, id: usize) -> Value {
        let mut address = json!({
            "road": self.road, "suburb": self.suburb, "city": "Flensburg",
            "state": "Schleswig-Holstein", "postcode": self.postcode,
            "country": "Deutschland", "country_code": "de",
        });
        if !self.house_number.is_empty() {
            address["house_number"] = json!(self.house_number);
        }
        json!({
            "place_id": 100_000 + id,
            "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
            "lat": format!("{:.7}", self.lat),
            "lon": format!("{:.7}", self.lon),
            "category": "building", "type": "yes", "place_rank": 30,
            "name": self.name,
            "display_name": self.display_name(),
            "address": address,
        })
    }

    fn words(&self) -> String {
        format!("{} {} {}", self.display_name(), self.road, self.house_number).to_lowercase()
    }
}

/// The fixture's addresses.
pub fn places() -> Vec<FixturePlace> {
    let text = std::fs::read_to_string(crate::workspace().join("tests/fixtures/nominatim-flensburg.json"))
        .expect("tests/fixtures/nominatim-flensburg.json");
    let value: Value = serde_json::from_str(&text).expect("fixture is JSON");
    let s = |p: &Value, k: &str| p[k].as_str().unwrap_or_default().to_owned();
    value["places"]
        .as_array()
        .expect("places")
        .iter()
        .map(|p| FixturePlace {
            name: s(p, "name"),
            road: s(p, "road"),
            house_number: s(p, "house_number"),
            postcode: s(p, "postcode"),
            suburb: s(p, "suburb"),
            lat: p["lat"].as_f64().expect("lat"),
            lon: p["lon"].as_f64().expect("lon"),
        })
        .collect()
}

/// The fixture place on this street with this number (panics if there is none: a test's typo).
pub fn place(road: &str, house_number: &str) -> FixturePlace {
    places()
        .into_iter()
        .find(|p| p.road == road && p.house_number == house_number)
        .unwrap_or_else(|| panic!("no {road} {house_number} in the fixture"))
}

struct Shared {
    places: Vec<FixturePlace>,
    searches: AtomicUsize,
    reverses: AtomicUsize,
}

/// The running fixture geocoder; stops when dropped.
pub struct Nominatim {
    /// `http://127.0.0.1:<port>` (the server's `geocoder_url`).
    pub url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Nominatim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Nominatim {
    /// Starts it on a free port of 127.0.0.1, in the current Tokio runtime.
    pub async fn start() -> Self {
        let shared = Arc::new(Shared {
            places: places(),
            searches: AtomicUsize::new(0),
            reverses: AtomicUsize::new(0),
        });
        let app = Router::new()
            .route("/search", get(search))
            .route("/reverse", get(reverse))
            .route("/tiles/{z}/{x}/{y}", get(tile))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("fixture geocoder listens");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, shared, task }
    }

    /// The tile URL template for the server's `tile_url`.
    pub fn tile_url(&self) -> String {
        format!("{}/tiles/{{z}}/{{x}}/{{y}}.png", self.url)
    }

    /// `/search` requests answered so far.
    pub fn searches(&self) -> usize {
        self.shared.searches.load(Ordering::SeqCst)
    }

    /// `/reverse` requests answered so far.
    pub fn reverses(&self) -> usize {
        self.shared.reverses.load(Ordering::SeqCst)
    }
}

type Params = std::collections::HashMap<String, String>;

/// A light 256-pixel tile with a grid line on two edges, as PNG.
fn tile_png() -> &'static [u8] {
    static PNG: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    PNG.get_or_init(|| {
        let img = image::RgbImage::from_fn(256, 256, |x, y| {
            if x == 0 || y == 0 {
                image::Rgb([0xcd, 0xd4, 0xdc])
            } else {
                image::Rgb([0xee, 0xf1, 0xf4])
            }
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).expect("PNG tile");
        out.into_inner()
    })
}

async fn tile() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "image/png")], tile_png())
}

/// `viewbox=x1,y1,x2,y2` (any two corners) as (min_lon, min_lat, max_lon, max_lat).
fn viewbox(s: &str) -> Option<(f64, f64, f64, f64)> {
    let v: Vec<f64> = s.split(',').filter_map(|p| p.trim().parse().ok()).collect();
    let [x1, y1, x2, y2] = v[..] else { return None };
    Some((x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)))
}

async fn search(State(shared): State<Arc<Shared>>, Query(q): Query<Params>) -> axum::Json<Value> {
    shared.searches.fetch_add(1, Ordering::SeqCst);
    let words: Vec<String> = q
        .get("q")
        .map(|s| {
            s.to_lowercase()
                .split([' ', ','])
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let bounded = q.get("bounded").is_some_and(|b| b == "1");
    let bbox = q.get("viewbox").and_then(|v| viewbox(v));
    let limit = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(10);
    let found: Vec<Value> = shared
        .places
        .iter()
        .enumerate()
        .filter(|(_, p)| !words.is_empty() && words.iter().all(|w| p.words().contains(w.as_str())))
        .filter(|(_, p)| match (bounded, bbox) {
            (true, Some((w, s, e, n))) => p.lon >= w && p.lon <= e && p.lat >= s && p.lat <= n,
            _ => true,
        })
        .take(limit)
        .map(|(i, p)| p.to_nominatim(i))
        .collect();
    axum::Json(Value::Array(found))
}

/// Distance in metres (equirectangular: enough within a town).
fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let x = (lon2 - lon1).to_radians() * ((lat1 + lat2) / 2.0).to_radians().cos();
    let y = (lat2 - lat1).to_radians();
    (x * x + y * y).sqrt() * 6_371_000.0
}

async fn reverse(State(shared): State<Arc<Shared>>, Query(q): Query<Params>) -> axum::Json<Value> {
    shared.reverses.fetch_add(1, Ordering::SeqCst);
    let (Some(lat), Some(lon)) = (
        q.get("lat").and_then(|v| v.parse::<f64>().ok()),
        q.get("lon").and_then(|v| v.parse::<f64>().ok()),
    ) else {
        return axum::Json(json!({"error": "Parameter 'lat' and 'lon' required"}));
    };
    let nearest = shared
        .places
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p, distance_m(lat, lon, p.lat, p.lon)))
        .filter(|(_, _, d)| *d <= REVERSE_RADIUS_M)
        .min_by(|a, b| a.2.total_cmp(&b.2));
    axum::Json(match nearest {
        Some((i, p, _)) => p.to_nominatim(i),
        None => json!({"error": "Unable to geocode"}),
    })
}
