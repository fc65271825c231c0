//! Mail in the console: an admin sets an authority's mailbox and Open311 endpoint (a bad
//! address is refused next to its field; the saved values are there after a reload); a
//! dispatcher sets "my notifications"; the case page lists the mails and the forwarding
//! about a case. axe-core on each screen; screenshots to `docs/screenshots/console/`.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{exists, laptop, login, logout, one_browser, open_case, screenshots, screenshots_tall, section};
use augenmerk_tests::citizen::Citizen;
use augenmerk_tests::{Browser, Server, Staff};

const MAILBOX: &str = "strassen@kreis.example.org";
const OPEN311: &str = "https://kreis.example.org/open311/v2";

#[tokio::test(flavor = "multi_thread")]
async fn mail_and_forwarding_are_configured_and_visible() {
    let _turn = one_browser().await;
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-console-mail-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();

    // The admin: a bad address first, refused next to the field.
    login(&b, &server.url, "admin").await;
    b.click_id("nav-config").await;
    section(&b, "mail").await;
    b.wait_id("authority-delivery", Duration::from_secs(20)).await;
    b.type_into("authority-0-email", "kein-postfach").await;
    b.click_id("mail-config-save").await;
    b.wait_css("#field-authorities-0-email-error", Duration::from_secs(10))
        .await;
    violations.extend(b.serious_accessibility_violations("mail settings, refused").await);

    // Then a mailbox and an Open311 endpoint with a service code for potholes.
    b.type_into("authority-0-email", MAILBOX).await;
    b.click_id("authority-0-open311").await;
    b.wait_id("authority-0-base-url", Duration::from_secs(5)).await;
    b.type_into("authority-0-base-url", OPEN311).await;
    b.type_into("authority-0-api-key", "geheimer-schluessel").await;
    b.type_into("authority-0-code-schlagloch", "pothole").await;
    b.click_id("mail-config-save").await;
    b.wait_id("console-notice", Duration::from_secs(10)).await;
    assert!(
        !exists(&b, "#field-authorities-0-email-error").await,
        "the error is gone"
    );

    b.client.refresh().await.expect("reload");
    b.wait_id("authority-delivery", Duration::from_secs(20)).await;
    let email = b.by_id("authority-0-email").await.prop("value").await.expect("value");
    assert_eq!(email.as_deref(), Some(MAILBOX), "the mailbox after a reload");
    let url = b
        .by_id("authority-0-base-url")
        .await
        .prop("value")
        .await
        .expect("value");
    assert_eq!(url.as_deref(), Some(OPEN311), "the endpoint after a reload");
    violations.extend(b.serious_accessibility_violations("mail settings").await);
    screenshots(&b, "mail-config").await;
    let admin = Staff::login(&server.url, "admin").await;
    let settings = admin.get("/api/v1/staff/config/settings").await;
    let authority = settings["authorities"][0].clone();
    assert_eq!(authority["email"], MAILBOX);
    assert_eq!(authority["open311"]["service_codes"]["schlagloch"], "pothole");
    logout(&b).await;

    // A dispatcher's own notifications.
    login(&b, &server.url, "dispatcher").await;
    b.click_id("nav-me").await;
    b.wait_id("my-mail-email", Duration::from_secs(10)).await;
    b.type_into("my-mail-email", "disponent@flensburg.example.org").await;
    b.click_id("my-mail-digest").await;
    b.click_id("my-mail-save").await;
    b.wait_id("console-notice", Duration::from_secs(10)).await;
    violations.extend(b.serious_accessibility_violations("my notifications").await);
    screenshots(&b, "my-notifications").await;
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    let mine = dispatcher.get("/api/v1/staff/me/mail").await;
    assert_eq!(mine["email"], "disponent@flensburg.example.org");
    assert_eq!(mine["preferences"]["digest"], true);

    // A report forwarded to the authority by mail: the case lists the mails.
    let citizen = Citizen::register(&server.url).await;
    let id = citizen
        .report(
            "schlagloch",
            json!({"gefahr_akut": false, "groesse": "20_50", "tiefe": "3_8", "lage": "fahrbahn", "strassenart": "kreisstrasse"}),
            "Schlagloch auf der Kreisstraße.",
            (54.7937, 9.4469),
            "Kreisstraße 1",
            &[],
        )
        .await;
    dispatcher
        .post(
            &format!("/api/v1/staff/reports/{id}/transition"),
            json!({"to": "forwarded", "forward_to": authority["id"], "public_comment": "Zuständig ist der Kreis."}),
        )
        .await;
    open_case(&b, &server.url, &id).await;
    let css = "[data-testid=\"delivery\"][data-channel=\"mail\"][data-kind=\"forwarded\"]";
    let deadline = Instant::now() + Duration::from_secs(60);
    while !exists(&b, css).await {
        assert!(Instant::now() < deadline, "the forwarding mail is listed on {id}");
        tokio::time::sleep(Duration::from_secs(1)).await;
        b.click_id("deliveries-reload").await;
    }
    violations.extend(b.serious_accessibility_violations("case with deliveries").await);
    // The list sits below the report and its thread: a tall window shows it.
    screenshots_tall(&b, "case-deliveries", 2600).await;
    b.close().await;

    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}
