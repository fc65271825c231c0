//! A field worker sees nothing of a report outside their scope, on any staff endpoint.
//!
//! Issue 25: `GET /staff/reports/{id}/nearby` once returned another department's report
//! in full (contact address, device, description) while its detail was a 404, because
//! the nearby query ignored the caller's visibility. This walk asks every staff endpoint
//! as a field worker of Tiefbau, about and around a report of Grünflächen lying right
//! next to one of Tiefbau's, and checks that no answer carries anything of it and that
//! counts, statistics and the export do not change when it arrives.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{FLENSBURG, Reply, Submitted, TestApp, id_of, pothole, spawn_app};

/// Every answer the field worker got, with what it asked.
struct Walk<'a> {
    app: &'a TestApp,
    token: String,
    seen: Vec<(String, Reply)>,
}

impl Walk<'_> {
    async fn get(&mut self, path: &str) -> &Reply {
        let reply = self.app.get(path, Some(&self.token)).await;
        self.keep(format!("GET {path}"), reply)
    }

    async fn post(&mut self, path: &str, body: &Value) -> &Reply {
        let reply = self.app.post(path, Some(&self.token), body).await;
        self.keep(format!("POST {path}"), reply)
    }

    async fn patch(&mut self, path: &str, body: &Value) -> &Reply {
        let reply = self.app.patch(path, Some(&self.token), body).await;
        self.keep(format!("PATCH {path}"), reply)
    }

    fn keep(&mut self, what: String, reply: Reply) -> &Reply {
        self.seen.push((what, reply));
        &self.seen.last().expect("just pushed").1
    }
}

/// What the field worker's counts, statistics and export say (the period fixed, so that
/// two snapshots compare).
async fn snapshot(app: &TestApp, token: &str) -> (Value, Value, String) {
    let counts = app.get("/api/v1/staff/stats/status", Some(token)).await.expect(200);
    let stats = app
        .get(
            "/api/v1/staff/stats?from=2000-01-01T00:00:00Z&to=2099-01-01T00:00:00Z",
            Some(token),
        )
        .await
        .expect(200);
    let csv = app.get("/api/v1/staff/reports.csv", Some(token)).await;
    assert_eq!(csv.status.as_u16(), 200);
    (counts, stats, csv.text())
}

#[tokio::test]
async fn a_field_worker_sees_nothing_of_a_report_outside_their_scope_on_any_staff_endpoint() {
    let app = spawn_app().await;
    let marker = Uuid::new_v4().simple().to_string();
    let field = app.login(FLENSBURG, "field").await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;

    // Tiefbau's pothole: the field worker's own scope.
    let Submitted { id: mine_id, .. } = app.submitted_pothole().await;
    assert_eq!(app.detail(&field, &mine_id).await["report"]["department"], "tiefbau");
    let before = snapshot(&app, &field.token).await;

    // A pothole a metre away, moved to Grünflächen at once, with everything private.
    let neighbour = app.device().await;
    let mut theirs = pothole();
    theirs["location"]["lat"] = json!(theirs["location"]["lat"].as_f64().expect("lat") + 0.000_01);
    theirs["description"] = json!(format!("OUTSIDE-{marker} Loch vor dem Haus von Frau Beispiel"));
    theirs["address_hint"] = json!(format!("HINT-{marker}"));
    theirs["contact_email"] = json!(format!("outside-{marker}@example.org"));
    let theirs_id = id_of(&theirs);
    app.submit_ok(&neighbour, &theirs).await;
    app.patch(
        &format!("/api/v1/staff/reports/{theirs_id}"),
        Some(&dispatcher.token),
        &json!({"department": "gruenflaechen"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/staff/reports/{theirs_id}/notes"),
        Some(&dispatcher.token),
        &json!({"body": format!("NOTE-{marker}")}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/staff/reports/{theirs_id}/messages"),
        Some(&dispatcher.token),
        &json!({"body": format!("MESSAGE-{marker}")}),
    )
    .await
    .expect(201);
    // The dispatcher sees both as neighbours: the two are duplicate candidates.
    let all_nearby = app
        .get(
            &format!("/api/v1/staff/reports/{mine_id}/nearby"),
            Some(&dispatcher.token),
        )
        .await
        .expect(200);
    assert!(all_nearby.to_string().contains(&theirs_id), "{all_nearby}");

    let mut walk = Walk {
        app: &app,
        token: field.token.clone(),
        seen: Vec::new(),
    };
    let base = "/api/v1/staff/reports";
    // Lists and searches.
    for query in [
        String::new(),
        format!("?q=OUTSIDE-{marker}"),
        format!("?q=HINT-{marker}"),
        format!("?ids={theirs_id}"),
        "?department=gruenflaechen".to_owned(),
        "?bbox=9.4,54.8,9.5,54.82".to_owned(),
        "?status=received,assigned&sort=due_at".to_owned(),
    ] {
        let page = walk.get(&format!("{base}{query}")).await.expect(200);
        assert!(
            page["items"]
                .as_array()
                .is_some_and(|items| items.iter().all(|i| i["report"]["id"] != theirs_id.as_str())),
            "{query}: {page}"
        );
    }
    walk.get(&format!("{base}.csv?q=OUTSIDE-{marker}")).await;
    walk.get(&format!("{base}.csv?lang=en")).await;
    // Its own neighbour is not shown near the worker's report.
    let near = walk.get(&format!("{base}/{mine_id}/nearby")).await.expect(200);
    assert_eq!(near, json!([]), "only another department's report lies near");
    // The report itself, whatever is asked of it.
    let theirs_path = format!("{base}/{theirs_id}");
    for path in [
        theirs_path.clone(),
        format!("{theirs_path}/nearby"),
        format!("{theirs_path}/reply-templates"),
    ] {
        walk.get(&path).await.expect_error(404, "not_found");
    }
    walk.patch(&theirs_path, &json!({"priority": "high"}))
        .await
        .expect_error(404, "not_found");
    walk.post(&format!("{theirs_path}/transition"), &json!({"to": "in_progress"}))
        .await
        .expect_error(404, "not_found");
    walk.post(&format!("{theirs_path}/notes"), &json!({"body": "Hallo"}))
        .await
        .expect_error(404, "not_found");
    walk.post(&format!("{theirs_path}/messages"), &json!({"body": "Hallo"}))
        .await
        .expect_error(404, "not_found");
    walk.post("/api/v1/staff/rules/dry-run", &json!({"report_id": theirs_id}))
        .await
        .expect_error(404, "not_found");
    // Marking a duplicate of it answers as for a report that does not exist.
    let as_duplicate = walk
        .post(
            &format!("{base}/{mine_id}/transition"),
            &json!({"to": "duplicate", "duplicate_of": theirs_id}),
        )
        .await
        .expect_field_error("duplicate_of", "unknown_report");
    let unknown = app
        .post(
            &format!("{base}/{mine_id}/transition"),
            Some(&field.token),
            &json!({"to": "duplicate", "duplicate_of": Uuid::new_v4()}),
        )
        .await
        .expect(422);
    assert_eq!(as_duplicate["details"], unknown["details"]);
    walk.get(&format!("{base}/{mine_id}")).await.expect(200);
    walk.get(&format!("{base}/{mine_id}/reply-templates")).await.expect(200);
    walk.get("/api/v1/staff/stats/status").await.expect(200);
    walk.get("/api/v1/staff/stats").await.expect(200);
    walk.get("/api/v1/me").await.expect(200);

    // Counts, statistics and the export are as before it arrived.
    assert_eq!(snapshot(&app, &field.token).await, before);

    let forbidden = [
        theirs_id.clone(),
        marker.clone(),
        neighbour.id.clone(),
        format!("outside-{marker}@example.org"),
    ];
    assert!(walk.seen.len() >= 20, "the walk covered {} requests", walk.seen.len());
    for (what, reply) in &walk.seen {
        let text = reply.text();
        // An error may quote what was asked; a path or query is not a leak.
        for f in forbidden.iter().filter(|f| !what.contains(f.as_str())) {
            assert!(!text.contains(f.as_str()), "{what} leaked {f:?}: {text}");
        }
    }
}
