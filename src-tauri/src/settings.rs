//! Where the app keeps its data and which server and map tiles it uses.
//!
//! Read as every Augenmerk program reads its settings (README, "Configuration"): the
//! defaults in code, then `<data dir>/settings.toml`, then environment variables
//! `AUGENMERK__<KEY>` (e.g. `AUGENMERK__SERVER`). The data directory itself can only come
//! from the environment (`AUGENMERK__DATA_DIR`) or the platform, since the file lies in
//! it. `<data dir>/settings.json`, the file of earlier versions, is still read below the
//! TOML file so that existing installations keep their server.

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Json, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The prefix of the environment variables, as for the server and the command line.
pub const ENV_PREFIX: &str = "AUGENMERK__";
/// The data directory, if set: database, photos, `settings.toml`.
pub const ENV_DATA: &str = "AUGENMERK__DATA_DIR";
/// The sync server's base URL.
pub const ENV_SERVER: &str = "AUGENMERK__SERVER";
/// The map tile template (`{z}/{x}/{y}`); an empty value turns tiles off.
pub const ENV_TILE_URL: &str = "AUGENMERK__TILE_URL";
/// The attribution shown with tiles from another `tile_url` than the default.
pub const ENV_TILE_ATTRIBUTION: &str = "AUGENMERK__TILE_ATTRIBUTION";

/// The server used when neither the environment nor the settings file names one: the one
/// `AUGENMERK_BUILD_SERVER` named when the app was compiled (a phone has no environment to
/// set and no settings file at first start: a municipality's build carries its server,
/// docs/mobile.md), else the local server of a development machine.
pub const DEFAULT_SERVER: &str = match option_env!("AUGENMERK_BUILD_SERVER") {
    Some(server) => server,
    None => "http://127.0.0.1:8080",
};
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
    /// The anonymizer's models, where the app bundle carries them (its resource folder:
    /// always so on a phone); `None`: the client library's default (`AUGENMERK_MODELS`, or
    /// the workspace's `models/` in development).
    pub models_dir: Option<PathBuf>,
}

/// Why the settings could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Neither `AUGENMERK__DATA_DIR` nor the platform gave a data directory.
    #[error("no data directory: set AUGENMERK__DATA_DIR to a writable folder")]
    NoDataDir,
    /// An `AUGENMERK__…` variable has a value of the wrong kind.
    #[error("environment: {0}")]
    Environment(String),
}

/// The keys as the layers give them, before the rules below apply; unknown keys are
/// ignored so that newer versions (and the server's own `AUGENMERK__…`) can add some.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Layers {
    data_dir: Option<PathBuf>,
    server: Option<String>,
    /// Explicitly empty: no tiles at all (offline demos, tests, no tile server allowed).
    tile_url: Option<String>,
    tile_attribution: Option<String>,
}

impl Settings {
    /// Resolves the settings from the process environment; `platform_data_dir` is Tauri's
    /// app data directory, used when `AUGENMERK__DATA_DIR` is not set.
    pub fn from_env(platform_data_dir: Option<PathBuf>) -> Result<Self, SettingsError> {
        let env = || Env::prefixed(ENV_PREFIX).split("__").lowercase(true);
        let from_env: Layers = Figment::from(env())
            .extract()
            .map_err(|e| SettingsError::Environment(e.to_string()))?;
        let data_dir = from_env
            .data_dir
            .filter(|d| !d.as_os_str().is_empty())
            .or(platform_data_dir)
            .ok_or(SettingsError::NoDataDir)?;
        let files = Figment::from(Serialized::defaults(Layers::default()))
            .merge(Json::file(data_dir.join("settings.json")))
            .merge(Toml::file(data_dir.join("settings.toml")));
        let layers = files.merge(env()).extract().unwrap_or_else(|e| {
            // A typo in the file must not lock the user out of their queued reports.
            tracing::warn!(error = %e, "ignoring unreadable settings file");
            Figment::from(env()).extract().unwrap_or_default()
        });
        Ok(Self::from_layers(data_dir, layers))
    }

    fn from_layers(data_dir: PathBuf, layers: Layers) -> Self {
        let server = layers
            .server
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_SERVER.to_owned());
        let (tile_url, tile_attribution) = match layers.tile_url {
            Some(url) if url.trim().is_empty() => (None, None),
            Some(url) => {
                let attribution = layers
                    .tile_attribution
                    .filter(|a| !a.is_empty())
                    .or_else(|| (url == DEFAULT_TILE_URL).then(|| DEFAULT_TILE_ATTRIBUTION.to_owned()));
                (Some(url), attribution)
            }
            None => (
                Some(DEFAULT_TILE_URL.to_owned()),
                Some(DEFAULT_TILE_ATTRIBUTION.to_owned()),
            ),
        };
        Self {
            data_dir,
            server,
            tile_url,
            tile_attribution,
            models_dir: None,
        }
    }
}

#[cfg(test)]
// figment's Jail API decides the error type of the closures.
#[allow(clippy::result_large_err)]
mod tests {
    use std::path::Path;

    use super::*;

    /// Runs `f` with a clean environment (figment's jail: the process environment is
    /// restored afterwards, and jails run one at a time).
    fn jailed(f: impl FnOnce(&mut figment::Jail, &Path) -> Result<(), Box<dyn std::error::Error>>) {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            let dir = jail.directory().to_owned();
            f(jail, &dir).map_err(|e| figment::Error::from(e.to_string()))
        });
    }

    #[test]
    fn defaults_apply_without_environment_or_file() {
        jailed(|_, dir| {
            let s = Settings::from_env(Some(dir.to_owned()))?;
            assert_eq!(s.data_dir, dir);
            assert_eq!(s.server, DEFAULT_SERVER);
            assert_eq!(s.tile_url.as_deref(), Some(DEFAULT_TILE_URL));
            assert_eq!(s.tile_attribution.as_deref(), Some(DEFAULT_TILE_ATTRIBUTION));
            Ok(())
        });
    }

    #[test]
    fn environment_beats_settings_file_which_beats_default() {
        jailed(|jail, dir| {
            jail.set_env(ENV_DATA, dir.display());
            std::fs::write(dir.join("settings.toml"), "server = \"https://file.example\"")?;
            assert_eq!(Settings::from_env(None)?.server, "https://file.example");
            jail.set_env(ENV_SERVER, "https://env.example");
            assert_eq!(Settings::from_env(None)?.server, "https://env.example");
            Ok(())
        });
    }

    #[test]
    fn the_json_file_of_earlier_versions_still_counts_below_the_toml_file() {
        jailed(|_, dir| {
            std::fs::write(dir.join("settings.json"), r#"{"server": "https://json.example"}"#)?;
            assert_eq!(Settings::from_env(Some(dir.to_owned()))?.server, "https://json.example");
            std::fs::write(dir.join("settings.toml"), "server = \"https://toml.example\"")?;
            assert_eq!(Settings::from_env(Some(dir.to_owned()))?.server, "https://toml.example");
            Ok(())
        });
    }

    #[test]
    fn a_broken_settings_file_falls_back_to_the_default() {
        jailed(|jail, dir| {
            std::fs::write(dir.join("settings.json"), "{ not json")?;
            assert_eq!(Settings::from_env(Some(dir.to_owned()))?.server, DEFAULT_SERVER);
            jail.set_env(ENV_SERVER, "https://env.example");
            assert_eq!(
                Settings::from_env(Some(dir.to_owned()))?.server,
                "https://env.example",
                "the environment still counts"
            );
            Ok(())
        });
    }

    #[test]
    fn empty_tile_url_turns_tiles_off_and_custom_ones_take_their_attribution() {
        jailed(|jail, dir| {
            jail.set_env(ENV_TILE_URL, "");
            let off = Settings::from_env(Some(dir.to_owned()))?;
            assert_eq!((off.tile_url, off.tile_attribution), (None, None));
            jail.set_env(ENV_TILE_URL, "http://127.0.0.1:9000/{z}/{x}/{y}.png");
            let unattributed = Settings::from_env(Some(dir.to_owned()))?;
            assert_eq!(unattributed.tile_attribution, None);
            jail.set_env(ENV_TILE_ATTRIBUTION, "Test tiles");
            let custom = Settings::from_env(Some(dir.to_owned()))?;
            assert_eq!(custom.tile_attribution.as_deref(), Some("Test tiles"));
            Ok(())
        });
    }

    #[test]
    fn no_data_directory_is_an_error() {
        jailed(|_, _| {
            assert!(matches!(Settings::from_env(None), Err(SettingsError::NoDataDir)));
            Ok(())
        });
    }
}
