//! The platform operator's overview (`GET /api/v1/admin/overview`), the open and overdue
//! cases per department (`GET /api/v1/staff/stats/departments`) and changing the photo
//! hosts of an Open311 API key (`PUT /api/v1/staff/config/api-keys/{id}/media-hosts`).

use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, KIEL, KIEL_RATHAUS, TestApp, id_of, pothole, report, spawn_app};

/// A past due date: the case is overdue from now on.
const LONG_AGO: &str = "2020-01-01T08:00:00Z";

async fn platform_token(app: &TestApp) -> String {
    app.platform_token().await
}

fn row<'a>(overview: &'a Value, ags: &str) -> &'a Value {
    overview
        .as_array()
        .and_then(|l| l.iter().find(|m| m["ags"] == ags))
        .unwrap_or_else(|| panic!("{ags} in {overview}"))
}

fn figure(overview: &Value, ags: &str, name: &str) -> u64 {
    row(overview, ags)[name]
        .as_u64()
        .unwrap_or_else(|| panic!("{name} of {ags}"))
}

/// Makes a case overdue: its due date lies in the past.
async fn make_overdue(app: &TestApp, token: &str, id: &str) {
    app.patch(
        &format!("/api/v1/staff/reports/{id}"),
        Some(token),
        &json!({"due_at": LONG_AGO}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn the_overview_counts_each_municipality_and_is_for_the_platform_admin_only() {
    let app = spawn_app().await;
    let platform = platform_token(&app).await;
    let before = app.get("/api/v1/admin/overview", Some(&platform)).await.expect(200);

    // Flensburg: two new potholes, one of them overdue, and one account switched off.
    let device = app.device().await;
    let (a, b) = (pothole(), pothole());
    app.submit_ok(&device, &a).await;
    app.submit_ok(&device, &b).await;
    let admin = app.login(FLENSBURG, "admin").await;
    make_overdue(&app, &admin.token, &id_of(&a)).await;
    let users = app
        .get("/api/v1/staff/config/users", Some(&admin.token))
        .await
        .expect(200);
    let active = |list: &Value| {
        list.as_array()
            .map_or(0, |l| l.iter().filter(|u| u["active"] == true).count())
    };
    let field = users
        .as_array()
        .and_then(|l| l.iter().find(|u| u["username"] == "field"))
        .expect("the demo's field worker");
    app.patch(
        &format!("/api/v1/staff/config/users/{}", field["id"].as_str().expect("id")),
        Some(&admin.token),
        &json!({"active": false}),
    )
    .await
    .expect(200);
    let users_after = app
        .get("/api/v1/staff/config/users", Some(&admin.token))
        .await
        .expect(200);
    assert_eq!(active(&users_after) + 1, active(&users));
    // Kiel: one report, not overdue.
    let kiel = report(
        "schlagloch",
        json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
        KIEL_RATHAUS,
    );
    app.submit_ok(&device, &kiel).await;

    let after = app.get("/api/v1/admin/overview", Some(&platform)).await.expect(200);
    let delta = |ags: &str, name: &str| figure(&after, ags, name) - figure(&before, ags, name);
    assert_eq!(delta(FLENSBURG, "open"), 2, "{after}");
    assert_eq!(delta(FLENSBURG, "overdue"), 1, "{after}");
    assert_eq!(delta(FLENSBURG, "recent"), 2, "{after}");
    assert_eq!(figure(&after, FLENSBURG, "users"), active(&users_after) as u64);
    assert_eq!(delta(KIEL, "open"), 1, "{after}");
    assert_eq!(delta(KIEL, "overdue"), 0, "{after}");
    assert_eq!(delta(KIEL, "recent"), 1, "{after}");
    assert_eq!(row(&after, FLENSBURG)["name"], "Flensburg");
    for ags in [FLENSBURG, KIEL] {
        let last = row(&after, ags)["last_activity"].as_str().expect("a last activity");
        let last = chrono::DateTime::parse_from_rfc3339(last).expect("a time");
        assert!(
            chrono::Utc::now() - last.to_utc() < chrono::Duration::minutes(5),
            "{ags}: {last}"
        );
        assert!(row(&after, ags)["failed_deliveries"].is_u64());
    }

    // Not for a municipality's admin, nor without a login.
    app.get("/api/v1/admin/overview", Some(&admin.token))
        .await
        .expect_error(403, "forbidden");
    app.get("/api/v1/admin/overview", None)
        .await
        .expect_error(401, "unauthorized");
}

fn workload_row<'a>(list: &'a Value, department: &str) -> &'a Value {
    list.as_array()
        .and_then(|l| l.iter().find(|w| w["department"] == department))
        .unwrap_or_else(|| panic!("{department} in {list}"))
}

fn status_count(w: &Value, status: &str) -> u64 {
    w["by_status"]
        .as_array()
        .and_then(|l| l.iter().find(|p| p[0] == status))
        .and_then(|p| p[1].as_u64())
        .unwrap_or_else(|| panic!("{status} in {w}"))
}

#[tokio::test]
async fn open_and_overdue_cases_are_counted_per_department_and_status() {
    let app = spawn_app().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let before = app
        .get("/api/v1/staff/stats/departments", Some(&dispatcher.token))
        .await
        .expect(200);
    let tiefbau = |list: &Value, key: &str| -> u64 {
        list.as_array()
            .and_then(|l| l.iter().find(|w| w["department"] == "tiefbau"))
            .map_or(0, |w| {
                if key == "open" || key == "overdue" {
                    w[key].as_u64().unwrap_or(0)
                } else {
                    status_count(w, key)
                }
            })
    };
    // Three potholes go to Tiefbau: one in progress, one overdue, one resolved (no longer open).
    let device = app.device().await;
    let reports: Vec<Value> = (0..3).map(|_| pothole()).collect();
    for r in &reports {
        app.submit_ok(&device, r).await;
    }
    let ids: Vec<String> = reports.iter().map(id_of).collect();
    app.transition(&dispatcher, &ids[0], &json!({"to": "in_progress"}))
        .await
        .expect(200);
    make_overdue(&app, &dispatcher.token, &ids[1]).await;
    app.transition(&dispatcher, &ids[2], &json!({"to": "in_progress"}))
        .await
        .expect(200);
    app.transition(
        &dispatcher,
        &ids[2],
        &json!({"to": "resolved", "public_comment": "Erledigt."}),
    )
    .await
    .expect(200);

    let after = app
        .get("/api/v1/staff/stats/departments", Some(&dispatcher.token))
        .await
        .expect(200);
    let w = workload_row(&after, "tiefbau");
    assert_eq!(w["name"], "Tiefbau", "{w}");
    assert_eq!(tiefbau(&after, "open") - tiefbau(&before, "open"), 2, "{after}");
    assert_eq!(tiefbau(&after, "overdue") - tiefbau(&before, "overdue"), 1, "{after}");
    assert_eq!(
        tiefbau(&after, "in_progress") - tiefbau(&before, "in_progress"),
        1,
        "{after}"
    );
    let statuses: Vec<&str> = w["by_status"]
        .as_array()
        .expect("by_status")
        .iter()
        .filter_map(|p| p[0].as_str())
        .collect();
    assert!(!statuses.contains(&"resolved"), "only open statuses: {statuses:?}");
    let open_sum: u64 = w["by_status"]
        .as_array()
        .map_or(0, |l| l.iter().filter_map(|p| p[1].as_u64()).sum());
    assert_eq!(open_sum, w["open"].as_u64().unwrap_or(0), "{w}");
    // Most overdue first.
    let overdue: Vec<u64> = after
        .as_array()
        .expect("list")
        .iter()
        .map(|w| w["overdue"].as_u64().unwrap_or(0))
        .collect();
    assert!(overdue.windows(2).all(|p| p[0] >= p[1]), "{overdue:?}");

    // Kiel's staff see Kiel's departments only.
    let kiel = app.login(KIEL, "dispatcher").await;
    let theirs = app
        .get("/api/v1/staff/stats/departments", Some(&kiel.token))
        .await
        .expect(200);
    assert_eq!(tiefbau(&theirs, "overdue"), 0, "{theirs}");
    app.get("/api/v1/staff/stats/departments", None)
        .await
        .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn an_admin_changes_the_photo_hosts_of_a_key_as_checked_at_creation() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let issued = app
        .post(
            "/api/v1/staff/config/api-keys",
            Some(&admin.token),
            &json!({"name": "Stadtwerke-App", "media_hosts": ["fotos.example.org"]}),
        )
        .await
        .expect(201);
    let id = issued["key"]["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/staff/config/api-keys/{id}/media-hosts");

    let changed = app
        .put(
            &path,
            Some(&admin.token),
            &json!({"media_hosts": [" CDN.Example.org ", "bilder.example.org", "cdn.example.org"]}),
        )
        .await
        .expect(200);
    assert_eq!(changed["media_hosts"], json!(["cdn.example.org", "bilder.example.org"]));
    let listed = app
        .get("/api/v1/staff/config/api-keys", Some(&admin.token))
        .await
        .expect(200);
    assert_eq!(
        listed[0]["media_hosts"],
        json!(["cdn.example.org", "bilder.example.org"])
    );

    // Invalid hosts are refused as at creation, and nothing changes.
    for bad in [json!(["https://evil.example/*"]), json!(["*.example.org"])] {
        app.put(&path, Some(&admin.token), &json!({"media_hosts": bad}))
            .await
            .expect_field_error("media_hosts", "not_a_host_name");
    }
    let many: Vec<String> = (0..11).map(|i| format!("h{i}.example.org")).collect();
    app.put(&path, Some(&admin.token), &json!({"media_hosts": many}))
        .await
        .expect_field_error("media_hosts", "too_many");
    let listed = app
        .get("/api/v1/staff/config/api-keys", Some(&admin.token))
        .await
        .expect(200);
    assert_eq!(
        listed[0]["media_hosts"],
        json!(["cdn.example.org", "bilder.example.org"])
    );

    // Another municipality's admin does not find the key; a dispatcher may not change it.
    let kiel = app.login(KIEL, "admin").await;
    app.put(&path, Some(&kiel.token), &json!({"media_hosts": []}))
        .await
        .expect_error(404, "not_found");
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    app.put(&path, Some(&dispatcher.token), &json!({"media_hosts": []}))
        .await
        .expect_error(403, "forbidden");

    // Emptied: no photo is fetched for this key any more. A revoked key stays as it was.
    let emptied = app
        .put(&path, Some(&admin.token), &json!({"media_hosts": []}))
        .await
        .expect(200);
    assert_eq!(emptied["media_hosts"], json!([]));
    let revoked = app
        .send(app.request(
            reqwest::Method::DELETE,
            &format!("/api/v1/staff/config/api-keys/{id}"),
            Some(&admin.token),
        ))
        .await;
    assert_eq!(revoked.status.as_u16(), 204);
    app.put(
        &path,
        Some(&admin.token),
        &json!({"media_hosts": ["fotos.example.org"]}),
    )
    .await
    .expect_error(409, "conflict");
}
