//! Mail settings (`[mail]` in the settings file, `AUGENMERK__MAIL__…` in the environment).

use serde::{Deserialize, Serialize};

use augenmerk_domain::mail::CitizenMailLimits;

/// How the server sends mail.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct MailSettings {
    /// `smtp://host:587` (STARTTLS required), `smtps://host:465` (implicit TLS) or
    /// `smtp://host:25?tls=none` (plain, for a relay on the same machine or the tests).
    /// Unset: every mail is written as an `.eml` file under `<data_dir>/mail/`.
    pub smtp_url: Option<String>,
    /// SMTP user (best set as `AUGENMERK__MAIL__SMTP_USER`).
    pub smtp_user: Option<String>,
    /// SMTP password (best set as `AUGENMERK__MAIL__SMTP_PASSWORD`, never in a file).
    pub smtp_password: Option<String>,
    /// The envelope sender and `From` address; the name shown is the municipality's.
    pub from: String,
    /// Seconds between looks at the outbox when nothing woke the worker.
    pub poll_seconds: u64,
    /// Attempts before a mail or forwarding is given up.
    pub max_attempts: u32,
    /// Seconds before the first retry; each further retry waits twice as long, at most 6 h.
    pub retry_base_seconds: i64,
    /// Seconds a claimed job stays leased to one worker (a crashed worker's jobs are
    /// taken again after it).
    pub lease_seconds: i64,
    /// Seconds one SMTP conversation or Open311 request may take.
    pub timeout_seconds: u64,
    /// The abuse rule's limits per citizen address and day.
    pub citizen_limits: CitizenMailLimits,
    /// Local hour (Europe/Berlin) at which the daily digest of overdue cases goes out.
    pub digest_hour: u32,
    /// Seconds between looks at authorities' Open311 endpoints for updates of forwarded
    /// reports (seconds rather than minutes so that tests can poll quickly).
    pub open311_poll_seconds: i64,
    /// Seconds between two rounds of the public map's e-mail alerts: each subscriber gets
    /// at most one mail per round, listing what happened in their area since the last.
    pub alert_seconds: i64,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            smtp_user: None,
            smtp_password: None,
            from: "augenmerk@localhost".into(),
            poll_seconds: 5,
            max_attempts: 12,
            retry_base_seconds: 30,
            lease_seconds: 300,
            timeout_seconds: 30,
            citizen_limits: CitizenMailLimits::default(),
            digest_hour: 7,
            open311_poll_seconds: 600,
            alert_seconds: 900,
        }
    }
}
