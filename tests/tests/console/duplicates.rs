//! Duplicates and the citizen's side in the console (issue 21): the case of a pothole
//! shows the same pothole reported again nearby in its suggestion panel (with its photo),
//! the dispatcher merges it from there after confirming, and the case then counts
//! "2 Meldungen" and shows the merged report's photo; the citizen box tells that an
//! address was given (the dispatcher sees it), that updates wait for confirmation, and
//! that the citizen's message waits for an answer until the dispatcher replies. axe-core
//! on each state; screenshots at laptop and tablet size.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{laptop, login, one_browser, open_case, screenshots_tall, street_jpeg};
use augenmerk_tests::citizen::Citizen;
use augenmerk_tests::{Browser, FLENSBURG, SLOW, Server, Staff};

const SPOT: (f64, f64) = (54.8016, 9.4553);

/// A device of its own submits a pothole at [`SPOT`] with an address; it then writes to
/// the municipality. Returns the report's id.
async fn pothole_with_address_and_question(url: &str, email: &str) -> String {
    let http = reqwest::Client::new();
    let device: Value = http
        .post(format!("{url}/api/v1/devices"))
        .json(&json!({"platform": "linux", "app_version": "test"}))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("device JSON");
    let token = device["token"].as_str().expect("token").to_owned();
    let id = uuid::Uuid::new_v4().to_string();
    let resp = http
        .post(format!("{url}/api/v1/reports"))
        .bearer_auth(&token)
        .json(&json!({
            "id": id,
            "municipality": FLENSBURG,
            "category": "schlagloch",
            "answers": {"gefahr_akut": false, "groesse": "20_50", "tiefe": "3_8", "lage": "fahrbahn",
                        "strassenart": "gemeindestrasse"},
            "description": "Tiefes Loch vor dem Haus",
            "location": {"lat": SPOT.0, "lon": SPOT.1},
            "address_hint": "Mürwiker Straße 112",
            "contact_email": email,
            "consent": true,
        }))
        .send()
        .await
        .expect("submit");
    assert!(resp.status().is_success(), "report: {}", resp.status());
    let resp = http
        .post(format!("{url}/api/v1/reports/{id}/messages"))
        .bearer_auth(&token)
        .json(&json!({"body": "Wird das Loch bald geflickt?"}))
        .send()
        .await
        .expect("message");
    assert!(resp.status().is_success(), "message: {}", resp.status());
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dispatcher_merges_a_suggested_duplicate_and_sees_the_citizens_side() {
    let _turn = one_browser().await;
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-console-duplicates-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let email = format!("buerger-{}@example.org", uuid::Uuid::new_v4());
    let original = pothole_with_address_and_question(&server.url, &email).await;
    // The same pothole again, a little later, from another device with a photo.
    let other = Citizen::register(&server.url).await;
    let photo = other.photo(street_jpeg()).await;
    let duplicate = other
        .report(
            "schlagloch",
            json!({"gefahr_akut": false, "groesse": "20_50", "tiefe": "3_8", "lage": "fahrbahn",
                   "strassenart": "gemeindestrasse"}),
            "Schlagloch, schon länger da",
            (SPOT.0 + 0.0002, SPOT.1),
            "Mürwiker Straße 110",
            &[photo],
        )
        .await;
    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();
    login(&b, &server.url, "dispatcher").await;
    open_case(&b, &server.url, &original).await;

    // The citizen's side: an address (shown to the dispatcher), updates not yet confirmed,
    // one message waiting for an answer, marked in the thread.
    b.wait_attr(&Browser::id("citizen-email"), "data-given", "true", SLOW)
        .await;
    b.wait_text(&Browser::id("citizen-email"), &email, SLOW).await;
    b.wait_attr(&Browser::id("citizen-mail-updates"), "data-state", "unconfirmed", SLOW)
        .await;
    b.wait_attr(&Browser::id("citizen-waiting"), "data-count", "1", SLOW)
        .await;
    b.wait_css("[data-testid=\"case-message\"][data-unanswered=\"true\"]", SLOW)
        .await;

    // The suggestion panel shows the duplicate with its photo.
    let suggestion = format!("[data-testid=\"dup-suggestion\"][data-id=\"{duplicate}\"]");
    b.wait_css(&suggestion, SLOW).await;
    b.wait_css(&format!("{suggestion} img.dup-item__photo"), SLOW).await;
    violations.extend(
        b.serious_accessibility_violations("console: duplicate suggestions")
            .await,
    );
    screenshots_tall(&b, "console-duplicates-suggested", 1500).await;

    // Merge, after confirming.
    b.click_css(&format!("{suggestion} [data-testid=\"dup-merge\"]")).await;
    b.wait_css("[data-testid=\"dup-merge-confirm\"]", SLOW).await;
    violations.extend(b.serious_accessibility_violations("console: confirm the merge").await);
    b.click_css("[data-testid=\"dup-merge-confirm\"]").await;
    b.wait_id("console-notice", SLOW).await;
    b.wait_attr(&Browser::id("case-report-count"), "data-count", "2", SLOW)
        .await;
    b.wait_text(&Browser::id("case-report-count"), "2 Meldungen", SLOW)
        .await;
    b.wait_css(
        &format!(
            "[data-testid=\"case-merged-report\"][data-id=\"{duplicate}\"] [data-testid=\"case-merged-photo\"] img"
        ),
        SLOW,
    )
    .await;

    // The dispatcher answers: the message is no longer waiting.
    b.type_into("case-message-body", "Wir haben es eingeplant.").await;
    b.click_id("case-message-send").await;
    b.wait_attr(&Browser::id("citizen-waiting"), "data-count", "0", SLOW)
        .await;
    violations.extend(b.serious_accessibility_violations("console: merged case").await);
    screenshots_tall(&b, "console-duplicates-merged", 1700).await;

    // The server agrees: the duplicate is one, and its reporter was answered.
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    let merged = dispatcher.get(&format!("/api/v1/staff/reports/{duplicate}")).await;
    assert_eq!(merged["report"]["status"], "duplicate");
    assert_eq!(merged["report"]["duplicate_of"], original.as_str());
    let answered = merged["messages"]
        .as_array()
        .is_some_and(|m| m.iter().any(|m| m["author"] == "municipality"));
    assert!(answered, "{merged}");
    tokio::time::sleep(Duration::from_millis(100)).await;

    assert!(violations.is_empty(), "axe: {violations:#?}");
    b.close().await;
}
