//! Staff accounts per tenant (and the platform admins' shared namespace), their
//! credentials, sessions and how account changes end them, and device registration.

use chrono::{Duration, Utc};
use std::sync::Arc;

use augenmerk_domain::staff::Role;
use augenmerk_domain::{DepartmentId, DeviceId};
use augenmerk_store::{Store, StoreError};

use crate::common::{both, t};
use crate::fixtures::{is_not_found, municipality, staff};

async fn staff_accounts_sessions_and_devices(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
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

both!(staff_accounts_sessions_and_devices);
