//! The configuration that used to need raw API calls or the command line, driven through
//! the console against the demo (Flensburg) and checked through the API: the working
//! hours (a wrong time is named at its field, the saved days and times are what the
//! settings answer), the external authorities (added, renamed, one removed; one a rule
//! forwards to is kept; the mail section then offers the new one's delivery), and the
//! Open311 API keys (the secret is shown once and works for an Open311 POST until the key
//! is revoked in the console), and the boundary (an upload is checked and previewed on
//! the map without changing anything; confirmed, it places reports at once). axe-core on
//! every screen; screenshots at laptop and tablet size to `docs/screenshots/console/`.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{laptop, login, one_browser, page_errors, screenshots, section};
use augenmerk_tests::{Browser, DENMARK, FLENSBURG, MUERWIK, SLOW, Server, Staff};

/// An Open311 GeoReport v2 POST of a pothole with `key`; returns the HTTP status.
async fn open311_post(url: &str, key: &str) -> u16 {
    let form = [
        ("api_key", key.to_owned()),
        ("service_code", "schlagloch".to_owned()),
        ("lat", MUERWIK.0.to_string()),
        ("long", MUERWIK.1.to_string()),
        ("attribute[gefahr_akut]", "false".to_owned()),
        (
            "description",
            "Schlagloch, gemeldet über die Stadtwerke-App.".to_owned(),
        ),
    ];
    reqwest::Client::new()
        .post(format!("{url}/open311/v2/requests.json"))
        .form(&form)
        .send()
        .await
        .expect("Open311 POST")
        .status()
        .as_u16()
}

/// A boundary for Flensburg that reaches far north, over the Danish border: a point
/// there belongs to no Gemeinde before, and to Flensburg once it is confirmed.
fn boundary_reaching_denmark() -> String {
    let (lat, lon) = DENMARK;
    let ring = json!([
        [9.35, 54.74],
        [lon + 0.05, 54.74],
        [lon + 0.05, lat + 0.05],
        [9.35, lat + 0.05],
        [9.35, 54.74]
    ]);
    json!({"type": "Feature", "properties": {"AGS": FLENSBURG}, "geometry": {"type": "Polygon", "coordinates": [ring]}})
        .to_string()
}

/// Waits for the success notice of a configuration form.
async fn saved(b: &Browser) {
    b.wait_id("console-notice", SLOW).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_sets_working_hours_authorities_open311_keys_and_the_boundary_in_the_console() {
    let _one = one_browser().await;
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-console-config-screens-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let admin_api = Staff::login(&server.url, "admin").await;
    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    login(&b, &server.url, "admin").await;
    b.click_id("nav-config").await;
    b.wait_css("[data-testid=\"rule-item\"]", SLOW).await;
    let mut violations = Vec::new();

    // --- Working hours: Friday off, 08:00–15:30; a wrong time is named at its field. ---
    section(&b, "working-hours").await;
    b.click_css("label[for=\"wh-day-5\"]").await;
    b.type_into("wh-start", "8 Uhr").await;
    b.click_id("wh-save").await;
    b.wait_css("#field-working-hours-start-error", SLOW).await;
    violations.extend(
        b.serious_accessibility_violations("configuration: working hours refused")
            .await,
    );
    b.type_into("wh-start", "08:00").await;
    b.type_into("wh-end", "15:30").await;
    b.click_id("wh-save").await;
    saved(&b).await;
    let settings = admin_api.get("/api/v1/staff/config/settings").await;
    assert_eq!(
        settings["working_hours"],
        json!({"timezone": "Europe/Berlin", "days": [1, 2, 3, 4], "start": "08:00", "end": "15:30"}),
        "{settings}"
    );
    violations.extend(b.serious_accessibility_violations("configuration: working hours").await);
    screenshots(&b, "config-working-hours").await;

    // --- External authorities: one added and renamed, one removed, one in use kept. ---
    section(&b, "authorities").await;
    b.wait_css("[data-testid=\"authority-row\"][data-id=\"db\"]", SLOW)
        .await;
    b.type_into("authority-id", "wsa-ostsee").await;
    b.type_into("authority-name", "Wasserstraßen- und Schifffahrtsamt")
        .await;
    b.click_id("authority-save").await;
    b.wait_text(
        &Browser::id("authority-table"),
        "Wasserstraßen- und Schifffahrtsamt",
        SLOW,
    )
    .await;
    b.click_css("[data-testid=\"authority-row\"][data-id=\"wsa-ostsee\"] [data-testid=\"authority-edit\"]")
        .await;
    // Rules and forwarded reports refer to the id: renaming keeps it.
    b.wait_css("[data-testid=\"authority-id\"][readonly]", Duration::from_secs(10))
        .await;
    b.type_into("authority-name", "WSA Ostsee").await;
    b.click_id("authority-save").await;
    b.wait_text(&Browser::id("authority-table"), "WSA Ostsee", SLOW).await;
    b.click_css("[data-testid=\"authority-row\"][data-id=\"db\"] [data-testid=\"authority-remove\"]")
        .await;
    b.wait_gone("[data-testid=\"authority-row\"][data-id=\"db\"]", SLOW)
        .await;
    violations.extend(b.serious_accessibility_violations("configuration: authorities").await);
    screenshots(&b, "config-authorities").await;
    // A demo rule forwards to the LBV.SH: removing it is refused, and it stays.
    b.click_css("[data-testid=\"authority-row\"][data-id=\"lbv-sh\"] [data-testid=\"authority-remove\"]")
        .await;
    b.wait_text(&Browser::id("error-alert"), "Weiterleitungsregel", SLOW)
        .await;
    violations.extend(
        b.serious_accessibility_violations("configuration: authority in use")
            .await,
    );
    let settings = admin_api.get("/api/v1/staff/config/settings").await;
    let ids: Vec<&str> = settings["authorities"]
        .as_array()
        .expect("authorities")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"wsa-ostsee") && ids.contains(&"lbv-sh") && !ids.contains(&"db"),
        "{settings}"
    );
    let wsa = settings["authorities"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == "wsa-ostsee"))
        .expect("the new authority");
    assert_eq!(wsa["name"], "WSA Ostsee");
    // The mail section edits the same list: the new authority's delivery is offered there.
    b.click_id("authorities-to-mail").await;
    b.wait_text(&Browser::id("mail-config"), "WSA Ostsee", SLOW).await;

    // --- Open311 API keys: issued (the secret once), used, revoked. ---
    section(&b, "api-keys").await;
    b.type_into("api-key-name", "Stadtwerke-App").await;
    b.type_into("api-key-hosts", "https://fotos.example.org/").await;
    b.click_id("api-key-create").await;
    b.wait_css("#field-media-hosts-error", SLOW).await;
    b.type_into("api-key-hosts", "fotos.example.org").await;
    b.click_id("api-key-create").await;
    let secret = b
        .wait_id("api-key-secret", SLOW)
        .await
        .prop("value")
        .await
        .expect("the secret")
        .unwrap_or_default();
    assert!(secret.len() >= 40, "a long secret is shown: {secret:?}");
    b.wait_text(&Browser::id("api-key-table"), "Stadtwerke-App", SLOW).await;
    let keys = admin_api.get("/api/v1/staff/config/api-keys").await;
    assert_eq!(keys[0]["name"], "Stadtwerke-App", "{keys}");
    assert_eq!(keys[0]["media_hosts"], json!(["fotos.example.org"]), "{keys}");
    assert!(!keys.to_string().contains(&secret), "the list never holds the secret");
    assert_eq!(open311_post(&server.url, &secret).await, 200, "the new key works");
    violations.extend(b.serious_accessibility_violations("configuration: API keys").await);
    screenshots(&b, "config-api-keys").await;
    b.click_css("[data-testid=\"api-key-row\"][data-active=\"true\"] [data-testid=\"api-key-revoke\"]")
        .await;
    b.wait_css("[data-testid=\"api-key-row\"][data-active=\"false\"]", SLOW)
        .await;
    let status = open311_post(&server.url, &secret).await;
    assert!((400..500).contains(&status), "a revoked key is refused, got {status}");
    let keys = admin_api.get("/api/v1/staff/config/api-keys").await;
    assert!(keys[0]["revoked_at"].is_string(), "{keys}");

    // --- The boundary: checked and previewed (nothing changes), then confirmed. ---
    let denmark = format!("/api/v1/responsibility?lat={}&lon={}", DENMARK.0, DENMARK.1);
    let answered = |url: String| async move { reqwest::get(url).await.expect("responsibility").status().as_u16() };
    assert_eq!(
        answered(format!("{}{denmark}", server.url)).await,
        422,
        "outside every Gemeinde"
    );
    section(&b, "boundary").await;
    b.wait_attr(&Browser::id("boundary-map"), "data-drawn", "true", SLOW)
        .await;
    b.type_into(
        "boundary-geojson",
        "{\"type\": \"LineString\", \"coordinates\": [[9.4, 54.8], [9.5, 54.9]]}",
    )
    .await;
    b.click_id("boundary-check").await;
    b.wait_id("error-alert", SLOW).await;
    b.type_into("boundary-geojson", &boundary_reaching_denmark()).await;
    b.click_id("boundary-check").await;
    b.wait_id("boundary-confirm", SLOW).await;
    b.wait_attr(&Browser::id("boundary-map"), "data-preview", "true", SLOW)
        .await;
    assert_eq!(
        answered(format!("{}{denmark}", server.url)).await,
        422,
        "the preview changes nothing"
    );
    violations.extend(
        b.serious_accessibility_violations("configuration: boundary preview")
            .await,
    );
    screenshots(&b, "config-boundary").await;
    b.click_id("boundary-confirm").await;
    // The preview closes once the server has stored the line and rebuilt its index.
    b.wait_gone(&Browser::id("boundary-confirm"), SLOW).await;
    b.wait_text(&Browser::id("console-notice"), "ersetzt", SLOW).await;
    let found: serde_json::Value = reqwest::get(format!("{}{denmark}", server.url))
        .await
        .expect("responsibility")
        .json()
        .await
        .expect("JSON");
    assert_eq!(found["ags"], FLENSBURG, "the new line is used at once: {found}");

    let errors = page_errors(&b).await;
    assert!(errors.is_empty(), "the page logged errors: {errors:?}");
    b.close().await;
    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}
