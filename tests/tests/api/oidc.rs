//! Single sign-on through OpenID Connect (issue 24) against a real, certified provider
//! (npm `oidc-provider`, tests/src/oidc.rs): a person whose group maps to dispatcher
//! signs in and sees the inbox; a person without a mapped group is refused and the
//! refusal is in the sign-in log; a wrong issuer, a replayed or forged state and a
//! forged nonce are refused; the client secret never comes back; local accounts can be
//! switched off (only while single sign-on is on).

use augenmerk_server::auth::token_hash;
use augenmerk_store::SsoPendingKind;
use augenmerk_tests::oidc::{self, Client, param, sign_in};
use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, PASSWORD, TestApp, spawn_app_with};

/// A server that knows its own address (the redirect URI must name it) with a client
/// registered at the shared provider.
async fn app_with_provider() -> (TestApp, Client) {
    let port = augenmerk_tests::free_port();
    let app = spawn_app_with(|s| {
        s.listen = format!("127.0.0.1:{port}").parse().expect("address");
        s.public_url = Some(format!("http://127.0.0.1:{port}"));
    })
    .await;
    let client = oidc::shared()
        .register(&format!("http://127.0.0.1:{port}/api/v1/sso/callback"))
        .await;
    (app, client)
}

fn sso(issuer: &str, client: &Client) -> Value {
    json!({
        "enabled": true,
        "issuer": issuer,
        "client_id": client.id,
        "client_secret": client.secret,
        "display_name": "Kreis-Login",
        "role_mapping": [
            {"group": "augenmerk-admins", "role": "admin"},
            {"group": "leitstelle", "role": "dispatcher"},
        ],
    })
}

async fn enable(app: &TestApp, sso: Value) -> Value {
    app.change_settings(FLENSBURG, |s| s["sso"] = sso).await
}

fn start_url(app: &TestApp) -> String {
    format!("{}/api/v1/sso/{FLENSBURG}/start", app.address)
}

/// The sign-in log's outcomes for a login name.
async fn logged(app: &TestApp, username: &str) -> Vec<String> {
    let admin = app.login(FLENSBURG, "admin").await;
    let log = app
        .get("/api/v1/staff/config/login-log", Some(&admin.token))
        .await
        .expect(200);
    log.as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["username"] == json!(username))
        .map(|e| e["outcome"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_dispatcher_by_group_signs_in_and_sees_the_inbox() {
    let (app, client) = app_with_provider().await;
    let saved = enable(&app, sso(&oidc::shared().issuer, &client)).await;
    // The secret is write-only.
    assert_eq!(saved["sso"]["client_secret_set"], json!(true));
    assert!(!saved.to_string().contains(&client.secret));
    let admin = app.login(FLENSBURG, "admin").await;
    let read = app.get("/api/v1/staff/config/settings", Some(&admin.token)).await;
    assert!(!read.text().contains(&client.secret), "GET settings leaks the secret");
    // What the login screen learns before anyone signs in.
    let info = app.get(&format!("/api/v1/sso/{FLENSBURG}"), None).await.expect(200);
    assert_eq!(
        info,
        json!({"enabled": true, "display_name": "Kreis-Login", "local_accounts": true})
    );

    let done = sign_in(&start_url(&app), "disponentin", false).await;
    assert!(
        done.landed.starts_with(&format!("{}/#/console/sso?code=", app.address)),
        "{}",
        done.landed
    );
    let code = param(&done.landed, "code").expect("one-time code");
    // The session token never appears in a URL: the console exchanges the code.
    let session = app
        .post("/api/v1/sso/exchange", None, &json!({"code": code}))
        .await
        .expect(200);
    assert_eq!(session["role"], json!("dispatcher"));
    assert_eq!(session["user"]["username"], json!("disponentin"));
    assert_eq!(session["user"]["display_name"], json!("Maria Disponentin"));
    let token = session["token"].as_str().expect("token");
    app.get("/api/v1/staff/reports", Some(token)).await.expect(200);
    // The code works once.
    app.post("/api/v1/sso/exchange", None, &json!({"code": code}))
        .await
        .expect_error(401, "unauthorized");
    // A second sign-in finds the same account (linked by the provider's `sub`).
    let again = sign_in(&start_url(&app), "disponentin", false).await;
    let second = app
        .post(
            "/api/v1/sso/exchange",
            None,
            &json!({"code": param(&again.landed, "code").expect("code")}),
        )
        .await
        .expect(200);
    assert_eq!(second["user"]["id"], session["user"]["id"]);
    // The account has no password.
    app.post(
        "/api/v1/login",
        None,
        &json!({"municipality": FLENSBURG, "username": "disponentin", "password": PASSWORD}),
    )
    .await
    .expect_error(401, "invalid_credentials");
    assert!(logged(&app, "disponentin").await.contains(&"success".to_owned()));
}

#[tokio::test]
async fn a_person_without_a_mapped_group_is_refused_and_logged() {
    let (app, client) = app_with_provider().await;
    enable(&app, sso(&oidc::shared().issuer, &client)).await;
    let done = sign_in(&start_url(&app), "koch", false).await;
    assert_eq!(
        param(&done.landed, "error").as_deref(),
        Some("no_role"),
        "{}",
        done.landed
    );
    assert!(param(&done.landed, "code").is_none());
    assert_eq!(logged(&app, "koch").await, vec!["sso_refused"]);
    // No account was made.
    let admin = app.login(FLENSBURG, "admin").await;
    let users = app
        .get("/api/v1/staff/config/users", Some(&admin.token))
        .await
        .expect(200);
    assert!(!users.to_string().contains("\"koch\""));
    // Nor without a login name.
    let done = sign_in(&start_url(&app), "namenlos", false).await;
    assert_eq!(param(&done.landed, "error").as_deref(), Some("no_username"));
}

#[tokio::test]
async fn a_replayed_or_forged_state_is_refused() {
    let (app, client) = app_with_provider().await;
    enable(&app, sso(&oidc::shared().issuer, &client)).await;
    let stopped = sign_in(&start_url(&app), "disponentin", true).await;
    let callback = stopped.callback.clone();
    let state = param(&callback, "state").expect("state");
    // Forged: a state we never issued.
    let forged = callback.replace(&state, "gefaelscht");
    assert_eq!(landed_error(&forged).await.as_deref(), Some("invalid_state"));
    // The real one works once …
    let first = location(&callback).await;
    assert!(first.contains("code="), "{first}");
    // … and a replay is refused.
    assert_eq!(landed_error(&callback).await.as_deref(), Some("invalid_state"));
    // No state at all.
    let none = format!("{}/api/v1/sso/callback?code=x", app.address);
    assert_eq!(landed_error(&none).await.as_deref(), Some("invalid_state"));
}

#[tokio::test]
async fn a_forged_nonce_is_refused() {
    let (app, client) = app_with_provider().await;
    enable(&app, sso(&oidc::shared().issuer, &client)).await;
    let stopped = sign_in(&start_url(&app), "disponentin", true).await;
    let state = param(&stopped.callback, "state").expect("state");
    // The nonce the server remembers is not the one in the ID token (as if the token
    // came from another sign-in).
    let store = &app.state.store;
    let key = token_hash(&state);
    let (ags, payload) = store
        .take_sso_pending(SsoPendingKind::Attempt, &key, chrono::Utc::now())
        .await
        .expect("store")
        .expect("the attempt");
    let mut attempt: Value = serde_json::from_str(&payload).expect("payload");
    attempt["nonce"] = json!("ein-anderer-nonce");
    store
        .put_sso_pending(
            SsoPendingKind::Attempt,
            key,
            &ags,
            attempt.to_string(),
            chrono::Utc::now() + chrono::Duration::minutes(5),
        )
        .await
        .expect("store");
    assert_eq!(landed_error(&stopped.callback).await.as_deref(), Some("invalid_token"));
    assert_eq!(logged(&app, "(sso)").await, vec!["sso_refused"]);
}

#[tokio::test]
async fn a_wrong_issuer_is_refused() {
    let (app, client) = app_with_provider().await;
    // The same provider under another name: its discovery document names another issuer.
    let other = oidc::shared().issuer.replace("127.0.0.1", "localhost");
    enable(&app, sso(&other, &client)).await;
    assert_eq!(
        landed_error(&start_url(&app)).await.as_deref(),
        Some("provider_unavailable")
    );
}

#[tokio::test]
async fn settings_are_checked_and_local_accounts_can_be_switched_off() {
    let (app, client) = app_with_provider().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let mut settings = app
        .get("/api/v1/staff/config/settings", Some(&admin.token))
        .await
        .expect(200);
    // Plain HTTP only on the loopback address.
    settings["sso"] = sso("http://idp.example.de/realms/kreis", &client);
    put(&app, &admin.token, &settings)
        .await
        .expect_field_error("sso.issuer", "https_required");
    // No way to lock everyone out.
    settings["sso"] = json!({"enabled": false, "local_accounts": false});
    put(&app, &admin.token, &settings)
        .await
        .expect_field_error("sso.local_accounts", "sso_required");
    settings["sso"] = sso(&oidc::shared().issuer, &client);
    settings["sso"]["role_mapping"] = json!([{"group": "x", "role": "platform_admin"}]);
    put(&app, &admin.token, &settings)
        .await
        .expect_field_error("sso.role_mapping.0.role", "not_allowed");

    let mut on = sso(&oidc::shared().issuer, &client);
    on["local_accounts"] = json!(false);
    settings["sso"] = on;
    let saved = put(&app, &admin.token, &settings).await.expect(200);
    // A change without the secret keeps it.
    assert_eq!(saved["sso"]["client_secret_set"], json!(true));
    let info = app.get(&format!("/api/v1/sso/{FLENSBURG}"), None).await.expect(200);
    assert_eq!(info["local_accounts"], json!(false));
    app.post(
        "/api/v1/login",
        None,
        &json!({"municipality": FLENSBURG, "username": "dispatcher", "password": PASSWORD}),
    )
    .await
    .expect_error(403, "forbidden");
    // Single sign-on still works, for an admin too.
    let done = sign_in(&start_url(&app), "chefin", false).await;
    let session = app
        .post(
            "/api/v1/sso/exchange",
            None,
            &json!({"code": param(&done.landed, "code").expect("code")}),
        )
        .await
        .expect(200);
    assert_eq!(session["role"], json!("admin"));
    // An unknown municipality has no single sign-on.
    app.get("/api/v1/sso/01003000/start", None)
        .await
        .expect_error(404, "not_found");
}

async fn put(app: &TestApp, token: &str, settings: &Value) -> crate::helpers::Reply {
    app.put("/api/v1/staff/config/settings", Some(token), settings).await
}

/// Where a GET of our server sends the browser (a 303).
async fn location(url: &str) -> String {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(url)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 303, "{url}");
    response.headers()[reqwest::header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned()
}

/// The error the console is sent to show after a GET of `url`.
async fn landed_error(url: &str) -> Option<String> {
    let to = location(url).await;
    assert!(to.contains("#/console/sso?"), "{to}");
    param(&to, "error")
}
