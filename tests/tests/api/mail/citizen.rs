//! What a citizen who gave an address receives: the receipt with the private status link
//! (in their language), and after confirming, the status, message and closed mails; the
//! status page behind the link and answering through it.

use serde_json::json;

use super::smtp::shared;
use super::{
    citizen_address, number, secret_note, staff_address, status_page, status_token, transition_ok, with_email,
};
use crate::helpers::{FLENSBURG, id_of, pothole};

#[tokio::test]
async fn english_receipt_has_number_category_place_and_a_status_link_that_shows_only_public_things() {
    let app = super::mail_app().await;
    let device = app.device().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let address = citizen_address();
    let mut r = with_email(pothole(), &address, "en");
    r["address_hint"] = json!("Mürwiker Straße 12");
    let id = id_of(&r);
    app.submit_ok(&device, &r).await;

    let mails = shared().maildir.wait_for(&address, 1).await;
    let receipt = &mails[0];
    let n = number(&id);
    assert_eq!(receipt.subject, format!("Your report {n} – received"));
    assert!(receipt.from_name.contains("Flensburg"), "sender: {}", receipt.from_name);
    assert!(!receipt.message_id.is_empty(), "a Message-ID");
    for expected in [
        "Thank you for your report".to_owned(),
        format!("Report number: {n}"),
        "Category: Pothole / carriageway damage".to_owned(),
        "Place: Mürwiker Straße 12 (54.81000, 9.48000)".to_owned(),
        format!("{}/#/status/", app.address),
    ] {
        assert!(
            receipt.text.contains(&expected),
            "{expected:?} missing in: {}",
            receipt.text
        );
    }
    assert!(!receipt.text.contains("Kategorie"), "English only: {}", receipt.text);
    let token = status_token(&receipt.text);
    assert_eq!(token.len(), 43, "32 random bytes, URL-safe base64: {token}");
    assert!(receipt.html.contains(&format!("/#/status/{token}")), "{}", receipt.html);
    assert_eq!(
        receipt.list_unsubscribe.as_deref(),
        Some(format!("{}/api/v1/status/{token}/unsubscribe", app.address).as_str())
    );
    assert_eq!(
        receipt.list_unsubscribe_post.as_deref(),
        Some("List-Unsubscribe=One-Click")
    );

    // The municipality writes, comments publicly and keeps a note.
    let marker = secret_note(&app, &dispatcher, &id).await;
    app.post(
        &format!("/api/v1/staff/reports/{id}/messages"),
        Some(&dispatcher.token),
        &json!({"body": "Wir schauen uns das an."}),
    )
    .await
    .expect(201);
    transition_ok(
        &app,
        &dispatcher,
        &id,
        json!({"to": "in_progress", "public_comment": "Der Bautrupp ist informiert."}),
    )
    .await;

    let page = status_page(&app, &token).await;
    assert_eq!(page["report"]["id"], id.as_str());
    assert_eq!(page["number"], n.as_str());
    assert_eq!(page["report"]["status"], "in_progress");
    assert_eq!(page["department_name"], "Tiefbau");
    assert_eq!(page["mail_updates"], "unconfirmed");
    assert_eq!(page["email"], "b…@example.org", "the address is masked: {page}");
    let text = page.to_string();
    assert!(text.contains("Wir schauen uns das an."), "public message: {text}");
    assert!(text.contains("Der Bautrupp ist informiert."), "public comment: {text}");
    assert!(!text.contains(&marker), "internal note on the status page: {text}");
    assert!(
        !text.contains(&dispatcher.name),
        "staff name on the status page: {text}"
    );
    assert!(!text.contains(&dispatcher.id), "staff id on the status page: {text}");
    assert!(!text.contains(&address), "the full address on the status page: {text}");

    app.get("/api/v1/status/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", None)
        .await
        .expect(404);
}

#[tokio::test]
async fn german_receipt_decodes_umlauts_in_subject_and_body() {
    let app = super::mail_app().await;
    let device = app.device().await;
    let address = citizen_address();
    let mut r = with_email(pothole(), &address, "de");
    r["address_hint"] = json!("Höhe Fußgängerüberweg, Große Straße");
    let id = id_of(&r);
    app.submit_ok(&device, &r).await;

    let receipt = &shared().maildir.wait_for(&address, 1).await[0];
    assert_eq!(receipt.subject, format!("Ihre Meldung {} – eingegangen", number(&id)));
    for expected in [
        "Vielen Dank für Ihre Meldung",
        "Kategorie: Schlagloch / Fahrbahnschaden",
        "Ort: Höhe Fußgängerüberweg, Große Straße",
        "Möchten Sie Änderungen per E-Mail erhalten?",
    ] {
        assert!(
            receipt.text.contains(expected),
            "{expected:?} missing in: {}",
            receipt.text
        );
    }
    assert!(receipt.html.contains("Höhe Fußgängerüberweg"), "{}", receipt.html);
    assert!(
        receipt.html.contains("Vielen Dank für Ihre Meldung"),
        "{}",
        receipt.html
    );
}

#[tokio::test]
async fn after_confirming_the_citizen_gets_status_message_and_closed_mails_and_answers_through_the_link() {
    let app = super::mail_app().await;
    let device = app.device().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let field = app.login(FLENSBURG, "field").await;
    let field_address = staff_address("aussendienst");
    app.put(
        "/api/v1/staff/me/mail",
        Some(&field.token),
        &json!({"email": field_address, "preferences": {"assigned": true, "citizen_reply": true, "digest": false}}),
    )
    .await
    .expect(200);
    let address = citizen_address();
    let r = with_email(pothole(), &address, "de");
    let id = id_of(&r);
    let n = number(&id);
    app.submit_ok(&device, &r).await;
    let token = status_token(&shared().maildir.wait_for(&address, 1).await[0].text);
    let confirmed = app
        .post(&format!("/api/v1/status/{token}/confirm"), None, &json!({}))
        .await
        .expect(200);
    assert_eq!(confirmed["mail_updates"], "on");
    secret_note(&app, &dispatcher, &id).await;
    app.patch(
        &format!("/api/v1/staff/reports/{id}"),
        Some(&dispatcher.token),
        &json!({"assignee": field.id}),
    )
    .await
    .expect(200);

    transition_ok(
        &app,
        &field,
        &id,
        json!({"to": "in_progress", "public_comment": "Wir reparieren das Loch am Montag."}),
    )
    .await;
    let status = shared().maildir.wait_for_subject(&address, "In Bearbeitung").await;
    assert_eq!(status.subject, format!("Meldung {n}: In Bearbeitung"));
    assert!(status.text.contains("„In Bearbeitung“"), "{}", status.text);
    assert!(
        status.text.contains("> Wir reparieren das Loch am Montag."),
        "{}",
        status.text
    );
    assert!(
        status.text.contains(&format!("/#/status/{token}")),
        "the same link: {}",
        status.text
    );
    assert!(status.list_unsubscribe.is_some(), "citizen mails can be unsubscribed");

    app.post(
        &format!("/api/v1/staff/reports/{id}/messages"),
        Some(&dispatcher.token),
        &json!({"body": "Können Sie ein Foto von der Stelle schicken?"}),
    )
    .await
    .expect(201);
    let message = shared()
        .maildir
        .wait_for_subject(&address, "Nachricht zu Ihrer Meldung")
        .await;
    assert!(
        message.text.contains("> Können Sie ein Foto von der Stelle schicken?"),
        "{}",
        message.text
    );
    assert!(
        !message.readable().contains(&dispatcher.name),
        "no staff names to citizens"
    );

    let answer = app
        .post(
            &format!("/api/v1/status/{token}/messages"),
            None,
            &json!({"body": "Leider nicht, aber es ist gegenüber der Bäckerei."}),
        )
        .await
        .expect(201);
    assert_eq!(answer["author"], "citizen");
    let detail = app.detail(&dispatcher, &id).await;
    assert!(
        detail["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .any(|m| m["author"] == "citizen" && m["body"] == "Leider nicht, aber es ist gegenüber der Bäckerei."),
        "the answer is in the thread: {detail}"
    );
    // The assignee asked to hear of answers.
    let reply = shared()
        .maildir
        .wait_for_subject(&field_address, "Antwort der meldenden Person")
        .await;
    assert!(
        reply
            .text
            .contains("> Leider nicht, aber es ist gegenüber der Bäckerei."),
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains(&format!("/console/#/console/cases/{id}")),
        "{}",
        reply.text
    );

    // Resolved without a comment says nothing; closing does.
    transition_ok(&app, &field, &id, json!({"to": "resolved"})).await;
    transition_ok(&app, &dispatcher, &id, json!({"to": "closed"})).await;
    let closed = shared().maildir.wait_for_subject(&address, "Abgeschlossen").await;
    assert_eq!(closed.subject, format!("Meldung {n}: Abgeschlossen"));
    assert!(
        closed.text.contains("Ihre Meldung ist abgeschlossen."),
        "{}",
        closed.text
    );

    let all = shared()
        .maildir
        .expect_exactly(&address, 4, std::time::Duration::from_millis(1500))
        .await;
    let mut ids: Vec<&str> = all.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4, "every mail has its own Message-ID");
}
