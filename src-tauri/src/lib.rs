//! Augenmerk's desktop app: the Tauri v2 shell around the client library.
//!
//! The Leptos UI (`src-ui/`, built to `src-ui/dist`) calls the commands in [`commands`],
//! one line each over [`state::AppState`], which owns the client library's `Client` (the
//! device's SQLite store, photo folder and sync engine). Photos are anonymized on the
//! device when captured and shown through the `augenmerk-photo` scheme ([`protocol`]); a
//! background loop ([`sync_loop`]) syncs and tells the UI through the `augenmerk://sync`
//! event. Settings: [`settings`].

pub mod commands;
pub mod error;
pub mod privacy;
pub mod protocol;
pub mod settings;
pub mod state;
pub mod sync_loop;

use tauri::Manager;

use crate::settings::Settings;
use crate::state::AppState;

/// Starts the app; returns when the last window is closed. On Android and iOS this is the
/// entry point the generated mobile shell calls (docs/mobile.md).
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    init_logging();
    if let Err(e) = build_and_run() {
        // Nothing to show a dialog with yet (no window); the terminal or the journal gets it.
        tracing::error!(error = %e, "Augenmerk could not start");
        eprintln!("Augenmerk could not start: {e}");
        std::process::exit(1);
    }
}

fn build_and_run() -> Result<(), Box<dyn std::error::Error>> {
    let builder = tauri::Builder::default();
    // Phones: the position through the system's location service, with its permission
    // prompt (the capability is in tauri.android.conf.json / tauri.ios.conf.json).
    #[cfg(mobile)]
    let builder = builder.plugin(tauri_plugin_geolocation::init());
    builder
        .register_asynchronous_uri_scheme_protocol(protocol::SCHEME, |ctx, request, responder| {
            let app = ctx.app_handle().clone();
            let path = request.uri().path().to_owned();
            // Reading a photo must not block the webview's thread.
            tauri::async_runtime::spawn(async move {
                let response = match app.try_state::<AppState>() {
                    Some(state) => protocol::respond(state.client(), &path).await,
                    None => protocol::status(tauri::http::StatusCode::SERVICE_UNAVAILABLE),
                };
                responder.respond(response);
            });
        })
        .setup(|app| {
            let mut settings = Settings::from_env(app.path().app_data_dir().ok())?;
            settings.models_dir = bundled_models(app.path().resource_dir().ok());
            tracing::info!(data = %settings.data_dir.display(), server = %settings.server, "starting");
            // The webview's storage (the UI's drafts and language) lives with the app's own
            // data, so one data directory is one complete installation.
            let webview_data = settings.data_dir.join("webview");
            let state = AppState::open(settings)?;
            app.manage(state);
            let window = app
                .config()
                .app
                .windows
                .iter()
                .find(|w| w.label == "main")
                .cloned()
                .ok_or("tauri.conf.json has no window \"main\"")?;
            tauri::WebviewWindowBuilder::from_config(app.handle(), &window)?
                .data_directory(webview_data)
                .build()?;
            sync_loop::spawn(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::sync_status,
            commands::sync_now,
            commands::locate,
            commands::nearby_reports,
            commands::municipality_config,
            commands::capture_photo,
            commands::discard_photo,
            commands::photo_url,
            commands::create_report,
            commands::replace_report,
            commands::reopen_report,
            commands::discard_report,
            commands::reports,
            commands::report,
            commands::mark_seen,
            commands::reply,
            commands::follow_report,
            commands::unfollow_report,
            commands::followed_reports,
            commands::mark_followed_seen,
            commands::staff_municipalities,
            commands::login,
            commands::logout,
            commands::staff_user,
            commands::cases,
            commands::case_detail,
            commands::queue_transition,
            commands::queue_note,
            commands::queue_case_message,
            commands::dismiss_action,
            commands::export_my_data,
            commands::withdraw_report,
            commands::erase_my_data,
            commands::request_email_erasure,
        ])
        .run(tauri::generate_context!())?;
    Ok(())
}

/// The models folder of the app bundle (`bundle.resources` in tauri.conf.json), if this
/// installation carries one; a development build uses the workspace's `models/`.
fn bundled_models(resources: Option<std::path::PathBuf>) -> Option<std::path::PathBuf> {
    let dir = resources?.join("models");
    dir.join(augenmerk_anon::models::CENTERFACE_FILE)
        .is_file()
        .then_some(dir)
}

/// Logs to stderr; `RUST_LOG` overrides the default of `info` for Augenmerk, `warn` else.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,augenmerk_app=info,augenmerk_client=info"));
    // A second initialisation (tests) is harmless: the first subscriber stays.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}
