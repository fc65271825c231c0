//! The retention policy and the notices as the admin edits them and citizens read them.

use serde_json::json;

use crate::helpers::{FLENSBURG, spawn_app};

#[tokio::test]
async fn the_admin_edits_policy_and_notice_and_citizens_read_the_rendered_version() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let public = app
        .get(&format!("/api/v1/municipalities/{FLENSBURG}/config"), None)
        .await
        .expect(200);
    let legal = &public["legal"];
    let version = legal["notice_version"].as_u64().expect("version");
    assert!(
        legal["privacy_notice"]["de"]
            .as_str()
            .is_some_and(|t| t.contains("30 Tage nach Abschluss"))
    );
    assert!(
        legal["privacy_notice"]["en"]
            .as_str()
            .is_some_and(|t| t.contains("30 days after"))
    );
    assert!(
        legal["privacy_notice"]["de"]
            .as_str()
            .is_some_and(|t| t.contains("Unabhängiges Landeszentrum"))
    );
    assert!(legal["imprint"]["de"].as_str().is_some_and(|t| t.contains("Impressum")));
    assert_eq!(legal["retention"]["content_days"], 365);
    assert_eq!(legal["unused_photo_hours"], 24);

    let mut settings = app
        .get("/api/v1/staff/config/settings", Some(&admin.token))
        .await
        .expect(200);
    // Out of bounds and unknown placeholders are refused, field by field.
    let mut bad = settings.clone();
    bad["retention"] = json!({"contact_days": 99999, "content_days": 0, "device_inactive_days": 365});
    bad["legal"]["privacy_notice"]["de"] = json!("Wir löschen nach {kontakt_tage} Tagen.");
    let reply = app.put("/api/v1/staff/config/settings", Some(&admin.token), &bad).await;
    reply.expect_field_error("retention.contact_days", "out_of_range");
    reply.expect_field_error("retention.content_days", "out_of_range");
    reply.expect_field_error("legal.privacy_notice.de", "unknown_placeholder");
    app.put(
        "/api/v1/staff/config/settings",
        Some(&admin.token),
        &json!({"working_hours": 1}),
    )
    .await
    .expect(400);

    // A shorter period changes the rendered notice: a new version.
    settings["retention"]["contact_days"] = json!(14);
    settings["legal"]["imprint"]["de"] = json!("# Impressum\n\nStadt {municipality}, Rathausplatz 1.");
    settings["legal"]["notice_version"] = json!(999);
    let saved = app
        .put("/api/v1/staff/config/settings", Some(&admin.token), &settings)
        .await
        .expect(200);
    assert_eq!(
        saved["legal"]["notice_version"].as_u64(),
        Some(version + 1),
        "the server counts: {saved}"
    );
    let public = app
        .get(&format!("/api/v1/municipalities/{FLENSBURG}/config"), None)
        .await
        .expect(200);
    assert!(
        public["legal"]["privacy_notice"]["de"]
            .as_str()
            .is_some_and(|t| t.contains("14 Tage nach Abschluss"))
    );
    assert_eq!(
        public["legal"]["imprint"]["de"],
        "# Impressum\n\nStadt Flensburg, Rathausplatz 1."
    );
    // Saving the same again keeps the version.
    let again = app
        .put("/api/v1/staff/config/settings", Some(&admin.token), &saved)
        .await
        .expect(200);
    assert_eq!(again["legal"]["notice_version"], saved["legal"]["notice_version"]);
    // The dispatcher cannot change it.
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    app.put("/api/v1/staff/config/settings", Some(&dispatcher.token), &saved)
        .await
        .expect(403);
}

#[tokio::test]
async fn a_report_records_the_notice_version_it_was_sent_under() {
    let app = spawn_app().await;
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let mut r = crate::helpers::pothole();
    r["notice_version"] = json!(3);
    let id = crate::helpers::id_of(&r);
    app.submit_ok(&device, &r).await;
    assert_eq!(app.detail(&staff, &id).await["report"]["consent_version"], 3);
}
