//! Open311 `POST requests` with only an `address_string` (the spec allows it instead of
//! `lat`/`long`): geocoded through the server's geocoder (the fixture of real Flensburg
//! addresses), refused clearly without one or when nothing is found; and `api_key` in the
//! query string of a POST, as clients in the wild send it.

use augenmerk_tests::nominatim::{Nominatim, place};
use serde_json::Value;

use crate::helpers::{FLENSBURG, MUERWIK, Reply, TestApp, form_encode, spawn_app, spawn_app_with};

const URL: &str = "/open311/v2/requests.json";

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Reply {
    app.send(
        app.request(reqwest::Method::POST, path, None)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_encode(fields)),
    )
    .await
}

/// A pothole without a position.
fn pothole(key: &str) -> Vec<(&str, &str)> {
    vec![
        ("api_key", key),
        ("service_code", "schlagloch"),
        ("attribute[gefahr_akut]", "false"),
        ("attribute[strassenart]", "gemeindestrasse"),
        ("description", "Loch vor dem Rathaus"),
    ]
}

/// The Open311 error description of a JSON error answer with this status.
fn error_description(reply: &Reply, status: u16) -> String {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.text());
    let body: Value = reply.json();
    assert_eq!(body[0]["code"], status, "{body}");
    body[0]["description"].as_str().expect("description").to_owned()
}

#[tokio::test]
async fn an_address_string_alone_is_geocoded_within_the_jurisdiction() {
    let geocoder = Nominatim::start().await;
    let url = geocoder.url.clone();
    let app = spawn_app_with(move |s| s.geocoder_url = Some(url)).await;
    let key = app.open311_key(FLENSBURG, &[]).await;
    let mut form = pothole(&key);
    form.push(("address_string", "Rathausplatz 1"));
    let reply = post_form(&app, URL, &form).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    let id = reply.json()[0]["service_request_id"].as_str().expect("id").to_owned();

    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let detail = app.detail(&dispatcher, &id).await;
    let report = &detail["report"];
    let rathaus = place("Rathausplatz", "1");
    assert!(
        (report["location"]["lat"].as_f64().unwrap() - rathaus.lat).abs() < 1e-6,
        "{report}"
    );
    assert!(
        (report["location"]["lon"].as_f64().unwrap() - rathaus.lon).abs() < 1e-6,
        "{report}"
    );
    assert_eq!(
        report["address_hint"], "Rathausplatz 1",
        "the client's address is kept as the hint"
    );
    assert_eq!(report["channel"], "open311");
    assert_eq!(geocoder.searches(), 1);

    // lat/long win over an address: the geocoder is not asked.
    let (lat, lon) = (MUERWIK.0.to_string(), MUERWIK.1.to_string());
    let mut both = pothole(&key);
    both.extend([
        ("lat", lat.as_str()),
        ("long", lon.as_str()),
        ("address_string", "Rathausplatz 1"),
    ]);
    assert_eq!(post_form(&app, URL, &both).await.status.as_u16(), 200);
    assert_eq!(geocoder.searches(), 1);
}

#[tokio::test]
async fn an_address_that_is_not_found_or_cannot_be_looked_up_is_refused_clearly() {
    let geocoder = Nominatim::start().await;
    let url = geocoder.url.clone();
    let app = spawn_app_with(move |s| s.geocoder_url = Some(url)).await;
    let key = app.open311_key(FLENSBURG, &[]).await;
    let mut form = pothole(&key);
    form.push(("address_string", "Gibtsnichtweg 99"));
    let d = error_description(&post_form(&app, URL, &form).await, 400);
    assert!(d.contains("address_string was not found"), "{d}");
    // Only half a position.
    let mut half = pothole(&key);
    half.push(("lat", "54.78"));
    let d = error_description(&post_form(&app, URL, &half).await, 400);
    assert!(d.contains("together"), "{d}");

    // Without a geocoder the client is told to send coordinates.
    let plain = spawn_app().await;
    let key = plain.open311_key(FLENSBURG, &[]).await;
    let mut form = pothole(&key);
    form.push(("address_string", "Rathausplatz 1"));
    let d = error_description(&post_form(&plain, URL, &form).await, 400);
    assert!(d.contains("no geocoder") && d.contains("lat and long"), "{d}");

    // A geocoder that does not answer: 502, and nothing stored.
    let port = augenmerk_tests::free_port();
    let down = spawn_app_with(move |s| s.geocoder_url = Some(format!("http://127.0.0.1:{port}"))).await;
    let key = down.open311_key(FLENSBURG, &[]).await;
    let mut form = pothole(&key);
    form.push(("address_string", "Rathausplatz 1"));
    let d = error_description(&post_form(&down, URL, &form).await, 502);
    assert!(d.contains("geocoder"), "{d}");
    let dispatcher = down.login(FLENSBURG, "dispatcher").await;
    assert_eq!(down.inbox_total(&dispatcher).await, 0);
}

#[tokio::test]
async fn api_key_is_accepted_in_the_query_string_of_a_post() {
    let app = spawn_app().await;
    let key = app.open311_key(FLENSBURG, &[]).await;
    let (lat, lon) = (MUERWIK.0.to_string(), MUERWIK.1.to_string());
    let mut form: Vec<(&str, &str)> = pothole(&key).into_iter().filter(|(k, _)| *k != "api_key").collect();
    form.extend([("lat", lat.as_str()), ("long", lon.as_str())]);

    let in_query = format!("{URL}?api_key={key}");
    let reply = post_form(&app, &in_query, &form).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    assert!(reply.json()[0]["service_request_id"].is_string());

    // A wrong key in the query is refused as one in the body is.
    let d = error_description(&post_form(&app, &format!("{URL}?api_key=falsch"), &form).await, 403);
    assert!(d.contains("invalid"), "{d}");
    // No key anywhere.
    error_description(&post_form(&app, URL, &form).await, 403);
    // The body's key wins over the query's.
    let mut with_body_key = form.clone();
    with_body_key.push(("api_key", key.as_str()));
    let reply = post_form(&app, &format!("{URL}?api_key=falsch"), &with_body_key).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());

    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    assert_eq!(app.inbox_total(&dispatcher).await, 2);
}
