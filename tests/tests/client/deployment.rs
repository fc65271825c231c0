//! The commands and endpoints of the scale-out deployment (deploy/): `migrate` on
//! PostgreSQL, liveness and readiness for a load balancer, and a stop (SIGTERM) that
//! drains: readiness fails at once, the request in flight finishes, then the process ends.

use std::process::Command;
use std::time::{Duration, Instant};

use augenmerk_tests::citizen::Citizen;
use augenmerk_tests::server::ServerSetup;
use augenmerk_tests::{backend, bin, models_dir};

use crate::support::jpeg;

#[test]
fn migrate_brings_a_postgres_database_up_to_date_and_says_so() {
    let database = backend::postgres_database(None);
    let dir = tempfile::tempdir().expect("tempdir");
    let run = || {
        Command::new(bin("e2e-server"))
            .args(["migrate", "--data"])
            .arg(dir.path())
            .env("AUGENMERK__DATABASE_URL", &database)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run migrate")
    };
    for _ in 0..2 {
        let out = run();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(
            stdout.contains("is up to date") && stdout.contains("postgres://"),
            "{stdout}"
        );
    }
    let tables = backend::postgres_execute(&database, "SELECT count(*) FROM schema_migrations");
    assert_eq!(tables.trim(), augenmerk_store_schema_version());
    // A wrong URL is a clear error, not a panic.
    let out = Command::new(bin("e2e-server"))
        .args(["migrate", "--data"])
        .arg(dir.path())
        .env("AUGENMERK__DATABASE_URL", "mysql://db/augenmerk")
        .output()
        .expect("run migrate");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("database_url must start with"));
}

fn augenmerk_store_schema_version() -> String {
    augenmerk_server::storage::POSTGRES_SCHEMA_VERSION.to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stopping_instance_fails_readiness_and_finishes_its_requests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s3 = augenmerk_testenv::s3::shared().expect("SeaweedFS");
    let mut server = ServerSetup::client(&dir.path().join("server"))
        .env("AUGENMERK__DATABASE_URL", backend::postgres_database(None))
        .env("AUGENMERK__OBJECT_STORE__ENDPOINT", &s3.endpoint)
        .env("AUGENMERK__OBJECT_STORE__BUCKET", &s3.bucket)
        .env("AUGENMERK__OBJECT_STORE__REGION", &s3.region)
        .env("AUGENMERK__OBJECT_STORE__ACCESS_KEY_ID", &s3.access_key)
        .env("AUGENMERK__OBJECT_STORE__SECRET_ACCESS_KEY", &s3.secret_key)
        .env(
            "AUGENMERK__OBJECT_STORE__PREFIX",
            format!("deployment-{}/", std::process::id()),
        )
        .env("AUGENMERK__MODELS_DIR", models_dir())
        .env("AUGENMERK__DRAIN_SECONDS", "2")
        .start();
    let http = reqwest::Client::new();
    let get = |path: &'static str| {
        let request = http.get(format!("{}{path}", server.url));
        async move {
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            (status, response.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    assert_eq!(get("/livez").await.0, 200);
    let (status, ready) = get("/readyz").await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["photos"], "ok");

    // A photo the server anonymizes (seconds of work) is in flight when the stop comes.
    let citizen = Citizen::register(&server.url).await;
    let upload = tokio::spawn(citizen_photo(citizen, jpeg(1600, 1200, 7)));
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.terminate();
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let (status, ready) = get("/readyz").await;
        if status == 503 {
            assert_eq!(ready["status"], "draining");
            break;
        }
        assert!(Instant::now() < deadline, "readiness never failed after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(get("/livez").await.0, 200, "alive while draining");
    let hash = upload.await.expect("upload task");
    assert_eq!(hash.len(), 64, "the request in flight finished: {hash}");

    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = server.exited() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop after draining");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "a drained stop exits cleanly: {status}");
}

async fn citizen_photo(citizen: Citizen, jpeg: Vec<u8>) -> String {
    citizen.photo(jpeg).await
}
