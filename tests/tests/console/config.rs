//! The admin's configuration driven end to end (not only rendered), in two stories with a
//! server each (a failure in one does not hide the other): a new department is
//! offered for assignment; a reply template with a placeholder is used on a case and the
//! citizen receives the expanded text; a GeoJSON area is imported and a rule on it picks a
//! report inside it in the dry run; a question is edited and a category deactivated (the
//! citizen's configuration follows; deleting a category in use is refused); the accent
//! colour reaches the citizen's page; the console in English. axe-core on every new
//! screen; screenshots to `docs/screenshots/console/`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{
    exists, laptop, login, one_browser, open_case, open_map, page_errors, screenshots, screenshots_tall, section,
    select,
};
use augenmerk_tests::citizen::Citizen;
use augenmerk_tests::{Browser, FLENSBURG, MUERWIK, SLOW, Server, Staff};

/// The accent colour the admin sets (dark enough for white text).
const ACCENT: &str = "#1d5c4b";
const ACCENT_RGB: [&str; 2] = ["rgb(29, 92, 75)", "rgba(29, 92, 75, 1)"];
const TEMPLATE: &str = "Ihre Meldung {{nummer}} ({{kategorie}}) ist bei uns eingegangen und wird bearbeitet.";
const LABEL: &str = "Wie groß ist das Schlagloch etwa?";
/// The imported area's name carries markup (regression, issue 25 finding 8: an area name
/// reached Leaflet's tooltip as HTML); everywhere it must show as the text it is.
const AREA: &str =
    "Testgebiet Mürwik <a href=\"https://example.org/\" data-injected=\"1\">Link</a><b data-injected=\"1\">fett</b>";

/// A square of about 1.1 km around Mürwik, as a GeoJSON FeatureCollection.
fn area_geojson() -> String {
    let (lat, lon) = MUERWIK;
    let (d_lat, d_lon) = (0.005, 0.008);
    let ring = json!([
        [lon - d_lon, lat - d_lat],
        [lon + d_lon, lat - d_lat],
        [lon + d_lon, lat + d_lat],
        [lon - d_lon, lat + d_lat],
        [lon - d_lon, lat - d_lat]
    ]);
    json!({"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "properties": {"name": AREA},
        "geometry": {"type": "Polygon", "coordinates": [ring]}
    }]})
    .to_string()
}

/// The category `id` anywhere in a tree's JSON.
fn find_category<'a>(cats: &'a Value, id: &str) -> Option<&'a Value> {
    cats.as_array()?.iter().find_map(|c| {
        if c["id"] == id {
            Some(c)
        } else {
            find_category(&c["subcategories"], id)
        }
    })
}

async fn citizen_config(url: &str) -> Value {
    reqwest::get(format!("{url}/api/v1/municipalities/{FLENSBURG}/config"))
        .await
        .expect("config")
        .json()
        .await
        .expect("config JSON")
}

/// Waits for the success notice of a configuration form, then lets it go again.
async fn saved(b: &Browser) {
    b.wait_id("console-notice", SLOW).await;
}

/// What both stories start from: the demo with two citizens' reports, the admin on the
/// API, and the admin logged in to the console's configuration.
struct Start {
    server: Server,
    citizen: Citizen,
    /// A pothole in Mürwik.
    pothole: String,
    /// A report on the category that is deactivated later: it keeps its category.
    dumping: String,
    admin_api: Staff,
    b: Browser,
    _dir: tempfile::TempDir,
}

async fn start() -> Start {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-console-config-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let citizen = Citizen::register(&server.url).await;
    let pothole = citizen
        .report(
            "schlagloch",
            json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
            "Schlagloch in der Einfahrt zum Parkplatz.",
            MUERWIK,
            "Mürwiker Straße 110",
            &[],
        )
        .await;
    // A report on the category that is deactivated later: it keeps its category.
    let dumping = citizen
        .report(
            "ablagerung",
            json!({"gefaehrlich": false, "menge": "mittel"}),
            "Alte Reifen am Straßenrand.",
            (54.7766, 9.4120),
            "Marienhölzungsweg",
            &[],
        )
        .await;
    let admin_api = Staff::login(&server.url, "admin").await;

    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    login(&b, &server.url, "admin").await;
    b.click_id("nav-config").await;
    b.wait_css("[data-testid=\"rule-item\"]", SLOW).await;

    Start {
        server,
        citizen,
        pothole,
        dumping,
        admin_api,
        b,
        _dir: dir,
    }
}

/// The page logged no errors and axe-core found nothing serious; the browser is closed.
async fn finish(b: Browser, violations: &[String]) {
    let errors = page_errors(&b).await;
    assert!(errors.is_empty(), "the page logged errors: {errors:?}");
    b.close().await;
    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_adds_a_department_a_template_an_area_and_a_rule_on_it() {
    let _one = one_browser().await;
    let Start {
        server,
        citizen,
        pothole,
        admin_api,
        b,
        // Bound, not left to `..`: an unbound field is dropped at the end of this
        // statement, and the temporary directory (the server's data) with it.
        _dir,
        ..
    } = start().await;
    let mut violations = Vec::new();

    // --- A department, then offered for assignment on a case. ---
    section(&b, "departments").await;
    b.type_into("dept-id", "bauhof-nord").await;
    b.type_into("dept-name", "Bauhof Nord").await;
    b.type_into("dept-email", "bauhof-nord@flensburg.example").await;
    b.click_id("dept-save").await;
    b.wait_text(&Browser::id("department-table"), "Bauhof Nord", SLOW).await;
    violations.extend(b.serious_accessibility_violations("configuration: departments").await);
    screenshots(&b, "config-departments").await;

    // --- A reply template with placeholders. ---
    section(&b, "templates").await;
    b.type_into("tpl-id", "eingang-nummer").await;
    b.type_into("tpl-name", "Eingang mit Nummer").await;
    b.type_into("tpl-body", TEMPLATE).await;
    b.click_id("tpl-save").await;
    b.wait_text(&Browser::id("template-list"), "Eingang mit Nummer", SLOW)
        .await;
    violations.extend(b.serious_accessibility_violations("configuration: templates").await);
    screenshots(&b, "config-templates").await;

    // On the case: the new department is offered and taken, the template fills the
    // message in with the report's values, and the citizen receives that text.
    open_case(&b, &server.url, &pothole).await;
    select(&b, "case-department", "bauhof-nord").await;
    b.click_id("case-handling-submit").await;
    b.wait_text(&Browser::id("case-audit"), "Bauhof Nord", SLOW).await;
    let detail = admin_api.get(&format!("/api/v1/staff/reports/{pothole}")).await;
    assert_eq!(detail["report"]["department"], "bauhof-nord", "{detail}");
    select(&b, "case-template", "eingang-nummer").await;
    let short = &pothole[..8];
    let filled = b
        .by_id("case-message-body")
        .await
        .prop("value")
        .await
        .expect("message text")
        .unwrap_or_default();
    assert!(
        filled.contains(short) && filled.contains("Schlagloch") && !filled.contains("{{"),
        "the template is filled in with the report's number and category: {filled:?}"
    );
    b.click_id("case-message-send").await;
    b.wait_text(&Browser::id("case-message"), short, SLOW).await;
    let view = citizen.view(&pothole).await;
    let text = view.to_string();
    assert!(
        text.contains(&format!("Ihre Meldung {short} (")) && !text.contains("{{"),
        "the citizen receives the expanded text: {view}"
    );

    // --- A GeoJSON area, and a rule on it that the dry run picks for a report inside. ---
    b.click_id("nav-config").await;
    b.wait_css("[data-testid=\"rule-item\"]", SLOW).await;
    section(&b, "areas").await;
    b.type_into("areas-geojson", &area_geojson()).await;
    b.click_id("areas-import").await;
    b.wait_text(&Browser::id("area-table"), "Testgebiet Mürwik", SLOW).await;
    violations.extend(b.serious_accessibility_violations("configuration: areas").await);
    screenshots(&b, "config-areas").await;
    area_name_is_text_on_the_map(&b).await;
    b.click_id("nav-config").await;
    b.wait_css("[data-testid=\"rule-item\"]", SLOW).await;
    let areas = admin_api.get("/api/v1/staff/config/areas").await;
    let area_id = areas
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == AREA))
        .and_then(|x| x["id"].as_str())
        .expect("the imported area")
        .to_owned();

    section(&b, "rules").await;
    b.wait_css("[data-testid=\"rule-item\"]", SLOW).await;
    b.click_id("rule-add").await;
    b.type_into("rule-name", "Testgebiet Mürwik → Bauhof Nord").await;
    let rule_id = b
        .by_id("rule-id")
        .await
        .prop("value")
        .await
        .expect("rule id")
        .unwrap_or_default();
    select(&b, "cond-type", "area").await;
    select(&b, "cond-area", &area_id).await;
    b.click_id("cond-add").await;
    b.wait_css("[data-testid=\"rule-condition\"]", Duration::from_secs(5))
        .await;
    select(&b, "action-department", "bauhof-nord").await;
    b.click_css("label[for=\"dry-report\"]").await;
    select(&b, "dry-report-id", &pothole).await;
    b.click_id("dry-run-submit").await;
    b.wait_attr(&Browser::id("dry-run-result"), "data-matched", &rule_id, SLOW)
        .await;
    b.click_id("rules-save").await;
    saved(&b).await;
    let rules = admin_api.get("/api/v1/staff/config/rules").await;
    assert_eq!(rules[0]["id"], rule_id.as_str(), "{rules}");
    finish(b, &violations).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_edits_categories_and_the_appearance_and_citizens_see_it() {
    let _one = one_browser().await;
    let Start {
        server,
        pothole,
        dumping,
        admin_api,
        b,
        // Bound, not left to `..`: an unbound field is dropped at the end of this
        // statement, and the temporary directory (the server's data) with it.
        _dir,
        ..
    } = start().await;
    let mut violations = Vec::new();

    // --- Categories: a question edited and moved, a category in use deactivated. ---
    section(&b, "categories").await;
    b.click_css("[data-testid=\"category-item\"][data-id=\"schlagloch\"]")
        .await;
    b.wait_id("question-table", Duration::from_secs(10)).await;
    b.click_css("[data-testid=\"q-edit\"][data-id=\"groesse\"]").await;
    b.wait_id("q-apply", Duration::from_secs(10)).await;
    b.type_into("q-de", LABEL).await;
    b.type_into("q-en", "How large is the pothole?").await;
    violations.extend(
        b.serious_accessibility_violations("configuration: question editor")
            .await,
    );
    screenshots_tall(&b, "config-question-edit", 1500).await;
    b.click_id("q-apply").await;
    b.wait_text(&Browser::id("question-table"), LABEL, Duration::from_secs(10))
        .await;
    b.click_css("[data-testid=\"q-up\"][data-id=\"groesse\"]").await;
    b.click_id("categories-save").await;
    saved(&b).await;
    let config = citizen_config(&server.url).await;
    let questions = &find_category(&config["categories"]["categories"], "schlagloch").expect("schlagloch")["questions"];
    assert_eq!(questions[0]["id"], "groesse", "moved up: {questions}");
    assert_eq!(questions[0]["de"], LABEL, "{questions}");
    assert_eq!(questions[0]["en"], "How large is the pothole?");

    // A number question's range and unit; a range upside down is refused in the form.
    b.click_css("[data-testid=\"q-edit\"][data-id=\"anzahl\"]").await;
    b.wait_id("q-min", Duration::from_secs(10)).await;
    b.type_into("q-min", "60").await;
    b.type_into("q-max", "50").await;
    b.type_into("q-unit", "Stück").await;
    b.click_id("q-apply").await;
    b.wait_text(
        &Browser::id("error-alert"),
        "kleinste Wert ist größer",
        Duration::from_secs(10),
    )
    .await;
    violations.extend(
        b.serious_accessibility_violations("configuration: question limits")
            .await,
    );
    screenshots_tall(&b, "config-question-limits", 1500).await;
    b.type_into("q-min", "1").await;
    b.click_id("q-apply").await;
    b.wait_text(&Browser::id("question-table"), "1–50 Stück", Duration::from_secs(10))
        .await;
    b.click_id("categories-save").await;
    saved(&b).await;
    let config = citizen_config(&server.url).await;
    let questions = &find_category(&config["categories"]["categories"], "schlagloch").expect("schlagloch")["questions"];
    let count = questions
        .as_array()
        .and_then(|qs| qs.iter().find(|q| q["id"] == "anzahl"))
        .expect("the count question");
    assert_eq!(
        (&count["type"], &count["min"], &count["max"], &count["unit"]),
        (&json!("integer"), &json!(1), &json!(50), &json!("Stück")),
        "{count}"
    );

    // Deleting a category that a report is filed on is refused, with the way out.
    b.click_css("[data-testid=\"category-item\"][data-id=\"ablagerung\"]")
        .await;
    b.click_id("cat-delete").await;
    b.click_id("categories-save").await;
    b.wait_text(&Browser::id("error-alert"), "Deaktivieren Sie die Kategorie", SLOW)
        .await;
    // The section again (the tree as stored), and the category deactivated.
    section(&b, "departments").await;
    section(&b, "categories").await;
    b.click_css("[data-testid=\"category-item\"][data-id=\"ablagerung\"]")
        .await;
    b.click_css("label[for=\"cat-active\"]").await;
    b.wait_attr(
        "[data-testid=\"category-item\"][data-id=\"ablagerung\"]",
        "data-active",
        "false",
        Duration::from_secs(10),
    )
    .await;
    b.click_id("categories-save").await;
    saved(&b).await;
    violations.extend(b.serious_accessibility_violations("configuration: categories").await);
    screenshots_tall(&b, "config-categories", 1500).await;
    let config = citizen_config(&server.url).await;
    let cats = &config["categories"]["categories"];
    assert!(find_category(cats, "ablagerung").is_none(), "no longer offered");
    assert!(find_category(cats, "papierkorb").is_some(), "its siblings are");
    let detail = admin_api.get(&format!("/api/v1/staff/reports/{dumping}")).await;
    assert_eq!(detail["report"]["category"], "ablagerung", "the old report keeps it");

    // A new top-level group with a subcategory of its own reaches the citizens. An id
    // the tree already has is refused at once.
    b.type_into("top-id", "winterdienst").await;
    b.type_into("top-de", "Winterdienst 2").await;
    b.click_css(&Browser::id("top-add")).await;
    b.wait_text(&Browser::id("error-alert"), "gibt es schon", Duration::from_secs(10))
        .await;
    b.type_into("top-id", "maerkte").await;
    b.type_into("top-de", "Märkte & Feste").await;
    b.type_into("top-en", "Markets & fairs").await;
    b.click_css(&Browser::id("top-add")).await;
    // The new group is selected, so the subcategory form is its own.
    b.wait_attr(
        "[data-testid=\"category-item\"][data-id=\"maerkte\"]",
        "aria-current",
        "true",
        Duration::from_secs(10),
    )
    .await;
    b.type_into("sub-id", "marktstand").await;
    b.type_into("sub-de", "Marktstand beschädigt").await;
    b.type_into("sub-en", "Market stall damaged").await;
    b.click_css(&Browser::id("sub-add")).await;
    b.click_id("categories-save").await;
    saved(&b).await;
    let config = citizen_config(&server.url).await;
    let cats = &config["categories"]["categories"];
    let group = find_category(cats, "maerkte").expect("the new group is offered");
    assert_eq!(group["en"], "Markets & fairs");
    assert_eq!(
        find_category(&group["subcategories"], "marktstand").map(|c| c["de"].clone()),
        Some(json!("Marktstand beschädigt"))
    );

    // --- The accent colour, and publishing the citizens' own words (off by default). ---
    section(&b, "appearance").await;
    b.type_into("appearance-accent", ACCENT).await;
    assert_eq!(
        admin_api.get("/api/v1/staff/config/settings").await["publish_text"],
        json!(false),
        "nothing of a citizen's text is published unless the municipality says so"
    );
    b.click_css("label[for=\"appearance-publish-text\"]").await;
    b.click_id("appearance-save").await;
    saved(&b).await;
    assert_eq!(
        admin_api.get("/api/v1/staff/config/settings").await["publish_text"],
        json!(true)
    );
    violations.extend(b.serious_accessibility_violations("configuration: appearance").await);
    screenshots(&b, "config-appearance").await;
    let errors = page_errors(&b).await;
    assert!(errors.is_empty(), "the page logged errors: {errors:?}");

    // The citizen's page: Flensburg's new colour on the button, the edited question, and
    // the deactivated category not offered.
    b.goto(&server.url).await;
    b.wait_id("nav-report", SLOW).await;
    augenmerk_tests::steps::locate_in_flensburg(&b).await;
    let deadline = std::time::Instant::now() + SLOW;
    loop {
        let colour = b
            .by_id("submit-report")
            .await
            .css_value("background-color")
            .await
            .expect("button colour");
        if ACCENT_RGB.contains(&colour.as_str()) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the button takes the new accent colour: {colour}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    b.type_into("category-search", "Papierkorb").await;
    b.wait_css("[data-category=\"papierkorb\"]", Duration::from_secs(10))
        .await;
    b.type_into("category-search", "Müllablagerung").await;
    // The list shows the new search once the other category is gone.
    b.wait_gone("[data-category=\"papierkorb\"]", Duration::from_secs(10))
        .await;
    assert!(
        !exists(&b, "[data-category=\"ablagerung\"]").await,
        "the deactivated category is not offered to citizens"
    );
    b.type_into("category-search", "Schlagloch").await;
    b.choose("[data-category=\"schlagloch\"]").await;
    b.wait_text("body", LABEL, Duration::from_secs(10)).await;
    let count = b
        .wait_css("input[data-question=\"anzahl\"]", Duration::from_secs(10))
        .await;
    assert_eq!(
        (Browser::attr(&count, "min").await, Browser::attr(&count, "max").await),
        ("1".to_owned(), "50".to_owned()),
        "the citizen's form takes the new range"
    );

    // --- The console in English: inbox and case page. ---
    b.client
        .goto(&format!("{}/console/#/console", server.url))
        .await
        .expect("back to the console");
    b.wait_id("inbox-table", SLOW).await;
    if b.page_lang().await != "en" {
        b.click_id("lang-switch").await;
    }
    b.wait_attr("html", "lang", "en", Duration::from_secs(10)).await;
    b.wait_text("#console-main", "Inbox", Duration::from_secs(10)).await;
    b.wait_text(&Browser::id("nav-config"), "Configuration", Duration::from_secs(10))
        .await;
    b.wait_text("#console-main", "Priority", Duration::from_secs(10)).await;
    violations.extend(b.serious_accessibility_violations("inbox (English)").await);
    screenshots(&b, "inbox-en").await;
    open_case(&b, &server.url, &pothole).await;
    for text in ["Internal notes", "Messages with the reporter", "Responsibility"] {
        b.wait_text("#console-main", text, Duration::from_secs(10)).await;
    }
    violations.extend(b.serious_accessibility_violations("case (English)").await);
    screenshots_tall(&b, "case-en", 1700).await;
    finish(b, &violations).await;
}

/// The inbox map (drawn without tiles, so area names are permanent tooltips) shows the
/// imported area's name as text: no element of the name's markup exists in the page.
async fn area_name_is_text_on_the_map(b: &Browser) {
    open_map(b).await;
    // The map has a label per area (the Stadtteile too): find the imported one's.
    let find = "const l = [...document.querySelectorAll('.console-map__area-label')]
                   .find(e => e.textContent.includes('Testgebiet Mürwik'));
                return l ? l.textContent : null;";
    let deadline = std::time::Instant::now() + SLOW;
    let label = loop {
        let found = b.client.execute(find, vec![]).await.expect("read the area labels");
        if let Some(text) = found.as_str() {
            break text.to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no area label names the imported area after 20 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(
        label.contains("<a href=") && label.contains("<b "),
        "the markup shows as text: {label}"
    );
    let injected = b
        .client
        .execute("return document.querySelectorAll('[data-injected]').length;", vec![])
        .await
        .expect("count injected elements");
    assert_eq!(injected, json!(0), "no element of the area's name is rendered as HTML");
}
