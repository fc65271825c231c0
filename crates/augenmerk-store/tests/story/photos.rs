//! Photos: blobs stored once by hash, who may see them (their report's device and
//! municipality), and uploads that belong to their uploader and count against its quota.

use augenmerk_store::{BlobRecord, Store};
use std::sync::Arc;

use crate::common::{both, hash, intake, report_in as report, t};
use crate::fixtures::{device, is_not_found, municipality};

async fn blobs_and_who_may_see_them(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
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

async fn photos_belong_to_their_uploaders_and_count_against_their_quota(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
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

both!(
    blobs_and_who_may_see_them,
    photos_belong_to_their_uploaders_and_count_against_their_quota
);
