//! Address search and reverse geocoding (`/api/v1/geocode/…`) through a geocoder that
//! speaks the Nominatim API: the fixture geocoder of real Flensburg addresses
//! (`augenmerk_tests::nominatim`). Without a geocoder the endpoints say so and the UI's
//! configuration hides the search; a geocoder that does not answer is a clear 502.

use augenmerk_tests::nominatim::{Nominatim, place};

use crate::helpers::{FLENSBURG, FOERDE, KIEL, TestApp, spawn_app, spawn_app_with};

async fn app_with_geocoder(url: &str) -> TestApp {
    let url = url.to_owned();
    spawn_app_with(move |s| s.geocoder_url = Some(url)).await
}

fn encode(s: &str) -> String {
    reqwest::Url::parse_with_params("http://x/", &[("q", s)])
        .expect("url")
        .query()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn without_a_geocoder_search_is_off_and_says_so() {
    let app = spawn_app().await;
    let config = app.get("/ui/config.json", None).await.expect(200);
    assert_eq!(config["geocoder"], false, "{config}");
    // The demo serves several municipalities: the form's map opens on the whole state.
    assert_eq!(config["home"], serde_json::Value::Null, "{config}");
    app.get("/api/v1/geocode/search?q=Rathausplatz", None)
        .await
        .expect_error(404, "no_geocoder");
    app.get("/api/v1/geocode/reverse?lat=54.78&lon=9.43", None)
        .await
        .expect_error(404, "no_geocoder");
}

#[tokio::test]
async fn an_address_is_found_within_the_municipality_and_lies_in_it() {
    let geocoder = Nominatim::start().await;
    let app = app_with_geocoder(&geocoder.url).await;
    let config = app.get("/ui/config.json", None).await.expect(200);
    assert_eq!(config["geocoder"], true, "{config}");

    let rathaus = place("Rathausplatz", "1");
    let found = app
        .get(
            &format!("/api/v1/geocode/search?{}&ags={FLENSBURG}", encode("rathausplatz 1")),
            None,
        )
        .await
        .expect(200);
    let first = &found[0];
    assert_eq!(first["label"], "Rathausplatz 1, 24937 Flensburg", "{found}");
    assert!((first["lat"].as_f64().unwrap() - rathaus.lat).abs() < 1e-6, "{found}");
    assert!((first["lon"].as_f64().unwrap() - rathaus.lon).abs() < 1e-6, "{found}");
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    // The place found is in Flensburg, which takes reports here.
    let r = app
        .get(
            &format!("/api/v1/responsibility?lat={}&lon={}", first["lat"], first["lon"]),
            None,
        )
        .await
        .expect(200);
    assert_eq!(r["ags"], FLENSBURG, "{r}");
    assert_eq!(r["distance_m"], 0.0, "{r}");

    // Umlauts and several results (two addresses on the Norderstraße).
    let found = app
        .get(&format!("/api/v1/geocode/search?{}", encode("Norderstraße")), None)
        .await
        .expect(200);
    let labels: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["label"].as_str())
        .collect();
    assert!(labels.contains(&"Norderstraße 157, 24939 Flensburg"), "{labels:?}");
    assert!(labels.contains(&"Norderstraße, 24939 Flensburg"), "{labels:?}");

    // Bounded to the municipality asked for: Kiel has no Rathausplatz of Flensburg's.
    let in_kiel = app
        .get(
            &format!("/api/v1/geocode/search?{}&ags={KIEL}", encode("Rathausplatz 1")),
            None,
        )
        .await
        .expect(200);
    assert_eq!(in_kiel, serde_json::json!([]));
    // Nothing found is an empty list, not an error.
    let none = app
        .get(&format!("/api/v1/geocode/search?{}", encode("Gibtsnichtweg 99")), None)
        .await
        .expect(200);
    assert_eq!(none, serde_json::json!([]));
}

#[tokio::test]
async fn reverse_geocoding_names_the_address_at_a_point() {
    let geocoder = Nominatim::start().await;
    let app = app_with_geocoder(&geocoder.url).await;
    let suedermarkt = place("Südermarkt", "1");
    // A tap a few metres from the address.
    let answer = app
        .get(
            &format!(
                "/api/v1/geocode/reverse?lat={}&lon={}",
                suedermarkt.lat + 0.0002,
                suedermarkt.lon
            ),
            None,
        )
        .await
        .expect(200);
    assert_eq!(answer["label"], "Südermarkt 1, 24937 Flensburg", "{answer}");
    // On the Förde there is no address: `null`, not an error.
    let water = app
        .get(
            &format!("/api/v1/geocode/reverse?lat={}&lon={}", FOERDE.0, FOERDE.1),
            None,
        )
        .await
        .expect(200);
    assert_eq!(water["label"], serde_json::Value::Null, "{water}");
    assert_eq!(geocoder.reverses(), 2);
}

#[tokio::test]
async fn bad_input_is_refused_before_the_geocoder_is_asked() {
    let geocoder = Nominatim::start().await;
    let app = app_with_geocoder(&geocoder.url).await;
    app.get("/api/v1/geocode/search?q=%20%20", None)
        .await
        .expect_field_error("q", "required");
    let long = "a".repeat(201);
    app.get(&format!("/api/v1/geocode/search?q={long}"), None)
        .await
        .expect_field_error("q", "too_long");
    app.get("/api/v1/geocode/search?q=Holm&ags=12", None)
        .await
        .expect_error(422, "validation_failed");
    // A key without boundaries.
    app.get("/api/v1/geocode/search?q=Holm&ags=99999999", None)
        .await
        .expect_error(404, "not_found");
    app.get("/api/v1/geocode/reverse?lat=91&lon=9", None)
        .await
        .expect_error(422, "validation_failed");
    app.get("/api/v1/geocode/reverse?lat=abc&lon=9", None)
        .await
        .expect_error(400, "malformed_request");
    assert_eq!(geocoder.searches() + geocoder.reverses(), 0);
}

#[tokio::test]
async fn a_geocoder_that_does_not_answer_is_a_clear_502() {
    // A port nothing listens on.
    let port = augenmerk_tests::free_port();
    let app = app_with_geocoder(&format!("http://127.0.0.1:{port}")).await;
    let body = app
        .get("/api/v1/geocode/search?q=Rathausplatz", None)
        .await
        .expect_error(502, "geocoder_unavailable");
    assert!(!body.to_string().contains(&port.to_string()), "no internals: {body}");
    app.get("/api/v1/geocode/reverse?lat=54.78&lon=9.43", None)
        .await
        .expect_error(502, "geocoder_unavailable");
}

#[tokio::test]
async fn searches_are_limited_per_client_address() {
    let geocoder = Nominatim::start().await;
    let url = geocoder.url.clone();
    let app = spawn_app_with(move |s| {
        s.geocoder_url = Some(url);
        s.geocode_per_minute = 3;
    })
    .await;
    for _ in 0..3 {
        app.get("/api/v1/geocode/search?q=Holm", None).await.expect(200);
    }
    let reply = app.get("/api/v1/geocode/search?q=Holm", None).await;
    reply.expect_error(429, "rate_limited");
    assert!(reply.headers.contains_key("retry-after"));
    assert_eq!(geocoder.searches(), 3, "a refused search never reaches the geocoder");
}
