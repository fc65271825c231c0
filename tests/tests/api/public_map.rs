//! The public map and list (issue 20): only published reports, on the municipality's
//! grid unless staff mark them exact, the citizen's text only where the municipality
//! publishes it and staff approved, filters, tenant isolation, clustering.

use serde_json::{Value, json};
use uuid::Uuid;

use augenmerk_domain::GeoPoint;
use augenmerk_domain::public_map::snap_to_grid;

use crate::helpers::{FLENSBURG, KIEL, KIEL_RATHAUS, Staff, TestApp, id_of, pothole, report, spawn_app};

const EXACT: (f64, f64) = (54.810_123_4, 9.480_987_6);

fn item<'a>(list: &'a Value, id: &str) -> Option<&'a Value> {
    list["items"].as_array()?.iter().find(|r| r["id"] == id)
}

async fn list(app: &TestApp, query: &str) -> Value {
    app.get(&format!("/api/v1/public/reports/list?{query}"), None)
        .await
        .expect(200)
}

async fn publication(app: &TestApp, staff: &Staff, id: &str, exact: bool, approved: bool) {
    let body = app
        .put(
            &format!("/api/v1/staff/reports/{id}/publication"),
            Some(&staff.token),
            &json!({"exact": exact, "approved": approved}),
        )
        .await
        .expect(200);
    assert_eq!(body, json!({"exact": exact, "approved": approved}));
}

#[tokio::test]
async fn the_public_list_shows_published_reports_on_the_grid_and_text_only_when_approved() {
    let app = spawn_app().await;
    let marker = Uuid::new_v4().simple().to_string();
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let citizen = app.device().await;

    let mut shown = pothole();
    shown["location"] = json!({"lat": EXACT.0, "lon": EXACT.1});
    shown["description"] = json!(format!("DESC-{marker} Herr Beispiel, Tel. 0461 999"));
    let shown_id = id_of(&shown);
    app.submit_ok(&citizen, &shown).await;
    app.transition(
        &dispatcher,
        &shown_id,
        &json!({"to": "in_progress", "public_comment": "Wir kümmern uns."}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/staff/reports/{shown_id}/notes"),
        Some(&dispatcher.token),
        &json!({"body": format!("NOTE-{marker}")}),
    )
    .await
    .expect(201);

    // A second report a few metres away: the same grid position.
    let mut neighbour = pothole();
    neighbour["location"] = json!({"lat": EXACT.0 + 0.000_02, "lon": EXACT.1 + 0.000_02});
    let neighbour_id = id_of(&neighbour);
    app.submit_ok(&citizen, &neighbour).await;
    app.transition(
        &dispatcher,
        &neighbour_id,
        &json!({"to": "resolved", "public_comment": "Erledigt."}),
    )
    .await
    .expect(200);

    // Turned down (rejected; rejected then closed) and withdrawn: never public.
    let mut hidden = Vec::new();
    for close in [false, true] {
        let r = pothole();
        let id = id_of(&r);
        app.submit_ok(&citizen, &r).await;
        app.transition(
            &dispatcher,
            &id,
            &json!({"to": "rejected", "public_comment": "Kein Fall für uns."}),
        )
        .await
        .expect(200);
        if close {
            app.transition(&dispatcher, &id, &json!({"to": "closed"}))
                .await
                .expect(200);
        }
        hidden.push(id);
    }
    let withdrawn = pothole();
    let withdrawn_id = id_of(&withdrawn);
    app.submit_ok(&citizen, &withdrawn).await;
    app.post(
        &format!("/api/v1/reports/{withdrawn_id}/withdraw"),
        Some(&citizen.token),
        &json!({}),
    )
    .await
    .expect(204);
    hidden.push(withdrawn_id);

    // Kiel's report is Kiel's.
    let kiel = report("schlagloch", pothole()["answers"].clone(), KIEL_RATHAUS);
    let kiel_id = id_of(&kiel);
    let kiel_reply = app.submit(&citizen, &kiel).await;
    assert!(kiel_reply.status.is_success(), "{}", kiel_reply.text());

    let flensburg = list(&app, &format!("ags={FLENSBURG}")).await;
    assert_eq!(flensburg["total"], 2, "{flensburg}");
    let text = flensburg.to_string();
    for secret in [marker.as_str(), "0461", "contact", "device", "answers", "54.8101234"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    for id in &hidden {
        assert!(!text.contains(id.as_str()), "{id} is not public: {text}");
    }
    assert!(item(&flensburg, &kiel_id).is_none(), "tenant isolation");
    let a = item(&flensburg, &shown_id).expect("shown");
    let b = item(&flensburg, &neighbour_id).expect("neighbour");
    let grid = snap_to_grid(
        GeoPoint {
            lat: EXACT.0,
            lon: EXACT.1,
        },
        50,
    );
    assert_eq!(a["location"], json!({"lat": grid.lat, "lon": grid.lon}));
    assert_eq!(a["location"], b["location"], "one 50 m cell, one position");
    assert_eq!(a["exact"], false);
    assert_eq!(a["status"], "in_progress");
    assert_eq!(a["comments"], 1);
    assert_eq!(a["category_name"]["de"], "Schlagloch / Fahrbahnschaden");
    assert_eq!(a["municipality"], FLENSBURG);

    // The detail: history with the public comment, no text before approval.
    let detail_path = format!("/api/v1/public/reports/{shown_id}");
    app.publish_text(FLENSBURG).await;
    let detail = app.get(&detail_path, None).await.expect(200);
    assert_eq!(detail["description"], Value::Null, "not approved: {detail}");
    assert!(detail["history"].to_string().contains("Wir kümmern uns."), "{detail}");
    assert!(!detail.to_string().contains(&format!("NOTE-{marker}")), "{detail}");
    for id in &hidden {
        app.get(&format!("/api/v1/public/reports/{id}"), None).await.expect(404);
    }

    // Staff mark it exact and approve the text: audited, and shown.
    publication(&app, &dispatcher, &shown_id, true, true).await;
    let detail = app.get(&detail_path, None).await.expect(200);
    assert_eq!(detail["exact"], true);
    assert_eq!(detail["location"], json!({"lat": EXACT.0, "lon": EXACT.1}));
    assert!(
        detail["description"].as_str().is_some_and(|d| d.contains(&marker)),
        "{detail}"
    );
    let staff_view = app.detail(&dispatcher, &shown_id).await;
    assert_eq!(staff_view["publication"], json!({"exact": true, "approved": true}));
    assert!(
        staff_view["audit"]
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e["action"]["type"] == "publication_changed")),
        "audited: {}",
        staff_view["audit"]
    );
    // Text publishing off again: approval alone shows nothing.
    app.change_settings(FLENSBURG, |s| s["publish_text"] = json!(false))
        .await;
    let detail = app.get(&detail_path, None).await.expect(200);
    assert_eq!(detail["description"], Value::Null);

    // Filters.
    let closed = list(&app, &format!("ags={FLENSBURG}&status=closed")).await;
    assert_eq!(closed["total"], 1, "{closed}");
    assert!(item(&closed, &neighbour_id).is_some());
    let open = list(&app, &format!("ags={FLENSBURG}&status=open")).await;
    assert!(item(&open, &shown_id).is_some() && open["total"] == 1, "{open}");
    assert_eq!(
        list(&app, &format!("ags={FLENSBURG}&status=rejected")).await["total"],
        0
    );
    assert_eq!(
        list(&app, &format!("ags={FLENSBURG}&category=leuchte_aus")).await["total"],
        0
    );
    assert_eq!(
        list(&app, &format!("ags={FLENSBURG}&category=schlagloch")).await["total"],
        2
    );
    assert_eq!(
        list(&app, &format!("ags={FLENSBURG}&from=2099-01-01")).await["total"],
        0
    );
    assert_eq!(list(&app, &format!("ags={FLENSBURG}&to=2000-01-01")).await["total"], 0);
    let paged = list(&app, &format!("ags={FLENSBURG}&page=2&page_size=1")).await;
    assert_eq!(
        (paged["items"].as_array().map(Vec::len), &paged["total"]),
        (Some(1), &json!(2))
    );
    app.get("/api/v1/public/reports/list?status=maybe", None)
        .await
        .expect_error(422, "validation_failed");

    // The public configuration says whether the map is on, and the licence.
    let config = app
        .get(&format!("/api/v1/municipalities/{FLENSBURG}/config"), None)
        .await
        .expect(200);
    assert_eq!(config["public"], json!({"enabled": true, "licence": "dl-de/zero-2-0"}));

    // The admin's settings are checked: a header-breaking embedding origin is refused.
    let admin = app.login(FLENSBURG, "admin").await;
    let mut settings = app
        .get("/api/v1/staff/config/settings", Some(&admin.token))
        .await
        .expect(200);
    settings["public"]["frame_ancestors"] = json!(["https://example.org; script-src *"]);
    app.put("/api/v1/staff/config/settings", Some(&admin.token), &settings)
        .await
        .expect_field_error("public.frame_ancestors.0", "invalid");

    // Statewide: both municipalities, until Kiel switches its map off.
    let all = list(&app, "").await;
    assert!(
        item(&all, &kiel_id).is_some() && item(&all, &shown_id).is_some(),
        "{all}"
    );
    app.change_settings(KIEL, |s| s["public"] = json!({"enabled": false}))
        .await;
    let all = list(&app, "").await;
    assert!(item(&all, &kiel_id).is_none(), "{all}");
    app.get(&format!("/api/v1/public/reports/list?ags={KIEL}"), None)
        .await
        .expect(404);
    app.get(&format!("/api/v1/public/reports/{kiel_id}"), None)
        .await
        .expect(404);
    let kiel_config = app
        .get(&format!("/api/v1/municipalities/{KIEL}/config"), None)
        .await
        .expect(200);
    assert_eq!(kiel_config["public"]["enabled"], false);

    // The map: few reports in the viewport come one by one.
    let map = app
        .get(
            &format!("/api/v1/public/reports?ags={FLENSBURG}&bbox=9.3,54.7,9.6,54.9&zoom=13"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(map["total"], 2, "{map}");
    assert_eq!(map["clusters"], json!([]));
    assert_eq!(map["reports"].as_array().map(Vec::len), Some(2));
    let elsewhere = app
        .get(
            &format!("/api/v1/public/reports?ags={FLENSBURG}&bbox=10.0,54.0,10.1,54.1&zoom=13"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(elsewhere["total"], 0);
}

#[tokio::test]
async fn many_reports_in_a_viewport_are_clustered_by_zoom() {
    let app = spawn_app().await;
    let citizen = app.device().await;
    // 52 reports in two groups 2 km apart, plus one on its own.
    let mut places = Vec::new();
    for i in 0..26 {
        let d = f64::from(i) * 0.000_05;
        places.push((54.790 + d, 9.430 + d));
        places.push((54.805 + d, 9.460 + d));
    }
    places.push((54.780, 9.470));
    for p in &places {
        let r = report(
            "schlagloch",
            json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
            *p,
        );
        app.submit_ok(&citizen, &r).await;
    }
    let bbox = "9.40,54.77,9.50,54.82";
    let at = |zoom: u8| {
        let app = &app;
        async move {
            app.get(
                &format!("/api/v1/public/reports?ags={FLENSBURG}&bbox={bbox}&zoom={zoom}"),
                None,
            )
            .await
            .expect(200)
        }
    };
    let coarse = at(11).await;
    assert_eq!(coarse["total"], 53, "{coarse}");
    let clustered: u64 = coarse["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| c["count"].as_u64().unwrap_or(0))
        .sum();
    let singles = coarse["reports"].as_array().map_or(0, Vec::len) as u64;
    assert_eq!(clustered + singles, 53, "{coarse}");
    assert!(
        coarse["clusters"]
            .as_array()
            .is_some_and(|c| !c.is_empty() && c.len() <= 3),
        "{coarse}"
    );
    assert!(
        coarse["reports"].as_array().is_some_and(|r| r.len() == 1),
        "the lone one: {coarse}"
    );
    // Closer in, the groups split up into more, smaller clusters and single reports.
    let fine = at(18).await;
    let fine_items = fine["clusters"].as_array().map_or(0, Vec::len) + fine["reports"].as_array().map_or(0, Vec::len);
    let coarse_items = coarse["clusters"].as_array().map_or(0, Vec::len) + 1;
    assert!(fine_items > coarse_items, "{fine}");
    app.get(&format!("/api/v1/public/reports?bbox={bbox}&zoom=30"), None)
        .await
        .expect_error(422, "validation_failed");
}
