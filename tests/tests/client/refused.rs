//! A report queued offline that the server refuses when it finally arrives (here: its
//! category was withdrawn meanwhile) stays on the device; the citizen reopens it, corrects
//! it and sends it again, or gives it up. Nothing is lost and nothing arrives twice.

use augenmerk_client::{Client, ClientError, ClientOptions, SyncOptions, SyncState};
use augenmerk_domain::CategoryId;
use serde_json::Value;

use crate::support::{jpeg, pothole_draft};
use augenmerk_tests::{Server, Staff, models_dir};

fn client(data: &std::path::Path, server: &str) -> Client {
    let mut options = ClientOptions::new(data, Some(server.to_owned()));
    options.models_dir = Some(models_dir());
    Client::open(options).expect("open client")
}

/// Switches a category off for new reports, as an admin does in the console.
async fn withdraw(admin: &Staff, category: &str) {
    let mut tree = admin.get("/api/v1/staff/config/categories").await;
    fn switch_off(cats: &mut Value, id: &str) -> bool {
        let Some(list) = cats.as_array_mut() else { return false };
        for c in list {
            if c["id"] == id {
                c["active"] = Value::Bool(false);
                return true;
            }
            if c.get_mut("subcategories").is_some_and(|subs| switch_off(subs, id)) {
                return true;
            }
        }
        false
    }
    assert!(
        switch_off(&mut tree["categories"], category),
        "{category} is in the tree"
    );
    admin.put("/api/v1/staff/config/categories", tree).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_report_is_corrected_and_sent_again_or_given_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::client(&dir.path().join("server"));
    let device = client(&dir.path().join("device"), &server.url);
    device.sync(&SyncOptions::default()).await.expect("configuration");

    // Two reports written while the cached configuration still offered potholes.
    let photo = device.capture_photo(&jpeg(1200, 900, 7), &[]).expect("photo");
    let mut draft = pothole_draft(1, vec![photo.hash.clone()]);
    draft.address_hint = Some("vor Hausnummer 12".into());
    draft.contact_email = Some("buerger@example.org".into());
    let first = device.create_report(draft.clone()).expect("queued");
    let second = device.create_report(pothole_draft(2, vec![])).expect("queued");

    let admin = Staff::login(&server.url, "admin").await;
    withdraw(&admin, "schlagloch").await;
    let summary = device.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(summary.reports_rejected, 2, "{summary:?}");
    let refused = device.report(&first).expect("kept on the device");
    assert_eq!(refused.report.sync_state, SyncState::Rejected);
    assert_eq!(
        refused.report.category_name.as_deref(),
        Some("Schlagloch / Fahrbahnschaden"),
        "the withdrawn category keeps the name it had"
    );
    assert!(
        refused.questions.iter().any(|q| q.id.as_str() == "gefahr_akut"),
        "and its questions, which label the answers: {:?}",
        refused.questions
    );
    assert!(
        refused
            .report
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("unknown_category"),
        "the reason is kept: {:?}",
        refused.report.last_error
    );

    // Only refused reports can be reopened or discarded.
    let gehweg = CategoryId::parse("gehweg").expect("category");
    let pavement = |n| {
        let mut d = pothole_draft(n, vec![]);
        d.category = gehweg.clone();
        d
    };
    let queued = device.create_report(pavement(3)).expect("queued");
    assert!(matches!(device.reopen_report(&queued), Err(ClientError::Invalid(_))));
    assert!(matches!(device.discard_report(&queued), Err(ClientError::Invalid(_))));
    assert!(matches!(
        device.replace_report(&queued, pavement(4)),
        Err(ClientError::Invalid(_))
    ));
    assert_eq!(
        device.report(&queued).expect("untouched").report.sync_state,
        SyncState::Queued
    );

    // Reopened: everything the citizen wrote, and the photo with its size and boxes.
    let reopened = device.reopen_report(&first).expect("reopen");
    assert_eq!(reopened.id, first);
    assert_eq!(reopened.draft.description, draft.description);
    assert_eq!(reopened.draft.answers, draft.answers);
    assert_eq!(reopened.draft.location, draft.location);
    assert_eq!(reopened.draft.address_hint, draft.address_hint);
    assert_eq!(reopened.draft.contact_email, draft.contact_email);
    assert!(reopened.draft.consent);
    assert_eq!(reopened.draft.photos, vec![photo.hash.clone()]);
    let shown = &reopened.photos[0];
    assert_eq!((shown.width, shown.height), photo.dimensions);
    assert_eq!((shown.source_width, shown.source_height), photo.source_dimensions);
    assert_eq!(shown.blurred.len(), photo.blurred.len());

    // Corrected (another category) and sent: the refused one is gone, the photo goes along.
    let mut corrected = reopened.draft.clone();
    corrected.category = gehweg.clone();
    let replacement = device.replace_report(&first, corrected).expect("replaced");
    assert!(matches!(device.report(&first), Err(ClientError::NotFound(_))));
    assert!(
        matches!(
            device.replace_report(&first, pavement(6)),
            Err(ClientError::NotFound(_))
        ),
        "a report is replaced once"
    );
    let summary = device.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!((summary.reports_sent, summary.reports_rejected), (2, 0), "{summary:?}");
    let sent = device.report(&replacement).expect("the replacement");
    assert_eq!(sent.report.sync_state, SyncState::Sent);
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    let mut arrived = dispatcher.all_report_ids().await;
    arrived.sort();
    let mut expected = vec![replacement.to_string(), queued.to_string()];
    expected.sort();
    assert_eq!(
        arrived, expected,
        "the replacement arrived once, the refused ones never"
    );
    let on_server = dispatcher.get(&format!("/api/v1/staff/reports/{replacement}")).await;
    assert_eq!(on_server["report"]["category"], "gehweg");
    assert_eq!(on_server["report"]["photos"][0], photo.hash.as_str(), "{on_server}");

    // Given up: gone from the device, and so is a photo nothing else uses.
    let lonely = device.capture_photo(&jpeg(800, 600, 11), &[]).expect("photo");
    let mut with_photo = pothole_draft(5, vec![lonely.hash.clone()]);
    with_photo.category = CategoryId::parse("radweg").expect("category");
    let doomed = device.create_report(with_photo).expect("queued");
    withdraw(&admin, "radweg").await;
    device.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(
        device.report(&doomed).expect("refused").report.sync_state,
        SyncState::Rejected
    );
    assert!(
        matches!(device.discard_report(&queued), Err(ClientError::Invalid(_))),
        "a sent report is not discarded"
    );
    for id in [&second, &doomed] {
        device.discard_report(id).expect("discard");
    }
    let mut left: Vec<_> = device.reports().expect("list").into_iter().map(|r| r.id).collect();
    left.sort();
    let mut kept = vec![replacement, queued];
    kept.sort();
    assert_eq!(left, kept);
    let stored = |hash: &str| files_named(&dir.path().join("device"), &format!("{hash}.jpg"));
    assert_eq!(
        stored(lonely.hash.as_str()),
        0,
        "the given-up report's photo is forgotten"
    );
    assert_eq!(stored(photo.hash.as_str()), 1, "the sent report's photo is kept");
    assert!(matches!(device.discard_report(&doomed), Err(ClientError::NotFound(_))));
}

fn files_named(dir: &std::path::Path, name: &str) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let path = e.path();
                    if path.is_dir() {
                        files_named(&path, name)
                    } else {
                        usize::from(e.file_name() == name)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
