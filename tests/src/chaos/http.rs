//! An HTTP/1.1 proxy that sees each request: it forwards them to the real server, counts
//! them by method and path, remembers the hash of each request body, answers chosen ones
//! itself (a 500, a 429 with `Retry-After`, a 422 … with a JSON body, as the server would)
//! and can cut the network (every request is dropped without an answer, as a phone
//! without signal sees it).
//!
//! It parses just enough HTTP/1.1 for a browser on a keep-alive connection: the request
//! line, the headers and a body framed by `Content-Length` or chunked. Answers are written
//! with a `Content-Length`, so the proxy never has to frame the server's bytes itself.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A request head or chunk-size line longer than this is not from a browser.
const MAX_LINE: usize = 64 * 1024;
/// Request bodies kept as text (JSON reports), for counting by report id.
const MAX_TEXT: usize = 256 * 1024;
/// Headers that belong to one connection, not to the request or answer.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
    "expect",
];

/// An answer the proxy gives in place of the server, to the next `times` requests that
/// match.
#[derive(Clone, Debug)]
pub struct Injection {
    method: String,
    path: String,
    body_contains: Option<String>,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    times: u32,
}

impl Injection {
    /// Answers the next request `method` on a path starting with `path` (the query
    /// counts) with `status` and this JSON body.
    pub fn new(method: &str, path: &str, status: u16, body: &Value) -> Self {
        Self {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            body_contains: None,
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            times: 1,
        }
    }

    /// One more header of the answer (`Retry-After` …).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Answers this many matching requests, not one.
    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }

    /// Only requests whose body contains `needle` (a report's id) match.
    pub fn body_contains(mut self, needle: &str) -> Self {
        self.body_contains = Some(needle.to_owned());
        self
    }

    fn matches(&self, request: &Request) -> bool {
        request.method == self.method
            && request.path.starts_with(&self.path)
            && self
                .body_contains
                .as_ref()
                .is_none_or(|n| request.text().is_some_and(|t| t.contains(n.as_str())))
    }
}

/// What became of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// The server answered with this status.
    Forwarded(u16),
    /// The proxy answered with this status; the server never saw it.
    Injected(u16),
    /// Nobody answered: the network was cut, or the server was down.
    Dropped,
}

/// One request the proxy saw.
#[derive(Clone, Debug)]
pub struct Seen {
    /// `GET`, `POST` …
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Lowercase hex SHA-256 of the body.
    pub body_sha256: String,
    /// The body's length in bytes.
    pub body_len: usize,
    /// The body, when it is UTF-8 and short (JSON).
    pub body_text: Option<String>,
    /// What became of it.
    pub fate: Fate,
}

impl Seen {
    /// Whether this is `method` on a path starting with `path`, with a body containing
    /// `needle` if given.
    pub fn is(&self, method: &str, path: &str, needle: Option<&str>) -> bool {
        self.method.eq_ignore_ascii_case(method)
            && self.path.starts_with(path)
            && needle.is_none_or(|n| self.body_text.as_deref().is_some_and(|t| t.contains(n)))
    }
}

#[derive(Debug)]
struct State {
    target: Mutex<SocketAddr>,
    offline: AtomicBool,
    rules: Mutex<Vec<Injection>>,
    seen: Mutex<Vec<Seen>>,
    upstream: reqwest::Client,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The proxy on 127.0.0.1; dropped, it stops accepting.
#[derive(Debug)]
pub struct HttpProxy {
    addr: SocketAddr,
    state: Arc<State>,
    accept_task: JoinHandle<()>,
}

impl HttpProxy {
    /// Listens on 127.0.0.1:0 and forwards to `target`.
    pub async fn start(target: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let upstream = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            // Anonymizing a photo in a debug build next to other builds takes a while.
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(std::io::Error::other)?;
        let state = Arc::new(State {
            target: Mutex::new(target),
            offline: AtomicBool::new(false),
            rules: Mutex::new(Vec::new()),
            seen: Mutex::new(Vec::new()),
            upstream,
        });
        let accept_task = tokio::spawn(accept_loop(listener, Arc::clone(&state)));
        Ok(Self {
            addr,
            state,
            accept_task,
        })
    }

    /// Base URL of the proxy, `http://127.0.0.1:PORT`: the page's origin in the tests.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Forwards to another server from now on (one restored from a backup).
    pub fn set_target(&self, target: SocketAddr) {
        *lock(&self.state.target) = target;
    }

    /// Cuts the network (every request is dropped unanswered) or gives it back.
    pub fn set_offline(&self, offline: bool) {
        self.state.offline.store(offline, Ordering::SeqCst);
    }

    /// Adds an answer in place of the server's.
    pub fn inject(&self, injection: Injection) {
        lock(&self.state.rules).push(injection);
    }

    /// Every request so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.state.seen).clone()
    }

    /// The requests `method` on a path starting with `path`, with a body containing
    /// `needle` if given, that someone answered (the server or the proxy).
    pub fn answered(&self, method: &str, path: &str, needle: Option<&str>) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.fate != Fate::Dropped && s.is(method, path, needle))
            .collect()
    }

    /// Injections not used up yet.
    pub fn pending_injections(&self) -> usize {
        lock(&self.state.rules).iter().map(|r| r.times as usize).sum()
    }
}

impl Drop for HttpProxy {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        tokio::spawn(serve(client, Arc::clone(&state)));
    }
}

/// A request as the browser sent it.
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    close: bool,
}

impl Request {
    fn text(&self) -> Option<&str> {
        (self.body.len() <= MAX_TEXT)
            .then(|| std::str::from_utf8(&self.body).ok())
            .flatten()
    }

    fn seen(&self, fate: Fate) -> Seen {
        Seen {
            method: self.method.clone(),
            path: self.path.clone(),
            body_sha256: hex::encode(Sha256::digest(&self.body)),
            body_len: self.body.len(),
            body_text: self.text().map(str::to_owned),
            fate,
        }
    }
}

async fn serve(client: TcpStream, state: Arc<State>) {
    let _ = client.set_nodelay(true);
    let (read, mut write) = client.into_split();
    let mut reader = BufReader::new(read);
    while let Some(request) = read_request(&mut reader).await {
        if state.offline.load(Ordering::SeqCst) {
            lock(&state.seen).push(request.seen(Fate::Dropped));
            return;
        }
        let injection = {
            let mut rules = lock(&state.rules);
            let found = rules.iter().position(|r| r.matches(&request));
            found.map(|i| {
                let rule = rules[i].clone();
                rules[i].times -= 1;
                if rules[i].times == 0 {
                    rules.remove(i);
                }
                rule
            })
        };
        let (fate, answer) = match injection {
            Some(rule) => {
                let answer = response(rule.status, &rule.headers, rule.body.as_bytes(), request.close);
                (Fate::Injected(rule.status), answer)
            }
            None => match forward(&state, &request).await {
                Some((status, headers, body)) => {
                    let head = request.method == "HEAD";
                    let body = if head { &[][..] } else { &body[..] };
                    (Fate::Forwarded(status), response(status, &headers, body, request.close))
                }
                None => {
                    // The server is down: to the browser, that is no network.
                    lock(&state.seen).push(request.seen(Fate::Dropped));
                    return;
                }
            },
        };
        lock(&state.seen).push(request.seen(fate));
        if write.write_all(&answer).await.is_err() || request.close {
            return;
        }
    }
}

/// Reads one request; `None` at the connection's end or on bytes that are not HTTP/1.1.
async fn read_request<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> Option<Request> {
    let mut line = String::new();
    // Browsers may send an empty line between requests.
    while line.trim().is_empty() {
        line.clear();
        if read_line(reader, &mut line).await? == 0 {
            return None;
        }
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_ascii_uppercase();
    let path = parts.next()?.to_owned();
    let version = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        read_line(reader, &mut line).await?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let close = get("connection").is_some_and(|v| v.contains("close")) || version == "HTTP/1.0";
    let body = if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        read_chunked(reader).await?
    } else {
        let length: usize = get("content-length").map_or(Some(0), |v| v.parse().ok())?;
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await.ok()?;
        body
    };
    Some(Request {
        method,
        path,
        headers,
        body,
        close,
    })
}

async fn read_line<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R, line: &mut String) -> Option<usize> {
    let n = (&mut *reader).take(MAX_LINE as u64).read_line(line).await.ok()?;
    (n < MAX_LINE).then_some(n)
}

async fn read_chunked<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        read_line(reader, &mut line).await?;
        let size = usize::from_str_radix(line.trim().split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                line.clear();
                read_line(reader, &mut line).await?;
                if line.trim().is_empty() {
                    return Some(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).await.ok()?;
        line.clear();
        read_line(reader, &mut line).await?;
    }
}

/// Sends the request to the server; `None` when it cannot be reached.
async fn forward(state: &State, request: &Request) -> Option<(u16, Vec<(String, String)>, Vec<u8>)> {
    let target = *lock(&state.target);
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).ok()?;
    let mut builder = state
        .upstream
        .request(method, format!("http://{target}{}", request.path))
        .body(request.body.clone());
    for (name, value) in &request.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            // The browser's Host (the proxy's address) goes on, as behind a load balancer.
            builder = builder.header(name, value);
        }
    }
    let answer = builder.send().await.ok()?;
    let status = answer.status().as_u16();
    let headers = answer
        .headers()
        .iter()
        .filter(|(n, _)| !HOP_BY_HOP.contains(&n.as_str()))
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let body = answer.bytes().await.ok()?.to_vec();
    Some((status, headers, body))
}

/// An HTTP/1.1 answer framed by its length.
fn response(status: u16, headers: &[(String, String)], body: &[u8], close: bool) -> Vec<u8> {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut out = format!("HTTP/1.1 {status} {reason}\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if status != 204 && status != 304 {
        out.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    if close {
        out.push_str("connection: close\r\n");
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Answers every request with 200 and the request's path as the body.
    async fn echo_path_server() -> SocketAddr {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut reader = BufReader::new(read);
                    while let Some(request) = read_request(&mut reader).await {
                        let answer = response(200, &[], request.path.as_bytes(), false);
                        if write.write_all(&answer).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn forwards_injects_counts_and_cuts() {
        let proxy = HttpProxy::start(echo_path_server().await).await.expect("proxy");
        let client = reqwest::Client::builder().no_proxy().build().expect("client");
        let url = |p: &str| format!("{}{p}", proxy.url());
        let body = client
            .get(url("/a?b=1"))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("text");
        assert_eq!(body, "/a?b=1");
        proxy.inject(
            Injection::new("post", "/api/v1/reports", 429, &json!({"code": "rate_limited"}))
                .header("retry-after", "1")
                .body_contains("r-1"),
        );
        let other = client
            .post(url("/api/v1/reports"))
            .body("r-2")
            .send()
            .await
            .expect("post");
        assert_eq!(other.status(), 200, "another report goes through");
        let hit = client
            .post(url("/api/v1/reports"))
            .body("r-1")
            .send()
            .await
            .expect("post");
        assert_eq!(hit.status(), 429);
        assert_eq!(hit.headers()["retry-after"], "1");
        assert_eq!(hit.json::<Value>().await.expect("json")["code"], "rate_limited");
        let again = client
            .post(url("/api/v1/reports"))
            .body("r-1")
            .send()
            .await
            .expect("post");
        assert_eq!(again.status(), 200, "used up");
        assert_eq!(proxy.answered("POST", "/api/v1/reports", Some("r-1")).len(), 2);
        assert_eq!(proxy.pending_injections(), 0);

        proxy.set_offline(true);
        assert!(client.get(url("/x")).send().await.is_err(), "no answer while cut");
        proxy.set_offline(false);
        assert!(client.get(url("/x")).send().await.is_ok());
        let dropped = proxy.seen().iter().filter(|s| s.fate == Fate::Dropped).count();
        assert!(dropped >= 1);
    }
}
