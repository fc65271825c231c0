//! Near a border: a place outside Flensburg's boundary but within the tolerance (on the
//! Förde). The form asks the citizen to confirm the municipality and only then names it
//! in the report; the server records that confirmation in the report's audit trail. A
//! place inside the boundary needs none, and a report that names no municipality records
//! none.
//!
//! A place inside Flensburg but within the tolerance of its neighbour Wees (Amt
//! Langballig, also a tenant) offers both; the citizen may file the report with either,
//! and with nobody else.

use serde_json::{Value, json};

use crate::helpers::{AMT_LANGBALLIG, FLENSBURG, FOERDE, KIEL, SUEDERMARKT, id_of, report, spawn_app};

/// In Flensburg, about 190 m from Wees (Amt Langballig) and 250 m from Maasbüll (Amt
/// Hürup, which nobody here takes reports for), by the boundaries the tests load.
const NEAR_WEES: (f64, f64) = (54.79395, 9.50117);
/// Wees's key.
const WEES_AGS: &str = "01059176";
/// Amt Hürup (Maasbüll's administration): not on the platform, not in the directory.
const AMT_HUERUP: &str = "010595919";
/// In Dollerup (Amt Langballig), about 190 m from Steinbergkirche, whose Amt Geltinger
/// Bucht is not on the platform but in the demo's directory.
const NEAR_STEINBERGKIRCHE: (f64, f64) = (54.77595, 9.69052);
/// Amt Geltinger Bucht.
const AMT_GELTINGER_BUCHT: &str = "010595990";

fn pothole_at(place: (f64, f64), municipality: Option<&str>) -> Value {
    let mut r = report(
        "schlagloch",
        json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
        place,
    );
    if let Some(m) = municipality {
        r["municipality"] = json!(m);
    }
    r
}

fn confirmations(audit: &Value) -> Vec<&Value> {
    audit
        .as_array()
        .expect("audit")
        .iter()
        .filter(|e| e["action"]["type"] == "municipality_confirmed")
        .collect()
}

#[tokio::test]
async fn the_confirmed_municipality_near_a_border_is_recorded() {
    let app = spawn_app().await;
    let device = app.device().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;

    let confirmed = app.submit_ok(&device, &pothole_at(FOERDE, Some(FLENSBURG))).await;
    let detail = app.detail(&dispatcher, confirmed["id"].as_str().expect("id")).await;
    let entries = confirmations(&detail["audit"]);
    assert_eq!(entries.len(), 1, "{}", detail["audit"]);
    let action = &entries[0]["action"];
    assert_eq!(action["gemeinde"], FLENSBURG, "{action}");
    let distance = action["distance_m"].as_u64().expect("distance");
    assert!(distance > 0 && distance <= 500, "{action}");
    assert_eq!(entries[0]["actor"]["kind"], "citizen", "{}", entries[0]);

    // Inside the boundary there is nothing to confirm.
    let inside = app.submit_ok(&device, &pothole_at(SUEDERMARKT, Some(FLENSBURG))).await;
    let detail = app.detail(&dispatcher, inside["id"].as_str().expect("id")).await;
    assert!(confirmations(&detail["audit"]).is_empty(), "{}", detail["audit"]);

    // A client that names no municipality confirmed nothing (still accepted, as before).
    let unnamed = app.submit_ok(&device, &pothole_at(FOERDE, None)).await;
    let detail = app.detail(&dispatcher, unnamed["id"].as_str().expect("id")).await;
    assert!(confirmations(&detail["audit"]).is_empty(), "{}", detail["audit"]);
}

#[tokio::test]
async fn inside_near_a_border_the_citizen_may_choose_the_neighbour_and_nobody_else() {
    let app = spawn_app().await;
    let found = app
        .get(
            &format!("/api/v1/responsibility?lat={}&lon={}", NEAR_WEES.0, NEAR_WEES.1),
            None,
        )
        .await
        .expect(200);
    assert_eq!(
        (found["ags"].as_str(), found["distance_m"].as_f64()),
        (Some(FLENSBURG), Some(0.0)),
        "{found}"
    );
    let alternatives = found["alternatives"].as_array().expect("alternatives");
    // Maasbüll lies within the tolerance too, but nobody here takes its reports.
    assert_eq!(alternatives.len(), 1, "{found}");
    let wees = &alternatives[0];
    assert_eq!(wees["ags"], WEES_AGS, "{wees}");
    assert_eq!(wees["administration"]["key"], AMT_LANGBALLIG, "{wees}");
    assert_eq!(wees["delivery"]["kind"], "platform");
    let distance = wees["distance_m"].as_f64().expect("distance");
    assert!(distance > 0.0 && distance <= 500.0, "{wees}");
    assert!(wees.get("alternatives").is_none(), "{wees}");

    let device = app.device().await;
    let litter = |municipality: &str| {
        let mut r = report("papierkorb", json!({}), NEAR_WEES);
        r["municipality"] = json!(municipality);
        r
    };

    // The neighbour chosen: filed with the Amt, under Wees, and the choice is audited.
    let chosen = app.submit_ok(&device, &litter(AMT_LANGBALLIG)).await;
    assert_eq!(chosen["municipality"], AMT_LANGBALLIG, "{chosen}");
    let amt = app.login(AMT_LANGBALLIG, "dispatcher").await;
    let detail = app.detail(&amt, &id_of(&chosen)).await;
    assert_eq!(detail["report"]["gemeinde"], WEES_AGS, "{}", detail["report"]);
    let entries = confirmations(&detail["audit"]);
    assert_eq!(entries.len(), 1, "{}", detail["audit"]);
    let action = &entries[0]["action"];
    assert_eq!(action["gemeinde"], WEES_AGS, "{action}");
    assert!(
        action["distance_m"].as_u64().is_some_and(|d| d > 0 && d <= 500),
        "{action}"
    );
    assert_eq!(action["alternatives"], json!([FLENSBURG]), "{action}");

    // The own municipality kept: filed with Flensburg, the neighbour named as the alternative.
    let kept = app.submit_ok(&device, &litter(FLENSBURG)).await;
    assert_eq!(kept["municipality"], FLENSBURG, "{kept}");
    let flensburg = app.login(FLENSBURG, "dispatcher").await;
    let detail = app.detail(&flensburg, &id_of(&kept)).await;
    let entries = confirmations(&detail["audit"]);
    assert_eq!(entries.len(), 1, "{}", detail["audit"]);
    let action = &entries[0]["action"];
    assert_eq!(
        (action["gemeinde"].as_str(), action["distance_m"].as_u64()),
        (Some(FLENSBURG), Some(0)),
        "{action}"
    );
    assert_eq!(action["alternatives"], json!([WEES_AGS]), "{action}");

    // Neither a far municipality nor a neighbour that nobody here serves may be chosen.
    for other in [KIEL, AMT_HUERUP] {
        let body = app
            .submit(&device, &litter(other))
            .await
            .expect_field_error("municipality", "location_outside_municipality");
        assert_eq!(body["context"]["responsible"]["ags"], FLENSBURG, "{body}");
        assert_eq!(
            body["context"]["candidates"],
            json!([FLENSBURG, AMT_LANGBALLIG]),
            "{body}"
        );
    }
}

#[tokio::test]
async fn near_a_border_the_neighbour_may_be_an_administration_that_reports_are_mailed_to() {
    let app = spawn_app().await;
    let found = app
        .get(
            &format!(
                "/api/v1/responsibility?lat={}&lon={}",
                NEAR_STEINBERGKIRCHE.0, NEAR_STEINBERGKIRCHE.1
            ),
            None,
        )
        .await
        .expect(200);
    assert_eq!(found["administration"]["key"], AMT_LANGBALLIG, "{found}");
    let alternatives = found["alternatives"].as_array().expect("alternatives");
    assert_eq!(alternatives.len(), 1, "{found}");
    assert_eq!(alternatives[0]["administration"]["key"], AMT_GELTINGER_BUCHT);
    assert_eq!(alternatives[0]["delivery"]["kind"], "mail", "{found}");

    // Chosen from a device: mailed to the Amt off the platform, as any report from there.
    let device = app.device().await;
    let mut r = report("papierkorb", json!({}), NEAR_STEINBERGKIRCHE);
    r["municipality"] = json!(AMT_GELTINGER_BUCHT);
    let sent = app.submit_ok(&device, &r).await;
    assert_eq!(sent["status"], "forwarded", "{sent}");
    assert_eq!(sent["mailed_to"], "Amt Geltinger Bucht", "{sent}");
    // A name that is no candidate is refused here too.
    r["id"] = json!(uuid::Uuid::new_v4());
    r["municipality"] = json!(KIEL);
    app.submit(&device, &r)
        .await
        .expect_field_error("municipality", "location_outside_municipality");
}
