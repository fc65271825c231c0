//! The background sync: at start, every [`INTERVAL`], and at once when something is
//! queued; each status change goes to the UI as the event [`SYNC_EVENT`].
//!
//! Retries with exponential backoff within a run are the client library's; this loop only
//! decides when a run starts. A failed run is remembered in the status (`last_error`) and
//! the next one comes at the next tick or trigger.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::AppState;

/// The event that carries the current `SyncStatus` whenever it changes.
pub const SYNC_EVENT: &str = "augenmerk://sync";
/// Time between two syncs when nothing triggers one.
pub const INTERVAL: Duration = Duration::from_secs(30);

/// Runs syncs until the process ends: now, then on each trigger or after `every`.
pub async fn run(state: &AppState, every: Duration) {
    loop {
        // The error is in the status (and logged by sync_now); the loop just goes on.
        let _ = state.sync_now().await;
        tokio::select! {
            () = state.triggered() => {}
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// Starts the sync loop and the forwarding of status changes to the webview.
pub fn spawn<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        // Managed in `setup` before this is called; without it there is nothing to sync.
        let Some(state) = handle.try_state::<AppState>() else {
            return;
        };
        run(state.inner(), INTERVAL).await;
    });
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(mut status) = handle.try_state::<AppState>().map(|s| s.subscribe_status()) else {
            return;
        };
        // Ends when the state (and with it the sender) is dropped at exit.
        while status.changed().await.is_ok() {
            let current = status.borrow_and_update().clone();
            if let Err(e) = handle.emit(SYNC_EVENT, &current) {
                tracing::warn!(error = %e, "cannot send the sync status to the window");
            }
        }
    });
}
