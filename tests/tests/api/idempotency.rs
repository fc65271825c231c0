//! Retries are safe even when they race: the same report id or the same photo sent many
//! times at once is stored exactly once.

use serde_json::json;
use tokio::task::JoinSet;

use crate::helpers::{FLENSBURG, Submitted, id_of, png, pothole, sha256_hex, spawn_app};

const RETRIES: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_report_posted_20_times_in_parallel_is_stored_once() {
    let app = std::sync::Arc::new(spawn_app().await);
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let before = app.inbox_total(&staff).await;
    let r = pothole();
    let id = id_of(&r);

    let mut tasks = JoinSet::new();
    for _ in 0..RETRIES {
        let (app, device, r) = (app.clone(), device.clone(), r.clone());
        tasks.spawn(async move { app.submit(&device, &r).await });
    }
    let mut created = 0;
    let mut replayed = 0;
    let mut bodies = Vec::new();
    while let Some(reply) = tasks.join_next().await {
        let reply = reply.expect("task");
        match reply.status.as_u16() {
            201 => created += 1,
            200 => replayed += 1,
            other => panic!("unexpected {other}: {}", reply.text()),
        }
        bodies.push(reply.json());
    }
    assert_eq!((created, replayed), (1, RETRIES - 1), "exactly one 201");
    for b in &bodies {
        assert_eq!(b["id"], id.as_str());
        assert_eq!(b["status"], bodies[0]["status"]);
        assert_eq!(b["created_at"], bodies[0]["created_at"]);
    }

    assert_eq!(app.inbox_total(&staff).await, before + 1);
    let detail = app.detail(&staff, &id).await;
    let created_entries = detail["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter(|e| e["action"]["type"] == "created")
        .count();
    assert_eq!(created_entries, 1, "one `created` in the audit: {}", detail["audit"]);
    let routed = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"]["type"] == "routed")
        .count();
    assert_eq!(routed, 1);
    assert_eq!(
        app.get("/api/v1/reports", Some(&device.token))
            .await
            .expect(200)
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let feed = app.get("/api/v1/sync", Some(&device.token)).await.expect(200);
    let received = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "status" && c["to"] == "received")
        .count();
    assert_eq!(received, 1, "one `received` in the feed: {feed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_photo_put_20_times_in_parallel_is_stored_once() {
    let app = std::sync::Arc::new(spawn_app().await);
    let device = app.device().await;
    let photo = png(64, 48);
    let hash = sha256_hex(&photo);

    let mut tasks = JoinSet::new();
    for _ in 0..RETRIES {
        let (app, token, hash, photo) = (app.clone(), device.token.clone(), hash.clone(), photo.clone());
        tasks.spawn(async move { app.put_blob(&token, &hash, photo).await });
    }
    let mut created = 0;
    while let Some(reply) = tasks.join_next().await {
        let reply = reply.expect("task");
        match reply.status.as_u16() {
            201 => created += 1,
            200 => {}
            other => panic!("unexpected {other}: {}", reply.text()),
        }
    }
    assert!(created >= 1, "at least one upload stored it");

    let files = app.stored_blob_files();
    assert_eq!(files.len(), 1, "one stored copy: {files:?}");
    assert!(files[0].ends_with(&hash));
    assert_eq!(std::fs::read(&files[0]).expect("stored"), photo);
    app.head(&format!("/api/v1/blobs/{hash}"), Some(&device.token))
        .await
        .expect(200);
    // Once stored, another upload is a 200 and changes nothing.
    app.put_blob(&device.token, &hash, photo.clone()).await.expect(200);
    assert_eq!(app.stored_blob_files().len(), 1);
}

#[tokio::test]
async fn the_same_report_id_from_another_device_is_409_and_leaves_the_report_alone() {
    let app = spawn_app().await;
    let owner = app.device().await;
    let other = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let r = pothole();
    let id = id_of(&r);
    app.submit_ok(&owner, &r).await;
    let before = app.detail(&staff, &id).await;

    let mut hijack = r.clone();
    hijack["description"] = json!("Überschrieben?");
    app.submit(&other, &hijack).await.expect_error(409, "conflict");
    app.submit(&other, &r).await.expect_error(409, "conflict");

    assert_eq!(app.detail(&staff, &id).await, before);
    assert_eq!(app.inbox_total(&staff).await, 1);
    app.get(&format!("/api/v1/reports/{id}"), Some(&other.token))
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn a_retry_returns_the_stored_report_even_if_the_body_differs() {
    let app = spawn_app().await;
    let Submitted {
        device,
        report: r,
        view: first,
        ..
    } = app.submitted_pothole().await;
    let mut changed = r.clone();
    changed["description"] = json!("Zweiter Versuch mit anderem Text");
    let again = app.submit(&device, &changed).await.expect(200);
    assert_eq!(again, first, "the stored report answers, the retry's body is ignored");
}

#[tokio::test]
async fn a_retry_that_would_no_longer_pass_validation_still_gets_the_stored_report() {
    // The configuration may change between the lost answer and the retry (a category
    // removed, a question made required); the device must still learn that it is stored.
    let app = spawn_app().await;
    let (device, other) = (app.device().await, app.device().await);
    let r = pothole();
    let first = app.submit_ok(&device, &r).await;
    let mut stale = r.clone();
    stale["category"] = json!("gibt_es_nicht");
    stale["location"] = json!({"lat": 95.0, "lon": 9.4366});
    let again = app.submit(&device, &stale).await.expect(200);
    assert_eq!(again, first);
    // Someone else's invalid retry of the id learns nothing about the stored report.
    app.submit(&other, &stale).await.expect_error(409, "conflict");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_id_raced_by_two_devices_belongs_to_the_winner_only() {
    let app = std::sync::Arc::new(spawn_app().await);
    let devices = [app.device().await, app.device().await];
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let r = pothole();
    let id = id_of(&r);

    let mut tasks = JoinSet::new();
    for i in 0..RETRIES {
        let (app, device, r) = (app.clone(), devices[i % 2].clone(), r.clone());
        tasks.spawn(async move { (device.id.clone(), app.submit(&device, &r).await) });
    }
    let mut outcomes = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (device, reply) = done.expect("task");
        outcomes.push((device, reply.status.as_u16(), reply.text()));
    }
    let winners: Vec<&String> = outcomes.iter().filter(|o| o.1 == 201).map(|o| &o.0).collect();
    assert_eq!(winners.len(), 1, "exactly one 201: {outcomes:?}");
    let winner = winners[0].clone();
    for (device, status, body) in &outcomes {
        let expected = if *device == winner { [200, 201] } else { [409, 409] };
        assert!(expected.contains(status), "{device} got {status}: {body}");
    }
    let detail = app.detail(&staff, &id).await;
    let created = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"]["type"] == "created")
        .cloned()
        .expect("created entry");
    assert_eq!(created["actor"]["device"], winner.as_str());
    assert_eq!(app.inbox_total(&staff).await, 1);
    let loser = devices.iter().find(|d| d.id != winner).expect("two devices");
    app.get(&format!("/api/v1/reports/{id}"), Some(&loser.token))
        .await
        .expect_error(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_transitions_from_the_same_status_apply_exactly_once() {
    let app = std::sync::Arc::new(spawn_app().await);
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let r = pothole();
    let id = id_of(&r);
    assert_eq!(app.submit_ok(&device, &r).await["status"], "assigned");

    // Ten colleagues press "in progress" at once; one wins, the others learn that the
    // report changed under them.
    let mut tasks = JoinSet::new();
    for _ in 0..10 {
        let (app, staff, id) = (app.clone(), staff.clone(), id.clone());
        tasks.spawn(async move {
            app.transition(
                &staff,
                &id,
                &json!({"to": "in_progress", "public_comment": "Wir übernehmen."}),
            )
            .await
        });
    }
    let mut ok = 0;
    while let Some(reply) = tasks.join_next().await {
        let reply = reply.expect("task");
        match reply.status.as_u16() {
            200 => ok += 1,
            409 => {
                let code = reply.json()["code"].clone();
                assert!(code == "conflict" || code == "illegal_transition", "{}", reply.text());
            }
            other => panic!("unexpected {other}: {}", reply.text()),
        }
    }
    assert_eq!(ok, 1, "one transition applies");
    let detail = app.detail(&staff, &id).await;
    let steps = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"]["type"] == "status_changed" && e["action"]["to"] == "in_progress")
        .count();
    assert_eq!(steps, 1, "audited once: {}", detail["audit"]);
    let history = app.citizen_view(&device, &id).await["history"].clone();
    let seen = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["to"] == "in_progress")
        .count();
    assert_eq!(seen, 1, "the citizen hears of it once: {history}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_message_posted_20_times_in_parallel_is_stored_once() {
    let app = std::sync::Arc::new(spawn_app().await);
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let Submitted { device, id, .. } = app.submitted_pothole().await;

    let message = json!({"id": uuid::Uuid::new_v4(), "body": "Ist das Loch noch da?"});
    let mut tasks = JoinSet::new();
    for _ in 0..RETRIES {
        let (app, message, id) = (app.clone(), message.clone(), id.clone());
        let token = staff.token.clone();
        tasks.spawn(async move {
            app.post(&format!("/api/v1/staff/reports/{id}/messages"), Some(&token), &message)
                .await
        });
    }
    let mut created = 0;
    while let Some(reply) = tasks.join_next().await {
        let reply = reply.expect("task");
        match reply.status.as_u16() {
            201 => created += 1,
            200 => {}
            other => panic!("unexpected {other}: {}", reply.text()),
        }
        assert_eq!(reply.json()["id"], message["id"]);
    }
    assert_eq!(created, 1);
    assert_eq!(
        app.detail(&staff, &id).await["messages"].as_array().map(Vec::len),
        Some(1)
    );
    let feed = app.get("/api/v1/sync", Some(&device.token)).await.expect(200);
    let in_feed = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "message")
        .count();
    assert_eq!(in_feed, 1, "{feed}");
}
