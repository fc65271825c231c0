//! Address search and reverse geocoding through an external geocoder that speaks the
//! Nominatim API (`/search?format=jsonv2`, `/reverse?format=jsonv2`), or Photon's
//! (`/api`, `/reverse`, GeoJSON answers) — `geocoder_url` in the settings.
//!
//! The report form uses it to find a place by address and to fill the address hint after
//! a tap on the map; Open311 uses it for a `POST requests` that names only an
//! `address_string`. The HTTP exchange is at the edge ([`Geocoder`]); what a request asks
//! and what an answer means are pure functions ([`search_url`], [`parse_search`], …), so
//! both APIs are tested without a network.
//!
//! Searches are bounded to a box (the municipality's, else Schleswig-Holstein's): a
//! citizen looking for "Bahnhofstraße 1" means the one here, not one of Germany's
//! hundreds. Each request has a short timeout, since a citizen waits for it.

use std::time::Duration;

use augenmerk_domain::GeoPoint;
use augenmerk_domain::geo::BoundingBox;
use serde::Serialize;
use serde_json::Value;

/// Schleswig-Holstein with a margin (Helgoland to Fehmarn, the Elbe to the Danish border).
pub const SCHLESWIG_HOLSTEIN: BoundingBox = BoundingBox {
    min_lon: 7.8,
    min_lat: 53.35,
    max_lon: 11.35,
    max_lat: 55.1,
};

/// How long one geocoder request may take: the citizen is waiting for it.
const TIMEOUT: Duration = Duration::from_secs(5);
/// Results of one address search.
pub const MAX_RESULTS: usize = 8;
/// Longest search text passed on (a street, a number, a town).
pub const MAX_QUERY_CHARS: usize = 200;

/// One place found: a short address label and its position.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FoundPlace {
    /// A short address (`Rathausplatz 1, 24937 Flensburg`).
    pub label: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

impl FoundPlace {
    /// The position as a domain point.
    pub fn point(&self) -> Option<GeoPoint> {
        GeoPoint::parse(self.lat, self.lon).ok()
    }
}

/// Which API the geocoder speaks, found from its URL once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Nominatim (`/search`, `/reverse` with `format=jsonv2`).
    Nominatim,
    /// Photon (`/api`, `/reverse`; GeoJSON).
    Photon,
}

/// What went wrong talking to the geocoder (the client gets a 502 either way; the log
/// gets this).
#[derive(Debug, thiserror::Error)]
pub enum GeocodeError {
    /// No answer in time, or no connection.
    #[error("the geocoder did not answer: {0}")]
    Unreachable(String),
    /// An HTTP error status or a body that is not the API's JSON.
    #[error("the geocoder answered with an error: {0}")]
    BadAnswer(String),
}

/// The geocoder, if one is configured, with the per-address limit of its endpoints.
pub struct Geocoding {
    /// `None`: no address search on this server.
    pub geocoder: Option<Geocoder>,
    /// Searches and reverse lookups per client address (kept in this instance's memory:
    /// it protects the geocoder from one client's script, not a budget to share).
    pub per_address: crate::limits::Limiter,
}

impl Geocoding {
    /// From the settings; an unusable URL is logged and leaves address search off.
    pub fn new(settings: &crate::config::Settings) -> Self {
        let geocoder = match Geocoder::new(settings.geocoder_url.as_deref().unwrap_or_default()) {
            Ok(g) => g,
            Err(e) => {
                tracing::error!(error = %e, "geocoder_url is not usable; address search is off");
                None
            }
        };
        Self {
            geocoder,
            per_address: crate::limits::Limiter::per_minute(
                settings.geocode_per_minute.max(1),
                settings.rate_limits.max_keys,
            ),
        }
    }
}

/// The configured geocoder.
pub struct Geocoder {
    client: reqwest::Client,
    base: String,
    flavour: Flavour,
}

impl Geocoder {
    /// A client for the geocoder at `url` (`https://nominatim.example.de`; a URL ending in
    /// `/api` — Photon's search path — is taken for Photon). `None` for an empty URL.
    pub fn new(url: &str) -> Result<Option<Self>, GeocodeError> {
        let url = url.trim().trim_end_matches('/');
        if url.is_empty() {
            return Ok(None);
        }
        let (base, flavour) = match url.strip_suffix("/api") {
            Some(base) => (base.to_owned(), Flavour::Photon),
            None => (url.to_owned(), Flavour::Nominatim),
        };
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(2))
            // Nominatim's usage policy asks every client to name itself.
            .user_agent(concat!("Augenmerk/", env!("CARGO_PKG_VERSION"), " (Mängelmelder)"))
            .build()
            .map_err(|e| GeocodeError::Unreachable(e.to_string()))?;
        Ok(Some(Self { client, base, flavour }))
    }

    /// Places matching `query` inside `bbox`, best first (at most [`MAX_RESULTS`]).
    pub async fn search(&self, query: &str, bbox: BoundingBox) -> Result<Vec<FoundPlace>, GeocodeError> {
        let url = search_url(&self.base, self.flavour, query, bbox);
        let body = self.get(&url).await?;
        Ok(parse_search(&body)
            .into_iter()
            .filter(|p| p.point().is_some_and(|pt| pt.within(&bbox)))
            .take(MAX_RESULTS)
            .collect())
    }

    /// The address at a point, if the geocoder knows one.
    pub async fn reverse(&self, point: GeoPoint) -> Result<Option<String>, GeocodeError> {
        let body = self.get(&reverse_url(&self.base, self.flavour, point)).await?;
        Ok(parse_reverse(&body))
    }

    async fn get(&self, url: &str) -> Result<Value, GeocodeError> {
        let response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT_LANGUAGE, "de,en")
            .send()
            .await
            .map_err(|e| GeocodeError::Unreachable(e.to_string()))?;
        let status = response.status();
        // Nominatim answers a reverse lookup over water with 200 `{"error": …}`; a 404
        // from Photon's reverse means the same: nothing there.
        if status == reqwest::StatusCode::NOT_FOUND && self.flavour == Flavour::Photon {
            return Ok(Value::Null);
        }
        if !status.is_success() {
            return Err(GeocodeError::BadAnswer(format!("HTTP {status}")));
        }
        response
            .json::<Value>()
            .await
            .map_err(|e| GeocodeError::BadAnswer(e.to_string()))
    }
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The search request for either API, bounded to `bbox`.
pub fn search_url(base: &str, flavour: Flavour, query: &str, bbox: BoundingBox) -> String {
    let q = encode(query);
    match flavour {
        // viewbox is x1,y1,x2,y2 (two corners); bounded=1 keeps results inside it.
        Flavour::Nominatim => format!(
            "{base}/search?format=jsonv2&addressdetails=1&limit={MAX_RESULTS}&bounded=1&viewbox={},{},{},{}&q={q}",
            bbox.min_lon, bbox.max_lat, bbox.max_lon, bbox.min_lat
        ),
        Flavour::Photon => format!(
            "{base}/api?limit={MAX_RESULTS}&lang=de&bbox={},{},{},{}&q={q}",
            bbox.min_lon, bbox.min_lat, bbox.max_lon, bbox.max_lat
        ),
    }
}

/// The reverse request for either API.
pub fn reverse_url(base: &str, flavour: Flavour, point: GeoPoint) -> String {
    match flavour {
        Flavour::Nominatim => format!(
            "{base}/reverse?format=jsonv2&addressdetails=1&zoom=18&lat={}&lon={}",
            point.lat, point.lon
        ),
        Flavour::Photon => format!("{base}/reverse?lang=de&lat={}&lon={}", point.lat, point.lon),
    }
}

/// The places of a search answer: Nominatim's array or Photon's FeatureCollection.
pub fn parse_search(body: &Value) -> Vec<FoundPlace> {
    if let Some(items) = body.as_array() {
        items.iter().filter_map(nominatim_place).collect()
    } else if let Some(features) = body.get("features").and_then(Value::as_array) {
        features.iter().filter_map(photon_place).collect()
    } else {
        Vec::new()
    }
}

/// The address of a reverse answer: Nominatim's object (or `{"error": …}` for nothing),
/// or Photon's FeatureCollection.
pub fn parse_reverse(body: &Value) -> Option<String> {
    if body.get("error").is_some() {
        return None;
    }
    if let Some(features) = body.get("features").and_then(Value::as_array) {
        return features.iter().find_map(photon_place).map(|p| p.label);
    }
    nominatim_place(body).map(|p| p.label)
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A number Nominatim sends as a string (`"54.78"`) or Photon as a number.
fn number(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// `Street 1, 24937 Town` from address parts; `None` when there is no street or name.
fn short_label(
    street: Option<&str>,
    number: Option<&str>,
    name: Option<&str>,
    postcode: Option<&str>,
    town: Option<&str>,
) -> Option<String> {
    let first = match (street, number) {
        (Some(s), Some(n)) => format!("{s} {n}"),
        (Some(s), None) => s.to_owned(),
        (None, _) => name?.to_owned(),
    };
    let second = [postcode, town].into_iter().flatten().collect::<Vec<_>>().join(" ");
    Some(if second.is_empty() {
        first
    } else {
        format!("{first}, {second}")
    })
}

fn nominatim_place(item: &Value) -> Option<FoundPlace> {
    let lat = number(item.get("lat")?)?;
    let lon = number(item.get("lon")?)?;
    let label = item.get("address").and_then(|a| {
        let town = ["city", "town", "village", "municipality"]
            .into_iter()
            .find_map(|k| text(a, k));
        let street = ["road", "pedestrian", "square", "footway"]
            .into_iter()
            .find_map(|k| text(a, k));
        short_label(
            street,
            text(a, "house_number"),
            text(item, "name"),
            text(a, "postcode"),
            town,
        )
    });
    let label = label.or_else(|| text(item, "display_name").map(str::to_owned))?;
    GeoPoint::parse(lat, lon).ok()?;
    Some(FoundPlace { label, lat, lon })
}

fn photon_place(feature: &Value) -> Option<FoundPlace> {
    let coords = feature.get("geometry")?.get("coordinates")?.as_array()?;
    let (lon, lat) = (number(coords.first()?)?, number(coords.get(1)?)?);
    let p = feature.get("properties")?;
    let label = short_label(
        text(p, "street"),
        text(p, "housenumber"),
        text(p, "name"),
        text(p, "postcode"),
        text(p, "city").or_else(|| text(p, "town")),
    )?;
    GeoPoint::parse(lat, lon).ok()?;
    Some(FoundPlace { label, lat, lon })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nominatim_answers_become_short_labels() {
        let body = json!([{
            "lat": "54.7833", "lon": "9.4316", "name": "Rathaus",
            "display_name": "Rathaus, 1, Rathausplatz, Altstadt, Flensburg, Schleswig-Holstein, 24937, Deutschland",
            "address": {"road": "Rathausplatz", "house_number": "1", "postcode": "24937", "city": "Flensburg"}
        }, {"lat": "x", "lon": "9.4"}]);
        assert_eq!(
            parse_search(&body),
            vec![FoundPlace {
                label: "Rathausplatz 1, 24937 Flensburg".into(),
                lat: 54.7833,
                lon: 9.4316
            }]
        );
        assert_eq!(
            parse_reverse(&body[0]).as_deref(),
            Some("Rathausplatz 1, 24937 Flensburg")
        );
        assert_eq!(parse_reverse(&json!({"error": "Unable to geocode"})), None);
    }

    #[test]
    fn photon_answers_are_read_too() {
        let body = json!({"type": "FeatureCollection", "features": [{
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [9.4366, 54.7816]},
            "properties": {"street": "Südermarkt", "housenumber": "9", "postcode": "24937", "city": "Flensburg"}
        }]});
        let found = parse_search(&body);
        assert_eq!(found[0].label, "Südermarkt 9, 24937 Flensburg");
        assert_eq!((found[0].lat, found[0].lon), (54.7816, 9.4366));
        assert_eq!(parse_reverse(&body).as_deref(), Some("Südermarkt 9, 24937 Flensburg"));
    }

    #[test]
    fn searches_are_bounded_and_encoded() {
        let url = search_url("http://g", Flavour::Nominatim, "Holm 1 & 2", SCHLESWIG_HOLSTEIN);
        assert!(url.starts_with("http://g/search?format=jsonv2"), "{url}");
        assert!(url.contains("bounded=1&viewbox=7.8,55.1,11.35,53.35"), "{url}");
        assert!(url.ends_with("q=Holm+1+%26+2"), "{url}");
        let url = search_url("http://p", Flavour::Photon, "Holm", SCHLESWIG_HOLSTEIN);
        assert!(
            url.starts_with("http://p/api?") && url.contains("bbox=7.8,53.35,11.35,55.1"),
            "{url}"
        );
    }

    #[test]
    fn the_flavour_comes_from_the_url() {
        let g = Geocoder::new("http://photon.local/api/")
            .expect("client")
            .expect("configured");
        assert_eq!((g.base.as_str(), g.flavour), ("http://photon.local", Flavour::Photon));
        let g = Geocoder::new(" http://nominatim.local/ ")
            .expect("client")
            .expect("configured");
        assert_eq!(
            (g.base.as_str(), g.flavour),
            ("http://nominatim.local", Flavour::Nominatim)
        );
        assert!(Geocoder::new("  ").expect("client").is_none());
    }
}
