//! Delivery through trouble: an SMTP server that is down for a while, and a server that
//! dies between the SMTP server's 250 and the outbox's sent mark.

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use augenmerk_tests::{Server, ServerSetup, Staff};
use serde_json::{Value, json};

use super::smtp::{PrivateSmtp, shared, smtp_url};
use super::{citizen_address, wait_for_delivery, with_email};
use crate::helpers::{FLENSBURG, id_of, pothole};

#[tokio::test]
async fn while_smtp_is_down_mails_wait_and_then_each_arrives_exactly_once() {
    let smtp = PrivateSmtp::start();
    smtp.stop();
    let app = super::mail_app_on(smtp.port, |_| {}).await;
    let device = app.device().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let mut cases = Vec::new();
    for _ in 0..3 {
        let address = citizen_address();
        let r = with_email(pothole(), &address, "de");
        app.submit_ok(&device, &r).await;
        cases.push((id_of(&r), address));
    }
    for (id, _) in &cases {
        let d = wait_for_delivery(&app, &dispatcher, id, "receipt", "retrying").await;
        assert!(
            d["error"].as_str().is_some_and(|e| !e.is_empty()),
            "the log says why: {d}"
        );
        assert!(d["next_attempt_at"].is_string(), "and when it tries again: {d}");
    }

    smtp.resume();
    for (id, address) in &cases {
        smtp.maildir.wait_for(address, 1).await;
        let d = wait_for_delivery(&app, &dispatcher, id, "receipt", "sent").await;
        assert!(d["attempts"].as_u64().is_some_and(|a| a >= 2), "{d}");
        assert!(
            d.get("error").is_none_or(Value::is_null),
            "a sent mail has no error: {d}"
        );
    }
    // Retries after the outage must not send twice (the demo's department mailbox gets
    // its own mails, one per report).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let all = smtp.maildir.all();
    let ids: HashSet<&str> = all.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), all.len(), "no mail arrived twice: {all:#?}");
    for (_, address) in &cases {
        assert_eq!(smtp.maildir.to(address).len(), 1, "one receipt to {address}");
    }
}

/// The sync server as a process (`e2e-server`) sending through the SMTP server on
/// `smtp_port`; with `fault`, it exits (code 86) right after the SMTP server's 250.
fn mail_server(data: &Path, smtp_port: u16, fault: bool) -> ServerSetup {
    let setup = ServerSetup::new(data, &data.with_extension("log"))
        .env("AUGENMERK__MAIL__SMTP_URL", smtp_url(smtp_port))
        .env("AUGENMERK__MAIL__POLL_SECONDS", "1")
        .env("AUGENMERK__MAIL__RETRY_BASE_SECONDS", "1")
        // The crashed server's claim runs out quickly.
        .env("AUGENMERK__MAIL__LEASE_SECONDS", "2");
    if fault {
        setup.env("AUGENMERK_FAULT", "exit_after_send")
    } else {
        setup
    }
}

/// Waits for the server to exit on its own; its exit code.
async fn exit_code(server: &mut Server) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = server.exited() {
            return status.code();
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Delivery is at least once, by design (docs/mail.md): the outbox marks a mail sent
/// only after the SMTP server accepted it. A server that dies in between
/// (`AUGENMERK_FAULT=exit_after_send` exits with code 86 exactly there) leaves the job
/// claimed; when its lease runs out the restarted server sends the mail again, with the
/// same Message-ID so that mail systems can recognise the copy, and then marks it sent:
/// two copies, never three.
#[tokio::test]
async fn a_crash_between_send_and_sent_mark_sends_the_mail_again_with_the_same_message_id() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-mail-crash-")
        .tempdir()
        .expect("temporary directory");
    let data = dir.path().join("data");
    let client = reqwest::Client::new();
    let smtp = shared();

    let mut server = mail_server(&data, smtp.port, true).start();
    let (port, url) = (server.port, server.url.clone());
    // The demo's department has a mailbox; without it the receipt is the only mail, and
    // so the one the fault interrupts.
    Staff::login(&url, "admin")
        .await
        .put(
            "/api/v1/staff/config/departments/tiefbau",
            json!({"id": "tiefbau", "name": "Tiefbau"}),
        )
        .await;
    let device: Value = client
        .post(format!("{url}/api/v1/devices"))
        .json(&json!({"platform": "linux"}))
        .send()
        .await
        .expect("device")
        .json()
        .await
        .expect("device JSON");
    let device_token = device["token"].as_str().expect("device token");
    let address = citizen_address();
    let r = with_email(pothole(), &address, "de");
    let id = id_of(&r);
    let response = client
        .post(format!("{url}/api/v1/reports"))
        .bearer_auth(device_token)
        .json(&r)
        .send()
        .await
        .expect("report");
    assert!(response.status().is_success(), "{}", response.status());

    assert_eq!(
        exit_code(&mut server).await,
        Some(86),
        "the fault ends the server after the send"
    );
    let first = smtp.maildir.wait_for(&address, 1).await.remove(0);
    drop(server);

    let _server = mail_server(&data, smtp.port, false).start_on(port);
    let copies = smtp.maildir.wait_for(&address, 2).await;
    assert_eq!(
        copies[1].message_id, first.message_id,
        "the copy has the same Message-ID"
    );
    assert_eq!(copies[1].subject, first.subject);

    let dispatcher = Staff::login(&url, "dispatcher").await;
    let deadline = Instant::now() + super::smtp::MAIL_TIMEOUT;
    loop {
        let log = dispatcher.get(&format!("/api/v1/staff/reports/{id}/deliveries")).await;
        let receipt = log
            .as_array()
            .and_then(|l| l.iter().find(|d| d["kind"] == "receipt"))
            .cloned()
            .unwrap_or(Value::Null);
        if receipt["state"] == "sent" {
            break;
        }
        assert!(Instant::now() < deadline, "the receipt was never marked sent: {log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Past another lease and poll: no third copy.
    smtp.maildir.expect_exactly(&address, 2, Duration::from_secs(3)).await;
}
