//! Reading and saving the municipality's settings object, shared by the configuration
//! pages that each edit a part of it (appearance, reply templates, mail, privacy). The
//! server takes the whole object, so every page saves what it read with its own part
//! changed.

use leptos::prelude::*;

use augenmerk_domain::api::MunicipalitySettings;

use super::ConsoleCtx;
use super::api::Api;
use crate::backend::UiError;

/// Loads the settings and hands them to `show` (or shows the error).
pub fn load_settings(api: Api, show: impl Fn(MunicipalitySettings) + 'static, error: RwSignal<Option<UiError>>) {
    leptos::task::spawn_local(async move {
        match api.settings().await {
            Ok(s) => show(s),
            Err(e) => error.set(Some(e)),
        }
    });
}

/// Saves the settings. On success `show` gets what the server stored (it may have
/// changed some of it, e.g. the notice version), the console reloads its references and
/// `ok` is announced; on failure the form stays as typed and the error (with the
/// server's field details) is shown.
pub fn save_settings(
    api: Api,
    console: ConsoleCtx,
    settings: MunicipalitySettings,
    show: impl Fn(MunicipalitySettings) + 'static,
    ok: &'static str,
    error: RwSignal<Option<UiError>>,
    notice: RwSignal<Option<&'static str>>,
) {
    leptos::task::spawn_local(async move {
        match api.save_settings(&settings).await {
            Ok(saved) => {
                show(saved);
                console.reload_refs(api);
                error.set(None);
                notice.set(Some(ok));
            }
            Err(e) => {
                notice.set(None);
                error.set(Some(e));
            }
        }
    });
}
