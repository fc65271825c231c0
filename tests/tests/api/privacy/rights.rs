//! The citizen's rights: export (Art. 15/20), withdrawal, erasure by device and by
//! e-mail address (Art. 17).

use std::io::Read;

use serde_json::{Value, json};

use super::{database_contains, every_view, marked_report, photo_on_disk, work_and_close};
use crate::helpers::{FLENSBURG, KIEL, KIEL_RATHAUS, Reply, id_of, pothole, report, spawn_app};
use crate::mail::smtp::shared;
use crate::mail::{citizen_address, mail_app, status_token};

/// The files of a ZIP answer, by name.
fn unzip(reply: &Reply) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(reply.bytes.clone())).expect("a ZIP");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).expect("read");
            (f.name().to_owned(), bytes)
        })
        .collect()
}

fn export_json(files: &[(String, Vec<u8>)]) -> Value {
    let (_, json) = files
        .iter()
        .find(|(n, _)| n == "augenmerk-export.json")
        .expect("augenmerk-export.json");
    serde_json::from_slice(json).expect("JSON")
}

#[tokio::test]
async fn a_device_exports_its_reports_messages_and_photos_as_a_zip() {
    let app = spawn_app().await;
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let (id, marker, photo) = marked_report(&app, &device, "export@example.org").await;
    work_and_close(&app, &staff, &device, &id, &marker).await;
    let other = app.device().await;
    let (other_id, _, _) = marked_report(&app, &other, "anders@example.org").await;

    let reply = app.get("/api/v1/me/export", Some(&device.token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(header(&reply, "content-type").as_deref(), Some("application/zip"));
    let disposition = header(&reply, "content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment") && disposition.contains("augenmerk-daten-"),
        "{disposition}"
    );
    let files = unzip(&reply);
    let export = export_json(&files);
    let reports = export["reports"].as_array().expect("reports");
    assert_eq!(reports.len(), 1, "only this device's reports: {export}");
    let r = &reports[0];
    assert_eq!(r["id"], id.as_str());
    assert!(r["description"].as_str().is_some_and(|d| d.contains(&marker)));
    assert_eq!(r["contact_email"], "export@example.org");
    assert_eq!(r["category_name"], "Schlagloch / Fahrbahnschaden");
    assert_eq!(r["consent_version"], 0);
    assert_eq!(r["answers"]["strassenart"], "gemeindestrasse");
    let authors: Vec<&str> = r["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["author"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(authors, ["municipality", "citizen"]);
    assert!(r["history"].as_array().is_some_and(|h| h.len() >= 3), "{r}");
    let photo_name = format!("photos/{photo}.png");
    assert_eq!(r["photos"], json!([photo_name]));
    let (_, bytes) = files.iter().find(|(n, _)| *n == photo_name).expect("the photo file");
    assert_eq!(crate::helpers::sha256_hex(bytes), photo, "the photo as stored");
    assert!(files.iter().any(|(n, _)| n == "LIESMICH.txt"));
    let all = String::from_utf8_lossy(&reply.bytes).to_string();
    assert!(!all.contains(&other_id), "nothing of another device");
    assert!(!all.contains("Notiz"), "internal notes are not the citizen's data");
    assert!(!all.contains(&staff.name), "no staff names");

    app.get("/api/v1/me/export", None).await.expect(401);
}

#[tokio::test]
async fn a_received_report_is_withdrawn_everywhere_and_its_id_is_not_taken_again() {
    let app = spawn_app().await;
    app.publish_text(FLENSBURG).await;
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let (id, marker, photo) = marked_report(&app, &device, "zurueck@example.org").await;
    let stranger = app.device().await;
    app.post(
        &format!("/api/v1/reports/{id}/withdraw"),
        Some(&stranger.token),
        &json!({}),
    )
    .await
    .expect(404);

    // Routed by the rules to a department, but nobody has worked on it yet.
    assert_eq!(app.detail(&staff, &id).await["report"]["status"], "assigned");
    let reply = app
        .post(
            &format!("/api/v1/reports/{id}/withdraw"),
            Some(&device.token),
            &json!({}),
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    app.get(&format!("/api/v1/staff/reports/{id}"), Some(&staff.token))
        .await
        .expect(404);
    app.get(&format!("/api/v1/reports/{id}"), Some(&device.token))
        .await
        .expect(404);
    let inbox = app
        .get("/api/v1/staff/reports?page_size=200", Some(&staff.token))
        .await
        .text();
    assert!(!inbox.contains(&id), "gone from the inbox");
    assert!(!every_view(&app, &staff, &id).await.contains(&marker));
    assert!(!photo_on_disk(&app, &photo));
    assert!(!database_contains(&app, &marker));
    app.submit(&device, &pothole_with_id(&id))
        .await
        .expect_error(410, "withdrawn");
    let admin = app.login(FLENSBURG, "admin").await;
    let log = app
        .get("/api/v1/staff/privacy/log", Some(&admin.token))
        .await
        .expect(200);
    assert!(
        log.as_array()
            .is_some_and(|l| l.iter().any(|e| e["reason"] == "withdrawal")),
        "{log}"
    );

    // Once someone works on a report it can no longer be withdrawn.
    let (worked, _, _) = marked_report(&app, &device, "zurueck@example.org").await;
    app.transition(&staff, &worked, &json!({"to": "in_progress"}))
        .await
        .expect(200);
    app.post(
        &format!("/api/v1/reports/{worked}/withdraw"),
        Some(&device.token),
        &json!({}),
    )
    .await
    .expect_error(409, "illegal_transition");
    assert!(app.detail(&staff, &worked).await["report"]["description"].is_string());
}

fn pothole_with_id(id: &str) -> Value {
    let mut r = pothole();
    r["id"] = json!(id);
    r
}

#[tokio::test]
async fn a_device_erases_everything_it_sent_and_its_registration() {
    let app = spawn_app().await;
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let (id, marker, photo) = marked_report(&app, &device, "weg@example.org").await;
    work_and_close(&app, &staff, &device, &id, &marker).await;
    let (open, open_marker, _) = marked_report(&app, &device, "weg@example.org").await;
    let kieler = app.device().await;
    let kiel = report("schlagloch", json!({"gefahr_akut": true}), KIEL_RATHAUS);
    app.submit_ok(&kieler, &kiel).await;

    let done = app
        .send(app.request(reqwest::Method::DELETE, "/api/v1/me", Some(&device.token)))
        .await
        .expect(200);
    assert_eq!(done["reports"], 2, "{done}");
    app.get("/api/v1/reports", Some(&device.token)).await.expect(401);
    for (r, m) in [(&id, &marker), (&open, &open_marker)] {
        let detail = app.detail(&staff, r).await;
        assert!(!detail.to_string().contains(m.as_str()), "{detail}");
        assert!(detail["report"]["contact_email"].is_null());
        assert_eq!(detail["report"]["category"], "schlagloch", "the skeleton stays");
        assert!(
            detail["audit"]
                .as_array()
                .is_some_and(|a| a.iter().any(|e| e["action"]["reason"] == "citizen_request")),
            "{detail}"
        );
    }
    assert!(!photo_on_disk(&app, &photo));
    assert!(!database_contains(&app, &marker) && !database_contains(&app, "weg@example.org"));
    // Another citizen's report in another municipality is untouched.
    let kiel_staff = app.login(KIEL, "dispatcher").await;
    let k = app.detail(&kiel_staff, &id_of(&kiel)).await;
    assert!(!k["report"]["description"].as_str().unwrap_or("").is_empty());
    // The device can start over.
    let fresh = app.device().await;
    app.submit_ok(&fresh, &pothole()).await;
}

#[tokio::test]
async fn an_address_is_erased_through_a_confirmation_link_mailed_to_it() {
    let app = mail_app().await;
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let address = citizen_address();
    let (id, marker, photo) = marked_report(&app, &device, &address).await;
    let unknown = citizen_address();

    for (email, lang) in [(&address, "de"), (&unknown, "de")] {
        let reply = app
            .post(
                "/api/v1/privacy/erasure",
                None,
                &json!({"email": email, "language": lang}),
            )
            .await;
        assert_eq!(reply.status, 202, "the same answer for known and unknown addresses");
    }
    app.post("/api/v1/privacy/erasure", None, &json!({"email": "kein-mail"}))
        .await
        .expect_field_error("email", "invalid");

    let mail = shared().maildir.wait_for_subject(&address, "Löschung").await;
    let token = link_token(&mail.text);
    assert!(
        shared().maildir.to(&unknown).is_empty(),
        "an address without reports gets no mail"
    );
    // The receipt's status link still shows everything until the link is used.
    assert!(app.detail(&staff, &id).await.to_string().contains(&marker));

    let done = app
        .post(&format!("/api/v1/privacy/erasure/{token}"), None, &json!({}))
        .await
        .expect(200);
    assert_eq!(done["reports"], 1, "{done}");
    let detail = app.detail(&staff, &id).await;
    assert!(!detail.to_string().contains(&marker) && !detail.to_string().contains(&address));
    assert!(!photo_on_disk(&app, &photo));
    // Single use.
    app.post(&format!("/api/v1/privacy/erasure/{token}"), None, &json!({}))
        .await
        .expect(404);
    let receipt_token = shared()
        .maildir
        .to(&address)
        .iter()
        .find(|m| m.text.contains("/#/status/"))
        .map(|m| status_token(&m.text));
    if let Some(t) = receipt_token {
        let page = app.get(&format!("/api/v1/status/{t}"), None).await.expect(200);
        assert!(!page.to_string().contains(&marker), "{page}");
    }
}

#[tokio::test]
async fn the_status_link_exports_and_withdraws_its_report() {
    let app = mail_app().await;
    let device = app.device().await;
    let address = citizen_address();
    let (id, marker, _) = marked_report(&app, &device, &address).await;
    let receipt = shared().maildir.wait_for(&address, 1).await;
    let token = status_token(&receipt[0].text);

    let reply = app.get(&format!("/api/v1/status/{token}/export"), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let export = export_json(&unzip(&reply));
    assert_eq!(export["reports"][0]["id"], id.as_str());
    assert!(
        export["reports"][0]["description"]
            .as_str()
            .is_some_and(|d| d.contains(&marker))
    );
    assert!(export.get("device").is_none(), "the link knows no device");

    let staff = app.login(FLENSBURG, "dispatcher").await;
    app.post(&format!("/api/v1/status/{token}/withdraw"), None, &json!({}))
        .await
        .expect(204);
    app.get(&format!("/api/v1/staff/reports/{id}"), Some(&staff.token))
        .await
        .expect(404);
    app.get(&format!("/api/v1/status/{token}"), None).await.expect(404);
    app.get(
        "/api/v1/status/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/export",
        None,
    )
    .await
    .expect(404);
}

/// The token of an erasure link (`…/#/erase/<token>`) in a mail.
fn link_token(text: &str) -> String {
    let (_, rest) = text
        .split_once("/#/erase/")
        .unwrap_or_else(|| panic!("no erasure link in: {text}"));
    rest.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

fn header(reply: &Reply, name: &str) -> Option<String> {
    reply.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}
