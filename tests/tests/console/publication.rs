//! The public map driven from the console (issue 20): a dispatcher marks a report exact
//! and approves its text on the case page, and the public API shows the exact position,
//! and the text once the admin publishes text; the admin sets the privacy grid, the open
//! data's licence and an embedding origin (a bad origin is refused next to the field),
//! and the staff API, the public API and the embed page's CSP follow. axe-core on each
//! screen; screenshots to `docs/screenshots/console/`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{exists, laptop, login, logout, one_browser, open_case, screenshots_tall, section};
use augenmerk_domain::GeoPoint;
use augenmerk_domain::public_map::snap_to_grid;
use augenmerk_tests::citizen::Citizen;
use augenmerk_tests::{Browser, FLENSBURG, SLOW, Server, Staff};

/// Where the marked report lies (Mürwik), with more digits than any grid cell's centre.
const EXACT: (f64, f64) = (54.810_123_4, 9.480_987_6);
/// Where the other report lies, a few hundred metres away.
const ELSEWHERE: (f64, f64) = (54.806_543_2, 9.474_321_9);
/// The citizen's description; published only when approved and text is published.
const TEXT: &str = "Tiefes Schlagloch vor dem Fahrradständer.";
/// The website that may embed the map.
const ORIGIN: &str = "https://www.flensburg.de";

/// A report's public detail, or `None` for a 404.
async fn public_detail(url: &str, id: &str) -> Option<Value> {
    let resp = reqwest::get(format!("{url}/api/v1/public/reports/{id}"))
        .await
        .expect("public detail");
    if resp.status() == reqwest::StatusCode::NOT_FOUND {
        return None;
    }
    assert!(resp.status().is_success(), "public detail of {id}: {}", resp.status());
    Some(resp.json().await.expect("public detail JSON"))
}

/// The public position of a report, as JSON.
fn position(lat: f64, lon: f64) -> Value {
    json!({"lat": lat, "lon": lon})
}

/// Waits until the form field `testid` holds `value` (the settings arrive after the
/// form; the field's property, not its attribute, holds what it shows).
async fn wait_value(b: &Browser, testid: &str, value: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let shown = b.by_id(testid).await.prop("value").await.ok().flatten();
        if shown.as_deref() == Some(value) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{testid} shows {shown:?}, not {value:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The centre of the `grid_m` cell `at` lies in, as JSON.
fn on_grid(at: (f64, f64), grid_m: u32) -> Value {
    let p = snap_to_grid(GeoPoint { lat: at.0, lon: at.1 }, grid_m);
    position(p.lat, p.lon)
}

#[tokio::test(flavor = "multi_thread")]
async fn publication_is_chosen_on_the_case_and_configured_by_the_admin() {
    let _turn = one_browser().await;
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-console-publication-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();

    let citizen = Citizen::register(&server.url).await;
    let answers = json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"});
    let id = citizen
        .report("schlagloch", answers.clone(), TEXT, EXACT, "Fahrradständer", &[])
        .await;
    let other = citizen
        .report("schlagloch", answers, "Noch ein Loch.", ELSEWHERE, "", &[])
        .await;

    // Privacy by default: on the 50 m grid, no text.
    let before = public_detail(&server.url, &id).await.expect("published");
    assert_eq!(before["exact"], false, "{before}");
    assert_eq!(before["location"], on_grid(EXACT, 50), "{before}");
    assert_ne!(before["location"], position(EXACT.0, EXACT.1));
    assert_eq!(before["description"], Value::Null, "{before}");

    // The dispatcher marks it exact and approves the text on the case page.
    login(&b, &server.url, "dispatcher").await;
    open_case(&b, &server.url, &id).await;
    b.wait_id("case-publication", SLOW).await;
    b.choose("#case-publication-exact").await;
    b.choose("#case-publication-approved").await;
    b.click_id("case-publication-submit").await;
    b.wait_id("console-notice", SLOW).await;
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    let staff_view = dispatcher.get(&format!("/api/v1/staff/reports/{id}")).await;
    assert_eq!(staff_view["publication"], json!({"exact": true, "approved": true}));
    // The reloaded case shows the choice and its audit line.
    b.wait_css("#case-publication-exact:checked", Duration::from_secs(10))
        .await;
    b.wait_css("#case-publication-approved:checked", Duration::from_secs(10))
        .await;
    b.wait_text(
        &Browser::id("case-audit"),
        "Öffentliche Karte – genaue Lage: ja",
        Duration::from_secs(10),
    )
    .await;
    let after = public_detail(&server.url, &id).await.expect("published");
    assert_eq!(after["exact"], true, "{after}");
    assert_eq!(
        after["location"],
        position(EXACT.0, EXACT.1),
        "not on the grid: {after}"
    );
    // Approved, but the municipality does not publish text yet.
    assert_eq!(after["description"], Value::Null, "{after}");
    violations.extend(b.serious_accessibility_violations("case with publication").await);
    // The card sits in the side column below the status and the handling.
    screenshots_tall(&b, "case-publication", 2100).await;
    logout(&b).await;

    // The admin publishes text (appearance): now the approved text shows.
    login(&b, &server.url, "admin").await;
    b.click_id("nav-config").await;
    section(&b, "appearance").await;
    b.choose("#appearance-publish-text").await;
    b.click_id("appearance-save").await;
    b.wait_id("console-notice", SLOW).await;
    let shown = public_detail(&server.url, &id).await.expect("published");
    assert_eq!(shown["description"], TEXT, "{shown}");
    let unapproved = public_detail(&server.url, &other).await.expect("published");
    assert_eq!(unapproved["description"], Value::Null, "not approved: {unapproved}");

    // The public map's section: a bad origin first, refused next to the field.
    section(&b, "public").await;
    wait_value(&b, "public-grid", "50").await;
    b.type_into("public-grid", "100").await;
    crate::helpers::select(&b, "public-licence", "dl-de/by-2-0").await;
    b.type_into("public-frames", "flensburg.de/karte").await;
    b.click_id("public-save").await;
    b.wait_id("public-frame-problem", Duration::from_secs(10)).await;
    assert!(!exists(&b, &Browser::id("console-notice")).await, "nothing saved");
    violations.extend(b.serious_accessibility_violations("public map settings, refused").await);

    b.type_into("public-frames", &format!("{ORIGIN}\n\nhttp://localhost:8080"))
        .await;
    b.click_id("public-save").await;
    b.wait_id("console-notice", SLOW).await;
    assert!(
        !exists(&b, &Browser::id("public-frame-problem")).await,
        "the error is gone"
    );
    let admin = Staff::login(&server.url, "admin").await;
    let settings = admin.get("/api/v1/staff/config/settings").await;
    assert_eq!(
        settings["public"],
        json!({
            "enabled": true,
            "grid_m": 100,
            "publish_photos": false,
            "licence": "dl-de/by-2-0",
            "frame_ancestors": [ORIGIN, "http://localhost:8080"],
        }),
        "{settings}"
    );
    assert_eq!(settings["publish_text"], true);
    // After a reload the form shows what was saved.
    b.client.refresh().await.expect("reload");
    wait_value(&b, "public-grid", "100").await;
    let frames = b.by_id("public-frames").await.prop("value").await.expect("value");
    assert_eq!(
        frames.as_deref(),
        Some(format!("{ORIGIN}\nhttp://localhost:8080").as_str())
    );
    let licence = b.by_id("public-licence").await.prop("value").await.expect("value");
    assert_eq!(licence.as_deref(), Some("dl-de/by-2-0"));
    violations.extend(b.serious_accessibility_violations("public map settings").await);
    // Three cards: a tall window shows the licence and the embedding too.
    screenshots_tall(&b, "config-public", 1800).await;

    // The public side follows: the unmarked report on the new grid, the marked one exact,
    // and the embed page may be framed by the origin.
    let coarse = public_detail(&server.url, &other).await.expect("published");
    assert_eq!(coarse["location"], on_grid(ELSEWHERE, 100), "{coarse}");
    let exact = public_detail(&server.url, &id).await.expect("published");
    assert_eq!(exact["location"], position(EXACT.0, EXACT.1), "{exact}");
    let embed = reqwest::get(format!("{}/embed/{FLENSBURG}", server.url))
        .await
        .expect("embed page");
    let csp = embed
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains(&format!("frame-ancestors 'self' {ORIGIN}")),
        "the embed page's CSP: {csp}"
    );
    b.close().await;

    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}
