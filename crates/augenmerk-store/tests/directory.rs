//! The directory of administrations off the platform and the reports mailed to them: an
//! idempotent insert with its mail job, the device's view, and taking them into an inbox
//! once (report and mark in one transaction).

use std::sync::Arc;

use chrono::Utc;

use augenmerk_domain::api::DirectoryEntry;
use augenmerk_domain::report::{Channel, Email, Priority, Report};
use augenmerk_domain::{Ags, CategoryId, CategoryTree, DeviceId, GeoPoint, ReportId, Status};
use augenmerk_store::{Inserted, JobKind, MailedReport, MunicipalityRecord, NewJob, ReportWrite, Store, StoreError};

#[allow(unused_imports)]
#[path = "common/mod.rs"]
mod common;
use common::both;

fn ags(s: &str) -> Ags {
    Ags::parse(s).expect("key")
}

fn mailed(device: DeviceId, key: &Ags) -> MailedReport {
    let now = Utc::now();
    MailedReport {
        report: Report {
            id: ReportId::new_random(),
            municipality: key.clone(),
            gemeinde: ags("01003000"),
            device_id: Some(device),
            category: CategoryId::parse("schlagloch").expect("id"),
            answers: Default::default(),
            description: "Loch".into(),
            location: GeoPoint {
                lat: 53.8663,
                lon: 10.6797,
            },
            address_hint: None,
            photos: Vec::new(),
            contact_email: None,
            consent: true,
            consent_version: None,
            status: Status::Forwarded,
            priority: Priority::Normal,
            due_at: None,
            department: None,
            assignee: None,
            forwarded_to: None,
            duplicate_of: None,
            routed_by: None,
            channel: Channel::App,
            created_at: now,
            received_at: now,
            updated_at: now,
        },
        administration: key.clone(),
        mailed_to: "Hansestadt Lübeck".into(),
        created_at: now,
    }
}

fn mail_job(report: &Report) -> NewJob {
    NewJob {
        kind: JobKind::Mail,
        municipality: report.municipality.clone(),
        report: Some(report.id),
        dedupe_key: format!("mailed:{}", report.id),
        tag: Some("forwarded".into()),
        recipient: Some("meldungen@luebeck.example".into()),
        payload: serde_json::json!({}),
        run_at: Utc::now(),
    }
}

async fn mailed_reports_are_kept_for_their_device_and_taken_in_once(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let luebeck = ags("010030000");
    let entry = DirectoryEntry {
        key: luebeck.clone(),
        name: "Hansestadt Lübeck".into(),
        email: Email::parse("meldungen@luebeck.example").expect("mail"),
    };
    store.put_directory(vec![entry.clone()], Utc::now()).await.expect("put");
    assert_eq!(store.get_directory(&luebeck).await.expect("get"), entry);

    let device = DeviceId::new_random();
    store
        .create_device(device, "hash-a".into(), None, None)
        .await
        .expect("device");
    let m = mailed(device, &luebeck);
    let job = mail_job(&m.report);
    assert!(matches!(
        store.insert_mailed(m.clone(), vec![job.clone()]).await,
        Ok(Inserted::Created(_))
    ));
    // A retry stores nothing twice: neither the report nor its mail.
    assert!(matches!(
        store.insert_mailed(m.clone(), vec![job]).await,
        Ok(Inserted::Existing(_))
    ));
    assert_eq!(store.report_jobs(&luebeck, &m.report.id).await.expect("jobs").len(), 1);
    assert_eq!(store.mailed_counts().await.expect("counts"), vec![(luebeck.clone(), 1)]);
    assert_eq!(store.device_mailed(&device).await.expect("device").len(), 1);
    let stranger = DeviceId::new_random();
    store
        .create_device(stranger, "hash-b".into(), None, None)
        .await
        .expect("device");
    assert!(matches!(
        store.get_device_mailed(&stranger, &m.report.id).await,
        Err(StoreError::NotFound)
    ));

    // Lübeck joins; its mailed report enters the inbox once, as a report of the tenant.
    store
        .create_municipality(MunicipalityRecord {
            ags: luebeck.clone(),
            name: "Hansestadt Lübeck".into(),
            categories: CategoryTree::from_json(include_str!("../../../data/categories.json")).expect("tree"),
            settings: serde_json::from_value(serde_json::json!({
                "working_hours": {"timezone": "Europe/Berlin", "days": [1, 2, 3, 4, 5], "start": "07:00", "end": "16:00"},
                "authorities": [], "accent_color": null
            }))
            .expect("settings"),
            config_version: 1,
        })
        .await
        .expect("tenant");
    let mut report = m.report.clone();
    report.status = Status::Received;
    let write = ReportWrite::new(report.clone(), Vec::new(), Vec::new());
    assert!(matches!(
        store.take_mailed(write.clone(), Utc::now()).await,
        Ok(Inserted::Created(_))
    ));
    assert!(matches!(
        store.take_mailed(write, Utc::now()).await,
        Ok(Inserted::Existing(_))
    ));
    assert!(store.mailed_reports(&luebeck).await.expect("left").is_empty());
    assert!(store.device_mailed(&device).await.expect("device").is_empty());
    assert_eq!(
        store
            .get_device_report(&device, &report.id)
            .await
            .expect("in reports")
            .status,
        Status::Received
    );

    store.delete_directory(&luebeck).await.expect("delete");
    assert!(matches!(
        store.delete_directory(&luebeck).await,
        Err(StoreError::NotFound)
    ));
}

both!(mailed_reports_are_kept_for_their_device_and_taken_in_once);
