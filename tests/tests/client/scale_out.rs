//! Several instances (issue 18): two servers on one PostgreSQL database and one S3 bucket
//! (SeaweedFS), behind a round-robin proxy that also breaks connections. The client's
//! queue drains through it while one instance is killed: every report arrives exactly
//! once, every photo is readable through either instance, and a login rate limit holds
//! across both.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use augenmerk_client::{Client, ClientOptions, RetryPolicy, SyncOptions};
use augenmerk_tests::chaos::{ChaosProxy, Faults};
use augenmerk_tests::server::ServerSetup;
use augenmerk_tests::{FLENSBURG, Staff, backend, models_dir};

use crate::support::{anonymized_jpeg, pothole_draft, sha256_hex};

const REPORTS: u64 = 60;

/// An instance of the shared deployment: its own data directory (logs, mail files), the
/// shared database and bucket.
fn instance(dir: &Path, name: &str, database: &str, s3: &augenmerk_testenv::s3::S3Server) -> ServerSetup {
    ServerSetup::client(&dir.join(name))
        // The default login limits, which this test checks across the two instances.
        .env("AUGENMERK__LOGIN_ATTEMPTS_PER_MINUTE", "10")
        .env("AUGENMERK__RATE_LIMITS__LOGIN_PER_ADDRESS", "30")
        .env("AUGENMERK__DATABASE_URL", database)
        .env("AUGENMERK__OBJECT_STORE__ENDPOINT", &s3.endpoint)
        .env("AUGENMERK__OBJECT_STORE__BUCKET", &s3.bucket)
        .env("AUGENMERK__OBJECT_STORE__REGION", &s3.region)
        .env("AUGENMERK__OBJECT_STORE__ACCESS_KEY_ID", &s3.access_key)
        .env("AUGENMERK__OBJECT_STORE__SECRET_ACCESS_KEY", &s3.secret_key)
        .env(
            "AUGENMERK__OBJECT_STORE__PREFIX",
            format!("scale-out-{}/", std::process::id()),
        )
}

fn address(port: u16) -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], port))
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_share_reports_photos_and_limits_and_losing_one_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = backend::postgres_database(None);
    let s3 = augenmerk_testenv::s3::shared().expect("SeaweedFS");
    let setup_a = instance(dir.path(), "a", &database, s3);
    let setup_b = instance(dir.path(), "b", &database, s3);
    // One after the other: the first migrates and seeds the demo, the second finds both done.
    let mut a = setup_a.start();
    let b = setup_b.start();
    let proxy = ChaosProxy::round_robin(vec![address(a.port), address(b.port)], Faults::default(), 18)
        .await
        .expect("proxy");

    let mut options = ClientOptions::new(dir.path().join("citizen"), Some(proxy.url()));
    options.models_dir = Some(models_dir());
    options.retry = RetryPolicy {
        attempts: 3,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(200),
        max_retry_after: Duration::from_millis(200),
    };
    let client = Client::open(options).expect("client");
    client.refresh_configuration().await.expect("configuration");
    let mut queued = BTreeSet::new();
    for n in 0..REPORTS {
        let photos = if n % 4 == 0 {
            vec![
                client
                    .store_prepared_photo(&anonymized_jpeg(320, 240, n))
                    .expect("photo"),
            ]
        } else {
            Vec::new()
        };
        queued.insert(
            client
                .create_report(pothole_draft(n, photos))
                .expect("queue")
                .to_string(),
        );
    }

    proxy.set_faults(Faults {
        refuse: 0.05,
        delay: 0.1,
        max_delay: Duration::from_millis(30),
        truncate_request: 0.05,
        truncate_response: 0.1,
        reset_after: 0.05,
        // Connections end after a random number of bytes below this: above a photo's
        // size, so that uploads get through between the cuts.
        max_connection_bytes: 512 * 1024,
    });
    let mut runs = 0;
    let mut killed = false;
    let sync_options = SyncOptions::default();
    while client.pending_count().expect("pending") != (0, 0) {
        runs += 1;
        assert!(runs <= 300, "the queue did not drain through the two instances");
        let sync = client.sync(&sync_options);
        if killed {
            if let Err(e) = sync.await {
                eprintln!("sync interrupted: {e}");
            }
            continue;
        }
        // Instance A dies in the middle of the first sync (SIGKILL: no shutdown at all).
        let (result, pending_at_kill) = tokio::join!(sync, async {
            tokio::time::sleep(Duration::from_millis(150)).await;
            let pending = client.pending_count().expect("pending");
            a.kill();
            pending
        });
        killed = true;
        assert_ne!(pending_at_kill, (0, 0), "the kill came in the middle of the sync");
        if let Err(e) = result {
            eprintln!("sync interrupted by the kill: {e}");
        }
    }
    assert!(killed, "instance A was killed during the sync");

    // Every report exactly once, whichever instance took it.
    let staff_b = Staff::login(&b.url, "dispatcher").await;
    let on_server = staff_b.all_report_ids().await;
    assert_eq!(on_server.len(), queued.len(), "no report twice");
    assert_eq!(on_server.into_iter().collect::<BTreeSet<_>>(), queued);

    // Every photo through either instance (A started again: no photo lives on its disk).
    let a = setup_a.start();
    let staff_a = Staff::login(&a.url, "dispatcher").await;
    let mut photos = 0;
    for r in client.reports().expect("local reports") {
        for h in &r.photos {
            for staff in [&staff_a, &staff_b] {
                let bytes = staff.bytes(&format!("/api/v1/blobs/{}", h.as_str())).await;
                assert_eq!(sha256_hex(&bytes), h.as_str(), "photo {h} through both instances");
            }
            photos += 1;
        }
    }
    assert_eq!(photos, REPORTS.div_ceil(4));

    // The login limit per address and name holds across both: wrong passwords spread
    // over the two instances get as many tries as one instance would give.
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for attempt in 0..12 {
        let url = if attempt % 2 == 0 { &a.url } else { &b.url };
        let status = http
            .post(format!("{url}/api/v1/login"))
            .json(&serde_json::json!({"municipality": FLENSBURG, "username": "schlosser", "password": "falsch-falsch"}))
            .send()
            .await
            .expect("login request")
            .status()
            .as_u16();
        statuses.push(status);
    }
    assert_eq!(&statuses[..10], &[401; 10], "{statuses:?}");
    assert_eq!(&statuses[10..], &[429, 429], "{statuses:?}");
    eprintln!(
        "{REPORTS} reports through two instances in {runs} sync runs, one killed; {:?}",
        proxy.stats()
    );
}
