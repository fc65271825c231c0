//! Ämter and administrations not on the platform in the app (issue 26): the app finds the
//! Gemeinde of a place in Amt Langballig from its cached configuration and names it
//! "Wees (Amt Langballig)"; the report reaches the Amt. In Lübeck, whose administration is
//! only in the platform's directory, the app tells the citizen before sending that the
//! report goes by e-mail, and afterwards shows "Per E-Mail gesendet an …". Screenshots to
//! `docs/screenshots/app/amt-*` and `mail-*`.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use augenmerk_tests::app::{Display, Launch, launch, work_dir};
use augenmerk_tests::steps;
use augenmerk_tests::{Browser, SLOW, Server};

/// In the village of Wees (Amt Langballig), 1.7 km from its boundary (checked against
/// `data/geo/sh-gemeinden.geojson`).
const WEES: (f64, f64) = (54.8075, 9.5307);
/// The Holstentor in Lübeck, 3 km inside the city.
const HOLSTENTOR: (f64, f64) = (53.8663, 10.6797);

/// Types the place until the app names `place` (the first sync caches the configuration).
async fn locate(b: &Browser, (lat, lon): (f64, f64), place: &str) {
    let deadline = Instant::now() + SLOW;
    loop {
        b.type_into("lat-input", &lat.to_string()).await;
        b.type_into("lon-input", &lon.to_string()).await;
        let found = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                if let Ok(e) = b.client.find(Locator::Css(&Browser::id("municipality-name"))).await
                    && e.text().await.is_ok_and(|t| t.contains(place))
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
        .await;
        if found.is_ok() {
            return;
        }
        if Instant::now() > deadline {
            let saved = b.save_failure().await;
            panic!("the app never named {place:?} (configuration not cached?); page saved as {saved}");
        }
        b.click_id("sync-now").await;
    }
}

/// Waits until the report's item in "my reports" contains `text`, asking for a sync now
/// and then (the background loop would within 30 s).
async fn wait_for_item_text(b: &Browser, id: &str, text: &str) {
    let item = format!("{}[data-report-id=\"{id}\"]", Browser::id("report-item"));
    let deadline = Instant::now() + SLOW;
    let mut last_push = Instant::now();
    loop {
        let mut seen = String::new();
        if let Ok(e) = b.client.find(Locator::Css(&item)).await {
            seen = e.text().await.unwrap_or_default();
            if seen.contains(text) {
                return;
            }
        }
        if Instant::now() > deadline {
            let saved = b.save_failure().await;
            panic!("report {id} shows {seen:?}, not {text:?}, after {SLOW:?}; page saved as {saved}");
        }
        if last_push.elapsed() > Duration::from_secs(5) {
            b.click_id("sync-now").await;
            last_push = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_names_the_gemeinde_with_its_amt_and_says_where_a_report_is_mailed() {
    let dir = &work_dir("administrations");
    let data = dir.join("app-data");
    let display = Display::start(dir);
    let server = Server::start(dir);
    let url = server.url.clone();
    let app = launch(&Launch {
        display: &display,
        data: &data,
        server: &url,
        log: dir.join("tauri-driver.log"),
    })
    .await;
    let b = app.browser;

    // Wees: found on the device, named with its Amt; the report reaches the Amt.
    locate(&b, WEES, "Wees (Amt Langballig)").await;
    assert!(
        b.client.find(Locator::Css(&Browser::id("mail-notice"))).await.is_err(),
        "the Amt is on the platform: no mail notice"
    );
    steps::describe_pothole(&b, "Schlagloch in der Dorfstraße.").await;
    b.screenshots("amt-report-form").await;
    let in_wees = steps::submit(&b).await;
    b.click_id("nav-my-reports").await;
    wait_for_item_text(&b, &in_wees, "Wees (Amt Langballig)").await;
    steps::open_detail(&b, &in_wees).await;
    b.wait_text(&Browser::id("place-name"), "Wees (Amt Langballig)", SLOW)
        .await;
    b.screenshots("amt-report-detail").await;

    // Lübeck: the notice before sending, and afterwards where it went.
    b.click_id("nav-report").await;
    b.wait_id("submit-report", SLOW).await;
    locate(&b, HOLSTENTOR, "Lübeck").await;
    let notice = b
        .wait_text(
            &Browser::id("mail-notice"),
            "Diese Gemeinde ist nicht auf der Plattform. Ihre Meldung wird per E-Mail an",
            SLOW,
        )
        .await
        .text()
        .await
        .expect("notice text");
    let to = notice
        .rsplit_once("per E-Mail an ")
        .map(|(_, rest)| rest.trim_end_matches(" gesendet.").trim().to_owned())
        .expect("the notice names the administration");
    steps::describe_pothole(&b, "Loch im Pflaster am Holstentor.").await;
    b.screenshots("mail-report-form").await;
    let in_luebeck = steps::submit(&b).await;
    b.wait_text(&Browser::id("saved-mailed"), &to, SLOW).await;
    b.click_id("nav-my-reports").await;
    wait_for_item_text(&b, &in_luebeck, &format!("Per E-Mail gesendet an {to}")).await;
    b.screenshots("mail-my-reports").await;
    b.close().await;
}
