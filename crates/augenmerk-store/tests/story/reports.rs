//! Reports: idempotent intake (also under concurrency and next to failing writes),
//! tenancy, optimistic updates with their audit and status history, messages, internal
//! notes, the device feed, and follows.

use std::sync::Arc;

use augenmerk_domain::api::ReportQuery;
use augenmerk_domain::public::{ChangeKind, MessageAuthor, PublicMessage};
use augenmerk_domain::report::{Answer, Channel, Email, Report};
use augenmerk_domain::staff::{InternalNote, StaffMessage};
use augenmerk_domain::{DeviceId, MessageId, NoteId, QuestionId, ReportId, Status, UserId};
use augenmerk_store::{Inserted, Store, StoreError};

use crate::common::{ags, both, intake, report_in as report, t};
use crate::fixtures::{device, is_not_found, municipality, transition};

async fn reports_tenancy_updates_messages_notes_and_the_feed(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let a = municipality(store, "01001000").await;
    let b = municipality(store, "01002000").await;
    let dev = device(store).await;

    let mut r = report(&a, Some(dev), "schlagloch", 0);
    r.answers
        .insert(QuestionId::parse("tiefe").unwrap(), Answer::Integer(12));
    r.contact_email = Some(Email::parse("buerger@example.org").unwrap());
    r.due_at = Some(t(24 * 60));
    assert_eq!(
        store.insert_report(intake(&r)).await.unwrap(),
        Inserted::Created(r.clone())
    );
    // A retry with other content changes nothing and writes no second audit or event.
    let mut retry = r.clone();
    retry.description = "anders".into();
    assert_eq!(
        store.insert_report(intake(&retry)).await.unwrap(),
        Inserted::Existing(r.clone())
    );
    assert_eq!(store.list_audit(&r.municipality, &r.id).await.unwrap().len(), 1);

    // Tenancy: the report exists for A, its device and by id, never for B.
    assert_eq!(store.get_report(&a, &r.id).await.unwrap(), r);
    assert!(is_not_found(store.get_report(&b, &r.id).await));
    assert_eq!(store.get_device_report(&dev, &r.id).await.unwrap(), r);
    assert!(is_not_found(
        store.get_device_report(&DeviceId::new_random(), &r.id).await
    ));
    assert_eq!(store.get_report_any(&r.id).await.unwrap(), r);
    assert!(is_not_found(store.get_report_any(&ReportId::new_random()).await));

    // Optimistic concurrency: the second writer of the same version loses.
    let assigned = transition(&r, Status::Assigned, 10, "Ist beim Bauhof");
    store.update_report(assigned.clone(), r.updated_at).await.unwrap();
    let stale = transition(&r, Status::Rejected, 11, "nope");
    assert!(matches!(
        store.update_report(stale, r.updated_at).await,
        Err(StoreError::Conflict)
    ));
    let mut foreign = transition(&assigned.report, Status::InProgress, 12, "x");
    foreign.report.municipality = b.clone();
    assert!(is_not_found(
        store.update_report(foreign, assigned.report.updated_at).await
    ));
    let mut ghost = transition(&r, Status::Assigned, 12, "x");
    ghost.report.id = ReportId::new_random();
    assert!(is_not_found(store.update_report(ghost, r.updated_at).await));
    assert_eq!(store.get_report(&a, &r.id).await.unwrap(), assigned.report);
    let audit = store.list_audit(&r.municipality, &r.id).await.unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[1], assigned.audit[0]);
    let history = store.list_status_changes(&r.municipality, &r.id).await.unwrap();
    assert_eq!(
        history.iter().map(|c| c.to).collect::<Vec<_>>(),
        [Status::Received, Status::Assigned]
    );
    assert_eq!(history[1].comment.as_deref(), Some("Ist beim Bauhof"));

    // Messages: idempotent by id, and they reach the device without staff names.
    let msg = StaffMessage {
        id: MessageId::new_random(),
        report_id: r.id,
        author: MessageAuthor::Municipality,
        staff_author: Some(UserId::new_random()),
        staff_author_name: Some("Frau Petersen".into()),
        body: "Danke, wir kümmern uns.".into(),
        created_at: t(20),
    };
    assert_eq!(
        store.add_message(&r.municipality, msg.clone(), vec![]).await.unwrap(),
        Inserted::Created(msg.clone())
    );
    let again = StaffMessage {
        body: "doppelt".into(),
        ..msg.clone()
    };
    assert_eq!(
        store.add_message(&r.municipality, again, vec![]).await.unwrap(),
        Inserted::Existing(msg.clone())
    );
    let reply = StaffMessage {
        id: MessageId::new_random(),
        author: MessageAuthor::Citizen,
        staff_author: None,
        staff_author_name: None,
        body: "Gern!".into(),
        created_at: t(30),
        ..msg.clone()
    };
    store.add_message(&r.municipality, reply.clone(), vec![]).await.unwrap();
    assert_eq!(
        store.list_messages(&r.municipality, &r.id).await.unwrap(),
        vec![msg.clone(), reply.clone()]
    );
    let orphan = StaffMessage {
        id: MessageId::new_random(),
        report_id: ReportId::new_random(),
        ..msg.clone()
    };
    assert!(is_not_found(store.add_message(&r.municipality, orphan, vec![]).await));

    // Notes: idempotent by id, staff only.
    let note = InternalNote {
        id: NoteId::new_random(),
        report_id: r.id,
        author: UserId::new_random(),
        author_name: "Herr Hansen".into(),
        body: "GEHEIM: Anwohner ruft täglich an".into(),
        created_at: t(25),
    };
    assert_eq!(
        store.add_note(&r.municipality, note.clone()).await.unwrap(),
        Inserted::Created(note.clone())
    );
    assert_eq!(
        store.add_note(&r.municipality, note.clone()).await.unwrap(),
        Inserted::Existing(note.clone())
    );
    assert_eq!(
        store.list_notes(&r.municipality, &r.id).await.unwrap(),
        vec![note.clone()]
    );

    // Another municipality sees none of it and cannot write to it, not even a replay.
    assert!(store.list_audit(&b, &r.id).await.unwrap().is_empty());
    assert!(store.list_status_changes(&b, &r.id).await.unwrap().is_empty());
    assert!(store.list_messages(&b, &r.id).await.unwrap().is_empty());
    assert!(store.list_notes(&b, &r.id).await.unwrap().is_empty());
    assert!(is_not_found(store.add_message(&b, msg.clone(), vec![]).await));
    assert!(is_not_found(store.add_note(&b, note.clone()).await));
    let fresh_note = InternalNote {
        id: NoteId::new_random(),
        ..note.clone()
    };
    assert!(is_not_found(store.add_note(&b, fresh_note).await));

    // The feed: ascending seqs after the cursor, bounded by the limit.
    let feed = store.device_changes(&dev, 0, 100).await.unwrap();
    assert_eq!(feed.len(), 4, "{feed:#?}");
    assert!(feed.windows(2).all(|w| w[0].seq < w[1].seq));
    assert!(feed.iter().all(|c| c.report_id == r.id));
    match &feed[2].change {
        ChangeKind::Message { message } => assert_eq!(
            message,
            &PublicMessage {
                id: msg.id,
                report_id: r.id,
                author: msg.author,
                body: msg.body.clone(),
                created_at: msg.created_at
            }
        ),
        other => panic!("expected the message, got {other:?}"),
    }
    let json = serde_json::to_string(&feed).unwrap();
    assert!(
        !json.contains("GEHEIM") && !json.contains("Petersen"),
        "no notes and no staff names: {json}"
    );
    let first_two = store.device_changes(&dev, 0, 2).await.unwrap();
    assert_eq!(first_two, feed[..2]);
    let rest = store.device_changes(&dev, first_two[1].seq, 100).await.unwrap();
    assert_eq!(rest, feed[2..]);
    assert!(store.device_changes(&dev, feed[3].seq, 100).await.unwrap().is_empty());
    assert!(
        store
            .device_changes(&DeviceId::new_random(), 0, 100)
            .await
            .unwrap()
            .is_empty()
    );

    // A report without a device keeps its public history, and feeds nobody.
    let phoned_in = Report {
        channel: Channel::Staff,
        ..report(&a, None, "muell", 40)
    };
    store.insert_report(intake(&phoned_in)).await.unwrap();
    assert_eq!(
        store
            .list_status_changes(&phoned_in.municipality, &phoned_in.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(store.device_changes(&dev, feed[3].seq, 100).await.unwrap(), vec![]);
}

async fn insert_is_idempotent_under_concurrency(shared: &Arc<dyn Store>) {
    let store = Arc::clone(shared);
    let a = municipality(store.as_ref(), "01001000").await;
    let dev = device(store.as_ref()).await;
    let r = report(&a, Some(dev), "schlagloch", 0);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (store, write) = (Arc::clone(shared), intake(&r));
            tokio::spawn(async move { store.insert_report(write).await })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap().unwrap() {
            Inserted::Created(stored) => {
                created += 1;
                assert_eq!(stored, r);
            }
            Inserted::Existing(stored) => assert_eq!(stored, r),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(
        store
            .query_reports(&a, &ReportQuery::default(), None, t(0))
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(store.list_audit(&r.municipality, &r.id).await.unwrap().len(), 1);
    assert_eq!(store.device_changes(&dev, 0, 100).await.unwrap().len(), 1);
}

async fn a_failing_write_does_not_spoil_its_batch(shared: &Arc<dyn Store>) {
    let store = Arc::clone(shared);
    let a = municipality(store.as_ref(), "01001000").await;
    // Reports of an unknown municipality violate a foreign key; queued together with good
    // ones they fail alone.
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let target = if i % 2 == 0 { a.clone() } else { ags("09999999") };
            let (store, write) = (Arc::clone(shared), intake(&report(&target, None, "muell", i)));
            tokio::spawn(async move { store.insert_report(write).await })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(Inserted::Created(_)) => ok += 1,
            Ok(Inserted::Existing(_)) => panic!("ids are fresh"),
            Err(StoreError::Database(_)) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(ok, 20);
    assert_eq!(
        store
            .query_reports(&a, &ReportQuery::default(), None, t(0))
            .await
            .unwrap()
            .total,
        20
    );
}

async fn follows_are_bounded_and_a_device_lists_only_its_own_reports(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    use augenmerk_store::Followed;
    let a = municipality(store, "01001000").await;
    let (reporter, follower) = (device(store).await, device(store).await);
    let mut ids = Vec::new();
    for i in 0..3 {
        let r = report(&a, Some(reporter), "schlagloch", i);
        store.insert_report(intake(&r)).await.unwrap();
        ids.push(r.id);
    }
    assert_eq!(
        store.follow_report(&follower, &ids[0], t(0), 2).await.unwrap(),
        Followed::Created
    );
    assert_eq!(
        store.follow_report(&follower, &ids[0], t(0), 2).await.unwrap(),
        Followed::Already
    );
    assert_eq!(
        store.follow_report(&follower, &ids[1], t(0), 2).await.unwrap(),
        Followed::Created
    );
    assert_eq!(
        store.follow_report(&follower, &ids[2], t(0), 2).await.unwrap(),
        Followed::LimitReached
    );
    assert_eq!(
        store.follow_report(&follower, &ids[0], t(0), 2).await.unwrap(),
        Followed::Already
    );
    assert!(store.device_reports(&follower).await.unwrap().is_empty());
    let own: Vec<ReportId> = store
        .device_reports(&reporter)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(own, vec![ids[2], ids[1], ids[0]], "the most recently changed first");
}

both!(
    reports_tenancy_updates_messages_notes_and_the_feed,
    insert_is_idempotent_under_concurrency,
    a_failing_write_does_not_spoil_its_batch,
    follows_are_bounded_and_a_device_lists_only_its_own_reports,
);
