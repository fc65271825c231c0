//! Near a border: a place outside Flensburg's boundary but within the tolerance (on the
//! Förde). The form asks the citizen to confirm the municipality and only then names it
//! in the report; the server records that confirmation in the report's audit trail. A
//! place inside the boundary needs none, and a report that names no municipality records
//! none.

use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, FOERDE, SUEDERMARKT, report, spawn_app};

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
