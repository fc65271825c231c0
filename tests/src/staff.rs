//! A staff member's session on a running server's API, for setting things up and checking
//! what arrived, in every test binary that drives the server from outside.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::{FLENSBURG, PASSWORD};

/// A logged-in staff account.
pub struct Staff {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Staff {
    /// Logs a demo account of Flensburg in.
    pub async fn login(url: &str, username: &str) -> Self {
        Self::login_to(url, Some(FLENSBURG), username).await
    }

    /// Logs a demo account in: of a municipality, or (`None`) the platform admin.
    pub async fn login_to(url: &str, municipality: Option<&str>, username: &str) -> Self {
        Self::login_with(url, municipality, username, PASSWORD).await
    }

    /// Logs an account in with its password.
    pub async fn login_with(url: &str, municipality: Option<&str>, username: &str, password: &str) -> Self {
        let http = reqwest::Client::new();
        // Admins must have a second factor: the harness enrols them (crate::totp).
        let (status, body) = crate::totp::login(
            &http,
            url,
            &json!({"municipality": municipality, "username": username, "password": password}),
        )
        .await;
        assert!(
            (200..300).contains(&status),
            "login {municipality:?}/{username}: {status} {body}"
        );
        Self {
            http,
            url: url.to_owned(),
            token: body["token"].as_str().expect("token").to_owned(),
        }
    }

    /// The session's bearer token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Sends a request; status and JSON body (`null` when there is none).
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let resp = request.send().await.expect("staff request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// GET: status and body.
    pub async fn get_raw(&self, path: &str) -> (u16, Vec<u8>) {
        let resp = self
            .http
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET");
        let status = resp.status().as_u16();
        (status, resp.bytes().await.expect("body").to_vec())
    }

    /// GET JSON, asserting 200.
    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.get_raw(path).await;
        assert_eq!(status, 200, "GET {path}: {}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).expect("JSON")
    }

    /// GET of raw bytes, asserting 200.
    pub async fn bytes(&self, path: &str) -> Vec<u8> {
        let (status, body) = self.get_raw(path).await;
        assert_eq!(status, 200, "GET {path}");
        body
    }

    /// POST JSON, asserting a 2xx answer.
    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.send_ok(Method::POST, path, body).await
    }

    /// PUT JSON, asserting a 2xx answer.
    pub async fn put(&self, path: &str, body: Value) -> Value {
        self.send_ok(Method::PUT, path, body).await
    }

    /// PATCH JSON, asserting a 2xx answer.
    pub async fn patch(&self, path: &str, body: Value) -> Value {
        self.send_ok(Method::PATCH, path, body).await
    }

    async fn send_ok(&self, method: Method, path: &str, body: Value) -> Value {
        let (status, answer) = self.send(method.clone(), path, Some(body)).await;
        assert!((200..300).contains(&status), "{method} {path}: {status} {answer}");
        answer
    }

    /// Switches a category off for new reports, as an admin does in the console.
    pub async fn withdraw_category(&self, id: &str) {
        fn switch_off(cats: &mut Value, id: &str) -> bool {
            let Some(list) = cats.as_array_mut() else { return false };
            list.iter_mut().any(|c| {
                if c["id"] == id {
                    c["active"] = Value::Bool(false);
                    return true;
                }
                c.get_mut("subcategories").is_some_and(|subs| switch_off(subs, id))
            })
        }
        let mut tree = self.get("/api/v1/staff/config/categories").await;
        assert!(switch_off(&mut tree["categories"], id), "{id} is in the tree");
        self.put("/api/v1/staff/config/categories", tree).await;
    }

    /// The staff view of a report once it arrived (the page may send it a little later).
    pub async fn wait_for_report(&self, id: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let (status, body) = self.get_raw(&format!("/api/v1/staff/reports/{id}")).await;
            if status == 200 {
                return serde_json::from_slice(&body).expect("JSON");
            }
            assert!(
                Instant::now() < deadline,
                "report {id} did not reach the server within {timeout:?} (last answer {status})"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Every report id in the municipality's inbox.
    pub async fn all_report_ids(&self) -> Vec<String> {
        let mut ids = Vec::new();
        let mut page = 1;
        loop {
            let p = self
                .get(&format!("/api/v1/staff/reports?page={page}&page_size=200"))
                .await;
            let items = p["items"].as_array().cloned().unwrap_or_default();
            ids.extend(
                items
                    .iter()
                    .filter_map(|i| i["report"]["id"].as_str().map(str::to_owned)),
            );
            if items.len() < 200 {
                return ids;
            }
            page += 1;
        }
    }
}
