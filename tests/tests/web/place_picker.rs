//! The report form's place picker in Chromium, without GPS (the device's position is
//! never asked for): the map is there at once, on the whole state; a citizen places a
//! report by tapping the map (and the address hint fills in from the geocoder), another by
//! the address search. The geocoder is the fixture of real Flensburg addresses
//! (`augenmerk_tests::nominatim`), which also serves plain map tiles. Near a municipal
//! border the form offers the neighbour, and a report filed with it lands there. axe-core
//! on each screen; screenshots to `docs/screenshots/web/place-picker-*`.

use std::f64::consts::PI;
use std::time::Duration;

use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use fantoccini::elements::Element;

use augenmerk_tests::nominatim::{Nominatim, place};
use augenmerk_tests::{Browser, FLENSBURG, SLOW, Server, ServerSetup, Staff, steps};

/// In Flensburg, about 190 m from Wees (Amt Langballig, also on the platform), by the
/// boundaries in `data/geo/sh-gemeinden.geojson`.
const NEAR_WEES: (f64, f64) = (54.79395, 9.50117);
/// Amt Langballig, which Wees belongs to.
const AMT_LANGBALLIG: &str = "010595937";
/// Wees.
const WEES: &str = "01059176";

/// Web-Mercator pixel position of a point at a zoom level (Leaflet's CRS, 256-pixel tiles).
fn pixel(lat: f64, lon: f64, zoom: f64) -> (f64, f64) {
    let size = 256.0 * 2f64.powf(zoom);
    let x = (lon + 180.0) / 360.0 * size;
    let s = lat.to_radians().sin();
    let y = (0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * PI)) * size;
    (x, y)
}

async fn data_f64(el: &Element, name: &str) -> f64 {
    Browser::attr(el, name)
        .await
        .parse()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Taps the map at a place, with a real pointer (WebDriver actions), from where the map
/// says its view is (`data-center-lat/lon`, `data-zoom`).
async fn tap_map_at(b: &Browser, (lat, lon): (f64, f64)) {
    let map = b.by_id("report-map").await;
    b.client
        .execute(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
            vec![serde_json::to_value(&map).expect("element ref")],
        )
        .await
        .expect("scroll to the map");
    // Let a running zoom animation end, so the view the map reports is the one shown.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let zoom = data_f64(&map, "data-zoom").await;
    let centre = pixel(
        data_f64(&map, "data-center-lat").await,
        data_f64(&map, "data-center-lon").await,
        zoom,
    );
    let target = pixel(lat, lon, zoom);
    let (dx, dy) = (target.0 - centre.0, target.1 - centre.1);
    // WebDriver moves from the element's in-view centre rounded down to whole pixels;
    // Leaflet's centre is the exact middle: aim from there.
    let rect = b
        .client
        .execute(
            "const r = arguments[0].getBoundingClientRect(); return [r.x, r.y, r.width, r.height];",
            vec![serde_json::to_value(&map).expect("element ref")],
        )
        .await
        .expect("the map's position");
    let r: Vec<f64> = serde_json::from_value(rect).expect("rect");
    let (mid_x, mid_y) = (r[0] + r[2] / 2.0, r[1] + r[3] / 2.0);
    let (dx, dy) = (mid_x + dx - mid_x.floor(), mid_y + dy - mid_y.floor());
    let tap = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: map,
            duration: None,
            x: dx.round(),
            y: dy.round(),
        })
        .then(PointerAction::Down {
            button: fantoccini::actions::MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: fantoccini::actions::MOUSE_BUTTON_LEFT,
        });
    b.client.perform_actions(tap).await.expect("tap the map");
    b.client.release_actions().await.expect("release");
}

/// Waits until the input's current value (the property: the page sets it) is `value`.
async fn wait_value(b: &Browser, testid: &str, value: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut last = None;
    while std::time::Instant::now() < deadline {
        if let Ok(input) = b.client.find(fantoccini::Locator::Css(&Browser::id(testid))).await {
            last = input.prop("value").await.ok().flatten();
            if last.as_deref() == Some(value) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let saved = b.save_failure().await;
    panic!("{testid} is {last:?}, not {value:?}; the page is saved as {saved}");
}

async fn assert_accessible(b: &Browser, screen: &str) {
    let violations = b.serious_accessibility_violations(screen).await;
    assert!(violations.is_empty(), "{screen}: {violations:#?}");
}

/// A server with the fixture geocoder (and its tiles).
fn server(dir: &std::path::Path, geocoder: &Nominatim) -> Server {
    ServerSetup::web(dir)
        .env("AUGENMERK__GEOCODER_URL", &geocoder.url)
        .env("AUGENMERK__TILE_URL", geocoder.tile_url())
        .start()
}

/// The stored report, as staff see it.
async fn stored(server: &Server, id: &str) -> serde_json::Value {
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    dispatcher.get(&format!("/api/v1/staff/reports/{id}")).await["report"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_is_placed_by_tapping_the_map_and_by_address_search_without_gps() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-")
        .tempdir()
        .expect("temporary directory");
    let geocoder = Nominatim::start().await;
    let server = server(dir.path(), &geocoder);
    let b = Browser::start(dir.path()).await;

    // The map is there at once, on the whole state, before any place is known.
    b.goto(&server.url).await;
    let map = b.wait_attr_present(&Browser::id("report-map"), "data-zoom", SLOW).await;
    assert!(data_f64(&map, "data-zoom").await <= 8.0, "state-wide view");
    assert_eq!(b.by_id("location-text").await.text().await.unwrap_or_default(), "");
    b.by_id("address-search").await;
    assert_accessible(&b, "place picker, nothing chosen").await;
    b.screenshots("place-picker-start").await;

    // 1. A tap on the Südermarkt on the state map (rough: a pixel is some 700 m there): the
    //    map zooms in on it, and a second tap puts the place right; its address fills the hint.
    let suedermarkt = place("Südermarkt", "1");
    tap_map_at(&b, (suedermarkt.lat, suedermarkt.lon)).await;
    b.wait_text(&Browser::id("municipality-name"), "Flensburg", Duration::from_secs(20))
        .await;
    tap_map_at(&b, (suedermarkt.lat, suedermarkt.lon)).await;
    wait_value(&b, "address-hint", "Südermarkt 1, 24937 Flensburg").await;
    b.wait_text(&Browser::id("location-text"), "Karte", SLOW).await;
    assert!(geocoder.reverses() >= 1);
    steps::describe_pothole(&b, "Schlagloch am Südermarkt, per Karte gesetzt.").await;
    assert_accessible(&b, "place picker, tapped").await;
    b.screenshots("place-picker-tapped").await;
    let id = steps::submit(&b).await;
    let report = stored(&server, &id).await;
    assert_eq!(report["municipality"], FLENSBURG, "{report}");
    let (lat, lon) = (
        report["location"]["lat"].as_f64().expect("lat"),
        report["location"]["lon"].as_f64().expect("lon"),
    );
    // Within a few metres of where the tap aimed (a pixel at zoom 14 is about 5.5 m).
    assert!(
        (lat - suedermarkt.lat).abs() < 0.0002 && (lon - suedermarkt.lon).abs() < 0.0003,
        "{lat},{lon}"
    );
    assert_eq!(report["address_hint"], "Südermarkt 1, 24937 Flensburg");

    // 2. By address search alone.
    b.goto(&server.url).await;
    b.wait_attr_present(&Browser::id("report-map"), "data-zoom", SLOW).await;
    b.type_into("address-search", "Rathausplatz 1").await;
    b.click_id("address-search-button").await;
    let result = b.wait_id("address-result", Duration::from_secs(20)).await;
    assert_eq!(
        result.text().await.unwrap_or_default(),
        "Rathausplatz 1, 24937 Flensburg"
    );
    assert_accessible(&b, "place picker, search results").await;
    b.screenshots("place-picker-search").await;
    b.click(&result, "the search result").await;
    b.wait_text(&Browser::id("municipality-name"), "Flensburg", Duration::from_secs(20))
        .await;
    b.wait_text(&Browser::id("location-text"), "Adresssuche", SLOW).await;
    wait_value(&b, "address-hint", "Rathausplatz 1, 24937 Flensburg").await;
    steps::describe_pothole(&b, "Schlagloch vor dem Rathaus, per Adresse gefunden.").await;
    let id = steps::submit(&b).await;
    let report = stored(&server, &id).await;
    let rathaus = place("Rathausplatz", "1");
    assert!(
        (report["location"]["lat"].as_f64().expect("lat") - rathaus.lat).abs() < 1e-5,
        "{report}"
    );
    assert!(
        (report["location"]["lon"].as_f64().expect("lon") - rathaus.lon).abs() < 1e-5,
        "{report}"
    );
    assert_eq!(report["address_hint"], "Rathausplatz 1, 24937 Flensburg");

    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn near_a_border_the_citizen_chooses_the_neighbour_and_the_report_lands_there() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-border-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let b = Browser::start(dir.path()).await;
    b.goto(&server.url).await;
    b.wait_id("submit-report", SLOW).await;

    // Inside Flensburg, near Wees: Flensburg first, Wees (Amt Langballig) to choose.
    b.type_into("lat-input", &NEAR_WEES.0.to_string()).await;
    b.type_into("lon-input", &NEAR_WEES.1.to_string()).await;
    b.wait_text(&Browser::id("municipality-name"), "Flensburg", Duration::from_secs(20))
        .await;
    b.wait_text(
        &Browser::id("municipality-choice"),
        "nahe der Grenze zu Wees (Amt Langballig)",
        SLOW,
    )
    .await;
    let own = format!("[data-testid=\"municipality-option\"][value=\"{FLENSBURG}\"]");
    let neighbour = format!("[data-testid=\"municipality-option\"][value=\"{AMT_LANGBALLIG}\"]");
    let checked = |css: String| {
        let b = &b;
        async move {
            let el = b.wait_css(&css, SLOW).await;
            el.prop("checked").await.ok().flatten().as_deref() == Some("true")
        }
    };
    assert!(
        checked(own.clone()).await,
        "the place's own municipality is preselected"
    );
    assert!(!checked(neighbour.clone()).await);
    assert!(
        b.client
            .find(fantoccini::Locator::Css(&Browser::id("municipality-confirm")))
            .await
            .is_err(),
        "inside the boundary the choice replaces the confirmation"
    );
    assert_accessible(&b, "place picker, near a border").await;
    b.screenshots("place-picker-border").await;

    // The neighbour chosen: the form names it, offers its categories, and the report
    // lands in the Amt's inbox, filed under Wees, with the choice in its audit trail.
    b.click_css(&neighbour).await;
    b.wait_text(&Browser::id("municipality-name"), "Wees (Amt Langballig)", SLOW)
        .await;
    assert!(checked(neighbour).await);
    steps::describe_pothole(&b, "Schlagloch an der Stadtgrenze, bei Wees gemeldet.").await;
    let id = steps::submit(&b).await;
    let amt = Staff::login_to(&server.url, Some(AMT_LANGBALLIG), "dispatcher").await;
    let detail = amt.wait_for_report(&id, SLOW).await;
    assert_eq!(detail["report"]["municipality"], AMT_LANGBALLIG, "{}", detail["report"]);
    assert_eq!(detail["report"]["gemeinde"], WEES, "{}", detail["report"]);
    let confirmed: Vec<&serde_json::Value> = detail["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter(|e| e["action"]["type"] == "municipality_confirmed")
        .collect();
    assert_eq!(confirmed.len(), 1, "{}", detail["audit"]);
    assert_eq!(confirmed[0]["action"]["gemeinde"], WEES);
    assert_eq!(confirmed[0]["action"]["alternatives"], serde_json::json!([FLENSBURG]));

    b.close().await;
}
