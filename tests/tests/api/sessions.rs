//! Staff sessions and the sign-in log (issue 24): a person sees their sessions (where
//! from, with what) and ends one; an admin ends every session of an account at once; a
//! disabled account's tokens stop at once; sign-ins, failed sign-ins, sign-outs and ended
//! sessions are in the municipality's log, which only its admins see.

use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, KIEL, PASSWORD, TestApp, spawn_app};

/// Signs in with a browser's name; returns the token.
async fn login_with_agent(app: &TestApp, username: &str, agent: &str) -> String {
    let reply = app
        .send(
            app.request(reqwest::Method::POST, "/api/v1/login", None)
                .header("user-agent", agent)
                .json(&json!({"municipality": FLENSBURG, "username": username, "password": PASSWORD})),
        )
        .await;
    reply.expect(200)["token"].as_str().expect("token").to_owned()
}

async fn sessions(app: &TestApp, token: &str) -> Vec<Value> {
    app.get("/api/v1/sessions", Some(token))
        .await
        .expect(200)
        .as_array()
        .expect("a list")
        .clone()
}

#[tokio::test]
async fn a_person_sees_and_ends_their_sessions_and_an_admin_ends_them_all() {
    let app = spawn_app().await;
    let office = login_with_agent(&app, "dispatcher", "Firefox im Rathaus").await;
    let laptop = login_with_agent(&app, "dispatcher", "Chromium auf dem Laptop").await;

    let list = sessions(&app, &office).await;
    assert_eq!(list.len(), 2, "{list:#?}");
    let current: Vec<&Value> = list.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], "Firefox im Rathaus");
    assert_eq!(current[0]["address"], "127.0.0.1");
    assert!(current[0]["created_at"].is_string());
    let other = list.iter().find(|s| s["current"] == false).expect("the laptop's");
    assert_eq!(other["user_agent"], "Chromium auf dem Laptop");
    for s in &list {
        let id = s["id"].as_str().expect("id");
        assert_eq!(id.len(), 16);
        assert!(!office.contains(id) && !laptop.contains(id), "the id is not the token");
    }

    // Ending the laptop's session from the office.
    let id = other["id"].as_str().expect("id");
    app.send(app.request(
        reqwest::Method::DELETE,
        &format!("/api/v1/sessions/{id}"),
        Some(&office),
    ))
    .await
    .expect(204);
    app.get("/api/v1/me", Some(&laptop)).await.expect(401);
    app.get("/api/v1/me", Some(&office)).await.expect(200);
    // Another person's session id is not one's own to end.
    let colleague = app.login(FLENSBURG, "field").await;
    let theirs = sessions(&app, &colleague.token).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.send(app.request(
        reqwest::Method::DELETE,
        &format!("/api/v1/sessions/{theirs}"),
        Some(&office),
    ))
    .await
    .expect(404);
    app.get("/api/v1/me", Some(&colleague.token)).await.expect(200);

    // The admin ends every session of the dispatcher; Kiel's admin cannot.
    let admin = app.login(FLENSBURG, "admin").await;
    let dispatcher_id = app.login(FLENSBURG, "dispatcher").await.id;
    let kiel = app.login(KIEL, "admin").await;
    app.post(
        &format!("/api/v1/staff/config/users/{dispatcher_id}/end-sessions"),
        Some(&kiel.token),
        &json!({}),
    )
    .await
    .expect(404);
    app.post(
        &format!("/api/v1/staff/config/users/{dispatcher_id}/end-sessions"),
        Some(&colleague.token),
        &json!({}),
    )
    .await
    .expect(403);
    let ended = app
        .post(
            &format!("/api/v1/staff/config/users/{dispatcher_id}/end-sessions"),
            Some(&admin.token),
            &json!({}),
        )
        .await
        .expect(200);
    assert_eq!(ended["ended"], 2, "the office's and the one just opened");
    app.get("/api/v1/me", Some(&office)).await.expect(401);

    // A disabled account's token stops at once.
    let field = app.login(FLENSBURG, "field").await;
    app.patch(
        &format!("/api/v1/staff/config/users/{}", field.id),
        Some(&admin.token),
        &json!({"active": false}),
    )
    .await
    .expect(200);
    app.get("/api/v1/me", Some(&field.token)).await.expect(401);
}

#[tokio::test]
async fn the_sign_in_log_holds_what_happened_for_the_municipalitys_admins_only() {
    let app = spawn_app().await;
    for (username, password) in [("dispatcher", "falsch-falsch"), ("niemand", PASSWORD)] {
        app.post(
            "/api/v1/login",
            None,
            &json!({"municipality": FLENSBURG, "username": username, "password": password}),
        )
        .await
        .expect(401);
    }
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    app.post("/api/v1/logout", Some(&dispatcher.token), &json!({}))
        .await
        .expect(204);
    let admin = app.login(FLENSBURG, "admin").await;
    let log = app
        .get("/api/v1/staff/config/login-log", Some(&admin.token))
        .await
        .expect(200);
    let entries: Vec<(String, String)> = log
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["username"].as_str().unwrap_or_default().to_owned(),
                e["outcome"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("admin", "success"),
        ("dispatcher", "logout"),
        ("dispatcher", "success"),
        ("niemand", "unknown_user"),
        ("dispatcher", "wrong_password"),
    ]
    .iter()
    .map(|(u, o)| ((*u).to_owned(), (*o).to_owned()))
    .collect();
    assert_eq!(entries[..5], expected[..], "newest first: {log:#}");
    let dispatcher_entry = &log[2];
    assert_eq!(dispatcher_entry["user"], dispatcher.id.as_str());
    assert_eq!(dispatcher_entry["address"], "127.0.0.1");
    assert_eq!(log[3]["user"], Value::Null, "an unknown name is no account");

    // Kiel's admin sees Kiel's log only; a dispatcher sees none.
    let kiel = app.login(KIEL, "admin").await;
    let kiel_log = app
        .get("/api/v1/staff/config/login-log", Some(&kiel.token))
        .await
        .expect(200);
    assert!(
        kiel_log
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["username"] == "admin"),
        "{kiel_log:#}"
    );
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    app.get("/api/v1/staff/config/login-log", Some(&dispatcher.token))
        .await
        .expect(403);
}
