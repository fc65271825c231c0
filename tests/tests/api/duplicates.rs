//! Duplicates for real (issue 21): merging a report into its original moves its
//! reporter and followers there (the reporter hears the original's status changes by
//! mail, through real SMTP), shows its photos and the count on the original, answers
//! its reporter in their language, is audited on both, idempotent, and refuses itself,
//! another municipality's case and a chain. And the citizen's side of a case per role.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, KIEL_RATHAUS, TestApp, id_of, png, pothole, report, sha256_hex, spawn_app};
use crate::mail::smtp::shared;
use crate::mail::{citizen_address, mail_app, number, status_token, transition_ok, with_email};

fn merge_path(id: &str) -> String {
    format!("/api/v1/staff/reports/{id}/merge")
}

async fn feed(app: &TestApp, token: &str) -> Vec<Value> {
    let page = app.get("/api/v1/sync?since=0", Some(token)).await.expect(200);
    page["changes"].as_array().cloned().unwrap_or_default()
}

fn audited(detail: &Value, action: &str, key: &str, id: &str) -> bool {
    detail["audit"].as_array().is_some_and(|a| {
        a.iter()
            .any(|e| e["action"]["type"] == action && e["action"][key] == id)
    })
}

#[tokio::test]
async fn a_merge_moves_the_reporter_and_followers_to_the_original_who_then_hear_its_status_changes() {
    let app = mail_app().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    // The original, then the same pothole again with a photo and an English address.
    let first = app.device().await;
    let original = pothole();
    let original_id = id_of(&original);
    app.submit_ok(&first, &original).await;
    let second = app.device().await;
    let photo = png(24, 16);
    let hash = sha256_hex(&photo);
    app.put_blob(&second.token, &hash, photo).await.expect(201);
    let address = citizen_address();
    let mut dup = with_email(pothole(), &address, "en");
    dup["photos"] = json!([hash]);
    let dup_id = id_of(&dup);
    app.submit_ok(&second, &dup).await;
    let receipt = &shared().maildir.wait_for(&address, 1).await[0];
    let token = status_token(&receipt.text);
    app.post(&format!("/api/v1/status/{token}/confirm"), None, &json!({}))
        .await
        .expect(200);
    // Someone follows the duplicate.
    let follower = app.device().await;
    app.send(app.request(
        Method::PUT,
        &format!("/api/v1/reports/{dup_id}/follow"),
        Some(&follower.token),
    ))
    .await
    .expect(201);

    // The suggestion panel of the original lists the duplicate.
    let suggested = app
        .get(
            &format!("/api/v1/staff/reports/{original_id}/duplicates"),
            Some(&dispatcher.token),
        )
        .await
        .expect(200);
    assert_eq!(suggested[0]["report"]["id"], dup_id.as_str(), "{suggested}");

    let merged = app
        .post(
            &merge_path(&dup_id),
            Some(&dispatcher.token),
            &json!({"into": original_id}),
        )
        .await
        .expect(200);
    assert_eq!(merged["report_count"], 2);
    assert_eq!(merged["merged_now"], true);
    // Again: nothing changes, nobody is answered twice.
    let again = app
        .post(
            &merge_path(&dup_id),
            Some(&dispatcher.token),
            &json!({"into": original_id}),
        )
        .await
        .expect(200);
    assert_eq!(
        (again["report_count"].clone(), again["merged_now"].clone()),
        (json!(2), json!(false))
    );

    // The original shows the duplicate's photo and the count; both are audited.
    let on_original = app.detail(&dispatcher, &original_id).await;
    assert_eq!(on_original["merged"][0]["id"], dup_id.as_str());
    assert_eq!(on_original["merged"][0]["photos"], json!([hash]));
    assert!(
        audited(&on_original, "merged_from", "duplicate", &dup_id),
        "{on_original}"
    );
    let on_dup = app.detail(&dispatcher, &dup_id).await;
    assert_eq!(on_dup["report"]["status"], "duplicate");
    assert_eq!(on_dup["report"]["duplicate_of"], original_id.as_str());
    assert!(audited(&on_dup, "merged_into", "original", &original_id), "{on_dup}");
    let answers: Vec<&Value> = on_dup["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["author"] == "municipality")
        .collect();
    assert_eq!(answers.len(), 1, "one answer: {on_dup}");

    // The reporter's answer, in English, by mail.
    let answer = shared()
        .maildir
        .wait_for_subject(&address, &format!("Message about your report {}", number(&dup_id)))
        .await;
    assert!(
        answer.text.contains(&format!("(report {})", number(&original_id))),
        "{}",
        answer.text
    );
    // The reporter's device sees its report as a duplicate, with the answer.
    let view = app.citizen_view(&second, &dup_id).await;
    assert_eq!(view["status"], "duplicate");
    assert_eq!(view["duplicate_of"], original_id.as_str());

    // Both devices follow the original now.
    for device in [&second, &follower] {
        let followed = app
            .get("/api/v1/reports/followed", Some(&device.token))
            .await
            .expect(200);
        assert!(
            followed
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["id"] == original_id.as_str()),
            "{followed}"
        );
    }

    // The original moves on: the duplicate's reporter hears it by mail, the follower in its feed.
    transition_ok(
        &app,
        &dispatcher,
        &original_id,
        json!({"to": "in_progress", "public_comment": "Der Bautrupp kommt morgen."}),
    )
    .await;
    let status_mail = shared()
        .maildir
        .wait_for_subject(&address, &format!("Report {}: In progress", number(&original_id)))
        .await;
    assert!(
        status_mail.text.contains("Der Bautrupp kommt morgen."),
        "{}",
        status_mail.text
    );
    assert!(
        status_mail.text.contains(&format!("/#/status/{token}")),
        "their own link"
    );
    let changes = feed(&app, &follower.token).await;
    assert!(
        changes
            .iter()
            .any(|c| c["report_id"] == original_id.as_str() && c["to"] == "in_progress"),
        "{changes:?}"
    );
}

#[tokio::test]
async fn merges_into_itself_another_municipality_a_duplicate_or_by_a_field_worker_are_refused() {
    let app = spawn_app().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let device = app.device().await;
    let [a, b, c] = [pothole(), pothole(), pothole()];
    for r in [&a, &b, &c] {
        app.submit_ok(&device, r).await;
    }
    let (a, b, c) = (id_of(&a), id_of(&b), id_of(&c));
    let kiel = report(
        "schlagloch",
        json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
        KIEL_RATHAUS,
    );
    app.submit_ok(&device, &kiel).await;
    let kiel = id_of(&kiel);

    app.post(&merge_path(&a), Some(&dispatcher.token), &json!({"into": a}))
        .await
        .expect_field_error("into", "self");
    app.post(&merge_path(&a), Some(&dispatcher.token), &json!({"into": kiel}))
        .await
        .expect_field_error("into", "unknown_report");
    let field = app.login(FLENSBURG, "field").await;
    app.post(&merge_path(&b), Some(&field.token), &json!({"into": a}))
        .await
        .expect_error(403, "forbidden");

    app.post(&merge_path(&b), Some(&dispatcher.token), &json!({"into": a}))
        .await
        .expect(200);
    // Into a duplicate: the answer names the original to merge into instead.
    let chained = app
        .post(&merge_path(&c), Some(&dispatcher.token), &json!({"into": b}))
        .await;
    let body = chained.expect_field_error("into", "is_duplicate");
    assert_eq!(body["context"]["original"], a.as_str(), "{body}");
    // Merged once: not into another.
    app.post(&merge_path(&b), Some(&dispatcher.token), &json!({"into": c}))
        .await
        .expect_error(409, "conflict");
    // An unknown template.
    app.post(
        &merge_path(&c),
        Some(&dispatcher.token),
        &json!({"into": a, "template": "gibt-es-nicht"}),
    )
    .await
    .expect_field_error("template", "unknown_template");
    // A municipality's template answers instead of the standard words.
    app.post(
        &merge_path(&c),
        Some(&dispatcher.token),
        &json!({"into": a, "template": "eingang"}),
    )
    .await
    .expect(200);
    let on_c = app.detail(&dispatcher, &c).await;
    let answer = on_c["messages"].as_array().unwrap().last().cloned().unwrap();
    assert!(
        answer["body"]
            .as_str()
            .unwrap()
            .starts_with("Vielen Dank für Ihre Meldung"),
        "{answer}"
    );
    assert_eq!(app.detail(&dispatcher, &a).await["merged"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_citizens_address_is_shown_to_dispatchers_and_admins_only_and_unanswered_is_derivable() {
    let app = spawn_app().await;
    let device = app.device().await;
    let address = citizen_address();
    let r = with_email(pothole(), &address, "de");
    let id = id_of(&r);
    app.submit_ok(&device, &r).await;
    for who in ["dispatcher", "admin"] {
        let staff = app.login(FLENSBURG, who).await;
        let d = app.detail(&staff, &id).await;
        assert_eq!(d["citizen"]["email_given"], true, "{who}");
        assert_eq!(d["citizen"]["email"], address.as_str(), "{who}");
        assert_eq!(d["citizen"]["mail_updates"], "unconfirmed", "{who}");
        assert_eq!(d["report"]["contact_email"], address.as_str(), "{who}");
    }
    // The field worker (Tiefbau, the pothole's department) learns that there is an
    // address and whether updates go out, never the address: not in the detail, the
    // inbox, the suggestions or the answer to a change.
    let field = app.login(FLENSBURG, "field").await;
    let d = app.detail(&field, &id).await;
    assert_eq!(d["citizen"]["email_given"], true);
    assert_eq!(d["citizen"]["mail_updates"], "unconfirmed");
    assert!(d["citizen"].get("email").is_none(), "{d}");
    assert!(d["report"]["contact_email"].is_null(), "{d}");
    let inbox = app.get("/api/v1/staff/reports", Some(&field.token)).await.expect(200);
    assert!(!inbox.to_string().contains(&address), "{inbox}");
    let changed = app
        .transition(&field, &id, &json!({"to": "in_progress"}))
        .await
        .expect(200);
    assert!(changed["contact_email"].is_null(), "{changed}");

    // The citizen writes; until staff answer, the thread ends with the citizen's message.
    app.post(
        &format!("/api/v1/reports/{id}/messages"),
        Some(&device.token),
        &json!({"body": "Ist das Loch schon gesehen worden?"}),
    )
    .await
    .expect(201);
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let d = app.detail(&dispatcher, &id).await;
    assert_eq!(d["messages"].as_array().unwrap().last().unwrap()["author"], "citizen");
    // Without an address: nothing given, no updates.
    let plain = pothole();
    app.submit_ok(&device, &plain).await;
    let d = app.detail(&dispatcher, &id_of(&plain)).await;
    assert_eq!(d["citizen"]["email_given"], false);
    assert_eq!(d["citizen"]["mail_updates"], "none");
}
