//! Privacy housekeeping in the store: idle devices and their deletion, unused photos,
//! mailed reports that expire, single-use erasure tokens, and the daily run that only one
//! instance claims.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use chrono::{Duration, Utc};

use augenmerk_store::{MailedReport, Store, StoreError, Uploader};
use common::*;

async fn devices_are_marked_hourly_and_deleted_without_their_reports(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let a = municipality(store, "01001000").await;
    let b = municipality(store, "01002000").await;
    let (dev, token) = device(store).await;
    let (quiet, _) = device(store).await;
    let (other, _) = device(store).await;
    let now = Utc::now();
    for m in [&a, &b, &a] {
        store.insert_report(intake(&report(m, Some(dev), 0))).await.unwrap();
    }

    // Registration counts as seen: nobody is idle before it.
    assert!(
        store
            .idle_devices(now - Duration::minutes(5), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let idle = store.idle_devices(now + Duration::minutes(5), 10).await.unwrap();
    assert_eq!(idle.len(), 3);
    let mine = idle.iter().find(|d| d.id == dev).unwrap();
    assert_eq!(mine.municipalities, vec![a.clone(), b.clone()]);
    assert!((mine.last_seen - now).num_seconds().abs() < 60);
    assert!(idle.iter().find(|d| d.id == quiet).unwrap().municipalities.is_empty());

    // A request two hours later marks it; another ten minutes later does not write.
    store.touch_device(&dev, now + Duration::hours(2)).await.unwrap();
    store.touch_device(&dev, now + Duration::minutes(130)).await.unwrap();
    let idle_ids = |before| {
        let store = &store;
        async move {
            let mut ids: Vec<_> = store
                .idle_devices(before, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|d| d.id)
                .collect();
            ids.sort();
            ids
        }
    };
    let mut quiet_ones = vec![quiet, other];
    quiet_ones.sort();
    assert_eq!(idle_ids(now + Duration::hours(1)).await, quiet_ones);
    assert!(
        idle_ids(now + Duration::minutes(125)).await.contains(&dev),
        "the second touch was throttled"
    );
    assert_eq!(
        store.idle_devices(now + Duration::days(1), 1).await.unwrap().len(),
        1,
        "limit"
    );

    // Deleting: the token stops working, reports and feed stay without the device.
    let followed = report(&a, Some(other), 1);
    store.insert_report(intake(&followed)).await.unwrap();
    store.follow_report(&dev, &followed.id, t(2), 10).await.unwrap();
    let photo = blob(store, 4).await;
    store
        .record_upload(&photo, &Uploader::Device(dev), 1000, t(0))
        .await
        .unwrap();
    let mut mailed = report(&ags("01003000"), Some(dev), 3);
    mailed.photos = vec![photo.clone()];
    store
        .insert_mailed(
            MailedReport {
                report: mailed.clone(),
                administration: ags("01003000"),
                mailed_to: "Amt Nord".into(),
                created_at: t(3),
            },
            vec![],
        )
        .await
        .unwrap();
    store.delete_device(&dev).await.unwrap();
    assert!(matches!(store.get_device(&token).await, Err(StoreError::NotFound)));
    assert!(store.device_reports(&dev).await.unwrap().is_empty());
    assert!(store.followed_reports(&dev).await.unwrap().is_empty());
    assert!(store.device_changes(&dev, 0, 100).await.unwrap().is_empty());
    assert!(store.device_mailed(&dev).await.unwrap().is_empty());
    assert_eq!(
        store.mailed_reports(&ags("01003000")).await.unwrap().len(),
        1,
        "the mailed report stays"
    );
    assert!(!store.blob_visible_to(&photo, Some(&dev), None).await.unwrap());
    let kept = store.query_reports(&a, &Default::default(), None, now).await.unwrap();
    assert_eq!(kept.total, 3, "the municipality keeps its reports");
    assert!(kept.items.iter().all(|r| r.device_id != Some(dev)));
    store.delete_device(&dev).await.unwrap();
    assert!(
        !store
            .idle_devices(now + Duration::days(1), 10)
            .await
            .unwrap()
            .iter()
            .any(|d| d.id == dev)
    );
}

async fn unused_photos_are_found_and_forgotten_unless_used_again(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let a = municipality(store, "01001000").await;
    let (dev, _) = device(store).await;
    let (unused, in_report, by_staff, mailed_photo) = (
        blob(store, 1).await,
        blob(store, 2).await,
        blob(store, 3).await,
        blob(store, 4).await,
    );
    for h in [&unused, &in_report] {
        store
            .record_upload(h, &Uploader::Device(dev), 1000, t(0))
            .await
            .unwrap();
    }
    store
        .record_upload(&by_staff, &Uploader::Municipality(a.clone()), 1000, t(0))
        .await
        .unwrap();
    let mut r = report(&a, Some(dev), 0);
    r.photos = vec![in_report.clone()];
    store.insert_report(intake(&r)).await.unwrap();
    let mut m = report(&ags("01003000"), Some(dev), 1);
    m.photos = vec![mailed_photo.clone()];
    store
        .insert_mailed(
            MailedReport {
                report: m,
                administration: ags("01003000"),
                mailed_to: "Amt Nord".into(),
                created_at: t(1),
            },
            vec![],
        )
        .await
        .unwrap();

    let now = Utc::now();
    assert!(
        store
            .unused_blobs(now - Duration::hours(1), 10)
            .await
            .unwrap()
            .is_empty(),
        "too young"
    );
    assert_eq!(
        store.unused_blobs(now + Duration::hours(1), 10).await.unwrap(),
        vec![unused.clone()]
    );
    let forgotten = store
        .forget_blobs(&[
            unused.clone(),
            in_report.clone(),
            by_staff.clone(),
            mailed_photo.clone(),
        ])
        .await
        .unwrap();
    assert_eq!(forgotten, vec![unused.clone()]);
    assert!(matches!(store.get_blob(&unused).await, Err(StoreError::NotFound)));
    assert!(
        !store.blob_visible_to(&unused, Some(&dev), None).await.unwrap(),
        "upload record gone"
    );
    assert!(store.get_blob(&in_report).await.is_ok());

    // Mailed reports nobody took in expire; their photos are then unused.
    let expired = store.expire_mailed(t(1)).await.unwrap();
    assert_eq!(expired.reports, 0, "not older than the cutoff");
    let expired = store.expire_mailed(t(2)).await.unwrap();
    assert_eq!(
        (expired.reports, expired.orphaned_photos),
        (1, vec![mailed_photo.clone()])
    );
    assert_eq!(
        store.unused_blobs(now + Duration::hours(1), 10).await.unwrap(),
        vec![mailed_photo]
    );
}

async fn mailed_reports_are_erased_by_device_or_address(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let (dev, _) = device(store).await;
    let admin = ags("01003000");
    let mailed = |device, contact: Option<&str>, at| {
        let mut r = report(&admin, device, at);
        r.contact_email = contact.map(email);
        MailedReport {
            report: r,
            administration: admin.clone(),
            mailed_to: "Amt Nord".into(),
            created_at: t(at),
        }
    };
    for m in [
        mailed(Some(dev), None, 0),
        mailed(None, Some("Anna@Example.org"), 1),
        mailed(None, Some("bob@example.org"), 2),
    ] {
        store.insert_mailed(m, vec![]).await.unwrap();
    }
    assert_eq!(store.erase_mailed(None, None).await.unwrap().reports, 0);
    assert_eq!(
        store
            .erase_mailed(None, Some(&email("anna@example.ORG")))
            .await
            .unwrap()
            .reports,
        1
    );
    assert_eq!(store.erase_mailed(Some(&dev), None).await.unwrap().reports, 1);
    let left = store.mailed_reports(&admin).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].report.contact_email, Some(email("bob@example.org")));
}

async fn erasure_tokens_are_single_use_and_expire(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let now = Utc::now();
    let later = now + Duration::hours(24);
    store
        .create_erasure_token("h1", &email("Anna@Example.org"), later)
        .await
        .unwrap();
    store
        .create_erasure_token("h2", &email("bob@example.org"), later)
        .await
        .unwrap();
    assert!(matches!(
        store.create_erasure_token("h1", &email("x@example.org"), later).await,
        Err(StoreError::Duplicate(_))
    ));
    assert_eq!(
        store.take_erasure_token("h1", now).await.unwrap(),
        email("anna@example.org")
    );
    assert!(matches!(
        store.take_erasure_token("h1", now).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.take_erasure_token("unknown", now).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.take_erasure_token("h2", later + Duration::seconds(1)).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .take_erasure_token("h2", later - Duration::seconds(1))
            .await
            .unwrap(),
        email("bob@example.org")
    );
}

async fn a_schedule_is_claimed_by_one_instance_at_a_time(shared: &Arc<dyn Store>) {
    let store = Arc::clone(shared);
    let (now, first) = (t(0), t(60));
    // Seen for the first time: created due at `first`, not claimed.
    assert!(!store.claim_schedule("retention", now, t(30), first).await.unwrap());
    assert_eq!(store.next_run("retention").await.unwrap(), Some(first));
    assert!(
        !store.claim_schedule("retention", t(59), t(90), first).await.unwrap(),
        "not due"
    );
    // Due: of many instances asking at once, one gets it.
    let claims: Vec<_> = (0..8)
        .map(|_| {
            let store = Arc::clone(shared);
            tokio::spawn(async move { store.claim_schedule("retention", t(61), t(120), t(0)).await.unwrap() })
        })
        .collect();
    let mut won = 0;
    for c in claims {
        won += usize::from(c.await.unwrap());
    }
    assert_eq!(won, 1);
    assert_eq!(store.next_run("retention").await.unwrap(), Some(t(120)), "leased");
    assert!(!store.claim_schedule("retention", t(119), t(200), t(0)).await.unwrap());
    // A run that finished sets the next run itself; a crashed one's lease runs out.
    assert!(store.claim_schedule("retention", t(120), t(180), t(0)).await.unwrap());
}

async fn consent_version_is_stored_with_the_report(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let a = municipality(store, "01001000").await;
    let mut r = report(&a, None, 0);
    r.consent_version = Some(4);
    store.insert_report(intake(&r)).await.unwrap();
    assert_eq!(store.get_report(&a, &r.id).await.unwrap().consent_version, Some(4));
    let plain = report(&a, None, 1);
    store.insert_report(intake(&plain)).await.unwrap();
    assert_eq!(store.get_report(&a, &plain.id).await.unwrap().consent_version, None);
}

both!(
    devices_are_marked_hourly_and_deleted_without_their_reports,
    unused_photos_are_found_and_forgotten_unless_used_again,
    mailed_reports_are_erased_by_device_or_address,
    erasure_tokens_are_single_use_and_expire,
    a_schedule_is_claimed_by_one_instance_at_a_time,
    consent_version_is_stored_with_the_report
);
