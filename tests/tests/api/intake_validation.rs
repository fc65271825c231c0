//! Intake checks a report against the category's questions and the field rules, answers
//! 422 with the problems, and stores nothing of a refused report.

use serde_json::{Value, json};

use crate::helpers::{Device, FLENSBURG, MUERWIK, Reply, Staff, TestApp, id_of, pothole, report, spawn_app};

/// Submits a report that must be refused and checks that nothing of it was stored.
async fn refused(report: Value) -> Reply {
    let app = spawn_app().await;
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let before = app.inbox_total(&staff).await;
    let reply = app.submit(&device, &report).await;
    assert_nothing_stored(&app, &device, &staff, &id_of(&report), before).await;
    reply
}

/// No report with this id, nothing new in the inbox, nothing in the device's feed.
pub async fn assert_nothing_stored(app: &TestApp, device: &Device, staff: &Staff, id: &str, inbox_before: u64) {
    assert_eq!(app.inbox_total(staff).await, inbox_before, "the inbox must not grow");
    app.get(&format!("/api/v1/reports/{id}"), Some(&device.token))
        .await
        .expect_error(404, "not_found");
    app.get(&format!("/api/v1/staff/reports/{id}"), Some(&staff.token))
        .await
        .expect_error(404, "not_found");
    assert_eq!(
        app.get("/api/v1/reports", Some(&device.token)).await.expect(200),
        json!([])
    );
    let feed = app.get("/api/v1/sync", Some(&device.token)).await.expect(200);
    assert_eq!(feed["changes"], json!([]), "no feed entries: {feed}");
}

fn pothole_with(answers: Value) -> Value {
    report("schlagloch", answers, MUERWIK)
}

#[tokio::test]
async fn missing_required_inherited_question_is_422_and_names_answers_gefahr_akut() {
    // `gefahr_akut` is asked by the parent category `strasse`, so `schlagloch` inherits it.
    let reply = refused(pothole_with(json!({"groesse": "gt50"}))).await;
    let body = reply.expect_field_error("answers.gefahr_akut", "required");
    assert_eq!(body["details"].as_array().map(Vec::len), Some(1), "{body}");
}

#[tokio::test]
async fn answer_of_the_wrong_type_is_422_wrong_type() {
    let reply = refused(pothole_with(json!({"gefahr_akut": "ja"}))).await;
    reply.expect_field_error("answers.gefahr_akut", "wrong_type");
}

#[tokio::test]
async fn integer_question_answered_with_text_is_422_wrong_type() {
    let reply = refused(pothole_with(json!({"gefahr_akut": false, "anzahl": "drei"}))).await;
    reply.expect_field_error("answers.anzahl", "wrong_type");
}

#[tokio::test]
async fn select_value_that_is_not_an_option_is_422_not_an_option() {
    let reply = refused(pothole_with(json!({"gefahr_akut": false, "groesse": "riesig"}))).await;
    reply.expect_field_error("answers.groesse", "not_an_option");
}

#[tokio::test]
async fn answer_to_an_unknown_question_is_422_unknown_question() {
    let reply = refused(pothole_with(json!({"gefahr_akut": false, "farbe": "rot"}))).await;
    reply.expect_field_error("answers.farbe", "unknown_question");
}

#[tokio::test]
async fn unknown_category_is_422_unknown_category() {
    let reply = refused(report("raumschiff", json!({}), MUERWIK)).await;
    let body = reply.expect_error(422, "unknown_category");
    assert_eq!(body["context"]["category"], "raumschiff");
}

#[tokio::test]
async fn non_leaf_category_is_422_not_a_leaf() {
    let reply = refused(report("strasse", json!({"gefahr_akut": false}), MUERWIK)).await;
    reply.expect_field_error("category", "not_a_leaf");
}

#[tokio::test]
async fn description_over_4000_characters_is_422_too_long() {
    let mut r = pothole();
    // Characters, not bytes: 4,001 umlauts are 8,002 bytes.
    r["description"] = json!("ä".repeat(4_001));
    refused(r).await.expect_field_error("description", "too_long");
}

#[tokio::test]
async fn description_of_exactly_4000_characters_is_accepted() {
    let app = spawn_app().await;
    let device = app.device().await;
    let mut r = pothole();
    r["description"] = json!("ä".repeat(4_000));
    let stored = app.submit_ok(&device, &r).await;
    assert_eq!(stored["description"].as_str().map(|d| d.chars().count()), Some(4_000));
}

#[tokio::test]
async fn latitude_out_of_range_is_422_out_of_range() {
    let mut r = pothole();
    r["location"] = json!({"lat": 91.0, "lon": 9.43});
    refused(r).await.expect_field_error("location.lat", "out_of_range");
}

#[tokio::test]
async fn longitude_out_of_range_is_422_out_of_range() {
    let mut r = pothole();
    r["location"] = json!({"lat": 54.78, "lon": -180.5});
    refused(r).await.expect_field_error("location.lon", "out_of_range");
}

#[tokio::test]
async fn report_without_consent_is_422_consent_required() {
    let mut r = pothole();
    r["consent"] = json!(false);
    refused(r).await.expect_field_error("consent", "required");
}

#[tokio::test]
async fn invalid_contact_email_is_422_invalid_email() {
    let mut r = pothole();
    r["contact_email"] = json!("buerger at example.org");
    refused(r).await.expect_field_error("contact_email", "invalid_email");
}

#[tokio::test]
async fn unknown_photo_hash_is_422_unknown_blob() {
    let hash = "ab".repeat(32);
    let mut r = pothole();
    r["photos"] = json!([hash]);
    let body = refused(r).await.expect_error(422, "unknown_blob");
    assert_eq!(body["context"]["missing"], json!([hash]), "{body}");
}

#[tokio::test]
async fn all_problems_of_a_report_are_listed_at_once() {
    let mut r = pothole_with(json!({"groesse": "riesig"}));
    r["consent"] = json!(false);
    r["contact_email"] = json!("kein-at-zeichen");
    let body = refused(r).await.expect(422);
    for (field, problem) in [
        ("answers.gefahr_akut", "required"),
        ("answers.groesse", "not_an_option"),
        ("consent", "required"),
        ("contact_email", "invalid_email"),
    ] {
        assert!(
            crate::helpers::has_detail(&body, field, problem),
            "{field}/{problem} missing: {body}"
        );
    }
}

#[tokio::test]
async fn creation_time_more_than_a_day_in_the_future_is_422() {
    let mut r = pothole();
    r["created_at"] = json!("2999-01-01T00:00:00Z");
    refused(r).await.expect_field_error("created_at", "in_the_future");
}

#[tokio::test]
async fn the_same_photo_twice_in_one_report_is_422_duplicate() {
    let hash = "cd".repeat(32);
    let mut r = pothole();
    r["photos"] = json!([hash, hash]);
    refused(r).await.expect_field_error("photos", "duplicate");
}

#[tokio::test]
async fn more_than_ten_photos_is_422_too_many() {
    let mut r = pothole();
    r["photos"] = json!((0..11).map(|i| format!("{i:064x}")).collect::<Vec<_>>());
    refused(r).await.expect_field_error("photos", "too_many");
}

#[tokio::test]
async fn address_hint_over_300_characters_is_422_too_long() {
    let mut r = pothole();
    r["address_hint"] = json!("vor Hausnummer 12, ".repeat(20));
    refused(r).await.expect_field_error("address_hint", "too_long");
}

#[tokio::test]
async fn photo_address_that_is_no_sha256_is_400_malformed_request() {
    let mut r = pothole();
    r["photos"] = json!(["nicht-hex"]);
    refused(r).await.expect_error(400, "malformed_request");
}
