//! The second factor in the harness (issue 24): admins must have one, so a sign-in of the
//! harness that gets an enrol-only session enrols the account as a person would (a new
//! secret, confirmed with a code computed here with `totp-rs`), remembers the secret per
//! server, municipality and account for the whole test process, and answers later
//! sign-ins with a fresh code. Nothing on the server is switched off for tests.
//!
//! A code counts once on the server (RFC 6238 §5.2), so each sign-in takes a time step no
//! earlier sign-in of the account took: the current one or the next (the server accepts
//! one step either way); when both are taken it waits for the next step.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Whose secret: the server's URL, the municipality (empty for the platform), the login name.
type Key = (String, String, String);

struct Known {
    secret: String,
    /// The last step a code was handed out for.
    last_step: u64,
}

fn known() -> &'static Mutex<HashMap<Key, Known>> {
    static KNOWN: std::sync::OnceLock<Mutex<HashMap<Key, Known>>> = std::sync::OnceLock::new();
    KNOWN.get_or_init(Default::default)
}

fn key(url: &str, municipality: Option<&str>, username: &str) -> Key {
    (
        url.to_owned(),
        municipality.unwrap_or_default().to_owned(),
        username.to_owned(),
    )
}

/// A TOTP generator for a base32 secret, as an authenticator app sets it up.
pub fn generator(secret: &str) -> Totp {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(Secret::try_from_base32(secret).expect("a base32 secret"))
        .build()
        .expect("a TOTP generator")
}

/// The base32 secret in an `otpauth://` URL.
pub fn secret_of_url(url: &str) -> String {
    let query = url.split_once('?').expect("an otpauth URL with a query").1;
    query
        .split('&')
        .find_map(|p| p.strip_prefix("secret="))
        .expect("a secret in the otpauth URL")
        .to_owned()
}

fn now_step() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("time").as_secs() / 30
}

/// The code of `secret` for a time step.
pub fn code_at(secret: &str, step: u64) -> String {
    generator(secret).generate(step * 30).to_string()
}

/// A code for the account no sign-in used yet, if the harness knows its secret.
async fn next_code(k: &Key) -> Option<String> {
    loop {
        let wait = {
            let mut map = known().lock().expect("the TOTP secrets");
            let entry = map.get_mut(k)?;
            let now = now_step();
            match [now, now + 1].into_iter().find(|s| *s > entry.last_step) {
                Some(step) => {
                    entry.last_step = step;
                    return Some(code_at(&entry.secret, step));
                }
                None => {
                    let secs = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .expect("time")
                        .as_secs_f64();
                    Duration::from_secs_f64(30.0 - secs % 30.0 + 0.2)
                }
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// Remembers an account's secret, confirmed with a code of `step`.
pub fn remember(url: &str, municipality: Option<&str>, username: &str, secret: &str, step: u64) {
    known().lock().expect("the TOTP secrets").insert(
        key(url, municipality, username),
        Known {
            secret: secret.to_owned(),
            last_step: step,
        },
    );
}

/// A fresh code for an account the harness enrolled (for a sign-in through a browser).
pub async fn code_for(url: &str, municipality: Option<&str>, username: &str) -> Option<String> {
    next_code(&key(url, municipality, username)).await
}

/// A code of the account's secret from an hour ago: well-formed, and wrong now (for
/// the tests of a wrong code), if the harness knows the secret.
pub fn stale_code_for(url: &str, municipality: Option<&str>, username: &str) -> Option<String> {
    let map = known().lock().expect("the TOTP secrets");
    let entry = map.get(&key(url, municipality, username))?;
    Some(code_at(&entry.secret, now_step().saturating_sub(120)))
}

/// Another server's secret of the same account (servers sharing one database, a server
/// started again on another port): the newest is tried.
fn adopt_from_elsewhere(k: &Key) -> bool {
    let mut map = known().lock().expect("the TOTP secrets");
    let found = map
        .iter()
        .filter(|(other, _)| other.1 == k.1 && other.2 == k.2 && other.0 != k.0)
        .max_by_key(|(_, v)| v.last_step)
        .map(|(_, v)| (v.secret.clone(), v.last_step));
    match found {
        Some((secret, last_step)) => {
            map.insert(k.clone(), Known { secret, last_step });
            true
        }
        None => false,
    }
}

/// Enrols the signed-in account of `token`: a new secret, confirmed with its current code.
/// The recovery codes the server answers.
pub async fn enrol(http: &reqwest::Client, url: &str, token: &str, who: (Option<&str>, &str)) -> Vec<String> {
    let begun: Value = http
        .post(format!("{url}/api/v1/staff/me/totp"))
        .bearer_auth(token)
        .send()
        .await
        .expect("start TOTP enrolment")
        .json()
        .await
        .expect("enrolment JSON");
    let secret = begun["secret"].as_str().expect("a secret").to_owned();
    let step = now_step();
    let resp = http
        .post(format!("{url}/api/v1/staff/me/totp/confirm"))
        .bearer_auth(token)
        .json(&json!({"code": code_at(&secret, step)}))
        .send()
        .await
        .expect("confirm TOTP enrolment");
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "confirming TOTP: {status} {body}");
    remember(url, who.0, who.1, &secret, step);
    body["recovery_codes"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// `POST /api/v1/login` as the harness signs in: with a code where it knows the account's
/// secret, enrolling the account where the server asks for that first. Status and body.
pub async fn login(http: &reqwest::Client, url: &str, body: &Value) -> (u16, Value) {
    let municipality = body["municipality"].as_str();
    let username = body["username"].as_str().unwrap_or_default();
    let k = key(url, municipality, username);
    let mut tried_elsewhere = false;
    loop {
        let mut body = body.clone();
        if body.get("totp").is_none()
            && let Some(code) = next_code(&k).await
        {
            body["totp"] = Value::String(code);
        }
        let resp = http
            .post(format!("{url}/api/v1/login"))
            .json(&body)
            .send()
            .await
            .expect("login request");
        let status = resp.status().as_u16();
        let answer: Value = resp.json().await.unwrap_or(Value::Null);
        if status == 401 && answer["code"] == "totp_required" && !tried_elsewhere {
            tried_elsewhere = true;
            if adopt_from_elsewhere(&k) {
                continue;
            }
        }
        if status == 200 && matches!(answer["role"].as_str(), Some("admin" | "platform_admin")) {
            let token = answer["token"].as_str().unwrap_or_default();
            let state: Value = http
                .get(format!("{url}/api/v1/staff/me/totp"))
                .bearer_auth(token)
                .send()
                .await
                .expect("TOTP status")
                .json()
                .await
                .unwrap_or(Value::Null);
            if state["enrolment_required"] == true {
                enrol(http, url, token, (municipality, username)).await;
            }
        }
        return (status, answer);
    }
}
