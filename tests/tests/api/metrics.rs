//! Prometheus metrics at `/metrics` (issue 24): only for the configured networks or the
//! token; parsed as Prometheus text after some traffic, the counters move as expected.

use std::collections::HashMap;

use serde_json::json;

use crate::helpers::{TestApp, pothole, spawn_app_with};

const TOKEN: &str = "metrik-geheim-123";

/// The official Prometheus client's OpenMetrics parser (Debian `python3-prometheus-client`):
/// every sample as `[name, {labels}, value]`.
const PARSER: &str = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append([s.name, s.labels, s.value])
print(json.dumps(out))
"#;

type Samples = HashMap<(String, Vec<(String, String)>), f64>;

/// The scrape, parsed: `(sample name, labels) → value`.
async fn scrape(app: &TestApp) -> Samples {
    use std::io::Write;
    let reply = app
        .send(app.request(reqwest::Method::GET, "/metrics", Some(TOKEN)))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let content_type = reply.headers["content-type"].to_str().unwrap_or_default().to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let mut python = std::process::Command::new("/usr/bin/python3")
        .args(["-c", PARSER])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with prometheus_client (scripts/setup.sh installs it)");
    python
        .stdin
        .take()
        .expect("stdin")
        .write_all(&reply.bytes)
        .expect("write the scrape");
    let out = python.wait_with_output().expect("the parser ends");
    assert!(
        out.status.success(),
        "not valid OpenMetrics: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        reply.text()
    );
    let samples: Vec<(String, HashMap<String, String>, f64)> =
        serde_json::from_slice(&out.stdout).expect("the parser's JSON");
    samples
        .into_iter()
        .map(|(name, labels, value)| {
            let mut labels: Vec<(String, String)> = labels.into_iter().collect();
            labels.sort();
            ((name, labels), value)
        })
        .collect()
}

fn get(m: &Samples, name: &str, labels: &[(&str, &str)]) -> f64 {
    let mut want: Vec<(String, String)> = labels.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    want.sort();
    m.get(&(name.to_owned(), want)).copied().unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_are_for_the_token_or_the_allowed_networks_and_count_what_happened() {
    let app = spawn_app_with(|s| {
        s.metrics.allow_from = vec!["192.0.2.0/24".into()];
        s.metrics.token = Some(TOKEN.into());
    })
    .await;
    // 127.0.0.1 is not in the allowed network here, and without the token: nothing to see.
    app.get("/metrics", None).await.expect(404);
    app.get("/metrics", Some("falsch")).await.expect(404);

    let before = scrape(&app).await;
    let device = app.device().await;
    for _ in 0..2 {
        app.submit_ok(&device, &pothole()).await;
    }
    app.get("/api/v1/sync?since=0", Some(&device.token)).await.expect(200);
    app.get(
        &format!("/api/v1/reports/{}", uuid::Uuid::new_v4()),
        Some(&device.token),
    )
    .await
    .expect(404);
    let after = scrape(&app).await;

    let accepted = "augenmerk_reports_accepted_total";
    assert_eq!(
        get(&after, accepted, &[("channel", "app")]) - get(&before, accepted, &[("channel", "app")]),
        2.0,
        "two new reports"
    );
    let posts = [("method", "POST"), ("route", "/api/v1/reports"), ("status", "201")];
    let requests = "augenmerk_http_requests_total";
    assert_eq!(get(&after, requests, &posts) - get(&before, requests, &posts), 2.0);
    // The route's pattern, never the id: a bounded number of series.
    let missing = [("method", "GET"), ("route", "/api/v1/reports/{id}"), ("status", "404")];
    assert_eq!(get(&after, requests, &missing), 1.0);
    assert!(
        !after
            .keys()
            .any(|(_, labels)| labels.iter().any(|(_, v)| v.contains(&device.token))),
        "no token or id in a label"
    );
    let latency = [("method", "POST"), ("route", "/api/v1/reports")];
    assert!(get(&after, "augenmerk_http_request_duration_seconds_count", &latency) >= 2.0);
    assert_eq!(
        get(&after, "augenmerk_sync_pulls_total", &[]) - get(&before, "augenmerk_sync_pulls_total", &[]),
        1.0
    );
    // A request with a body the server refuses counts under its status.
    app.post("/api/v1/reports", Some(&device.token), &json!({"id": "kein"}))
        .await;
    let last = scrape(&app).await;
    let refused = |status: &str| {
        let labels = [("method", "POST"), ("route", "/api/v1/reports"), ("status", status)];
        get(&last, requests, &labels)
    };
    assert!(
        refused("400") + refused("422") >= 1.0,
        "the refused request is counted under its status"
    );
}
