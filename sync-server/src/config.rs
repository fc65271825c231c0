//! Server settings: defaults in code, then a TOML file, then `AUGENMERK__…` variables.
//!
//! `AUGENMERK__LISTEN=0.0.0.0:8080` or `AUGENMERK__LIMITS__MAX_BLOB_BYTES=…` override the
//! file; nested keys are separated by a double underscore.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// All settings of the server.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Settings {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// Data directory: database and photo store.
    pub data_dir: PathBuf,
    /// How far outside every boundary a point may lie and still belong to the nearest municipality.
    pub tolerance_m: f64,
    /// How long a staff login lasts, in hours.
    pub session_hours: i64,
    /// Size limits.
    pub limits: Limits,
    /// Login attempts allowed per client address and login name and per minute (the
    /// other login limits are in `rate_limits`).
    pub login_attempts_per_minute: u32,
    /// Open311 submissions allowed per API key and per minute.
    #[serde(default = "default_open311_per_minute")]
    pub open311_posts_per_minute: u32,
    /// Rate limits per client address, login name and device (`crate::limits`).
    #[serde(default)]
    pub rate_limits: crate::limits::RateLimitSettings,
    /// Photos: server-side anonymization, uploads per device, `media_url` fetching.
    #[serde(default)]
    pub photos: PhotoSettings,
    /// Most reports one device may follow.
    #[serde(default = "default_max_follows")]
    pub max_follows_per_device: u32,
    /// The anonymizer's models (default: `$AUGENMERK_MODELS`, else the workspace's `models/`).
    #[serde(default)]
    pub models_dir: Option<PathBuf>,
    /// The built web UI (`scripts/build-ui.sh`); a relative path is taken from the working directory.
    #[serde(default = "default_ui_dir")]
    pub ui_dir: PathBuf,
    /// Map tiles for the web UI (`{z}/{x}/{y}` template); empty shows coordinates only.
    #[serde(default = "default_tile_url")]
    pub tile_url: String,
    /// Attribution shown with the map tiles (their licence requires it).
    #[serde(default = "default_tile_attribution")]
    pub tile_attribution: String,
    /// The server's address as the public reaches it (`https://maengel.example.de`),
    /// announced by the Open311 discovery. Unset: `http://` and the address it listens
    /// on. Never taken from a request's `Host` header, which any client can forge.
    #[serde(default)]
    pub public_url: Option<String>,
    /// Mail: SMTP or `.eml` files, sender, retries, the abuse rule's limits, the digest.
    #[serde(default)]
    pub mail: crate::mail::MailSettings,
    /// Who may read Prometheus metrics at `/metrics`.
    #[serde(default)]
    pub metrics: crate::metrics::MetricsSettings,
    /// `text` (default) or `json`: one JSON object per log line, for a log collector.
    #[serde(default)]
    pub log_format: LogFormat,
    /// The database: unset, `sqlite:` or `sqlite:<file>` keeps SQLite (the embedded
    /// default, `augenmerk.db` in the data directory); `postgres://user@host:port/db`
    /// uses PostgreSQL, which several instances can share.
    #[serde(default)]
    pub database_url: Option<String>,
    /// Seconds an instance keeps serving after SIGTERM with `/readyz` failing, so that a
    /// load balancer stops sending it requests before it closes its listener.
    #[serde(default)]
    pub drain_seconds: u64,
    /// Connections each instance keeps to PostgreSQL (ignored on SQLite).
    #[serde(default = "default_database_connections")]
    pub database_connections: usize,
    /// Photos in S3-compatible object storage; unset keeps them as files in the data
    /// directory. Several instances need it (no instance keeps photos on its own disk).
    #[serde(default)]
    pub object_store: Option<ObjectStoreSettings>,
    /// A geocoder speaking the Nominatim API (`https://nominatim.example.de`) or Photon's
    /// (its search path: `https://photon.example.de/api`) for the report form's address
    /// search and Open311's `address_string`; unset: no address search.
    #[serde(default)]
    pub geocoder_url: Option<String>,
    /// Address searches per client address and minute (the form searches as one types).
    #[serde(default = "default_geocode_per_minute")]
    pub geocode_per_minute: u32,
}

fn default_geocode_per_minute() -> u32 {
    60
}

/// An S3-compatible bucket for photos (AWS S3, SeaweedFS, MinIO, Ceph RGW, …).
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ObjectStoreSettings {
    /// The S3 endpoint (`http://127.0.0.1:8333`, `https://s3.eu-central-1.amazonaws.com`).
    pub endpoint: String,
    /// The bucket; it must exist.
    pub bucket: String,
    /// Signing region (any value for most non-AWS servers).
    #[serde(default = "default_region")]
    pub region: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Key prefix inside the bucket (e.g. `augenmerk/`), so the bucket can be shared.
    #[serde(default)]
    pub prefix: String,
}

fn default_database_connections() -> usize {
    augenmerk_store::postgres::DEFAULT_CONNECTIONS
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For people.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Where the reports live, parsed from `database_url` once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file (the embedded default).
    Sqlite(PathBuf),
    /// A PostgreSQL database (`postgres://…`).
    Postgres(String),
}

impl Database {
    /// Parses a database URL: `sqlite:`, `sqlite:<file>` (relative to the working
    /// directory) or `postgres://…` / `postgresql://…`; `default_file` is SQLite's file
    /// when none is named.
    pub fn parse(url: &str, default_file: &Path) -> Result<Self, String> {
        let url = url.trim();
        if url.is_empty() {
            return Ok(Self::Sqlite(default_file.to_owned()));
        }
        if let Some(file) = url.strip_prefix("sqlite:") {
            let file = file.trim_start_matches("//");
            return Ok(Self::Sqlite(if file.is_empty() {
                default_file.to_owned()
            } else {
                PathBuf::from(file)
            }));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        Err(format!(
            "database_url must start with sqlite: or postgres:// (got {:?})",
            url.split(':').next().unwrap_or_default()
        ))
    }

    /// The URL without its password, for logs and messages.
    pub fn display(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite:{}", path.display()),
            Self::Postgres(url) => redact_password(url),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{name}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

// Written by hand so that logging the settings never shows the secret key.
impl std::fmt::Debug for ObjectStoreSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectStoreSettings")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"***")
            .field("prefix", &self.prefix)
            .finish()
    }
}

fn default_region() -> String {
    "us-east-1".into()
}

fn default_ui_dir() -> PathBuf {
    PathBuf::from("src-ui/dist")
}

fn default_tile_url() -> String {
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into()
}

fn default_tile_attribution() -> String {
    "© OpenStreetMap-Mitwirkende".into()
}

fn default_open311_per_minute() -> u32 {
    120
}

fn default_max_follows() -> u32 {
    500
}

/// Limits on photos beyond their size ([`Limits`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct PhotoSettings {
    /// Photos the server anonymizes at the same time (each uses the anonymizer's threads).
    pub anonymize_concurrent: usize,
    /// Requests that may wait for one of those; beyond, 503 with `Retry-After` at once,
    /// so that waiting bodies (up to `limits.max_blob_bytes` each) cannot pile up.
    pub anonymize_queue: usize,
    /// Time budget of one server-side anonymization, waiting included, in seconds; the
    /// anonymizer itself stops at it (503).
    pub anonymize_seconds: u64,
    /// Largest image the server anonymizes, in pixels (from the header, before decoding).
    /// Lower than `limits.max_image_pixels`: the cost grows with the pixels, and 24 MP
    /// covers phone photos (12 MP by default) and most cameras at half the worst case.
    pub anonymize_max_pixels: u64,
    /// Photos one device may upload (or have anonymized) per 24 hours.
    pub per_device_per_day: u64,
    /// Bytes one device may upload (or have anonymized) per 24 hours.
    pub bytes_per_device_per_day: u64,
    /// One address and port a `media_url` may reach although it is not public or not on
    /// port 80/443 (an intranet photo server; the tests). Unset by default.
    pub media_url_exempt: Option<SocketAddr>,
}

impl Default for PhotoSettings {
    fn default() -> Self {
        Self {
            anonymize_concurrent: 2,
            anonymize_queue: 4,
            anonymize_seconds: 30,
            anonymize_max_pixels: 24_000_000,
            per_device_per_day: 100,
            bytes_per_device_per_day: 200 * 1024 * 1024,
            media_url_exempt: None,
        }
    }
}

/// Size limits on input.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Limits {
    /// Largest photo upload in bytes.
    pub max_blob_bytes: usize,
    /// Largest JSON body in bytes.
    pub max_json_bytes: usize,
    /// Largest accepted image side in pixels.
    pub max_image_side: u32,
    /// Largest accepted image area in pixels.
    pub max_image_pixels: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data/run"),
            tolerance_m: 500.0,
            session_hours: 12,
            limits: Limits::default(),
            login_attempts_per_minute: 10,
            open311_posts_per_minute: default_open311_per_minute(),
            rate_limits: crate::limits::RateLimitSettings::default(),
            photos: PhotoSettings::default(),
            max_follows_per_device: default_max_follows(),
            models_dir: None,
            ui_dir: default_ui_dir(),
            tile_url: default_tile_url(),
            tile_attribution: default_tile_attribution(),
            public_url: None,
            mail: crate::mail::MailSettings::default(),
            metrics: crate::metrics::MetricsSettings::default(),
            log_format: LogFormat::default(),
            database_url: None,
            database_connections: default_database_connections(),
            drain_seconds: 0,
            object_store: None,
            geocoder_url: None,
            geocode_per_minute: default_geocode_per_minute(),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_blob_bytes: 15 * 1024 * 1024,
            max_json_bytes: 256 * 1024,
            max_image_side: 12_000,
            max_image_pixels: 50_000_000,
        }
    }
}

impl Settings {
    /// Loads settings: defaults, then the TOML file if given (or `augenmerk.toml` if present), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(f) => fig = fig.merge(Toml::file_exact(f)),
            None => fig = fig.merge(Toml::file("augenmerk.toml")),
        }
        fig.merge(Env::prefixed("AUGENMERK__").split("__").lowercase(true))
            .extract()
            .map_err(Box::new)
    }

    /// The public base URL without a trailing slash: `public_url`, else `http://` and
    /// `listening` (the bound address, so that a `:0` port is the real one).
    pub fn public_base_url(&self, listening: SocketAddr) -> String {
        match self.public_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{listening}"),
        }
    }

    /// The SQLite database file of the embedded default.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("augenmerk.db")
    }

    /// The database, from `database_url` (SQLite in the data directory when unset).
    pub fn database(&self) -> Result<Database, String> {
        Database::parse(self.database_url.as_deref().unwrap_or(""), &self.database_path())
    }

    /// The photo store's folder.
    pub fn blob_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail API decides the error type
    fn file_and_environment_override_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("s.toml", "tolerance_m = 250.0\n[limits]\nmax_blob_bytes = 1000\n")?;
            jail.set_env("AUGENMERK__LIMITS__MAX_JSON_BYTES", "2000");
            let s = Settings::load(Some(Path::new("s.toml"))).map_err(|e| *e)?;
            assert_eq!(s.tolerance_m, 250.0);
            assert_eq!(s.limits.max_blob_bytes, 1000);
            assert_eq!(s.limits.max_json_bytes, 2000);
            assert_eq!(s.session_hours, 12);
            assert_eq!(s.ui_dir, Path::new("src-ui/dist"));
            Ok(())
        });
    }

    #[test]
    fn database_urls_pick_the_backend_and_hide_the_password() {
        let default = Path::new("/data/augenmerk.db");
        assert_eq!(Database::parse("", default), Ok(Database::Sqlite(default.into())));
        assert_eq!(
            Database::parse("sqlite:", default),
            Ok(Database::Sqlite(default.into()))
        );
        assert_eq!(
            Database::parse("sqlite:/srv/a.db", default),
            Ok(Database::Sqlite("/srv/a.db".into()))
        );
        let pg = Database::parse("postgres://augenmerk:geheim@db:5432/augenmerk", default).expect("postgres");
        assert_eq!(pg.display(), "postgres://augenmerk:***@db:5432/augenmerk");
        assert!(matches!(
            Database::parse("postgresql://db/augenmerk", default),
            Ok(Database::Postgres(_))
        ));
        assert!(Database::parse("mysql://db", default).is_err());
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail API decides the error type
    fn an_empty_tile_url_from_the_environment_switches_tiles_off() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("AUGENMERK__TILE_URL", "");
            jail.set_env("AUGENMERK__UI_DIR", "/srv/augenmerk/ui");
            let s = Settings::load(None).map_err(|e| *e)?;
            assert_eq!(s.tile_url, "");
            assert_eq!(s.ui_dir, Path::new("/srv/augenmerk/ui"));
            assert_eq!(s.tile_attribution, "© OpenStreetMap-Mitwirkende");
            Ok(())
        });
    }
}
