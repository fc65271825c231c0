//! Mail (issue 16) against a real SMTP server: what citizens and staff receive, the
//! abuse rule, the status link, the mail log, and delivery through SMTP outages and a
//! crash. The harness is in [`smtp`]; every mail any test of this binary receives is
//! checked against the leak rules of [`leaks`].

mod administrations;
mod alerts;
mod citizen;
mod delivery;
mod leaks;
mod rules;
pub mod smtp;
mod staff;

use std::time::{Duration, Instant};

use augenmerk_server::config::Settings;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Staff, TestApp, spawn_app_with};

/// A server that sends through `port`, looking at its outbox every second and retrying
/// after a second; `tweak` may change more.
pub async fn mail_app_on(port: u16, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with(|s| {
        s.mail.smtp_url = Some(smtp::smtp_url(port));
        s.mail.poll_seconds = 1;
        s.mail.retry_base_seconds = 1;
        tweak(s);
    })
    .await
}

/// A server that sends through the shared SMTP server.
pub async fn mail_app() -> TestApp {
    mail_app_on(smtp::shared().port, |_| {}).await
}

/// A fresh citizen address (tests tell their mails apart by it).
pub fn citizen_address() -> String {
    format!("buerger-{}@example.org", Uuid::new_v4())
}

/// A fresh staff or mailbox address.
pub fn staff_address(what: &str) -> String {
    format!("{what}-{}@example.org", Uuid::new_v4())
}

/// A report with a contact address and the language of its mails.
pub fn with_email(mut report: Value, email: &str, language: &str) -> Value {
    report["contact_email"] = json!(email);
    report["language"] = json!(language);
    report
}

/// The number people read: the first eight hex digits of the id, upper case.
pub fn number(id: &str) -> String {
    id.replace('-', "")[..8].to_ascii_uppercase()
}

/// The status link's token in a mail's text (`…/#/status/<token>`).
#[track_caller]
pub fn status_token(text: &str) -> String {
    let (_, rest) = text
        .split_once("/#/status/")
        .unwrap_or_else(|| panic!("no status link in: {text}"));
    rest.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The mail log of a case.
pub async fn deliveries(app: &TestApp, staff: &Staff, id: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/staff/reports/{id}/deliveries"), Some(&staff.token))
        .await
        .expect(200)
        .as_array()
        .expect("a list of deliveries")
        .clone()
}

/// Waits until the case's mail log has a mail of `kind` in `state`; returns it.
pub async fn wait_for_delivery(app: &TestApp, staff: &Staff, id: &str, kind: &str, state: &str) -> Value {
    wait_for_log(app, staff, id, kind, &[state]).await
}

/// Waits until the case's mail of `kind` is done with (sent, suppressed or failed).
pub async fn wait_until_done(app: &TestApp, staff: &Staff, id: &str, kind: &str) -> Value {
    wait_for_log(app, staff, id, kind, &["sent", "suppressed", "failed"]).await
}

async fn wait_for_log(app: &TestApp, staff: &Staff, id: &str, kind: &str, states: &[&str]) -> Value {
    let deadline = Instant::now() + smtp::MAIL_TIMEOUT;
    loop {
        let log = deliveries(app, staff, id).await;
        if let Some(d) = log
            .iter()
            .find(|d| d["kind"] == kind && states.iter().any(|s| d["state"] == *s))
        {
            return d.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no {kind} mail became {states:?} on {id} in time: {log:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Writes an internal note with a unique marker on a case; the marker must never reach
/// any mail (registered with [`leaks::forbid_everywhere`]). Returns the marker.
pub async fn secret_note(app: &TestApp, staff: &Staff, id: &str) -> String {
    let marker = format!("INTERN-{}", Uuid::new_v4().simple());
    leaks::forbid_everywhere(&marker);
    app.post(
        &format!("/api/v1/staff/reports/{id}/notes"),
        Some(&staff.token),
        &json!({"body": format!("Nur für uns: {marker}, Anwohner ist schwierig.")}),
    )
    .await
    .expect(201);
    marker
}

/// A status change that must succeed.
pub async fn transition_ok(app: &TestApp, staff: &Staff, id: &str, body: Value) -> Value {
    app.transition(staff, id, &body).await.expect(200)
}

/// The citizen's status page behind a token (`GET /api/v1/status/{token}`).
pub async fn status_page(app: &TestApp, token: &str) -> Value {
    app.get(&format!("/api/v1/status/{token}"), None).await.expect(200)
}
