//! "Already reported?": a citizen about to report sees open reports of the same category
//! near the place — without their description, photos or messages — and nothing of other
//! categories, of closed reports or from far away.

use serde_json::json;

use crate::helpers::{FLENSBURG, MUERWIK, SUEDERMARKT, Submitted, id_of, report, spawn_app};

#[tokio::test]
async fn open_reports_of_the_category_nearby_are_offered() {
    let app = spawn_app().await;
    let Submitted {
        device: first,
        report: pothole,
        ..
    } = app.submitted_pothole().await;
    let litter = report("papierkorb", json!({}), MUERWIK);
    app.submit_ok(&first, &litter).await;

    // Another citizen, about 50 m away, picks the same category.
    let second = app.device().await;
    let (lat, lon) = (MUERWIK.0 + 0.00045, MUERWIK.1);
    let found = app
        .get(
            &format!("/api/v1/reports/nearby?lat={lat}&lon={lon}&category=schlagloch"),
            Some(&second.token),
        )
        .await
        .expect(200);
    let list = found.as_array().expect("a list");
    assert_eq!(list.len(), 1, "only the pothole: {found}");
    let offered = &list[0];
    assert_eq!(offered["id"], id_of(&pothole).as_str());
    assert_eq!(offered["status"], "assigned");
    let distance = offered["distance_m"].as_f64().expect("distance");
    assert!((40.0..60.0).contains(&distance), "about 50 m: {distance}");
    for private in [
        "description",
        "photos",
        "messages",
        "contact_email",
        "answers",
        "address_hint",
    ] {
        assert!(offered.get(private).is_none(), "{private} is not offered: {offered}");
    }

    // Far away (the town centre, 4 km) or another category: nothing.
    let far = app
        .get(
            &format!(
                "/api/v1/reports/nearby?lat={}&lon={}&category=schlagloch",
                SUEDERMARKT.0, SUEDERMARKT.1
            ),
            Some(&second.token),
        )
        .await
        .expect(200);
    assert_eq!(far, json!([]));
    let other = app
        .get(
            &format!("/api/v1/reports/nearby?lat={lat}&lon={lon}&category=leuchte_aus"),
            Some(&second.token),
        )
        .await
        .expect(200);
    assert_eq!(other, json!([]));

    // Once resolved, it is no longer offered.
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let id = id_of(&pothole);
    for to in ["in_progress", "resolved"] {
        app.post(
            &format!("/api/v1/staff/reports/{id}/transition"),
            Some(&staff.token),
            &json!({"to": to, "public_comment": "Erledigt."}),
        )
        .await
        .expect(200);
    }
    let after = app
        .get(
            &format!("/api/v1/reports/nearby?lat={lat}&lon={lon}&category=schlagloch"),
            Some(&second.token),
        )
        .await
        .expect(200);
    assert_eq!(after, json!([]));
}

#[tokio::test]
async fn bad_places_categories_and_missing_devices_are_refused() {
    let app = spawn_app().await;
    let device = app.device().await;
    app.get("/api/v1/reports/nearby?lat=54.81&lon=9.48&category=schlagloch", None)
        .await
        .expect_error(401, "unauthorized");
    app.get(
        "/api/v1/reports/nearby?lat=95&lon=9.48&category=schlagloch",
        Some(&device.token),
    )
    .await
    .expect_error(422, "validation_failed");
    app.get(
        "/api/v1/reports/nearby?lat=54.81&lon=9.48&category=Not%20a%20slug",
        Some(&device.token),
    )
    .await
    .expect_error(422, "validation_failed");
    app.get("/api/v1/reports/nearby?lat=54.81", Some(&device.token))
        .await
        .expect_error(400, "malformed_request");
    // In the sea far from any municipality.
    app.get(
        "/api/v1/reports/nearby?lat=55.5&lon=8.0&category=schlagloch",
        Some(&device.token),
    )
    .await
    .expect_error(422, "outside_service_area");
}
