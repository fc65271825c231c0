//! A municipality's boundary uploaded by its admin: the check answers what would be
//! stored and changes nothing; the replacement places reports by the new line at once;
//! a file for another Gemeinde is refused naming the field; other roles may not.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{FLENSBURG, KIEL, Reply, TestApp, spawn_app};

/// Far north of Flensburg, in Denmark: in no Gemeinde, farther than the tolerance.
const NORTH: (f64, f64) = (55.0, 9.5);

fn reaching_north(ags: &str) -> String {
    let ring = json!([
        [9.35, 54.74],
        [9.55, 54.74],
        [9.55, 55.05],
        [9.35, 55.05],
        [9.35, 54.74]
    ]);
    json!({"type": "Feature", "properties": {"AGS": ags}, "geometry": {"type": "Polygon", "coordinates": [ring]}})
        .to_string()
}

async fn upload(app: &TestApp, method: Method, path: &str, token: &str, body: String) -> Reply {
    app.send(
        app.request(method, path, Some(token))
            .header("content-type", "application/geo+json")
            .body(body),
    )
    .await
}

#[tokio::test]
async fn a_checked_boundary_changes_nothing_until_it_is_confirmed() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let north = format!("/api/v1/responsibility?lat={}&lon={}", NORTH.0, NORTH.1);
    app.get(&north, None).await.expect(422);

    let checked = upload(
        &app,
        Method::POST,
        "/api/v1/staff/config/boundary/check",
        &admin.token,
        reaching_north(FLENSBURG),
    )
    .await
    .expect(200);
    assert_eq!(checked[0]["ags"], FLENSBURG, "{checked}");
    assert_eq!(checked[0]["name"], "Flensburg", "the name stays: {checked}");
    assert_eq!(checked[0]["boundary"]["type"], "Polygon", "{checked}");
    app.get(&north, None).await.expect(422);

    upload(
        &app,
        Method::PUT,
        "/api/v1/staff/config/boundary",
        &admin.token,
        reaching_north(FLENSBURG),
    )
    .await
    .expect(200);
    let found = app.get(&north, None).await.expect(200);
    assert_eq!(found["ags"], FLENSBURG, "{found}");
}

#[tokio::test]
async fn another_gemeindes_file_and_other_roles_are_refused() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    upload(
        &app,
        Method::PUT,
        "/api/v1/staff/config/boundary",
        &admin.token,
        reaching_north(KIEL),
    )
    .await
    .expect_field_error("features.0.properties.AGS", "not_served_here");
    upload(
        &app,
        Method::POST,
        "/api/v1/staff/config/boundary/check",
        &admin.token,
        "{".into(),
    )
    .await
    .expect_field_error("body", "invalid_geojson");
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    upload(
        &app,
        Method::PUT,
        "/api/v1/staff/config/boundary",
        &dispatcher.token,
        reaching_north(FLENSBURG),
    )
    .await
    .expect_error(403, "forbidden");
}
