//! The storage story: every [`Store`] method, exercised through `&dyn Store` so that any
//! backend can run the same story. Each test opens a fresh SQLite database in its own
//! temporary directory; the last tests are specific to SQLite (migrations, reopening).

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{Duration, Utc};

use augenmerk_domain::api::{AreaDefinition, ReportQuery};
use augenmerk_domain::audit::{Actor, AuditAction, AuditEntry};
use augenmerk_domain::public::{ChangeKind, MessageAuthor, PublicMessage, PublicStatusChange};
use augenmerk_domain::report::{Answer, Channel, Email, Report};
use augenmerk_domain::rules::{Rule, RuleAction};
use augenmerk_domain::staff::{Department, InternalNote, Role, StaffMessage, StaffUser};
use augenmerk_domain::{
    Ags, AreaId, CategoryId, CategoryTree, DepartmentId, DeviceId, GeoPoint, MessageId, NoteId, Priority, QuestionId,
    ReportId, RuleId, Status, UserId,
};
use augenmerk_store::{
    BlobRecord, BoundaryRecord, Inserted, MunicipalityRecord, PublicEvent, ReportWrite, SqliteStore, Store, StoreError,
    Visibility,
};

mod common;

use common::{ags, fresh, hash, intake, report_in as report, settings, t};

// --- fixtures ---

fn tree() -> CategoryTree {
    CategoryTree::from_json(
        r#"{"categories": [
            {"id": "strasse", "de": "Straße", "en": "Road", "subcategories": [
                {"id": "schlagloch", "de": "Schlagloch", "en": "Pothole",
                 "questions": [{"id": "tiefe", "de": "Tiefe", "en": "Depth", "type": "integer"}]},
                {"id": "beleuchtung", "de": "Beleuchtung", "en": "Lighting"}]},
            {"id": "muell", "de": "Müll", "en": "Litter"}]}"#,
    )
    .unwrap()
}

async fn municipality(store: &dyn Store, code: &str) -> Ags {
    let a = ags(code);
    store
        .create_municipality(MunicipalityRecord {
            ags: a.clone(),
            name: format!("Gemeinde {code}"),
            categories: tree(),
            settings: settings(),
            config_version: 1,
        })
        .await
        .unwrap();
    a
}

/// Moves a report to another status as the process handlers would.
fn transition(r: &Report, to: Status, at: i64, comment: &str) -> ReportWrite {
    let mut next = r.clone();
    next.status = to;
    next.updated_at = t(at);
    ReportWrite {
        report: next,
        audit: vec![AuditEntry {
            report_id: r.id,
            at: t(at),
            actor: Actor::Staff {
                user: UserId::new_random(),
                name: "Frau Petersen".into(),
            },
            action: AuditAction::StatusChanged {
                from: r.status,
                to,
                request: None,
                photos: Vec::new(),
            },
            public_comment: Some(comment.into()),
        }],
        events: vec![PublicEvent::Status(PublicStatusChange {
            from: Some(r.status),
            to,
            comment: Some(comment.into()),
            at: t(at),
            photos: Vec::new(),
        })],
        jobs: Vec::new(),
        subscription: None,
    }
}

async fn device(store: &dyn Store) -> DeviceId {
    let id = DeviceId::new_random();
    store
        .create_device(id, format!("token-{id}"), Some("linux".into()), None)
        .await
        .unwrap();
    id
}

fn staff(municipality: &Ags, username: &str, role: Role) -> StaffUser {
    StaffUser {
        id: UserId::new_random(),
        municipality: municipality.clone(),
        username: username.into(),
        display_name: username.to_uppercase(),
        role,
        department: None,
        active: true,
        email: None,
        mail: Default::default(),
    }
}

fn is_not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound))
}

// --- the story ---

#[tokio::test]
async fn boundaries_municipalities_and_configuration() {
    let (_dir, store) = fresh();
    let store: &dyn Store = &store;

    let b = |code: &str, name: &str| BoundaryRecord {
        ags: ags(code),
        name: name.into(),
        geometry: "{}".into(),
        administration: None,
    };
    store
        .upsert_boundaries(vec![b("01001000", "Flensburg"), b("01002000", "Kiel")])
        .await
        .unwrap();
    store
        .upsert_boundaries(vec![b("01001000", "Flensburg, Stadt")])
        .await
        .unwrap();
    let all = store.list_boundaries().await.unwrap();
    assert_eq!(
        all.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(),
        ["Flensburg, Stadt", "Kiel"]
    );

    let a = municipality(store, "01001000").await;
    let dup = store
        .create_municipality(MunicipalityRecord {
            ags: a.clone(),
            name: "again".into(),
            categories: tree(),
            settings: settings(),
            config_version: 1,
        })
        .await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
    let other = ags("01002000");
    assert!(is_not_found(store.get_municipality(&other).await));
    assert_eq!(store.list_municipalities().await.unwrap().len(), 1);
    let version = || async { store.get_municipality(&a).await.unwrap().config_version };
    assert_eq!(version().await, 1);

    let mut smaller = tree();
    smaller.categories.pop();
    store.put_categories(&a, smaller.clone()).await.unwrap();
    assert_eq!(store.get_municipality(&a).await.unwrap().categories, smaller);
    let mut s = settings();
    s.accent_color = Some("#005ea5".into());
    store.put_settings(&a, s.clone()).await.unwrap();
    assert_eq!(store.get_municipality(&a).await.unwrap().settings, s);
    assert!(is_not_found(store.put_settings(&other, s).await));
    assert_eq!(version().await, 3);

    let tiefbau = Department {
        id: DepartmentId::parse("tiefbau").unwrap(),
        name: "Tiefbau".into(),
        email: None,
    };
    store.put_department(&a, tiefbau.clone()).await.unwrap();
    let renamed = Department {
        name: "Tiefbauamt".into(),
        email: Some("tiefbau@example.org".into()),
        ..tiefbau
    };
    store.put_department(&a, renamed.clone()).await.unwrap();
    assert_eq!(store.list_departments(&a).await.unwrap(), vec![renamed.clone()]);
    assert!(store.list_departments(&other).await.unwrap().is_empty());
    assert!(is_not_found(store.delete_department(&other, &renamed.id).await));
    store.delete_department(&a, &renamed.id).await.unwrap();
    assert!(is_not_found(store.delete_department(&a, &renamed.id).await));
    assert_eq!(version().await, 6);

    let area = AreaDefinition {
        id: AreaId::parse("altstadt").unwrap(),
        name: "Altstadt".into(),
        geometry: serde_json::json!({"type": "Polygon", "coordinates": [[[9.4, 54.7], [9.5, 54.7], [9.5, 54.8], [9.4, 54.7]]]}),
    };
    store.put_area(&a, area.clone()).await.unwrap();
    assert_eq!(store.list_areas(&a).await.unwrap(), vec![area.clone()]);
    assert!(store.list_areas(&other).await.unwrap().is_empty());
    store.delete_area(&a, &area.id).await.unwrap();
    assert!(store.list_areas(&a).await.unwrap().is_empty());
    assert_eq!(version().await, 8);

    assert!(store.get_rules(&a).await.unwrap().is_empty());
    assert!(is_not_found(store.get_rules(&other).await));
    let rule = |id: &str| Rule {
        id: RuleId::parse(id).unwrap(),
        name: id.into(),
        enabled: true,
        conditions: vec![],
        action: RuleAction {
            priority: Some(Priority::High),
            ..Default::default()
        },
    };
    store.put_rules(&a, vec![rule("zweite"), rule("erste")]).await.unwrap();
    let ids: Vec<String> = store
        .get_rules(&a)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(ids, ["zweite", "erste"], "rule order is kept");
    assert_eq!(version().await, 9);
}

#[tokio::test]
async fn staff_accounts_sessions_and_devices() {
    let (_dir, store) = fresh();
    let store: &dyn Store = &store;
    let a = municipality(store, "01001000").await;
    let b = municipality(store, "01002000").await;

    let anna = staff(&a, "anna", Role::Dispatcher);
    store.create_user(anna.clone(), "hash-1".into()).await.unwrap();
    let dup = store.create_user(staff(&a, "anna", Role::Admin), "x".into()).await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
    // The same login name in another municipality is someone else.
    store
        .create_user(staff(&b, "anna", Role::Admin), "hash-2".into())
        .await
        .unwrap();
    // Platform admins share one namespace although their municipality column is NULL.
    let root = staff(&a, "root", Role::PlatformAdmin);
    store.create_user(root.clone(), "hash-root".into()).await.unwrap();
    let dup = store
        .create_user(staff(&b, "root", Role::PlatformAdmin), "x".into())
        .await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");

    let c = store.get_credentials(Some(&a), "anna").await.unwrap();
    assert_eq!((c.user.clone(), c.password_hash.as_str()), (anna.clone(), "hash-1"));
    assert_eq!(
        store.get_credentials(Some(&b), "anna").await.unwrap().password_hash,
        "hash-2"
    );
    let c = store.get_credentials(None, "root").await.unwrap();
    assert_eq!(
        (c.user.id, c.user.role, c.password_hash.as_str()),
        (root.id, Role::PlatformAdmin, "hash-root")
    );
    assert!(is_not_found(store.get_credentials(None, "anna").await));
    assert!(is_not_found(store.get_credentials(Some(&a), "root").await));

    assert_eq!(store.get_user(&a, &anna.id).await.unwrap(), anna);
    assert!(is_not_found(store.get_user(&b, &anna.id).await));
    assert_eq!(store.list_users(&a).await.unwrap(), vec![anna.clone()]);

    let mut changed = anna.clone();
    changed.display_name = "Anna Petersen".into();
    changed.department = Some(DepartmentId::parse("tiefbau").unwrap());
    store.update_user(changed.clone(), None).await.unwrap();
    assert_eq!(
        store.get_credentials(Some(&a), "anna").await.unwrap().password_hash,
        "hash-1"
    );
    store.update_user(changed.clone(), Some("hash-3".into())).await.unwrap();
    let c = store.get_credentials(Some(&a), "anna").await.unwrap();
    assert_eq!((c.user, c.password_hash.as_str()), (changed.clone(), "hash-3"));
    let mut elsewhere = changed.clone();
    elsewhere.municipality = b.clone();
    assert!(
        is_not_found(store.update_user(elsewhere, None).await),
        "accounts do not move between tenants"
    );

    store.create_session("s1".into(), anna.id, t(60)).await.unwrap();
    assert_eq!(store.get_session("s1", t(0)).await.unwrap().id, anna.id);
    assert!(
        is_not_found(store.get_session("s1", t(60)).await),
        "expired at expires_at"
    );
    assert!(is_not_found(store.get_session("nope", t(0)).await));
    let mut disabled = changed.clone();
    disabled.active = false;
    store.update_user(disabled, None).await.unwrap();
    assert!(
        is_not_found(store.get_session("s1", t(0)).await),
        "inactive accounts have no sessions"
    );
    store.update_user(changed.clone(), None).await.unwrap();
    assert!(
        is_not_found(store.get_session("s1", t(0)).await),
        "disabling ended the session: enabling the account again does not bring it back"
    );
    // Other changes keep sessions; a new password ends all of them (issue 25). (Creating
    // a session forgets those expired by the wall clock, so these last long.)
    let later = Utc::now() + Duration::days(1);
    store.create_session("s2".into(), anna.id, later).await.unwrap();
    store.create_session("s3".into(), anna.id, later).await.unwrap();
    let mut renamed = changed.clone();
    renamed.display_name = "Anna P.".into();
    store.update_user(renamed.clone(), None).await.unwrap();
    assert!(store.get_session("s2", t(0)).await.is_ok());
    store.update_user(renamed, Some("hash-4".into())).await.unwrap();
    assert!(is_not_found(store.get_session("s2", t(0)).await));
    assert!(is_not_found(store.get_session("s3", t(0)).await));
    store.create_session("s1".into(), anna.id, t(60)).await.unwrap();
    assert!(store.get_session("s1", t(0)).await.is_ok());
    store.delete_session("s1").await.unwrap();
    assert!(is_not_found(store.get_session("s1", t(0)).await));
    store.delete_session("s1").await.unwrap();

    let d = DeviceId::new_random();
    store
        .create_device(d, "dev-token".into(), Some("android".into()), Some("0.1.0".into()))
        .await
        .unwrap();
    assert_eq!(store.get_device("dev-token").await.unwrap(), d);
    assert!(is_not_found(store.get_device("other").await));
    let dup = store
        .create_device(DeviceId::new_random(), "dev-token".into(), None, None)
        .await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
}

#[tokio::test]
async fn blobs_and_who_may_see_them() {
    let (_dir, store) = fresh();
    let store: &dyn Store = &store;
    let a = municipality(store, "01001000").await;
    let b = municipality(store, "01002000").await;
    let blob = BlobRecord {
        hash: hash(1),
        size: 12_345,
        content_type: "image/jpeg".into(),
        width: 800,
        height: 600,
    };
    store.put_blob(blob.clone()).await.unwrap();
    store.put_blob(blob.clone()).await.unwrap();
    assert_eq!(store.get_blob(&hash(1)).await.unwrap(), blob);
    assert!(is_not_found(store.get_blob(&hash(2)).await));
    assert_eq!(
        store
            .missing_blobs(&[hash(2), hash(1), hash(3), hash(2)])
            .await
            .unwrap(),
        vec![hash(2), hash(3)]
    );

    let dev = device(store).await;
    let stranger = device(store).await;
    assert!(
        !store.blob_visible_to(&hash(1), Some(&dev), Some(&a)).await.unwrap(),
        "no report yet"
    );
    let mut r = report(&a, Some(dev), "schlagloch", 0);
    r.photos = vec![hash(1)];
    store.insert_report(intake(&r)).await.unwrap();
    assert!(store.blob_visible_to(&hash(1), Some(&dev), None).await.unwrap());
    assert!(store.blob_visible_to(&hash(1), None, Some(&a)).await.unwrap());
    assert!(
        !store
            .blob_visible_to(&hash(1), Some(&stranger), Some(&b))
            .await
            .unwrap()
    );
    assert!(!store.blob_visible_to(&hash(1), None, None).await.unwrap());
}

#[tokio::test]
async fn reports_tenancy_updates_messages_notes_and_the_feed() {
    let (_dir, store) = fresh();
    let store: &dyn Store = &store;
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
    assert_eq!(store.list_audit(&r.id).await.unwrap().len(), 1);

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
    let audit = store.list_audit(&r.id).await.unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[1], assigned.audit[0]);
    let history = store.list_status_changes(&r.id).await.unwrap();
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
        store.add_message(msg.clone(), vec![]).await.unwrap(),
        Inserted::Created(msg.clone())
    );
    let again = StaffMessage {
        body: "doppelt".into(),
        ..msg.clone()
    };
    assert_eq!(
        store.add_message(again, vec![]).await.unwrap(),
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
    store.add_message(reply.clone(), vec![]).await.unwrap();
    assert_eq!(
        store.list_messages(&r.id).await.unwrap(),
        vec![msg.clone(), reply.clone()]
    );
    let orphan = StaffMessage {
        id: MessageId::new_random(),
        report_id: ReportId::new_random(),
        ..msg.clone()
    };
    assert!(is_not_found(store.add_message(orphan, vec![]).await));

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
        store.add_note(note.clone()).await.unwrap(),
        Inserted::Created(note.clone())
    );
    assert_eq!(
        store.add_note(note.clone()).await.unwrap(),
        Inserted::Existing(note.clone())
    );
    assert_eq!(store.list_notes(&r.id).await.unwrap(), vec![note.clone()]);

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
    assert_eq!(store.list_status_changes(&phoned_in.id).await.unwrap().len(), 1);
    assert_eq!(store.device_changes(&dev, feed[3].seq, 100).await.unwrap(), vec![]);
}

#[tokio::test]
async fn insert_is_idempotent_under_concurrency() {
    let (_dir, store) = fresh();
    let store: Arc<dyn Store> = Arc::new(store);
    let a = municipality(store.as_ref(), "01001000").await;
    let dev = device(store.as_ref()).await;
    let r = report(&a, Some(dev), "schlagloch", 0);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (store, write) = (Arc::clone(&store), intake(&r));
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
    assert_eq!(store.list_audit(&r.id).await.unwrap().len(), 1);
    assert_eq!(store.device_changes(&dev, 0, 100).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_failing_write_does_not_spoil_its_batch() {
    let (_dir, store) = fresh();
    let store: Arc<dyn Store> = Arc::new(store);
    let a = municipality(store.as_ref(), "01001000").await;
    // Reports of an unknown municipality violate a foreign key; queued together with good
    // ones they fail alone.
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let target = if i % 2 == 0 { a.clone() } else { ags("09999999") };
            let (store, write) = (Arc::clone(&store), intake(&report(&target, None, "muell", i)));
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

#[tokio::test]
async fn inbox_filters_paging_sorting_counts_and_nearby() {
    let (_dir, store) = fresh();
    let store: &dyn Store = &store;
    let a = municipality(store, "01001000").await;
    let b = municipality(store, "01002000").await;
    let tiefbau = DepartmentId::parse("tiefbau").unwrap();
    let worker = UserId::new_random();

    // Twelve reports of A, one a minute, with varied fields; one of B that must never show.
    let mut all = Vec::new();
    for i in 0..12_i64 {
        let category = ["schlagloch", "beleuchtung", "muell"][(i % 3) as usize];
        let mut r = report(&a, None, category, i);
        r.status = [Status::Received, Status::Assigned, Status::Resolved, Status::InProgress][(i % 4) as usize];
        r.priority = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent][(i % 4) as usize];
        r.due_at = (i % 2 == 0).then(|| t(100 + i));
        r.department = (i < 4).then(|| tiefbau.clone());
        r.assignee = (i == 11).then_some(worker);
        r.location = GeoPoint {
            lat: 54.78 + 0.001 * i as f64,
            lon: 9.43,
        };
        r.updated_at = t(1000 - i);
        if i == 5 {
            r.description = "Straßenlaterne flackert, 50% dunkel".into();
            r.address_hint = Some("vor Nr. 12".into());
        }
        if i == 6 {
            r.answers
                .insert(QuestionId::parse("tiefe").unwrap(), Answer::Text("ÜBER zehn cm".into()));
        }
        store
            .insert_report(ReportWrite::new(r.clone(), vec![], vec![]))
            .await
            .unwrap();
        all.push(r);
    }
    store
        .insert_report(intake(&report(&b, None, "muell", 0)))
        .await
        .unwrap();

    let now = t(105);
    let tenant = &a;
    let run = |q: ReportQuery| async move { store.query_reports(tenant, &q, None, now).await.unwrap() };
    let idx = |page: &augenmerk_domain::staff::Page<Report>| -> Vec<usize> {
        page.items
            .iter()
            .map(|r| all.iter().position(|x| x.id == r.id).unwrap())
            .collect()
    };

    // Default: newest first, 50 a page.
    let p = run(ReportQuery::default()).await;
    assert_eq!((p.total, p.page, p.page_size), (12, 1, 50));
    assert_eq!(idx(&p), (0..12).rev().collect::<Vec<_>>());
    // Paging.
    let p = run(ReportQuery {
        page: Some(2),
        page_size: Some(5),
        ..Default::default()
    })
    .await;
    assert_eq!((p.total, idx(&p)), (12, vec![6, 5, 4, 3, 2]));
    let p = run(ReportQuery {
        page: Some(4),
        page_size: Some(5),
        ..Default::default()
    })
    .await;
    assert!(p.items.is_empty() && p.total == 12);
    let p = run(ReportQuery {
        page: Some(0),
        page_size: Some(10_000),
        ..Default::default()
    })
    .await;
    assert_eq!((p.page, p.page_size), (1, 200));

    let q = |f: fn(&mut ReportQuery)| {
        let mut q = ReportQuery::default();
        f(&mut q);
        q
    };
    let sorted = |mut v: Vec<usize>| {
        v.sort_unstable();
        v
    };
    // Status list, with an unknown name ignored.
    let p = run(q(|q| q.status = Some("received, in_progress,bogus".into()))).await;
    assert_eq!(sorted(idx(&p)), [0, 3, 4, 7, 8, 11]);
    assert_eq!(run(q(|q| q.status = Some("bogus".into()))).await.total, 0);
    // Category with its subtree.
    let p = run(q(|q| q.category = Some(CategoryId::parse("strasse").unwrap()))).await;
    assert_eq!(sorted(idx(&p)), [0, 1, 3, 4, 6, 7, 9, 10]);
    let p = run(q(|q| q.category = Some(CategoryId::parse("muell").unwrap()))).await;
    assert_eq!(sorted(idx(&p)), [2, 5, 8, 11]);
    // Department, assignee, priority.
    let p = run(q(|q| q.department = Some(DepartmentId::parse("tiefbau").unwrap()))).await;
    assert_eq!(sorted(idx(&p)), [0, 1, 2, 3]);
    let p = store
        .query_reports(
            &a,
            &ReportQuery {
                assignee: Some(worker),
                ..Default::default()
            },
            None,
            now,
        )
        .await;
    assert_eq!(idx(&p.unwrap()), [11]);
    let p = run(q(|q| q.priority = Some(Priority::Urgent))).await;
    assert_eq!(sorted(idx(&p)), [3, 7, 11]);
    // Overdue: open, due before now (due at t(100 + i) for even i; now = t(105)).
    let p = run(q(|q| q.overdue = Some(true))).await;
    assert_eq!(sorted(idx(&p)), [0, 4], "2 is resolved, 6 and later are not due yet");
    assert_eq!(run(q(|q| q.overdue = Some(false))).await.total, 10);
    // Bounding box (lon, lat order); invalid boxes match nothing.
    let p = run(q(|q| q.bbox = Some("9.4,54.7835,9.5,54.7865".into()))).await;
    assert_eq!(sorted(idx(&p)), [4, 5, 6]);
    assert_eq!(run(q(|q| q.bbox = Some("garbage".into()))).await.total, 0);
    // Text search: case-insensitive beyond ASCII, LIKE wildcards are literal, answers count.
    assert_eq!(
        idx(&run(q(|q| q.q = Some("STRASSENLATERNE".into()))).await),
        Vec::<usize>::new()
    );
    assert_eq!(idx(&run(q(|q| q.q = Some("STRAẞENLATERNE".to_lowercase()))).await), [5]);
    assert_eq!(idx(&run(q(|q| q.q = Some("50%".into()))).await), [5]);
    assert_eq!(run(q(|q| q.q = Some("5_%".into()))).await.total, 0);
    assert_eq!(idx(&run(q(|q| q.q = Some("nr. 12".into()))).await), [5]);
    assert_eq!(idx(&run(q(|q| q.q = Some("über ZEHN".into()))).await), [6]);
    assert_eq!(
        run(q(|q| q.q = Some("tiefe".into()))).await.total,
        0,
        "question ids are not searched"
    );
    // Sorting.
    let p = run(q(|q| q.sort = Some("due_at".into()))).await;
    assert_eq!(
        idx(&p),
        [0, 2, 4, 6, 8, 10, 11, 9, 7, 5, 3, 1],
        "due first, then newest without due date"
    );
    let p = run(q(|q| q.sort = Some("priority".into()))).await;
    assert_eq!(idx(&p)[..4], [11, 7, 3, 10]);
    let p = run(q(|q| q.sort = Some("updated_at".into()))).await;
    assert_eq!(idx(&p), (0..12).collect::<Vec<_>>());
    // Field workers see their department's reports and their own.
    let v = Visibility {
        department: Some(tiefbau.clone()),
        user: worker,
    };
    let p = store
        .query_reports(&a, &ReportQuery::default(), Some(&v), now)
        .await
        .unwrap();
    assert_eq!(sorted(idx(&p)), [0, 1, 2, 3, 11]);
    let v_alone = Visibility {
        department: None,
        user: worker,
    };
    let p = store
        .query_reports(&a, &ReportQuery::default(), Some(&v_alone), now)
        .await
        .unwrap();
    assert_eq!(idx(&p), [11]);

    // Counts per status, every status listed.
    let counts = store.count_by_status(&a, None).await.unwrap();
    assert_eq!(counts.len(), Status::ALL.len());
    let count = |c: &[(Status, u64)], s: Status| c.iter().find(|(x, _)| *x == s).map(|(_, n)| *n);
    assert_eq!(count(&counts, Status::Received), Some(3));
    assert_eq!(count(&counts, Status::Closed), Some(0));
    let counts = store.count_by_status(&a, Some(&v)).await.unwrap();
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<u64>(), 5);

    // The categories in use, with their counts (B's report is not A's).
    let in_use: Vec<(String, u64)> = store
        .categories_in_use(&a)
        .await
        .unwrap()
        .into_iter()
        .map(|(c, n)| (c.to_string(), n))
        .collect();
    assert_eq!(
        in_use,
        [
            ("beleuchtung".to_owned(), 4),
            ("muell".to_owned(), 4),
            ("schlagloch".to_owned(), 4)
        ]
    );

    // Nearby: open reports within the radius, nearest first (0.001° latitude ≈ 111 m).
    let center = GeoPoint {
        lat: 54.7851,
        lon: 9.43,
    };
    let positions = |near: Vec<Report>| -> Vec<usize> {
        near.iter()
            .map(|r| all.iter().position(|x| x.id == r.id).unwrap())
            .collect()
    };
    let near = store.nearby_reports(&a, center, 250.0, 10, None).await.unwrap();
    assert_eq!(
        positions(near),
        [5, 4, 7, 3],
        "6 is resolved; 7 and 3 lie 211 m and 233 m away"
    );
    assert_eq!(store.nearby_reports(&a, center, 250.0, 2, None).await.unwrap().len(), 2);
    assert!(
        store
            .nearby_reports(&b, center, 250.0, 10, None)
            .await
            .unwrap()
            .is_empty()
    );
    // A field worker's nearby reports are those of the inbox only (issue 25: the nearby
    // query once ignored the caller's visibility).
    let near = store.nearby_reports(&a, center, 250.0, 10, Some(&v)).await.unwrap();
    assert_eq!(positions(near), [3], "only 0–3 are Tiefbau's");
    assert!(
        store
            .nearby_reports(&a, center, 250.0, 10, Some(&v_alone))
            .await
            .unwrap()
            .is_empty()
    );
}

// --- SQLite specifics ---

#[tokio::test]
async fn a_reopened_database_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("augenmerk.sqlite");
    let r = {
        let store = SqliteStore::open(&path).unwrap();
        let a = municipality(&store, "01001000").await;
        let r = report(&a, None, "muell", 0);
        store.insert_report(intake(&r)).await.unwrap();
        r
    };
    assert_eq!(SqliteStore::migrate(&path).unwrap(), 0, "already current");
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.get_report_any(&r.id).await.unwrap(), r);
    assert_eq!(store.list_status_changes(&r.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("augenmerk.sqlite");
    assert_eq!(
        SqliteStore::migrate(&path).unwrap(),
        augenmerk_store::sqlite::SCHEMA_VERSION as usize
    );
    let newer = i64::from(augenmerk_store::sqlite::SCHEMA_VERSION) + 1;
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();
    match SqliteStore::open(&path) {
        Err(StoreError::Database(msg)) => assert!(msg.contains("newer"), "{msg}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(SqliteStore::migrate(&path).is_err());
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, newer);
}

#[tokio::test]
async fn photos_belong_to_their_uploaders_and_count_against_their_quota() {
    let (_dir, store) = fresh();
    let store: &dyn Store = &store;
    let a = municipality(store, "01001000").await;
    let b = municipality(store, "01002000").await;
    for n in [1, 2] {
        store
            .put_blob(BlobRecord {
                hash: hash(n),
                size: 1000,
                content_type: "image/jpeg".into(),
                width: 8,
                height: 8,
            })
            .await
            .unwrap();
    }
    let (dev, other) = (device(store).await, device(store).await);
    let up = augenmerk_store::Uploader::Device(dev);
    store.record_upload(&hash(1), &up, 1000, t(0)).await.unwrap();
    store.record_upload(&hash(1), &up, 1000, t(50)).await.unwrap(); // a repeat counts once
    store.record_upload(&hash(2), &up, 500, t(10)).await.unwrap();
    let usage = store.device_uploads_since(&dev, t(-1)).await.unwrap();
    assert_eq!((usage.photos, usage.bytes, usage.oldest), (2, 1500, Some(t(0))));
    assert_eq!(store.device_uploads_since(&dev, t(5)).await.unwrap().photos, 1);
    // The hash alone grants nothing: not to another device, not to staff.
    assert!(store.blob_visible_to(&hash(1), Some(&dev), None).await.unwrap());
    assert!(!store.blob_visible_to(&hash(1), Some(&other), None).await.unwrap());
    assert_eq!(
        store
            .unattachable_blobs(&[hash(1), hash(3), hash(1)], Some(&other), None)
            .await
            .unwrap(),
        vec![hash(1), hash(3)]
    );
    assert!(
        store
            .unattachable_blobs(&[hash(1)], Some(&dev), None)
            .await
            .unwrap()
            .is_empty()
    );
    let staff = augenmerk_store::Uploader::Municipality(a.clone());
    store.record_upload(&hash(2), &staff, 500, t(0)).await.unwrap();
    assert!(
        store
            .unattachable_blobs(&[hash(2)], None, Some(&a))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.unattachable_blobs(&[hash(2)], None, Some(&b)).await.unwrap(),
        vec![hash(2)]
    );
}

#[tokio::test]
async fn follows_are_bounded_and_a_device_lists_only_its_own_reports() {
    use augenmerk_store::Followed;
    let (_dir, store) = fresh();
    let store: &dyn Store = &store;
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
