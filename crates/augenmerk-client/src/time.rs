//! Timestamps as the database stores them (RFC 3339, UTC, microseconds).

use chrono::{DateTime, SecondsFormat, Utc};

/// Formats a timestamp for the database.
pub fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses a stored timestamp; a corrupt one reads as the epoch rather than failing a listing.
pub fn parse(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// Now.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}
