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

/// Tenants before issue 26 were one Gemeinde each: after the upgrade their reports lie in
/// that Gemeinde, nothing else changes, and the inbox and statistics see them per Gemeinde.
#[tokio::test]
async fn schema_5_tenants_keep_their_data_and_their_reports_get_their_gemeinde() {
    use augenmerk_domain::api::ReportQuery;
    use augenmerk_domain::{Ags, ReportId};
    use augenmerk_store::Store;

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("augenmerk.db");
    let id = ReportId::new_random();
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for sql in [
            include_str!("../src/sqlite/migrations/0001_initial.sql"),
            include_str!("../src/sqlite/migrations/0002_open311.sql"),
            include_str!("../src/sqlite/migrations/0003_followers.sql"),
            include_str!("../src/sqlite/migrations/0004_photo_owners.sql"),
            include_str!("../src/sqlite/migrations/0005_outbox.sql"),
        ] {
            conn.execute_batch(sql).expect("older schema");
        }
        conn.execute_batch(&format!(
            "PRAGMA user_version = 5;
             INSERT INTO boundaries VALUES ('01001000', 'Flensburg', '{{}}');
             INSERT INTO municipalities VALUES ('01001000', 'Flensburg', '{{\"categories\":[]}}',
                 '{{\"working_hours\":{{\"timezone\":\"Europe/Berlin\",\"days\":[1],\"start\":\"07:00\",\"end\":\"16:00\"}},\"authorities\":[],\"accent_color\":null}}', 7);
             INSERT INTO reports (id, ags, category, answers, description, lat, lon, photos, consent, status,
                 priority, channel, created_at, received_at, updated_at, department)
             VALUES ('{id}', '01001000', 'schlagloch', '{{}}', 'alt', 54.78, 9.43, '[]', 1, 'assigned', 'normal',
                 'app', '2026-05-01T10:00:00.000000000Z', '2026-05-01T10:00:00.000000000Z',
                 '2026-05-02T10:00:00.000000000Z', 'tiefbau');
             INSERT INTO audit (report_id, at, actor, action) VALUES
                 ('{id}', '2026-05-01T10:00:00.000000000Z', '{{\"kind\":\"system\"}}', '{{\"type\":\"created\",\"channel\":\"app\"}}');"
        ))
        .expect("data of schema 5");
    }
    let store = SqliteStore::open(&path).expect("upgrade");
    let flensburg = Ags::parse("01001000").expect("ags");
    let report = store.get_report(&flensburg, &id).await.expect("report kept");
    assert_eq!(report.gemeinde, flensburg, "its Gemeinde is the tenant's");
    assert_eq!(
        (
            report.description.as_str(),
            report.department.as_ref().map(|d| d.as_str())
        ),
        ("alt", Some("tiefbau"))
    );
    assert_eq!(
        store
            .get_municipality(&flensburg)
            .await
            .expect("tenant kept")
            .config_version,
        7
    );
    assert_eq!(store.list_audit(&flensburg, &id).await.expect("audit kept").len(), 1);
    let boundary = &store.list_boundaries().await.expect("boundaries")[0];
    assert_eq!(
        (boundary.name.as_str(), boundary.administration.as_ref()),
        ("Flensburg", None)
    );
    let by_gemeinde = ReportQuery {
        gemeinde: Some(flensburg.clone()),
        ..Default::default()
    };
    let now = chrono::Utc::now();
    assert_eq!(
        store
            .query_reports(&flensburg, &by_gemeinde, None, now)
            .await
            .expect("query")
            .total,
        1
    );
    let from = now - chrono::Duration::days(3650);
    let stats = store.statistics(&flensburg, from, now, None, now).await.expect("stats");
    assert_eq!(stats.by_gemeinde, vec![("01001000".to_owned(), 1)]);
}

/// Before issue 17 no closing time and no last request were kept: after the upgrade a
/// closed report closes when its history says so, and a device was last seen when it
/// registered.
#[tokio::test]
async fn schema_6_reports_get_their_closing_time_and_devices_their_last_request() {
    use augenmerk_domain::privacy::ErasureScope;
    use augenmerk_domain::{Ags, ReportId};
    use augenmerk_store::PrivacyStore;
    use chrono::{DateTime, Utc};

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("augenmerk.db");
    let (closed, closed_quietly, open) = (ReportId::new_random(), ReportId::new_random(), ReportId::new_random());
    let device = augenmerk_domain::DeviceId::new_random();
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for sql in [
            include_str!("../src/sqlite/migrations/0001_initial.sql"),
            include_str!("../src/sqlite/migrations/0002_open311.sql"),
            include_str!("../src/sqlite/migrations/0003_followers.sql"),
            include_str!("../src/sqlite/migrations/0004_photo_owners.sql"),
            include_str!("../src/sqlite/migrations/0005_outbox.sql"),
            include_str!("../src/sqlite/migrations/0006_administrations.sql"),
        ] {
            conn.execute_batch(sql).expect("older schema");
        }
        let report = |id: &ReportId, status: &str, updated: &str| {
            format!(
                "INSERT INTO reports (id, ags, category, answers, description, lat, lon, photos, consent, status,
                     priority, channel, created_at, received_at, updated_at, gemeinde)
                 VALUES ('{id}', '01001000', 'schlagloch', '{{}}', 'alt', 54.78, 9.43, '[]', 1, '{status}',
                     'normal', 'app', '2026-05-01T10:00:00.000000000Z', '2026-05-01T10:00:00.000000000Z',
                     '{updated}', '01001000');"
            )
        };
        conn.execute_batch(&format!(
            "PRAGMA user_version = 6;
             INSERT INTO municipalities VALUES ('01001000', 'Flensburg', '{{\"categories\":[]}}', '{{}}', 1);
             INSERT INTO devices (id, token_hash, created_at) VALUES ('{device}', 'h', '2026-04-01T09:00:00.000000000Z');
             {} {} {}
             INSERT INTO events (report_id, kind, payload, at) VALUES
                 ('{closed}', 'status', '{{\"from\":\"resolved\",\"to\":\"closed\",\"comment\":null,\"at\":\"2026-05-03T10:00:00.000000000Z\"}}',
                  '2026-05-03T10:00:00.000000000Z');",
            report(&closed, "closed", "2026-05-04T10:00:00.000000000Z"),
            report(&closed_quietly, "closed", "2026-05-05T10:00:00.000000000Z"),
            report(&open, "in_progress", "2026-05-02T10:00:00.000000000Z"),
        ))
        .expect("data of schema 6");
    }
    let store = SqliteStore::open(&path).expect("upgrade");
    let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc);
    let flensburg = Ags::parse("01001000").expect("ags");
    let due = |before| store.retention_due(&flensburg, ErasureScope::Content, at(before), 10);
    assert_eq!(due("2026-05-04T00:00:00Z").await.expect("due"), vec![closed]);
    assert_eq!(
        due("2026-06-01T00:00:00Z").await.expect("due"),
        vec![closed, closed_quietly],
        "without a closing event the last update counts"
    );
    let idle = store.idle_devices(at("2026-04-02T00:00:00Z"), 10).await.expect("idle");
    assert_eq!(
        idle.iter().map(|d| (d.id, d.last_seen)).collect::<Vec<_>>(),
        vec![(device, at("2026-04-01T09:00:00Z"))]
    );
    assert!(
        store
            .idle_devices(at("2026-04-01T08:00:00Z"), 10)
            .await
            .expect("idle")
            .is_empty()
    );
}

/// Issue 20: the public map leaves out what the municipality turned down in SQL, by a
/// column the upgrade fills from the recorded history.
#[tokio::test]
async fn schema_7_marks_the_reports_turned_down_so_the_public_map_leaves_them_out() {
    use augenmerk_domain::ReportId;
    use augenmerk_domain::public_map::PublicFilter;
    use augenmerk_store::PublicMapStore;

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("augenmerk.db");
    let ids: Vec<ReportId> = (0..4).map(|_| ReportId::new_random()).collect();
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for sql in [
            include_str!("../src/sqlite/migrations/0001_initial.sql"),
            include_str!("../src/sqlite/migrations/0002_open311.sql"),
            include_str!("../src/sqlite/migrations/0003_followers.sql"),
            include_str!("../src/sqlite/migrations/0004_photo_owners.sql"),
            include_str!("../src/sqlite/migrations/0005_outbox.sql"),
            include_str!("../src/sqlite/migrations/0006_administrations.sql"),
            include_str!("../src/sqlite/migrations/0007_privacy.sql"),
        ] {
            conn.execute_batch(sql).expect("older schema");
        }
        let mut sql = String::from(
            "PRAGMA user_version = 7;
             INSERT INTO municipalities VALUES ('01001000', 'Flensburg', '{\"categories\":[]}', '{}', 1);",
        );
        // rejected; rejected then closed; resolved then closed; in progress.
        let cases = [
            ("rejected", &["rejected"][..]),
            ("closed", &["rejected", "closed"][..]),
            ("closed", &["resolved", "closed"][..]),
            ("in_progress", &["in_progress"][..]),
        ];
        for (id, (status, steps)) in ids.iter().zip(cases) {
            sql.push_str(&format!(
                "INSERT INTO reports (id, ags, category, answers, description, lat, lon, photos, consent, status,
                     priority, channel, created_at, received_at, updated_at, gemeinde)
                 VALUES ('{id}', '01001000', 'schlagloch', '{{}}', 'alt', 54.78, 9.43, '[]', 1, '{status}',
                     'normal', 'app', '2026-05-01T10:00:00.000000000Z', '2026-05-01T10:00:00.000000000Z',
                     '2026-05-01T10:00:00.000000000Z', '01001000');"
            ));
            for to in steps {
                sql.push_str(&format!(
                    "INSERT INTO events (report_id, kind, payload, at) VALUES ('{id}', 'status',
                         '{{\"from\":null,\"to\":\"{to}\",\"comment\":null,\"at\":\"2026-05-02T10:00:00.000000000Z\"}}',
                         '2026-05-02T10:00:00.000000000Z');"
                ));
            }
        }
        conn.execute_batch(&sql).expect("data of schema 7");
    }
    let store = SqliteStore::open(&path).expect("upgrade");
    let (rows, total) = store
        .public_reports(&PublicFilter::default(), None, &[], 0, 10)
        .await
        .expect("public reports");
    let mut shown: Vec<ReportId> = rows.iter().map(|r| r.report.id).collect();
    shown.sort();
    let mut expected = vec![ids[2], ids[3]];
    expected.sort();
    assert_eq!((shown, total), (expected, 2));
}
