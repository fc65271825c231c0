//! Bad input at capture time queues nothing; a server answering garbage or 500 keeps the
//! queue and reports the error.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::{Cli, write_jpeg};
use augenmerk_tests::{DENMARK, MUERWIK, Server};

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_at_capture_time_gets_a_clear_error_and_queues_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::client(&dir.path().join("server"));
    let cli = Cli::new(dir.path().join("citizen"), &server.url);
    cli.ok(&["sync"]);
    let (lat, lon) = (MUERWIK.0.to_string(), MUERWIK.1.to_string());
    let base = ["--category", "schlagloch", "--answer", "gefahr_akut=false"];

    let text = dir.path().join("notiz.jpg");
    std::fs::write(&text, b"Dies ist kein Foto, nur Text.").expect("write");
    let mut args = vec![
        "report",
        "--photo",
        text.to_str().expect("path"),
        "--lat",
        &lat,
        "--lon",
        &lon,
    ];
    args.extend(base);
    let err = cli.fails(&args);
    assert!(err.contains("not an image") && err.contains("notiz.jpg"), "{err}");

    let empty = dir.path().join("leer.png");
    std::fs::write(&empty, b"").expect("write");
    let mut args = vec![
        "report",
        "--photo",
        empty.to_str().expect("path"),
        "--lat",
        &lat,
        "--lon",
        &lon,
    ];
    args.extend(base);
    let err = cli.fails(&args);
    assert!(err.contains("leer.png"), "{err}");

    let (dlat, dlon) = (DENMARK.0.to_string(), DENMARK.1.to_string());
    let mut args = vec!["report", "--lat", &dlat, "--lon", &dlon];
    args.extend(base);
    let err = cli.fails(&args);
    // The nearest cached Gemeinde: Munkbrarup of Amt Langballig lies 270 m nearer than
    // Flensburg (both about 19.5 km away).
    assert!(
        err.contains("outside every municipality") && err.contains("the nearest is Munkbrarup"),
        "{err}"
    );

    let err = cli.fails(&["report", "--lat", &lat, "--lon", &lon, "--category", "schlagloch"]);
    assert!(err.contains("gefahr_akut") && err.contains("required"), "{err}");

    let err = cli.fails(&[
        "report",
        "--lat",
        &lat,
        "--lon",
        &lon,
        "--category",
        "schlagloch",
        "--answer",
        "gefahr_akut=vielleicht",
    ]);
    assert!(err.contains("gefahr_akut"), "{err}");

    let err = cli.fails(&["report", "--lat", &lat, "--lon", &lon, "--category", "gibt-es-nicht"]);
    assert!(err.contains("unknown category"), "{err}");

    let err = cli.fails(&["report", "--lat", "91", "--lon", &lon, "--category", "schlagloch"]);
    assert!(err.contains("location"), "{err}");

    assert!(cli.list().is_empty(), "nothing was queued");
    let photos = std::fs::read_dir(cli.data.join("photos"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(photos, 0, "no photo of a failed report stays behind");
}

/// Answers every request with `response` and closes the connection.
async fn fake_server(response: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                // Read what arrives within a moment (headers and usually the body), then answer.
                let _ = tokio::time::timeout(Duration::from_millis(50), stream.read(&mut buf)).await;
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_answering_garbage_or_500_keeps_the_queue_and_reports_the_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server_dir = dir.path().join("server");
    let mut server = Server::client(&server_dir);
    let port = server.port;
    let real = Cli::new(dir.path().join("citizen"), &server.url);
    real.ok(&["sync"]);
    let photo = write_jpeg(&dir.path().join("foto.jpg"), 320, 240, 9);
    let id = real.report_pothole(&[&photo], "Loch im Gehweg");
    server.kill();

    let garbage = fake_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n<html>oops!",
    )
    .await;
    let broken = fake_server(
        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nboom!",
    )
    .await;
    for (port, expected) in [(garbage, "unexpected answer"), (broken, "500")] {
        let cli = Cli::new(real.data.clone(), &format!("http://127.0.0.1:{port}"));
        let err = cli.fails(&["sync"]);
        assert!(err.contains(expected), "{err}");
        let listed = cli.list();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["sync_state"], "queued", "the queue is kept");
    }

    let _server = Server::client_on(&server_dir, port);
    real.ok(&["sync"]);
    let listed = real.list();
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["sync_state"], "sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_forgot_the_device_gets_it_registered_again_and_the_queue_delivered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::client(&dir.path().join("server"));
    let port = server.port;
    let cli = Cli::new(dir.path().join("citizen"), &server.url);
    let first = cli.report_pothole(&[], "Vor dem Neuaufsetzen des Servers");
    cli.ok(&["sync"]);
    server.kill();
    // A server set up anew (say, restored from an older backup) at the same address.
    let server = Server::client_on(&dir.path().join("server-neu"), port);
    let second = cli.report_pothole(&[], "Nach dem Neuaufsetzen");
    cli.ok(&["sync"]);
    let listed = cli.list();
    assert!(listed.iter().all(|r| r["sync_state"] == "sent"), "{listed:?}");
    let staff = augenmerk_tests::Staff::login(&server.url, "dispatcher").await;
    assert_eq!(
        staff.all_report_ids().await,
        vec![second],
        "the new server got the new report"
    );
    assert!(
        listed
            .iter()
            .any(|r| r["id"] == first.as_str() && r["sync_state"] == "sent")
    );
}

#[test]
fn the_server_cli_issues_an_api_key_and_prints_it_as_the_last_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("server");
    drop(Server::client(&data));
    let run = |args: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_e2e-server"));
        if augenmerk_tests::backend::postgres() {
            // The server's database is not in its data directory there.
            command.env(
                "AUGENMERK__DATABASE_URL",
                augenmerk_tests::backend::postgres_database_of(&data),
            );
        }
        let out = command
            .arg("--data")
            .arg(&data)
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run e2e-server");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = run(&[
        "api-key",
        "create",
        "--municipality",
        "01001000",
        "--name",
        "Stadtwerke-App",
    ]);
    let key = out.lines().last().expect("a last line").trim();
    assert!(key.len() >= 40 && !key.contains(' '), "{out}");
    let listed = run(&["api-key", "list", "--municipality", "01001000"]);
    assert!(listed.contains("Stadtwerke-App") && !listed.contains(key), "{listed}");
}
