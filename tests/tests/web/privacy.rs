//! Privacy by law on the web page, in Chromium against a real server: the citizen reads
//! the privacy notice from the report form (without losing what they wrote) and from the
//! footer, with the municipality's live retention periods; reports; downloads their data
//! (the ZIP is opened and checked); withdraws the report; erases everything. Through the
//! status link in the receipt: the report's export and withdrawal. By e-mail address: the
//! mailed link erases. axe-core on each new screen; screenshots to
//! `docs/screenshots/web/privacy-*`.

use augenmerk_tests::citizen::submit_with_email;
use std::io::Read;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{Value, json};

use augenmerk_tests::receipt::{wait_for_link, wait_for_receipt};
use augenmerk_tests::steps;
use augenmerk_tests::{Browser, FLENSBURG, SLOW, Server, Staff};

/// Flensburg keeps contact addresses this long in the test (not the default 30): the
/// page must show the live value.
const CONTACT_DAYS: u32 = 45;

/// A server whose Flensburg rules assign nobody (new reports stay `received`, so they can
/// be withdrawn) and whose contact period is [`CONTACT_DAYS`]; returns the notice's
/// version after that change.
async fn flensburg(server: &Server) -> u64 {
    let admin = Staff::login(&server.url, "admin").await;
    admin
        .put(
            "/api/v1/staff/config/rules",
            json!([{"id": "default", "name": "Nur Frist setzen", "conditions": [],
                    "action": {"due_hours": 120}}]),
        )
        .await;
    let mut settings = admin.get("/api/v1/staff/config/settings").await;
    settings["retention"]["contact_days"] = json!(CONTACT_DAYS);
    admin.put("/api/v1/staff/config/settings", settings).await;
    let config: Value = reqwest::get(format!("{}/api/v1/municipalities/{FLENSBURG}/config", server.url))
        .await
        .expect("config")
        .json()
        .await
        .expect("config JSON");
    config["legal"]["notice_version"].as_u64().expect("a notice version")
}

/// The ZIP of an export: its JSON and the names of its files.
fn open_export(bytes: &[u8]) -> (Value, Vec<String>) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the export is a ZIP");
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    let mut text = String::new();
    zip.by_name("augenmerk-export.json")
        .expect("augenmerk-export.json in the ZIP")
        .read_to_string(&mut text)
        .expect("read the JSON");
    (serde_json::from_str(&text).expect("the export's JSON parses"), names)
}

/// The page's device token (local storage), if it has one.
async fn device_token(b: &Browser) -> Option<String> {
    b.client
        .execute("return localStorage.getItem('augenmerk.device-token');", vec![])
        .await
        .expect("read local storage")
        .as_str()
        .map(str::to_owned)
}

/// Waits until "my reports" has loaded and no longer lists the report.
async fn wait_gone_from_my_reports(b: &Browser, id: &str) {
    let item = format!("{}[data-report-id=\"{id}\"]", Browser::id("report-item"));
    let deadline = Instant::now() + SLOW;
    loop {
        let listed = b.client.find(Locator::Css(&item)).await.is_ok();
        let loaded = b
            .client
            .find(Locator::Css(&Browser::id("my-reports-empty")))
            .await
            .is_ok()
            || b.client.find(Locator::Css(&Browser::id("report-item"))).await.is_ok();
        if loaded && !listed {
            return;
        }
        assert!(Instant::now() < deadline, "report {id} is still under \"my reports\"");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_citizen_reads_the_notice_exports_withdraws_and_erases() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-privacy-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let version = flensburg(&server).await;
    let live_days = format!("{CONTACT_DAYS} Tage");
    let b = Browser::start(dir.path()).await;
    let mut violations = Vec::new();

    // Before any place is chosen, the footer's notice is the general version.
    b.goto(&server.url).await;
    b.wait_id("submit-report", SLOW).await;
    b.click_id("footer-privacy").await;
    b.wait_id("legal-general", Duration::from_secs(20)).await;
    violations.extend(b.serious_accessibility_violations("privacy notice, no place yet").await);

    // In the form: the notice under the consent, in place, with Flensburg's periods.
    b.click_id("nav-report").await;
    b.wait_id("submit-report", SLOW).await;
    steps::locate_in_flensburg(&b).await;
    steps::describe_pothole(&b, "Schlagloch vor dem Kindergarten.").await;
    b.wait_attr(
        &Browser::id("consent-notice"),
        "data-version",
        &version.to_string(),
        SLOW,
    )
    .await;
    b.click_css(&format!("{} summary", Browser::id("consent-notice"))).await;
    b.wait_text(&Browser::id("consent-notice-text"), &live_days, Duration::from_secs(10))
        .await;
    b.screenshots("privacy-consent").await;
    // As a page of its own, and back: nothing written is lost.
    b.click_id("consent-notice-page").await;
    b.wait_attr(&Browser::id("legal-text"), "data-municipality", FLENSBURG, SLOW)
        .await;
    b.wait_text(&Browser::id("legal-text"), &live_days, Duration::from_secs(10))
        .await;
    b.click_id("legal-back").await;
    let description = b.by_id("description").await;
    assert_eq!(
        description
            .prop("value")
            .await
            .expect("description")
            .unwrap_or_default(),
        "Schlagloch vor dem Kindergarten."
    );
    assert!(
        b.by_id("consent").await.is_selected().await.expect("consent"),
        "consent kept"
    );
    let id = steps::submit(&b).await;
    b.wait_attr(&Browser::id("sync-status"), "data-queued", "0", SLOW).await;

    // From the footer, after the report: Flensburg's notice and Impressum.
    b.click_id("footer-privacy").await;
    b.wait_attr(&Browser::id("legal-text"), "data-municipality", FLENSBURG, SLOW)
        .await;
    b.wait_text(&Browser::id("legal-text"), &live_days, Duration::from_secs(10))
        .await;
    violations.extend(b.serious_accessibility_violations("privacy notice").await);
    b.screenshots("privacy-notice").await;
    b.click_id("footer-imprint").await;
    b.wait_css(
        &format!(
            "{}[data-kind=\"imprint\"][data-municipality=\"{FLENSBURG}\"]",
            Browser::id("legal-text")
        ),
        SLOW,
    )
    .await;
    b.wait_text(&Browser::id("legal-text"), "Flensburg", Duration::from_secs(10))
        .await;
    violations.extend(b.serious_accessibility_violations("imprint").await);

    // "My data", from "my reports": the live periods, and the export.
    b.click_id("nav-my-reports").await;
    b.click_id("my-data-link").await;
    b.wait_attr(
        &Browser::id("retention-contact"),
        "data-value",
        &CONTACT_DAYS.to_string(),
        SLOW,
    )
    .await;
    violations.extend(b.serious_accessibility_violations("my data").await);
    b.click_id("export").await;
    let done = b
        .wait_attr_present(&Browser::id("export-done"), "data-file", SLOW)
        .await;
    let file = Browser::attr(&done, "data-file").await;
    assert!(
        file.starts_with("augenmerk-daten-") && file.ends_with(".zip"),
        "the file name: {file}"
    );
    b.screenshots("privacy-my-data").await;
    // The same download the page made, with the page's token.
    let token = device_token(&b).await.expect("the page registered");
    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{}/api/v1/me/export", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("export");
    assert_eq!(resp.status(), 200);
    let (export, files) = open_export(&resp.bytes().await.expect("ZIP"));
    assert!(files.iter().any(|f| f == "LIESMICH.txt"), "{files:?}");
    let report = &export["reports"][0];
    assert_eq!(report["id"], id.as_str(), "{export}");
    assert_eq!(report["description"], "Schlagloch vor dem Kindergarten.", "{export}");
    assert_eq!(report["status"], "received", "{export}");
    assert_eq!(
        report["consent_version"],
        json!(version),
        "the consent records the notice the citizen read: {export}"
    );

    // Withdrawn from its page, after a confirmation: gone here and on the server.
    b.click_id("nav-my-reports").await;
    steps::open_detail(&b, &id).await;
    b.click_id("withdraw-report").await;
    b.wait_id("withdraw-report-question", Duration::from_secs(10)).await;
    violations.extend(b.serious_accessibility_violations("report detail, withdrawing").await);
    b.screenshots("privacy-withdraw").await;
    b.click_id("withdraw-report-confirm").await;
    wait_gone_from_my_reports(&b, &id).await;
    let gone = http
        .get(format!("{}/api/v1/reports/{id}", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET the report");
    assert_eq!(gone.status(), 404, "the withdrawn report is gone");

    // Another report, then everything is erased: the page forgets its registration.
    b.click_id("nav-report").await;
    b.wait_id("submit-report", SLOW).await;
    steps::locate_in_flensburg(&b).await;
    steps::describe_pothole(&b, "Noch ein Schlagloch.").await;
    let second = steps::submit(&b).await;
    b.wait_attr(&Browser::id("sync-status"), "data-queued", "0", SLOW).await;
    b.click_id("footer-my-data").await;
    b.click_id("erase-all").await;
    b.click_id("erase-all-confirm").await;
    b.wait_attr(&Browser::id("erase-all-done"), "data-count", "1", SLOW)
        .await;
    violations.extend(b.serious_accessibility_violations("my data, erased").await);
    assert_eq!(device_token(&b).await, None, "the token is forgotten");
    let old = http
        .get(format!("{}/api/v1/reports", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET with the old token");
    assert_eq!(old.status(), 401, "the registration is deleted");
    let staff = Staff::login(&server.url, "dispatcher").await;
    let kept = staff.wait_for_report(&second, SLOW).await;
    assert_ne!(
        kept["report"]["description"], "Noch ein Schlagloch.",
        "the description is erased: {kept}"
    );
    b.click_id("nav-my-reports").await;
    b.wait_id("my-reports-empty", SLOW).await;
    b.close().await;

    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_status_link_exports_and_withdraws_and_the_mailed_link_erases() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-privacy-link-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    flensburg(&server).await;
    let mail_dir = dir.path().join("server/mail");
    let http = reqwest::Client::new();
    let b = Browser::start(dir.path()).await;
    let mut violations = Vec::new();

    // The status link: the report's own export, and its withdrawal.
    let email = "jana.beispiel@example.org";
    let id = submit_with_email(&server.url, email, "Schlagloch an der Bushaltestelle.").await;
    let (_, token) = wait_for_receipt(&mail_dir, email);
    b.goto(&format!("{}/#/status/{token}", server.url)).await;
    b.wait_id("status-privacy", Duration::from_secs(30)).await;
    let href = Browser::attr(&b.by_id("status-export").await, "href").await;
    let url = if href.starts_with("http") {
        href
    } else {
        format!("{}{href}", server.url)
    };
    let resp = http.get(&url).send().await.expect("status export");
    assert_eq!(resp.status(), 200, "{url}");
    let (export, _) = open_export(&resp.bytes().await.expect("ZIP"));
    assert_eq!(export["reports"][0]["id"], id.as_str(), "{export}");
    assert_eq!(export["reports"][0]["contact_email"], email, "{export}");
    b.click_id("status-withdraw").await;
    b.wait_id("status-withdraw-question", Duration::from_secs(10)).await;
    violations.extend(b.serious_accessibility_violations("status page, withdrawing").await);
    b.screenshots("privacy-status-withdraw").await;
    b.click_id("status-withdraw-confirm").await;
    b.wait_id("status-withdrawn", SLOW).await;
    let after = http
        .get(format!("{}/api/v1/status/{token}", server.url))
        .header("Accept", "application/json")
        .send()
        .await
        .expect("status after withdrawal");
    assert_eq!(after.status(), 404, "the withdrawn report's link leads nowhere");

    // By e-mail address: a link is mailed; following it erases.
    let email = "kai.muster@example.org";
    let other = submit_with_email(&server.url, email, "Schlagloch an der Bushaltestelle.").await;
    b.goto(&format!("{}/#/meine-daten", server.url)).await;
    b.client.refresh().await.expect("reload");
    b.wait_id("erase-email", SLOW).await;
    b.type_into("erase-email", email).await;
    b.click_id("erase-email-send").await;
    b.wait_id("erase-email-sent", SLOW).await;
    let (_, erase) = wait_for_link(&mail_dir, email, "#/erase/");
    b.goto(&format!("{}/#/erase/{erase}", server.url)).await;
    b.client.refresh().await.expect("reload");
    b.wait_id("erase-now", SLOW).await;
    violations.extend(b.serious_accessibility_violations("erase link").await);
    b.screenshots("privacy-erase-link").await;
    b.click_id("erase-now").await;
    b.wait_attr(&Browser::id("erase-done"), "data-count", "1", SLOW).await;
    violations.extend(b.serious_accessibility_violations("erase link, done").await);
    b.screenshots("privacy-erase-done").await;
    let staff = Staff::login(&server.url, "dispatcher").await;
    let kept = staff.wait_for_report(&other, SLOW).await;
    assert!(!kept.to_string().contains(email), "the address is erased: {kept}");
    // The link works once.
    b.client.refresh().await.expect("reload");
    b.click_id("erase-now").await;
    b.wait_id("erase-expired", SLOW).await;
    b.close().await;

    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}
