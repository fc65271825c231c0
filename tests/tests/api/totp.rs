//! The second factor of local staff accounts (issue 24): an admin without one gets a
//! session that can only set it up; enrolment gives a secret, its otpauth URL and QR code
//! and, once confirmed with a code, ten recovery codes; later sign-ins need a code, which
//! counts once; wrong codes are logged and limited per account; a recovery code works
//! once; an admin resets another account's factor; one who need not have it switches it off.

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{Value, json};

use augenmerk_tests::totp::code_at;

use crate::helpers::{FLENSBURG, PASSWORD, Reply, TestApp, spawn_app};

fn step() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("time").as_secs() / 30
}

async fn sign_in(app: &TestApp, username: &str, totp: Option<&str>) -> Reply {
    let mut body = json!({"municipality": FLENSBURG, "username": username, "password": PASSWORD});
    if let Some(code) = totp {
        body["totp"] = json!(code);
    }
    app.post("/api/v1/login", None, &body).await
}

/// Sets up the second factor of the session's account; its secret, the step its
/// confirmation used, and the recovery codes.
async fn enrol(app: &TestApp, token: &str) -> (String, u64, Vec<String>) {
    let begun = app
        .post("/api/v1/staff/me/totp", Some(token), &json!({}))
        .await
        .expect(200);
    let secret = begun["secret"].as_str().expect("secret").to_owned();
    assert!(
        begun["otpauth_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("otpauth://totp/") && u.contains(&format!("secret={secret}"))),
        "{begun}"
    );
    assert!(
        begun["qr_code"]
            .as_str()
            .is_some_and(|q| q.starts_with("data:image/png;base64,")),
        "a QR code"
    );
    let s = step();
    let enabled = app
        .post(
            "/api/v1/staff/me/totp/confirm",
            Some(token),
            &json!({"code": code_at(&secret, s)}),
        )
        .await
        .expect(200);
    let codes: Vec<String> = serde_json::from_value(enabled["recovery_codes"].clone()).expect("codes");
    (secret, s, codes)
}

async fn log_outcomes(app: &TestApp, admin: &str) -> Vec<(String, String)> {
    let log = app.get("/api/v1/staff/config/login-log", Some(admin)).await.expect(200);
    log.as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["username"].as_str().unwrap_or_default().to_owned(),
                e["outcome"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_admin_without_a_second_factor_may_only_set_it_up_and_then_signs_in_with_codes() {
    let app = spawn_app().await;
    let token = sign_in(&app, "admin", None).await.expect(200)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    // Enrol-only: everything else answers 403 totp_enrolment_required.
    app.get("/api/v1/me", Some(&token))
        .await
        .expect_error(403, "totp_enrolment_required");
    app.get("/api/v1/staff/reports", Some(&token))
        .await
        .expect_error(403, "totp_enrolment_required");
    let status = app.get("/api/v1/staff/me/totp", Some(&token)).await.expect(200);
    assert_eq!(status["enrolment_required"], true, "{status}");
    assert_eq!(status["required"], true);
    assert_eq!(status["enabled"], false);

    // Somebody else with the password only: their session stays enrol-only throughout.
    let other = sign_in(&app, "admin", None).await.expect(200)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    // Confirming without starting, or with a wrong code, fails.
    app.post(
        "/api/v1/staff/me/totp/confirm",
        Some(&token),
        &json!({"code": "123456"}),
    )
    .await
    .expect_error(409, "conflict");
    let begun = app
        .post("/api/v1/staff/me/totp", Some(&token), &json!({}))
        .await
        .expect(200);
    let secret = begun["secret"].as_str().expect("secret");
    app.post(
        "/api/v1/staff/me/totp/confirm",
        Some(&token),
        &json!({"code": code_at(secret, step() + 5)}),
    )
    .await
    .expect_error(401, "invalid_totp");
    // Starting again replaces the unconfirmed secret.
    let (secret, confirmed_at, codes) = enrol(&app, &token).await;
    assert_eq!(codes.len(), 10);
    assert!(
        codes.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'),
        "{codes:?}"
    );
    // The same session is whole now; the other one is not.
    app.get("/api/v1/me", Some(&token)).await.expect(200);
    app.get("/api/v1/me", Some(&other))
        .await
        .expect_error(403, "totp_enrolment_required");
    let status = app.get("/api/v1/staff/me/totp", Some(&token)).await.expect(200);
    assert_eq!(status["enabled"], true);
    assert_eq!(status["recovery_codes_left"], 10);
    app.post("/api/v1/staff/me/totp", Some(&token), &json!({}))
        .await
        .expect_error(409, "conflict");

    // Signing in now needs a code; the right one (a step not used yet) works once.
    sign_in(&app, "admin", None).await.expect_error(401, "totp_required");
    sign_in(&app, "admin", Some("not a code"))
        .await
        .expect_error(401, "invalid_totp");
    let code = code_at(&secret, confirmed_at + 1);
    let second = sign_in(&app, "admin", Some(&code)).await.expect(200);
    let second = second["token"].as_str().expect("token");
    app.get("/api/v1/me", Some(second)).await.expect(200);
    sign_in(&app, "admin", Some(&code))
        .await
        .expect_error(401, "invalid_totp");
    // A wrong password with a right code is a wrong password.
    app.post(
        "/api/v1/login",
        None,
        &json!({"municipality": FLENSBURG, "username": "admin", "password": "falsch-falsch", "totp": code}),
    )
    .await
    .expect_error(401, "invalid_credentials");

    let outcomes = log_outcomes(&app, second).await;
    let wrong = outcomes
        .iter()
        .filter(|(u, o)| u == "admin" && o == "wrong_totp")
        .count();
    assert_eq!(
        wrong, 3,
        "the wrong confirmation and two wrong sign-in codes: {outcomes:?}"
    );
}

#[tokio::test]
async fn wrong_codes_make_the_account_wait_and_a_recovery_code_works_once() {
    let app = spawn_app().await;
    let token = sign_in(&app, "dispatcher", None).await.expect(200)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    // A dispatcher need not have one (a whole session) but may set it up.
    let status = app.get("/api/v1/staff/me/totp", Some(&token)).await.expect(200);
    assert_eq!(status["required"], false);
    assert_eq!(status["enrolment_required"], false);
    let (secret, confirmed_at, codes) = enrol(&app, &token).await;

    // A recovery code signs in once (typed in lower case, without the hyphen).
    let typed = codes[0].replace('-', "").to_lowercase();
    sign_in(&app, "dispatcher", Some(&typed)).await.expect(200);
    sign_in(&app, "dispatcher", Some(&codes[0]))
        .await
        .expect_error(401, "invalid_totp");
    let status = app.get("/api/v1/staff/me/totp", Some(&token)).await.expect(200);
    assert_eq!(status["recovery_codes_left"], 9);

    // One wrong code so far; four more reach the limit; then even a right one waits.
    for _ in 0..4 {
        sign_in(&app, "dispatcher", Some(&code_at(&secret, confirmed_at + 20)))
            .await
            .expect_error(401, "invalid_totp");
    }
    let refused = sign_in(&app, "dispatcher", Some(&code_at(&secret, confirmed_at + 1))).await;
    refused.expect_error(429, "rate_limited");
    let wait: u64 = refused
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=15 * 60).contains(&wait), "{wait}");
    // Other accounts are not held up.
    app.login(FLENSBURG, "field").await;

    let admin = app.login(FLENSBURG, "admin").await;
    let outcomes = log_outcomes(&app, &admin.token).await;
    assert!(
        outcomes.contains(&("dispatcher".to_owned(), "recovery_code_used".to_owned())),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn an_admin_resets_an_accounts_factor_and_who_need_not_have_one_switches_it_off() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let field = sign_in(&app, "field", None).await.expect(200)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (secret, confirmed_at, _) = enrol(&app, &field).await;
    sign_in(&app, "field", None).await.expect_error(401, "totp_required");

    // The admin resets it: the next sign-in needs no code; the log says so.
    let field_id = app.get("/api/v1/me", Some(&field)).await.expect(200)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let reset = format!("/api/v1/staff/config/users/{field_id}/reset-totp");
    app.post(&reset, Some(&field), &json!({})).await.expect(403);
    app.post(&reset, Some(&admin.token), &json!({})).await.expect(204);
    app.post(&reset, Some(&admin.token), &json!({})).await.expect(404);
    sign_in(&app, "field", None).await.expect(200);
    let outcomes = log_outcomes(&app, &admin.token).await;
    assert_eq!(outcomes[0], ("field".to_owned(), "success".to_owned()));
    assert_eq!(outcomes[1], ("field".to_owned(), "totp_reset".to_owned()));

    // Set up again, then switched off by its owner with a current code.
    let (secret2, at2, _) = enrol(&app, &field).await;
    assert_ne!(secret, secret2);
    let off = |code: String| {
        app.send(
            app.request(Method::DELETE, "/api/v1/staff/me/totp", Some(&field))
                .json(&json!({"code": code})),
        )
    };
    off(code_at(&secret2, at2 + 20)).await.expect_error(401, "invalid_totp");
    off(code_at(&secret2, at2 + 1)).await.expect(204);
    off(code_at(&secret2, at2 + 1)).await.expect(404);
    sign_in(&app, "field", None).await.expect(200);
    let _ = confirmed_at;

    // An admin who must have one cannot switch it off.
    let admin_off = app
        .send(
            app.request(Method::DELETE, "/api/v1/staff/me/totp", Some(&admin.token))
                .json(&json!({"code": "123456"})),
        )
        .await;
    admin_off.expect_error(403, "forbidden");
}

#[tokio::test]
async fn a_municipality_that_does_not_require_it_lets_admins_in_without() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let mut settings: Value = app
        .get("/api/v1/staff/config/settings", Some(&admin.token))
        .await
        .expect(200);
    assert_eq!(settings["totp"]["required_for_admins"], true, "the default");
    settings["totp"]["required_for_admins"] = json!(false);
    app.put("/api/v1/staff/config/settings", Some(&admin.token), &settings)
        .await
        .expect(200);
    let status = app.get("/api/v1/staff/me/totp", Some(&admin.token)).await.expect(200);
    assert_eq!(status["required"], false);
    assert_eq!(status["enabled"], true, "the admin the harness enrolled keeps it");
}
