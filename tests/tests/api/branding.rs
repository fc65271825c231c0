//! A municipality's own look: the admin sets an accent colour and a logo; unreadable
//! colours and logos that are not image data are refused; citizens get both with the
//! configuration, other municipalities are untouched.

use serde_json::json;

use crate::helpers::{FLENSBURG, KIEL, spawn_app};

const LOGO: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

#[tokio::test]
async fn the_admin_brands_the_municipality_and_citizens_see_it() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let mut settings = app
        .get("/api/v1/staff/config/settings", Some(&admin.token))
        .await
        .expect(200);

    // Too light for white text on buttons (WCAG AA), or not a colour at all: refused.
    settings["accent_color"] = json!("#ffd700");
    app.put("/api/v1/staff/config/settings", Some(&admin.token), &settings)
        .await
        .expect_field_error("accent_color", "low_contrast");
    settings["accent_color"] = json!("red; background: url(https://tracker.example/x)");
    app.put("/api/v1/staff/config/settings", Some(&admin.token), &settings)
        .await
        .expect_field_error("accent_color", "invalid_colour");
    // A logo from elsewhere would make every citizen's device ask a third party.
    settings["accent_color"] = json!("#7a1f3d");
    settings["logo"] = json!("https://tracker.example/logo.png");
    app.put("/api/v1/staff/config/settings", Some(&admin.token), &settings)
        .await
        .expect_field_error("logo", "invalid_data_url");
    let config = app
        .get(&format!("/api/v1/municipalities/{FLENSBURG}/config"), None)
        .await
        .expect(200);
    assert_eq!(config["accent_color"], json!(null), "nothing refused was stored");

    settings["logo"] = json!(LOGO);
    app.put("/api/v1/staff/config/settings", Some(&admin.token), &settings)
        .await
        .expect(200);
    let config = app
        .get(&format!("/api/v1/municipalities/{FLENSBURG}/config"), None)
        .await
        .expect(200);
    assert_eq!(config["accent_color"], "#7a1f3d");
    assert_eq!(config["logo"], LOGO);

    let kiel = app
        .get(&format!("/api/v1/municipalities/{KIEL}/config"), None)
        .await
        .expect(200);
    assert_eq!(kiel["accent_color"], json!(null));
    assert!(kiel.get("logo").is_none(), "{kiel}");
}
