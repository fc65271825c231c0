//! The console end to end: a dispatcher handles reports and a field worker sees theirs,
//! the citizen sees what is public; an admin adds a rule, tries it and walks through the
//! configuration; axe-core on each screen; screenshots. Two stories with a server each, so
//! that a failure in one does not hide the other.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;

use crate::helpers::{
    exists, laptop, login, logout, open_case, open_map, page_errors, patch_as_dispatcher, screenshots,
    screenshots_tall, section as open_section, select, street_jpeg,
};
use augenmerk_tests::citizen::Citizen;
use augenmerk_tests::{Browser, MUERWIK, SLOW, Server, Staff};

const NOTE: &str = "Intern: Kolonne Nord prüft morgen früh, Absperrung bestellt.";
const MESSAGE: &str = "Vielen Dank, wir haben das Schlagloch heute ausgebessert.";
const COMMENT: &str = "Schlagloch mit Kaltasphalt verfüllt.";

/// Reports as citizens sent them.
struct Reports {
    /// A pothole with a photo the server anonymized.
    id: String,
    /// A street light, litter, a tree, graffiti, a gully and a sign; the street light's
    /// due date lies in the past.
    others: Vec<String>,
    /// A pothole near the first one.
    original: String,
    /// The same pothole again: a duplicate with its original nearby.
    again: String,
}

/// A server with the demo in `dir` and a citizen's reports on it.
async fn server_with_reports(dir: &std::path::Path) -> (Server, Citizen, Reports) {
    let server = Server::start(dir);
    let citizen = Citizen::register(&server.url).await;
    // Reports as citizens sent them; the first one with a photo the server anonymized.
    let photo = citizen.photo(street_jpeg()).await;
    let id = citizen
        .report(
            "schlagloch",
            json!({"gefahr_akut": false, "groesse": "20_50", "tiefe": "3_8", "lage": "fahrbahn", "strassenart": "gemeindestrasse"}),
            "Tiefes Schlagloch auf der Fahrbahn, Radfahrer weichen auf den Gehweg aus.",
            MUERWIK,
            "Mürwiker Straße 112",
            &[photo],
        )
        .await;
    let others = [
        (
            "leuchte_aus",
            json!({"gefahr_akut": false}),
            "Laterne vor dem Spielplatz seit einer Woche dunkel.",
            (54.7937, 9.4469),
            "Friedrich-Ebert-Straße 30",
        ),
        (
            "ablagerung",
            json!({"gefaehrlich": false, "menge": "mittel"}),
            "Sperrmüll am Waldrand abgeladen.",
            (54.7766, 9.4120),
            "Marienhölzungsweg",
        ),
        (
            "baum_gefahr",
            json!({"gefahr_akut": true, "ast_liegt": true}),
            "Großer Ast hängt über dem Gehweg.",
            (54.7895, 9.4370),
            "Stadtpark",
        ),
        (
            "graffiti_schmiererei",
            json!({"anstoessig": false}),
            "Schmiererei an der Bushaltestelle.",
            (54.7829, 9.4335),
            "ZOB",
        ),
        (
            "gully",
            json!({"gefahr_akut": false, "deckel_fehlt": false}),
            "Gully verstopft, Wasser steht.",
            (54.8025, 9.4567),
            "Osterallee 80",
        ),
        (
            "schild_beschaedigt",
            json!({"gefahr_akut": false}),
            "Vorfahrtsschild umgefahren.",
            (54.7700, 9.4300),
            "Husumer Straße",
        ),
    ];
    let mut other_ids = Vec::new();
    for (category, answers, text, at, hint) in others {
        other_ids.push(citizen.report(category, answers, text, at, hint, &[]).await);
    }
    // The same pothole reported twice more, a few metres away: a duplicate with its original nearby.
    let pothole = json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"});
    let original = citizen
        .report(
            "schlagloch",
            pothole.clone(),
            "Schlagloch, Fahrbahnrand.",
            (MUERWIK.0 + 0.0003, MUERWIK.1),
            "Mürwiker Straße 120",
            &[],
        )
        .await;
    let again = citizen
        .report(
            "schlagloch",
            pothole,
            "Loch in der Straße.",
            (MUERWIK.0 + 0.0004, MUERWIK.1),
            "Mürwiker Straße 122",
            &[],
        )
        .await;
    // One report is overdue: its due date lies in the past.
    patch_as_dispatcher(&server.url, &other_ids[1], json!({"due_at": "2026-01-05T08:00:00Z"})).await;

    let reports = Reports {
        id,
        others: other_ids,
        original,
        again,
    };
    (server, citizen, reports)
}

/// A fresh folder for a story's server and browser.
fn work_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("augenmerk-console-")
        .tempdir()
        .expect("temporary directory")
}

/// The page logged no errors and axe-core found nothing serious.
async fn assert_clean(b: &Browser, violations: &[String]) {
    let errors = page_errors(b).await;
    assert!(errors.is_empty(), "the page logged errors: {errors:?}");
    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dispatcher_handles_reports_and_a_field_worker_sees_theirs() {
    let _one = crate::helpers::one_browser().await;
    let dir = work_dir();
    let (server, citizen, reports) = server_with_reports(dir.path()).await;
    let Reports {
        id,
        others: other_ids,
        original,
        again,
    } = reports;

    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();

    // --- The dispatcher: inbox, case, note, message, resolved. ---
    login(&b, &server.url, "dispatcher").await;
    b.wait_id("inbox-table", SLOW).await;
    let row = format!("[data-testid=\"inbox-row\"][data-id=\"{id}\"]");
    b.wait_css(&row, Duration::from_secs(20)).await;
    b.wait_css(
        "[data-testid=\"inbox-row\"][data-overdue=\"true\"]",
        Duration::from_secs(10),
    )
    .await;
    // Counts per status and the text filter.
    b.wait_css("[data-testid=\"tab-open\"] .status-tab__count", Duration::from_secs(10))
        .await;
    violations.extend(b.serious_accessibility_violations("inbox").await);
    screenshots(&b, "inbox").await;
    b.type_into("filter-q", "Radfahrer").await;
    b.click_id("filter-search").await;
    b.wait_attr(&Browser::id("inbox-total"), "data-total", "1", Duration::from_secs(10))
        .await;
    // By keyboard: the skip link leads to the content, Enter on the report's link opens it.
    // A reload starts the focus order afresh (the session and the route survive it).
    b.client.refresh().await.expect("reload");
    b.wait_css(&row, Duration::from_secs(20)).await;
    b.client
        .active_element()
        .await
        .expect("active element")
        .send_keys("\u{E004}")
        .await
        .expect("Tab");
    let focused = b
        .client
        .execute("return document.activeElement.className;", vec![])
        .await
        .expect("focused element");
    assert_eq!(focused, "skip-link", "the first Tab reaches the skip link");
    b.client
        .active_element()
        .await
        .expect("active element")
        .send_keys("\u{E007}")
        .await
        .expect("Enter");
    let focused = b
        .client
        .execute("return document.activeElement.id;", vec![])
        .await
        .expect("focused element");
    assert_eq!(focused, "console-main", "the skip link moves the focus to the content");
    let link = b
        .wait_css(&format!("{row} [data-testid=\"inbox-open\"]"), Duration::from_secs(5))
        .await;
    b.client
        .execute(
            "arguments[0].focus();",
            vec![serde_json::to_value(&link).expect("element ref")],
        )
        .await
        .expect("focus the link");
    link.send_keys("\u{E007}").await.expect("Enter on the report");

    let case = format!("[data-testid=\"case\"][data-id=\"{id}\"]");
    b.wait_css(&case, Duration::from_secs(20)).await;
    // Answers under their question labels, the routing rule, the anonymized photo.
    b.wait_text(&Browser::id("case-answers"), "Ungefähre Größe", Duration::from_secs(10))
        .await;
    b.wait_text(&Browser::id("case-answers"), "20–50 cm", Duration::from_secs(10))
        .await;
    b.wait_attr_present(&Browser::id("case-routing-rule"), "data-rule", Duration::from_secs(10))
        .await;
    b.wait_css("[data-testid=\"case-photos\"] img", Duration::from_secs(20))
        .await;

    b.type_into("case-note-body", NOTE).await;
    b.click_id("case-note-add").await;
    b.wait_text(&Browser::id("case-note"), NOTE, Duration::from_secs(20))
        .await;
    assert!(
        exists(&b, "[data-testid=\"intern-badge\"]").await,
        "notes are marked internal"
    );

    // A reply template fills the message in (with the report's values); it is then edited.
    select(&b, "case-template", "eingang").await;
    let filled = b
        .by_id("case-message-body")
        .await
        .prop("value")
        .await
        .expect("message text")
        .unwrap_or_default();
    assert!(
        filled.contains("Vielen Dank"),
        "the template fills the message in: {filled:?}"
    );
    b.type_into("case-message-body", MESSAGE).await;
    b.click_id("case-message-send").await;
    b.wait_text(&Browser::id("case-message"), MESSAGE, Duration::from_secs(20))
        .await;

    select(&b, "case-to", "resolved").await;
    b.type_into("case-comment", COMMENT).await;
    b.click_id("case-transition-submit").await;
    b.wait_css(&format!("{case}[data-status=\"resolved\"]"), Duration::from_secs(20))
        .await;
    violations.extend(b.serious_accessibility_violations("case").await);
    screenshots_tall(&b, "case", 1700).await;

    // The map of the inbox (without tiles: boundary and areas).
    // Re-categorise with the rules applied again, and assign a person: the gully report
    // becomes a litter bin (rule "Müll, Graffiti, Haltestellen → TBZ").
    let gully = &other_ids[4];
    open_case(&b, &server.url, gully).await;
    select(&b, "case-category", "papierkorb").await;
    b.click_css("label[for=\"case-reroute\"]").await;
    b.click_id("case-handling-submit").await;
    b.wait_text(&Browser::id("case-audit"), "Kategorie:", Duration::from_secs(20))
        .await;
    b.wait_attr(
        &Browser::id("case-routing-rule"),
        "data-rule",
        "muell",
        Duration::from_secs(20),
    )
    .await;
    let staff = Staff::login(&server.url, "dispatcher").await;
    let detail = staff.get(&format!("/api/v1/staff/reports/{gully}")).await;
    assert_eq!(detail["report"]["category"], "papierkorb", "{detail}");
    assert_eq!(
        detail["report"]["department"], "tbz",
        "re-routed by the rules: {detail}"
    );
    b.by_id("case-assignee")
        .await
        .select_by_label("Außendienst Flensburg")
        .await
        .expect("choose the field worker");
    b.click_id("case-handling-submit").await;
    b.wait_text(
        &Browser::id("case-audit"),
        "Außendienst Flensburg",
        Duration::from_secs(20),
    )
    .await;
    let detail = staff.get(&format!("/api/v1/staff/reports/{gully}")).await;
    assert!(
        !detail["report"]["assignee"].is_null(),
        "assigned to a person: {detail}"
    );

    // Forward to an external authority.
    let sign = &other_ids[5];
    open_case(&b, &server.url, sign).await;
    select(&b, "case-to", "forwarded").await;
    select(&b, "case-forward", "lbv-sh").await;
    b.type_into("case-comment", "Zuständig ist der Landesbetrieb Straßenbau.")
        .await;
    b.click_id("case-transition-submit").await;
    b.wait_css(
        &format!("[data-testid=\"case\"][data-id=\"{sign}\"][data-status=\"forwarded\"]"),
        Duration::from_secs(20),
    )
    .await;

    // A duplicate: the original is offered among the open reports nearby.
    open_case(&b, &server.url, &again).await;
    select(&b, "case-to", "duplicate").await;
    b.choose(&format!(
        "[data-testid=\"case-duplicate-candidate\"][value=\"{original}\"]"
    ))
    .await;
    b.click_id("case-transition-submit").await;
    b.wait_css(
        &format!("[data-testid=\"case\"][data-id=\"{again}\"][data-status=\"duplicate\"]"),
        Duration::from_secs(20),
    )
    .await;
    let detail = staff.get(&format!("/api/v1/staff/reports/{again}")).await;
    assert_eq!(detail["report"]["duplicate_of"], original.as_str(), "{detail}");

    b.click_id("case-back").await;
    b.click_id("filter-reset").await;
    b.wait_attr(&Browser::id("inbox-total"), "data-total", "6", Duration::from_secs(10))
        .await;
    open_map(&b).await;
    violations.extend(b.serious_accessibility_violations("map").await);
    screenshots(&b, "map").await;

    b.click_id("nav-stats").await;
    let stats = b
        .client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(&Browser::id("stats")))
        .await;
    assert!(
        stats.is_ok(),
        "the statistics page opens; page errors: {:?}",
        page_errors(&b).await
    );
    b.wait_id("stats-kpis", Duration::from_secs(20)).await;
    violations.extend(b.serious_accessibility_violations("statistics").await);
    screenshots(&b, "statistics").await;

    let errors = page_errors(&b).await;
    assert!(errors.is_empty(), "the page logged errors: {errors:?}");
    // A dispatcher has no configuration.
    assert!(
        !exists(&b, &Browser::id("nav-config")).await,
        "dispatchers see no configuration"
    );
    logout(&b).await;

    // --- A field worker (Tiefbau) sees only their department's reports and their own. ---
    login(&b, &server.url, "field").await;
    b.wait_id("inbox-scope", Duration::from_secs(10)).await;
    b.wait_attr(&Browser::id("inbox-total"), "data-total", "2", Duration::from_secs(20))
        .await;
    for visible in [&original, &other_ids[4]] {
        assert!(
            exists(&b, &format!("[data-testid=\"inbox-row\"][data-id=\"{visible}\"]")).await,
            "the field worker sees {visible}"
        );
    }
    assert!(
        !exists(&b, &Browser::id("nav-config")).await,
        "field workers see no configuration"
    );
    violations.extend(b.serious_accessibility_violations("inbox (field worker)").await);

    // --- A session the server no longer accepts ends at the login, with a notice. ---
    b.client
        .execute(
            "const k = 'augenmerk.console-session'; const s = JSON.parse(localStorage.getItem(k)); \
             s.token = 'expired'; localStorage.setItem(k, JSON.stringify(s));",
            vec![],
        )
        .await
        .expect("spoil the stored token");
    b.client.refresh().await.expect("reload");
    b.wait_id("session-expired", Duration::from_secs(20)).await;
    violations.extend(b.serious_accessibility_violations("login").await);
    b.close().await;

    // --- The citizen sees the message and the status, never the note. ---
    let view = citizen.view(&id).await;
    assert_eq!(view["status"], "resolved", "{view}");
    let text = view.to_string();
    assert!(text.contains(MESSAGE), "the citizen sees the message: {view}");
    assert!(text.contains(COMMENT), "the citizen sees the public comment: {view}");
    assert!(!text.contains(NOTE), "the note never reaches the citizen: {view}");
    assert!(
        !text.contains("Kolonne"),
        "no part of the note reaches the citizen: {view}"
    );

    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
    // Printed before the processes are torn down (visible with --nocapture).
    eprintln!("console e2e (dispatcher): every step and assertion passed");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_tries_a_rule_and_walks_the_configuration() {
    let _one = crate::helpers::one_browser().await;
    let dir = work_dir();
    let (server, _citizen, reports) = server_with_reports(dir.path()).await;
    let id = reports.id;
    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();

    // --- The admin: a new rule, picked by the dry run, saved. ---
    login(&b, &server.url, "admin").await;
    b.click_id("nav-config").await;
    b.wait_css("[data-testid=\"rule-item\"]", Duration::from_secs(20)).await;
    b.click_id("rule-add").await;
    b.type_into("rule-name", "Sturmschäden an Bäumen → Ordnungsamt, dringend")
        .await;
    let rule_id = b
        .by_id("rule-id")
        .await
        .prop("value")
        .await
        .expect("rule id")
        .unwrap_or_default();
    assert!(!rule_id.is_empty(), "the new rule has an id");
    select(&b, "cond-type", "category").await;
    select(&b, "cond-category", "baum_gefahr").await;
    b.click_id("cond-add").await;
    b.wait_css("[data-testid=\"rule-condition\"]", Duration::from_secs(5))
        .await;
    select(&b, "action-department", "ordnungsamt").await;
    select(&b, "action-priority", "urgent").await;
    b.type_into("action-due", "4").await;
    // The dry run with the unsaved rules, on a sample.
    select(&b, "dry-category", "baum_gefahr").await;
    b.type_into("dry-answers", "gefahr_akut=nein; ast_liegt=ja").await;
    b.click_id("dry-run-submit").await;
    b.wait_attr(
        &Browser::id("dry-run-result"),
        "data-matched",
        &rule_id,
        Duration::from_secs(20),
    )
    .await;
    violations.extend(b.serious_accessibility_violations("rule editor").await);
    screenshots_tall(&b, "rule-editor", 1500).await;
    // And on an existing report of another category: an existing rule decides.
    b.click_css("label[for=\"dry-report\"]").await;
    select(&b, "dry-report-id", &id).await;
    b.click_id("dry-run-submit").await;
    b.wait_attr(
        &Browser::id("dry-run-result"),
        "data-matched",
        "strasse",
        Duration::from_secs(20),
    )
    .await;
    b.click_id("rules-save").await;
    b.wait_id("console-notice", Duration::from_secs(20)).await;
    let admin_api = Staff::login(&server.url, "admin").await;
    let rules = admin_api.get("/api/v1/staff/config/rules").await;
    assert_eq!(rules[0]["id"], rule_id.as_str(), "the saved rule comes first: {rules}");
    assert_eq!(rules[0]["action"]["department"], "ordnungsamt");

    for section in ["categories", "departments", "users", "templates", "areas", "appearance"] {
        open_section(&b, section).await;
        if section == "users" {
            // A new account, then its role changed in the list.
            b.type_into("user-username", "pruefung").await;
            b.type_into("user-display", "Prüfung Tiefbau").await;
            b.type_into("user-password", "ein-langes-passwort-2026").await;
            select(&b, "user-role", "field_worker").await;
            select(&b, "user-department", "tiefbau").await;
            b.click_id("user-save").await;
            b.wait_text(&Browser::id("user-table"), "Prüfung Tiefbau", Duration::from_secs(20))
                .await;
            let users = admin_api.get("/api/v1/staff/config/users").await;
            let new_id = users
                .as_array()
                .and_then(|u| u.iter().find(|x| x["username"] == "pruefung"))
                .and_then(|x| x["id"].as_str())
                .expect("the new account")
                .to_owned();
            let role_select = format!("[data-testid=\"user-role-change\"][data-user=\"{new_id}\"]");
            b.wait_css(&role_select, Duration::from_secs(10))
                .await
                .select_by_value("dispatcher")
                .await
                .expect("change the role");
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            loop {
                let users = admin_api.get("/api/v1/staff/config/users").await;
                let role = users
                    .as_array()
                    .and_then(|u| u.iter().find(|x| x["id"] == new_id.as_str()))
                    .map(|x| x["role"].clone());
                if role == Some(json!("dispatcher")) {
                    break;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "the role did not change: {role:?}"
                );
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
        if section == "categories" {
            b.click_css("[data-testid=\"category-item\"][data-id=\"schlagloch\"]")
                .await;
            b.wait_id("question-table", Duration::from_secs(10)).await;
            screenshots(&b, "categories").await;
        }
        violations.extend(
            b.serious_accessibility_violations(&format!("configuration: {section}"))
                .await,
        );
    }

    assert_clean(&b, &violations).await;
    b.close().await;
}
