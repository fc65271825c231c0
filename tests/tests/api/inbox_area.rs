//! The inbox filtered by a named area (the console's area filter): only reports inside
//! the area's polygon, counted and paged, in the list and in the CSV export.

use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, MUERWIK, SUEDERMARKT, TestApp, id_of, pothole, report, spawn_app};

/// The named areas the dry run finds at a place.
async fn areas_at(app: &TestApp, token: &str, at: (f64, f64)) -> Vec<String> {
    let body = json!({"sample": {"category": "schlagloch", "answers": {"gefahr_akut": false},
        "location": {"lat": at.0, "lon": at.1}}});
    let answer = app
        .post("/api/v1/staff/rules/dry-run", Some(token), &body)
        .await
        .expect(200);
    answer["areas"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["report"]["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_inbox_filters_by_a_named_area() {
    let app = spawn_app().await;
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let muerwik = areas_at(&app, &staff.token, MUERWIK).await;
    let centre = areas_at(&app, &staff.token, SUEDERMARKT).await;
    let area = muerwik.first().expect("Mürwik lies in a Stadtteil").clone();
    assert!(
        !centre.contains(&area),
        "the two places lie in different areas: {muerwik:?} {centre:?}"
    );

    let mut inside = Vec::new();
    for _ in 0..3 {
        let r = pothole();
        app.submit_ok(&device, &r).await;
        inside.push(id_of(&r));
    }
    let outside = report("schlagloch", json!({"gefahr_akut": false}), SUEDERMARKT);
    app.submit_ok(&device, &outside).await;

    let page = app
        .get(&format!("/api/v1/staff/reports?area={area}"), Some(&staff.token))
        .await
        .expect(200);
    assert_eq!(page["total"], 3, "{page}");
    let mut found = ids(&page);
    found.sort();
    inside.sort();
    assert_eq!(found, inside);

    // Paged like the store's pages.
    let second = app
        .get(
            &format!("/api/v1/staff/reports?area={area}&page=2&page_size=2"),
            Some(&staff.token),
        )
        .await
        .expect(200);
    assert_eq!((second["total"].as_u64(), ids(&second).len()), (Some(3), 1), "{second}");

    // Combined with another filter, and for an area without reports.
    let none = app
        .get(
            &format!("/api/v1/staff/reports?area={area}&status=resolved"),
            Some(&staff.token),
        )
        .await
        .expect(200);
    assert_eq!(none["total"], 0);
    let unknown = app
        .get("/api/v1/staff/reports?area=gibt-es-nicht", Some(&staff.token))
        .await
        .expect(200);
    assert_eq!(unknown["total"], 0);

    // The CSV export follows the same filter.
    let csv = app
        .get(&format!("/api/v1/staff/reports.csv?area={area}"), Some(&staff.token))
        .await;
    let text = csv.text();
    for id in &inside {
        assert!(text.contains(id.as_str()), "{id} missing in the export");
    }
    assert!(
        !text.contains(id_of(&outside).as_str()),
        "the report outside is not exported"
    );
}
