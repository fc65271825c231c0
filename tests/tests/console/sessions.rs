//! Sessions and the sign-in log in the console (issue 24): a person sees their sessions
//! on their own page and ends another device's, whose token stops working; the admin ends
//! every session of a dispatcher from the users' settings and reads the sign-in log with
//! a failed sign-in. axe-core on each screen; screenshots to `docs/screenshots/console/`.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{laptop, login, one_browser, screenshots_tall, section};
use augenmerk_tests::{Browser, FLENSBURG, SLOW, Server, Staff};

/// Signs in through the API with a browser's name; returns the token.
async fn sign_in(url: &str, username: &str, password: &str, agent: &str) -> (u16, String) {
    let resp = reqwest::Client::new()
        .post(format!("{url}/api/v1/login"))
        .header("user-agent", agent)
        .json(&json!({"municipality": FLENSBURG, "username": username, "password": password}))
        .send()
        .await
        .expect("login");
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    (status, body["token"].as_str().unwrap_or_default().to_owned())
}

/// The status of `GET /api/v1/me` with a token.
async fn me(url: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{url}/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("me")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_are_seen_and_ended_and_the_admin_reads_the_sign_in_log() {
    let _turn = one_browser().await;
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-console-sessions-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();

    // The admin is signed in on a laptop too, and somebody mistyped the dispatcher's password.
    let (_, laptop_token) = sign_in(
        &server.url,
        "admin",
        augenmerk_tests::PASSWORD,
        "Chromium auf dem Laptop",
    )
    .await;
    let (refused, _) = sign_in(&server.url, "dispatcher", "falsch-falsch-falsch", "curl").await;
    assert_eq!(refused, 401);
    let (_, dispatcher_token) = sign_in(
        &server.url,
        "dispatcher",
        augenmerk_tests::PASSWORD,
        "Firefox im Bauhof",
    )
    .await;

    // The admin's own page lists both sessions; the laptop's is ended there.
    login(&b, &server.url, "admin").await;
    b.click_id("nav-me").await;
    b.wait_css("[data-testid=\"session\"][data-current=\"true\"]", SLOW)
        .await;
    b.wait_text(&Browser::id("my-sessions"), "Chromium auf dem Laptop", SLOW)
        .await;
    violations.extend(b.serious_accessibility_violations("console: my sessions").await);
    screenshots_tall(&b, "console-sessions", 1100).await;
    b.click_css("[data-testid=\"session\"][data-current=\"false\"] [data-testid=\"session-end\"]")
        .await;
    b.wait_id("console-notice", SLOW).await;
    assert_eq!(me(&server.url, &laptop_token).await, 401, "the laptop's token stopped");

    // Users: the dispatcher's sessions end; the sign-in log shows the failed attempt.
    let admin = Staff::login(&server.url, "admin").await;
    let users = admin.get("/api/v1/staff/config/users").await;
    let dispatcher_id = users
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == "dispatcher")
        .and_then(|u| u["id"].as_str())
        .expect("the dispatcher")
        .to_owned();
    b.click_id("nav-config").await;
    section(&b, "users").await;
    b.click_css(&format!(
        "[data-testid=\"user-end-sessions\"][data-user=\"{dispatcher_id}\"]"
    ))
    .await;
    b.wait_id("console-notice", SLOW).await;
    assert_eq!(
        me(&server.url, &dispatcher_token).await,
        401,
        "the dispatcher must sign in again"
    );
    b.wait_css(
        "[data-testid=\"login-log-entry\"][data-outcome=\"wrong_password\"]",
        SLOW,
    )
    .await;
    b.wait_css(
        "[data-testid=\"login-log-entry\"][data-outcome=\"success\"]",
        Duration::from_secs(5),
    )
    .await;
    violations.extend(
        b.serious_accessibility_violations("console: users and sign-in log")
            .await,
    );
    screenshots_tall(&b, "console-login-log", 1600).await;

    assert!(violations.is_empty(), "axe: {violations:#?}");
    b.close().await;
}
