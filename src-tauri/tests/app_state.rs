//! The app's logic without a window: `AppState` over a client in a temporary directory,
//! against no server, an unreachable one, and the real server with the demo in this process.

use std::borrow::Cow;
use std::net::TcpListener;
use std::path::Path;

use augenmerk_app::error::CommandError;
use augenmerk_app::protocol;
use augenmerk_app::settings::Settings;
use augenmerk_app::state::AppState;
use augenmerk_client::{Client, ClientOptions, RetryPolicy};
use augenmerk_domain::device::{ReportDraft, SyncState};
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::public::BlurredKind;
use augenmerk_domain::{BlobHash, CategoryId, GeoPoint, Status};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PASSWORD: &str = "augenmerk-app-test-passwort";
const FLENSBURG: &str = "01001000";
/// A residential street in Flensburg-Mürwik (a pothole there goes to Tiefbau).
const MUERWIK: (f64, f64) = (54.8100, 9.4800);
/// Denmark, far outside every municipality served.
const DENMARK: (f64, f64) = (55.0, 9.5);

fn settings(data: &Path, server: &str) -> Settings {
    Settings {
        data_dir: data.to_owned(),
        server: server.to_owned(),
        tile_url: None,
        tile_attribution: None,
        models_dir: None,
    }
}

/// An app state on `data`; `server` `None` works offline only. One attempt per request,
/// so that a test against an unreachable server does not wait for the backoff.
fn app(data: &Path, server: Option<&str>) -> Result<AppState, Box<dyn std::error::Error>> {
    let mut options = ClientOptions::new(data, server.map(str::to_owned));
    options.retry = RetryPolicy {
        attempts: 1,
        ..RetryPolicy::default()
    };
    let client = Client::open(options)?;
    Ok(AppState::with_client(
        client,
        settings(data, server.unwrap_or("http://127.0.0.1:9")),
    ))
}

/// A metadata-free JPEG of a gradient, as the anonymizer would store it.
fn prepared_jpeg(seed: u8) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let img = image::RgbImage::from_fn(320, 240, |x, y| image::Rgb([(x as u8) ^ seed, y as u8, seed]));
    Ok(augenmerk_anon::encode::encode_jpeg(
        img,
        &augenmerk_anon::EncodeOptions::default(),
    )?)
}

fn code_of<T: std::fmt::Debug>(r: Result<T, CommandError>) -> Option<ErrorCode> {
    r.err().map(|e| e.code())
}

fn reason_of<T: std::fmt::Debug>(r: Result<T, CommandError>) -> Option<String> {
    let e = r.err()?;
    e.body().context.as_ref()?["reason"].as_str().map(str::to_owned)
}

fn pothole(photos: Vec<BlobHash>) -> Result<ReportDraft, Box<dyn std::error::Error>> {
    let mut answers = serde_json::Map::new();
    answers.insert("gefahr_akut".into(), false.into());
    Ok(ReportDraft {
        municipality: None,
        category: CategoryId::parse("schlagloch")?,
        answers,
        description: "Tiefes Loch vor Hausnummer 12".into(),
        location: GeoPoint {
            lat: MUERWIK.0,
            lon: MUERWIK.1,
        },
        address_hint: None,
        photos,
        contact_email: None,
        consent: true,
        language: None,
        share_contact: false,
    })
}

#[tokio::test]
async fn without_configuration_everything_fails_cleanly() -> TestResult {
    let dir = tempfile::tempdir()?;
    let app = app(dir.path(), None)?;

    assert!(app.app_info().anonymizes_on_device);
    assert_eq!(app.sync_status()?.queued_reports, 0);
    assert!(app.reports()?.is_empty());

    // Nothing cached yet: locating and reporting say so instead of guessing.
    assert_eq!(
        reason_of(app.locate(MUERWIK.0, MUERWIK.1)).as_deref(),
        Some("no_configuration")
    );
    assert_eq!(code_of(app.create_report(pothole(vec![])?)), Some(ErrorCode::NotFound));
    assert_eq!(code_of(app.locate(91.0, 0.0)), Some(ErrorCode::ValidationFailed));
    assert_eq!(code_of(app.locate(f64::NAN, 0.0)), Some(ErrorCode::ValidationFailed));
    assert_eq!(code_of(app.municipality_config(FLENSBURG)), Some(ErrorCode::NotFound));

    // Arguments from the UI are checked, and the error names the argument.
    let bad = app.report("not-a-uuid").err().ok_or("accepted a bad id")?;
    assert_eq!(bad.code(), ErrorCode::ValidationFailed);
    assert_eq!(bad.body().details[0].field, "id");
    assert_eq!(
        code_of(app.municipality_config("1234")),
        Some(ErrorCode::ValidationFailed)
    );
    assert_eq!(
        code_of(app.photo_url("../../etc/passwd")),
        Some(ErrorCode::ValidationFailed)
    );
    assert_eq!(
        code_of(app.report("6f1c2a1e-3b7e-4c55-9d6e-0a4f1f1f1f1f")),
        Some(ErrorCode::NotFound)
    );
    assert_eq!(code_of(app.dismiss_action("x")), Some(ErrorCode::ValidationFailed));
    assert_eq!(
        code_of(app.capture_photo(Vec::new(), vec![]).await),
        Some(ErrorCode::ValidationFailed)
    );

    // Field work needs a login.
    assert_eq!(app.staff_user()?, None);
    assert!(app.cases()?.is_empty());
    assert_eq!(
        code_of(app.login(Some("kiel"), "field", "x", None).await),
        Some(ErrorCode::ValidationFailed)
    );
    // A second factor that is no code at all is refused before the server counts it.
    assert_eq!(
        code_of(app.login(Some(FLENSBURG), "field", "x", Some("12345")).await),
        Some(ErrorCode::InvalidTotp)
    );
    Ok(())
}

#[tokio::test]
async fn the_photo_scheme_serves_stored_photos_and_nothing_else() -> TestResult {
    let dir = tempfile::tempdir()?;
    let app = app(dir.path(), None)?;
    let jpeg = prepared_jpeg(7)?;
    let hash = app.client().store_prepared_photo(&jpeg)?;

    let url = app.photo_url(hash.as_str())?;
    assert!(url.ends_with(&format!("/{}", hash.as_str())), "{url}");
    assert!(url.starts_with("augenmerk-photo://localhost/") || url.starts_with("http://augenmerk-photo.localhost/"));

    let ok = protocol::respond(app.client(), &format!("/{}", hash.as_str())).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["content-type"], "image/jpeg");
    assert_eq!(ok.body(), &Cow::<[u8]>::Owned(jpeg));
    // Upper-case hex names the same photo.
    let upper = protocol::respond(app.client(), &format!("/{}", hash.as_str().to_uppercase())).await;
    assert_eq!(upper.status(), 200);

    let missing = "0".repeat(64);
    for path in [
        format!("/{missing}"),
        "/".to_owned(),
        String::new(),
        "/augenmerk.sqlite".to_owned(),
        "/../augenmerk.sqlite".to_owned(),
        "/..%2Faugenmerk.sqlite".to_owned(),
        format!("/{}/../../augenmerk.sqlite", hash.as_str()),
        format!("/{}.jpg", hash.as_str()),
        format!("/photos/{}", hash.as_str()),
        format!("//{}", hash.as_str()),
    ] {
        let r = protocol::respond(app.client(), &path).await;
        assert_eq!(r.status(), 404, "{path:?}");
        assert!(r.body().is_empty(), "{path:?}");
    }
    Ok(())
}

#[tokio::test]
async fn an_unreachable_server_is_remembered_and_the_report_stays_queued() -> TestResult {
    let dir = tempfile::tempdir()?;
    // A port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let app = app(dir.path(), Some(&format!("http://127.0.0.1:{port}")))?;
    let mut status = app.subscribe_status();

    let err = app.sync_now().await.err().ok_or("sync without a server succeeded")?;
    assert_eq!(err.code(), ErrorCode::Internal);
    let context = err.body().context.clone().unwrap_or_default();
    assert_eq!(context["reason"], "network");
    assert_eq!(context["retryable"], true);

    assert!(status.has_changed()?);
    let now = status.borrow_and_update().clone();
    assert!(!now.syncing);
    assert!(now.last_success.is_none());
    assert!(
        now.last_error.as_deref().is_some_and(|e| e.contains("network")),
        "{now:?}"
    );
    assert_eq!(app.sync_status()?, now);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_goes_out_and_a_field_worker_handles_it() -> TestResult {
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

    // The citizen's device: the first sync caches the configuration.
    let citizen = app(&dir.path().join("citizen"), Some(&url))?;
    let summary = citizen.sync_now().await?;
    assert!(summary.configurations >= 1, "{summary:?}");
    let status = citizen.sync_status()?;
    assert!(status.last_success.is_some() && status.last_error.is_none() && !status.syncing);

    let here = citizen.locate(MUERWIK.0, MUERWIK.1)?;
    assert_eq!(
        (here.ags.as_str(), here.distance_m, here.active),
        (FLENSBURG, 0.0, true)
    );
    assert_eq!(
        code_of(citizen.locate(DENMARK.0, DENMARK.1)),
        Some(ErrorCode::OutsideServiceArea)
    );
    let config = citizen.municipality_config(FLENSBURG)?;
    assert_eq!(config.ags.as_str(), FLENSBURG);

    // A report with a photo is checked, queued, and sent by the next sync.
    let photo = citizen.client().store_prepared_photo(&prepared_jpeg(1)?)?;
    let mut incomplete = pothole(vec![photo.clone()])?;
    incomplete.answers.clear();
    let refused = citizen
        .create_report(incomplete)
        .err()
        .ok_or("accepted a missing answer")?;
    assert_eq!(refused.code(), ErrorCode::ValidationFailed);
    assert!(!refused.body().details.is_empty());

    let id = citizen.create_report(pothole(vec![photo])?)?;
    let listed = citizen.reports()?;
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id, listed[0].sync_state), (id, SyncState::Queued));
    assert_eq!(citizen.sync_status()?.queued_reports, 1);

    let summary = citizen.sync_now().await?;
    assert_eq!((summary.reports_sent, summary.photos_uploaded), (1, 1), "{summary:?}");
    let detail = citizen.report(&id.to_string())?;
    assert_eq!(detail.report.sync_state, SyncState::Sent);
    assert!(detail.report.status.is_some());
    citizen.mark_seen(&id.to_string())?;

    citizen.reply(&id.to_string(), "Es ist inzwischen noch größer geworden.")?;
    assert_eq!(citizen.sync_status()?.queued_replies, 1);
    assert_eq!(citizen.sync_now().await?.replies_sent, 1);

    // The field worker: a wrong password is the server's verdict, then the real login.
    let field = app(&dir.path().join("field"), Some(&url))?;
    assert_eq!(
        code_of(field.login(Some(FLENSBURG), "field", "falsch", None).await),
        Some(ErrorCode::InvalidCredentials)
    );
    let me = field.login(Some(FLENSBURG), "field", PASSWORD, None).await?;
    assert_eq!(field.staff_user()?, Some(me));
    let summary = field.sync_now().await?;
    assert!(summary.cases_pulled >= 1, "{summary:?}");
    let case = field.case_detail(&id.to_string())?;
    let seen = case.local_status;

    // The UI's view is stale: nothing is queued.
    let stale = if seen == Status::Received {
        Status::Assigned
    } else {
        Status::Received
    };
    let conflict = field.queue_transition(&id.to_string(), Status::InProgress, stale, None, vec![]);
    assert_eq!(code_of(conflict), Some(ErrorCode::Conflict));

    field.queue_transition(
        &id.to_string(),
        Status::InProgress,
        seen,
        Some("Wir sind dran.".into()),
        vec![],
    )?;
    field.queue_note(&id.to_string(), "Kaltasphalt, zwei Sack")?;
    field.queue_case_message(&id.to_string(), "Wird heute erledigt.")?;
    assert_eq!(field.sync_status()?.pending_actions, 3);
    assert_eq!(field.case_detail(&id.to_string())?.local_status, Status::InProgress);

    let summary = field.sync_now().await?;
    assert_eq!(
        (summary.actions_done, summary.actions_conflicted),
        (3, 0),
        "{summary:?}"
    );
    assert_eq!(field.sync_status()?.pending_actions, 0);
    assert_eq!(code_of(field.dismiss_action(&uuid_like())), Some(ErrorCode::NotFound));
    field.logout().await?;
    assert_eq!(field.staff_user()?, None);

    // The citizen sees the worker's progress and message.
    citizen.sync_now().await?;
    let detail = citizen.report(&id.to_string())?;
    assert_eq!(detail.report.status, Some(Status::InProgress));
    assert!(detail.report.unseen);
    assert!(detail.messages.iter().any(|m| m.body == "Wird heute erledigt."));

    running.handle.abort();
    Ok(())
}

fn uuid_like() -> String {
    "6f1c2a1e-3b7e-4c55-9d6e-0a4f1f1f1f1f".into()
}

/// The real anonymizer: the photo is stored blurred and the user's own area is reported.
#[tokio::test(flavor = "multi_thread")]
async fn a_captured_photo_is_anonymized_and_shown() -> TestResult {
    let dir = tempfile::tempdir()?;
    let app = app(dir.path(), None)?;
    let img = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x / 3) as u8, (y / 2) as u8, 128]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;

    let boxes = augenmerk_app::state::parse_blur_boxes("100,100,200,180")?;
    let photo = app.capture_photo(png.clone(), boxes).await?;
    assert_eq!((photo.source_width, photo.source_height), (640, 480));
    assert!(photo.blurred.iter().any(|b| b.kind == BlurredKind::Manual), "{photo:?}");
    let shown = protocol::respond(app.client(), &format!("/{}", photo.hash.as_str())).await;
    assert_eq!(shown.status(), 200);

    // Not an image at all: the user's file, not our failure.
    assert_eq!(
        code_of(app.capture_photo(b"hello".to_vec(), vec![]).await),
        Some(ErrorCode::UnsupportedMediaType)
    );

    // A replaced photo is forgotten, and then no longer served.
    app.discard_photo(photo.hash.as_str())?;
    let gone = protocol::respond(app.client(), &format!("/{}", photo.hash.as_str())).await;
    assert_eq!(gone.status(), 404);
    Ok(())
}
