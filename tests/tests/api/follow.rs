//! "Follow it instead": a citizen who finds their defect already reported follows that
//! report. Their feed then carries its status changes with the public comments — never
//! its messages, description, answers, photos or the reporter's contact.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, Submitted, id_of, png, pothole, sha256_hex, spawn_app};

/// All changes of a device's feed from the start.
async fn feed(app: &crate::helpers::TestApp, token: &str) -> Vec<Value> {
    let page = app.get("/api/v1/sync?since=0", Some(token)).await.expect(200);
    page["changes"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_follower_sees_status_changes_but_nothing_private() {
    let app = spawn_app().await;
    let Submitted {
        device: reporter, id, ..
    } = app.submitted_pothole().await;

    let follower = app.device().await;
    // "Already reported?" tells the reporter their own report apart from others'.
    let nearby = "/api/v1/reports/nearby?lat=54.81&lon=9.48&category=schlagloch";
    let seen_by_reporter = app.get(nearby, Some(&reporter.token)).await.expect(200);
    assert_eq!(seen_by_reporter[0]["own"], true, "{seen_by_reporter}");
    let seen_by_follower = app.get(nearby, Some(&follower.token)).await.expect(200);
    assert_eq!(seen_by_follower[0]["id"], id.as_str());
    assert_eq!(seen_by_follower[0]["own"], false, "{seen_by_follower}");
    let path = format!("/api/v1/reports/{id}/follow");
    let followed = app
        .send(app.request(Method::PUT, &path, Some(&follower.token)))
        .await
        .expect(201);
    assert_eq!(followed["id"], id.as_str());
    assert_eq!(followed["status"], "assigned");
    assert_eq!(followed["category"], "schlagloch");
    assert!(followed["history"].as_array().is_some_and(|h| !h.is_empty()));
    for private in [
        "description",
        "answers",
        "photos",
        "messages",
        "contact_email",
        "address_hint",
    ] {
        assert!(followed.get(private).is_none(), "{private} is not shown: {followed}");
    }
    // Following again changes nothing.
    app.send(app.request(Method::PUT, &path, Some(&follower.token)))
        .await
        .expect(200);
    let list = app
        .get("/api/v1/reports/followed", Some(&follower.token))
        .await
        .expect(200);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");

    // Staff write to the reporter and resolve the report with a completion photo.
    let staff = app.login(FLENSBURG, "dispatcher").await;
    app.post(
        &format!("/api/v1/staff/reports/{id}/messages"),
        Some(&staff.token),
        &json!({"body": "Wo genau ist das Loch?"}),
    )
    .await
    .expect(201);
    let photo = png(64, 48);
    let hash = sha256_hex(&photo);
    assert!(app.put_blob(&staff.token, &hash, photo).await.status.is_success());
    for (to, photos) in [("in_progress", json!([])), ("resolved", json!([hash]))] {
        app.transition(
            &staff,
            &id,
            &json!({"to": to, "public_comment": "Wird erledigt.", "photos": photos}),
        )
        .await
        .expect(200);
    }

    // The follower's feed has the status changes with the public comment, no message and
    // no photo; the reporter's feed has all of it.
    let changes = feed(&app, &follower.token).await;
    assert!(changes.iter().all(|c| c["report_id"] == id.as_str()));
    assert!(
        changes.iter().all(|c| c["kind"] == "status"),
        "no messages: {changes:?}"
    );
    let last = changes.last().expect("changes");
    assert_eq!(last["to"], "resolved");
    assert_eq!(last["comment"], "Wird erledigt.");
    assert!(last.get("photos").is_none(), "no photo: {last}");
    let own = feed(&app, &reporter.token).await;
    assert!(own.iter().any(|c| c["kind"] == "message"));
    assert!(own.iter().any(|c| c["photos"] == json!([hash])));
    // Nor may the follower download the completion photo.
    let download = app.get(&format!("/api/v1/blobs/{hash}"), Some(&follower.token)).await;
    assert_eq!(download.status.as_u16(), 404);
    // The reporter's own view is not the follower's.
    app.get(&format!("/api/v1/reports/{id}"), Some(&follower.token))
        .await
        .expect_error(404, "not_found");
    // Nor is it among the follower's own reports, though the feed carries it.
    let own_list = app.get("/api/v1/reports", Some(&follower.token)).await.expect(200);
    assert_eq!(own_list, json!([]));
    // Unfollowing stops the feed.
    app.send(app.request(Method::DELETE, &path, Some(&follower.token)))
        .await
        .expect(204);
    assert!(
        feed(&app, &follower.token).await.is_empty(),
        "nothing of it is left in the feed"
    );
    app.transition(&staff, &id, &json!({"to": "closed"})).await.expect(200);
    assert!(feed(&app, &follower.token).await.is_empty(), "nor does news arrive");
    let list = app
        .get("/api/v1/reports/followed", Some(&follower.token))
        .await
        .expect(200);
    assert_eq!(list, json!([]));
    // The follower's own reports are listed.
    let mine = pothole();
    app.submit_ok(&follower, &mine).await;
    let own_list = app.get("/api/v1/reports", Some(&follower.token)).await.expect(200);
    let listed: Vec<&str> = own_list
        .as_array()
        .map(|l| l.iter().filter_map(|r| r["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(listed, vec![id_of(&mine).as_str()], "{own_list}");
}

#[tokio::test]
async fn following_is_refused_for_unknown_reports_own_reports_and_without_a_device() {
    let app = spawn_app().await;
    let Submitted {
        device: reporter, id, ..
    } = app.submitted_pothole().await;
    let path = format!("/api/v1/reports/{id}/follow");

    app.send(app.request(Method::PUT, &path, None))
        .await
        .expect_error(401, "unauthorized");
    app.send(app.request(Method::PUT, &path, Some(&reporter.token)))
        .await
        .expect_error(409, "conflict");
    let other = app.device().await;
    let unknown = format!("/api/v1/reports/{}/follow", uuid::Uuid::new_v4());
    app.send(app.request(Method::PUT, &unknown, Some(&other.token)))
        .await
        .expect_error(404, "not_found");
    app.send(app.request(Method::PUT, "/api/v1/reports/not-an-id/follow", Some(&other.token)))
        .await;
    app.send(app.request(Method::DELETE, &path, Some(&other.token)))
        .await
        .expect_error(404, "not_found");
    // Staff tokens are not devices.
    let staff = app.login(FLENSBURG, "dispatcher").await;
    app.send(app.request(Method::PUT, &path, Some(&staff.token)))
        .await
        .expect_error(401, "unauthorized");
}
