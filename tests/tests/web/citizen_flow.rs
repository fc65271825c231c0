//! A citizen on the web page: reports a pothole with a photo of a street (the server
//! blurs the face and the plate and strips the metadata), sees the municipality's answer
//! and status change under "my reports", and replies; the staff side sees the reply.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::json;

use augenmerk_tests::photo::{check_stored_photo, test_photo};
use augenmerk_tests::steps;
use augenmerk_tests::{Browser, SLOW, Server, Staff};

/// Flensburg's accent colour in the test (dark enough for white text).
const ACCENT: &str = "#7a1f3d";
/// A small SVG as the municipality's logo (a shield and the name).
const LOGO: &str = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSIxMjAiIGhlaWdodD0iNDgiIHZpZXdCb3g9IjAgMCAxMjAgNDgiPjxwYXRoIGQ9Ik00IDRoMzJ2MjJjMCAxMC04IDE2LTE2IDE5QzEyIDQyIDQgMzYgNCAyNnoiIGZpbGw9IiM3YTFmM2QiLz48cGF0aCBkPSJNMTIgMTRoMTZNMTIgMjJoMTZNMjAgMTB2MjYiIHN0cm9rZT0iI2ZmZiIgc3Ryb2tlLXdpZHRoPSIzIi8+PHRleHQgeD0iNDQiIHk9IjMwIiBmb250LWZhbWlseT0ic2Fucy1zZXJpZiIgZm9udC1zaXplPSIxNSIgZm9udC13ZWlnaHQ9IjcwMCIgZmlsbD0iIzdhMWYzZCI+RmxlbnNidXJnPC90ZXh0Pjwvc3ZnPg==";

#[tokio::test(flavor = "multi_thread")]
async fn a_citizen_reports_with_a_photo_sees_the_answer_and_replies() {
    let started = Instant::now();
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-")
        .tempdir()
        .expect("temporary directory");
    let photo = test_photo(dir.path());
    let server = Server::start(dir.path());
    let b = Browser::start(dir.path()).await;
    // Flensburg's own colour and logo (the citizen sees them once the place is known).
    let admin = Staff::login(&server.url, "admin").await;
    let mut settings = admin.get("/api/v1/staff/config/settings").await;
    settings["accent_color"] = json!(ACCENT);
    settings["logo"] = json!(LOGO);
    admin.put("/api/v1/staff/config/settings", settings).await;
    let mut lap = Instant::now();
    let mut laps = Vec::new();
    let mut mark = |what: &str| {
        laps.push(format!("{what} {:.1}s", lap.elapsed().as_secs_f64()));
        lap = Instant::now();
    };
    mark("start");

    // German by default, with the navigation and the language switch.
    b.goto(&server.url).await;
    b.wait_id("nav-report", SLOW).await;
    let interactive_ms = b
        .client
        .execute(
            "const m = performance.getEntriesByName('augenmerk-interactive'); return m.length ? m[0].startTime : null;",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .expect("the page marks when it is interactive");
    assert_eq!(b.page_lang().await, "de");
    b.by_id("nav-my-reports").await;
    b.by_id("lang-switch").await;

    // The photo is anonymized in the browser (the page's Web Worker) and shown for review.
    let card = steps::add_photo(&b, &photo.path).await;
    mark("photo");
    assert_eq!(card.hash.len(), 64, "data-hash is a SHA-256: {}", card.hash);
    assert!(card.faces >= 1, "the face was not blurred (data-faces {})", card.faces);
    assert!(
        card.plates >= 1,
        "the plate was not blurred (data-plates {})",
        card.plates
    );
    b.wait_text(&Browser::id("anon-where"), "Gerät", Duration::from_secs(10))
        .await;
    b.wait_attr(&Browser::id("anon-where"), "data-anonymized", "device", SLOW)
        .await;

    steps::locate_in_flensburg(&b).await;
    b.wait_attr(&Browser::id("municipality-logo"), "src", LOGO, SLOW).await;
    let button = b
        .by_id("submit-report")
        .await
        .css_value("background-color")
        .await
        .expect("button colour");
    assert!(
        ["rgb(122, 31, 61)", "rgba(122, 31, 61, 1)"].contains(&button.as_str()),
        "the button takes Flensburg's accent colour: {button}"
    );
    steps::describe_pothole(&b, "Tiefes Schlagloch vor Hausnummer 12, Radfahrer weichen aus.").await;
    b.screenshots("report-form").await;
    let id = steps::submit(&b).await;
    b.screenshots("report-saved").await;
    mark("report");
    // Online, the page sends it at once: nothing stays queued.
    b.wait_attr(&Browser::id("sync-status"), "data-queued", "0", SLOW).await;

    // The report arrived with the anonymized photo only.
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    let staff_view = dispatcher.wait_for_report(&id, SLOW).await;
    assert_eq!(
        staff_view["report"]["photos"],
        json!([card.hash]),
        "the report carries the reviewed photo: {staff_view}"
    );
    assert_eq!(staff_view["report"]["category"], "schlagloch");
    let status = staff_view["report"]["status"].as_str().unwrap_or_default().to_owned();
    assert_eq!(status, "assigned", "routed to Tiefbau by the rules: {staff_view}");
    check_stored_photo(&dispatcher, &card.hash, &photo).await;

    // The municipality starts work and writes to the citizen.
    dispatcher
        .post(
            &format!("/api/v1/staff/reports/{id}/transition"),
            json!({"to": "in_progress", "public_comment": "Der Bauhof ist informiert."}),
        )
        .await;
    let answer = "Danke! Wir füllen das Loch diese Woche.";
    dispatcher
        .post(&format!("/api/v1/staff/reports/{id}/messages"), json!({"body": answer}))
        .await;

    // The citizen sees both under "my reports".
    steps::open_my_reports(&b, &id, "in_progress").await;
    mark("status seen");
    let item = b
        .by_id("report-item")
        .await
        .attr("data-sync-state")
        .await
        .expect("sync state")
        .unwrap_or_default();
    assert_eq!(item, "sent");
    b.screenshots("my-reports").await;

    steps::open_detail(&b, &id).await;
    b.wait_attr(&Browser::id("report-detail"), "data-status", "in_progress", SLOW)
        .await;
    let from_municipality = format!("{}[data-author=\"municipality\"]", Browser::id("message"));
    b.wait_text(&from_municipality, answer, SLOW).await;
    // The answers read as the questions and options do, not as their ids.
    b.wait_text(&Browser::id("report-detail"), "Gemeinde-/Ortsstraße", SLOW)
        .await;
    let text = b.by_id("report-detail").await.text().await.expect("detail text");
    assert!(!text.contains("gemeindestrasse"), "an option id is shown: {text}");
    b.screenshots("report-detail").await;

    // The citizen replies; it reaches the staff.
    let reply = "Danke! Das Loch ist etwa 15 cm tief.";
    b.by_id("reply-body")
        .await
        .send_keys(reply)
        .await
        .expect("type the reply");
    b.click_id("reply-send").await;
    let deadline = Instant::now() + SLOW;
    loop {
        let detail = dispatcher.get(&format!("/api/v1/staff/reports/{id}")).await;
        let arrived = detail["messages"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["author"] == "citizen" && m["body"] == reply));
        if arrived {
            break;
        }
        assert!(Instant::now() < deadline, "the reply did not arrive: {detail}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let from_citizen = format!("{}[data-author=\"citizen\"]", Browser::id("message"));
    b.wait_text(&from_citizen, reply, Duration::from_secs(20)).await;
    mark("reply");

    // Someone about to report the same pothole is told it is known already.
    b.click_id("nav-report").await;
    steps::locate_in_flensburg(&b).await;
    b.type_into("category-search", "Schlagloch").await;
    b.choose("[data-category=\"schlagloch\"]").await;
    let offered = format!("{}[data-report-id=\"{id}\"]", Browser::id("nearby-report"));
    b.wait_text(&offered, "In Bearbeitung", SLOW).await;
    // It is this device's own report: a link to it, nothing to follow.
    b.wait_css(&format!("{offered} {}", Browser::id("nearby-own")), SLOW)
        .await;
    mark("nearby (own)");

    // Another citizen (a fresh device in this browser) follows it instead of reporting again.
    b.client
        .execute(
            "localStorage.removeItem('augenmerk.device-token'); localStorage.removeItem('augenmerk.draft');",
            vec![],
        )
        .await
        .expect("forget the device");
    b.client.refresh().await.expect("reload");
    steps::locate_in_flensburg(&b).await;
    b.type_into("category-search", "Schlagloch").await;
    b.choose("[data-category=\"schlagloch\"]").await;
    b.wait_text(&offered, "In Bearbeitung", SLOW).await;
    b.screenshots("already-reported").await;
    b.click_css(&format!("{offered} {}", Browser::id("nearby-follow")))
        .await;
    b.wait_css(&format!("{offered} {}", Browser::id("nearby-following")), SLOW)
        .await;
    b.click_id("nav-my-reports").await;
    let followed = format!("{}[data-report-id=\"{id}\"]", Browser::id("followed-item"));
    b.wait_attr(&followed, "data-status", "in_progress", SLOW).await;
    b.wait_text(&followed, "In Bearbeitung", SLOW).await;
    let text = b.wait_css(&followed, SLOW).await.text().await.expect("followed text");
    assert!(
        !text.contains(answer) && !text.contains("Radfahrer"),
        "a follower sees no messages or description: {text}"
    );
    b.screenshots("my-reports-following").await;
    mark("follow");

    // The server goes down just as a report on pavement damage is sent: the page keeps it.
    // Meanwhile the municipality withdraws that category, so the server refuses the report
    // once the page is back online. The citizen reopens it, corrects the category and sends
    // it in its place.
    let port = server.port;
    b.click_id("nav-report").await;
    b.wait_id("submit-report", SLOW).await;
    steps::locate_in_flensburg(&b).await;
    steps::answer_pavement_damage(&b).await;
    b.type_into("description", "Gehwegplatte lose.").await;
    b.choose(&Browser::id("consent")).await;
    drop(server);
    let refused = steps::submit(&b).await;
    {
        let side = Server::start(dir.path());
        let admin = Staff::login(&side.url, "admin").await;
        admin.withdraw_category("gehweg").await;
    }
    let server = Server::start_on(dir.path(), port);
    b.click_id("nav-my-reports").await;
    let item = format!("{}[data-report-id=\"{refused}\"]", Browser::id("report-item"));
    b.wait_css(&item, SLOW).await;
    b.click_id("sync-now").await;
    b.wait_attr(&item, "data-sync-state", "rejected", SLOW).await;
    steps::open_detail(&b, &refused).await;
    b.wait_text(&Browser::id("refused"), "nicht mehr angeboten", SLOW).await;
    b.click_id("refused-edit").await;
    b.wait_id("replacing", SLOW).await;
    steps::answer_pothole(&b).await;
    let replacement = steps::submit(&b).await;
    let staff = Staff::login(&server.url, "dispatcher").await;
    let arrived = staff.wait_for_report(&replacement, SLOW).await;
    assert_eq!(arrived["report"]["category"], "schlagloch", "{arrived}");
    assert_eq!(arrived["report"]["description"], "Gehwegplatte lose.", "{arrived}");
    b.click_id("nav-my-reports").await;
    b.wait_css(
        &format!("{}[data-report-id=\"{replacement}\"]", Browser::id("report-item")),
        SLOW,
    )
    .await;
    assert!(
        b.client.find(Locator::Css(&item)).await.is_err(),
        "the refused report was replaced"
    );
    mark("refused report corrected");

    // English on request.
    b.click_id("lang-switch").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.page_lang().await != "en" {
        assert!(Instant::now() < deadline, "the page did not switch to English");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        b.client
            .find(Locator::Css(&Browser::id("error-summary")))
            .await
            .is_err(),
        "no validation errors left on the page"
    );
    b.close().await;
    mark("end");
    eprintln!(
        "web citizen flow: {:.1}s ({}); page start-up to interactive: {interactive_ms:.0} ms",
        started.elapsed().as_secs_f64(),
        laps.join(", ")
    );
}
