//! The abuse rule at delivery time: an unconfirmed address gets the receipt only, an
//! unsubscribed one nothing, and no address more receipts a day than the limit; and the
//! status link can be replaced.

use std::time::Duration;

use serde_json::json;

use super::smtp::shared;
use super::{
    citizen_address, number, status_page, status_token, transition_ok, wait_for_delivery, wait_until_done, with_email,
};
use crate::helpers::{FLENSBURG, id_of, pothole};

#[tokio::test]
async fn without_confirmation_only_the_receipt_arrives() {
    let app = super::mail_app().await;
    let device = app.device().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let address = citizen_address();
    let r = with_email(pothole(), &address, "de");
    let id = id_of(&r);
    app.submit_ok(&device, &r).await;
    shared().maildir.wait_for(&address, 1).await;

    transition_ok(
        &app,
        &dispatcher,
        &id,
        json!({"to": "in_progress", "public_comment": "Wird erledigt."}),
    )
    .await;
    app.post(
        &format!("/api/v1/staff/reports/{id}/messages"),
        Some(&dispatcher.token),
        &json!({"body": "Noch eine Frage."}),
    )
    .await
    .expect(201);
    for kind in ["status_changed", "staff_message"] {
        let d = wait_for_delivery(&app, &dispatcher, &id, kind, "suppressed").await;
        assert_eq!(d["error"], "not_confirmed", "{d}");
        assert_eq!(d["to"], address.as_str(), "a dispatcher sees the address: {d}");
    }
    let receipt = wait_for_delivery(&app, &dispatcher, &id, "receipt", "sent").await;
    assert_eq!(receipt["attempts"], 1, "{receipt}");
    shared()
        .maildir
        .expect_exactly(&address, 1, Duration::from_millis(500))
        .await;
}

#[tokio::test]
async fn an_address_gets_no_more_receipts_a_day_than_the_limit() {
    let app = super::mail_app_on(shared().port, |s| s.mail.citizen_limits.receipts_per_day = 2).await;
    let device = app.device().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let address = citizen_address();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let r = with_email(pothole(), &address, "de");
        ids.push(id_of(&r));
        app.submit_ok(&device, &r).await;
        // One after the other: which receipt is the third is then certain.
        wait_until_done(&app, &dispatcher, ids.last().expect("an id"), "receipt").await;
    }
    let third = wait_for_delivery(&app, &dispatcher, &ids[2], "receipt", "suppressed").await;
    assert_eq!(third["error"], "daily_limit", "{third}");
    let mails = shared()
        .maildir
        .expect_exactly(&address, 2, Duration::from_millis(500))
        .await;
    for id in &ids[..2] {
        assert!(
            mails.iter().any(|m| m.subject.contains(&number(id))),
            "receipts of the first two reports: {mails:?}"
        );
    }
}

#[tokio::test]
async fn one_click_unsubscribe_stops_later_mails_until_resubscribed() {
    let app = super::mail_app().await;
    let device = app.device().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let address = citizen_address();
    let r = with_email(pothole(), &address, "en");
    let id = id_of(&r);
    app.submit_ok(&device, &r).await;
    let receipt = shared().maildir.wait_for(&address, 1).await.remove(0);
    let token = status_token(&receipt.text);
    app.post(&format!("/api/v1/status/{token}/confirm"), None, &json!({}))
        .await
        .expect(200);

    // What a mail client does with RFC 8058 headers: POST the URL with the form body.
    let url = receipt.list_unsubscribe.expect("List-Unsubscribe");
    let path = url.strip_prefix(&app.address).expect("the server's own URL");
    let page = app
        .send(
            app.request(reqwest::Method::POST, path, None)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(receipt.list_unsubscribe_post.expect("List-Unsubscribe-Post")),
        )
        .await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text());
    assert!(page.text().contains(&number(&id)), "{}", page.text());
    assert_eq!(status_page(&app, &token).await["mail_updates"], "off");

    transition_ok(
        &app,
        &dispatcher,
        &id,
        json!({"to": "in_progress", "public_comment": "Wird erledigt."}),
    )
    .await;
    let d = wait_for_delivery(&app, &dispatcher, &id, "status_changed", "suppressed").await;
    assert_eq!(d["error"], "unsubscribed", "{d}");
    shared()
        .maildir
        .expect_exactly(&address, 1, Duration::from_millis(300))
        .await;

    let again = app
        .post(&format!("/api/v1/status/{token}/resubscribe"), None, &json!({}))
        .await
        .expect(200);
    assert_eq!(again["mail_updates"], "on");
    app.post(
        &format!("/api/v1/staff/reports/{id}/messages"),
        Some(&dispatcher.token),
        &json!({"body": "Thanks, we are on it."}),
    )
    .await
    .expect(201);
    let message = shared()
        .maildir
        .wait_for_subject(&address, "Message about your report")
        .await;
    assert!(message.text.contains("> Thanks, we are on it."), "{}", message.text);
}

#[tokio::test]
async fn renewing_the_link_kills_the_old_one_and_mails_a_new_one() {
    let app = super::mail_app().await;
    let device = app.device().await;
    let address = citizen_address();
    let r = with_email(pothole(), &address, "de");
    let id = id_of(&r);
    app.submit_ok(&device, &r).await;
    let old = status_token(&shared().maildir.wait_for(&address, 1).await[0].text);
    status_page(&app, &old).await;

    app.post(&format!("/api/v1/status/{old}/renew"), None, &json!({}))
        .await
        .expect(202);
    app.get(&format!("/api/v1/status/{old}"), None).await.expect(404);
    app.post(&format!("/api/v1/status/{old}/confirm"), None, &json!({}))
        .await
        .expect(404);

    let mail = shared()
        .maildir
        .wait_for_subject(&address, "Neuer Link zu Ihrer Meldung")
        .await;
    assert_eq!(mail.subject, format!("Neuer Link zu Ihrer Meldung {}", number(&id)));
    let new = status_token(&mail.text);
    assert_ne!(new, old);
    assert!(
        mail.list_unsubscribe
            .as_deref()
            .is_some_and(|u| u.ends_with(&format!("/status/{new}/unsubscribe"))),
        "the new link's unsubscribe: {:?}",
        mail.list_unsubscribe
    );
    let page = status_page(&app, &new).await;
    assert_eq!(page["report"]["id"], id.as_str());
}
