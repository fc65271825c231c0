//! Fixtures of the store's tests (the storage story and the privacy tests): a fresh
//! database of either backend, municipalities, devices, reports as intake and the process
//! handlers write them.
//!
//! [`both!`] turns `async fn name(store: &Arc<dyn Store>)` into two tests, `name::sqlite`
//! and `name::postgres`: the same story on each backend (atuin's way). SQLite gets a
//! file in a temporary directory; PostgreSQL a database copied from a migrated template
//! in the test binary's throwaway cluster (`augenmerk-testenv`).

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};

use augenmerk_domain::api::MunicipalitySettings;
use augenmerk_domain::audit::{Actor, AuditAction, AuditEntry};
use augenmerk_domain::public::PublicStatusChange;
use augenmerk_domain::report::{Channel, Email, Report};
use augenmerk_domain::{
    Ags, BlobHash, CategoryId, CategoryTree, DeviceId, GeoPoint, Priority, ReportId, Status, UserId,
};
use augenmerk_store::{BlobRecord, MunicipalityRecord, PgStore, PublicEvent, ReportWrite, SqliteStore, Store};

/// A fresh SQLite store (and its directory, which must outlive it).
pub fn fresh() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("augenmerk.sqlite")).unwrap();
    (dir, store)
}

/// A store of either backend for one test.
pub struct TestStore {
    pub store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh SQLite store.
pub fn sqlite() -> TestStore {
    let (dir, store) = fresh();
    TestStore {
        store: Arc::new(store),
        _dir: Some(dir),
    }
}

/// The template database of this test binary's cluster, migrated once.
static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// A fresh PostgreSQL database (a copy of the migrated template).
pub async fn postgres() -> TestStore {
    let cluster = augenmerk_testenv::pg::shared().unwrap();
    let template = TEMPLATE
        .get_or_init(|| async {
            let url = cluster.create_named("store_template").unwrap();
            PgStore::migrate(&url).await.unwrap();
            "store_template".to_owned()
        })
        .await;
    let url = cluster.create_database(Some(template)).unwrap();
    let store = PgStore::connect(&url, 4).await.unwrap();
    TestStore {
        store: Arc::new(store),
        _dir: None,
    }
}

/// Runs each named `async fn(&Arc<dyn Store>)` as a test on SQLite and on PostgreSQL.
macro_rules! both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let s = $crate::common::sqlite();
                super::$name(&s.store).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let s = $crate::common::postgres().await;
                super::$name(&s.store).await
            }
        }
    )+};
}
pub(crate) use both;

pub fn ags(s: &str) -> Ags {
    Ags::parse(s).unwrap()
}

pub fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

/// Minutes after a fixed morning.
pub fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap() + Duration::minutes(minutes)
}

pub fn hash(n: u8) -> BlobHash {
    BlobHash::parse(&format!("{n:02x}").repeat(32)).unwrap()
}

pub fn staff_actor(name: &str) -> Actor {
    Actor::Staff {
        user: UserId::new_random(),
        name: name.into(),
    }
}

/// Weekday working hours in Berlin, nothing else configured.
pub fn settings() -> MunicipalitySettings {
    MunicipalitySettings::default()
}

pub async fn municipality(store: &dyn Store, code: &str) -> Ags {
    let a = ags(code);
    let tree = CategoryTree::from_json(
        r#"{"categories": [{"id": "schlagloch", "de": "Schlagloch", "en": "Pothole",
             "questions": [{"id": "tiefe", "de": "Tiefe", "en": "Depth", "type": "integer"},
                           {"id": "notiz", "de": "Notiz", "en": "Note", "type": "text"}]}]}"#,
    )
    .unwrap();
    let settings = settings();
    store
        .create_municipality(MunicipalityRecord {
            ags: a.clone(),
            name: format!("Gemeinde {code}"),
            categories: tree,
            settings,
            config_version: 1,
        })
        .await
        .unwrap();
    a
}

/// A registered device and its token hash.
pub async fn device(store: &dyn Store) -> (DeviceId, String) {
    let id = DeviceId::new_random();
    let token = format!("token-{id}");
    store.create_device(id, token.clone(), None, None).await.unwrap();
    (id, token)
}

/// Stores a photo's metadata (created now).
pub async fn blob(store: &dyn Store, n: u8) -> BlobHash {
    store
        .put_blob(BlobRecord {
            hash: hash(n),
            size: 1000,
            content_type: "image/jpeg".into(),
            width: 10,
            height: 10,
        })
        .await
        .unwrap();
    hash(n)
}

pub fn report_in(municipality: &Ags, device: Option<DeviceId>, category: &str, at: i64) -> Report {
    Report {
        id: ReportId::new_random(),
        municipality: municipality.clone(),
        gemeinde: municipality.clone(),
        device_id: device,
        category: CategoryId::parse(category).unwrap(),
        answers: Default::default(),
        description: "Loch in der Fahrbahn".into(),
        location: GeoPoint { lat: 54.78, lon: 9.43 },
        address_hint: None,
        photos: vec![],
        contact_email: None,
        consent: true,
        consent_version: None,
        status: Status::Received,
        priority: Priority::Normal,
        due_at: None,
        department: None,
        assignee: None,
        forwarded_to: None,
        duplicate_of: None,
        routed_by: None,
        channel: Channel::App,
        created_at: t(at),
        received_at: t(at),
        updated_at: t(at),
    }
}

/// A pothole with an address hint, `at` minutes into the day.
pub fn report(municipality: &Ags, device: Option<DeviceId>, at: i64) -> Report {
    Report {
        address_hint: Some("vor Hausnummer 12".into()),
        ..report_in(municipality, device, "schlagloch", at)
    }
}

/// A new report as intake writes it: audit "created" and the first status event.
pub fn intake(r: &Report) -> ReportWrite {
    ReportWrite::new(
        r.clone(),
        vec![AuditEntry {
            report_id: r.id,
            at: r.received_at,
            actor: Actor::Citizen { device: r.device_id },
            action: AuditAction::Created { channel: r.channel },
            public_comment: None,
        }],
        vec![PublicEvent::Status(PublicStatusChange {
            from: None,
            to: Status::Received,
            comment: None,
            at: r.received_at,
            photos: Vec::new(),
        })],
    )
}

/// Moves a report to another status at `at` as the process handlers would; returns the
/// report as stored.
pub async fn move_to(store: &dyn Store, r: &Report, to: Status, at: i64) -> Report {
    let mut next = r.clone();
    next.status = to;
    next.updated_at = t(at);
    let write = ReportWrite::new(
        next.clone(),
        vec![AuditEntry {
            report_id: r.id,
            at: t(at),
            actor: staff_actor("Frau Petersen"),
            action: AuditAction::StatusChanged {
                from: r.status,
                to,
                request: None,
                photos: Vec::new(),
            },
            public_comment: Some("Erledigt".into()),
        }],
        vec![PublicEvent::Status(PublicStatusChange {
            from: Some(r.status),
            to,
            comment: Some("Erledigt".into()),
            at: t(at),
            photos: Vec::new(),
        })],
    );
    store.update_report(write, r.updated_at).await.unwrap();
    next
}

/// Stores a report and closes it at `closed`.
pub async fn closed_report(store: &dyn Store, r: Report, closed: i64) -> Report {
    store.insert_report(intake(&r)).await.unwrap();
    move_to(store, &r, Status::Closed, closed).await
}
