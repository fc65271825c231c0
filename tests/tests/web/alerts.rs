//! E-mail alerts from the public map in Chromium against a real server (issue 20): a
//! citizen asks for alerts within a radius of the map's centre, confirms through the
//! mailed link (an `.eml` file: the test server has no SMTP), hears of a report in the
//! area with a link to its public page, and ends the alerts through the mail's
//! unsubscribe link; a second citizen draws an area by tapping three corners on the map.
//! axe-core on each screen; screenshots to `docs/screenshots/web/public-map-alerts*`.

use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use serde_json::json;

use augenmerk_tests::citizen::Citizen;
use augenmerk_tests::receipt::wait_for_link;
use augenmerk_tests::{Browser, FLENSBURG, SLOW, ServerSetup};

/// Taps the public map `(dx, dy)` pixels from its centre.
async fn tap_map(b: &Browser, dx: f64, dy: f64) {
    let map = b.by_id("pm-map").await;
    b.client
        .execute(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
            vec![serde_json::to_value(&map).expect("element ref")],
        )
        .await
        .expect("scroll to the map");
    let tap = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: map,
            duration: None,
            x: dx,
            y: dy,
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

#[tokio::test(flavor = "multi_thread")]
async fn a_citizen_asks_for_alerts_on_the_map_confirms_hears_of_a_report_and_stops_them() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-alerts-")
        .tempdir()
        .expect("temporary directory");
    let server = ServerSetup::web(dir.path())
        .env("AUGENMERK__MAIL__ALERT_SECONDS", "1")
        .env("AUGENMERK__MAIL__POLL_SECONDS", "1")
        .start();
    let mail_dir = server.data.join("mail");
    let http = reqwest::Client::new();
    let api = |path: String| {
        let req = http.get(format!("{}{path}", server.url));
        async move { req.send().await.expect("the API answers") }
    };

    let b = Browser::start(dir.path()).await;
    let mut violations = Vec::new();
    b.goto(&format!("{}/m/{FLENSBURG}", server.url)).await;
    b.wait_attr(&Browser::id("public-map-page"), "data-map", "true", SLOW)
        .await;

    // 1. A drawn area: three taps on the map set three corners.
    let drawer = "zeichnerin@example.org";
    b.click_id("pm-alert-open").await;
    b.click_id("pm-alert-drawn").await;
    for (dx, dy) in [(-80.0, -60.0), (80.0, -60.0), (0.0, 70.0)] {
        tap_map(&b, dx, dy).await;
        // Apart, as a person taps (two quick taps are a double click).
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    }
    b.wait_attr(&Browser::id("pm-alert-corners"), "data-count", "3", SLOW)
        .await;
    b.type_into("pm-alert-email", drawer).await;
    violations.extend(
        b.serious_accessibility_violations("public map: alerts, drawn area")
            .await,
    );
    b.screenshots("public-map-alerts-drawn").await;
    b.click_id("pm-alert-submit").await;
    b.wait_id("pm-alert-sent", SLOW).await;
    let (subject, drawn_token) = wait_for_link(&mail_dir, drawer, "#/alerts/");
    assert_eq!(subject, "Benachrichtigungen für ein Gebiet bestätigen");
    let drawn: serde_json::Value = api(format!("/api/v1/public/alerts/{drawn_token}"))
        .await
        .json()
        .await
        .expect("the subscription");
    assert_eq!(drawn["area"]["type"], "polygon", "{drawn}");
    assert_eq!(drawn["area"]["points"].as_array().map(Vec::len), Some(3), "{drawn}");
    assert_eq!(drawn["confirmed_at"], serde_json::Value::Null);

    // 2. A circle of 2 km around the map's centre, for new reports only.
    let neighbour = "nachbar@example.org";
    b.click_id("pm-alert-open").await;
    b.click_id("pm-alert-circle").await;
    b.by_id("pm-alert-radius")
        .await
        .select_by_value("2000")
        .await
        .expect("choose the radius");
    b.click_id("pm-alert-status").await;
    b.type_into("pm-alert-email", neighbour).await;
    violations.extend(b.serious_accessibility_violations("public map: alerts, circle").await);
    b.screenshots("public-map-alerts").await;
    b.click_id("pm-alert-submit").await;
    b.wait_text(&Browser::id("pm-alert-sent"), neighbour, SLOW).await;

    // 3. The link of the confirmation mail confirms.
    let (_, token) = wait_for_link(&mail_dir, neighbour, "#/alerts/");
    b.goto(&format!("{}/#/alerts/{token}", server.url)).await;
    b.wait_id("pm-alert-confirmed", SLOW).await;
    b.wait_text(&Browser::id("pm-alert-area-is"), "2000 m", SLOW).await;
    violations.extend(b.serious_accessibility_violations("alert confirmed").await);
    b.screenshots("public-map-alerts-confirmed").await;
    let circle: serde_json::Value = api(format!("/api/v1/public/alerts/{token}"))
        .await
        .json()
        .await
        .expect("the subscription");
    assert!(circle["confirmed_at"].is_string(), "{circle}");
    assert_eq!(circle["events"], json!({"new_reports": true, "status_changes": false}));
    let centre = (
        circle["area"]["center"]["lat"].as_f64().expect("lat"),
        circle["area"]["center"]["lon"].as_f64().expect("lon"),
    );

    // 4. A report at the centre: the alert links to its public page.
    let citizen = Citizen::register(&server.url).await;
    let id = citizen
        .report(
            "schlagloch",
            json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
            "Loch mitten auf der Straße.",
            centre,
            "",
            &[],
        )
        .await;
    let (subject, linked) = wait_for_link(&mail_dir, neighbour, &format!("/m/{FLENSBURG}/"));
    assert_eq!(linked, id, "the alert links to the report's public page");
    assert!(subject.contains("in Ihrem Gebiet"), "{subject}");

    // 5. The mail's unsubscribe link ends it.
    b.goto(&format!("{}/#/alerts/{token}/unsubscribe", server.url)).await;
    b.wait_id("pm-alert-ended", SLOW).await;
    violations.extend(b.serious_accessibility_violations("alert ended").await);
    assert_eq!(api(format!("/api/v1/public/alerts/{token}")).await.status(), 404);
    b.goto(&format!("{}/#/alerts/{token}", server.url)).await;
    b.wait_id("pm-alert-unknown", SLOW).await;

    assert!(violations.is_empty(), "axe: {violations:#?}");
    b.close().await;
}
