//! Polls authorities' Open311 endpoints for updates of the reports forwarded to them,
//! and applies each new update to our report ([`handling::apply_external_update`]):
//! the authority's words reach the citizen, and the authority's `closed` closes it.
//!
//! One look per authority with open forwarded requests: `GET servicerequestupdates.json`
//! (mySociety's update-history extension) from the oldest point still needed; an
//! endpoint without it (404) is asked `GET requests/{id}.json` per request. An update
//! counts if it is not older than the last one applied ([`ExternalRequest::last_update_at`];
//! before any, the forwarding's time) and brings a new status or new words: Open311
//! times carry seconds only, so the second of the last update is looked at again, and
//! the authority's own intake steps (`open`, no words) change nothing here.
//!
//! Several instances may poll: the schedule moves first, and an update applied twice
//! would only repeat an audit line (the report write checks for concurrent changes).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Deserialize;

use augenmerk_domain::Ags;
use augenmerk_domain::audit::AuditAction;
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::{ExternalAuthority, Open311Endpoint};
use augenmerk_store::{ExternalRequest, StoreError, StoreResult};

use super::http;
use crate::mail::worker::Failure;
use crate::services::handling;
use crate::state::AppState;

/// The schedule's name.
pub const SCHEDULE: &str = "open311-poll";

/// One update of a request as the authority reports it.
#[derive(Debug, Clone, PartialEq)]
struct Update {
    service_request_id: String,
    /// GeoReport's `open` or `closed` (lower-cased).
    status: String,
    at: DateTime<Utc>,
    description: Option<String>,
}

/// A `servicerequestupdates` item, or a `requests/{id}` item (with `status_notes`).
#[derive(Debug, Deserialize)]
struct RawUpdate {
    #[serde(default)]
    service_request_id: Option<serde_json::Value>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    updated_datetime: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    status_notes: Option<String>,
}

impl RawUpdate {
    /// The update, if it names a request, a status and a readable time.
    fn parse(self, notes: bool) -> Option<Update> {
        let id = match self.service_request_id? {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            _ => return None,
        };
        let at = DateTime::parse_from_rfc3339(self.updated_datetime?.trim()).ok()?;
        let description = if notes { self.status_notes } else { self.description };
        Some(Update {
            service_request_id: id.trim().to_owned(),
            status: self.status?.trim().to_ascii_lowercase(),
            at: at.with_timezone(&Utc),
            description: description.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()),
        })
    }
}

/// Polls the endpoints if the schedule says so; the first run is right away.
pub async fn run_due(state: &AppState, now: DateTime<Utc>) -> StoreResult<()> {
    if let Some(next) = state.store.next_run(SCHEDULE).await?
        && next > now
    {
        return Ok(());
    }
    // The next run is set before this one, so that an authority that fails does not
    // make every worker round ask it again.
    let every = Duration::seconds(state.settings.mail.open311_poll_seconds.max(1));
    state.store.set_schedule(SCHEDULE, now + every).await?;
    for municipality in state.store.list_municipalities().await? {
        let tenant = match state.tenant(&municipality.ags).await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(ags = %municipality.ags, error = %e.body().message.en, "Open311 polling: municipality not loaded");
                continue;
            }
        };
        for authority in &tenant.record.settings.authorities {
            let Some(endpoint) = &authority.open311 else {
                continue;
            };
            if let Err(e) = poll_authority(state, &municipality.ags, authority, endpoint).await {
                let (Failure::Permanent(error) | Failure::Transient(error)) = e;
                tracing::warn!(ags = %municipality.ags, authority = %authority.id, %error, "Open311 polling failed");
            }
        }
    }
    Ok(())
}

/// Asks one authority about its open requests and applies what is new.
async fn poll_authority(
    state: &AppState,
    ags: &Ags,
    authority: &ExternalAuthority,
    endpoint: &Open311Endpoint,
) -> Result<(), Failure> {
    let open = state.store.open_external_requests(ags, &authority.id).await?;
    let Some(oldest) = open.iter().map(since).min() else {
        return Ok(());
    };
    let client = http::client(state.settings.mail.timeout_seconds)?;
    let base = endpoint.base_url.trim_end_matches('/');
    let updates = match update_history(&client, base, endpoint, oldest).await? {
        Some(updates) => updates,
        None => {
            let mut all = Vec::new();
            for request in &open {
                all.extend(current_state(&client, base, endpoint, request).await?);
            }
            all
        }
    };
    let mut by_request: BTreeMap<&str, Vec<&Update>> = BTreeMap::new();
    for u in &updates {
        by_request.entry(u.service_request_id.as_str()).or_default().push(u);
    }
    for request in &open {
        let Some(mut list) = by_request.remove(request.service_request_id.as_str()) else {
            continue;
        };
        list.sort_by_key(|u| u.at);
        // Whole seconds, as the authority's times are: see the module's comment.
        let last = DateTime::from_timestamp(since(request).timestamp(), 0).unwrap_or(since(request));
        let mut last_status = request.last_status.clone();
        for update in list.into_iter().filter(|u| u.at >= last) {
            // One request's failure (a concurrent staff change, say) leaves it for the
            // next round; the others go on.
            if let Err(e) = apply(state, request, last_status.as_deref(), update).await {
                tracing::warn!(report = %request.report, authority = %authority.id, error = %e, "Open311 update not applied");
                break;
            }
            last_status = Some(update.status.clone());
        }
    }
    Ok(())
}

/// The time after which an update of a request is new.
fn since(request: &ExternalRequest) -> DateTime<Utc> {
    request.last_update_at.unwrap_or(request.forwarded_at)
}

/// `GET servicerequestupdates.json` from `since`; `None` if the endpoint does not have it.
async fn update_history(
    client: &reqwest::Client,
    base: &str,
    endpoint: &Open311Endpoint,
    since: DateTime<Utc>,
) -> Result<Option<Vec<Update>>, Failure> {
    let what = "GET servicerequestupdates.json";
    let start = since.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut query = key_query(endpoint);
    query.push(("start_date", start.as_str()));
    let (status, body) = http::get_json(client, what, &format!("{base}/servicerequestupdates.json"), &query).await?;
    if status == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !status.is_success() {
        return Err(http::failure(what, status, &body));
    }
    Ok(Some(parse_list(what, &body, false)?))
}

/// `GET requests/{id}.json`: the request's present state as one update.
async fn current_state(
    client: &reqwest::Client,
    base: &str,
    endpoint: &Open311Endpoint,
    request: &ExternalRequest,
) -> Result<Vec<Update>, Failure> {
    let what = "GET requests/{id}.json";
    let id = path_segment(&request.service_request_id);
    let url = format!("{base}/requests/{id}.json");
    let (status, body) = http::get_json(client, what, &url, &key_query(endpoint)).await?;
    if !status.is_success() {
        return Err(http::failure(what, status, &body));
    }
    let mut updates = parse_list(what, &body, true)?;
    // Some servers answer with another id form (a number for a string): it is this request.
    for u in &mut updates {
        u.service_request_id = request.service_request_id.clone();
    }
    Ok(updates)
}

/// `api_key` and `jurisdiction_id`, as far as configured.
fn key_query(endpoint: &Open311Endpoint) -> Vec<(&'static str, &str)> {
    let mut query = vec![("api_key", endpoint.api_key.as_str())];
    if let Some(j) = endpoint.jurisdiction_id.as_deref().filter(|j| !j.trim().is_empty()) {
        query.push(("jurisdiction_id", j));
    }
    query
}

/// A JSON list of updates (or requests); items without id, status or time are skipped.
fn parse_list(what: &str, body: &[u8], notes: bool) -> Result<Vec<Update>, Failure> {
    let items: Vec<RawUpdate> = serde_json::from_slice(body).map_err(|e| {
        Failure::Transient(format!(
            "{what}: unreadable answer ({e}): {}",
            http::error_description(body)
        ))
    })?;
    Ok(items.into_iter().filter_map(|i| i.parse(notes)).collect())
}

/// An id as one path segment (percent-encoding what is not unreserved).
fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Applies one update to our report and records it as the last one applied.
async fn apply(
    state: &AppState,
    request: &ExternalRequest,
    last_status: Option<&str>,
    update: &Update,
) -> Result<(), String> {
    let report = state
        .store
        .get_report(&request.municipality, &request.report)
        .await
        .map_err(|e| e.to_string())?;
    let closed = update.status == "closed";
    // Only a new status or new words are an update: the same second is looked at again,
    // and a request asked for one by one comes back the same whenever it was touched.
    // Before any update, the request is `open` (the authority took it).
    let repeated = last_status.unwrap_or("open") == update.status
        && last_description(state, &report, &request.authority).await? == update.description;
    if !repeated {
        handling::apply_external_update(
            state,
            &report,
            &request.authority,
            &update.status,
            update.description.as_deref(),
            closed,
        )
        .await
        .map_err(|e| e.body().message.en.clone())?;
    }
    state
        .store
        .update_external(&report.id, &update.status, update.at, Utc::now())
        .await
        .map_err(|e| e.to_string())
}

/// The description of the last update of this authority applied to the report.
async fn last_description(
    state: &AppState,
    report: &Report,
    authority: &augenmerk_domain::AuthorityId,
) -> Result<Option<String>, String> {
    let audit = match state.store.list_audit(&report.municipality, &report.id).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    Ok(audit
        .into_iter()
        .rev()
        .find_map(|a| match a.action {
            AuditAction::ExternalUpdate {
                authority: a_id,
                description,
                ..
            } if &a_id == authority => Some(description),
            _ => None,
        })
        .flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_and_requests_parse_and_incomplete_items_are_skipped() {
        let body = br#"[
            {"update_id":"7","service_request_id":"abc","status":"closed","extended_status":"resolved",
             "updated_datetime":"2026-12-04T10:00:05+01:00","description":"Loch verfuellt.","media_url":null},
            {"service_request_id":"abc","status":"open","updated_datetime":"not a date"},
            {"service_request_id":12,"status":"Open","updated_datetime":"2026-12-04T09:00:00Z","description":""}
        ]"#;
        let updates = parse_list("x", body, false).expect("parses");
        assert_eq!(updates.len(), 2);
        assert_eq!(updates[0].status, "closed");
        assert_eq!(updates[0].description.as_deref(), Some("Loch verfuellt."));
        assert_eq!(updates[0].at.to_rfc3339(), "2026-12-04T09:00:05+00:00");
        assert_eq!(updates[1].service_request_id, "12");
        assert_eq!(updates[1].status, "open");
        assert_eq!(updates[1].description, None);

        let request = br#"[{"service_request_id":"abc","status":"closed","status_notes":"Erledigt.",
            "description":"citizen text","updated_datetime":"2026-12-04T10:00:05+01:00"}]"#;
        let updates = parse_list("x", request, true).expect("parses");
        assert_eq!(updates[0].description.as_deref(), Some("Erledigt."));
        assert!(matches!(parse_list("x", b"<xml/>", false), Err(Failure::Transient(_))));
    }
}
