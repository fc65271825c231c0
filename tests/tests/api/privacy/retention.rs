//! The retention policy, applied by the daily job at a clock moved forward.

use chrono::{Duration, Utc};
use serde_json::json;

use augenmerk_server::privacy::retention;

use super::{audit, database_contains, every_view, marked_report, photo_on_disk, work_and_close};
use crate::helpers::{FLENSBURG, png, sha256_hex, spawn_app};

#[tokio::test]
async fn after_the_periods_contact_then_text_messages_and_photos_are_gone_and_statistics_still_count() {
    let app = spawn_app().await;
    // Content after 60 days (the device, a year without use, is still registered then).
    app.change_settings(FLENSBURG, |s| s["retention"]["content_days"] = json!(60))
        .await;
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let email = format!("frist-{}@example.org", uuid::Uuid::new_v4().simple());
    let (id, marker, photo) = marked_report(&app, &device, &email).await;
    work_and_close(&app, &staff, &device, &id, &marker).await;
    assert!(
        database_contains(&app, &marker) && database_contains(&app, &email),
        "the byte search finds text that is there"
    );
    assert!(photo_on_disk(&app, &photo));
    let stats_before = app.get("/api/v1/staff/stats", Some(&staff.token)).await.expect(200);

    // Before the period nothing happens.
    let done = retention::run(&app.state, Utc::now() + Duration::days(29))
        .await
        .expect("run");
    assert_eq!((done.contacts, done.contents), (0, 0));
    assert!(app.detail(&staff, &id).await["report"]["contact_email"].is_string());

    // 30 days after closing: the address goes, the rest stays.
    let done = retention::run(&app.state, Utc::now() + Duration::days(31))
        .await
        .expect("run");
    assert_eq!((done.contacts, done.contents), (1, 0), "{done:?}");
    let detail = app.detail(&staff, &id).await;
    assert!(detail["report"]["contact_email"].is_null(), "{detail}");
    assert!(detail.to_string().contains(&marker), "the text is kept for a year");
    assert!(
        !database_contains(&app, &email),
        "the address is not left in the database file"
    );
    assert!(!every_view(&app, &staff, &id).await.contains(&email));

    // 60 days: description, messages, notes and the photo go; the skeleton stays.
    let done = retention::run(&app.state, Utc::now() + Duration::days(61))
        .await
        .expect("run");
    assert_eq!(done.contents, 1, "{done:?}");
    let detail = app.detail(&staff, &id).await;
    let report = &detail["report"];
    assert_eq!(report["description"], "");
    assert_eq!(report["photos"], json!([]));
    assert_eq!(report["category"], "schlagloch");
    assert_eq!(report["status"], "closed");
    assert_eq!(
        report["answers"]["strassenart"], "gemeindestrasse",
        "choices stay for statistics"
    );
    assert!(report["location"]["lat"].is_number());
    assert_eq!(detail["messages"], json!([]), "{detail}");
    assert_eq!(detail["notes"], json!([]), "{detail}");
    assert!(!photo_on_disk(&app, &photo), "the photo file is deleted");
    app.get(&format!("/api/v1/blobs/{photo}"), Some(&device.token))
        .await
        .expect(404);
    assert!(!every_view(&app, &staff, &id).await.contains(&marker));
    // The link to the device is personal data too: the device no longer finds it.
    app.get(&format!("/api/v1/reports/{id}"), Some(&device.token))
        .await
        .expect(404);
    assert!(
        !database_contains(&app, &marker),
        "no free page or WAL frame keeps the text"
    );

    // Audited, with the reason and without what was removed.
    let removed: Vec<_> = audit(&app, &staff, &id)
        .await
        .into_iter()
        .filter(|e| e["action"]["type"] == "personal_data_removed")
        .collect();
    assert_eq!(removed.len(), 2, "{removed:?}");
    assert_eq!(removed[0]["action"]["scope"], "contact");
    assert_eq!(removed[1]["action"]["scope"], "content");
    assert_eq!(removed[1]["action"]["reason"], "retention");
    assert_eq!(removed[1]["actor"]["kind"], "system");

    // Statistics count the report as before.
    let stats_after = app.get("/api/v1/staff/stats", Some(&staff.token)).await.expect(200);
    assert_eq!(stats_after["total"], stats_before["total"], "{stats_after}");
    let csv = app.get("/api/v1/staff/reports.csv", Some(&staff.token)).await.text();
    assert!(
        csv.contains(&id[..8].to_ascii_uppercase()) || csv.contains(&id),
        "the CSV still lists it"
    );

    // A second run changes nothing.
    let again = retention::run(&app.state, Utc::now() + Duration::days(90))
        .await
        .expect("run");
    assert_eq!((again.contacts, again.contents), (0, 0));
    assert_eq!(
        audit(&app, &staff, &id)
            .await
            .iter()
            .filter(|e| e["action"]["type"] == "personal_data_removed")
            .count(),
        2
    );
}

#[tokio::test]
async fn a_municipality_with_shorter_periods_erases_sooner_and_open_reports_are_kept() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    app.change_settings(FLENSBURG, |s| {
        s["retention"] = json!({"contact_days": 0, "content_days": 7, "device_inactive_days": 90});
    })
    .await;
    let device = app.device().await;
    let (closed, marker, _) = marked_report(&app, &device, "kurz@example.org").await;
    let (open, open_marker, _) = marked_report(&app, &device, "offen@example.org").await;
    work_and_close(&app, &admin, &device, &closed, &marker).await;

    let done = retention::run(&app.state, Utc::now() + Duration::days(8))
        .await
        .expect("run");
    assert_eq!(done.contents, 1, "{done:?}");
    assert!(!app.detail(&admin, &closed).await.to_string().contains(&marker));
    let open_view = app.detail(&admin, &open).await;
    assert!(
        open_view.to_string().contains(&open_marker),
        "an open report keeps everything"
    );
    assert_eq!(open_view["report"]["contact_email"], "offen@example.org");
}

#[tokio::test]
async fn unused_photos_go_after_24_hours_and_idle_devices_expire() {
    let app = spawn_app().await;
    let device = app.device().await;
    let photo = png(31, 29);
    let hash = sha256_hex(&photo);
    app.put_blob(&device.token, &hash, photo).await.expect(201);
    let (_, _, attached) = marked_report(&app, &device, "foto@example.org").await;

    let done = retention::run(&app.state, Utc::now() + Duration::hours(23))
        .await
        .expect("run");
    assert_eq!(done.photos, 0);
    assert!(photo_on_disk(&app, &hash));

    let done = retention::run(&app.state, Utc::now() + Duration::hours(25))
        .await
        .expect("run");
    assert_eq!(done.photos, 1, "{done:?}");
    assert!(!photo_on_disk(&app, &hash), "the unused photo's file is deleted");
    assert!(photo_on_disk(&app, &attached), "a photo of a report stays");
    assert_eq!(done.devices, 0);

    // A year without any request: the registration expires, its token stops working.
    let done = retention::run(&app.state, Utc::now() + Duration::days(366))
        .await
        .expect("run");
    assert_eq!(done.devices, 1, "{done:?}");
    app.get("/api/v1/reports", Some(&device.token)).await.expect(401);
}

#[tokio::test]
async fn the_daily_run_is_scheduled_claimed_once_and_moves_to_the_next_night() {
    let app = spawn_app().await;
    let device = app.device().await;
    let photo = png(33, 21);
    let hash = sha256_hex(&photo);
    app.put_blob(&device.token, &hash, photo).await.expect(201);
    let now = Utc::now();

    // A server's first look only schedules the run (no run at whatever hour it started).
    retention::run_due(&app.state, now).await.expect("first look");
    let first = app
        .state
        .store
        .next_run(retention::SCHEDULE)
        .await
        .expect("read")
        .expect("scheduled");
    assert!(
        first > now && first - now <= Duration::days(1),
        "the next night: {first}"
    );
    assert!(photo_on_disk(&app, &hash));

    // Two days later, two instances look at once: the run happens, and the schedule
    // moves to the night after.
    let later = now + Duration::days(2);
    let (a, b) = tokio::join!(
        retention::run_due(&app.state, later),
        retention::run_due(&app.state, later)
    );
    a.expect("instance a");
    b.expect("instance b");
    assert!(!photo_on_disk(&app, &hash), "the run deleted the unused photo");
    let next = app
        .state
        .store
        .next_run(retention::SCHEDULE)
        .await
        .expect("read")
        .expect("scheduled");
    assert!(next > later && next - later <= Duration::days(1), "{next}");
}
