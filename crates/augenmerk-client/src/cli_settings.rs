//! The command line's settings, read as every Augenmerk program reads its settings (see
//! "Configuration" in the README): defaults in code, then a TOML file, then environment
//! variables `AUGENMERK__<KEY>`, then flags.
//!
//! The file is `--config FILE` (or `AUGENMERK__CONFIG`), else
//! `$XDG_CONFIG_HOME/augenmerk/config.toml` if it exists, with the keys below, e.g.
//! `server = "https://maengel.example.de"` and `data = "/home/anna/augenmerk"`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The prefix of the environment variables, as for the server: `AUGENMERK__SERVER=…`.
pub(crate) const ENV_PREFIX: &str = "AUGENMERK__";

/// The settings of one run of the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Settings {
    /// The server's base URL, e.g. `http://127.0.0.1:8080`.
    pub server: Option<String>,
    /// The data directory (queue, photos, cached configuration); default
    /// `$XDG_DATA_HOME/augenmerk`.
    pub data: Option<PathBuf>,
    /// Attempts per request before a sync gives up until next time.
    pub retries: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            server: None,
            data: None,
            retries: 6,
        }
    }
}

/// What was given as flags; unset flags leave the lower layers' values.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Flags {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
}

impl Settings {
    /// Reads the layers; `file` is the `--config` given, which must then exist.
    pub(crate) fn load(file: Option<&Path>, flags: Flags) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        match file {
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            // An absolute path: `Toml::file` then reads it if it exists and searches nowhere else.
            None => {
                if let Some(dir) = config_home() {
                    figment = figment.merge(Toml::file(dir.join("augenmerk/config.toml")));
                }
            }
        }
        figment
            .merge(Env::prefixed(ENV_PREFIX).split("__").lowercase(true))
            .merge(Serialized::defaults(flags))
            .extract()
            .context("cannot read the settings")
    }

    /// The data directory: the setting, else the platform's.
    pub(crate) fn data_dir(&self) -> anyhow::Result<PathBuf> {
        match &self.data {
            Some(d) => Ok(d.clone()),
            None => default_data_dir(),
        }
    }
}

fn config_home() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
}

fn default_data_dir() -> anyhow::Result<PathBuf> {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .map(|d| d.join("augenmerk"))
        .ok_or_else(|| anyhow::anyhow!("no data directory: give --data or set AUGENMERK__DATA"))
}

#[cfg(test)]
// figment's Jail API decides the error type of the closures.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    /// Runs `f` with a clean environment and working directory (figment's jail).
    fn jailed(f: impl FnOnce(&mut figment::Jail) -> figment::error::Result<()>) {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            let dir = jail.directory().to_owned();
            jail.set_env("XDG_CONFIG_HOME", dir.display());
            f(jail)
        });
    }

    fn load(file: Option<&Path>, flags: Flags) -> figment::error::Result<Settings> {
        Settings::load(file, flags).map_err(|e| figment::Error::from(format!("{e:#}")))
    }

    #[test]
    fn flags_beat_environment_which_beats_the_file_which_beats_defaults() {
        jailed(|jail| {
            assert_eq!(load(None, Flags::default())?, Settings::default());
            jail.create_dir("augenmerk")?;
            jail.create_file(
                "augenmerk/config.toml",
                "server = \"https://file.example\"\ndata = \"/file\"\nretries = 2",
            )?;
            let from_file = load(None, Flags::default())?;
            assert_eq!(
                (
                    from_file.server.as_deref(),
                    from_file.data.as_deref(),
                    from_file.retries
                ),
                (Some("https://file.example"), Some(Path::new("/file")), 2)
            );
            jail.set_env("AUGENMERK__SERVER", "https://env.example");
            jail.set_env("AUGENMERK__RETRIES", "3");
            let from_env = load(None, Flags::default())?;
            assert_eq!(
                (from_env.server.as_deref(), from_env.data.as_deref(), from_env.retries),
                (Some("https://env.example"), Some(Path::new("/file")), 3)
            );
            let flags = Flags {
                server: Some("https://flag.example".into()),
                retries: Some(4),
                ..Flags::default()
            };
            let from_flags = load(None, flags)?;
            assert_eq!(
                (from_flags.server.as_deref(), from_flags.retries),
                (Some("https://flag.example"), 4)
            );
            Ok(())
        });
    }

    #[test]
    fn a_config_file_given_must_exist_and_parse() {
        jailed(|jail| {
            assert!(Settings::load(Some(Path::new("missing.toml")), Flags::default()).is_err());
            jail.create_file("broken.toml", "server = ")?;
            assert!(Settings::load(Some(Path::new("broken.toml")), Flags::default()).is_err());
            jail.create_file("given.toml", "data = \"/given\"")?;
            let given = load(Some(Path::new("given.toml")), Flags::default())?;
            assert_eq!(given.data.as_deref(), Some(Path::new("/given")));
            Ok(())
        });
    }
}
