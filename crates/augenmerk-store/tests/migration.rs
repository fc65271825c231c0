//! Upgrading a database of schema 1 keeps its data and fills the statistics columns from
//! the history already recorded.

use augenmerk_store::SqliteStore;

#[test]
fn schema_1_is_upgraded_with_its_reports_and_their_response_times() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("augenmerk.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(include_str!("../src/sqlite/migrations/0001_initial.sql"))
            .expect("schema 1");
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO municipalities VALUES ('01001000', 'Flensburg', '{\"categories\":[]}', '{}', 1);
             INSERT INTO reports (id, ags, category, answers, description, lat, lon, photos, consent, status,
                 priority, channel, created_at, received_at, updated_at)
             VALUES ('r1', '01001000', 'schlagloch', '{}', 'alt', 54.78, 9.43, '[]', 1, 'resolved', 'normal',
                 'app', '2026-05-01T10:00:00Z', '2026-05-01T10:00:00Z', '2026-05-02T10:00:00Z');
             INSERT INTO events (report_id, device_id, kind, payload, at) VALUES
                 ('r1', NULL, 'status', '{\"from\":null,\"to\":\"received\",\"comment\":null,\"at\":\"2026-05-01T10:00:00Z\"}', '2026-05-01T10:00:00Z'),
                 ('r1', NULL, 'status', '{\"from\":\"received\",\"to\":\"in_progress\",\"comment\":null,\"at\":\"2026-05-01T12:00:00Z\"}', '2026-05-01T12:00:00Z'),
                 ('r1', NULL, 'status', '{\"from\":\"in_progress\",\"to\":\"resolved\",\"comment\":null,\"at\":\"2026-05-02T10:00:00Z\"}', '2026-05-02T10:00:00Z');
             INSERT INTO messages (id, report_id, author, body, created_at)
                 VALUES ('m1', 'r1', 'municipality', 'Danke', '2026-05-01T11:00:00Z');",
        )
        .expect("data of schema 1");
    }
    drop(SqliteStore::open(&path).expect("upgrade"));
    let conn = rusqlite::Connection::open(&path).expect("reopen");
    let (version, description, first, resolution): (i64, String, f64, f64) = conn
        .query_row(
            "SELECT (SELECT user_version FROM pragma_user_version), description, first_response_secs, resolution_secs
             FROM reports WHERE id = 'r1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("upgraded row");
    assert_eq!(i64::from(augenmerk_store::sqlite::SCHEMA_VERSION), version);
    assert_eq!(description, "alt", "data kept");
    assert!(
        (first - 3_600.0).abs() < 1.0,
        "the message after one hour is the first response: {first}"
    );
    assert!(
        (resolution - 86_400.0).abs() < 1.0,
        "resolved after a day: {resolution}"
    );
}
