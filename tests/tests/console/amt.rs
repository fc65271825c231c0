//! Ämter and the platform in the console (issue 26). The demo's Amt Langballig: its admin
//! sees reports from two of its Gemeinden with their names, filters by Gemeinde, counts by
//! Gemeinde in the statistics, and adds a rule by Gemeinde that the dry run and the next
//! reports follow. The platform admin imports the directory of administrations from CSV (a
//! bad line is named and nothing is imported), edits and deletes entries, and turns a
//! directory administration with a mailed report into a tenant that takes the report over.
//! axe-core on each screen; screenshots to `docs/screenshots/console/`.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::helpers::{
    exists, laptop, login_to, one_browser, open_case, open_map, page_errors, screenshots, screenshots_tall, select,
};
use augenmerk_tests::citizen::Citizen;
use augenmerk_tests::{Browser, FLENSBURG, Server, Staff};

/// Amt Langballig (nine digits: the Amt's key).
const AMT: &str = "010595937";
const WEES: &str = "01059176";
const GRUNDHOF: &str = "01059118";
/// Places inside Wees and Grundhof (checked against `data/geo/sh-gemeinden.geojson`).
const WEES_AT: (f64, f64) = (54.8090, 9.5140);
const WEES_CENTRE: (f64, f64) = (54.8087, 9.5281);
const GRUNDHOF_AT: (f64, f64) = (54.7812, 9.6344);
/// Lübeck is not a tenant of the demo but in its directory (by the key of its
/// administration, as the boundary data's `VWG_ARS` has it); a place inside it.
const LUEBECK: &str = "010030000";
const LUEBECK_AT: (f64, f64) = (53.8655, 10.6866);
/// Amt Hürup and Amt Oeversee: neither a tenant nor in the demo's directory.
const HUERUP: &str = "010595919";
const OEVERSEE: &str = "010595940";
/// The demo's platform admin (no municipality).
const PLATFORM_USER: &str = "platform";

fn temp(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("temporary directory")
}

fn row(testid: &str, attr: &str, value: &str) -> String {
    format!("[data-testid=\"{testid}\"][{attr}=\"{value}\"]")
}

/// Waits until the first element matching `css` has an `attr` other than `not`.
async fn wait_attr_changes(b: &Browser, css: &str, attr: &str, not: &str, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(e) = b.client.find(Locator::Css(css)).await
            && let Ok(Some(v)) = e.attr(attr).await
            && v != not
        {
            return v;
        }
        assert!(Instant::now() < deadline, "{css}: {attr} stays {not:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Waits until a report's priority on the staff API is `want`.
async fn wait_priority(staff: &Staff, id: &str, want: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, detail) = staff
            .send(reqwest::Method::GET, &format!("/api/v1/staff/reports/{id}"), None)
            .await;
        if status == 200 && detail["report"]["priority"] == want {
            return detail;
        }
        assert!(
            Instant::now() < deadline,
            "{id}: priority is not {want}: {status} {detail}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn assert_no_violations(violations: &[String]) {
    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_amt_sees_filters_counts_and_routes_by_gemeinde() {
    let _turn = one_browser().await;
    let dir = temp("augenmerk-console-amt-");
    let server = Server::start(dir.path());
    let citizen = Citizen::register(&server.url).await;
    // No municipality given: the place decides (the Amt, through its Gemeinde).
    let pothole = json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"});
    let lamp = json!({"gefahr_akut": false});
    let wees = citizen
        .report_in(
            None,
            "schlagloch",
            pothole.clone(),
            "Schlagloch vor der Schule.",
            WEES_AT,
            "Schulweg",
            &[],
        )
        .await;
    citizen
        .report_in(
            None,
            "leuchte_aus",
            lamp.clone(),
            "Laterne am Dorfplatz dunkel.",
            WEES_CENTRE,
            "Dorfplatz",
            &[],
        )
        .await;
    let grundhof = citizen
        .report_in(
            None,
            "ablagerung",
            json!({"gefaehrlich": false, "menge": "mittel"}),
            "Sperrmüll am Feldweg.",
            GRUNDHOF_AT,
            "Feldweg",
            &[],
        )
        .await;
    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();

    // The inbox: the reports, each with its Gemeinde.
    login_to(&b, &server.url, AMT, "admin", "admin").await;
    b.wait_id("inbox-table", Duration::from_secs(30)).await;
    let gemeinde_of =
        |id: &str| format!("[data-testid=\"inbox-row\"][data-id=\"{id}\"] [data-testid=\"inbox-gemeinde\"]");
    b.wait_text(&gemeinde_of(&grundhof), "Grundhof", Duration::from_secs(10))
        .await;
    b.wait_text(&gemeinde_of(&wees), "Wees", Duration::from_secs(10)).await;

    // Only Wees.
    select(&b, "filter-gemeinde", WEES).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while exists(&b, &row("inbox-row", "data-id", &grundhof)).await {
        assert!(Instant::now() < deadline, "Grundhof's report is filtered out");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    b.wait_css(&row("inbox-row", "data-id", &wees), Duration::from_secs(10))
        .await;
    for e in b
        .client
        .find_all(Locator::Css("[data-testid=\"inbox-gemeinde\"]"))
        .await
        .expect("Gemeinden")
    {
        assert_eq!(Browser::attr(&e, "data-ags").await, WEES, "only Wees is listed");
    }
    violations.extend(b.serious_accessibility_violations("Amt inbox by Gemeinde").await);
    screenshots(&b, "amt-inbox").await;

    // The map of the filtered reports names the Gemeinde in its list.
    open_map(&b).await;
    b.wait_text(&Browser::id("map-list"), "Wees · Schulweg", Duration::from_secs(10))
        .await;
    violations.extend(b.serious_accessibility_violations("Amt map").await);

    // The case names its Gemeinde.
    open_case(&b, &server.url, &grundhof).await;
    b.wait_text(
        &Browser::id("case-gemeinde"),
        "Gemeinde: Grundhof",
        Duration::from_secs(10),
    )
    .await;
    violations.extend(b.serious_accessibility_violations("Amt case").await);

    // Statistics by Gemeinde.
    b.click_id("nav-stats").await;
    let table = b.wait_id("stats-gemeinde", Duration::from_secs(20)).await;
    let text = table.text().await.expect("table text");
    assert!(
        text.contains("Wees") && text.contains("Grundhof"),
        "by Gemeinde: {text}"
    );
    violations.extend(b.serious_accessibility_violations("Amt statistics").await);
    screenshots(&b, "amt-stats").await;

    // A rule by Gemeinde: Wees's reports get a high priority.
    b.click_id("nav-config").await;
    b.wait_id("rules-page", Duration::from_secs(20)).await;
    b.click_id("rule-add").await;
    b.type_into("rule-name", "Wees → hohe Priorität").await;
    let rule_id = b
        .by_id("rule-id")
        .await
        .prop("value")
        .await
        .expect("rule id")
        .unwrap_or_default();
    assert!(!rule_id.is_empty(), "the new rule has an id");
    select(&b, "cond-type", "gemeinde").await;
    select(&b, "cond-gemeinde", WEES).await;
    b.click_id("cond-add").await;
    b.wait_text(&Browser::id("rule-condition"), "Wees", Duration::from_secs(5))
        .await;
    select(&b, "action-priority", "high").await;
    // The dry run on a sample in Wees (the Gemeinde puts the place there) …
    select(&b, "dry-gemeinde", WEES).await;
    select(&b, "dry-category", "leuchte_aus").await;
    b.type_into("dry-answers", "gefahr_akut=nein").await;
    b.click_id("dry-run-submit").await;
    b.wait_attr(
        &Browser::id("dry-run-result"),
        "data-matched",
        &rule_id,
        Duration::from_secs(20),
    )
    .await;
    violations.extend(b.serious_accessibility_violations("rule by Gemeinde").await);
    screenshots_tall(&b, "amt-rule", 1750).await;
    // … and on Grundhof's report: another rule decides.
    b.click_css("label[for=\"dry-report\"]").await;
    select(&b, "dry-report-id", &grundhof).await;
    b.click_id("dry-run-submit").await;
    let other = wait_attr_changes(
        &b,
        &Browser::id("dry-run-result"),
        "data-matched",
        &rule_id,
        Duration::from_secs(20),
    )
    .await;
    assert_ne!(other, rule_id);
    b.click_id("rules-save").await;
    b.wait_id("console-notice", Duration::from_secs(20)).await;

    // The next reports follow the saved rule: Wees's high, Grundhof's not.
    let admin = Staff::login_to(&server.url, Some(AMT), "admin").await;
    let rules = admin.get("/api/v1/staff/config/rules").await;
    assert_eq!(
        rules[0]["conditions"][0],
        json!({"type": "gemeinde", "gemeinden": [WEES]}),
        "the saved rule: {rules}"
    );
    let new_wees = citizen
        .report_in(
            None,
            "leuchte_aus",
            lamp.clone(),
            "Noch eine Laterne.",
            WEES_CENTRE,
            "Dorfplatz",
            &[],
        )
        .await;
    let new_grundhof = citizen
        .report_in(None, "leuchte_aus", lamp, "Laterne am Hof.", GRUNDHOF_AT, "Hof", &[])
        .await;
    let detail = wait_priority(&admin, &new_wees, "high").await;
    assert_eq!(detail["report"]["gemeinde"], WEES);
    let (_, other) = admin
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/staff/reports/{new_grundhof}"),
            None,
        )
        .await;
    assert_eq!(other["report"]["gemeinde"], GRUNDHOF);
    assert_ne!(other["report"]["priority"], "high", "Grundhof's report: {other}");

    let errors = page_errors(&b).await;
    b.close().await;
    assert!(errors.is_empty(), "errors on the page: {errors:?}");
    assert_no_violations(&violations);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_platform_admin_keeps_the_directory() {
    let _turn = one_browser().await;
    let dir = temp("augenmerk-console-platform-");
    let server = Server::start(dir.path());
    let platform = Staff::login_to(&server.url, None, PLATFORM_USER).await;
    let before = platform.get("/api/v1/admin/directory").await;
    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();

    login_to(&b, &server.url, "platform", PLATFORM_USER, "platform_admin").await;
    b.wait_id("platform", Duration::from_secs(20)).await;
    b.wait_css(&row("tenant-row", "data-key", AMT), Duration::from_secs(20))
        .await;
    assert!(
        exists(&b, &row("tenant-row", "data-key", FLENSBURG)).await,
        "Flensburg is a tenant"
    );
    assert!(
        !exists(&b, &Browser::id("nav-inbox")).await,
        "the platform admin has no inbox"
    );

    // A CSV file with a bad address in line 3: named, and nothing imported.
    let csv = dir.path().join("verwaltungen.csv");
    std::fs::write(
        &csv,
        format!("key;name;email\n{HUERUP};Amt Hürup;meldungen@huerup.example\n{OEVERSEE};Amt Oeversee;kein-postfach\n"),
    )
    .expect("write the CSV");
    b.by_id("directory-csv-file")
        .await
        .send_keys(&csv.display().to_string())
        .await
        .expect("choose the file");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !b
        .by_id("directory-csv")
        .await
        .prop("value")
        .await
        .ok()
        .flatten()
        .is_some_and(|v| v.contains("Oeversee"))
    {
        assert!(Instant::now() < deadline, "the file's text is in the field");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    b.click_id("directory-import-submit").await;
    b.wait_css(
        "[data-testid=\"import-problems\"] li[data-line=\"3\"]",
        Duration::from_secs(20),
    )
    .await;
    assert!(
        !exists(&b, "[data-testid=\"import-problems\"] li[data-line=\"2\"]").await,
        "line 2 is fine"
    );
    assert_eq!(
        platform.get("/api/v1/admin/directory").await,
        before,
        "nothing was imported"
    );
    violations.extend(
        b.serious_accessibility_violations("directory import with problems")
            .await,
    );
    screenshots_tall(&b, "platform-import-problems", 1700).await;

    // Corrected: both entries arrive.
    b.type_into(
        "directory-csv",
        &format!("key,name,email\n{HUERUP},Amt Hürup,meldungen@huerup.example\n{OEVERSEE},Amt Oeversee,post@oeversee.example\n"),
    )
    .await;
    b.click_id("directory-import-submit").await;
    b.wait_id("console-notice", Duration::from_secs(20)).await;
    b.wait_css(&row("directory-row", "data-key", OEVERSEE), Duration::from_secs(20))
        .await;
    b.wait_css(&row("directory-row", "data-key", HUERUP), Duration::from_secs(20))
        .await;
    assert!(!exists(&b, &Browser::id("import-problems")).await, "no problems left");

    // Edit Amt Hürup's address: a bad one is refused at the field, then a good one is saved.
    b.click_css(&format!(
        "{} [data-testid=\"directory-edit\"]",
        row("directory-row", "data-key", HUERUP)
    ))
    .await;
    b.wait_id("directory-form", Duration::from_secs(10)).await;
    let key = b.by_id("dir-key").await.prop("value").await.expect("key");
    assert_eq!(key.as_deref(), Some(HUERUP));
    b.type_into("dir-email", "kein postfach").await;
    b.click_id("directory-save").await;
    b.wait_css("#field-dir-email-error", Duration::from_secs(10)).await;
    violations.extend(b.serious_accessibility_violations("directory entry refused").await);
    b.type_into("dir-email", "maengel@huerup.example").await;
    b.click_id("directory-save").await;
    b.wait_text(
        &format!(
            "{} [data-testid=\"directory-email\"]",
            row("directory-row", "data-key", HUERUP)
        ),
        "maengel@huerup.example",
        Duration::from_secs(20),
    )
    .await;
    assert!(!exists(&b, &Browser::id("directory-form")).await, "the form closed");
    let listing = platform.get("/api/v1/admin/directory").await;
    let huerup = listing
        .as_array()
        .and_then(|l| l.iter().find(|e| e["key"] == HUERUP))
        .cloned()
        .unwrap_or_else(|| panic!("Amt Hürup in {listing}"));
    assert_eq!(huerup["email"], "maengel@huerup.example");
    assert_eq!(huerup["name"], "Amt Hürup");
    assert_eq!(huerup["on_platform"], false);
    violations.extend(b.serious_accessibility_violations("platform").await);
    screenshots_tall(&b, "platform", 1300).await;

    // Delete Amt Oeversee.
    b.click_css(&format!(
        "{} [data-testid=\"directory-delete\"]",
        row("directory-row", "data-key", OEVERSEE)
    ))
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while exists(&b, &row("directory-row", "data-key", OEVERSEE)).await {
        assert!(Instant::now() < deadline, "the deleted entry leaves the list");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let listing = platform.get("/api/v1/admin/directory").await;
    assert!(
        !listing
            .as_array()
            .is_some_and(|l| l.iter().any(|e| e["key"] == OEVERSEE)),
        "deleted: {listing}"
    );

    // In English.
    b.click_id("lang-switch").await;
    b.wait_text("[data-testid=\"platform\"] h1", "Platform", Duration::from_secs(10))
        .await;
    b.wait_text(
        &Browser::id("platform"),
        "Directory of administrations",
        Duration::from_secs(10),
    )
    .await;
    violations.extend(b.serious_accessibility_violations("platform in English").await);

    let errors = page_errors(&b).await;
    b.close().await;
    assert!(errors.is_empty(), "errors on the page: {errors:?}");
    assert_no_violations(&violations);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_directory_administration_joins_and_takes_over_its_mailed_report() {
    let _turn = one_browser().await;
    let dir = temp("augenmerk-console-join-");
    let server = Server::start(dir.path());
    let platform = Staff::login_to(&server.url, None, PLATFORM_USER).await;
    let (status, body) = platform
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/admin/directory/{LUEBECK}"),
            Some(json!({"key": LUEBECK, "name": "Hansestadt Lübeck", "email": "meldungen@luebeck.example"})),
        )
        .await;
    assert_eq!(status, 200, "directory entry: {body}");
    // A report in Lübeck goes there by mail.
    let citizen = Citizen::register(&server.url).await;
    let mailed = citizen
        .report_in(
            None,
            "leuchte_aus",
            json!({"gefahr_akut": false}),
            "Laterne an der Obertrave dunkel.",
            LUEBECK_AT,
            "An der Obertrave",
            &[],
        )
        .await;
    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();

    login_to(&b, &server.url, "platform", PLATFORM_USER, "platform_admin").await;
    let luebeck = row("directory-row", "data-key", LUEBECK);
    b.wait_text(
        &format!("{luebeck} [data-testid=\"directory-mailed\"]"),
        "1",
        Duration::from_secs(20),
    )
    .await;

    // Onboarding: taking the mailed report over is offered; here it is left for later.
    b.click_css(&format!("{luebeck} [data-testid=\"directory-onboard\"]"))
        .await;
    b.wait_id("tenant-form", Duration::from_secs(10)).await;
    let checked = b
        .by_id("tenant-import-mailed-check")
        .await
        .prop("checked")
        .await
        .expect("checked");
    assert_eq!(checked.as_deref(), Some("true"), "taking over is suggested");
    b.type_into("tenant-display-name", "Verwaltung Lübeck").await;
    b.type_into("tenant-password", "ein-langes-passwort-2026").await;
    violations.extend(b.serious_accessibility_violations("new tenant").await);
    screenshots_tall(&b, "platform-tenant-form", 1500).await;
    b.click_css("label[for=\"tenant-import-mailed\"]").await;
    let checked = b
        .by_id("tenant-import-mailed-check")
        .await
        .prop("checked")
        .await
        .expect("checked");
    assert_eq!(checked.as_deref(), Some("false"), "unchecked");
    b.click_id("tenant-create").await;
    let tenant = row("tenant-row", "data-key", LUEBECK);
    b.wait_css(&tenant, Duration::from_secs(30)).await;
    b.wait_attr(&luebeck, "data-on-platform", "true", Duration::from_secs(20))
        .await;
    b.wait_text(
        &format!("{tenant} [data-testid=\"tenant-mailed\"]"),
        "1",
        Duration::from_secs(20),
    )
    .await;
    let admin = Staff::login_with(&server.url, Some(LUEBECK), "admin", "ein-langes-passwort-2026").await;
    let inbox = admin.get("/api/v1/staff/reports").await;
    assert_eq!(inbox["total"], 0, "nothing taken over yet: {inbox}");

    // Now the tenant takes it over.
    b.click_css(&format!("{tenant} [data-testid=\"tenant-import-mailed\"]"))
        .await;
    b.wait_text(&Browser::id("console-notice"), "Eine Meldung", Duration::from_secs(20))
        .await;
    let inbox = admin.get("/api/v1/staff/reports").await;
    let ids: Vec<&str> = inbox["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["report"]["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        ids,
        vec![mailed.as_str()],
        "the mailed report is in Lübeck's inbox: {inbox}"
    );
    violations.extend(b.serious_accessibility_violations("tenant took over").await);

    let errors = page_errors(&b).await;
    b.close().await;
    assert!(errors.is_empty(), "errors on the page: {errors:?}");
    assert_no_violations(&violations);
}
