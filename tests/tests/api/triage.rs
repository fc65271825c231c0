//! Triage in the staff inbox (issue 21): the filters "assigned to me", "my department"
//! and "awaiting reply", saved filters that stay with their owner, bulk actions that
//! change and audit each report as a single action would (and say which failed and
//! why), and inbox thumbnails of the photos.

use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, KIEL, Staff, Submitted, TestApp, png, pothole, sha256_hex, spawn_app};

/// The ids of an inbox page for a query.
async fn listed(app: &TestApp, staff: &Staff, query: &str) -> Vec<String> {
    let page = app
        .get(&format!("/api/v1/staff/reports?{query}"), Some(&staff.token))
        .await
        .expect(200);
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|s| s["report"]["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Three potholes (all routed to Tiefbau).
async fn three_potholes(app: &TestApp) -> Vec<Submitted> {
    let mut out = Vec::new();
    for _ in 0..3 {
        out.push(app.submitted_pothole().await);
    }
    out
}

#[tokio::test]
async fn assigned_to_me_and_my_department_resolve_to_the_signed_in_account() {
    let app = spawn_app().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let field = app.login(FLENSBURG, "field").await;
    let reports = three_potholes(&app).await;
    let (mine, tiefbau, moved) = (&reports[0].id, &reports[1].id, &reports[2].id);
    app.patch(
        &format!("/api/v1/staff/reports/{mine}"),
        Some(&dispatcher.token),
        &json!({"assignee": dispatcher.id}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/staff/reports/{moved}"),
        Some(&dispatcher.token),
        &json!({"department": "gruenflaechen"}),
    )
    .await
    .expect(200);

    assert_eq!(
        listed(&app, &dispatcher, "assigned_to_me=true").await,
        vec![mine.clone()]
    );
    assert!(listed(&app, &field, "assigned_to_me=true").await.is_empty());
    // `false` is no filter.
    assert_eq!(listed(&app, &dispatcher, "assigned_to_me=false").await.len(), 3);

    // The field worker is in Tiefbau: the pothole moved to Grünflächen is not theirs.
    let theirs = listed(&app, &field, "my_department=true").await;
    assert!(theirs.contains(tiefbau), "{theirs:?}");
    assert!(!theirs.contains(moved), "{theirs:?}");
    // The dispatcher has no department: told so, not shown everything.
    app.get("/api/v1/staff/reports?my_department=true", Some(&dispatcher.token))
        .await
        .expect_field_error("my_department", "no_department");
    // The CSV export takes the same filters.
    let csv = app
        .get("/api/v1/staff/reports.csv?assigned_to_me=true", Some(&dispatcher.token))
        .await;
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.text().lines().filter(|l| !l.trim().is_empty()).count(),
        2,
        "{}",
        csv.text()
    );
}

#[tokio::test]
async fn a_citizen_reply_waits_until_staff_write_to_the_citizen_and_notes_do_not_answer() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let Submitted { device, id, .. } = app.submitted_pothole().await;
    let quiet = app.submitted_pothole().await.id;
    let citizen_writes = |body: &'static str| {
        let (app, device, id) = (&app, &device, &id);
        async move {
            app.post(
                &format!("/api/v1/reports/{id}/messages"),
                Some(&device.token),
                &json!({"body": body}),
            )
            .await
            .expect(201)
        }
    };
    let waiting_since = |page: &Value| -> Option<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|s| s["report"]["id"] == id.as_str())
            .and_then(|s| s["awaiting_reply_since"].as_str().map(str::to_owned))
    };

    assert!(listed(&app, &staff, "awaiting_reply=true").await.is_empty());
    let first = citizen_writes("Das Loch ist größer geworden.").await;
    citizen_writes("Und es regnet hinein.").await;
    assert_eq!(listed(&app, &staff, "awaiting_reply=true").await, vec![id.clone()]);
    let not_waiting = listed(&app, &staff, "awaiting_reply=false").await;
    assert!(
        not_waiting.contains(&quiet) && !not_waiting.contains(&id),
        "{not_waiting:?}"
    );
    // Since the first unanswered message, in the inbox row and the case.
    let page = app.get("/api/v1/staff/reports", Some(&staff.token)).await.expect(200);
    let since = waiting_since(&page).expect("waiting");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(&since).expect("time"),
        chrono::DateTime::parse_from_rfc3339(first["created_at"].as_str().expect("created_at")).expect("time"),
    );
    assert!(app.detail(&staff, &id).await["awaiting_reply_since"].is_string());

    // An internal note is no answer.
    app.post(
        &format!("/api/v1/staff/reports/{id}/notes"),
        Some(&staff.token),
        &json!({"body": "Bauhof fragen."}),
    )
    .await
    .expect(201);
    assert_eq!(listed(&app, &staff, "awaiting_reply=true").await, vec![id.clone()]);

    // A message to the citizen is.
    app.post(
        &format!("/api/v1/staff/reports/{id}/messages"),
        Some(&staff.token),
        &json!({"body": "Danke, wir kommen morgen."}),
    )
    .await
    .expect(201);
    assert!(listed(&app, &staff, "awaiting_reply=true").await.is_empty());
    assert!(app.detail(&staff, &id).await.get("awaiting_reply_since").is_none());

    // The citizen writes again: waiting again.
    citizen_writes("Danke!").await;
    assert_eq!(listed(&app, &staff, "awaiting_reply=true").await, vec![id.clone()]);
}

#[tokio::test]
async fn saved_filters_belong_to_their_owner_only() {
    let app = spawn_app().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let admin = app.login(FLENSBURG, "admin").await;
    let kiel = app.login(KIEL, "dispatcher").await;
    let query = json!({"status": "received,assigned", "awaiting_reply": true, "assigned_to_me": true, "page": 3});

    let saved = app
        .post(
            "/api/v1/staff/filters",
            Some(&dispatcher.token),
            &json!({"name": " Meine offenen Rückfragen ", "query": query}),
        )
        .await
        .expect(201);
    assert_eq!(saved["name"], "Meine offenen Rückfragen");
    assert_eq!(saved["query"]["awaiting_reply"], true);
    assert_eq!(saved["query"]["assigned_to_me"], true);
    assert!(saved["query"]["page"].is_null(), "the page is not kept: {saved}");
    let id = saved["id"].as_str().expect("id").to_owned();

    let mine = app
        .get("/api/v1/staff/filters", Some(&dispatcher.token))
        .await
        .expect(200);
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    assert_eq!(mine[0]["id"], id.as_str());
    assert_eq!(mine[0]["query"]["status"], "received,assigned");
    // Colleagues and other municipalities neither see nor delete it.
    for other in [&admin, &kiel] {
        let theirs = app.get("/api/v1/staff/filters", Some(&other.token)).await.expect(200);
        assert_eq!(theirs, json!([]));
        let gone = app
            .send(app.request(
                reqwest::Method::DELETE,
                &format!("/api/v1/staff/filters/{id}"),
                Some(&other.token),
            ))
            .await;
        assert_eq!(gone.status, 404);
    }

    app.post(
        "/api/v1/staff/filters",
        Some(&dispatcher.token),
        &json!({"name": "  ", "query": {}}),
    )
    .await
    .expect_field_error("name", "required");
    app.get("/api/v1/staff/filters", None)
        .await
        .expect_error(401, "unauthorized");

    let delete = |token: String| {
        let app = &app;
        let path = format!("/api/v1/staff/filters/{id}");
        async move {
            app.send(app.request(reqwest::Method::DELETE, &path, Some(&token)))
                .await
                .status
        }
    };
    assert_eq!(delete(dispatcher.token.clone()).await, 204);
    assert_eq!(delete(dispatcher.token.clone()).await, 404);
    let mine = app
        .get("/api/v1/staff/filters", Some(&dispatcher.token))
        .await
        .expect(200);
    assert_eq!(mine, json!([]));
}

/// The audit entries of a report whose action has this `type`.
async fn audited(app: &TestApp, staff: &Staff, id: &str, kind: &str) -> Vec<Value> {
    app.detail(staff, id).await["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter(|e| e["action"]["type"] == kind)
        .cloned()
        .collect()
}

#[tokio::test]
async fn bulk_actions_apply_per_report_with_an_audit_entry_each_and_report_partial_failure() {
    let app = spawn_app().await;
    app.rules_that_assign_nobody().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let field = app.login(FLENSBURG, "field").await;
    let kiel = app.login(KIEL, "dispatcher").await;
    let reports = three_potholes(&app).await;
    let ids: Vec<String> = reports.iter().map(|r| r.id.clone()).collect();

    // Assign all three to the field worker in Tiefbau.
    let answer = app
        .post(
            "/api/v1/staff/reports/bulk",
            Some(&dispatcher.token),
            &json!({"ids": ids, "action": {"kind": "assign", "department": "tiefbau", "assignee": field.id}}),
        )
        .await
        .expect(200);
    assert_eq!(
        (answer["succeeded"].as_u64(), answer["failed"].as_u64()),
        (Some(3), Some(0)),
        "{answer}"
    );
    for id in &ids {
        let detail = app.detail(&dispatcher, id).await;
        assert_eq!(detail["report"]["assignee"], field.id.as_str());
        let entries = audited(&app, &dispatcher, id, "assigned").await;
        assert_eq!(entries.len(), 1, "one audit entry per report: {entries:?}");
        assert_eq!(entries[0]["actor"]["user"], dispatcher.id.as_str(), "{entries:?}");
    }
    assert_eq!(listed(&app, &field, "assigned_to_me=true").await.len(), 3);

    // One is turned down first: it cannot go to "in progress".
    app.transition(
        &dispatcher,
        &ids[2],
        &json!({"to": "rejected", "public_comment": "Privatgrund."}),
    )
    .await
    .expect(200);
    let answer = app
        .post(
            "/api/v1/staff/reports/bulk",
            Some(&dispatcher.token),
            &json!({"ids": ids, "action": {"kind": "status", "to": "in_progress", "public_comment": "Wir sind dran."}}),
        )
        .await
        .expect(200);
    assert_eq!(
        (answer["succeeded"].as_u64(), answer["failed"].as_u64()),
        (Some(2), Some(1)),
        "{answer}"
    );
    let results = answer["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["id"], ids[i].as_str(), "in the order asked");
    }
    assert_eq!(results[0]["ok"], true);
    assert_eq!(results[2]["ok"], false);
    assert_eq!(results[2]["error"]["code"], "illegal_transition", "{answer}");
    for (id, submitted) in ids.iter().zip(&reports).take(2) {
        let moves = audited(&app, &dispatcher, id, "status_changed").await;
        let to_progress: Vec<&Value> = moves.iter().filter(|e| e["action"]["to"] == "in_progress").collect();
        assert_eq!(to_progress.len(), 1, "{moves:?}");
        assert_eq!(to_progress[0]["public_comment"], "Wir sind dran.");
        // The citizen sees the change with the comment.
        let seen = app.citizen_view(&submitted.device, id).await;
        let last = seen["history"]
            .as_array()
            .and_then(|h| h.last())
            .cloned()
            .expect("history");
        assert_eq!(
            (last["to"].as_str(), last["comment"].as_str()),
            (Some("in_progress"), Some("Wir sind dran.")),
            "{seen}"
        );
    }
    assert_eq!(app.detail(&dispatcher, &ids[2]).await["report"]["status"], "rejected");

    // Priority; a report of another municipality fails alone, as not found.
    let foreign = {
        let device = app.device().await;
        let mut r = crate::helpers::report(
            "schlagloch",
            json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
            crate::helpers::KIEL_RATHAUS,
        );
        r["description"] = json!("Kiel");
        app.submit_ok(&device, &r).await;
        crate::helpers::id_of(&r)
    };
    let answer = app
        .post(
            "/api/v1/staff/reports/bulk",
            Some(&dispatcher.token),
            &json!({"ids": [ids[0], foreign], "action": {"kind": "priority", "priority": "high"}}),
        )
        .await
        .expect(200);
    assert_eq!(answer["results"][0]["ok"], true, "{answer}");
    assert_eq!(answer["results"][1]["error"]["code"], "not_found", "{answer}");
    assert_eq!(app.detail(&dispatcher, &ids[0]).await["report"]["priority"], "high");
    assert_eq!(audited(&app, &dispatcher, &ids[0], "priority_changed").await.len(), 1);
    assert_eq!(app.detail(&kiel, &foreign).await["report"]["priority"], "normal");

    // An empty or repeated selection is refused as a whole.
    for bad in [json!([]), json!([ids[0], ids[0]])] {
        app.post(
            "/api/v1/staff/reports/bulk",
            Some(&dispatcher.token),
            &json!({"ids": bad, "action": {"kind": "priority", "priority": "low"}}),
        )
        .await
        .expect_error(422, "validation_failed");
    }
}

#[tokio::test]
async fn inbox_thumbnails_are_small_cached_and_only_for_the_municipality() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let kiel = app.login(KIEL, "dispatcher").await;
    let device = app.device().await;
    let photo = png(640, 480);
    let hash = sha256_hex(&photo);
    assert!(app.put_blob(&device.token, &hash, photo).await.status.is_success());
    let mut report = pothole();
    report["photos"] = json!([hash]);
    app.submit_ok(&device, &report).await;

    let thumb = app
        .get(&format!("/api/v1/staff/thumbnails/{hash}"), Some(&staff.token))
        .await;
    assert_eq!(thumb.status, 200, "{}", thumb.text());
    assert_eq!(thumb.headers["content-type"], "image/jpeg");
    assert!(
        thumb.headers["cache-control"]
            .to_str()
            .expect("ascii")
            .contains("private")
    );
    let image = image::load_from_memory(&thumb.bytes).expect("a JPEG");
    assert_eq!((image.width(), image.height()), (160, 120));

    app.get(&format!("/api/v1/staff/thumbnails/{hash}"), Some(&kiel.token))
        .await
        .expect_error(404, "not_found");
    app.get(&format!("/api/v1/staff/thumbnails/{hash}"), Some(&device.token))
        .await
        .expect_error(401, "unauthorized");
}
