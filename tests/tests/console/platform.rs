//! The operator's and the dispatcher's overviews (issue 21): the platform admin creates a
//! municipality with its first admin in the console, sees it in the overview of all
//! municipalities with its figures, and that admin signs in; in Flensburg, the statistics
//! page counts open and overdue cases per department and a count opens the inbox filtered
//! (through the route); the map marks overdue cases by a sign and in words, not by colour
//! alone; an admin changes the photo hosts of an Open311 key. axe-core on each screen;
//! screenshots at laptop and tablet size to `docs/screenshots/console/`.

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::helpers::{laptop, login, login_to, logout, one_browser, open_map, page_errors, screenshots, section};
use augenmerk_tests::citizen::Citizen;
use augenmerk_tests::{Browser, MUERWIK, PASSWORD, SLOW, Server, Staff};

/// Neumünster: not a tenant of the demo; its boundary is in the demo's data.
const NEUMUENSTER: &str = "01004000";
/// The demo's platform admin (no municipality).
const PLATFORM_USER: &str = "platform";

fn assert_no_violations(violations: &[String]) {
    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

fn row(testid: &str, attr: &str, value: &str) -> String {
    format!("[data-testid=\"{testid}\"][{attr}=\"{value}\"]")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_platform_admin_creates_a_municipality_with_its_first_admin_and_sees_it_in_the_overview() {
    let _turn = one_browser().await;
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-console-platform-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();

    login_to(&b, &server.url, "platform", PLATFORM_USER, "platform_admin").await;
    b.wait_id("tenant-table", SLOW).await;
    // The demo's Flensburg with its figures.
    let flensburg = row("tenant-row", "data-key", augenmerk_tests::FLENSBURG);
    b.wait_css(&format!("{flensburg} [data-testid=\"tenant-users\"]"), SLOW)
        .await;
    let users = b
        .wait_css(&format!("{flensburg} [data-testid=\"tenant-users\"]"), SLOW)
        .await
        .text()
        .await
        .expect("users");
    assert!(
        users.trim().parse::<u64>().is_ok_and(|n| n > 0),
        "Flensburg's accounts: {users}"
    );

    // A new tenant with its first admin.
    b.click_id("tenant-new").await;
    b.wait_id("tenant-form", SLOW).await;
    b.type_into("tenant-key", NEUMUENSTER).await;
    b.type_into("tenant-username", "admin").await;
    b.type_into("tenant-display-name", "Verwaltung Neumünster").await;
    b.type_into("tenant-password", PASSWORD).await;
    violations.extend(b.serious_accessibility_violations("new municipality").await);
    b.click_id("tenant-create").await;
    let tenant = row("tenant-row", "data-key", NEUMUENSTER);
    b.wait_text(&Browser::id("console-notice"), "admin", SLOW).await;
    b.wait_css(&tenant, SLOW).await;
    // Its figures: one account, nothing reported yet.
    b.wait_text(&format!("{tenant} [data-testid=\"tenant-users\"]"), "1", SLOW)
        .await;
    for (testid, value) in [
        ("tenant-open", "0"),
        ("tenant-overdue", "0"),
        ("tenant-recent", "0"),
        ("tenant-last-activity", "–"),
    ] {
        let text = b
            .wait_css(&format!("{tenant} [data-testid=\"{testid}\"]"), SLOW)
            .await
            .text()
            .await
            .expect("figure");
        assert_eq!(text.trim(), value, "{testid} of the new municipality");
    }
    let platform = Staff::login_to(&server.url, None, PLATFORM_USER).await;
    let overview = platform.get("/api/v1/admin/overview").await;
    let created = overview
        .as_array()
        .and_then(|l| l.iter().find(|m| m["ags"] == NEUMUENSTER))
        .unwrap_or_else(|| panic!("Neumünster in {overview}"));
    assert_eq!(created["users"], 1, "{created}");
    violations.extend(b.serious_accessibility_violations("platform overview").await);
    screenshots(&b, "platform-overview").await;

    // The first admin signs in to the new municipality.
    logout(&b).await;
    login_to(&b, &server.url, NEUMUENSTER, "admin", "admin").await;
    b.wait_id("console-user", SLOW).await;
    violations.extend(b.serious_accessibility_violations("the new admin's console").await);

    let errors = page_errors(&b).await;
    b.close().await;
    assert!(errors.is_empty(), "errors on the page: {errors:?}");
    assert_no_violations(&violations);
}

/// Files a pothole in Mürwik (routed to Tiefbau) at `at`; returns its id.
async fn pothole(citizen: &Citizen, text: &str, at: (f64, f64)) -> String {
    citizen
        .report_in(
            None,
            "schlagloch",
            json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
            text,
            at,
            "Mürwiker Straße",
            &[],
        )
        .await
}

fn workload_of<'a>(list: &'a Value, department: &str) -> &'a Value {
    list.as_array()
        .and_then(|l| l.iter().find(|w| w["department"] == department))
        .unwrap_or_else(|| panic!("{department} in {list}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn overdue_cases_stand_out_per_department_and_on_the_map_and_key_hosts_are_edited() {
    let _turn = one_browser().await;
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-console-sla-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let citizen = Citizen::register(&server.url).await;
    let late = pothole(&citizen, "Schlagloch, seit Wochen gemeldet.", MUERWIK).await;
    // A little further north-east, so that both pins show on the map.
    let fresh = pothole(
        &citizen,
        "Neues Schlagloch am Bordstein.",
        (MUERWIK.0 + 0.002, MUERWIK.1 + 0.004),
    )
    .await;
    let admin_api = Staff::login(&server.url, "admin").await;
    for id in [&late, &fresh] {
        admin_api.wait_for_report(id, SLOW).await;
    }
    admin_api
        .patch(
            &format!("/api/v1/staff/reports/{late}"),
            json!({"due_at": "2020-01-01T08:00:00Z"}),
        )
        .await;
    let workload = admin_api.get("/api/v1/staff/stats/departments").await;
    let tiefbau = workload_of(&workload, "tiefbau");
    let (open, overdue) = (
        tiefbau["open"].as_u64().unwrap_or(0),
        tiefbau["overdue"].as_u64().unwrap_or(0),
    );
    assert!(open >= 2 && overdue >= 1, "{tiefbau}");

    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();
    login(&b, &server.url, "admin").await;

    // --- Per department: the statistics page, as of now. ---
    b.click_id("nav-stats").await;
    let tiefbau_row = row("workload-row", "data-department", "tiefbau");
    b.wait_css(&tiefbau_row, SLOW).await;
    let shown = b
        .wait_css(&format!("{tiefbau_row} [data-testid=\"workload-overdue\"]"), SLOW)
        .await
        .text()
        .await
        .expect("overdue count");
    assert_eq!(shown.trim(), overdue.to_string());
    let shown = b
        .by_id("workload-table")
        .await
        .find(Locator::Css(&format!("{tiefbau_row} [data-testid=\"workload-open\"]")))
        .await
        .expect("open count")
        .text()
        .await
        .expect("text");
    assert_eq!(shown.trim(), open.to_string());
    violations.extend(b.serious_accessibility_violations("statistics per department").await);
    screenshots(&b, "stats-workload").await;

    // A count opens the inbox with the department's overdue cases; the filter is in the route.
    b.click_css(&format!("{tiefbau_row} a[data-testid=\"workload-overdue\"]"))
        .await;
    b.wait_css(&format!("[data-id=\"{late}\"]"), SLOW).await;
    let url = b.client.current_url().await.expect("url").to_string();
    assert!(
        url.contains("department=tiefbau") && url.contains("overdue=true"),
        "{url}"
    );
    b.wait_gone(&format!("[data-id=\"{fresh}\"]"), SLOW).await;

    // --- The map (all open cases again): overdue by an exclamation mark and in words. ---
    b.client
        .goto(&format!("{}/console/#/console", server.url))
        .await
        .expect("the inbox");
    b.client.refresh().await.expect("reload: the filters start afresh");
    b.wait_id("console-user", SLOW).await;
    open_map(&b).await;
    let pin = b.wait_css(".map-pin--overdue .map-pin__flag", SLOW).await;
    assert_eq!(pin.text().await.expect("flag").trim(), "!");
    let mut titles: Vec<(bool, String)> = Vec::new();
    for m in b.client.find_all(Locator::Css(".map-pin")).await.expect("pins") {
        let class = m.attr("class").await.ok().flatten().unwrap_or_default();
        let title = m.attr("title").await.ok().flatten().unwrap_or_default();
        titles.push((class.contains("map-pin--overdue"), title));
    }
    assert!(titles.len() >= 2, "both cases on the map: {titles:?}");
    for (overdue, title) in &titles {
        assert_eq!(title.ends_with("überfällig"), *overdue, "{titles:?}");
        assert_eq!(*overdue, title.contains("überfällig"), "{titles:?}");
    }
    b.wait_id("map-legend-overdue", SLOW).await;
    b.wait_text(&Browser::id("map-overdue-count"), "überfällig", SLOW).await;
    violations.extend(b.serious_accessibility_violations("map with overdue cases").await);
    screenshots(&b, "map-overdue").await;

    // --- An Open311 key's photo hosts are changed (checked as at creation). ---
    let issued = admin_api
        .post(
            "/api/v1/staff/config/api-keys",
            json!({"name": "Stadtwerke-App", "media_hosts": ["fotos.example.org"]}),
        )
        .await;
    let id = issued["key"]["id"].as_str().expect("key id").to_owned();
    b.click_id("nav-config").await;
    section(&b, "api-keys").await;
    let key_row = row("api-key-row", "data-id", &id);
    b.click_css(&format!("{key_row} [data-testid=\"api-key-edit-hosts\"]"))
        .await;
    b.wait_id("api-key-edit", SLOW).await;
    b.type_into("api-key-edit-hosts-input", "https://bilder.example.org/")
        .await;
    b.click_id("api-key-hosts-save").await;
    b.wait_css("[data-testid=\"api-key-edit\"] .kern-error", SLOW).await;
    b.type_into("api-key-edit-hosts-input", "bilder.example.org\ncdn.example.org")
        .await;
    violations.extend(b.serious_accessibility_violations("photo hosts of a key").await);
    screenshots(&b, "config-api-key-hosts").await;
    b.click_id("api-key-hosts-save").await;
    b.wait_gone(&Browser::id("api-key-edit"), SLOW).await;
    b.wait_text(
        &format!("{key_row} [data-testid=\"api-key-hosts\"]"),
        "cdn.example.org",
        SLOW,
    )
    .await;
    let keys = admin_api.get("/api/v1/staff/config/api-keys").await;
    let key = keys
        .as_array()
        .and_then(|l| l.iter().find(|k| k["id"] == id.as_str()))
        .unwrap_or_else(|| panic!("{id} in {keys}"));
    assert_eq!(key["media_hosts"], json!(["bilder.example.org", "cdn.example.org"]));

    let errors = page_errors(&b).await;
    b.close().await;
    assert!(errors.is_empty(), "errors on the page: {errors:?}");
    assert_no_violations(&violations);
}
