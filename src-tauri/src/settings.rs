//! Where the app keeps its data and which server and map tiles it uses.
//!
//! Environment variables win over `<data dir>/settings.json`, which wins over the defaults
//! in code. The environment is passed in as a lookup function, so the rules can be tested
//! without touching the process environment (setting it is `unsafe` in edition 2024).

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The data directory, if set: database, photos, `settings.json`.
pub const ENV_DATA: &str = "AUGENMERK_APP_DATA";
/// The sync server's base URL.
pub const ENV_SERVER: &str = "AUGENMERK_SERVER";
/// The map tile template (`{z}/{x}/{y}`); an empty value turns tiles off.
pub const ENV_TILE_URL: &str = "AUGENMERK_TILE_URL";
/// The attribution shown with tiles from `AUGENMERK_TILE_URL`.
pub const ENV_TILE_ATTRIBUTION: &str = "AUGENMERK_TILE_ATTRIBUTION";

/// The server used when neither the environment nor `settings.json` names one.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";
/// OpenStreetMap's standard tiles.
pub const DEFAULT_TILE_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
/// The attribution OpenStreetMap's tile policy requires.
pub const DEFAULT_TILE_ATTRIBUTION: &str = "© OpenStreetMap contributors";

/// The app's resolved settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The data directory of the client library.
    pub data_dir: PathBuf,
    /// The sync server's base URL.
    pub server: String,
    /// Map tiles (`{z}/{x}/{y}` template); `None` shows coordinates only.
    pub tile_url: Option<String>,
    /// Attribution for the tiles.
    pub tile_attribution: Option<String>,
}

/// Why the settings could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Neither `AUGENMERK_APP_DATA` nor the platform gave a data directory.
    #[error("no data directory: set AUGENMERK_APP_DATA to a writable folder")]
    NoDataDir,
}

/// What `<data dir>/settings.json` may contain; unknown keys are ignored so that newer
/// versions can add some.
#[derive(Debug, Default, Deserialize)]
struct SettingsFile {
    server: Option<String>,
}

impl Settings {
    /// Resolves the settings from the process environment; `platform_data_dir` is Tauri's
    /// app data directory, used when `AUGENMERK_APP_DATA` is not set.
    pub fn from_env(platform_data_dir: Option<PathBuf>) -> Result<Self, SettingsError> {
        Self::resolve(|k| std::env::var(k).ok(), platform_data_dir)
    }

    /// Resolves the settings with `env` as the environment.
    pub fn resolve(
        env: impl Fn(&str) -> Option<String>,
        platform_data_dir: Option<PathBuf>,
    ) -> Result<Self, SettingsError> {
        let data_dir = env(ENV_DATA)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or(platform_data_dir)
            .ok_or(SettingsError::NoDataDir)?;
        let file = read_settings_file(&data_dir.join("settings.json"));
        let server = env(ENV_SERVER)
            .filter(|s| !s.trim().is_empty())
            .or(file.server.filter(|s| !s.trim().is_empty()))
            .unwrap_or_else(|| DEFAULT_SERVER.to_owned());
        let (tile_url, tile_attribution) = match env(ENV_TILE_URL) {
            // Explicitly empty: no tiles at all (offline demos, tests, no tile server allowed).
            Some(url) if url.trim().is_empty() => (None, None),
            Some(url) => {
                let attribution = env(ENV_TILE_ATTRIBUTION)
                    .filter(|a| !a.is_empty())
                    .or_else(|| (url == DEFAULT_TILE_URL).then(|| DEFAULT_TILE_ATTRIBUTION.to_owned()));
                (Some(url), attribution)
            }
            None => (
                Some(DEFAULT_TILE_URL.to_owned()),
                Some(DEFAULT_TILE_ATTRIBUTION.to_owned()),
            ),
        };
        Ok(Self {
            data_dir,
            server: server.trim().to_owned(),
            tile_url,
            tile_attribution,
        })
    }
}

/// Reads `settings.json`; a missing file is normal, a broken one is logged and ignored
/// so that a typo cannot lock the user out of their queued reports.
fn read_settings_file(path: &Path) -> SettingsFile {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(path = %path.display(), error = %e, "ignoring unreadable settings file");
            SettingsFile::default()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => SettingsFile::default(),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read settings file; using defaults");
            SettingsFile::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_apply_without_environment_or_file() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let s = Settings::resolve(env(&[]), Some(dir.path().to_owned()))?;
        assert_eq!(s.data_dir, dir.path());
        assert_eq!(s.server, DEFAULT_SERVER);
        assert_eq!(s.tile_url.as_deref(), Some(DEFAULT_TILE_URL));
        assert_eq!(s.tile_attribution.as_deref(), Some(DEFAULT_TILE_ATTRIBUTION));
        Ok(())
    }

    #[test]
    fn environment_beats_settings_file_which_beats_default() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        std::fs::write(
            dir.path().join("settings.json"),
            r#"{"server": "https://file.example"}"#,
        )?;
        let data = dir.path().to_string_lossy().into_owned();
        let from_file = Settings::resolve(env(&[(ENV_DATA, &data)]), None)?;
        assert_eq!(from_file.server, "https://file.example");
        let from_env = Settings::resolve(env(&[(ENV_DATA, &data), (ENV_SERVER, "https://env.example")]), None)?;
        assert_eq!(from_env.server, "https://env.example");
        Ok(())
    }

    #[test]
    fn a_broken_settings_file_falls_back_to_the_default() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("settings.json"), "{ not json")?;
        let s = Settings::resolve(env(&[]), Some(dir.path().to_owned()))?;
        assert_eq!(s.server, DEFAULT_SERVER);
        Ok(())
    }

    #[test]
    fn empty_tile_url_turns_tiles_off_and_custom_ones_take_their_attribution() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let off = Settings::resolve(env(&[(ENV_TILE_URL, "")]), Some(dir.path().to_owned()))?;
        assert_eq!((off.tile_url, off.tile_attribution), (None, None));
        let custom = Settings::resolve(
            env(&[
                (ENV_TILE_URL, "http://127.0.0.1:9000/{z}/{x}/{y}.png"),
                (ENV_TILE_ATTRIBUTION, "Test tiles"),
            ]),
            Some(dir.path().to_owned()),
        )?;
        assert_eq!(custom.tile_attribution.as_deref(), Some("Test tiles"));
        Ok(())
    }

    #[test]
    fn no_data_directory_is_an_error() {
        assert!(matches!(
            Settings::resolve(env(&[]), None),
            Err(SettingsError::NoDataDir)
        ));
    }
}
