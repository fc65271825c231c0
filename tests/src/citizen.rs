//! A citizen on a test server's API: a device of its own that uploads photos and submits
//! reports, for tests that need reports to exist before the page under test opens.

use std::time::Duration;

use serde_json::{Value, json};

use crate::FLENSBURG;

/// A citizen's device on the API.
pub struct Citizen {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Citizen {
    /// Registers a device.
    pub async fn register(url: &str) -> Self {
        let http = reqwest::Client::new();
        let body: Value = http
            .post(format!("{url}/api/v1/devices"))
            .json(&json!({"platform": "test"}))
            .send()
            .await
            .expect("register device")
            .json()
            .await
            .expect("device JSON");
        Self {
            http,
            url: url.to_owned(),
            token: body["token"].as_str().expect("device token").to_owned(),
        }
    }

    /// Uploads a photo for anonymization; returns its hash.
    pub async fn photo(&self, jpeg: Vec<u8>) -> String {
        let resp = self
            .http
            .post(format!("{}/api/v1/photos", self.url))
            .bearer_auth(&self.token)
            .header("Content-Type", "application/octet-stream")
            .body(jpeg)
            .timeout(Duration::from_secs(180))
            .send()
            .await
            .expect("upload photo");
        let status = resp.status();
        let body: Value = resp.json().await.expect("photo JSON");
        assert!(status.is_success(), "photo upload: {status} {body}");
        body["hash"].as_str().expect("photo hash").to_owned()
    }

    /// Submits a report in Flensburg; returns its id.
    pub async fn report(
        &self,
        category: &str,
        answers: Value,
        description: &str,
        at: (f64, f64),
        hint: &str,
        photos: &[String],
    ) -> String {
        self.report_in(Some(FLENSBURG), category, answers, description, at, hint, photos)
            .await
    }

    /// Submits a report to a municipality, or (`None`) wherever the location lies;
    /// returns its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn report_in(
        &self,
        municipality: Option<&str>,
        category: &str,
        answers: Value,
        description: &str,
        at: (f64, f64),
        hint: &str,
        photos: &[String],
    ) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let resp = self
            .http
            .post(format!("{}/api/v1/reports", self.url))
            .bearer_auth(&self.token)
            .json(&json!({
                "id": id,
                "municipality": municipality,
                "category": category,
                "answers": answers,
                "description": description,
                "location": {"lat": at.0, "lon": at.1},
                "address_hint": hint,
                "photos": photos,
                "consent": true,
            }))
            .send()
            .await
            .expect("submit report");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert!(status.is_success(), "report: {status} {text}");
        id
    }

    /// The citizen's view of a report.
    pub async fn view(&self, id: &str) -> Value {
        let resp = self
            .http
            .get(format!("{}/api/v1/reports/{id}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("citizen view");
        assert!(resp.status().is_success(), "citizen view: {}", resp.status());
        resp.json().await.expect("citizen JSON")
    }
}

/// Registers a device of its own and submits a pothole in Flensburg with a contact
/// address and a description; returns the report's id.
pub async fn submit_with_email(url: &str, email: &str, description: &str) -> String {
    let citizen = Citizen::register(url).await;
    let id = uuid::Uuid::new_v4().to_string();
    let resp = citizen
        .http
        .post(format!("{url}/api/v1/reports"))
        .bearer_auth(&citizen.token)
        .json(&json!({
            "id": id,
            "municipality": FLENSBURG,
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
