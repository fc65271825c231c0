//! The HTTP side shared by forwarding and polling: a client with the configured timeout,
//! and how an authority's answer maps to "try again" or "give up".

use std::time::Duration;

use reqwest::StatusCode;

use crate::mail::worker::Failure;

/// Longest piece of an unexpected answer body kept in an error message.
const MAX_BODY_IN_ERROR: usize = 300;

/// A client for one round of requests to authorities.
pub fn client(timeout_seconds: u64) -> Result<reqwest::Client, Failure> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(timeout_seconds.max(1)))
        // The API key travels with every request: it goes only to the URL the
        // administrator configured, never to wherever a redirect points.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Augenmerk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Failure::Transient(format!("HTTP client: {e}")))
}

/// A request that got no answer (refused, timed out, broken off): worth another try.
/// The URL is left out of the message, because a GET's query carries the API key and
/// the message is shown to staff and logged.
pub fn unreachable(what: &str, e: reqwest::Error) -> Failure {
    Failure::Transient(format!("{what}: {}", e.without_url()))
}

/// An answer that is not a success: 408, 429 and 5xx may pass, every other status
/// (a refused key, an unknown service code, a redirect) will not by waiting.
pub fn failure(what: &str, status: StatusCode, body: &[u8]) -> Failure {
    let message = format!("{what}: the authority answered {status}: {}", error_description(body));
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::REQUEST_TIMEOUT {
        Failure::Transient(message)
    } else {
        Failure::Permanent(message)
    }
}

/// The descriptions of an Open311 error body (`[{"code": …, "description": …}]`, or
/// one such object), else the start of the body as text.
pub fn error_description(body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let items = match &value {
            serde_json::Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        let descriptions: Vec<String> = items
            .iter()
            .filter_map(|e| e.get("description").and_then(|d| d.as_str()).map(str::to_owned))
            .collect();
        if !descriptions.is_empty() {
            return shorten(&descriptions.join("; "));
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        "(no body)".into()
    } else {
        shorten(text)
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_BODY_IN_ERROR {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(MAX_BODY_IN_ERROR).collect();
        out.push('…');
        out
    }
}

/// `GET`s a JSON document from an authority and reads the answer (status and body).
pub async fn get_json(
    client: &reqwest::Client,
    what: &str,
    url: &str,
    query: &[(&str, &str)],
) -> Result<(StatusCode, Vec<u8>), Failure> {
    let response = client
        .get(url)
        .query(query)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| unreachable(what, e))?;
    body(what, response).await
}

/// Reads an answer's body; a body that breaks off counts as no answer.
pub async fn body(what: &str, response: reqwest::Response) -> Result<(StatusCode, Vec<u8>), Failure> {
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| unreachable(what, e))?;
    Ok((status, bytes.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_errors_are_permanent_and_server_errors_transient() {
        let body = br#"[{"code":400,"description":"service_code \"x\" not found"}]"#;
        match failure("POST", StatusCode::BAD_REQUEST, body) {
            Failure::Permanent(m) => assert!(m.contains("service_code \"x\" not found"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            failure("POST", StatusCode::SERVICE_UNAVAILABLE, b"busy"),
            Failure::Transient(_)
        ));
        assert!(matches!(
            failure("POST", StatusCode::TOO_MANY_REQUESTS, b""),
            Failure::Transient(_)
        ));
        assert!(matches!(failure("POST", StatusCode::FOUND, b""), Failure::Permanent(_)));
    }

    #[test]
    fn an_unexpected_body_is_shortened() {
        let long = "x".repeat(1_000);
        let d = error_description(long.as_bytes());
        assert_eq!(d.chars().count(), MAX_BODY_IN_ERROR + 1);
        assert_eq!(error_description(b""), "(no body)");
    }
}
