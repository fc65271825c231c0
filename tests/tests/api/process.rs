//! The process as a state machine over HTTP: every legal transition, the ones that need
//! extra facts, and illegal ones (409 with the allowed targets, report unchanged).

use serde_json::{Value, json};

use crate::helpers::{
    FLENSBURG, KIEL, KIEL_RATHAUS, Staff, Submitted, TestApp, id_of, png, pothole, report, sha256_hex, spawn_app,
};

const ALL: [&str; 8] = [
    "received",
    "assigned",
    "in_progress",
    "resolved",
    "rejected",
    "forwarded",
    "duplicate",
    "closed",
];

/// A server whose Flensburg rules assign nobody, a dispatcher, and a new report in `received`.
async fn received_report() -> (TestApp, Staff, String) {
    let app = spawn_app().await;
    app.rules_that_assign_nobody().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let id = new_report(&app).await;
    (app, staff, id)
}

async fn new_report(app: &TestApp) -> String {
    let device = app.device().await;
    let r = pothole();
    assert_eq!(app.submit_ok(&device, &r).await["status"], "received");
    id_of(&r)
}

async fn move_to(app: &TestApp, staff: &Staff, id: &str, to: &str) -> Value {
    let report = app.transition(staff, id, &json!({"to": to})).await.expect(200);
    assert_eq!(report["status"], to);
    report
}

/// Asks for an illegal step and checks the 409, its allowed list, and that nothing changed.
async fn assert_illegal(app: &TestApp, staff: &Staff, id: &str, to: &str, allowed: &[&str]) {
    let before = app.detail(staff, id).await;
    let body = app
        .transition(staff, id, &json!({"to": to, "public_comment": "sollte nicht gehen"}))
        .await
        .expect_error(409, "illegal_transition");
    assert_eq!(body["context"]["allowed"], json!(allowed), "{body}");
    assert_eq!(body["context"]["to"], to);
    let after = app.detail(staff, id).await;
    assert_eq!(after["report"], before["report"], "the report is unchanged");
    assert_eq!(after["audit"], before["audit"], "nothing was audited");
}

#[tokio::test]
async fn walk_received_assigned_in_progress_resolved_reopen_resolved_closed() {
    let (app, staff, id) = received_report().await;
    for to in [
        "assigned",
        "in_progress",
        "resolved",
        "in_progress",
        "resolved",
        "closed",
    ] {
        move_to(&app, &staff, &id, to).await;
    }
    let detail = app.detail(&staff, &id).await;
    let steps: Vec<(String, String)> = detail["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter(|e| e["action"]["type"] == "status_changed")
        .map(|e| {
            (
                e["action"]["from"].as_str().unwrap().to_owned(),
                e["action"]["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("received", "assigned"),
        ("assigned", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
    ];
    assert_eq!(steps, expected.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec());
}

#[tokio::test]
async fn rejected_then_closed() {
    let (app, staff, id) = received_report().await;
    move_to(&app, &staff, &id, "rejected").await;
    assert_illegal(&app, &staff, &id, "in_progress", &["closed"]).await;
    move_to(&app, &staff, &id, "closed").await;
}

#[tokio::test]
async fn forwarded_needs_a_known_authority_then_closes() {
    let (app, staff, id) = received_report().await;
    let before = app.detail(&staff, &id).await;
    app.transition(&staff, &id, &json!({"to": "forwarded"}))
        .await
        .expect_field_error("forward_to", "required");
    app.transition(&staff, &id, &json!({"to": "forwarded", "forward_to": "mars"}))
        .await
        .expect_field_error("forward_to", "unknown_authority");
    assert_eq!(app.detail(&staff, &id).await["report"], before["report"]);

    let report = app
        .transition(
            &staff,
            &id,
            &json!({"to": "forwarded", "forward_to": "kreis", "public_comment": "Zuständig ist der Kreis."}),
        )
        .await
        .expect(200);
    assert_eq!(report["status"], "forwarded");
    assert_eq!(report["forwarded_to"], "kreis");
    let audit = app.detail(&staff, &id).await["audit"].clone();
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"]["type"] == "forwarded_to" && e["action"]["authority"] == "kreis"),
        "{audit}"
    );
    assert_illegal(&app, &staff, &id, "resolved", &["closed"]).await;
    move_to(&app, &staff, &id, "closed").await;
}

#[tokio::test]
async fn duplicate_needs_an_original_of_the_same_municipality_then_closes() {
    let (app, staff, id) = received_report().await;
    let original = new_report(&app).await;
    let device = app.device().await;
    let kiel_report = report("schlagloch", json!({"gefahr_akut": false}), KIEL_RATHAUS);
    assert_eq!(app.submit_ok(&device, &kiel_report).await["municipality"], KIEL);

    app.transition(&staff, &id, &json!({"to": "duplicate"}))
        .await
        .expect_field_error("duplicate_of", "required");
    app.transition(&staff, &id, &json!({"to": "duplicate", "duplicate_of": id}))
        .await
        .expect_field_error("duplicate_of", "self");
    app.transition(
        &staff,
        &id,
        &json!({"to": "duplicate", "duplicate_of": id_of(&kiel_report)}),
    )
    .await
    .expect_field_error("duplicate_of", "unknown_report");
    app.transition(
        &staff,
        &id,
        &json!({"to": "duplicate", "duplicate_of": uuid::Uuid::new_v4()}),
    )
    .await
    .expect_field_error("duplicate_of", "unknown_report");
    assert_eq!(app.detail(&staff, &id).await["report"]["status"], "received");

    let report = app
        .transition(&staff, &id, &json!({"to": "duplicate", "duplicate_of": original}))
        .await
        .expect(200);
    assert_eq!(report["status"], "duplicate");
    assert_eq!(report["duplicate_of"], original.as_str());
    move_to(&app, &staff, &id, "closed").await;
}

#[tokio::test]
async fn closed_reports_cannot_move_anywhere() {
    let (app, staff, id) = received_report().await;
    move_to(&app, &staff, &id, "resolved").await;
    move_to(&app, &staff, &id, "closed").await;
    for to in ALL {
        assert_illegal(&app, &staff, &id, to, &[]).await;
    }
}

#[tokio::test]
async fn illegal_transitions_are_409_with_the_allowed_targets() {
    let (app, staff, id) = received_report().await;
    let from_received = [
        "assigned",
        "in_progress",
        "resolved",
        "rejected",
        "forwarded",
        "duplicate",
    ];
    assert_illegal(&app, &staff, &id, "closed", &from_received).await;
    assert_illegal(&app, &staff, &id, "received", &from_received).await;
    move_to(&app, &staff, &id, "in_progress").await;
    assert_illegal(
        &app,
        &staff,
        &id,
        "assigned",
        &["resolved", "rejected", "forwarded", "duplicate"],
    )
    .await;
    move_to(&app, &staff, &id, "resolved").await;
    for to in ["rejected", "forwarded", "duplicate", "assigned", "received", "resolved"] {
        assert_illegal(&app, &staff, &id, to, &["closed", "in_progress"]).await;
    }
}

#[tokio::test]
async fn expected_status_mismatch_is_409_conflict_and_changes_nothing() {
    let (app, staff, id) = received_report().await;
    let before = app.detail(&staff, &id).await;
    let body = app
        .transition(
            &staff,
            &id,
            &json!({"to": "in_progress", "expected_status": "assigned"}),
        )
        .await
        .expect_error(409, "conflict");
    assert_eq!(body["context"]["status"], "received", "{body}");
    let after = app.detail(&staff, &id).await;
    assert_eq!(after["report"], before["report"]);
    assert_eq!(after["audit"], before["audit"]);
    // With the right expectation the same step goes through.
    let report = app
        .transition(
            &staff,
            &id,
            &json!({"to": "in_progress", "expected_status": "received"}),
        )
        .await
        .expect(200);
    assert_eq!(report["status"], "in_progress");
}

#[tokio::test]
async fn unknown_status_in_a_transition_is_400_malformed_request() {
    let (app, staff, id) = received_report().await;
    app.transition(&staff, &id, &json!({"to": "erledigt"}))
        .await
        .expect_error(400, "malformed_request");
}

#[tokio::test]
async fn reroute_of_a_closed_report_is_409() {
    let (app, staff, id) = received_report().await;
    move_to(&app, &staff, &id, "rejected").await;
    app.patch(
        &format!("/api/v1/staff/reports/{id}"),
        Some(&staff.token),
        &json!({"reroute": true}),
    )
    .await
    .expect_error(409, "illegal_transition");
}

#[tokio::test]
async fn a_repeated_transition_with_the_same_key_is_applied_once() {
    let (app, staff, id) = received_report().await;
    let key = uuid::Uuid::new_v4().to_string();
    let body = json!({"to": "in_progress", "id": key, "expected_status": "received"});
    let first = app.transition(&staff, &id, &body).await.expect(200);
    assert_eq!(first["status"], "in_progress");
    // The answer was lost on the way; the client sends the same request again.
    let again = app.transition(&staff, &id, &body).await.expect(200);
    assert_eq!(again["status"], "in_progress");
    assert_eq!(
        again["updated_at"], first["updated_at"],
        "nothing changed the second time"
    );
    let detail = app.detail(&staff, &id).await;
    let moves = detail["audit"]
        .as_array()
        .map(|a| a.iter().filter(|e| e["action"]["to"] == "in_progress").count());
    assert_eq!(moves, Some(1));
    // A new key with a stale expectation is a conflict, as before.
    let stale = json!({"to": "in_progress", "id": uuid::Uuid::new_v4(), "expected_status": "received"});
    app.transition(&staff, &id, &stale).await.expect_error(409, "conflict");
}

#[tokio::test]
async fn a_completion_photo_travels_with_the_transition_to_the_citizen() {
    let app = spawn_app().await;
    app.rules_that_assign_nobody().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let Submitted { device, id, .. } = app.submitted_pothole().await;
    let photo = png(64, 48);
    let hash = sha256_hex(&photo);

    // Not uploaded yet: refused like a report with a missing photo, nothing changes.
    let body = json!({"to": "resolved", "public_comment": "Erledigt.", "photos": [hash]});
    app.transition(&staff, &id, &body)
        .await
        .expect_error(422, "unknown_blob");
    assert_eq!(app.detail(&staff, &id).await["report"]["status"], "received");

    assert!(app.put_blob(&staff.token, &hash, photo).await.status.is_success());
    app.transition(&staff, &id, &body).await.expect(200);

    let seen = app.citizen_view(&device, &id).await;
    let last = seen["history"]
        .as_array()
        .and_then(|h| h.last())
        .cloned()
        .expect("history");
    assert_eq!(last["to"], "resolved");
    assert_eq!(last["photos"], json!([hash]));
    let download = app.get(&format!("/api/v1/blobs/{hash}"), Some(&device.token)).await;
    assert_eq!(
        download.status.as_u16(),
        200,
        "the citizen may see the completion photo"
    );
    let other = app.device().await;
    let denied = app.get(&format!("/api/v1/blobs/{hash}"), Some(&other.token)).await;
    assert_eq!(denied.status.as_u16(), 404, "another device may not");
}
