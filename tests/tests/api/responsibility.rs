//! The statewide responsibility finder, through `GET /api/v1/responsibility` and through
//! intake: the location alone decides which municipality gets a report.

use serde_json::{Value, json};

use crate::helpers::{
    DENMARK, FLENSBURG, FOERDE, KIEL, KIEL_RATHAUS, NEUMUENSTER, SUEDERMARKT, TestApp, pothole, report, spawn_app,
};

async fn responsibility(app: &TestApp, (lat, lon): (f64, f64)) -> crate::helpers::Reply {
    app.get(&format!("/api/v1/responsibility?lat={lat}&lon={lon}"), None)
        .await
}

fn pothole_at(place: (f64, f64)) -> Value {
    report("schlagloch", json!({"gefahr_akut": false}), place)
}

#[tokio::test]
async fn kiel_rathaus_belongs_to_kiel_by_lookup_and_by_intake() {
    let app = spawn_app().await;
    let found = responsibility(&app, KIEL_RATHAUS).await.expect(200);
    assert_eq!(found["ags"], KIEL);
    assert_eq!(found["name"], "Kiel");
    assert_eq!(found["active"], true);
    assert_eq!(found["distance_m"], 0.0);

    let device = app.device().await;
    let stored = app.submit_ok(&device, &pothole_at(KIEL_RATHAUS)).await;
    assert_eq!(stored["municipality"], KIEL);
    assert_eq!(stored["municipality_name"], "Kiel");
    // Kiel's staff see it, Flensburg's do not.
    let kiel = app.login(KIEL, "dispatcher").await;
    let flensburg = app.login(FLENSBURG, "dispatcher").await;
    assert_eq!(app.inbox_total(&kiel).await, 1);
    assert_eq!(app.inbox_total(&flensburg).await, 0);
}

#[tokio::test]
async fn neumuenster_is_known_but_neither_served_nor_in_the_directory() {
    let app = spawn_app().await;
    let found = responsibility(&app, NEUMUENSTER).await.expect(200);
    assert_eq!(found["ags"], "01004000");
    assert_eq!(found["name"], "Neumünster", "{found}");
    assert_eq!(found["active"], false);
    assert_eq!(found["delivery"]["kind"], "refused", "{found}");

    let device = app.device().await;
    let r = pothole_at(NEUMUENSTER);
    let body = app.submit(&device, &r).await.expect_error(422, "outside_service_area");
    assert_eq!(body["context"]["responsible"]["ags"], "01004000", "{body}");
    assert_eq!(body["context"]["responsible"]["name"], "Neumünster", "{body}");
    assert_eq!(
        body["context"]["reason"], "municipality does not take reports on this server",
        "{body}"
    );
    app.get(
        &format!("/api/v1/reports/{}", r["id"].as_str().unwrap()),
        Some(&device.token),
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn suedermarkt_belongs_to_flensburg_and_lies_in_the_altstadt() {
    let app = spawn_app().await;
    let found = responsibility(&app, SUEDERMARKT).await.expect(200);
    assert_eq!(found["ags"], FLENSBURG);
    assert_eq!(found["name"], "Flensburg");
    assert_eq!(found["active"], true);
    assert_eq!(found["distance_m"], 0.0);

    let device = app.device().await;
    let stored = app.submit_ok(&device, &pothole_at(SUEDERMARKT)).await;
    assert_eq!(stored["municipality"], FLENSBURG);

    let staff = app.login(FLENSBURG, "dispatcher").await;
    let dry = app
        .dry_run(&staff, &json!({"report_id": stored["id"]}))
        .await
        .expect(200);
    assert_eq!(dry["areas"], json!(["altstadt"]), "{dry}");
}

#[tokio::test]
async fn foerde_point_belongs_to_flensburg_within_the_tolerance() {
    let app = spawn_app().await;
    let found = responsibility(&app, FOERDE).await.expect(200);
    assert_eq!(found["ags"], FLENSBURG);
    let distance = found["distance_m"].as_f64().expect("distance");
    assert!(
        distance > 0.0 && distance <= 500.0,
        "outside the boundary, within 500 m: {found}"
    );

    let device = app.device().await;
    let stored = app.submit_ok(&device, &pothole_at(FOERDE)).await;
    assert_eq!(stored["municipality"], FLENSBURG);
}

#[tokio::test]
async fn denmark_is_outside_the_service_area_and_names_gluecksburg_as_nearest() {
    let app = spawn_app().await;
    let body = responsibility(&app, DENMARK)
        .await
        .expect_error(422, "outside_service_area");
    assert_eq!(body["context"]["nearest"]["name"], "Glücksburg (Ostsee)", "{body}");
    assert!(
        body["context"]["distance_m"].as_f64().is_some_and(|d| d > 500.0),
        "{body}"
    );

    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let r = pothole_at(DENMARK);
    let body = app.submit(&device, &r).await.expect_error(422, "outside_service_area");
    assert_eq!(body["context"]["nearest"]["name"], "Glücksburg (Ostsee)", "{body}");
    crate::intake_validation::assert_nothing_stored(&app, &device, &staff, r["id"].as_str().unwrap(), 0).await;
}

#[tokio::test]
async fn a_claimed_municipality_that_is_not_responsible_is_422() {
    let app = spawn_app().await;
    let device = app.device().await;
    let mut r = pothole();
    r["municipality"] = json!(KIEL);
    let body = app
        .submit(&device, &r)
        .await
        .expect_field_error("municipality", "location_outside_municipality");
    assert_eq!(body["context"]["responsible"]["ags"], FLENSBURG);
}

#[tokio::test]
async fn responsibility_with_coordinates_out_of_range_is_422() {
    let app = spawn_app().await;
    responsibility(&app, (95.0, 9.4))
        .await
        .expect_field_error("location.lat", "out_of_range");
}
