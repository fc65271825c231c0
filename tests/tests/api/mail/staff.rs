//! What staff receive: the department's mailbox on routing and re-assignment, the
//! assignee, the daily digest of overdue cases; and the case's mail log, with citizens'
//! addresses masked for field workers.

use std::time::{Duration, Instant};

use serde_json::json;

use super::smtp::shared;
use super::{citizen_address, number, staff_address, wait_for_delivery, with_email};
use crate::helpers::{FLENSBURG, Staff, Submitted, TestApp, id_of, pothole};

/// Gives a department of Flensburg a mailbox (through its admin).
async fn department_mailbox(app: &TestApp, id: &str, name: &str, email: &str) {
    let admin = app.login(FLENSBURG, "admin").await;
    app.put(
        &format!("/api/v1/staff/config/departments/{id}"),
        Some(&admin.token),
        &json!({"id": id, "name": name, "email": email}),
    )
    .await
    .expect(200);
}

/// Sets the caller's notification address and choices.
async fn my_mail(app: &TestApp, staff: &Staff, email: &str, digest: bool) {
    let body = app
        .put(
            "/api/v1/staff/me/mail",
            Some(&staff.token),
            &json!({"email": email, "preferences": {"assigned": true, "citizen_reply": true, "digest": digest}}),
        )
        .await
        .expect(200);
    assert_eq!(body["email"], email);
    let read = app.get("/api/v1/staff/me/mail", Some(&staff.token)).await.expect(200);
    assert_eq!(read["preferences"]["digest"], digest, "{read}");
}

#[tokio::test]
async fn the_department_mailbox_hears_of_routing_and_re_assignment_with_a_console_link() {
    let app = super::mail_app().await;
    let tiefbau = staff_address("tiefbau");
    let tbz = staff_address("tbz");
    department_mailbox(&app, "tiefbau", "Tiefbau", &tiefbau).await;
    department_mailbox(&app, "tbz", "Technisches Betriebszentrum", &tbz).await;
    let Submitted { id, .. } = app.submitted_pothole().await;

    let routed = &shared().maildir.wait_for(&tiefbau, 1).await[0];
    assert_eq!(
        routed.subject,
        format!("Neuer Fall für Tiefbau: Schlagloch / Fahrbahnschaden ({})", number(&id))
    );
    let console = format!("{}/console/#/console/cases/{id}", app.address);
    assert!(routed.text.contains(&console), "{}", routed.text);
    assert!(routed.html.contains(&console), "{}", routed.html);
    assert!(routed.list_unsubscribe.is_none(), "staff mails are no citizen mails");

    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    app.patch(
        &format!("/api/v1/staff/reports/{id}"),
        Some(&dispatcher.token),
        &json!({"department": "tbz"}),
    )
    .await
    .expect(200);
    let moved = &shared().maildir.wait_for(&tbz, 1).await[0];
    assert!(
        moved.subject.starts_with("Neuer Fall für Technisches Betriebszentrum"),
        "{}",
        moved.subject
    );
    shared()
        .maildir
        .expect_exactly(&tiefbau, 1, Duration::from_millis(300))
        .await;
}

#[tokio::test]
async fn the_assignee_gets_a_mail_and_a_field_worker_sees_the_mail_log_with_masked_citizen_addresses() {
    let app = super::mail_app().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let field = app.login(FLENSBURG, "field").await;
    let field_address = staff_address("field");
    my_mail(&app, &field, &field_address, false).await;
    let device = app.device().await;
    let citizen = citizen_address();
    let r = with_email(pothole(), &citizen, "de");
    let id = id_of(&r);
    app.submit_ok(&device, &r).await;
    app.patch(
        &format!("/api/v1/staff/reports/{id}"),
        Some(&dispatcher.token),
        &json!({"assignee": field.id}),
    )
    .await
    .expect(200);

    let assigned = &shared().maildir.wait_for(&field_address, 1).await[0];
    assert_eq!(
        assigned.subject,
        format!("Ihnen zugewiesen: Schlagloch / Fahrbahnschaden ({})", number(&id))
    );
    assert!(
        assigned.text.contains(&field.name),
        "addressed by name: {}",
        assigned.text
    );
    assert!(
        assigned
            .text
            .contains(&format!("{}/console/#/console/cases/{id}", app.address)),
        "{}",
        assigned.text
    );

    let sent = wait_for_delivery(&app, &dispatcher, &id, "receipt", "sent").await;
    assert_eq!(sent["to"], citizen.as_str(), "a dispatcher sees the address");
    assert_eq!(sent["channel"], "mail");
    assert!(
        sent["subject"].as_str().is_some_and(|s| s.contains(&number(&id))),
        "{sent}"
    );
    wait_for_delivery(&app, &dispatcher, &id, "assigned", "sent").await;

    let log = super::deliveries(&app, &field, &id).await;
    let receipt = log
        .iter()
        .find(|d| d["kind"] == "receipt")
        .expect("the receipt in the log");
    assert_eq!(receipt["to"], "b…@example.org", "masked for a field worker: {receipt}");
    let mine = log
        .iter()
        .find(|d| d["kind"] == "assigned")
        .expect("the assigned mail in the log");
    assert_eq!(mine["to"], field_address.as_str(), "staff addresses are not masked");
    assert!(!format!("{log:?}").contains(&citizen), "the citizen's address: {log:?}");
}

#[tokio::test]
async fn the_daily_digest_lists_overdue_cases_to_the_mailbox_and_members_who_want_it() {
    let app = super::mail_app().await;
    let mailbox = staff_address("tiefbau");
    department_mailbox(&app, "tiefbau", "Tiefbau", &mailbox).await;
    let field = app.login(FLENSBURG, "field").await;
    let field_address = staff_address("field-digest");
    my_mail(&app, &field, &field_address, true).await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let device = app.device().await;
    let (overdue, on_time) = (pothole(), pothole());
    app.submit_ok(&device, &overdue).await;
    app.submit_ok(&device, &on_time).await;
    app.patch(
        &format!("/api/v1/staff/reports/{}", id_of(&overdue)),
        Some(&dispatcher.token),
        &json!({"due_at": "2026-01-05T08:00:00Z"}),
    )
    .await
    .expect(200);

    make_digest_due(&app).await;

    let digest = shared().maildir.wait_for_subject(&mailbox, "überfällige Fälle").await;
    assert_eq!(digest.subject, "Tiefbau: 1 überfällige Fälle");
    let n = number(&id_of(&overdue));
    assert!(
        digest
            .text
            .contains(&format!("- {n} – Schlagloch / Fahrbahnschaden – ")),
        "{}",
        digest.text
    );
    assert!(
        digest.text.contains("fällig seit 05.01.2026 09:00"),
        "Berlin time: {}",
        digest.text
    );
    assert!(
        !digest.text.contains(&number(&id_of(&on_time))),
        "only overdue cases: {}",
        digest.text
    );
    assert!(
        digest.text.contains(&format!("{}/console/#/console", app.address)),
        "{}",
        digest.text
    );
    let theirs = shared()
        .maildir
        .wait_for_subject(&field_address, "überfällige Fälle")
        .await;
    assert_eq!(theirs.text, digest.text);
}

/// Moves the digest's schedule into the past, once the worker's first round created it
/// (a first start only schedules the digest); the worker then runs it on its next round.
async fn make_digest_due(app: &TestApp) {
    // Through the store, so that the test runs on either database.
    let deadline = Instant::now() + Duration::from_secs(10);
    let store = &app.state.store;
    while store
        .next_run("daily-digest")
        .await
        .expect("read the schedule")
        .is_none()
    {
        assert!(Instant::now() < deadline, "the worker never scheduled the digest");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let past = chrono::DateTime::parse_from_rfc3339("2000-01-01T00:00:00Z")
        .expect("time")
        .with_timezone(&chrono::Utc);
    store
        .set_schedule("daily-digest", past)
        .await
        .expect("move the schedule");
}
