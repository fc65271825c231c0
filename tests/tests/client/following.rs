//! A second citizen follows a report instead of reporting the same pothole again: the
//! follow survives the app being offline, the feed brings the status changes with the
//! public comment (never the reporter's messages), and unfollowing forgets it.

use std::time::Duration;

use augenmerk_client::{Client, ClientOptions, SyncOptions};
use serde_json::json;

use crate::support::Cli;
use augenmerk_tests::{Server, Staff, models_dir};

fn library_client(data: &std::path::Path, server: &str) -> Client {
    let mut options = ClientOptions::new(data, Some(server.to_owned()));
    options.models_dir = Some(models_dir());
    Client::open(options).expect("open client")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_follower_gets_status_changes_offline_and_can_stop_following() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server_dir = dir.path().join("server");
    let mut server = Server::client(&server_dir);
    let port = server.port;
    let reporter = Cli::new(dir.path().join("reporter"), &server.url);
    reporter.ok(&["sync"]);
    let id = reporter.report_pothole(&[], "Loch vor Hausnummer 12");
    reporter.ok(&["sync"]);

    let follower = library_client(&dir.path().join("follower"), &server.url);
    follower.sync(&SyncOptions::default()).await.expect("first sync");
    let report_id = id.parse().expect("report id");
    let followed = follower.follow_report(&report_id).await.expect("follow");
    assert_eq!(followed.report.status.as_str(), "assigned");
    assert!(!followed.unseen);
    // Following twice keeps one entry.
    follower.follow_report(&report_id).await.expect("follow again");
    assert_eq!(follower.followed_reports().expect("list").len(), 1);
    // A follower is not the reporter: own-report commands do not see it.
    assert!(follower.reports().expect("own reports").is_empty());

    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    dispatcher
        .post(
            &format!("/api/v1/staff/reports/{id}/messages"),
            json!({"body": "Nur für die meldende Person."}),
        )
        .await;
    dispatcher
        .post(
            &format!("/api/v1/staff/reports/{id}/transition"),
            json!({"to": "in_progress", "public_comment": "Der Bauhof ist unterwegs."}),
        )
        .await;
    follower.sync(&SyncOptions::default()).await.expect("sync");

    // Offline now: what the feed brought is on the device.
    server.kill();
    let list = follower.followed_reports().expect("list");
    assert_eq!(list.len(), 1);
    let f = &list[0];
    assert_eq!(f.report.status.as_str(), "in_progress");
    assert!(f.unseen, "the change is marked until looked at");
    let last = f.report.history.last().expect("history");
    assert_eq!(last.comment.as_deref(), Some("Der Bauhof ist unterwegs."));
    let shown = serde_json::to_value(f).expect("json");
    assert!(
        !shown.to_string().contains("Nur für die meldende Person"),
        "no messages reach a follower: {shown}"
    );
    follower.mark_followed_seen().expect("seen");
    assert!(!follower.followed_reports().expect("list")[0].unseen);
    // Unfollowing needs the network: it fails offline and keeps the entry.
    assert!(follower.unfollow_report(&report_id).await.is_err());
    assert_eq!(follower.followed_reports().expect("list").len(), 1);

    let server = Server::client_on(&server_dir, port);
    follower.unfollow_report(&report_id).await.expect("unfollow");
    assert!(follower.followed_reports().expect("list").is_empty());
    dispatcher
        .post(
            &format!("/api/v1/staff/reports/{id}/transition"),
            json!({"to": "resolved", "public_comment": "Erledigt."}),
        )
        .await;
    let summary = follower.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(summary.changes, 0, "no news after unfollowing: {summary:?}");
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_restored_from_a_backup_is_told_the_follows_it_lost() {
    // `augenmerk-server backup` is the embedded default's (SQLite and photo files); on
    // PostgreSQL a backup is the database's own (pg_dump).
    if augenmerk_tests::backend::postgres() {
        eprintln!("skipped: a file backup of the data directory is the embedded default's");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let server_dir = dir.path().join("server");
    let mut server = Server::client(&server_dir);
    let port = server.port;
    let reporter = Cli::new(dir.path().join("reporter"), &server.url);
    reporter.ok(&["sync"]);
    let id = reporter.report_pothole(&[], "Loch an der Bushaltestelle");
    reporter.ok(&["sync"]);
    let follower = library_client(&dir.path().join("follower"), &server.url);
    follower.sync(&SyncOptions::default()).await.expect("registered");

    // The nightly backup, taken while the server runs: the report and the follower's
    // device are in it, the follow is not.
    let backup = dir.path().join("backup");
    crate::backup::server_command(&server_dir, &["backup", "--to", &backup.to_string_lossy()]);
    let report_id = id.parse().expect("report id");
    follower.follow_report(&report_id).await.expect("follow");
    let first = follower.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(first.follows_renewed, 0, "nothing lost yet: {first:?}");

    // The server is restored from the backup: it knows the device, not the follow. The
    // device's regular check (due at once here) tells it again.
    server.kill();
    std::fs::remove_dir_all(&server_dir).expect("remove data");
    crate::backup::server_command(&server_dir, &["restore", "--from", &backup.to_string_lossy()]);
    let server = Server::client_on(&server_dir, port);
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    let mut options = ClientOptions::new(dir.path().join("follower"), Some(server.url.clone()));
    options.follows_check_every = Duration::ZERO;
    let follower = Client::open(options).expect("the same device, checking at every sync");
    let summary = follower.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(summary.follows_renewed, 1, "{summary:?}");
    dispatcher
        .post(
            &format!("/api/v1/staff/reports/{id}/transition"),
            json!({"to": "in_progress", "public_comment": "Nach der Wiederherstellung."}),
        )
        .await;
    follower.sync(&SyncOptions::default()).await.expect("sync");
    let f = &follower.followed_reports().expect("list")[0];
    assert_eq!(
        f.report.status.as_str(),
        "in_progress",
        "the feed reaches the follower again"
    );
    // The server has it now: checking again renews nothing.
    let again = follower.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(again.follows_renewed, 0);
}
