//! Erasure requests executed by staff with the privacy role, the erasure log, and
//! the borders of that role and of the municipality.

use serde_json::json;

use super::{database_contains, marked_report};
use crate::helpers::{FLENSBURG, KIEL, PASSWORD, Staff, TestApp, spawn_app};

/// Creates a privacy officer in a municipality and logs them in.
async fn privacy_officer(app: &TestApp, ags: &str) -> Staff {
    let admin = app.login(ags, "admin").await;
    let username = format!("dsb-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    app.post(
        "/api/v1/staff/config/users",
        Some(&admin.token),
        &json!({"username": username, "display_name": "Datenschutz Test", "password": PASSWORD,
                "role": "privacy_officer"}),
    )
    .await
    .expect(201);
    app.login(ags, &username).await
}

#[tokio::test]
async fn a_privacy_officer_executes_a_written_request_in_the_own_municipality_only() {
    let app = spawn_app().await;
    let officer = privacy_officer(&app, FLENSBURG).await;
    let kiel_officer = privacy_officer(&app, KIEL).await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let device = app.device().await;
    let email = format!("Antrag-{}@Example.org", uuid::Uuid::new_v4().simple());
    let (id, marker, _) = marked_report(&app, &device, &email).await;
    let (second, _, _) = marked_report(&app, &device, &email.to_lowercase()).await;

    // The role sees no cases; the other roles cannot execute requests.
    app.get("/api/v1/staff/reports", Some(&officer.token)).await.expect(403);
    app.get(
        &format!("/api/v1/staff/privacy/reports?email={email}"),
        Some(&dispatcher.token),
    )
    .await
    .expect(403);
    app.get("/api/v1/me", Some(&officer.token)).await.expect(200);

    // Another municipality finds nothing and erases nothing.
    let found = app
        .get(
            &format!("/api/v1/staff/privacy/reports?email={email}"),
            Some(&kiel_officer.token),
        )
        .await
        .expect(200);
    assert_eq!(found, json!([]));
    let none = app
        .post(
            "/api/v1/staff/privacy/erasures",
            Some(&kiel_officer.token),
            &json!({"email": email, "reference": "Schreiben vom 1.12."}),
        )
        .await
        .expect(200);
    assert_eq!(none["reports"], 0);
    assert!(app.detail(&dispatcher, &id).await.to_string().contains(&marker));

    // The own municipality: both reports, whatever the case of the address.
    let found = app
        .get(
            &format!("/api/v1/staff/privacy/reports?email={}", email.to_uppercase()),
            Some(&officer.token),
        )
        .await
        .expect(200);
    let ids: Vec<&str> = found
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(ids.contains(&id.as_str()) && ids.contains(&second.as_str()), "{found}");
    app.post(
        "/api/v1/staff/privacy/erasures",
        Some(&officer.token),
        &json!({"email": email, "reference": ""}),
    )
    .await
    .expect_field_error("reference", "required_max_200");
    let done = app
        .post(
            "/api/v1/staff/privacy/erasures",
            Some(&officer.token),
            &json!({"email": email, "reference": "Schreiben vom 3.12.2026, Az. 12-3"}),
        )
        .await
        .expect(200);
    assert_eq!(done["reports"], 2);
    let detail = app.detail(&dispatcher, &id).await;
    assert!(!detail.to_string().contains(&marker), "{detail}");
    assert!(!database_contains(&app, &marker));
    let removed = detail["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .find(|e| e["action"]["type"] == "personal_data_removed")
        .cloned()
        .expect("audited");
    assert_eq!(removed["action"]["reason"], "staff_request");
    assert_eq!(removed["actor"]["name"], officer.name.as_str());

    let log = app
        .get("/api/v1/staff/privacy/log", Some(&officer.token))
        .await
        .expect(200);
    let entry = &log[0];
    assert_eq!(entry["reason"], "staff_request");
    assert_eq!(entry["reports"], 2);
    assert_eq!(entry["reference"], "Schreiben vom 3.12.2026, Az. 12-3");
    assert_eq!(entry["staff_name"], officer.name.as_str());
    assert!(
        !log.to_string().to_lowercase().contains(&email.to_lowercase()),
        "the log keeps no address"
    );
    let kiel_log = app
        .get("/api/v1/staff/privacy/log", Some(&kiel_officer.token))
        .await
        .expect(200);
    assert!(!kiel_log.to_string().contains("Az. 12-3"), "{kiel_log}");
}
