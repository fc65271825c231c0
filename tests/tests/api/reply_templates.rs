//! Reply templates (Textbausteine): configured by the admin, refused with unknown
//! placeholders, filled in for a report.

use serde_json::json;

use crate::helpers::{FLENSBURG, KIEL, id_of, pothole, spawn_app};

#[tokio::test]
async fn templates_are_filled_in_for_a_report_and_checked_when_saved() {
    let app = spawn_app().await;
    let device = app.device().await;
    let mut r = pothole();
    r["address_hint"] = json!("Mürwiker Straße 12");
    app.submit_ok(&device, &r).await;
    let id = id_of(&r);
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let filled = app
        .get(
            &format!("/api/v1/staff/reports/{id}/reply-templates"),
            Some(&staff.token),
        )
        .await
        .expect(200);
    let list = filled.as_array().expect("templates");
    assert_eq!(list.len(), 3, "{filled}");
    let receipt = list.iter().find(|t| t["id"] == "eingang").expect("Eingangsbestätigung");
    let body = receipt["body"].as_str().expect("body");
    assert!(
        body.contains(&id[..8]) && body.contains("Schlagloch / Fahrbahnschaden") && body.contains("Tiefbau"),
        "{body}"
    );
    let done = list.iter().find(|t| t["id"] == "erledigt").expect("Erledigt");
    assert!(
        done["body"]
            .as_str()
            .is_some_and(|b| b.contains("Mürwiker Straße 12") && b.contains("Flensburg"))
    );
    assert!(!filled.to_string().contains("{{"), "no placeholder left: {filled}");

    // Another municipality's staff cannot use them on this report.
    let kiel = app.login(KIEL, "dispatcher").await;
    app.get(
        &format!("/api/v1/staff/reports/{id}/reply-templates"),
        Some(&kiel.token),
    )
    .await
    .expect_error(404, "not_found");

    // The admin edits them; an unknown placeholder is refused, nothing changes.
    let admin = app.login(FLENSBURG, "admin").await;
    let mut settings = app
        .get("/api/v1/staff/config/settings", Some(&admin.token))
        .await
        .expect(200);
    settings["reply_templates"] = json!([{"id": "gruss", "name": "Gruß", "body": "Hallo {{vorname}}!"}]);
    app.put("/api/v1/staff/config/settings", Some(&admin.token), &settings)
        .await
        .expect_field_error("reply_templates[0].body", "unknown_placeholder:vorname");
    settings["reply_templates"] =
        json!([{"id": "gruss", "name": "Gruß", "body": "Moin aus {{gemeinde}}, Meldung {{nummer}}: {{status}}."}]);
    app.put("/api/v1/staff/config/settings", Some(&admin.token), &settings)
        .await
        .expect(200);
    let filled = app
        .get(
            &format!("/api/v1/staff/reports/{id}/reply-templates"),
            Some(&staff.token),
        )
        .await
        .expect(200);
    assert_eq!(
        filled[0]["body"],
        format!("Moin aus Flensburg, Meldung {}: Zugewiesen.", &id[..8])
    );
}
