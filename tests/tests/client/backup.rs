//! `augenmerk-server backup` while the server takes reports, and `restore` into a fresh
//! data directory (issue 24): every report the server acknowledged before the backup
//! began is in the restored server, photos included. The embedded default's; on
//! PostgreSQL the database's own tools back up (docs/operations.md).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Mutex;

use augenmerk_tests::{Server, Staff, bin};

use crate::support::{anonymized_jpeg, sha256_hex};

/// One acknowledged report: its id, its photo, and when the server said yes.
#[derive(Debug, Clone)]
struct Acked {
    id: String,
    photo: Option<(String, Vec<u8>)>,
    at: Instant,
}

/// A device that sends reports (every third with a photo) until `stop`.
async fn writer(url: String, n: u64, stop: Arc<AtomicBool>, acked: Arc<Mutex<Vec<Acked>>>) {
    let http = reqwest::Client::new();
    let device: Value = http
        .post(format!("{url}/api/v1/devices"))
        .json(&json!({"platform": "test"}))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("device");
    let token = device["token"].as_str().expect("token").to_owned();
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let photo = i.is_multiple_of(3).then(|| {
            let bytes = anonymized_jpeg(64, 48, n * 100_000 + i);
            (sha256_hex(&bytes), bytes)
        });
        if let Some((hash, bytes)) = &photo {
            let put = http
                .put(format!("{url}/api/v1/blobs/{hash}"))
                .bearer_auth(&token)
                .header("content-type", "application/octet-stream")
                .body(bytes.clone())
                .send()
                .await
                .expect("upload");
            assert!(put.status().is_success(), "photo: {}", put.status());
        }
        let id = uuid::Uuid::new_v4().to_string();
        let offset = (i % 50) as f64 * 0.0001;
        let resp = http
            .post(format!("{url}/api/v1/reports"))
            .bearer_auth(&token)
            .json(&json!({
                "id": id,
                "category": "schlagloch",
                "answers": {"gefahr_akut": false, "strassenart": "gemeindestrasse"},
                "description": format!("Last {n}/{i}"),
                "location": {"lat": 54.81 + offset, "lon": 9.48},
                "photos": photo.iter().map(|(h, _)| h.clone()).collect::<Vec<_>>(),
                "consent": true,
            }))
            .send()
            .await
            .expect("submit");
        assert!(resp.status().is_success(), "report: {}", resp.status());
        acked.lock().await.push(Acked {
            id,
            photo,
            at: Instant::now(),
        });
    }
}

/// Runs `e2e-server <args> --data <data>` (the server's own command line) to its end.
pub fn server_command(data: &Path, args: &[&str]) -> String {
    let out = Command::new(bin("e2e-server"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run e2e-server");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "e2e-server {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_under_write_load_restores_every_acknowledged_report_with_its_photos() {
    if augenmerk_tests::backend::postgres() {
        eprintln!("skipped: the embedded default's backup; PostgreSQL has pg_dump");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("server");
    let mut server = Server::client(&data);
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..4)
        .map(|n| tokio::spawn(writer(server.url.clone(), n, stop.clone(), acked.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // The backup, while the writers go on.
    let backup = dir.path().join("backup");
    let began = Instant::now();
    let printed = {
        let (data, backup) = (data.clone(), backup.clone());
        tokio::task::spawn_blocking(move || server_command(&data, &["backup", "--to", &backup.to_string_lossy()]))
            .await
            .expect("backup ran")
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.expect("writer");
    }
    let acked = acked.lock().await.clone();
    let before: Vec<&Acked> = acked.iter().filter(|a| a.at < began).collect();
    let after = acked.len() - before.len();
    assert!(before.len() >= 10, "load before the backup: {}", before.len());
    assert!(after > 0, "the writers went on during and after the backup");
    eprintln!(
        "{printed}{} reports acknowledged before the backup, {after} during or after",
        before.len()
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).expect("manifest")).expect("JSON");

    // A second backup into the same directory is refused; the first is untouched.
    let refused = Command::new(bin("e2e-server"))
        .args(["backup", "--to", &backup.to_string_lossy(), "--data"])
        .arg(&data)
        .output()
        .expect("run");
    assert!(!refused.status.success(), "a backup never overwrites another");

    // Restore into a fresh data directory and start the server on it.
    server.kill();
    let restored = dir.path().join("restored");
    let said = server_command(&restored, &["restore", "--from", &backup.to_string_lossy()]);
    assert!(said.contains("restored"), "{said}");
    // Restoring over a database is refused.
    let again = Command::new(bin("e2e-server"))
        .args(["restore", "--from", &backup.to_string_lossy(), "--data"])
        .arg(&restored)
        .output()
        .expect("run");
    assert!(!again.status.success(), "a restore never overwrites a database");

    let server = Server::client(&restored);
    let staff = Staff::login(&server.url, "dispatcher").await;
    let mut photos = 0;
    for a in &before {
        let (status, _) = staff.get_raw(&format!("/api/v1/staff/reports/{}", a.id)).await;
        assert_eq!(
            status, 200,
            "report {} acknowledged before the backup is restored",
            a.id
        );
        if let Some((hash, bytes)) = &a.photo {
            let (status, stored) = staff.get_raw(&format!("/api/v1/blobs/{hash}")).await;
            assert_eq!(status, 200, "photo {hash} of {}", a.id);
            assert_eq!(&stored, bytes, "the photo's bytes");
            photos += 1;
        }
    }
    assert!(photos > 0, "some reports had photos");
    // The demo has no reports: the backup holds those sent before it and some sent during it.
    let reports = manifest["reports"].as_u64().expect("reports");
    assert!(
        reports >= before.len() as u64 && reports <= acked.len() as u64,
        "the backup holds {reports}: at least the {} before it, at most all {}",
        before.len(),
        acked.len()
    );
}
