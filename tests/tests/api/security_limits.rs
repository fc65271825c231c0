//! Issue 25, rate limits and accounts: bounded login input, limits that slow down the
//! attacker's address rather than lock out the account's owner, per-address limits on
//! what citizens may do without an account, sessions that end with a new password, and
//! no guessable passwords.
//!
//! The server listens on 127.0.0.1; a second client binds 127.0.0.2 (also loopback) to
//! come from another address.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, PASSWORD, Reply, TestApp, pothole, spawn_app};

/// A client that connects from `ip` (a loopback address other than 127.0.0.1).
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().expect("address"))
        .build()
        .expect("client")
}

/// Sends a request through another client.
async fn send_via(
    client: &reqwest::Client,
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Reply {
    let mut rb = client.request(method, format!("{}{path}", app.address));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb.json(b);
    }
    let response = rb.send().await.expect("request reaches the server");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body").to_vec();
    Reply { status, headers, bytes }
}

fn login_body(username: &str, password: &str) -> Value {
    json!({"municipality": FLENSBURG, "username": username, "password": password})
}

/// How many requests a limit of `per_minute` lets through in `elapsed`: the burst, and
/// one more every minute/`per_minute` (the limits refill evenly, so a slow test machine
/// gets a few more through; the tests allow for that rather than race the clock).
fn allowed(per_minute: u32, elapsed: Duration) -> usize {
    per_minute as usize + (elapsed.as_secs_f64() * f64::from(per_minute) / 60.0).ceil() as usize + 1
}

/// The Retry-After of a 429 in seconds.
#[track_caller]
fn retry_after(reply: &Reply) -> u64 {
    reply.expect_error(429, "rate_limited");
    reply.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds")
}

#[track_caller]
fn assert_rate_limited(reply: &Reply) {
    reply.expect_error(429, "rate_limited");
    let secs: u64 = reply.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&secs), "Retry-After: {secs}");
}

/// Regression of issue 25 (High 1): 200 KB login names were keys of the login limiter.
#[tokio::test]
async fn a_huge_login_name_or_password_is_400_and_counts_against_no_limit() {
    let app = spawn_app().await;
    let huge = "a".repeat(200 * 1024);
    // More than every login budget of one address and one name.
    for _ in 0..40 {
        app.post("/api/v1/login", None, &login_body(&huge, "falsch-falsch"))
            .await
            .expect_error(400, "malformed_request");
    }
    app.post("/api/v1/login", None, &login_body("dispatcher", &"p".repeat(2_000)))
        .await
        .expect_error(400, "malformed_request");
    // Nothing of that was counted: the real login from the same address goes through.
    app.login(FLENSBURG, "dispatcher").await;
}

#[tokio::test]
async fn a_flood_of_distinct_login_names_is_refused_per_address() {
    let app = spawn_app().await;
    let attacker = client_from("127.0.0.2");
    // The default budget of one address: 30 attempts a minute, whatever the names.
    let start = Instant::now();
    let (mut tried, mut refused) = (0, 0);
    for n in 0..130 {
        let body = login_body(&format!("name{n}"), "falsch-falsch");
        let reply = send_via(&attacker, &app, Method::POST, "/api/v1/login", None, Some(&body)).await;
        if reply.status.as_u16() == 429 {
            assert_rate_limited(&reply);
            refused += 1;
        } else {
            reply.expect_error(401, "invalid_credentials");
            tried += 1;
        }
    }
    assert!(tried >= 30, "the first 30 names are tried: {tried}");
    assert!(
        tried <= allowed(30, start.elapsed()),
        "{tried} names tried in {:?}",
        start.elapsed()
    );
    assert!(refused >= 60, "{refused} refused");
    // Another address is not affected.
    app.login(FLENSBURG, "dispatcher").await;
}

/// Regression of issue 25 (Low 10): ten wrong passwords locked the real owner out.
#[tokio::test]
async fn wrong_passwords_slow_the_attackers_address_not_the_owner() {
    let app = spawn_app().await;
    let attacker = client_from("127.0.0.2");
    let wrong = login_body("dispatcher", "falsch-falsch");
    let start = Instant::now();
    let mut tried = 0;
    // Until the limit answers with a wait long enough that the next request cannot slip
    // through on a refill.
    for attempt in 0.. {
        assert!(attempt < 200, "never refused");
        let reply = send_via(&attacker, &app, Method::POST, "/api/v1/login", None, Some(&wrong)).await;
        if reply.status.as_u16() == 429 && retry_after(&reply) >= 2 {
            break;
        }
        if reply.status.as_u16() != 429 {
            reply.expect_error(401, "invalid_credentials");
            tried += 1;
        }
        assert!(tried <= allowed(10, start.elapsed()), "{tried} wrong passwords tried");
    }
    assert!(tried >= 10, "ten wrong passwords are tried: {tried}");
    // Even the right password is refused from the attacker's address …
    let right = login_body("dispatcher", PASSWORD);
    assert_rate_limited(&send_via(&attacker, &app, Method::POST, "/api/v1/login", None, Some(&right)).await);
    // … while the owner, from their own address, logs in.
    app.login(FLENSBURG, "dispatcher").await;
}

/// Regression of issue 25 (Low 10): sessions survived a password reset by an admin.
#[tokio::test]
async fn a_new_password_or_disabling_the_account_ends_its_sessions() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let first = app.login(FLENSBURG, "dispatcher").await;
    let second = app.login(FLENSBURG, "dispatcher").await;
    app.get("/api/v1/me", Some(&first.token)).await.expect(200);
    let user = format!("/api/v1/staff/config/users/{}", first.id);

    // Other changes keep the sessions.
    app.patch(&user, Some(&admin.token), &json!({"display_name": "Disponentin"}))
        .await
        .expect(200);
    app.get("/api/v1/me", Some(&first.token)).await.expect(200);

    app.patch(
        &user,
        Some(&admin.token),
        &json!({"password": "ein-ganz-neues-kennwort-2026"}),
    )
    .await
    .expect(200);
    for token in [&first.token, &second.token] {
        app.get("/api/v1/me", Some(token))
            .await
            .expect_error(401, "unauthorized");
    }
    app.get("/api/v1/me", Some(&admin.token)).await.expect(200);

    // With the new password the account logs in again; disabling it ends that session,
    // and enabling it again does not bring the session back.
    let third = app
        .post(
            "/api/v1/login",
            None,
            &login_body("dispatcher", "ein-ganz-neues-kennwort-2026"),
        )
        .await
        .expect(200)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    app.patch(&user, Some(&admin.token), &json!({"active": false}))
        .await
        .expect(200);
    app.patch(&user, Some(&admin.token), &json!({"active": true}))
        .await
        .expect(200);
    app.get("/api/v1/me", Some(&third))
        .await
        .expect_error(401, "unauthorized");
}

/// Regression of issue 25 (Low 10): the password rule was length only.
#[tokio::test]
async fn guessable_passwords_are_refused() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let new_user = |password: &str| json!({"username": "anna", "display_name": "Anna Petersen", "password": password, "role": "dispatcher"});
    for (password, problem) in [
        ("aaaaaaaaaa", "too_common"),
        ("1234567890", "too_common"),
        ("passwort123", "too_common"),
        ("ichliebedich", "too_common"),
        ("flensburg2026", "too_common"),
        ("anna-anna-anna", "contains_username"),
        ("kurz", "too_short"),
    ] {
        app.post("/api/v1/staff/config/users", Some(&admin.token), &new_user(password))
            .await
            .expect_field_error("password", problem);
    }
    let anna = app
        .post(
            "/api/v1/staff/config/users",
            Some(&admin.token),
            &new_user("korrekt-pferd-batterie"),
        )
        .await
        .expect(201);
    // A reset by the admin follows the same rule.
    app.patch(
        &format!("/api/v1/staff/config/users/{}", anna["id"].as_str().expect("id")),
        Some(&admin.token),
        &json!({"password": "qwertzuiop"}),
    )
    .await
    .expect_field_error("password", "too_common");
}

/// Regression of issue 25 (Medium 5, Low 10): devices were free and unlimited.
#[tokio::test]
async fn device_registration_is_limited_per_address() {
    let app = spawn_app().await;
    let start = Instant::now();
    let mut registered = 0;
    loop {
        let reply = app.post("/api/v1/devices", None, &json!({})).await;
        if reply.status.as_u16() == 429 {
            assert_rate_limited(&reply);
            break;
        }
        reply.expect(201);
        registered += 1;
        assert!(
            registered <= allowed(30, start.elapsed()),
            "{registered} devices registered"
        );
    }
    assert!(registered >= 30, "{registered}");
    // Another address registers.
    let other = client_from("127.0.0.2");
    send_via(&other, &app, Method::POST, "/api/v1/devices", None, Some(&json!({})))
        .await
        .expect(201);
}

/// Regression of issue 25 (Low 10): 100 devices each filed a report in 0.6 s.
#[tokio::test]
async fn report_intake_is_limited_per_address() {
    let app = spawn_app().await;
    let device = app.device().await;
    // Every submission counts, whether it is accepted or not.
    let start = Instant::now();
    let mut submitted = 0;
    loop {
        let reply = app.submit(&device, &json!({})).await;
        if reply.status.as_u16() == 429 {
            assert_rate_limited(&reply);
            break;
        }
        assert!(reply.status.is_client_error(), "{}", reply.status);
        submitted += 1;
        assert!(
            submitted <= allowed(60, start.elapsed()),
            "{submitted} reports submitted"
        );
    }
    assert!(submitted >= 60, "{submitted}");
    assert_rate_limited(&app.submit(&device, &pothole()).await);
    // The same device from another address is not slowed down by this one.
    let other = client_from("127.0.0.2");
    send_via(
        &other,
        &app,
        Method::POST,
        "/api/v1/reports",
        Some(&device.token),
        Some(&pothole()),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn photo_uploads_are_limited_per_address_before_the_body_is_read() {
    let app = spawn_app().await;
    let hash = "0".repeat(64);
    let start = Instant::now();
    let mut uploaded = 0;
    loop {
        // Without a token: the limit counts before authentication and before the body.
        let reply = app
            .send(
                app.request(Method::PUT, &format!("/api/v1/blobs/{hash}"), None)
                    .body(vec![0u8; 16]),
            )
            .await;
        if reply.status.as_u16() == 429 {
            assert_rate_limited(&reply);
            break;
        }
        reply.expect_error(401, "unauthorized");
        uploaded += 1;
        assert!(uploaded <= allowed(120, start.elapsed()), "{uploaded} uploads");
    }
    assert!(uploaded >= 120, "{uploaded}");
    // Server anonymization shares the budget.
    let device = client_from("127.0.0.2");
    let token = send_via(&device, &app, Method::POST, "/api/v1/devices", None, Some(&json!({})))
        .await
        .expect(201)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    // (One more may slip through on a refill, one every half second.)
    let mut limited = 0;
    for _ in 0..3 {
        let photos = app
            .send(
                app.request(Method::POST, "/api/v1/photos", Some(&token))
                    .body(vec![0u8; 16]),
            )
            .await;
        if photos.status.as_u16() == 429 {
            assert_rate_limited(&photos);
            limited += 1;
        }
    }
    assert!(limited >= 2, "{limited} of 3 anonymizations refused");
}
