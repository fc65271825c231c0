//! A citizen's report sent straight to a test server's API (with a contact address, so
//! that a receipt with a status link goes out), shared by the browser test binaries that
//! need a report to exist before the page under test opens.

use serde_json::{Value, json};

/// Registers a device of its own and submits a pothole in Flensburg with a contact
/// address and a description; returns the report's id.
pub async fn submit_with_email(url: &str, email: &str, description: &str) -> String {
    let http = reqwest::Client::new();
    let device: Value = http
        .post(format!("{url}/api/v1/devices"))
        .json(&json!({"platform": "test"}))
        .send()
        .await
        .expect("register device")
        .json()
        .await
        .expect("device JSON");
    let token = device["token"].as_str().expect("device token");
    let id = uuid::Uuid::new_v4().to_string();
    let resp = http
        .post(format!("{url}/api/v1/reports"))
        .bearer_auth(token)
        .json(&json!({
            "id": id,
            "municipality": crate::support::FLENSBURG,
            "category": "schlagloch",
            "answers": {"gefahr_akut": false, "groesse": "20_50", "tiefe": "3_8", "lage": "fahrbahn",
                        "strassenart": "gemeindestrasse"},
            "description": description,
            "location": {"lat": 54.8016, "lon": 9.4553},
            "address_hint": "Mürwiker Straße 112",
            "contact_email": email,
            "consent": true,
        }))
        .send()
        .await
        .expect("submit report");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert!(status.is_success(), "report: {status} {text}");
    id
}
