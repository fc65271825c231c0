//! Privacy by law in the store: erasing a report's contact and content (and that it
//! happens once), photos orphaned only when nothing refers to them, withdrawal with its
//! tombstone, which reports retention finds, and that erased text is gone from the
//! database files themselves.

#![allow(clippy::unwrap_used)]

mod common;

use chrono::{Duration, Utc};
use serde_json::json;
use std::sync::Arc;

use augenmerk_domain::audit::{Actor, AuditAction};
use augenmerk_domain::privacy::{ErasureReason, ErasureScope};
use augenmerk_domain::public::MessageAuthor;
use augenmerk_domain::report::{Answer, Answers};
use augenmerk_domain::staff::{InternalNote, StaffMessage};
use augenmerk_domain::{Ags, DeviceId, Language, MessageId, NoteId, QuestionId, ReportId, Status, UserId};
use augenmerk_store::{
    Erasure, ErasureTarget, JobKind, JobOutcome, JobState, MailedReport, NewJob, NewSubscription, PrivacyStore,
    ReportWrite, Store, StoreError, Uploader,
};
use common::*;

fn erasure(scope: ErasureScope, reason: ErasureReason, actor: Actor, at: i64) -> Erasure {
    Erasure {
        scope,
        reason,
        actor,
        reference: None,
        at: t(at),
    }
}

fn target(id: ReportId) -> ErasureTarget {
    ErasureTarget {
        id,
        answers: Answers::new(),
    }
}

fn mail_job(ags: &Ags, report: &ReportId, key: &str, body: &str) -> NewJob {
    NewJob {
        kind: JobKind::Mail,
        municipality: ags.clone(),
        report: Some(*report),
        dedupe_key: key.into(),
        tag: Some("receipt".into()),
        recipient: Some("anna@example.org".into()),
        payload: json!({ "subject": "Ihre Meldung", "body": body }),
        run_at: Utc::now() - Duration::seconds(1),
    }
}

fn message(report: &ReportId, author: MessageAuthor, body: &str, at: i64) -> StaffMessage {
    StaffMessage {
        id: MessageId::new_random(),
        report_id: *report,
        author,
        staff_author: None,
        staff_author_name: None,
        body: body.into(),
        created_at: t(at),
    }
}

fn note(report: &ReportId, body: &str, at: i64) -> InternalNote {
    InternalNote {
        id: NoteId::new_random(),
        report_id: *report,
        author: UserId::new_random(),
        author_name: "Herr Jensen".into(),
        body: body.into(),
        created_at: t(at),
    }
}

/// A closed report with everything personal a report can carry: address and mail
/// subscription, free text and a text answer, a photo, mails (one sent, one queued),
/// messages both ways, an internal note and a follower. Returns it and its device.
async fn full_report(store: &dyn Store, a: &Ags, text: &str) -> (augenmerk_domain::report::Report, DeviceId) {
    let (dev, _) = device(store).await;
    let photo = blob(store, 1).await;
    store
        .record_upload(&photo, &Uploader::Device(dev), 1000, t(0))
        .await
        .unwrap();
    let mut r = report(a, Some(dev), 0);
    r.description = text.into();
    r.contact_email = Some(email("Anna@Example.org"));
    r.photos = vec![photo];
    r.consent_version = Some(3);
    r.answers = Answers::from([
        (QuestionId::parse("tiefe").unwrap(), Answer::Integer(5)),
        (
            QuestionId::parse("notiz").unwrap(),
            Answer::Text(format!("{text} (Notiz)")),
        ),
    ]);
    let mut write = intake(&r);
    write.subscription = Some(NewSubscription {
        email: "anna@example.org".into(),
        language: Language::De,
        token: "status-secret".into(),
    });
    write.jobs = vec![mail_job(a, &r.id, "receipt", text)];
    store.insert_report(write).await.unwrap();
    // The receipt went out; a second mail is still queued when the erasure comes.
    let now = Utc::now();
    let sent = store.claim_jobs(now, now + Duration::minutes(1), 10).await.unwrap();
    store.finish_job(sent[0].id, JobOutcome::Done, now).await.unwrap();
    let mut later = mail_job(a, &r.id, "status", text);
    later.run_at = now + Duration::days(1);
    store.enqueue_jobs(vec![later]).await.unwrap();
    store
        .add_message(
            &r.municipality,
            message(&r.id, MessageAuthor::Citizen, &format!("{text} (Frage)"), 5),
            vec![],
        )
        .await
        .unwrap();
    store
        .add_message(
            &r.municipality,
            message(&r.id, MessageAuthor::Municipality, "Wir kümmern uns", 6),
            vec![],
        )
        .await
        .unwrap();
    store
        .add_note(&r.municipality, note(&r.id, &format!("{text} (intern)"), 7))
        .await
        .unwrap();
    let (follower, _) = device(store).await;
    store.follow_report(&follower, &r.id, t(8), 10).await.unwrap();
    let closed = move_to(store, &r, Status::Closed, 60).await;
    (closed, dev)
}

async fn contact_then_content_are_erased_once_and_the_skeleton_stays(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let a = municipality(store, "01001000").await;
    let b = municipality(store, "01002000").await;
    let (r, dev) = full_report(store, &a, "Vor dem Haus von Familie Meier").await;
    assert_eq!(store.get_report(&a, &r.id).await.unwrap().consent_version, Some(3));
    let found = store.reports_by_email(None, &email("anna@EXAMPLE.org")).await.unwrap();
    assert_eq!(
        found.iter().map(|(g, c)| (g, c.id)).collect::<Vec<_>>(),
        vec![(&a, r.id)]
    );
    assert!(
        store
            .reports_by_email(Some(&b), &email("anna@example.org"))
            .await
            .unwrap()
            .is_empty()
    );

    // Another municipality cannot erase it.
    let contact = erasure(ErasureScope::Contact, ErasureReason::Retention, Actor::System, 1000);
    let none = store
        .erase_reports(&b, vec![target(r.id)], contact.clone())
        .await
        .unwrap();
    assert_eq!(none.reports, 0);

    let done = store
        .erase_reports(&a, vec![target(r.id)], contact.clone())
        .await
        .unwrap();
    assert_eq!((done.reports, done.orphaned_photos.len()), (1, 0));
    let after = store.get_report(&a, &r.id).await.unwrap();
    assert_eq!(after.contact_email, None);
    assert_eq!(after.description, r.description, "contact scope keeps the content");
    let sub = store.subscription(&r.id).await.unwrap().unwrap();
    assert_eq!((sub.email.as_str(), sub.unsubscribed_at), ("", Some(t(1000))));
    assert_eq!(store.subscription_by_token("status-secret").await.unwrap().report, r.id);
    let jobs = store.report_jobs(&a, &r.id).await.unwrap();
    assert_eq!(jobs.len(), 1, "the queued mail is dropped");
    assert_eq!((jobs[0].state, jobs[0].recipient.as_deref()), (JobState::Done, None));
    assert_eq!(jobs[0].payload, json!({ "erased": true }));
    assert!(
        store
            .reports_by_email(None, &email("anna@example.org"))
            .await
            .unwrap()
            .is_empty()
    );
    // Running again changes nothing.
    let again = store.erase_reports(&a, vec![target(r.id)], contact).await.unwrap();
    assert_eq!(again.reports, 0);

    let keep = Answers::from([(QuestionId::parse("tiefe").unwrap(), Answer::Integer(5))]);
    let content = Erasure {
        reference: Some("Az. 12-3".into()),
        ..erasure(
            ErasureScope::Content,
            ErasureReason::StaffRequest,
            staff_actor("Frau Datenschutz"),
            2000,
        )
    };
    let targets = vec![ErasureTarget {
        id: r.id,
        answers: keep.clone(),
    }];
    let done = store.erase_reports(&a, targets.clone(), content.clone()).await.unwrap();
    assert_eq!(done.reports, 1);
    assert_eq!(done.orphaned_photos, vec![hash(1)]);
    let after = store.get_report(&a, &r.id).await.unwrap();
    assert_eq!((after.description.as_str(), &after.answers), ("", &keep));
    assert!(after.photos.is_empty() && after.device_id.is_none());
    // The skeleton: category, place, status, department, dates, status history.
    assert_eq!(
        (
            &after.category,
            after.location,
            after.status,
            &after.department,
            after.received_at
        ),
        (&r.category, r.location, Status::Closed, &r.department, r.received_at)
    );
    assert_eq!(after.address_hint, r.address_hint);
    assert_eq!(after.updated_at, r.updated_at, "no public change");
    assert_eq!(
        store.list_status_changes(&r.municipality, &r.id).await.unwrap().len(),
        2
    );
    assert!(store.list_messages(&r.municipality, &r.id).await.unwrap().is_empty());
    assert!(store.list_notes(&r.municipality, &r.id).await.unwrap().is_empty());
    assert!(store.device_reports(&dev).await.unwrap().is_empty());
    let feed = store.device_changes(&dev, 0, 100).await.unwrap();
    assert!(feed.is_empty(), "the device's feed lost the report: {feed:?}");
    // The caller deletes the orphaned file, then the store forgets it with its upload record.
    assert_eq!(store.forget_blobs(&[hash(1)]).await.unwrap(), vec![hash(1)]);
    assert!(!store.blob_visible_to(&hash(1), Some(&dev), Some(&a)).await.unwrap());
    // Nothing of it comes back with a write of a copy read before the erasure.
    let mut stale = r.clone();
    stale.priority = augenmerk_domain::Priority::High;
    store
        .update_report(ReportWrite::new(stale, vec![], vec![]), r.updated_at)
        .await
        .unwrap();
    let after = store.get_report(&a, &r.id).await.unwrap();
    assert_eq!((after.description.as_str(), after.contact_email.as_ref()), ("", None));
    assert!(after.photos.is_empty());
    assert!(
        store
            .erase_reports(&a, targets.clone(), content.clone())
            .await
            .unwrap()
            .reports
            == 0
    );
    let contact_late = erasure(ErasureScope::Contact, ErasureReason::Retention, Actor::System, 3000);
    assert_eq!(store.erase_reports(&a, targets, contact_late).await.unwrap().reports, 0);

    let removals: Vec<_> = store
        .list_audit(&r.municipality, &r.id)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.action {
            AuditAction::PersonalDataRemoved { reason, scope } => Some((reason, scope, e.public_comment)),
            _ => None,
        })
        .collect();
    assert_eq!(
        removals,
        vec![
            (ErasureReason::Retention, ErasureScope::Contact, None),
            (ErasureReason::StaffRequest, ErasureScope::Content, None)
        ]
    );
    let log = store.erasure_log(&a, 10).await.unwrap();
    let lines: Vec<_> = log
        .iter()
        .map(|l| {
            (
                l.reason,
                l.scope,
                l.staff_name.as_deref(),
                l.reference.as_deref(),
                l.reports,
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (
                ErasureReason::StaffRequest,
                ErasureScope::Content,
                Some("Frau Datenschutz"),
                Some("Az. 12-3"),
                1
            ),
            (ErasureReason::Retention, ErasureScope::Contact, None, None, 1),
        ]
    );
    assert!(store.erasure_log(&b, 10).await.unwrap().is_empty());
}

async fn a_shared_photo_is_orphaned_only_when_nothing_refers_to_it(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let a = municipality(store, "01001000").await;
    let (dev, _) = device(store).await;
    for n in [7, 8, 9] {
        blob(store, n).await;
    }
    // Photo 8 was uploaded by staff as well; photo 9 is also in a mailed report.
    store
        .record_upload(&hash(8), &Uploader::Municipality(a.clone()), 1000, t(0))
        .await
        .unwrap();
    let mut first = report(&a, Some(dev), 0);
    first.photos = vec![hash(7), hash(8)];
    let mut second = report(&a, Some(dev), 1);
    second.photos = vec![hash(7), hash(9)];
    let mut mailed = report(&ags("01003000"), Some(dev), 2);
    mailed.photos = vec![hash(9)];
    store
        .insert_mailed(
            MailedReport {
                report: mailed,
                administration: ags("01003000"),
                mailed_to: "Amt Nord".into(),
                created_at: t(2),
            },
            vec![],
        )
        .await
        .unwrap();
    for r in [&first, &second] {
        store.insert_report(intake(r)).await.unwrap();
    }
    let content = erasure(
        ErasureScope::Content,
        ErasureReason::CitizenRequest,
        Actor::Citizen { device: Some(dev) },
        100,
    );
    let done = store
        .erase_reports(&a, vec![target(first.id)], content.clone())
        .await
        .unwrap();
    assert_eq!((done.reports, done.orphaned_photos), (1, vec![]));
    let done = store.erase_reports(&a, vec![target(second.id)], content).await.unwrap();
    assert_eq!(done.orphaned_photos, vec![hash(7)]);
    let mailed = store.erase_mailed(Some(&dev), None).await.unwrap();
    assert_eq!((mailed.reports, mailed.orphaned_photos), (1, vec![hash(9)]));
    assert!(store.device_mailed(&dev).await.unwrap().is_empty());
}

async fn a_withdrawn_report_is_gone_and_its_id_refused(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let a = municipality(store, "01001000").await;
    let b = municipality(store, "01002000").await;
    let (dev, _) = device(store).await;
    let photo = blob(store, 3).await;
    let mut r = report(&a, Some(dev), 0);
    r.photos = vec![photo.clone()];
    r.contact_email = Some(email("anna@example.org"));
    let mut write = intake(&r);
    write.subscription = Some(NewSubscription {
        email: "anna@example.org".into(),
        language: Language::De,
        token: "secret".into(),
    });
    write.jobs = vec![mail_job(&a, &r.id, "receipt", "Loch")];
    store.insert_report(write).await.unwrap();
    store
        .add_message(
            &r.municipality,
            message(&r.id, MessageAuthor::Citizen, "Noch da", 3),
            vec![],
        )
        .await
        .unwrap();
    let citizen = Actor::Citizen { device: Some(dev) };

    let missing = store
        .withdraw_report(&a, &ReportId::new_random(), citizen.clone(), t(10))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
    let foreign = store.withdraw_report(&b, &r.id, citizen.clone(), t(10)).await;
    assert!(matches!(foreign, Err(StoreError::NotFound)));

    let done = store.withdraw_report(&a, &r.id, citizen.clone(), t(10)).await.unwrap();
    assert_eq!((done.reports, done.orphaned_photos), (1, vec![photo]));
    assert!(matches!(store.get_report(&a, &r.id).await, Err(StoreError::NotFound)));
    assert!(store.list_audit(&r.municipality, &r.id).await.unwrap().is_empty());
    assert!(store.subscription(&r.id).await.unwrap().is_none());
    assert!(store.report_jobs(&a, &r.id).await.unwrap().is_empty());
    assert!(store.device_changes(&dev, 0, 100).await.unwrap().is_empty());
    let again = store.insert_report(intake(&r)).await;
    assert!(matches!(again, Err(StoreError::Withdrawn)), "{again:?}");
    let log = store.erasure_log(&a, 10).await.unwrap();
    assert_eq!(
        log.iter()
            .map(|l| (l.reason, l.scope, l.reports, l.at))
            .collect::<Vec<_>>(),
        vec![(ErasureReason::Withdrawal, ErasureScope::Content, 1, t(10))]
    );

    // Once someone handles it, it can no longer be withdrawn.
    let handled = report(&a, Some(dev), 20);
    store.insert_report(intake(&handled)).await.unwrap();
    move_to(store, &handled, Status::InProgress, 30).await;
    let late = store.withdraw_report(&a, &handled.id, citizen, t(40)).await;
    assert!(matches!(late, Err(StoreError::Conflict)));
    assert!(store.get_report(&a, &handled.id).await.is_ok());
}

async fn retention_finds_closed_reports_by_scope_and_cutoff(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let a = municipality(store, "01001000").await;
    let b = municipality(store, "01002000").await;
    let early = closed_report(store, report(&a, None, 0), 100).await;
    let late = closed_report(store, report(&a, None, 1), 200).await;
    closed_report(store, report(&b, None, 2), 50).await;
    let open = report(&a, None, 3);
    store.insert_report(intake(&open)).await.unwrap();
    move_to(store, &open, Status::Resolved, 10).await;

    let due = |scope, before, limit| {
        let (store, a) = (store, &a);
        async move { store.retention_due(a, scope, t(before), limit).await.unwrap() }
    };
    assert_eq!(due(ErasureScope::Contact, 100, 10).await, vec![]);
    assert_eq!(due(ErasureScope::Contact, 150, 10).await, vec![early.id]);
    assert_eq!(due(ErasureScope::Contact, 300, 10).await, vec![early.id, late.id]);
    assert_eq!(due(ErasureScope::Content, 300, 1).await, vec![early.id]);

    let contact = erasure(ErasureScope::Contact, ErasureReason::Retention, Actor::System, 400);
    store.erase_reports(&a, vec![target(early.id)], contact).await.unwrap();
    assert_eq!(due(ErasureScope::Contact, 300, 10).await, vec![late.id]);
    assert_eq!(due(ErasureScope::Content, 300, 10).await, vec![early.id, late.id]);
    let content = erasure(ErasureScope::Content, ErasureReason::Retention, Actor::System, 500);
    store.erase_reports(&a, vec![target(late.id)], content).await.unwrap();
    assert_eq!(due(ErasureScope::Contact, 300, 10).await, vec![]);
    assert_eq!(due(ErasureScope::Content, 300, 10).await, vec![early.id]);
}

/// The database file and its WAL hold the erased text no more after a scrub.
#[tokio::test]
async fn erased_text_is_gone_from_the_database_files() {
    let (dir, store) = fresh();
    let a = municipality(&store, "01001000").await;
    let marker = "Zeugin-Mariechen-Quast-7f3a";
    let (r, _) = full_report(&store, &a, marker).await;
    let path = dir.path().join("augenmerk.sqlite");
    let wal = dir.path().join("augenmerk.sqlite-wal");
    let holds = |needle: &str| {
        [&path, &wal].iter().any(|p| {
            let bytes = std::fs::read(p).unwrap_or_default();
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        })
    };
    assert!(holds(marker), "the test would prove nothing");
    assert!(holds("anna@example.org"));

    let content = erasure(
        ErasureScope::Content,
        ErasureReason::CitizenRequest,
        Actor::System,
        1000,
    );
    let done = store.erase_reports(&a, vec![target(r.id)], content).await.unwrap();
    assert_eq!(done.reports, 1);
    store.scrub().await.unwrap();
    assert!(!holds(marker), "erased text is still in the files");
    assert!(!holds("anna@example.org"), "the erased address is still in the files");
    assert!(!holds("Anna@Example.org"));
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
    // The store goes on working after the WAL was emptied.
    assert_eq!(store.get_report(&a, &r.id).await.unwrap().description, "");
    store.insert_report(intake(&report(&a, None, 5))).await.unwrap();
}

async fn a_report_from_a_withdrawn_id_is_refused_when_taken_from_the_mail_too(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let a = municipality(store, "01001000").await;
    let r = report(&a, None, 0);
    store.insert_report(intake(&r)).await.unwrap();
    store.withdraw_report(&a, &r.id, Actor::System, t(1)).await.unwrap();
    let taken = store.take_mailed(intake(&r), t(2)).await;
    assert!(matches!(taken, Err(StoreError::Withdrawn)), "{taken:?}");
}

both!(
    contact_then_content_are_erased_once_and_the_skeleton_stays,
    a_shared_photo_is_orphaned_only_when_nothing_refers_to_it,
    a_withdrawn_report_is_gone_and_its_id_refused,
    retention_finds_closed_reports_by_scope_and_cutoff,
    a_report_from_a_withdrawn_id_is_refused_when_taken_from_the_mail_too
);
