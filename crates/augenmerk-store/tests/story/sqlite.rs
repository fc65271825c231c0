//! SQLite specifics: a reopened database keeps its data, a newer schema is refused and
//! left alone.

use augenmerk_store::{SqliteStore, Store, StoreError};

use crate::common::{intake, report_in as report};
use crate::fixtures::municipality;

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
    assert_eq!(
        store.list_status_changes(&r.municipality, &r.id).await.unwrap().len(),
        1
    );
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
