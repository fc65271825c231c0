//! The app's privacy commands without a window: `AppState` against the real server with
//! the demo in this process. Export into the download folder (or the data directory),
//! withdrawal (refused for a report the municipality already has in hand), erasure,
//! the request by e-mail, and what each says offline.

use std::path::Path;

use augenmerk_app::error::CommandError;
use augenmerk_app::settings::Settings;
use augenmerk_app::state::AppState;
use augenmerk_client::{Client, ClientOptions, RetryPolicy};
use augenmerk_domain::device::ReportDraft;
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::{CategoryId, GeoPoint, Language};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PASSWORD: &str = "augenmerk-app-test-passwort";
/// A residential street in Flensburg-Mürwik.
const MUERWIK: (f64, f64) = (54.8100, 9.4800);

fn app(data: &Path, server: &str) -> Result<AppState, Box<dyn std::error::Error>> {
    let mut options = ClientOptions::new(data, Some(server.to_owned()));
    options.retry = RetryPolicy {
        attempts: 1,
        ..RetryPolicy::default()
    };
    let settings = Settings {
        data_dir: data.to_owned(),
        server: server.to_owned(),
        tile_url: None,
        tile_attribution: None,
        models_dir: None,
    };
    Ok(AppState::with_client(Client::open(options)?, settings))
}

fn pothole(n: u32) -> Result<ReportDraft, Box<dyn std::error::Error>> {
    let mut answers = serde_json::Map::new();
    answers.insert("gefahr_akut".into(), false.into());
    Ok(ReportDraft {
        municipality: None,
        category: CategoryId::parse("schlagloch")?,
        answers,
        description: format!("Loch Nr. {n}"),
        location: GeoPoint {
            lat: MUERWIK.0 + f64::from(n) * 1e-5,
            lon: MUERWIK.1,
        },
        address_hint: None,
        photos: vec![],
        contact_email: None,
        consent: true,
        language: None,
        share_contact: false,
    })
}

fn reason(e: &CommandError) -> String {
    e.body()
        .context
        .as_ref()
        .and_then(|c| c["reason"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_citizen_exports_withdraws_and_erases_from_the_app() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server_settings = augenmerk_server::config::Settings {
        listen: "127.0.0.1:0".parse()?,
        data_dir: dir.path().join("server"),
        ..Default::default()
    };
    let server = augenmerk_server::build_state(server_settings).await?;
    augenmerk_server::demo::seed_demo(&server, PASSWORD).await?;
    let running = augenmerk_server::serve(server).await?;
    let url = format!("http://{}", running.addr);
    let data = dir.path().join("citizen");
    let citizen = app(&data, &url)?;
    citizen.sync_now().await?;
    let id = citizen.create_report(pothole(1)?)?;
    let untouched = citizen.create_report(pothole(5)?)?;
    citizen.sync_now().await?;

    // Into the download folder; without one, into the data directory.
    let downloads = dir.path().join("Downloads");
    let saved = citizen.export_my_data(Some(downloads.clone())).await?;
    assert!(
        saved.name.starts_with("augenmerk-daten-") && saved.name.ends_with(".zip"),
        "{saved:?}"
    );
    assert_eq!(saved.location, downloads.display().to_string());
    assert!(downloads.join(&saved.name).is_file());
    let fallback = citizen.export_my_data(None).await?;
    assert!(data.join("exports").join(&fallback.name).is_file(), "{fallback:?}");

    // Routed by the rules only, nobody has looked at it: it can be withdrawn.
    citizen.withdraw_report(&untouched.to_string()).await?;
    // A dispatcher starts work on the other: the municipality has it in hand.
    let staff = augenmerk_client::Api::new(&url)?;
    let login = staff
        .login(&serde_json::from_value(serde_json::json!({
            "municipality": "01001000", "username": "dispatcher", "password": PASSWORD
        }))?)
        .await?;
    staff
        .transition(
            &login.token,
            &id,
            &serde_json::from_value(serde_json::json!({"to": "in_progress", "public_comment": "Wir sind dran."}))?,
        )
        .await?;
    let refused = citizen
        .withdraw_report(&id.to_string())
        .await
        .err()
        .ok_or("withdrew a report in progress")?;
    assert_eq!(refused.code(), ErrorCode::IllegalTransition);
    assert_eq!(reason(&refused), "already_handled");
    assert!(
        refused.body().message.de.contains("bereits"),
        "{:?}",
        refused.body().message
    );
    assert_eq!(citizen.reports()?.len(), 1, "it stays");

    citizen
        .request_email_erasure("buerger@example.org", Language::De)
        .await?;
    let bad = citizen
        .request_email_erasure("keine Adresse", Language::En)
        .await
        .err()
        .ok_or("accepted a bad address")?;
    assert_eq!(bad.code(), ErrorCode::ValidationFailed);

    // Another device erases everything: on the server and here, and it is unregistered.
    let other = app(&dir.path().join("other"), &url)?;
    other.sync_now().await?;
    other.create_report(pothole(3)?)?;
    other.sync_now().await?;
    other.create_report(pothole(4)?)?;
    assert_eq!(other.erase_my_data().await?, 2, "one sent, one only on the device");
    assert!(other.reports()?.is_empty());
    assert_eq!(other.sync_status()?.queued_reports, 0);

    // Offline: a report that never left the device is withdrawn; the rest needs the server.
    // The same device with the server out of reach (a port nobody listens on).
    drop(citizen);
    let nobody = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let citizen = app(&data, &format!("http://127.0.0.1:{nobody}"))?;
    let unsent = citizen.create_report(pothole(2)?)?;
    assert_eq!(citizen.sync_status()?.queued_reports, 1);
    citizen.withdraw_report(&unsent.to_string()).await?;
    assert_eq!(citizen.sync_status()?.queued_reports, 0);
    let offline = citizen
        .export_my_data(Some(downloads))
        .await
        .err()
        .ok_or("exported offline")?;
    assert_eq!(reason(&offline), "offline");
    let offline = citizen.erase_my_data().await.err().ok_or("erased offline")?;
    assert_eq!(reason(&offline), "offline");
    assert_eq!(citizen.reports()?.len(), 1, "nothing erased offline");
    running.handle.abort();
    Ok(())
}
