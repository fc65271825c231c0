//! A citizen on the web page: reports a pothole with a photo of a street (the server
//! blurs the face and the plate and strips the metadata), sees the municipality's answer
//! and status change under "my reports", and replies; the staff side sees the reply.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::json;

use crate::steps;
use crate::support::{Browser, SLOW, Server, Staff, check_stored_photo, test_photo};

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
    assert_eq!(b.page_lang().await, "de");
    b.by_id("nav-my-reports").await;
    b.by_id("lang-switch").await;

    // The photo is anonymized by the server and shown for review.
    let card = steps::add_photo(&b, &photo.path).await;
    mark("photo");
    assert_eq!(card.hash.len(), 64, "data-hash is a SHA-256: {}", card.hash);
    assert!(card.faces >= 1, "the face was not blurred (data-faces {})", card.faces);
    assert!(
        card.plates >= 1,
        "the plate was not blurred (data-plates {})",
        card.plates
    );
    b.wait_text(&Browser::id("anon-where"), "Server", Duration::from_secs(10))
        .await;

    steps::locate_in_flensburg(&b).await;
    steps::describe_pothole(&b, "Tiefes Schlagloch vor Hausnummer 12, Radfahrer weichen aus.").await;
    b.screenshots("report-form").await;
    let id = steps::submit(&b).await;
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
        "web citizen flow: {:.1}s ({})",
        started.elapsed().as_secs_f64(),
        laps.join(", ")
    );
}
