//! Areas imported from a GeoJSON file: the 41 statistical districts of Flensburg, by
//! their own ids or by ids made from their names; broken files change nothing.

use serde_json::json;

use crate::helpers::{FLENSBURG, TestApp, spawn_app};

const BEZIRKE: &str = include_str!("../../../data/geo/flensburg-statistische-bezirke.geojson");

async fn import(app: &TestApp, token: &str, query: &str, body: &str) -> crate::helpers::Reply {
    app.send(
        app.request(
            reqwest::Method::POST,
            &format!("/api/v1/staff/config/areas/import{query}"),
            Some(token),
        )
        .header("content-type", "application/geo+json")
        .body(body.to_owned()),
    )
    .await
}

#[tokio::test]
async fn an_admin_imports_districts_from_geojson_and_rules_can_use_them() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let before = app
        .get("/api/v1/staff/config/areas", Some(&admin.token))
        .await
        .expect(200);
    let imported = import(&app, &admin.token, "?id_property=id", BEZIRKE).await.expect(200);
    assert_eq!(imported.as_array().map(Vec::len), Some(41));
    assert!(
        imported
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["id"] == "stbz011" && x["name"] == "St. Nikolai")),
        "{imported}"
    );
    let after = app
        .get("/api/v1/staff/config/areas", Some(&admin.token))
        .await
        .expect(200);
    assert_eq!(
        after.as_array().map(Vec::len),
        before.as_array().map(|b| b.len() + 41),
        "added beside the Stadtteile"
    );
    // By name: ids made from the names.
    let by_name = import(&app, &admin.token, "", BEZIRKE).await.expect(200);
    assert!(
        by_name
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["id"] == "st-nikolai")),
        "{by_name}"
    );

    // The dry run sees the new areas at a point in St. Nikolai.
    let dry = app
        .post(
            "/api/v1/staff/rules/dry-run",
            Some(&admin.token),
            &json!({"sample": {"category": "papierkorb", "answers": {}, "location": {"lat": 54.7822, "lon": 9.4357}}}),
        )
        .await
        .expect(200);
    assert!(
        dry["areas"]
            .as_array()
            .is_some_and(|a| a.contains(&json!("stbz011")) && a.contains(&json!("st-nikolai"))),
        "{}",
        dry["areas"]
    );
}

#[tokio::test]
async fn broken_files_and_other_roles_change_nothing() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let before = app
        .get("/api/v1/staff/config/areas", Some(&admin.token))
        .await
        .expect(200);
    import(&app, &admin.token, "", "{kein json")
        .await
        .expect_field_error("body", "invalid_geojson");
    let empty = import(&app, &admin.token, "", r#"{"type":"FeatureCollection","features":[]}"#)
        .await
        .expect_field_error("body", "invalid_geojson");
    assert!(
        empty["context"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("no features")),
        "{empty}"
    );
    import(&app, &admin.token, "?name_property=gibtsnicht", BEZIRKE)
        .await
        .expect_field_error("body", "invalid_geojson");
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    import(&app, &dispatcher.token, "", BEZIRKE)
        .await
        .expect_error(403, "forbidden");
    let after = app
        .get("/api/v1/staff/config/areas", Some(&admin.token))
        .await
        .expect(200);
    assert_eq!(before, after);
}
