//! A flaky network between client and server: connections refused, delayed, cut while
//! sending, and cut after the server answered. Every report arrives exactly once.

use std::collections::BTreeSet;
use std::time::Duration;

use augenmerk_client::{Client, ClientOptions, RetryPolicy, SyncOptions};
use augenmerk_tests::chaos::{ChaosProxy, Faults};

use crate::support::{jpeg, pothole_draft};
use augenmerk_tests::{Server, Staff, models_dir};

#[tokio::test(flavor = "multi_thread")]
async fn through_a_flaky_network_200_queued_reports_arrive_exactly_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::client(&dir.path().join("server"));
    let target = format!("127.0.0.1:{}", server.port).parse().expect("address");
    let proxy = ChaosProxy::start(target, Faults::default(), 42).await.expect("proxy");
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
    for n in 0..200u64 {
        let photos = if n % 20 == 0 {
            vec![client.capture_photo(&jpeg(320, 240, n), &[]).expect("photo").hash]
        } else {
            Vec::new()
        };
        let id = client.create_report(pothole_draft(n, photos)).expect("queue");
        queued.insert(id.to_string());
    }

    proxy.set_faults(Faults {
        refuse: 0.1,
        delay: 0.2,
        max_delay: Duration::from_millis(50),
        truncate_request: 0.1,
        truncate_response: 0.15,
        reset_after: 0.05,
        max_connection_bytes: 16 * 1024,
    });
    let mut runs = 0;
    while client.pending_count().expect("pending") != (0, 0) {
        runs += 1;
        assert!(runs <= 200, "the queue did not drain through the flaky network");
        if let Err(e) = client.sync(&SyncOptions::default()).await {
            tracing_free_log(&e);
        }
    }
    let stats = proxy.stats();
    assert!(
        stats.truncated_responses > 0 && stats.refused > 0 && stats.truncated_requests > 0,
        "the network was really flaky: {stats:?}"
    );

    let staff = Staff::login(&server.url, "dispatcher").await;
    let on_server = staff.all_report_ids().await;
    assert_eq!(on_server.len(), 200, "no duplicates");
    assert_eq!(
        on_server.into_iter().collect::<BTreeSet<_>>(),
        queued,
        "each report exactly once"
    );
    eprintln!("200 reports through the flaky network in {runs} sync runs; {stats:?}");
}

fn tracing_free_log(e: &augenmerk_client::ClientError) {
    eprintln!("sync interrupted: {e}");
}
