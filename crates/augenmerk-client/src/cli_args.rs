//! The command line's arguments: the global flags and the list of commands, derived by
//! clap. Their doc comments are the `--help` text, so a change here is a change of the
//! command line's help.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use augenmerk_domain::second_factor::SecondFactor;

#[derive(Parser)]
#[command(
    name = "augenmerk",
    version,
    about = "Augenmerk: report defects in public space, offline first"
)]
pub(crate) struct Cli {
    /// Server URL, e.g. http://127.0.0.1:8080 [env: AUGENMERK__SERVER].
    #[arg(long, global = true)]
    pub(crate) server: Option<String>,
    /// Data directory (queue, photos, cached configuration) [env: AUGENMERK__DATA].
    #[arg(long, global = true)]
    pub(crate) data: Option<PathBuf>,
    /// Config file (TOML with `server`, `data`, `retries`).
    #[arg(long, global = true, env = "AUGENMERK__CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Machine-readable output (JSON on stdout).
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Attempts per request before a sync gives up until next time (default 6) [env: AUGENMERK__RETRIES].
    #[arg(long, global = true)]
    pub(crate) retries: Option<u32>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Anonymize photos, check and queue a report (sending it implies accepting the privacy notice).
    Report {
        /// Photos (JPEG, PNG, WebP); faces and plates are blurred before they are stored.
        #[arg(long = "photo", value_name = "IMG")]
        photos: Vec<PathBuf>,
        /// Latitude (default: the first photo's GPS position).
        #[arg(long, allow_hyphen_values = true, requires = "lon")]
        lat: Option<f64>,
        /// Longitude.
        #[arg(long, allow_hyphen_values = true, requires = "lat")]
        lon: Option<f64>,
        /// Category id (see `augenmerk categories`).
        #[arg(long)]
        category: String,
        /// An answer `question=value`; repeat for each question (and for each choice of a multiselect).
        #[arg(long = "answer", value_name = "KEY=VALUE")]
        answers: Vec<String>,
        /// What is wrong.
        #[arg(long, default_value = "")]
        description: String,
        /// Contact e-mail for updates.
        #[arg(long)]
        email: Option<String>,
        /// Hint on the place (street, landmark).
        #[arg(long)]
        address: Option<String>,
        /// The municipality (AGS), to confirm it near a boundary.
        #[arg(long)]
        municipality: Option<String>,
        /// Where the report is mailed to an administration not on the platform: pass the
        /// contact e-mail on with it (default: the administration does not get it).
        #[arg(long, requires = "email")]
        share_contact: bool,
    },
    /// The cached category tree with each category's id and questions.
    Categories {
        /// Latitude of the place (selects the municipality).
        #[arg(long, allow_hyphen_values = true, requires = "lon")]
        lat: Option<f64>,
        /// Longitude.
        #[arg(long, allow_hyphen_values = true, requires = "lat")]
        lon: Option<f64>,
        /// Or the municipality's AGS.
        #[arg(long, conflicts_with = "lat")]
        municipality: Option<String>,
    },
    /// Send queued reports, replies and actions; fetch status, messages and cases.
    Sync {
        /// Keep running and sync every this many seconds.
        #[arg(long, value_name = "SECONDS")]
        watch: Option<u64>,
    },
    /// What waits for the network on this device (reports, replies, a field worker's actions).
    Status,
    /// Local reports with status and sync state.
    List,
    /// A report's status history and messages.
    Show {
        /// Report id.
        id: String,
    },
    /// Reply to the municipality (queued until the next sync).
    Reply {
        /// Report id.
        id: String,
        /// The text.
        text: String,
    },
    /// Log in as staff (field worker).
    Login {
        /// The municipality's AGS.
        #[arg(long)]
        municipality: Option<String>,
        /// Login name.
        #[arg(long)]
        user: String,
        /// Password (default: $AUGENMERK_PASSWORD, else read from stdin).
        #[arg(long, env = "AUGENMERK_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// The second factor of an account that has one: the six-digit code of the
        /// authenticator app, or one of the recovery codes (`ABCDE-FGHJK`) [env: AUGENMERK_TOTP].
        #[arg(long, value_name = "CODE", env = "AUGENMERK_TOTP", hide_env_values = true,
            value_parser = parse_second_factor)]
        totp: Option<SecondFactor>,
    },
    /// End the staff session.
    Logout,
    /// The cases on this device (pulled by `sync`), or one case with `--id`.
    Cases {
        /// Show this case in full.
        #[arg(long)]
        id: Option<String>,
    },
    /// Change a case's status offline (e.g. `resolved` with a completion photo).
    Transition {
        /// Case id.
        id: String,
        /// Target status: in_progress, resolved, rejected, closed, …
        status: String,
        /// Comment the citizen sees.
        #[arg(long)]
        comment: Option<String>,
        /// Completion photos (anonymized like any other).
        #[arg(long = "photo", value_name = "IMG")]
        photos: Vec<PathBuf>,
    },
    /// Add an internal note offline (never shown to the citizen).
    Note {
        /// Case id.
        id: String,
        /// The text.
        text: String,
    },
    /// Write to the citizen about a case, offline.
    Message {
        /// Case id.
        id: String,
        /// The text.
        text: String,
    },
    /// Queued, done and conflicted field actions.
    Actions,
    /// Dismiss a conflicted action after reading its reason.
    Dismiss {
        /// Action id.
        id: String,
    },
    #[command(flatten)]
    Privacy(crate::cli_privacy::PrivacyCommand),
}

/// `--totp`: read once into the domain's second factor, so that a mistyped code is
/// refused here and not counted by the server as a wrong one.
fn parse_second_factor(s: &str) -> Result<SecondFactor, String> {
    SecondFactor::parse(s).ok_or_else(|| {
        "weder ein sechsstelliger Code noch ein Wiederherstellungscode (ABCDE-FGHJK) / \
         neither a six-digit code nor a recovery code (ABCDE-FGHJK)"
            .to_owned()
    })
}
