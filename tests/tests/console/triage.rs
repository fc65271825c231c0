//! Triage at speed in the console (issue 21): the unanswered citizen's marker and its
//! quick filter, a saved filter applied with a click, thumbnails, a bulk assignment of
//! three cases and a bulk status change that fails for one of them (said in the UI), and
//! keyboard triage (j/k/Enter/a/u/?) that stays quiet while typing. axe-core on each
//! screen; screenshots to `docs/screenshots/console/triage-*`.

use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use serde_json::{Value, json};

use crate::helpers::{laptop, login, one_browser, screenshots, screenshots_tall, select, street_jpeg};
use augenmerk_tests::{Browser, FLENSBURG, MUERWIK, SLOW, Server, Staff};

/// The word that finds this test's reports (and only them) in the inbox.
const MARK: &str = "Triageprobe";

/// A citizen's device that uploads a photo as is and submits reports with it.
struct Device {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Device {
    async fn register(url: &str) -> Self {
        let http = reqwest::Client::new();
        let body: Value = http
            .post(format!("{url}/api/v1/devices"))
            .json(&json!({"platform": "test"}))
            .send()
            .await
            .expect("register")
            .json()
            .await
            .expect("device JSON");
        Self {
            http,
            url: url.to_owned(),
            token: body["token"].as_str().expect("token").to_owned(),
        }
    }

    /// Stores a JPEG without metadata (as the app's anonymizer leaves it); its hash.
    async fn photo(&self, jpeg: Vec<u8>) -> String {
        use sha2::Digest;
        let hash = hex::encode(sha2::Sha256::digest(&jpeg));
        let resp = self
            .http
            .put(format!("{}/api/v1/blobs/{hash}", self.url))
            .bearer_auth(&self.token)
            .body(jpeg)
            .send()
            .await
            .expect("upload");
        assert!(resp.status().is_success(), "upload: {}", resp.status());
        hash
    }

    async fn report(&self, hint: &str, photos: &[String]) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let resp = self
            .http
            .post(format!("{}/api/v1/reports", self.url))
            .bearer_auth(&self.token)
            .json(&json!({
                "id": id, "municipality": FLENSBURG, "category": "schlagloch",
                "answers": {"gefahr_akut": false, "strassenart": "gemeindestrasse"},
                "description": format!("{MARK}: Loch in der Fahrbahn"),
                "location": {"lat": MUERWIK.0, "lon": MUERWIK.1},
                "address_hint": hint, "photos": photos, "consent": true,
            }))
            .send()
            .await
            .expect("report");
        assert!(resp.status().is_success(), "report: {}", resp.status());
        id
    }

    async fn write(&self, id: &str, body: &str) {
        let resp = self
            .http
            .post(format!("{}/api/v1/reports/{id}/messages", self.url))
            .bearer_auth(&self.token)
            .json(&json!({"body": body}))
            .send()
            .await
            .expect("message");
        assert!(resp.status().is_success(), "message: {}", resp.status());
    }
}

/// Presses a key where the focus is, as a person would.
async fn press(b: &Browser, key: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    b.client.perform_actions(keys).await.expect("press a key");
    tokio::time::sleep(Duration::from_millis(150)).await;
}

/// Takes the focus out of any field (to the page's body).
async fn blur(b: &Browser) {
    b.client
        .execute("if (document.activeElement) { document.activeElement.blur(); }", vec![])
        .await
        .expect("blur");
}

/// The `id` (or testid) of the focused element.
async fn focused(b: &Browser) -> String {
    b.client
        .execute(
            "const e = document.activeElement; return (e && (e.id || e.dataset.testid)) || '';",
            vec![],
        )
        .await
        .expect("focused element")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The ids of the inbox's rows, in order.
async fn rows(b: &Browser) -> Vec<String> {
    let v = b
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=inbox-row]')].map(r => r.dataset.id);",
            vec![],
        )
        .await
        .expect("rows");
    serde_json::from_value(v).unwrap_or_default()
}

/// Waits until the inbox shows `n` reports in all.
async fn total(b: &Browser, n: usize) {
    b.wait_attr(&Browser::id("inbox-total"), "data-total", &n.to_string(), SLOW)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dispatcher_triages_by_filters_selection_and_keyboard() {
    let _turn = one_browser().await;
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-console-triage-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let device = Device::register(&server.url).await;
    let photo = device.photo(street_jpeg()).await;
    let with_photo = device.report("Mürwiker Straße 12", &[photo]).await;
    let asking = device.report("Fördestraße 3", &[]).await;
    let third = device.report("Osterallee 40", &[]).await;
    let ours = [with_photo.clone(), asking.clone(), third.clone()];
    device.write(&asking, "Wann wird das repariert?").await;
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    // One is overdue: due yesterday.
    dispatcher
        .patch(
            &format!("/api/v1/staff/reports/{third}"),
            json!({"due_at": (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339()}),
        )
        .await;
    let users = Staff::login(&server.url, "admin")
        .await
        .get("/api/v1/staff/config/users")
        .await;
    let field_id = users
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == "field")
        .and_then(|u| u["id"].as_str())
        .expect("the field worker")
        .to_owned();

    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();
    login(&b, &server.url, "dispatcher").await;
    b.wait_id("inbox-table", SLOW).await;
    b.type_into("filter-q", MARK).await;
    b.click_id("filter-search").await;
    total(&b, 3).await;

    // Markers: the waiting citizen and the overdue case say so in words; the photo shows.
    let row = |id: &str| format!("[data-testid=\"inbox-row\"][data-id=\"{id}\"]");
    b.wait_css(&format!("{} [data-testid=\"awaiting-badge\"]", row(&asking)), SLOW)
        .await;
    b.wait_css(&format!("{} [data-testid=\"overdue-badge\"]", row(&third)), SLOW)
        .await;
    b.wait_css(&format!("{} [data-testid=\"inbox-thumb\"] img", row(&with_photo)), SLOW)
        .await;

    // The quick filter "awaiting reply", saved under a name and applied again.
    b.click_id("filter-awaiting-reply").await;
    total(&b, 1).await;
    assert_eq!(rows(&b).await, vec![asking.clone()]);
    b.click_id("saved-filter-new").await;
    b.type_into("saved-filter-name", "Rückfragen").await;
    b.click_id("saved-filter-save").await;
    let saved = "[data-testid=\"saved-filter\"][data-name=\"Rückfragen\"]";
    b.wait_css(saved, SLOW).await;
    b.click_id("filter-awaiting-reply").await;
    total(&b, 3).await;
    b.click_css(&format!("{saved} [data-testid=\"saved-filter-apply\"]"))
        .await;
    total(&b, 1).await;
    b.wait_attr(&Browser::id("filter-awaiting-reply"), "aria-pressed", "true", SLOW)
        .await;
    violations.extend(b.serious_accessibility_violations("console: triage filters").await);
    screenshots(&b, "triage-saved-filter").await;
    b.click_id("filter-awaiting-reply").await;
    total(&b, 3).await;

    // Bulk: all three to the field worker.
    b.click_id("inbox-select-all").await;
    b.wait_attr(&Browser::id("bulk-count"), "role", "status", SLOW).await;
    select(&b, "bulk-assignee", &field_id).await;
    b.click_id("bulk-apply").await;
    b.wait_attr(&Browser::id("bulk-outcome"), "data-failed", "0", SLOW)
        .await;
    for id in &ours {
        let detail = dispatcher.get(&format!("/api/v1/staff/reports/{id}")).await;
        assert_eq!(detail["report"]["assignee"], field_id.as_str(), "{id}");
        let assigned = detail["audit"]
            .as_array()
            .expect("audit")
            .iter()
            .filter(|e| e["action"]["type"] == "assigned" && e["actor"]["kind"] == "staff")
            .count();
        assert_eq!(assigned, 1, "one audit entry per case: {detail}");
    }
    violations.extend(b.serious_accessibility_violations("console: bulk assigned").await);
    screenshots_tall(&b, "triage-bulk-assigned", 1400).await;

    // A status change that one case cannot make: the UI names it, it stays selected.
    dispatcher
        .post(
            &format!("/api/v1/staff/reports/{third}/transition"),
            json!({"to": "rejected", "public_comment": "Privatgrund."}),
        )
        .await;
    b.click_id("bulk-outcome-close").await;
    b.click_id("filter-reset").await;
    b.type_into("filter-q", MARK).await;
    b.click_id("filter-search").await;
    b.click_id("tab-all").await;
    total(&b, 3).await;
    b.click_id("inbox-select-all").await;
    select(&b, "bulk-kind", "status").await;
    select(&b, "bulk-status", "in_progress").await;
    b.type_into("bulk-comment", "Wir sind dran.").await;
    b.click_id("bulk-apply").await;
    b.wait_attr(&Browser::id("bulk-outcome"), "data-failed", "1", SLOW)
        .await;
    b.wait_css(&format!("[data-testid=\"bulk-failure\"][data-id=\"{third}\"]"), SLOW)
        .await;
    b.wait_text(&Browser::id("bulk-count"), "Eine Meldung", SLOW).await;
    violations.extend(b.serious_accessibility_violations("console: bulk partly failed").await);
    screenshots_tall(&b, "triage-bulk-partial", 1100).await;
    b.click_id("bulk-clear").await;

    // Keyboard: nothing fires while typing; j/k move, Enter opens, j on the case steps,
    // a goes to the assignee, u returns, ? lists the shortcuts.
    let order = rows(&b).await;
    assert_eq!(order.len(), 3);
    b.by_id("filter-q").await.click().await.expect("focus the search");
    press(&b, 'j').await;
    assert!(
        !crate::helpers::exists(&b, ".inbox-row--cursor").await,
        "j typed into the search moves nothing"
    );
    blur(&b).await;
    press(&b, 'j').await;
    press(&b, 'j').await;
    press(&b, 'k').await;
    b.wait_css(&format!("{}.inbox-row--cursor", row(&order[0])), SLOW).await;
    assert_eq!(focused(&b).await, "inbox-open");
    press(&b, '\u{e007}').await;
    b.wait_css(&format!("[data-testid=\"case\"][data-id=\"{}\"]", order[0]), SLOW)
        .await;
    blur(&b).await;
    press(&b, 'j').await;
    b.wait_css(&format!("[data-testid=\"case\"][data-id=\"{}\"]", order[1]), SLOW)
        .await;
    b.wait_id("case-handling-form", SLOW).await;
    blur(&b).await;
    press(&b, 'a').await;
    assert_eq!(focused(&b).await, "case-assignee");
    blur(&b).await;
    press(&b, 'u').await;
    b.wait_id("inbox-table", SLOW).await;
    press(&b, '?').await;
    b.wait_css("[data-testid=\"shortcut-list\"]:not([hidden])", SLOW).await;
    b.wait_attr(&Browser::id("shortcut-help-toggle"), "aria-expanded", "true", SLOW)
        .await;
    violations.extend(b.serious_accessibility_violations("console: shortcuts").await);
    screenshots_tall(&b, "triage-shortcuts", 1300).await;
    // In the inbox, a selects the row and takes the focus to the bulk bar's person.
    press(&b, '?').await;
    blur(&b).await;
    press(&b, 'j').await;
    press(&b, 'a').await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(focused(&b).await, "bulk-assignee");
    b.wait_text(&Browser::id("bulk-count"), "Eine Meldung", SLOW).await;

    assert!(violations.is_empty(), "axe: {violations:#?}");
    b.close().await;
}
