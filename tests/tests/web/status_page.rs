//! The private status page: a report with a contact address is submitted through the API,
//! the receipt (an `.eml` file: the test server has no SMTP) carries the `#/status/<token>`
//! link; in Chromium the citizen confirms the address, answers, and sees the
//! municipality's message; an unknown link gets a clear error page. axe-core on each
//! screen; screenshots to `docs/screenshots/web/status-*`.

use augenmerk_tests::citizen::submit_with_email;
use std::time::Duration;

use serde_json::json;

use augenmerk_tests::receipt::wait_for_receipt;
use augenmerk_tests::{Browser, Server, Staff};

const EMAIL: &str = "maria.muster@example.org";

#[tokio::test(flavor = "multi_thread")]
async fn a_citizen_follows_the_link_confirms_and_answers() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-status-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let id = submit_with_email(&server.url, EMAIL, "Tiefes Schlagloch vor der Bushaltestelle.").await;
    let (_, token) = wait_for_receipt(&dir.path().join("server/mail"), EMAIL);
    assert!(!token.is_empty(), "a token after the link in the receipt");

    let b = Browser::start(dir.path()).await;
    let mut violations = Vec::new();
    b.goto(&format!("{}/#/status/{token}", server.url)).await;
    b.wait_id("status-report", Duration::from_secs(30)).await;
    b.wait_attr(
        &Browser::id("mail-updates"),
        "data-state",
        "unconfirmed",
        Duration::from_secs(10),
    )
    .await;
    let number = b.by_id("status-number").await.text().await.expect("number");
    assert!(
        number.contains(&id.replace('-', "")[..8].to_uppercase()),
        "the report number in {number:?}"
    );
    violations.extend(b.serious_accessibility_violations("status page, unconfirmed").await);

    // Confirming the address turns the updates on.
    b.click_id("status-confirm").await;
    b.wait_attr(
        &Browser::id("mail-updates"),
        "data-state",
        "on",
        Duration::from_secs(10),
    )
    .await;

    // The citizen answers; the staff see it and write back.
    b.type_into("status-reply", "Das Loch wird größer, bitte bald reparieren.")
        .await;
    b.click_id("status-reply-send").await;
    b.wait_css(
        "[data-testid=\"message\"][data-author=\"citizen\"]",
        Duration::from_secs(10),
    )
    .await;
    let staff = Staff::login(&server.url, "dispatcher").await;
    let case = staff.get(&format!("/api/v1/staff/reports/{id}")).await;
    assert!(
        case.to_string().contains("Das Loch wird größer"),
        "the staff see the answer"
    );
    staff
        .post(
            &format!("/api/v1/staff/reports/{id}/messages"),
            json!({"body": "Danke, der Bauhof kommt am Montag."}),
        )
        .await;
    b.client.refresh().await.expect("reload");
    b.wait_text(
        "[data-testid=\"message\"][data-author=\"municipality\"]",
        "Bauhof kommt am Montag",
        Duration::from_secs(20),
    )
    .await;
    violations.extend(b.serious_accessibility_violations("status page, confirmed").await);
    b.screenshots("status-page").await;

    // An unknown (or replaced) link: a clear error page.
    b.goto(&format!("{}/#/status/not-a-token", server.url)).await;
    b.client.refresh().await.expect("reload");
    b.wait_id("status-unknown", Duration::from_secs(20)).await;
    violations.extend(b.serious_accessibility_violations("status page, unknown link").await);
    b.screenshots("status-unknown").await;
    b.close().await;

    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}
