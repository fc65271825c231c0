//! Augenmerk's sync server.
//!
//! It takes reports from devices (and Open311 clients later), finds the responsible
//! municipality by location, routes each report with the municipality's delegation rules,
//! and lets staff handle it through the process, write to the citizen and keep internal
//! notes. Many municipalities share one server, strictly isolated.
//!
//! Layout: [`routes`] (HTTP) → [`services`] (what happens) → [`augenmerk_store::Store`]
//! (storage) and [`blobs`] (photos); [`state`] holds what they share.

pub mod anonymize;
pub mod auth;
pub mod backup;
pub mod blobs;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod fault;
pub mod forward;
pub mod geocode;
pub mod jpeg_segments;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod migrate_store;
pub mod oidc;
pub mod open311;
pub mod openapi;
pub mod passwords;
pub mod privacy;
pub mod routes;
pub mod services;
pub mod state;
pub mod storage;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::state::AppState;

/// Opens storage in the data directory (creating it and running migrations) and builds the state.
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("cannot create data directory {}", settings.data_dir.display()))?;
    let opened = storage::open(&settings).await?;
    let store = opened.store;
    let blobs = blobs::open(&settings)?;
    let limits = limits::RateLimits::new(&settings, opened.rate_counter);
    let mailer = mail::Mailer::new(&settings.mail, &settings.data_dir)?;
    let photo_settings = settings.photos.clone();
    let geocoding = Arc::new(geocode::Geocoding::new(&settings));
    let models_dir = settings
        .models_dir
        .clone()
        .unwrap_or_else(augenmerk_anon::default_models_dir);
    let state = AppState {
        store,
        blobs,
        settings: Arc::new(settings),
        boundaries: Arc::new(RwLock::new(Arc::new(
            state::build_boundaries(&[]).unwrap_or_else(|_| empty_boundaries()),
        ))),
        tenants: Arc::new(RwLock::new(HashMap::new())),
        tenants_generation: Arc::default(),
        limits: Arc::new(limits),
        mailer: Arc::new(mailer),
        anonymizer: Arc::new(anonymize::ServerAnonymizer::new(
            models_dir,
            photo_settings.anonymize_concurrent,
            photo_settings.anonymize_queue,
        )),
        seen_devices: Arc::default(),
        draining: Arc::default(),
        geocoding,
        metrics: Arc::default(),
    };
    if !state.store.list_boundaries().await?.is_empty() {
        state.reload_boundaries().await?;
    }
    Ok(state)
}

fn empty_boundaries() -> augenmerk_geo::Boundaries {
    // A boundary set that matches nowhere, until boundaries are imported.
    augenmerk_geo::Boundaries::from_geojson(
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"AGS":"00000000","GEN":"-"},
        "geometry":{"type":"Polygon","coordinates":[[[-179.9,-89.9],[-179.8,-89.9],[-179.8,-89.8],[-179.9,-89.9]]]}}]}"#,
    )
    .expect("static geometry")
}

/// A server that is listening.
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Resolves when the server stops.
    pub handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Binds the listener and serves in a background task.
pub async fn serve(mut state: AppState) -> anyhow::Result<Running> {
    let listener = TcpListener::bind(state.settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", state.settings.listen))?;
    let addr = listener.local_addr()?;
    // From here on the public URL is known (a `:0` port is the real one): handlers read
    // it from the settings, never from a request's Host header.
    let public_url = state.settings.public_base_url(addr);
    if state.settings.public_url.as_deref() != Some(public_url.as_str()) {
        let mut settings = (*state.settings).clone();
        settings.public_url = Some(public_url);
        state.settings = Arc::new(settings);
    }
    // The outbox worker delivers mails and forwardings queued by any instance (claims
    // with a lease), and runs the digest and the Open311 polling.
    let worker = mail::worker::spawn(state.clone());
    // The daily retention run (claimed with a lease, so one instance does it).
    let retention = privacy::retention::spawn(state.clone());
    let draining = state.draining.clone();
    let drain_for = std::time::Duration::from_secs(state.settings.drain_seconds);
    let app = routes::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let handle = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(drain(draining, drain_for))
            .await;
        worker.abort();
        retention.abort();
        served
    });
    Ok(Running { addr, handle })
}

/// Waits for the signal to stop, then drains: `/readyz` fails at once, new requests are
/// still served for `drain_for` (while the load balancer notices), then the listener
/// closes and `axum::serve` finishes the requests in flight before it returns.
async fn drain(draining: Arc<std::sync::atomic::AtomicBool>, drain_for: std::time::Duration) {
    shutdown_signal().await;
    draining.store(true, std::sync::atomic::Ordering::SeqCst);
    tracing::info!(seconds = drain_for.as_secs(), "stopping: draining");
    tokio::time::sleep(drain_for).await;
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
