//! Messages both ways: the municipality writes to the citizen (who never sees staff
//! names), the citizen replies, and retries with the same client id add nothing.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{FLENSBURG, Submitted, id_of, pothole, spawn_app};

#[tokio::test]
async fn staff_message_reaches_the_citizen_as_from_the_municipality_without_staff_names() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let Submitted { device, id, .. } = app.submitted_pothole().await;

    let message_id = Uuid::new_v4();
    let sent = app
        .post(
            &format!("/api/v1/staff/reports/{id}/messages"),
            Some(&staff.token),
            &json!({"id": message_id, "body": "Danke, wir kümmern uns diese Woche darum."}),
        )
        .await
        .expect(201);
    // Staff see who wrote it.
    assert_eq!(sent["author"], "municipality");
    assert_eq!(sent["staff_author"], staff.id.as_str());
    assert_eq!(sent["staff_author_name"], staff.name.as_str());

    let citizen = app.citizen_view(&device, &id).await;
    let messages = citizen["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["id"], message_id.to_string());
    assert_eq!(messages[0]["author"], "municipality");
    assert_eq!(messages[0]["body"], "Danke, wir kümmern uns diese Woche darum.");

    let feed = app.get("/api/v1/sync", Some(&device.token)).await.expect(200);
    let in_feed: Vec<&Value> = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "message")
        .collect();
    assert_eq!(in_feed.len(), 1, "{feed}");
    assert_eq!(in_feed[0]["report_id"], id.as_str());
    assert_eq!(in_feed[0]["message"]["author"], "municipality");
    assert_eq!(in_feed[0]["message"]["id"], message_id.to_string());

    for body in [citizen.to_string(), feed.to_string()] {
        assert!(!body.contains(&staff.name), "staff name leaked: {body}");
        assert!(!body.contains(&staff.id), "staff id leaked: {body}");
        assert!(!body.contains("staff_author"), "staff fields leaked: {body}");
    }
}

#[tokio::test]
async fn citizen_reply_shows_up_in_the_staff_detail() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let Submitted { device, id, .. } = app.submitted_pothole().await;
    app.post(
        &format!("/api/v1/staff/reports/{id}/messages"),
        Some(&staff.token),
        &json!({"body": "Ist das Loch tiefer als 10 cm?"}),
    )
    .await
    .expect(201);

    let reply_id = Uuid::new_v4();
    let reply = app
        .post(
            &format!("/api/v1/reports/{id}/messages"),
            Some(&device.token),
            &json!({"id": reply_id, "body": "Ja, etwa 15 cm."}),
        )
        .await
        .expect(201);
    assert_eq!(reply["author"], "citizen");

    let detail = app.detail(&staff, &id).await;
    let messages = detail["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2, "{detail}");
    assert_eq!(messages[0]["author"], "municipality");
    assert_eq!(messages[1]["author"], "citizen");
    assert_eq!(messages[1]["id"], reply_id.to_string());
    assert_eq!(messages[1]["body"], "Ja, etwa 15 cm.");
    assert_eq!(messages[1]["staff_author"], Value::Null);

    // The citizen's own view has both, oldest first.
    let citizen = app.citizen_view(&device, &id).await;
    let authors: Vec<&str> = citizen["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["author"].as_str().unwrap())
        .collect();
    assert_eq!(authors, ["municipality", "citizen"]);
}

#[tokio::test]
async fn messages_are_idempotent_by_their_client_id_in_both_directions() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let Submitted { device, id, .. } = app.submitted_pothole().await;

    let staff_msg = json!({"id": Uuid::new_v4(), "body": "Wir melden uns."});
    let first = app
        .post(
            &format!("/api/v1/staff/reports/{id}/messages"),
            Some(&staff.token),
            &staff_msg,
        )
        .await
        .expect(201);
    let again = app
        .post(
            &format!("/api/v1/staff/reports/{id}/messages"),
            Some(&staff.token),
            &staff_msg,
        )
        .await
        .expect(200);
    assert_eq!(again, first, "a retry answers the stored message");

    let citizen_msg = json!({"id": Uuid::new_v4(), "body": "Danke!"});
    let first = app
        .post(
            &format!("/api/v1/reports/{id}/messages"),
            Some(&device.token),
            &citizen_msg,
        )
        .await
        .expect(201);
    let again = app
        .post(
            &format!("/api/v1/reports/{id}/messages"),
            Some(&device.token),
            &citizen_msg,
        )
        .await
        .expect(200);
    assert_eq!(again, first);

    assert_eq!(
        app.detail(&staff, &id).await["messages"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        app.citizen_view(&device, &id).await["messages"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let feed = app.get("/api/v1/sync", Some(&device.token)).await.expect(200);
    let count = |message_id: &Value| {
        feed["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["kind"] == "message" && &c["message"]["id"] == message_id)
            .count()
    };
    assert_eq!(count(&staff_msg["id"]), 1, "the municipality's message once: {feed}");
    assert!(
        count(&citizen_msg["id"]) <= 1,
        "the citizen's message at most once: {feed}"
    );
}

#[tokio::test]
async fn empty_or_too_long_messages_are_422() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let Submitted { device, id, .. } = app.submitted_pothole().await;
    app.post(
        &format!("/api/v1/staff/reports/{id}/messages"),
        Some(&staff.token),
        &json!({"body": "  "}),
    )
    .await
    .expect_field_error("body", "required");
    app.post(
        &format!("/api/v1/reports/{id}/messages"),
        Some(&device.token),
        &json!({"body": "x".repeat(4_001)}),
    )
    .await
    .expect_field_error("body", "too_long");
    assert_eq!(app.detail(&staff, &id).await["messages"], json!([]));
}

#[tokio::test]
async fn internal_notes_are_idempotent_by_client_id_and_name_their_author() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let Submitted { id, .. } = app.submitted_pothole().await;
    let note = json!({"id": Uuid::new_v4(), "body": "Anwohner meldet das zum dritten Mal."});
    let path = format!("/api/v1/staff/reports/{id}/notes");
    let first = app.post(&path, Some(&staff.token), &note).await.expect(201);
    assert_eq!(first["author"], staff.id.as_str());
    assert_eq!(first["author_name"], staff.name.as_str());
    assert_eq!(app.post(&path, Some(&staff.token), &note).await.expect(200), first);
    let notes = app.detail(&staff, &id).await["notes"].clone();
    assert_eq!(notes, json!([first]));
}

#[tokio::test]
async fn a_message_or_note_id_reused_on_another_report_is_409_and_reveals_nothing() {
    let app = spawn_app().await;
    let (alice, bob) = (app.device().await, app.device().await);
    let flensburg = app.login(FLENSBURG, "dispatcher").await;
    let kiel = app.login(crate::helpers::KIEL, "dispatcher").await;
    let (a, b) = (pothole(), pothole());
    let k = crate::helpers::report(
        "schlagloch",
        json!({"gefahr_akut": false}),
        crate::helpers::KIEL_RATHAUS,
    );
    app.submit_ok(&alice, &a).await;
    app.submit_ok(&bob, &b).await;
    app.submit_ok(&bob, &k).await;
    let (a, b, k) = (id_of(&a), id_of(&b), id_of(&k));

    // Alice's reply; Bob (somehow) learns its id and sends his own message under it.
    let secret = "Meine Telefonnummer ist 0461 123456";
    let message_id = Uuid::new_v4();
    app.post(
        &format!("/api/v1/reports/{a}/messages"),
        Some(&alice.token),
        &json!({"id": message_id, "body": secret}),
    )
    .await
    .expect(201);
    let reply = app
        .post(
            &format!("/api/v1/reports/{b}/messages"),
            Some(&bob.token),
            &json!({"id": message_id, "body": "Hallo"}),
        )
        .await;
    reply.expect_error(409, "conflict");
    assert!(!reply.text().contains(secret));
    // The same for staff of another municipality reusing a message or note id.
    let reply = app
        .post(
            &format!("/api/v1/staff/reports/{k}/messages"),
            Some(&kiel.token),
            &json!({"id": message_id, "body": "Hallo"}),
        )
        .await;
    reply.expect_error(409, "conflict");
    assert!(!reply.text().contains(secret));

    let note_id = Uuid::new_v4();
    let note = "Interner Vermerk: Bürger ist Nachbar des Sachbearbeiters";
    app.post(
        &format!("/api/v1/staff/reports/{a}/notes"),
        Some(&flensburg.token),
        &json!({"id": note_id, "body": note}),
    )
    .await
    .expect(201);
    let reply = app
        .post(
            &format!("/api/v1/staff/reports/{k}/notes"),
            Some(&kiel.token),
            &json!({"id": note_id, "body": "Kieler Notiz"}),
        )
        .await;
    reply.expect_error(409, "conflict");
    assert!(!reply.text().contains(note));

    // Nothing was added anywhere.
    assert_eq!(app.citizen_view(&bob, &b).await["messages"], json!([]));
    assert_eq!(app.detail(&kiel, &k).await["messages"], json!([]));
    assert_eq!(app.detail(&kiel, &k).await["notes"], json!([]));
    assert_eq!(
        app.detail(&flensburg, &a).await["messages"].as_array().map(Vec::len),
        Some(1)
    );
}
