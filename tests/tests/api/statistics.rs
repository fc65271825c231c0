//! Statistics over a period: counts per status, category and department, median times to
//! the first response and to resolution, overdue reports.

use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, id_of, pothole, report, spawn_app};

fn count(list: &Value, key: &str) -> u64 {
    list.as_array()
        .and_then(|l| l.iter().find(|e| e["key"] == key))
        .and_then(|e| e["count"].as_u64())
        .unwrap_or(0)
}

#[tokio::test]
async fn statistics_count_and_time_the_reports_of_a_period() {
    let app = spawn_app().await;
    let device = app.device().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let r = pothole();
        app.submit_ok(&device, &r).await;
        ids.push(id_of(&r));
    }
    let light = report("leuchte_aus", json!({"gefahr_akut": false}), crate::helpers::MUERWIK);
    app.submit_ok(&device, &light).await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    app.transition(&staff, &ids[0], &json!({"to": "in_progress"}))
        .await
        .expect(200);
    app.transition(
        &staff,
        &ids[0],
        &json!({"to": "resolved", "public_comment": "Erledigt."}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/staff/reports/{}/messages", ids[1]),
        Some(&staff.token),
        &json!({"body": "Wir kümmern uns."}),
    )
    .await
    .expect(201);

    let stats = app.get("/api/v1/staff/stats", Some(&staff.token)).await.expect(200);
    assert_eq!(stats["total"], 4, "{stats}");
    let statuses: Vec<(String, u64)> = stats["by_status"]
        .as_array()
        .expect("by_status")
        .iter()
        .map(|p| (p[0].as_str().unwrap_or("").to_owned(), p[1].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(statuses.len(), 8, "every status listed");
    assert!(statuses.contains(&("resolved".to_owned(), 1)));
    assert_eq!(count(&stats["by_category"], "schlagloch"), 3);
    assert_eq!(count(&stats["by_category"], "leuchte_aus"), 1);
    assert_eq!(stats["by_category"][0]["name"], "Schlagloch / Fahrbahnschaden");
    assert_eq!(count(&stats["by_department"], "tiefbau"), 3);
    assert_eq!(count(&stats["by_department"], "tbz"), 1);
    // Two reports got a first response (a status, a message); one was resolved.
    let first = stats["median_first_response_hours"]
        .as_f64()
        .expect("median first response");
    let resolution = stats["median_resolution_hours"].as_f64().expect("median resolution");
    assert!(
        (0.0..0.1).contains(&first) && (0.0..0.1).contains(&resolution),
        "{stats}"
    );
    assert_eq!(stats["overdue"], 0);

    let empty = app
        .get(
            "/api/v1/staff/stats?from=2000-01-01T00:00:00Z&to=2000-12-31T00:00:00Z",
            Some(&staff.token),
        )
        .await
        .expect(200);
    assert_eq!(empty["total"], 0);
    assert!(empty["median_first_response_hours"].is_null());
    app.get(
        "/api/v1/staff/stats?from=2030-01-01T00:00:00Z&to=2000-01-01T00:00:00Z",
        Some(&staff.token),
    )
    .await
    .expect_field_error("from", "after_to");

    // A field worker of Tiefbau counts only what they may see.
    let field = app.login(FLENSBURG, "field").await;
    let theirs = app.get("/api/v1/staff/stats", Some(&field.token)).await.expect(200);
    assert_eq!(theirs["total"], 3, "{theirs}");
    // Other municipalities see nothing of it.
    let kiel = app.login(crate::helpers::KIEL, "dispatcher").await;
    assert_eq!(
        app.get("/api/v1/staff/stats", Some(&kiel.token)).await.expect(200)["total"],
        0
    );
}

#[tokio::test]
async fn the_filtered_inbox_exports_as_csv_for_spreadsheets() {
    let app = spawn_app().await;
    let device = app.device().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let mut r = pothole();
        r["description"] = json!("Loch; tief \"sehr\"\nzweite Zeile");
        app.submit_ok(&device, &r).await;
        ids.push(id_of(&r));
    }
    let staff = app.login(FLENSBURG, "dispatcher").await;
    app.transition(&staff, &ids[0], &json!({"to": "resolved"}))
        .await
        .expect(200);

    let reply = app.get("/api/v1/staff/reports.csv", Some(&staff.token)).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    assert!(
        reply.headers["content-type"]
            .to_str()
            .is_ok_and(|c| c.starts_with("text/csv"))
    );
    assert!(
        reply.headers["content-disposition"]
            .to_str()
            .is_ok_and(|c| c.contains("attachment"))
    );
    assert_eq!(
        &reply.bytes[..3],
        [0xEF, 0xBB, 0xBF],
        "a byte order mark for spreadsheet programs"
    );
    let text = reply.text();
    let text = text.trim_start_matches('\u{feff}');
    assert!(
        text.starts_with("Nummer;Eingang;Status;Priorität;Kategorie;Abteilung"),
        "{text}"
    );
    // Quoted fields keep the semicolon, quotes and the line break of the description.
    assert_eq!(
        text.matches("\"Loch; tief \"\"sehr\"\"\nzweite Zeile\"").count(),
        3,
        "{text}"
    );
    for id in &ids {
        assert!(text.contains(id.as_str()));
    }
    assert!(text.contains(";Erledigt;") && text.contains(";Tiefbau;"), "{text}");

    let resolved = app
        .get("/api/v1/staff/reports.csv?status=resolved&lang=en", Some(&staff.token))
        .await
        .text();
    assert!(
        resolved
            .trim_start_matches('\u{feff}')
            .starts_with("Id;Received;Status"),
        "{resolved}"
    );
    assert!(resolved.contains(&ids[0]) && !resolved.contains(&ids[1]));
    app.get("/api/v1/staff/reports.csv?status=halb", Some(&staff.token))
        .await
        .expect_field_error("status", "unknown_status");
    let kiel = app.login(crate::helpers::KIEL, "dispatcher").await;
    let theirs = app.get("/api/v1/staff/reports.csv", Some(&kiel.token)).await.text();
    assert!(
        !ids.iter().any(|id| theirs.contains(id.as_str())),
        "other municipalities export nothing of it"
    );
}
