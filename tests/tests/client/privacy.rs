//! The citizen's data protection rights from the device, against the real server: a
//! report that never left the device is withdrawn offline without a trace on the
//! server; a sent one is withdrawn (the server forgets it and refuses its id), unless
//! the municipality already works on it; the export is a ZIP with the report and its
//! photos; erasing everything leaves a device that starts afresh; a device the server
//! no longer knows registers anew.

use std::path::Path;

use augenmerk_client::{Client, ClientError, ClientOptions, SyncOptions, SyncState, Withdrawal};
use augenmerk_domain::{Language, ReportId};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Cli, jpeg, pothole_draft};
use augenmerk_tests::{MUERWIK, Server, Staff, models_dir};

fn client(data: &Path, server: &str) -> Client {
    let mut options = ClientOptions::new(data, Some(server.to_owned()));
    options.models_dir = Some(models_dir());
    options.retry.attempts = 1;
    Client::open(options).expect("open client")
}

/// The device's token, as the client stored it.
fn device_token(data: &Path) -> Option<String> {
    let db = rusqlite::Connection::open(data.join("augenmerk.sqlite")).expect("open the device's database");
    db.query_row("SELECT value FROM meta WHERE key = 'device_token'", [], |r| r.get(0))
        .ok()
}

/// `GET <path>` with the device's token: status and body.
async fn as_device(url: &str, token: &str, path: &str) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .get(format!("{url}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unsent_report_is_withdrawn_offline_and_a_sent_one_by_the_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server_dir = dir.path().join("server");
    let mut server = Server::client(&server_dir);
    let port = server.port;
    let data = dir.path().join("device");
    let device = client(&data, &server.url);
    device.sync(&SyncOptions::default()).await.expect("configuration");

    // Offline: a report with a photo is written and withdrawn again before it ever left.
    server.kill();
    let photo = device.capture_photo(&jpeg(1200, 900, 17), &[]).expect("photo");
    let unsent = device
        .create_report(pothole_draft(1, vec![photo.hash.clone()]))
        .expect("queued");
    let without_photo = device.create_report(pothole_draft(11, vec![])).expect("queued");
    // Sync attempts while offline do not make them "possibly sent": no request got through.
    assert!(device.sync(&SyncOptions::default()).await.is_err());
    assert!(device.sync(&SyncOptions::default()).await.is_err());
    assert_eq!(device.withdraw(&unsent).await.expect("withdrawn"), Withdrawal::Dropped);
    assert_eq!(
        device.withdraw(&without_photo).await.expect("withdrawn"),
        Withdrawal::Dropped
    );
    assert!(matches!(device.report(&unsent), Err(ClientError::NotFound(_))));
    assert!(!device.photo_path(&photo.hash).exists(), "its photo is gone too");
    assert_eq!(device.pending_count().expect("queue"), (0, 0));

    // Back online: nothing of it reaches the server.
    let server = Server::client_on(&server_dir, port);
    let summary = device.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(summary.reports_sent, 0, "{summary:?}");
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    assert!(!dispatcher.all_report_ids().await.contains(&unsent.to_string()));

    // A sent report, routed by the rules but nobody has looked at it: the server takes it back.
    let sent = device.create_report(pothole_draft(2, vec![])).expect("queued");
    device.sync(&SyncOptions::default()).await.expect("sent");
    assert_eq!(
        device.report(&sent).expect("here").report.status.map(|s| s.as_str()),
        Some("assigned")
    );
    let token = device_token(&data).expect("registered");
    assert_eq!(device.withdraw(&sent).await.expect("withdrawn"), Withdrawal::Withdrawn);
    assert!(matches!(device.report(&sent), Err(ClientError::NotFound(_))));
    let (status, _) = as_device(&server.url, &token, &format!("/api/v1/reports/{sent}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the server forgot it");
    assert!(!dispatcher.all_report_ids().await.contains(&sent.to_string()));
    // Its id is refused for good: a device that sends it again learns it was withdrawn.
    let again = reqwest::Client::new()
        .post(format!("{}/api/v1/reports", server.url))
        .bearer_auth(&token)
        .json(&json!({
            "id": sent, "category": "schlagloch", "answers": {"gefahr_akut": false},
            "description": "noch einmal", "location": {"lat": MUERWIK.0, "lon": MUERWIK.1},
            "photos": [], "consent": true
        }))
        .send()
        .await
        .expect("POST");
    assert_eq!(again.status(), StatusCode::GONE);
    let body: Value = again.json().await.expect("error body");
    assert_eq!(body["code"], "withdrawn", "{body}");

    // One the municipality already works on stays; so does one while the server is down.
    let handled = device.create_report(pothole_draft(3, vec![])).expect("queued");
    device.sync(&SyncOptions::default()).await.expect("sent");
    dispatcher
        .post(
            &format!("/api/v1/staff/reports/{handled}/transition"),
            json!({"to": "in_progress", "public_comment": "Wir sind dran."}),
        )
        .await;
    let refused = device.withdraw(&handled).await;
    assert!(matches!(refused, Err(ClientError::AlreadyHandled)), "{refused:?}");
    assert_eq!(
        device.report(&handled).expect("kept").report.sync_state,
        SyncState::Sent
    );
    let waiting = device.create_report(pothole_draft(4, vec![])).expect("queued");
    device.sync(&SyncOptions::default()).await.expect("sent");
    drop(server);
    let offline = device.withdraw(&waiting).await;
    assert!(matches!(offline, Err(ClientError::Offline { .. })), "{offline:?}");
    assert!(device.report(&waiting).is_ok(), "nothing changed");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_export_holds_the_report_and_its_photos() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::client(&dir.path().join("server"));
    let device = client(&dir.path().join("device"), &server.url);
    device.sync(&SyncOptions::default()).await.expect("configuration");
    let photo = device.capture_photo(&jpeg(1200, 900, 23), &[]).expect("photo");
    let mut draft = pothole_draft(5, vec![photo.hash.clone()]);
    draft.contact_email = Some("buergerin@example.org".into());
    let id = device.create_report(draft).expect("queued");
    device.sync(&SyncOptions::default()).await.expect("sent");

    let downloads = dir.path().join("Downloads");
    let path = device.export(&downloads).await.expect("exported");
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
    assert!(
        name.starts_with("augenmerk-daten-")
            && name.ends_with(".zip")
            && name.len() == "augenmerk-daten-2026-12-03.zip".len(),
        "{name}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&downloads)
        .expect("folder")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "only the export, no partial file: {leftovers:?}");

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).expect("open export")).expect("a ZIP");
    let json: Value = {
        let file = zip.by_name("augenmerk-export.json").expect("the JSON file");
        serde_json::from_reader(file).expect("JSON")
    };
    let report = json["reports"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == id.to_string()))
        .unwrap_or_else(|| panic!("the report is in the export: {json}"));
    assert_eq!(report["description"], "Schlagloch Nr. 5");
    assert_eq!(report["contact_email"], "buergerin@example.org");
    assert_eq!(report["consent"], true);
    let config = device
        .municipality(&report_municipality(report))
        .expect("cached configuration");
    assert_eq!(
        report["consent_version"],
        json!(config.legal.notice_version),
        "the notice the citizen read is recorded with the consent"
    );
    let photo_name = format!("photos/{}.jpg", photo.hash.as_str());
    assert_eq!(report["photos"], json!([photo_name]));
    let mut exported = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name(&photo_name).expect("the photo"), &mut exported).expect("read");
    let local = std::fs::read(device.photo_path(&photo.hash)).expect("the photo on the device");
    assert_eq!(exported, local, "the photo as it was sent");
    assert!(zip.by_name("LIESMICH.txt").is_ok(), "a read-me explains the files");

    // Offline: a clear error, and no file.
    server.kill();
    let elsewhere = dir.path().join("offline");
    let err = device.export(&elsewhere).await.err();
    assert!(matches!(err, Some(ClientError::Offline { .. })), "{err:?}");
    assert!(std::fs::read_dir(&elsewhere).map(|d| d.count()).unwrap_or(0) == 0);
}

fn report_municipality(report: &Value) -> augenmerk_domain::Ags {
    augenmerk_domain::Ags::parse(report["municipality"].as_str().unwrap_or_default()).expect("an AGS")
}

#[tokio::test(flavor = "multi_thread")]
async fn erasing_everything_leaves_a_device_that_starts_afresh() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::client(&dir.path().join("server"));
    let data = dir.path().join("device");
    let device = client(&data, &server.url);
    device.sync(&SyncOptions::default()).await.expect("configuration");
    let photo = device.capture_photo(&jpeg(1200, 900, 29), &[]).expect("photo");
    let sent = device
        .create_report(pothole_draft(6, vec![photo.hash.clone()]))
        .expect("queued");
    device.sync(&SyncOptions::default()).await.expect("sent");
    // Another citizen's report, followed; and one report still in the outbox.
    let other = Cli::new(dir.path().join("other"), &server.url);
    other.ok(&["sync"]);
    let followed: ReportId = other.report_pothole(&[], "Loch am Radweg").parse().expect("id");
    other.ok(&["sync"]);
    device.follow_report(&followed).await.expect("follow");
    device.create_report(pothole_draft(7, vec![])).expect("queued");
    let old_token = device_token(&data).expect("registered");

    assert_eq!(
        device.erase_all().await.expect("erased"),
        2,
        "one on the server, one only here"
    );
    assert!(device.reports().expect("reports").is_empty());
    assert!(device.followed_reports().expect("follows").is_empty());
    assert!(!device.photo_path(&photo.hash).exists());
    assert_eq!(device_token(&data), None, "the registration is gone");
    let (status, _) = as_device(&server.url, &old_token, "/api/v1/sync?since=0").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old token is dead");
    // The municipality keeps the anonymous skeleton, without what the citizen wrote.
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    let kept = dispatcher.get(&format!("/api/v1/staff/reports/{sent}")).await;
    assert_ne!(kept["report"]["description"], "Schlagloch Nr. 6", "{kept}");
    assert_eq!(kept["report"]["photos"], json!([]), "{kept}");

    // Syncing on, the device stays unknown to the server until it has something to send,
    // and there is nothing to export.
    device.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(device_token(&data), None, "no registration without a reason");
    let nothing = device.export(&dir.path().join("export")).await;
    assert!(matches!(nothing, Err(ClientError::NothingSent)), "{nothing:?}");
    // The next report registers a new device and goes out.
    let next = device.create_report(pothole_draft(8, vec![])).expect("queued");
    let summary = device.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(summary.reports_sent, 1, "{summary:?}");
    assert_eq!(device.report(&next).expect("here").report.sync_state, SyncState::Sent);
    let new_token = device_token(&data).expect("registered anew");
    assert_ne!(new_token, old_token);
    // And with no registration at all, erasing works offline (nothing is on the server).
    let fresh = client(&dir.path().join("fresh"), "http://127.0.0.1:9");
    assert_eq!(fresh.erase_all().await.expect("nothing to erase"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_the_server_no_longer_knows_registers_anew() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::client(&dir.path().join("server"));
    let data = dir.path().join("device");
    let device = client(&data, &server.url);
    device.sync(&SyncOptions::default()).await.expect("configuration");
    let first = device.create_report(pothole_draft(9, vec![])).expect("queued");
    device.sync(&SyncOptions::default()).await.expect("sent");
    let old_token = device_token(&data).expect("registered");
    // The registration ends behind the device's back, as retention ends a device that
    // was not used for a long time.
    let gone = reqwest::Client::new()
        .delete(format!("{}/api/v1/me", server.url))
        .bearer_auth(&old_token)
        .send()
        .await
        .expect("DELETE");
    assert!(gone.status().is_success());

    // The export says so rather than handing over an empty file of a new registration.
    let expired = device.export(&dir.path().join("export")).await;
    assert!(matches!(expired, Err(ClientError::DeviceExpired)), "{expired:?}");
    let second = device.create_report(pothole_draft(10, vec![])).expect("queued");
    let summary = device.sync(&SyncOptions::default()).await.expect("sync recovers");
    assert_eq!(summary.reports_sent, 1, "{summary:?}");
    assert_ne!(device_token(&data).expect("registered anew"), old_token);
    assert_eq!(device.report(&second).expect("sent").report.sync_state, SyncState::Sent);
    assert_eq!(
        device.report(&first).expect("kept as history").report.sync_state,
        SyncState::Sent
    );
    // Requests outside a sync recover too.
    let other = Cli::new(dir.path().join("other"), &server.url);
    other.ok(&["sync"]);
    let followed: ReportId = other.report_pothole(&[], "Loch am Markt").parse().expect("id");
    other.ok(&["sync"]);
    let token = device_token(&data).expect("registered");
    reqwest::Client::new()
        .delete(format!("{}/api/v1/me", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("DELETE");
    device
        .follow_report(&followed)
        .await
        .expect("follow after registering anew");
    assert_ne!(device_token(&data), Some(token));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_line_exports_withdraws_and_forgets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::client(&dir.path().join("server"));
    let cli = Cli::new(dir.path().join("cli"), &server.url);
    cli.ok(&["sync"]);
    let kept = cli.report_pothole(&[], "Loch an der Ecke");
    let withdrawn = cli.report_pothole(&[], "Doch kein Loch");
    cli.ok(&["sync"]);

    let out = cli.json(&["withdraw", &withdrawn]);
    assert_eq!(out["outcome"], "withdrawn", "{out}");
    let text = cli.ok(&["withdraw", &cli.report_pothole(&[], "Nie gesendet")]);
    assert!(
        text.contains("nie verlassen / report deleted; it never left this device"),
        "{text}"
    );
    let ids: Vec<Value> = cli.list().iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, vec![json!(kept)]);

    let to = dir.path().join("export");
    let out = cli.json(&["export", "--to", to.to_str().expect("utf-8 path")]);
    let path = out["path"].as_str().expect("the path");
    assert!(
        Path::new(path).is_file() && path.starts_with(to.to_str().unwrap_or_default()),
        "{out}"
    );

    let refused = cli.fails(&["forget-me"]);
    assert!(refused.contains("--yes"), "{refused}");
    assert_eq!(cli.list().len(), 1, "nothing erased without --yes");
    let out = cli.json(&["forget-me", "--yes"]);
    assert_eq!(out["reports"], 1, "{out}");
    assert!(cli.list().is_empty());
    let unknown = cli.fails(&["withdraw", &kept]);
    assert!(unknown.contains("no such report"), "{unknown}");
}

#[tokio::test(flavor = "multi_thread")]
async fn erasure_by_e_mail_is_asked_for_and_a_bad_address_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::client(&dir.path().join("server"));
    let device = client(&dir.path().join("device"), &server.url);
    device
        .request_email_erasure("buergerin@example.org", Language::De)
        .await
        .expect("accepted");
    let bad = device.request_email_erasure("keine adresse", Language::En).await;
    assert!(
        matches!(&bad, Err(ClientError::Invalid(d)) if d.iter().any(|f| f.field == "email")),
        "{bad:?}"
    );
    server.kill();
    let offline = device
        .request_email_erasure("buergerin@example.org", Language::De)
        .await;
    assert!(matches!(offline, Err(ClientError::Offline { .. })), "{offline:?}");
}
