//! Answers that carry tokens, personal data or exports are never cached, and no answer may
//! be sniffed as another type (issue 25, finding 10: both headers were missing).

use serde_json::json;

use crate::helpers::{FLENSBURG, Reply, SUEDERMARKT, report, spawn_app};

#[track_caller]
fn assert_private(what: &str, reply: &Reply) {
    let header = |name: &str| {
        reply
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("cache-control"), "no-store", "{what}: Cache-Control");
    assert_eq!(
        header("x-content-type-options"),
        "nosniff",
        "{what}: X-Content-Type-Options"
    );
}

#[tokio::test]
async fn api_answers_with_tokens_personal_data_or_csv_are_not_stored_by_caches() {
    let app = spawn_app().await;

    let registered = app.post("/api/v1/devices", None, &json!({})).await;
    assert_private("device registration (token)", &registered);
    let device = app.device().await;
    let mut own = report("papierkorb", json!({}), SUEDERMARKT);
    own["contact_email"] = json!("buerger@example.org");
    let submitted = app.submit(&device, &own).await;
    assert_private("report intake", &submitted);
    assert_private(
        "the citizen's reports",
        &app.get("/api/v1/reports", Some(&device.token)).await,
    );

    let login = app
        .post(
            "/api/v1/login",
            None,
            &json!({"municipality": FLENSBURG, "username": "dispatcher", "password": crate::helpers::PASSWORD}),
        )
        .await;
    assert_private("login (token)", &login);
    let token = login.expect(200)["token"].as_str().expect("token").to_owned();
    assert_private("inbox", &app.get("/api/v1/staff/reports", Some(&token)).await);
    let csv = app.get("/api/v1/staff/reports.csv", Some(&token)).await;
    assert_eq!(csv.status.as_u16(), 200, "{}", csv.text());
    assert_private("CSV export", &csv);

    // Errors too: a refused login says nothing a cache should keep.
    let refused = app
        .post(
            "/api/v1/login",
            None,
            &json!({"municipality": FLENSBURG, "username": "dispatcher", "password": "falsch-falsch-falsch"}),
        )
        .await;
    assert_private("refused login", &refused);
}

#[tokio::test]
async fn the_web_page_is_not_sniffed_either() {
    let app = spawn_app().await;
    let page = app.get("/", None).await;
    assert_eq!(
        page.headers.get("x-content-type-options").and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
}
