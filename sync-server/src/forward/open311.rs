//! POSTs a forwarded report to the authority's Open311 endpoint (GeoReport v2
//! `POST requests.json`, multipart with the first photo as `media`) and records the
//! authority's `service_request_id`, so that [`super::poll`] can follow the request.
//!
//! What goes out is what the authority needs to act and nothing about the citizen: the
//! category as their service code, the place, the citizen's description with the
//! answers, the municipality's public comment and our report number. Never the
//! citizen's address, never an internal note.

use chrono::Utc;
use serde::Deserialize;

use augenmerk_domain::audit::{Actor, AuditAction, AuditEntry};
use augenmerk_domain::report::{Answer, Report};
use augenmerk_domain::staff::Open311Endpoint;
use augenmerk_domain::{AuthorityId, ReportId};
use augenmerk_store::{ExternalRequest, Job, JobOutcome, StoreError};

use super::http;
use crate::mail::events::answer_lines;
use crate::mail::worker::Failure;
use crate::state::{AppState, Tenant};

// GeoReport v2 allows the same longest `description` as the native API.
use augenmerk_domain::report::MAX_DESCRIPTION_CHARS;

/// What `mail::events::forwarding_jobs` put into the job.
#[derive(Debug, Deserialize)]
struct Payload {
    authority: AuthorityId,
    #[serde(default)]
    comment: Option<String>,
}

/// Delivers an `open311_forward` job.
pub async fn deliver(state: &AppState, job: &Job) -> Result<JobOutcome, Failure> {
    let Some(report_id) = job.report else {
        return Err(Failure::Permanent("a forwarding without its report".into()));
    };
    let payload: Payload = serde_json::from_value(job.payload.clone())
        .map_err(|e| Failure::Permanent(format!("unreadable forwarding in the outbox: {e}")))?;
    let report = match state.store.get_report(&job.municipality, &report_id).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Err(Failure::Permanent(format!("report {report_id} does not exist"))),
        Err(e) => return Err(e.into()),
    };
    let tenant = state
        .tenant(&job.municipality)
        .await
        .map_err(|e| Failure::Transient(format!("municipality settings: {}", e.body().message.en)))?;
    let authority = tenant
        .record
        .settings
        .authorities
        .iter()
        .find(|a| a.id == payload.authority)
        .ok_or_else(|| Failure::Permanent(format!("authority {} is no longer configured", payload.authority)))?;
    let endpoint = authority
        .open311
        .as_ref()
        .ok_or_else(|| Failure::Permanent(format!("authority {} has no Open311 endpoint (any more)", authority.id)))?;
    let service_code = endpoint
        .service_codes
        .get(report.category.as_str())
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| Failure::Permanent(format!("no service code for category {}", report.category)))?;
    if already_forwarded(state, job, &report.id, &authority.id).await? {
        // An earlier attempt went through and was recorded, but the job's end was not
        // (the server stopped in between): posting again would file it twice.
        return Ok(JobOutcome::Done);
    }

    let client = http::client(state.settings.mail.timeout_seconds)?;
    let base = endpoint.base_url.trim_end_matches('/');
    let attributes = asked_attributes(&client, base, endpoint, service_code).await?;
    let mut form = Multipart::new();
    form.text("api_key", &endpoint.api_key);
    if let Some(j) = endpoint.jurisdiction_id.as_deref().filter(|j| !j.trim().is_empty()) {
        form.text("jurisdiction_id", j);
    }
    form.text("service_code", service_code);
    form.text("lat", &report.location.lat.to_string());
    form.text("long", &report.location.lon.to_string());
    form.text(
        "description",
        &description(&tenant, &report, payload.comment.as_deref()),
    );
    if let Some(hint) = report.address_hint.as_deref().filter(|h| !h.trim().is_empty()) {
        form.text("address_string", hint);
    }
    for (id, answer) in &report.answers {
        if !attributes.iter().any(|a| a == id.as_str()) {
            continue;
        }
        match answer {
            Answer::Choices(values) => {
                for v in values {
                    form.text(&format!("attribute[{id}][]"), v);
                }
            }
            other => form.text(&format!("attribute[{id}]"), &answer_value(other)),
        }
    }
    if let Some(hash) = report.photos.first() {
        let photo = crate::blobs::photo_file(state, hash, 1)
            .await
            .map_err(Failure::Transient)?;
        form.file("media", &photo.name, &photo.content_type, &photo.bytes);
    }

    let what = "POST requests.json";
    let (content_type, body) = form.finish();
    let response = client
        .post(format!("{base}/requests.json"))
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| http::unreachable(what, e))?;
    let (status, body) = http::body(what, response).await?;
    if !status.is_success() {
        return Err(http::failure(what, status, &body));
    }
    let service_request_id = accepted_id(&body)?;
    let now = Utc::now();
    state
        .store
        .record_external(
            ExternalRequest {
                report: report.id,
                municipality: report.municipality.clone(),
                authority: authority.id.clone(),
                service_request_id: service_request_id.clone(),
                forwarded_at: now,
                last_status: None,
                last_update_at: None,
            },
            AuditEntry {
                report_id: report.id,
                at: now,
                actor: Actor::System,
                action: AuditAction::ExternalAccepted {
                    authority: authority.id.clone(),
                    service_request_id,
                },
                public_comment: None,
            },
        )
        .await?;
    Ok(JobOutcome::Done)
}

/// Whether this job's forwarding was recorded already (by an attempt whose end was lost).
async fn already_forwarded(
    state: &AppState,
    job: &Job,
    report: &ReportId,
    authority: &AuthorityId,
) -> Result<bool, Failure> {
    let open = state.store.open_external_requests(&job.municipality, authority).await?;
    Ok(open
        .iter()
        .any(|r| &r.report == report && r.forwarded_at >= job.created_at))
}

/// The attribute codes the authority's service asks for (`GET services/{code}.json`).
/// Our answers are sent as attributes only where the code is the same as our question's
/// id (another Augenmerk with the standard tree): an Open311 server may refuse
/// attributes its service does not define. A service without a definition asks none.
async fn asked_attributes(
    client: &reqwest::Client,
    base: &str,
    endpoint: &Open311Endpoint,
    service_code: &str,
) -> Result<Vec<String>, Failure> {
    let what = "GET services";
    let mut query = Vec::new();
    if let Some(j) = endpoint.jurisdiction_id.as_deref().filter(|j| !j.trim().is_empty()) {
        query.push(("jurisdiction_id", j));
    }
    let code: String = url_path_segment(service_code);
    let (status, body) = http::get_json(client, what, &format!("{base}/services/{code}.json"), &query).await?;
    if status.is_client_error() && status != reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Ok(Vec::new());
    }
    if !status.is_success() {
        return Err(http::failure(what, status, &body));
    }
    let definition: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    Ok(definition["attributes"]
        .as_array()
        .map(|attrs| {
            attrs
                .iter()
                .filter(|a| a["variable"].as_bool() != Some(false))
                .filter_map(|a| a["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

/// A service code as one path segment (percent-encoding what is not unreserved).
fn url_path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An answer as a form value, the way Open311 servers parse attributes.
fn answer_value(answer: &Answer) -> String {
    match answer {
        Answer::Bool(b) => b.to_string(),
        Answer::Integer(i) => i.to_string(),
        Answer::Number(x) => x.to_string(),
        Answer::Text(s) => s.clone(),
        Answer::Choices(v) => v.join(","),
    }
}

/// The request's `description`: the citizen's text, the answers as "Label: value"
/// lines, the municipality's comment and our report number (so a call or mail from
/// the authority can name the case). If it is too long, the citizen's text is cut,
/// since the rest is short and what the authority needs to find the case.
fn description(tenant: &Tenant, report: &Report, comment: Option<&str>) -> String {
    let mut tail = Vec::new();
    let answers: Vec<String> = answer_lines(&tenant.record.categories, report)
        .into_iter()
        .map(|(label, value)| format!("{label}: {value}"))
        .collect();
    if !answers.is_empty() {
        tail.push(answers.join("\n"));
    }
    if let Some(c) = comment.map(str::trim).filter(|c| !c.is_empty()) {
        tail.push(format!("Hinweis der Verwaltung: {c}"));
    }
    tail.push(format!(
        "Meldungsnummer bei {}: {}",
        tenant.record.name,
        report.id.number()
    ));
    let tail = tail.join("\n\n");
    let citizen = report.description.trim();
    if citizen.is_empty() {
        return tail;
    }
    let room = MAX_DESCRIPTION_CHARS.saturating_sub(tail.chars().count() + 3);
    let citizen = if citizen.chars().count() > room {
        let mut cut: String = citizen.chars().take(room).collect();
        cut.push('…');
        cut
    } else {
        citizen.to_owned()
    };
    format!("{citizen}\n\n{tail}")
}

/// The `service_request_id` of a POST's answer (`[{"service_request_id": …}]`).
/// An answer with a `token` only (the authority files requests later) cannot be
/// followed up here; posting again would file it twice, so it fails for staff to see.
fn accepted_id(body: &[u8]) -> Result<String, Failure> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|_| {
        Failure::Permanent(format!(
            "the authority accepted the request but answered no JSON: {}",
            http::error_description(body)
        ))
    })?;
    let first = match &value {
        serde_json::Value::Array(items) => items.first().cloned().unwrap_or_default(),
        other => other.clone(),
    };
    let id = match &first["service_request_id"] {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if let Some(id) = id {
        return Ok(id);
    }
    match first["token"].as_str() {
        Some(token) => Err(Failure::Permanent(format!(
            "the authority answered only a token ({token}), no service_request_id; \
             the request was filed there but cannot be followed up automatically"
        ))),
        None => Err(Failure::Permanent(format!(
            "the authority's answer has no service_request_id: {}",
            http::error_description(body)
        ))),
    }
}

/// A `multipart/form-data` body (RFC 7578), written here because the server's HTTP
/// client is built without reqwest's multipart support.
struct Multipart {
    boundary: String,
    body: Vec<u8>,
}

impl Multipart {
    fn new() -> Self {
        Self {
            boundary: format!("augenmerk-{}", uuid::Uuid::new_v4().simple()),
            body: Vec::new(),
        }
    }

    /// A text field; names are our own (ASCII, no quotes), values are free text.
    fn text(&mut self, name: &str, value: &str) {
        self.body.extend_from_slice(
            format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{name}\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
                self.boundary
            )
            .as_bytes(),
        );
        self.body.extend_from_slice(value.as_bytes());
        self.body.extend_from_slice(b"\r\n");
    }

    /// A file part.
    fn file(&mut self, name: &str, filename: &str, content_type: &str, bytes: &[u8]) {
        self.body.extend_from_slice(
            format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n",
                self.boundary
            )
            .as_bytes(),
        );
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
    }

    /// The content type and the body.
    fn finish(mut self) -> (String, Vec<u8>) {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (format!("multipart/form-data; boundary={}", self.boundary), self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_of_an_answer_and_a_token_only_answer() {
        let ok = accepted_id(br#"[{"service_request_id":"abc-1","service_notice":null}]"#);
        assert!(matches!(ok, Ok(id) if id == "abc-1"));
        let number = accepted_id(br#"[{"service_request_id":42}]"#);
        assert!(matches!(number, Ok(id) if id == "42"));
        match accepted_id(br#"[{"token":"t-9"}]"#) {
            Err(Failure::Permanent(m)) => assert!(m.contains("t-9"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(accepted_id(b"<xml/>"), Err(Failure::Permanent(_))));
    }

    #[test]
    fn multipart_parts_are_delimited() {
        let mut m = Multipart::new();
        m.text("a", "x\r\ny");
        m.file("media", "foto-1.png", "image/png", &[1, 2, 3]);
        let (ct, body) = m.finish();
        let boundary = ct.trim_start_matches("multipart/form-data; boundary=");
        let text = String::from_utf8_lossy(&body);
        assert_eq!(text.matches(&format!("--{boundary}\r\n")).count(), 2);
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
        assert!(text.contains("name=\"media\"; filename=\"foto-1.png\"\r\nContent-Type: image/png"));
    }
}
