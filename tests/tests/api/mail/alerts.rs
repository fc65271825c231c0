//! The public map's e-mail alerts against the real SMTP server: double opt-in, the
//! rounds' mails (only what the public map shows, only the subscriber's area, never
//! before the confirmation), one-click unsubscribe, and deletion with an erasure by
//! address.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::smtp::{MAIL_TIMEOUT, Mail, shared};
use super::{citizen_address, secret_note, transition_ok};
use crate::helpers::{FLENSBURG, KIEL_RATHAUS, MUERWIK, SUEDERMARKT, TestApp, id_of, pothole, report};

/// A server whose alert rounds run every second.
async fn alert_app() -> TestApp {
    super::mail_app_on(shared().port, |s| s.mail.alert_seconds = 1).await
}

/// The token of the confirmation link (`…/#/alerts/<token>`).
#[track_caller]
fn alert_token(text: &str) -> String {
    let (_, rest) = text
        .split_once("/#/alerts/")
        .unwrap_or_else(|| panic!("no alert link in: {text}"));
    rest.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Waits for a mail to `address` whose text contains `needle`.
async fn wait_for_text(address: &str, needle: &str) -> Mail {
    let deadline = Instant::now() + MAIL_TIMEOUT;
    loop {
        let mails = shared().maildir.to(address);
        if let Some(m) = mails.iter().find(|m| m.text.contains(needle)) {
            return m.clone();
        }
        let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
        assert!(
            Instant::now() < deadline,
            "no mail with {needle:?} reached {address}; it has {subjects:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn circle(ags: Option<&str>, email: &str, (lat, lon): (f64, f64), language: &str) -> Value {
    json!({
        "email": email,
        "area": {"type": "circle", "center": {"lat": lat, "lon": lon}, "radius_m": 500},
        "ags": ags,
        "language": language,
    })
}

/// Subscribes and confirms through the mailed link; returns the token.
async fn subscribe_and_confirm(app: &TestApp, body: &Value, address: &str, subject: &str) -> String {
    app.post("/api/v1/public/alerts", None, body).await.expect(202);
    let mail = shared().maildir.wait_for_subject(address, subject).await;
    let token = alert_token(&mail.text);
    assert_eq!(token.len(), 43, "32 random bytes: {token}");
    assert!(mail.html.contains(&format!("/#/alerts/{token}")), "{}", mail.html);
    let view = app
        .get(&format!("/api/v1/public/alerts/{token}"), None)
        .await
        .expect(200);
    assert_eq!(view["confirmed_at"], Value::Null, "not confirmed by the mail alone");
    let view = app
        .post(&format!("/api/v1/public/alerts/{token}/confirm"), None, &json!({}))
        .await
        .expect(200);
    assert!(view["confirmed_at"].is_string(), "{view}");
    token
}

#[tokio::test]
async fn a_confirmed_subscriber_hears_of_their_area_only_what_the_map_shows_and_stops_with_one_click() {
    let app = alert_app().await;
    let device = app.device().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let address = citizen_address();

    // A report in the area before the confirmation is never told.
    let before = pothole();
    app.submit_ok(&device, &before).await;
    let token = subscribe_and_confirm(
        &app,
        &circle(Some(FLENSBURG), &address, MUERWIK, "en"),
        &address,
        "Confirm alerts for an area",
    )
    .await;

    // One report in the area, one outside it.
    let inside = pothole();
    let outside = report(
        "schlagloch",
        json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
        SUEDERMARKT,
    );
    app.submit_ok(&device, &inside).await;
    app.submit_ok(&device, &outside).await;
    let (inside_id, outside_id) = (id_of(&inside), id_of(&outside));
    secret_note(&app, &dispatcher, &inside_id).await;

    let link = format!("{}/m/{FLENSBURG}/{inside_id}", app.address);
    let alert = wait_for_text(&address, &link).await;
    assert!(alert.subject.contains("in your area"), "{}", alert.subject);
    assert!(alert.text.contains("New: Pothole"), "{}", alert.text);
    for never in [id_of(&before), outside_id.clone()] {
        assert!(
            !alert.text.contains(&never),
            "{never} is not for this subscriber: {}",
            alert.text
        );
    }
    assert!(
        !alert.text.contains("Tiefes Loch"),
        "no description: the municipality does not publish text: {}",
        alert.text
    );
    let one_click = format!("{}/api/v1/public/alerts/{token}/unsubscribe", app.address);
    assert_eq!(alert.list_unsubscribe.as_deref(), Some(one_click.as_str()));
    assert_eq!(
        alert.list_unsubscribe_post.as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(
        alert.text.contains(&format!("/#/alerts/{token}/unsubscribe")),
        "an unsubscribe link in the body: {}",
        alert.text
    );

    // A status change with a public comment.
    transition_ok(
        &app,
        &dispatcher,
        &inside_id,
        json!({"to": "in_progress", "public_comment": "Der Bautrupp kommt am Montag."}),
    )
    .await;
    let change = wait_for_text(&address, "Der Bautrupp kommt am Montag.").await;
    assert!(
        change.text.contains("now “In progress”") || change.text.contains("now „In progress“"),
        "{}",
        change.text
    );

    // One click (as a mail client does it) ends it and deletes the address.
    let reply = app
        .send(
            app.request(
                reqwest::Method::POST,
                &format!("/api/v1/public/alerts/{token}/unsubscribe"),
                None,
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click"),
        )
        .await;
    assert_eq!(reply.status, 200);
    app.get(&format!("/api/v1/public/alerts/{token}"), None)
        .await
        .expect(404);
    let count = shared().maildir.to(&address).len();
    transition_ok(
        &app,
        &dispatcher,
        &inside_id,
        json!({"to": "resolved", "public_comment": "Repariert."}),
    )
    .await;
    app.submit_ok(&device, &pothole()).await;
    shared()
        .maildir
        .expect_exactly(&address, count, Duration::from_secs(3))
        .await;
}

#[tokio::test]
async fn a_statewide_drawn_area_hears_of_kiel_and_an_erasure_by_address_ends_it() {
    let app = alert_app().await;
    let device = app.device().await;
    let address = citizen_address();
    let (lat, lon) = KIEL_RATHAUS;
    let body = json!({
        "email": address,
        "area": {"type": "polygon", "points": [
            {"lat": lat - 0.003, "lon": lon - 0.005},
            {"lat": lat - 0.003, "lon": lon + 0.005},
            {"lat": lat + 0.003, "lon": lon + 0.005},
            {"lat": lat + 0.003, "lon": lon - 0.005},
        ]},
        "new_reports": true,
        "status_changes": false,
    });
    let token = subscribe_and_confirm(&app, &body, &address, "Benachrichtigungen für ein Gebiet bestätigen").await;
    let kiel = report(
        "schlagloch",
        json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
        KIEL_RATHAUS,
    );
    app.submit_ok(&device, &kiel).await;
    let alert = wait_for_text(&address, &id_of(&kiel)).await;
    assert!(alert.text.contains("Neu: "), "German by default: {}", alert.text);
    assert!(
        alert.text.contains("(Kiel)"),
        "statewide mails name the municipality: {}",
        alert.text
    );

    // Erasing everything sent with the address ends the alerts too.
    app.post("/api/v1/privacy/erasure", None, &json!({"email": address}))
        .await
        .expect(202);
    let mail = shared().maildir.wait_for_subject(&address, "Löschung").await;
    let (_, rest) = mail.text.split_once("/#/erase/").expect("an erasure link");
    let erase: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    app.post(&format!("/api/v1/privacy/erasure/{erase}"), None, &json!({}))
        .await
        .expect(200);
    app.get(&format!("/api/v1/public/alerts/{token}"), None)
        .await
        .expect(404);
}

#[tokio::test]
async fn bad_subscriptions_are_refused_with_the_field_and_nothing_is_mailed() {
    let app = alert_app().await;
    let address = citizen_address();
    let mut too_big = circle(Some(FLENSBURG), &address, MUERWIK, "de");
    too_big["area"]["radius_m"] = json!(50_000);
    let mut no_events = circle(Some(FLENSBURG), &address, MUERWIK, "de");
    no_events["new_reports"] = json!(false);
    no_events["status_changes"] = json!(false);
    let mut unknown = circle(Some("01999999"), &address, MUERWIK, "de");
    unknown["language"] = json!("de");
    let mut bad_point = circle(None, &address, MUERWIK, "de");
    bad_point["area"]["center"]["lat"] = json!(123.0);
    for (body, field) in [
        (too_big, "area.radius_m"),
        (no_events, "new_reports"),
        (unknown, "ags"),
        (bad_point, "area.center"),
        (circle(None, "kein-mail", MUERWIK, "de"), "email"),
    ] {
        let reply = app.post("/api/v1/public/alerts", None, &body).await;
        let error = reply.expect(422);
        let text = error.to_string();
        assert!(text.contains(field), "{field} named in {text}");
    }
    let malformed = app
        .post(
            "/api/v1/public/alerts",
            None,
            &json!({"email": address, "area": {"type": "star"}}),
        )
        .await;
    assert_eq!(malformed.status, 400);

    // The public map switched off: no alerts for it.
    app.change_settings(FLENSBURG, |s| s["public"]["enabled"] = json!(false))
        .await;
    let error = app
        .post(
            "/api/v1/public/alerts",
            None,
            &circle(Some(FLENSBURG), &address, MUERWIK, "de"),
        )
        .await
        .expect(422);
    assert!(error.to_string().contains("public_map_off"), "{error}");

    for path in [
        "/api/v1/public/alerts/kein-token",
        &format!("/api/v1/public/alerts/{}", "A".repeat(43)),
    ] {
        app.get(path, None).await.expect(404);
    }
    shared()
        .maildir
        .expect_exactly(&address, 0, Duration::from_millis(500))
        .await;
}
