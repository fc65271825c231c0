//! Data protection in the console: an admin sets the retention policy and writes the
//! privacy notice (an out-of-range period and an unknown placeholder are refused next to
//! their fields; the saved values are there after a reload; citizens' configuration
//! carries the rendered notice with a new version); a data protection officer sees only
//! the erasure page, finds a citizen's report by address, erases its personal data with a
//! reference and finds the line in the erasure log; the case's audit trail names the
//! removal. axe-core on each screen; screenshots to `docs/screenshots/console/`.

use augenmerk_tests::citizen::submit_with_email;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{exists, laptop, login, login_to, logout, one_browser, open_case, page_errors, screenshots_tall};
use augenmerk_tests::{Browser, FLENSBURG, PASSWORD, Server, Staff};

const CITIZEN_EMAIL: &str = "anna.beispiel@example.org";
const REFERENCE: &str = "Schreiben vom 3.12.2026, Az. 12-3";
const NOTICE: &str = "# Datenschutz\n\nIhre E-Mail-Adresse wird {contact_days} Tage nach dem Abschluss gelöscht.";

async fn citizen_config(url: &str) -> Value {
    reqwest::get(format!("{url}/api/v1/municipalities/{FLENSBURG}/config"))
        .await
        .expect("config")
        .json()
        .await
        .expect("config JSON")
}

/// Waits until an input (or textarea) shows `expected` (the page fills it from the API).
async fn wait_value(b: &Browser, testid: &str, expected: impl Fn(&str) -> bool, what: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let value = b
            .by_id(testid)
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default();
        if expected(&value) {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: {testid} shows {value:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Moves the pointer off the button it clicked. The page keeps its place when the
/// errors appear above (scroll anchoring), so the pointer stays on "Save"; KERN mixes
/// the hovered button's colour with `color-mix()`, which axe cannot read: it would
/// compare the white label with the page's background instead.
async fn pointer_away(b: &Browser) {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction};
    let away = MouseActions::new("mouse".into()).then(PointerAction::MoveTo {
        duration: None,
        x: 0.0,
        y: 0.0,
    });
    b.client.perform_actions(away).await.expect("move the pointer away");
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_notice_and_erasure_requests() {
    let _turn = one_browser().await;
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-console-privacy-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();
    let id = submit_with_email(&server.url, CITIZEN_EMAIL, "Tiefes Schlagloch vor Hausnummer 12.").await;
    let before = citizen_config(&server.url).await["legal"]["notice_version"]
        .as_u64()
        .expect("the public configuration has the notice's version");

    // The admin: an out-of-range period and an unknown placeholder, refused at their fields.
    login(&b, &server.url, "admin").await;
    b.click_id("nav-privacy").await;
    b.wait_id("privacy-page", Duration::from_secs(20)).await;
    wait_value(&b, "privacy-contact-days", |v| !v.is_empty(), "the policy loads").await;
    b.type_into("privacy-contact-days", "99999").await;
    b.type_into("privacy-notice-de", "Verantwortlich ist {gemeinde}.").await;
    b.click_id("privacy-save").await;
    b.wait_css("#field-retention-contact-days-error", Duration::from_secs(10))
        .await;
    b.wait_text(
        "#field-legal-privacy-notice-de-error",
        "{gemeinde}",
        Duration::from_secs(10),
    )
    .await;
    pointer_away(&b).await;
    violations.extend(b.serious_accessibility_violations("data protection, refused").await);

    // Then 14 days, and a notice of our own that quotes them; the preview renders it.
    b.type_into("privacy-contact-days", "14").await;
    b.type_into("privacy-notice-de", NOTICE).await;
    b.wait_text(
        &Browser::id("privacy-preview"),
        "wird 14 Tage nach dem Abschluss",
        Duration::from_secs(10),
    )
    .await;
    assert!(
        exists(&b, "[data-testid=\"privacy-preview\"] h3").await,
        "the preview's heading is an element"
    );
    b.click_id("privacy-save").await;
    b.wait_id("console-notice", Duration::from_secs(20)).await;
    assert!(
        !exists(&b, "#field-retention-contact-days-error").await,
        "the error is gone"
    );

    // After a reload: the saved values, and a new version of the notice.
    b.client.refresh().await.expect("reload");
    b.wait_id("privacy-page", Duration::from_secs(20)).await;
    wait_value(&b, "privacy-contact-days", |v| v == "14", "the period after a reload").await;
    wait_value(
        &b,
        "privacy-notice-de",
        |v| v.contains("{contact_days}"),
        "the notice after a reload",
    )
    .await;
    let version: u64 = Browser::attr(&b.by_id("privacy-notice-version").await, "data-version")
        .await
        .parse()
        .expect("version");
    assert!(version > before, "the notice's version went up: {before} → {version}");
    let legal = citizen_config(&server.url).await["legal"].clone();
    assert_eq!(legal["notice_version"].as_u64(), Some(version), "{legal}");
    let notice = legal["privacy_notice"]["de"].as_str().unwrap_or_default();
    assert!(
        notice.contains("wird 14 Tage nach dem Abschluss"),
        "the rendered notice: {notice}"
    );
    assert!(!notice.contains('{'), "no placeholder left: {notice}");
    assert_eq!(legal["retention"]["contact_days"], 14);

    // An empty Impressum offers the template to start from.
    b.click_id("imprint-de-template").await;
    wait_value(&b, "imprint-de", |v| v.starts_with("# Impressum"), "the template").await;
    violations.extend(b.serious_accessibility_violations("data protection").await);
    screenshots_tall(&b, "privacy-policy", 2600).await;

    // Data protection: an account of its own, which sees the erasure page and nothing else.
    let admin = Staff::login(&server.url, "admin").await;
    admin
        .post(
            "/api/v1/staff/config/users",
            json!({"username": "datenschutz", "display_name": "Dana Datenschutz", "password": PASSWORD, "role": "privacy_officer"}),
        )
        .await;
    logout(&b).await;
    login_to(&b, &server.url, FLENSBURG, "datenschutz", "privacy_officer").await;
    b.wait_id("erasure-page", Duration::from_secs(20)).await;
    assert!(exists(&b, &Browser::id("nav-erasures")).await);
    for other in [
        "nav-inbox",
        "nav-map",
        "nav-stats",
        "nav-config",
        "nav-privacy",
        "nav-me",
    ] {
        assert!(!exists(&b, &Browser::id(other)).await, "{other} is not offered");
    }
    // Not even through a report's address.
    b.goto(&format!("{}/console/#/console/cases/{id}", server.url)).await;
    b.wait_id("erasure-page", Duration::from_secs(20)).await;
    assert!(!exists(&b, &Browser::id("case")).await, "no report for data protection");

    // The request: the address finds the report; without a reference nothing happens.
    b.type_into("erasure-email", CITIZEN_EMAIL).await;
    b.click_id("erasure-search").await;
    b.wait_css(
        &format!("[data-testid=\"erasure-candidate\"][data-id=\"{id}\"]"),
        Duration::from_secs(20),
    )
    .await;
    violations.extend(b.serious_accessibility_violations("erasure request").await);
    screenshots_tall(&b, "erasure-request", 1300).await;
    b.click_id("erasure-confirm").await;
    b.wait_css("#field-reference-error", Duration::from_secs(10)).await;
    pointer_away(&b).await;
    violations.extend(b.serious_accessibility_violations("erasure request, refused").await);

    // With the reference: erased, and the log has the line.
    b.type_into("erasure-reference", REFERENCE).await;
    b.click_id("erasure-confirm").await;
    b.wait_attr(&Browser::id("erasure-done"), "data-count", "1", Duration::from_secs(20))
        .await;
    let row = "[data-testid=\"erasure-log-row\"][data-reason=\"staff_request\"]";
    b.wait_text(row, REFERENCE, Duration::from_secs(20)).await;
    b.wait_text(row, "Dana Datenschutz", Duration::from_secs(5)).await;
    b.wait_text(
        &format!("{row} [data-testid=\"erasure-log-reports\"]"),
        "1",
        Duration::from_secs(5),
    )
    .await;
    violations.extend(b.serious_accessibility_violations("erasure log").await);
    screenshots_tall(&b, "erasure-log", 1100).await;
    // The address is gone: searching again finds nothing.
    b.type_into("erasure-email", CITIZEN_EMAIL).await;
    b.click_id("erasure-search").await;
    b.wait_id("erasure-none", Duration::from_secs(20)).await;
    let errors = page_errors(&b).await;
    assert!(errors.is_empty(), "the page logged errors: {errors:?}");
    logout(&b).await;

    // The case's audit trail names the removal (not what was removed).
    login(&b, &server.url, "admin").await;
    open_case(&b, &server.url, &id).await;
    b.wait_text(
        &Browser::id("case-audit"),
        "Personenbezogene Daten gelöscht",
        Duration::from_secs(20),
    )
    .await;
    b.wait_text(
        &Browser::id("case-audit"),
        "Löschersuchen (Datenschutz)",
        Duration::from_secs(5),
    )
    .await;
    let case = admin.get(&format!("/api/v1/staff/reports/{id}")).await;
    assert!(
        !case.to_string().contains(CITIZEN_EMAIL),
        "the address is gone from the case: {case}"
    );
    b.close().await;

    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}
