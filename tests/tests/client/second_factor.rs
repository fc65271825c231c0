//! A field worker whose account has a second factor (issue 24; any account may enrol) signs
//! in to the field client with the code of the authenticator app or a recovery code: the
//! library names a missing and a wrong code as their own errors, and the command line takes
//! the code with `--totp` (or `AUGENMERK_TOTP`) and says so when it is missing.

use augenmerk_client::{Client, ClientError, ClientOptions, SyncOptions};
use augenmerk_domain::Ags;
use augenmerk_domain::second_factor::SecondFactor;
use serde_json::Value;

use crate::support::{Cli, pothole_draft};
use augenmerk_tests::{FLENSBURG, PASSWORD, Staff, models_dir, totp};

/// Enrols the demo field worker as a person would in the console (a new secret, confirmed
/// with its current code; the harness keeps the secret and hands out codes). The recovery
/// codes.
async fn enrol_field_worker(url: &str) -> Vec<String> {
    let field = Staff::login(url, "field").await;
    totp::enrol(&reqwest::Client::new(), url, field.token(), (Some(FLENSBURG), "field")).await
}

/// A fresh code of the field worker's authenticator app.
async fn fresh_code(url: &str) -> String {
    totp::code_for(url, Some(FLENSBURG), "field")
        .await
        .expect("the harness knows the secret")
}

/// A code of an hour ago: wrong now.
fn stale_code(url: &str) -> String {
    totp::stale_code_for(url, Some(FLENSBURG), "field").expect("the harness knows the secret")
}

fn factor(typed: &str) -> SecondFactor {
    SecondFactor::parse(typed).expect("a code or a recovery code")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_field_worker_with_a_second_factor_signs_in_with_the_code_and_pulls_the_cases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = augenmerk_tests::Server::client(&dir.path().join("server"));
    let mut options = ClientOptions::new(dir.path().join("citizen"), Some(server.url.clone()));
    options.models_dir = Some(models_dir());
    let citizen = Client::open(options).expect("citizen");
    citizen.sync(&SyncOptions::default()).await.expect("configuration");
    let mut draft = pothole_draft(1, vec![]);
    draft
        .answers
        .insert("strassenart".into(), Value::String("gemeindestrasse".into()));
    let report = citizen.create_report(draft).expect("queued");
    citizen.sync(&SyncOptions::default()).await.expect("sent");

    let recovery = enrol_field_worker(&server.url).await;
    let flensburg = Ags::parse(FLENSBURG).ok();
    let device = Client::open(ClientOptions::new(dir.path().join("field"), Some(server.url.clone()))).expect("field");

    // The password alone: the library says that the code is missing, as its own error.
    let without = device.login(flensburg.clone(), "field", PASSWORD, None).await;
    assert!(matches!(without, Err(ClientError::TotpRequired)), "{without:?}");
    assert_eq!(
        device.staff_user().expect("local db"),
        None,
        "no session without the code"
    );

    // A wrong code is its own error too.
    let wrong = device
        .login(
            flensburg.clone(),
            "field",
            PASSWORD,
            Some(&factor(&stale_code(&server.url))),
        )
        .await;
    assert!(matches!(wrong, Err(ClientError::InvalidTotp)), "{wrong:?}");
    // A wrong password stays what it was, code or not.
    let bad_password = device
        .login(flensburg.clone(), "field", "falsches-passwort", None)
        .await;
    assert!(
        matches!(&bad_password, Err(ClientError::Remote(e)) if e.code() == Some("invalid_credentials")),
        "{bad_password:?}"
    );

    // The right code: a session, and the cases come to the device.
    let me = device
        .login(
            flensburg.clone(),
            "field",
            PASSWORD,
            Some(&factor(&fresh_code(&server.url).await)),
        )
        .await
        .expect("signed in with the code");
    assert_eq!(me.username, "field");
    let summary = device.sync(&SyncOptions::default()).await.expect("sync");
    assert!(summary.cases_pulled >= 1, "{summary:?}");
    assert!(
        device
            .cases()
            .expect("cases")
            .iter()
            .any(|c| c.detail.report.id == report),
        "the citizen's report is among the worker's cases"
    );

    // A recovery code (the phone is lost) signs in once, typed as printed or not.
    device.logout().await.expect("logout");
    let typed = recovery[0].to_lowercase().replace('-', " ");
    device
        .login(flensburg.clone(), "field", PASSWORD, Some(&factor(&typed)))
        .await
        .expect("signed in with a recovery code");
    device.logout().await.expect("logout");
    let again = device
        .login(flensburg, "field", PASSWORD, Some(&factor(&recovery[0])))
        .await;
    assert!(matches!(again, Err(ClientError::InvalidTotp)), "used up: {again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_line_takes_the_code_with_totp_and_says_when_it_is_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = augenmerk_tests::Server::client(&dir.path().join("server"));
    let citizen = Cli::new(dir.path().join("citizen"), &server.url);
    citizen.ok(&["sync"]);
    let id = citizen.report_pothole(&[], "Schlagloch an der Bushaltestelle");
    citizen.ok(&["sync"]);
    let recovery = enrol_field_worker(&server.url).await;
    let field = Cli::new(dir.path().join("field"), &server.url);
    let login = ["login", "--municipality", FLENSBURG, "--user", "field"];

    // Without a code: the message says to repeat with --totp, in German and English.
    let out = field.run_with_stdin(&login, PASSWORD);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--totp") && err.contains("zweitem Faktor") && err.contains("second factor"),
        "{err}"
    );

    // Not a code at all: refused before anything is sent.
    let out = field.run_with_stdin(&[&login[..], &["--totp", "12345"]].concat(), PASSWORD);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("recovery code") && err.contains("Wiederherstellungscode"),
        "{err}"
    );

    // A wrong code.
    let stale = stale_code(&server.url);
    let out = field.run_with_stdin(&[&login[..], &["--totp", &stale]].concat(), PASSWORD);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("falsch") && err.contains("wrong"), "{err}");

    // The right code: signed in, and `sync` brings the case.
    let code = fresh_code(&server.url).await;
    let out = field.run_with_stdin(&[&["--json"], &login[..], &["--totp", &code]].concat(), PASSWORD);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let me: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(me["username"], "field");
    field.ok(&["sync"]);
    let cases = field.json(&["cases"]);
    assert!(
        cases
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["id"] == id.as_str())),
        "{cases}"
    );

    // A recovery code from the environment, as printed.
    field.ok(&["logout"]);
    let mut cmd = field.command(&login);
    cmd.env("AUGENMERK_TOTP", &recovery[1]);
    let mut child = cmd.spawn().expect("start e2e-augenmerk");
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin.write_all(PASSWORD.as_bytes()).expect("password on stdin");
    }
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
