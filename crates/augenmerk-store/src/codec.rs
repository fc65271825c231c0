//! How domain values are encoded in either database (`sqlite::codec` and
//! `postgres::codec` read rows with these).
//!
//! Timestamps are RFC 3339 UTC text with exactly nine fractional digits
//! (`2025-01-31T12:00:00.000000000Z`): fixed width, so comparing the text compares the
//! instants, and the round trip is lossless, so `update_report`'s optimistic check can
//! compare `updated_at` for equality. Ids are text; enums use their wire names; richer
//! values (answers, category trees, rules, audit actors) are serde JSON.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::StoreError;

/// A timestamp as stored.
pub(crate) fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// An optional timestamp as stored.
pub(crate) fn ts_opt(t: &Option<DateTime<Utc>>) -> Option<String> {
    t.as_ref().map(ts)
}

/// A value as JSON text.
pub(crate) fn json<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(format!("cannot encode JSON: {e}")))
}

/// A wire name of a serde enum (e.g. [`Channel`]) as stored.
pub(crate) fn wire_name<T: Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(StoreError::Database("value has no wire name".into())),
    }
}

/// Parses a stored timestamp.
pub(crate) fn parse_ts(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc))
}

/// The columns the report readers of both backends read, for `SELECT … FROM reports`.
pub(crate) const REPORT_COLUMNS: &str = "id, ags, gemeinde, device_id, category, answers, description, lat, lon, \
     address_hint, photos, contact_email, consent, status, priority, due_at, department, assignee, \
     forwarded_to, duplicate_of, routed_by, channel, created_at, received_at, updated_at, consent_version";

/// Parses a wire name of a serde enum.
pub(crate) fn parse_wire<T: DeserializeOwned>(s: &str) -> Result<T, serde_json::Error> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use augenmerk_domain::report::Channel;
    use chrono::TimeZone;

    #[test]
    fn timestamps_are_fixed_width_and_lossless() {
        let a = Utc.timestamp_opt(1_700_000_000, 5).single().expect("valid");
        let b = Utc.timestamp_opt(1_700_000_000, 123_456_789).single().expect("valid");
        assert_eq!(ts(&a).len(), ts(&b).len());
        assert!(ts(&a) < ts(&b));
        assert_eq!(parse_ts(&ts(&b)).ok(), Some(b));
    }

    #[test]
    fn wire_names_round_trip() {
        for c in [Channel::App, Channel::Open311, Channel::Staff] {
            let name = wire_name(&c).expect("enum");
            assert_eq!(parse_wire::<Channel>(&name).ok(), Some(c));
        }
    }
}
