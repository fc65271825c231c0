//! Isolation and access: another municipality's staff, a field worker of another
//! department and another device get 404 (the report does not exist for them); missing,
//! garbage or ended tokens get 401; configuration needs the admin role (403).

use serde_json::json;

use crate::helpers::{
    FLENSBURG, KIEL, MUERWIK, SUEDERMARKT, TestApp, id_of, png, pothole, report, sha256_hex, spawn_app,
};

/// A Flensburg report with a photo; returns (report id, photo hash).
async fn flensburg_report_with_photo(app: &TestApp, device: &crate::helpers::Device) -> (String, String) {
    let photo = png(16, 16);
    let hash = sha256_hex(&photo);
    app.put_blob(&device.token, &hash, photo).await.expect(201);
    let mut r = pothole();
    r["photos"] = json!([hash]);
    app.submit_ok(device, &r).await;
    (id_of(&r), hash)
}

#[tokio::test]
async fn kiel_staff_get_404_for_everything_of_a_flensburg_report() {
    let app = spawn_app().await;
    let device = app.device().await;
    let (id, photo) = flensburg_report_with_photo(&app, &device).await;
    let flensburg = app.login(FLENSBURG, "dispatcher").await;
    let before = app.detail(&flensburg, &id).await;

    for user in ["admin", "dispatcher"] {
        let kiel = app.login(KIEL, user).await;
        let t = Some(kiel.token.as_str());
        let base = format!("/api/v1/staff/reports/{id}");
        app.get(&base, t).await.expect_error(404, "not_found");
        app.transition(&kiel, &id, &json!({"to": "in_progress"}))
            .await
            .expect_error(404, "not_found");
        app.post(&format!("{base}/notes"), t, &json!({"body": "fremd"}))
            .await
            .expect_error(404, "not_found");
        app.post(&format!("{base}/messages"), t, &json!({"body": "fremd"}))
            .await
            .expect_error(404, "not_found");
        app.patch(&base, t, &json!({"priority": "urgent"}))
            .await
            .expect_error(404, "not_found");
        app.patch(&base, t, &json!({"reroute": true}))
            .await
            .expect_error(404, "not_found");
        app.get(&format!("{base}/nearby"), t)
            .await
            .expect_error(404, "not_found");
        app.dry_run(&kiel, &json!({"report_id": id}))
            .await
            .expect_error(404, "not_found");
        app.get(&format!("/api/v1/blobs/{photo}"), t)
            .await
            .expect_error(404, "not_found");
        assert_eq!(app.inbox_total(&kiel).await, 0);
    }
    // Nothing happened to it.
    assert_eq!(app.detail(&flensburg, &id).await, before);
    // Flensburg staff may download the photo.
    let blob = app.get(&format!("/api/v1/blobs/{photo}"), Some(&flensburg.token)).await;
    assert_eq!(blob.status.as_u16(), 200);
}

#[tokio::test]
async fn a_field_worker_sees_only_reports_of_their_department_or_assigned_to_them() {
    let app = spawn_app().await;
    let device = app.device().await;
    let field = app.login(FLENSBURG, "field").await; // department tiefbau
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;

    let road = pothole(); // → tiefbau
    let litter = report("papierkorb", json!({}), SUEDERMARKT); // → tbz
    app.submit_ok(&device, &road).await;
    app.submit_ok(&device, &litter).await;
    let (road, litter) = (id_of(&road), id_of(&litter));

    app.detail(&field, &road).await;
    let t = Some(field.token.as_str());
    let base = format!("/api/v1/staff/reports/{litter}");
    app.get(&base, t).await.expect_error(404, "not_found");
    app.transition(&field, &litter, &json!({"to": "in_progress"}))
        .await
        .expect_error(404, "not_found");
    app.post(&format!("{base}/notes"), t, &json!({"body": "x"}))
        .await
        .expect_error(404, "not_found");
    app.post(&format!("{base}/messages"), t, &json!({"body": "x"}))
        .await
        .expect_error(404, "not_found");
    app.patch(&base, t, &json!({"priority": "low"}))
        .await
        .expect_error(404, "not_found");
    app.dry_run(&field, &json!({"report_id": litter}))
        .await
        .expect_error(404, "not_found");
    let inbox = app.get("/api/v1/staff/reports", t).await.expect(200);
    assert_eq!(inbox["total"], 1);
    assert_eq!(inbox["items"][0]["report"]["id"], road.as_str());
    assert_eq!(app.inbox_total(&dispatcher).await, 2);

    // Assigned to them personally, the other department's report becomes visible.
    app.patch(&base, Some(&dispatcher.token), &json!({"assignee": field.id}))
        .await
        .expect(200);
    assert_eq!(
        app.detail(&field, &litter).await["report"]["assignee"],
        field.id.as_str()
    );
    assert_eq!(app.inbox_total(&field).await, 2);
}

#[tokio::test]
async fn a_device_gets_404_for_another_devices_report_and_photo() {
    let app = spawn_app().await;
    let owner = app.device().await;
    let other = app.device().await;
    let (id, photo) = flensburg_report_with_photo(&app, &owner).await;
    let t = Some(other.token.as_str());
    app.get(&format!("/api/v1/reports/{id}"), t)
        .await
        .expect_error(404, "not_found");
    app.post(&format!("/api/v1/reports/{id}/messages"), t, &json!({"body": "Hallo"}))
        .await
        .expect_error(404, "not_found");
    app.get(&format!("/api/v1/blobs/{photo}"), t)
        .await
        .expect_error(404, "not_found");
    assert_eq!(app.get("/api/v1/reports", t).await.expect(200), json!([]));
    assert_eq!(app.get("/api/v1/sync", t).await.expect(200)["changes"], json!([]));
    // The owner still can.
    app.citizen_view(&owner, &id).await;
    let blob = app.get(&format!("/api/v1/blobs/{photo}"), Some(&owner.token)).await;
    assert_eq!(blob.status.as_u16(), 200);
}

#[tokio::test]
async fn missing_garbage_or_wrong_kind_of_token_is_401_unauthorized() {
    let app = spawn_app().await;
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let r = report("papierkorb", json!({}), MUERWIK);
    app.submit_ok(&device, &r).await;
    let id = id_of(&r);

    let garbage = "dGhpcyBpcyBub3QgYSB0b2tlbg";
    for token in [None, Some(garbage), Some("")] {
        for path in [
            "/api/v1/reports".to_owned(),
            format!("/api/v1/reports/{id}"),
            "/api/v1/sync".to_owned(),
            "/api/v1/staff/reports".to_owned(),
            format!("/api/v1/staff/reports/{id}"),
            "/api/v1/me".to_owned(),
            "/api/v1/staff/config/rules".to_owned(),
            format!("/api/v1/blobs/{}", "ab".repeat(32)),
        ] {
            app.get(&path, token).await.expect_error(401, "unauthorized");
        }
        app.submit(
            &crate::helpers::Device {
                id: String::new(),
                token: token.unwrap_or_default().to_owned(),
            },
            &pothole(),
        )
        .await
        .expect_error(401, "unauthorized");
    }
    // A device token is no staff token and the other way round.
    app.get("/api/v1/staff/reports", Some(&device.token))
        .await
        .expect_error(401, "unauthorized");
    app.get("/api/v1/reports", Some(&staff.token))
        .await
        .expect_error(401, "unauthorized");
    // A scheme other than Bearer.
    let basic = app
        .send(
            app.request(reqwest::Method::GET, "/api/v1/staff/reports", None)
                .basic_auth("dispatcher", Some(crate::helpers::PASSWORD)),
        )
        .await;
    basic.expect_error(401, "unauthorized");
}

#[tokio::test]
async fn logged_out_token_is_401() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    app.get("/api/v1/me", Some(&staff.token)).await.expect(200);
    let out = app
        .send(app.request(reqwest::Method::POST, "/api/v1/logout", Some(&staff.token)))
        .await;
    assert_eq!(out.status.as_u16(), 204);
    app.get("/api/v1/me", Some(&staff.token))
        .await
        .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn session_that_expired_is_401() {
    // Sessions of zero hours expire the moment they are created.
    let app = spawn_app_expiring().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    app.get("/api/v1/me", Some(&staff.token))
        .await
        .expect_error(401, "unauthorized");
    app.get("/api/v1/staff/reports", Some(&staff.token))
        .await
        .expect_error(401, "unauthorized");
}

async fn spawn_app_expiring() -> TestApp {
    crate::helpers::spawn_app_with(|s| s.session_hours = 0).await
}

#[tokio::test]
async fn configuration_changes_need_the_admin_role_403_for_dispatcher_and_field_worker() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let rules = app
        .get("/api/v1/staff/config/rules", Some(&admin.token))
        .await
        .expect(200);
    let settings = app
        .get("/api/v1/staff/config/settings", Some(&admin.token))
        .await
        .expect(200);
    let categories = app
        .get("/api/v1/staff/config/categories", Some(&admin.token))
        .await
        .expect(200);

    for user in ["dispatcher", "field"] {
        let staff = app.login(FLENSBURG, user).await;
        let t = Some(staff.token.as_str());
        // Reading is open to staff of the municipality.
        assert_eq!(app.get("/api/v1/staff/config/rules", t).await.expect(200), rules);
        app.put("/api/v1/staff/config/rules", t, &rules)
            .await
            .expect_error(403, "forbidden");
        app.put("/api/v1/staff/config/settings", t, &settings)
            .await
            .expect_error(403, "forbidden");
        app.put("/api/v1/staff/config/categories", t, &categories)
            .await
            .expect_error(403, "forbidden");
        app.put(
            "/api/v1/staff/config/departments/bauhof",
            t,
            &json!({"id": "bauhof", "name": "Bauhof"}),
        )
        .await
        .expect_error(403, "forbidden");
        app.send(app.request(reqwest::Method::DELETE, "/api/v1/staff/config/departments/tbz", t))
            .await
            .expect_error(403, "forbidden");
        app.post(
            "/api/v1/staff/config/users",
            t,
            &json!({"username": "neu", "display_name": "Neu", "password": "ein-langes-passwort", "role": "admin"}),
        )
        .await
        .expect_error(403, "forbidden");
        app.put(
            "/api/v1/staff/config/areas/hafen",
            t,
            &json!({"id": "hafen", "name": "Hafen", "geometry": {"type": "Polygon",
                "coordinates": [[[9.43, 54.79], [9.44, 54.79], [9.44, 54.80], [9.43, 54.79]]]}}),
        )
        .await
        .expect_error(403, "forbidden");
        // The platform's endpoints are for the platform admin only.
        app.post(
            "/api/v1/admin/municipalities",
            t,
            &json!({"ags": "01003000", "admin": {"username": "admin", "display_name": "Admin",
                     "password": "ein-langes-passwort", "role": "admin"}}),
        )
        .await
        .expect_error(403, "forbidden");
    }
    // Also the municipality's admin is no platform admin.
    app.post(
        "/api/v1/admin/municipalities",
        Some(&admin.token),
        &json!({"ags": "01003000", "admin": {"username": "admin", "display_name": "Admin",
                 "password": "ein-langes-passwort", "role": "admin"}}),
    )
    .await
    .expect_error(403, "forbidden");
    // Nothing changed.
    assert_eq!(
        app.get("/api/v1/staff/config/rules", Some(&admin.token))
            .await
            .expect(200),
        rules
    );
    let departments = app
        .get("/api/v1/staff/config/departments", Some(&admin.token))
        .await
        .expect(200);
    assert_eq!(departments.as_array().map(Vec::len), Some(4));
    // The demo's three tenants (Flensburg, Kiel, Amt Langballig) beside its directory.
    let listed = app.get("/api/v1/municipalities", None).await.expect(200);
    let tenants = listed
        .as_array()
        .map(|l| l.iter().filter(|m| m["delivery"]["kind"] == "platform").count());
    assert_eq!(tenants, Some(3));
}

#[tokio::test]
async fn staff_cannot_assign_or_route_to_accounts_of_another_municipality() {
    let app = spawn_app().await;
    let device = app.device().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let kiel_field = app.login(KIEL, "field").await;
    let me = app.get("/api/v1/me", Some(&kiel_field.token)).await.expect(200);
    assert_eq!(me["municipality"], KIEL, "login names are scoped by municipality");
    let r = pothole();
    let id = id_of(&r);
    app.submit_ok(&device, &r).await;
    let before = app.detail(&admin, &id).await;

    app.patch(
        &format!("/api/v1/staff/reports/{id}"),
        Some(&admin.token),
        &json!({"assignee": kiel_field.id}),
    )
    .await
    .expect_field_error("assignee", "unknown_user");
    app.patch(
        &format!("/api/v1/staff/reports/{id}"),
        Some(&admin.token),
        &json!({"department": "buergerservice"}),
    )
    .await
    .expect_field_error("department", "unknown_department");
    assert_eq!(app.detail(&admin, &id).await, before);

    let mut rules = app
        .get("/api/v1/staff/config/rules", Some(&admin.token))
        .await
        .expect(200);
    rules[4]["action"]["assignee"] = json!(kiel_field.id);
    app.put("/api/v1/staff/config/rules", Some(&admin.token), &rules)
        .await
        .expect_field_error("rules.strasse.action", &format!("unknown_user:{}", kiel_field.id));
}
