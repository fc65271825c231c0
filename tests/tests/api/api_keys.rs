//! Open311 API keys: issued by a municipality's admin, shown once, listed without the
//! secret, revoked; other roles and other municipalities cannot touch them.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{FLENSBURG, KIEL, spawn_app};

#[tokio::test]
async fn an_admin_issues_lists_and_revokes_keys_of_the_own_municipality_only() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let issued = app
        .post(
            "/api/v1/staff/config/api-keys",
            Some(&admin.token),
            &json!({"name": "Bürger-App der Stadtwerke", "media_hosts": ["Fotos.Example.org"]}),
        )
        .await
        .expect(201);
    let secret = issued["api_key"].as_str().expect("secret").to_owned();
    assert!(secret.len() >= 40, "a long random secret");
    assert_eq!(issued["key"]["municipality"], FLENSBURG);
    assert_eq!(issued["key"]["media_hosts"], json!(["fotos.example.org"]));
    let id = issued["key"]["id"].as_str().expect("id").to_owned();

    let listed = app.get("/api/v1/staff/config/api-keys", Some(&admin.token)).await;
    let body = listed.expect(200);
    assert_eq!(body.as_array().map(Vec::len), Some(1));
    assert_eq!(body[0]["name"], "Bürger-App der Stadtwerke");
    assert!(!listed.text().contains(&secret), "the secret is never shown again");

    // Not for dispatchers, not for another municipality's admin.
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    app.get("/api/v1/staff/config/api-keys", Some(&dispatcher.token))
        .await
        .expect_error(403, "forbidden");
    let kiel = app.login(KIEL, "admin").await;
    assert_eq!(
        app.get("/api/v1/staff/config/api-keys", Some(&kiel.token))
            .await
            .expect(200),
        json!([])
    );
    let path = format!("/api/v1/staff/config/api-keys/{id}");
    app.send(app.request(Method::DELETE, &path, Some(&kiel.token)))
        .await
        .expect_error(404, "not_found");

    let revoked = app.send(app.request(Method::DELETE, &path, Some(&admin.token))).await;
    assert_eq!(revoked.status.as_u16(), 204);
    let body = app
        .get("/api/v1/staff/config/api-keys", Some(&admin.token))
        .await
        .expect(200);
    assert!(body[0]["revoked_at"].is_string(), "{body}");
}

#[tokio::test]
async fn a_key_needs_a_name_and_bare_media_host_names() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    app.post(
        "/api/v1/staff/config/api-keys",
        Some(&admin.token),
        &json!({"name": "  "}),
    )
    .await
    .expect_field_error("name", "required");
    app.post(
        "/api/v1/staff/config/api-keys",
        Some(&admin.token),
        &json!({"name": "App", "media_hosts": ["https://evil.example/*"]}),
    )
    .await
    .expect_field_error("media_hosts", "not_a_host_name");
    app.post("/api/v1/staff/config/api-keys", None, &json!({"name": "App"}))
        .await
        .expect_error(401, "unauthorized");
}
