//! Ämter as tenants (issue 26): an Amt receives reports from its Gemeinden, each report
//! records its Gemeinde, rules route by Gemeinde, the inbox filters and the statistics
//! count by it, and citizens see "Gemeinde (Amt …)". The platform admin's directory, and
//! taking mailed reports into the inbox of an administration that joins.

use serde_json::json;

use crate::helpers::{
    AMT_LANGBALLIG, HOLSTENTOR, LANGBALLIG, NEUMUENSTER, PASSWORD, TestApp, WEES, id_of, report, spawn_app,
};

fn litter(at: (f64, f64)) -> serde_json::Value {
    report("papierkorb", json!({}), at)
}

async fn platform(app: &TestApp) -> String {
    app.platform_token().await
}

#[tokio::test]
async fn an_amt_takes_reports_from_its_gemeinden_and_routes_counts_and_filters_by_gemeinde() {
    let app = spawn_app().await;
    let found = app
        .get(&format!("/api/v1/responsibility?lat={}&lon={}", WEES.0, WEES.1), None)
        .await
        .expect(200);
    assert_eq!(
        (found["ags"].as_str(), found["name"].as_str()),
        (Some("01059176"), Some("Wees"))
    );
    assert_eq!(found["administration"]["key"], AMT_LANGBALLIG, "{found}");
    assert_eq!(found["administration"]["name"], "Amt Langballig");
    assert_eq!(found["administration"]["serves_several"], true);
    assert_eq!(found["delivery"]["kind"], "platform");

    let device = app.device().await;
    let in_wees = app.submit_ok(&device, &litter(WEES)).await;
    let in_langballig = app.submit_ok(&device, &litter(LANGBALLIG)).await;
    assert_eq!(in_wees["municipality"], AMT_LANGBALLIG);
    assert_eq!(in_wees["place_name"], "Wees (Amt Langballig)", "{in_wees}");
    assert_eq!(in_langballig["place_name"], "Langballig (Amt Langballig)");

    let admin = app.login(AMT_LANGBALLIG, "admin").await;
    let wees = app.detail(&admin, &id_of(&in_wees)).await;
    let langballig = app.detail(&admin, &id_of(&in_langballig)).await;
    assert_eq!(wees["report"]["gemeinde"], "01059176");
    assert_eq!(langballig["report"]["gemeinde"], "01059137");
    // The same category, two Gemeinden, two departments: the rule by Gemeinde decides.
    assert_eq!(wees["report"]["department"], "bauhof", "{wees}");
    assert_eq!(wees["report"]["routed_by"], "wees-westerholz");
    assert_eq!(langballig["report"]["department"], "ordnungsamt", "{langballig}");

    let only_wees = app
        .get("/api/v1/staff/reports?gemeinde=01059176", Some(&admin.token))
        .await
        .expect(200);
    assert_eq!(only_wees["total"], 1);
    assert_eq!(only_wees["items"][0]["report"]["id"], in_wees["id"]);

    let stats = app.get("/api/v1/staff/stats", Some(&admin.token)).await.expect(200);
    let mut by_gemeinde: Vec<(String, u64)> = stats["by_gemeinde"]
        .as_array()
        .expect("by_gemeinde")
        .iter()
        .map(|k| {
            (
                k["name"].as_str().unwrap_or_default().to_owned(),
                k["count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    by_gemeinde.sort();
    assert_eq!(by_gemeinde, [("Langballig".to_owned(), 1), ("Wees".to_owned(), 1)]);

    // The Amt's configuration names its seven Gemeinden, each with its boundary.
    let config = app
        .get(&format!("/api/v1/municipalities/{AMT_LANGBALLIG}/config"), None)
        .await
        .expect(200);
    let gemeinden = config["gemeinden"].as_array().expect("gemeinden");
    assert_eq!(gemeinden.len(), 7);
    assert!(gemeinden.iter().all(|g| g["boundary"]["type"].is_string()));
    assert_eq!(config["boundary"]["type"], "MultiPolygon");

    // A rule may only name the Amt's own Gemeinden.
    let reply = app
        .put(
            "/api/v1/staff/config/rules",
            Some(&admin.token),
            &json!([{"id": "kiel", "name": "Kiel?", "conditions": [{"type": "gemeinde", "gemeinden": ["01002000"]}],
                     "action": {"department": "bauamt"}},
                    {"id": "default", "name": "Rest", "conditions": [], "action": {"department": "ordnungsamt"}}]),
        )
        .await;
    reply.expect_field_error("rules.kiel.conditions", "unknown_gemeinde:01002000");
    // Flensburg's staff see none of the Amt's reports.
    let flensburg = app.login(crate::helpers::FLENSBURG, "admin").await;
    app.get(
        &format!("/api/v1/staff/reports/{}", id_of(&in_wees)),
        Some(&flensburg.token),
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn the_directory_is_the_platform_admins_and_a_joining_administration_takes_its_mailed_reports() {
    let app = spawn_app().await;
    let token = platform(&app).await;
    // Staff of a tenant may not touch the directory.
    let admin = app.login(AMT_LANGBALLIG, "admin").await;
    app.get("/api/v1/admin/directory", Some(&admin.token)).await.expect(403);

    // An import with a bad line takes nothing and names the line.
    let bad = "key;name;email\n010040000;Neumünster;meldungen@neumuenster.example\n01004;Kaputt;x@y.example\n";
    let reply = app
        .send(
            app.request(reqwest::Method::POST, "/api/v1/admin/directory/import", Some(&token))
                .header("content-type", "text/csv")
                .body(bad),
        )
        .await;
    reply.expect_field_error("line 3", "invalid_key");
    let good = "key;name;email\n010040000;Stadt Neumünster;meldungen@neumuenster.example\n";
    let reply = app
        .send(
            app.request(reqwest::Method::POST, "/api/v1/admin/directory/import", Some(&token))
                .header("content-type", "text/csv")
                .body(good),
        )
        .await
        .expect(200);
    assert_eq!(reply["imported"], 1);

    // Neumünster now takes reports by mail; the report is kept for its device.
    let device = app.device().await;
    let sent = app.submit_ok(&device, &litter(NEUMUENSTER)).await;
    assert_eq!(sent["status"], "forwarded");
    assert_eq!(sent["mailed_to"], "Stadt Neumünster", "{sent}");
    assert_eq!(
        app.citizen_view(&device, &id_of(&sent)).await["mailed_to"],
        "Stadt Neumünster"
    );
    let listing = app.get("/api/v1/admin/directory", Some(&token)).await.expect(200);
    let row = listing
        .as_array()
        .and_then(|l| l.iter().find(|e| e["key"] == "010040000"))
        .cloned()
        .expect("listed");
    assert_eq!(
        (row["mailed_reports"].as_u64(), row["on_platform"].as_bool()),
        (Some(1), Some(false))
    );

    // Neumünster joins the platform and takes the mailed report into its inbox.
    app.post(
        "/api/v1/admin/municipalities",
        Some(&token),
        &json!({"ags": "010040000", "import_mailed": true,
                "admin": {"username": "admin", "display_name": "Verwaltung Neumünster", "password": PASSWORD, "role": "admin"}}),
    )
    .await
    .expect(201);
    let nms = app.login("010040000", "admin").await;
    let case = app.detail(&nms, &id_of(&sent)).await;
    assert_eq!(case["report"]["status"], "received", "{case}");
    assert_eq!(case["report"]["gemeinde"], "01004000");
    assert!(
        case["audit"].to_string().contains("per E-Mail an Stadt Neumünster"),
        "the trail says where it came from: {case}"
    );
    // The citizen's device now sees it worked on the platform.
    let view = app.citizen_view(&device, &id_of(&sent)).await;
    assert_eq!(
        (view["status"].as_str(), view["mailed_to"].as_str()),
        (Some("received"), None)
    );
    // Reports from there now go to the new tenant.
    let next = app.submit_ok(&device, &litter(NEUMUENSTER)).await;
    assert_eq!(
        (next["municipality"].as_str(), next["mailed_to"].as_str()),
        (Some("010040000"), None)
    );
}

#[tokio::test]
async fn holstentor_goes_by_mail_to_luebeck_from_the_demo_directory() {
    let app = spawn_app().await;
    let found = app
        .get(
            &format!("/api/v1/responsibility?lat={}&lon={}", HOLSTENTOR.0, HOLSTENTOR.1),
            None,
        )
        .await
        .expect(200);
    assert_eq!(found["active"], true);
    assert_eq!(
        found["delivery"],
        json!({"kind": "mail", "to": "Hansestadt Lübeck"}),
        "{found}"
    );
    let list = app.get("/api/v1/municipalities", None).await.expect(200);
    let luebeck = list
        .as_array()
        .and_then(|l| l.iter().find(|m| m["ags"] == "010030000"))
        .cloned()
        .expect("listed for devices");
    assert_eq!(luebeck["delivery"]["kind"], "mail");
    let config = app
        .get("/api/v1/municipalities/010030000/config", None)
        .await
        .expect(200);
    assert!(
        config["categories"].to_string().contains("schlagloch"),
        "the standard tree"
    );
    assert_eq!(config["delivery"]["to"], "Hansestadt Lübeck");
    // An Open311 client cannot file there: it serves the platform's tenants only.
    let device = app.device().await;
    let sent = app.submit_ok(&device, &litter(HOLSTENTOR)).await;
    let again = app.submit(&device, &litter(HOLSTENTOR)).await.expect(201);
    assert_ne!(sent["id"], again["id"]);
    // The same id again: the stored one, not a second mail.
    let mut same = litter(HOLSTENTOR);
    same["id"] = sent["id"].clone();
    app.submit(&device, &same).await.expect(200);
    let mine = app.get("/api/v1/reports", Some(&device.token)).await.expect(200);
    assert_eq!(mine.as_array().map(Vec::len), Some(2));
}
