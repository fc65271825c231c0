//! Crash safety: the command line killed with SIGKILL at random points of a sync, and the
//! server killed during intake. Nothing is lost, nothing arrives twice.

use std::collections::BTreeSet;
use std::os::unix::process::ExitStatusExt;
use std::sync::Arc;
use std::time::Duration;

use rand::{Rng, SeedableRng};

use augenmerk_client::{Client, ClientOptions, RetryPolicy, SyncOptions, SyncState};

use crate::support::{Cli, anonymized_jpeg, pothole_draft, sha256_hex};
use augenmerk_tests::{Server, Staff, models_dir};

/// A library client on `data` (the same directory the command line uses).
fn library_client(data: &std::path::Path, server: &str, retry: RetryPolicy) -> Client {
    let mut options = ClientOptions::new(data, Some(server.to_owned()));
    options.models_dir = Some(models_dir());
    options.retry = retry;
    Client::open(options).expect("open client")
}

fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 2,
        base: Duration::from_millis(20),
        cap: Duration::from_millis(100),
        max_retry_after: Duration::from_millis(100),
    }
}

/// Queues a pothole report with `photos` new photos. The photos are noise images stored
/// as anonymizer output without running the models: this is about the queue, and it keeps
/// the test fast enough to crash a sync many times.
fn queue_report(client: &Client, n: u64, photos: u64) -> String {
    let mut hashes = Vec::new();
    for p in 0..photos {
        let bytes = anonymized_jpeg(320, 240, n * 10 + p);
        hashes.push(client.store_prepared_photo(&bytes).expect("store photo"));
    }
    client
        .create_report(pothole_draft(n, hashes))
        .expect("queue report")
        .to_string()
}

/// Checks that the server holds exactly `expected` reports with exactly their photos.
async fn assert_exactly_on_server(staff: &Staff, client: &Client) {
    let local = client.reports().expect("local reports");
    let on_server: Vec<String> = staff.all_report_ids().await;
    let unique: BTreeSet<&String> = on_server.iter().collect();
    assert_eq!(unique.len(), on_server.len(), "no report twice");
    let local_ids: BTreeSet<String> = local.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(
        unique.into_iter().cloned().collect::<BTreeSet<_>>(),
        local_ids,
        "every report exactly once"
    );
    for r in &local {
        assert_eq!(r.sync_state, SyncState::Sent, "{r:?}");
        let detail = staff.get(&format!("/api/v1/staff/reports/{}", r.id)).await;
        let photos: Vec<String> = detail["report"]["photos"]
            .as_array()
            .map(|a| a.iter().filter_map(|h| h.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        let expected: Vec<String> = r.photos.iter().map(|h| h.as_str().to_owned()).collect();
        assert_eq!(photos, expected, "report {} has all its photos, in order", r.id);
        for h in &photos {
            let bytes = staff.bytes(&format!("/api/v1/blobs/{h}")).await;
            assert_eq!(&sha256_hex(&bytes), h, "photo {h} arrived intact");
        }
    }
}

/// The local store is consistent: SQLite's own check, and every photo file matches its name.
fn assert_local_store_consistent(data: &std::path::Path, client: &Client) {
    assert_eq!(sqlite_integrity_check(data), "ok");
    for r in client.reports().expect("reports") {
        for h in &r.photos {
            let bytes = std::fs::read(client.photo_path(h)).expect("photo file exists");
            assert_eq!(&sha256_hex(&bytes), h.as_str());
        }
    }
    let (reports, replies) = client.pending_count().expect("pending");
    assert_eq!((reports, replies), (0, 0));
}

/// `PRAGMA integrity_check` of the client's database.
fn sqlite_integrity_check(data: &std::path::Path) -> String {
    augenmerk_client::integrity_check(&data.join("augenmerk.sqlite")).expect("integrity check")
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_the_cli_at_random_points_of_a_sync_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::client(&dir.path().join("server"));
    let data = dir.path().join("citizen");
    let client = library_client(&data, &server.url, quick_retry());
    client.refresh_configuration().await.expect("configuration");
    let cli = Cli::new(data.clone(), &server.url);
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    for n in 0..30 {
        queue_report(&client, n, n % 3);
    }
    let mut kills = 0;
    let mut rounds = 0u64;
    while kills < 50 {
        rounds += 1;
        assert!(
            rounds < 300,
            "could not kill a running sync 50 times ({kills} in {rounds} rounds)"
        );
        // New work for every round, so kills keep landing in the middle of something.
        queue_report(&client, 100 + rounds, rounds % 3);
        queue_report(&client, 1_000 + rounds, 0);
        let mut child = cli.command(&["sync"]).spawn().expect("start sync");
        std::thread::sleep(Duration::from_millis(rng.random_range(5..90)));
        let _ = child.kill();
        let status = child.wait().expect("wait");
        if status.signal() == Some(9) {
            kills += 1;
        }
    }
    // Sync to completion (a retry may hit a sync still cleaning up: try a few times).
    let mut done = false;
    for _ in 0..10 {
        let out = cli.run(&["sync"]);
        if out.status.success() && client.pending_count().expect("pending") == (0, 0) {
            done = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(done, "the queue drains after the crashes");
    let staff = Staff::login(&server.url, "dispatcher").await;
    assert_exactly_on_server(&staff, &client).await;
    assert_local_store_consistent(&data, &client);
    eprintln!(
        "killed {kills} syncs in {rounds} rounds; {} reports",
        client.reports().expect("reports").len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_the_server_during_intake_loses_no_acknowledged_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server_dir = dir.path().join("server");
    let mut server = Server::client(&server_dir);
    let port = server.port;
    let data = dir.path().join("citizen");
    let client = Arc::new(library_client(&data, &server.url, quick_retry()));
    client.refresh_configuration().await.expect("configuration");
    for n in 0..300 {
        queue_report(&client, n, u64::from(n.is_multiple_of(25)));
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(311);
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 30, "the queue did not drain");
        let syncing = {
            let client = client.clone();
            tokio::spawn(async move { client.sync(&SyncOptions::default()).await })
        };
        tokio::time::sleep(Duration::from_millis(rng.random_range(20..400))).await;
        server.kill();
        let _ = syncing.await.expect("sync task");
        let acknowledged: Vec<String> = client
            .reports()
            .expect("reports")
            .into_iter()
            .filter(|r| r.sync_state == SyncState::Sent)
            .map(|r| r.id.to_string())
            .collect();
        server = Server::client_on(&server_dir, port);
        let staff = Staff::login(&server.url, "dispatcher").await;
        let on_server: BTreeSet<String> = staff.all_report_ids().await.into_iter().collect();
        for id in &acknowledged {
            assert!(
                on_server.contains(id),
                "report {id} was acknowledged, then lost in a crash"
            );
        }
        if acknowledged.len() == 300 {
            assert_exactly_on_server(&staff, &client).await;
            break;
        }
    }
    assert!(rounds >= 2, "the server was killed during intake at least once");
}
