//! What no mail may say: internal notes (every flow writes notes with a unique marker),
//! another municipality's reports, staff names to citizens.
//!
//! The rules are registered as the tests create the data, and every mail a test reads
//! from the SMTP server is checked against all rules known by then
//! ([`super::smtp::Maildir::to`]); the test below checks the whole Maildir of the run.

use std::sync::Mutex;

use serde_json::json;
use uuid::Uuid;

use super::smtp::{Mail, shared};
use super::{citizen_address, secret_note, staff_address, status_token, transition_ok, with_email};
use crate::helpers::{FLENSBURG, KIEL, KIEL_RATHAUS, id_of, pothole, report};

/// Which mails a rule covers.
#[derive(Debug, Clone)]
enum Scope {
    /// Every mail.
    Everywhere,
    /// Every mail except those to these addresses (the text's own municipality).
    ExceptTo(Vec<String>),
    /// Mails to citizens (their addresses start with `buerger-`).
    Citizens,
}

#[derive(Debug, Clone)]
struct Rule {
    needle: String,
    scope: Scope,
}

static RULES: Mutex<Vec<Rule>> = Mutex::new(Vec::new());

fn add(needle: &str, scope: Scope) {
    RULES.lock().expect("leak rules").push(Rule {
        needle: needle.to_owned(),
        scope,
    });
}

/// `needle` must be in no mail.
pub fn forbid_everywhere(needle: &str) {
    add(needle, Scope::Everywhere);
}

/// `needle` may be only in mails to `allowed`.
pub fn forbid_except_to(needle: &str, allowed: &[&str]) {
    add(
        needle,
        Scope::ExceptTo(allowed.iter().map(|a| a.to_lowercase()).collect()),
    );
}

/// `needle` must be in no mail to a citizen.
pub fn forbid_to_citizens(needle: &str) {
    add(needle, Scope::Citizens);
}

/// Panics naming the mail and the rule if a mail breaks one.
pub fn check(mails: &[Mail]) {
    let rules = RULES.lock().map(|r| r.clone()).unwrap_or_default();
    for mail in mails {
        let readable = mail.readable();
        let recipients: Vec<&String> = mail.rcpt_to.iter().chain(&mail.to).collect();
        for rule in &rules {
            let applies = match &rule.scope {
                Scope::Everywhere => true,
                Scope::ExceptTo(allowed) => !recipients.iter().any(|r| allowed.contains(r)),
                Scope::Citizens => recipients.iter().any(|r| r.starts_with("buerger-")),
            };
            assert!(
                !(applies && readable.contains(&rule.needle)),
                "LEAK: {:?} in a mail to {recipients:?} ({:?}, {}): {readable}",
                rule.needle,
                mail.subject,
                mail.file.display()
            );
        }
    }
}

#[tokio::test]
async fn no_mail_of_the_run_carries_internal_notes_another_municipalitys_report_or_staff_names() {
    let app = super::mail_app().await;
    let kiel_admin = app.login(KIEL, "admin").await;
    let kiel_dispatcher = app.login(KIEL, "dispatcher").await;
    let fl_dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let fl_field = app.login(FLENSBURG, "field").await;
    let fl_admin = app.login(FLENSBURG, "admin").await;
    for staff in [&kiel_admin, &kiel_dispatcher, &fl_dispatcher, &fl_field, &fl_admin] {
        forbid_to_citizens(&staff.name);
    }
    let (kiel_citizen, kiel_mailbox) = (citizen_address(), staff_address("kiel-tiefbauamt"));
    let (fl_citizen, fl_mailbox) = (citizen_address(), staff_address("fl-tiefbau"));
    app.put(
        "/api/v1/staff/config/departments/tiefbauamt",
        Some(&kiel_admin.token),
        &json!({"id": "tiefbauamt", "name": "Tiefbauamt", "email": kiel_mailbox}),
    )
    .await
    .expect(200);
    app.put(
        "/api/v1/staff/config/departments/tiefbau",
        Some(&fl_admin.token),
        &json!({"id": "tiefbau", "name": "Tiefbau", "email": fl_mailbox}),
    )
    .await
    .expect(200);

    // Kiel's report: its place and id may reach Kiel's citizen and mailbox only.
    let kiel_marker = format!("KIEL-{}", Uuid::new_v4().simple());
    let mut kiel = with_email(
        report("schlagloch", json!({"gefahr_akut": false}), KIEL_RATHAUS),
        &kiel_citizen,
        "de",
    );
    kiel["address_hint"] = json!(format!("Fleethörn {kiel_marker}"));
    kiel["description"] = json!(format!("Loch am Rathaus {kiel_marker}"));
    let kiel_id = id_of(&kiel);
    forbid_except_to(&kiel_marker, &[&kiel_citizen, &kiel_mailbox]);
    forbid_except_to(&kiel_id, &[&kiel_citizen, &kiel_mailbox]);
    let device = app.device().await;
    app.submit_ok(&device, &kiel).await;
    secret_note(&app, &kiel_dispatcher, &kiel_id).await;

    let fl = with_email(pothole(), &fl_citizen, "de");
    let fl_id = id_of(&fl);
    app.submit_ok(&device, &fl).await;
    secret_note(&app, &fl_dispatcher, &fl_id).await;
    let fl_token = status_token(&shared().maildir.wait_for(&fl_citizen, 1).await[0].text);
    app.post(&format!("/api/v1/status/{fl_token}/confirm"), None, &json!({}))
        .await
        .expect(200);
    app.patch(
        &format!("/api/v1/staff/reports/{fl_id}"),
        Some(&fl_dispatcher.token),
        &json!({"assignee": fl_field.id}),
    )
    .await
    .expect(200);
    secret_note(&app, &fl_field, &fl_id).await;
    app.post(
        &format!("/api/v1/staff/reports/{fl_id}/messages"),
        Some(&fl_field.token),
        &json!({"body": "Wir kommen morgen vorbei."}),
    )
    .await
    .expect(201);
    transition_ok(
        &app,
        &fl_field,
        &fl_id,
        json!({"to": "in_progress", "public_comment": "Material ist bestellt."}),
    )
    .await;
    secret_note(&app, &fl_dispatcher, &fl_id).await;
    transition_ok(&app, &fl_field, &fl_id, json!({"to": "resolved"})).await;
    transition_ok(&app, &fl_dispatcher, &fl_id, json!({"to": "closed"})).await;

    // receipt, message, status, closed
    shared().maildir.wait_for(&fl_citizen, 4).await;
    shared().maildir.wait_for(&fl_mailbox, 1).await;
    // The rules are not vacuous: Kiel's own mails do carry its report.
    let kiel_receipt = &shared().maildir.wait_for(&kiel_citizen, 1).await[0];
    assert!(kiel_receipt.text.contains(&kiel_marker), "{}", kiel_receipt.text);
    let kiel_routed = &shared().maildir.wait_for(&kiel_mailbox, 1).await[0];
    assert!(kiel_routed.text.contains(&kiel_id), "{}", kiel_routed.text);
    assert!(kiel_routed.from_name.contains("Kiel"), "{}", kiel_routed.from_name);

    // Everything the SMTP server received in this run so far, this test's and the others'.
    let all = shared().maildir.all();
    assert!(all.len() >= 6, "{} mails", all.len());
    check(&all);
}
