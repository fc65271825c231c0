//! A real server per test and a small client for its API.
//!
//! [`spawn_app`] starts the sync server on 127.0.0.1 (port 0) with a fresh data directory.
//! Seeding the demo imports 1,108 boundaries and hashes six passwords; that happens once
//! per test process into a template directory, and every test starts from a copy of it
//! (`demo::seed_demo` still runs and finds the demo in place). Requests return a
//! [`Reply`] that keeps status, headers and body text, so tests can look at error bodies
//! and scan every response for text that must not leak.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use augenmerk_server::config::Settings;
use augenmerk_server::{build_state, demo, serve};
use augenmerk_tests::backend;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

/// Password of every demo account.
pub const PASSWORD: &str = "augenmerk-test-passwort";
/// Flensburg's AGS.
pub const FLENSBURG: &str = demo::FLENSBURG;
/// Kiel's AGS.
pub const KIEL: &str = demo::KIEL;

/// Südermarkt, Flensburg (Stadtteil Altstadt).
pub const SUEDERMARKT: (f64, f64) = (54.7816, 9.4366);
/// A residential street in Flensburg-Mürwik (no rule names Mürwik).
pub const MUERWIK: (f64, f64) = (54.8100, 9.4800);
/// Kiel, Rathaus.
pub const KIEL_RATHAUS: (f64, f64) = (54.3233, 10.1394);
/// Lübeck, Holstentor (Lübeck is not a tenant of the demo, but in its directory).
pub const HOLSTENTOR: (f64, f64) = (53.8663, 10.6797);
/// Neumünster: neither a tenant nor in the demo's directory.
pub const NEUMUENSTER: (f64, f64) = (54.0846, 9.9935);
/// Amt Langballig, the demo's Amt, and two of its Gemeinden.
pub const AMT_LANGBALLIG: &str = demo::AMT_LANGBALLIG;
/// In Wees (01059176), Amt Langballig.
pub const WEES: (f64, f64) = (54.8071, 9.5364);
/// In Langballig (01059137), Amt Langballig.
pub const LANGBALLIG: (f64, f64) = (54.8062, 9.6393);
/// On the water of the Flensburger Förde, just outside the city's boundary.
pub const FOERDE: (f64, f64) = (54.8000, 9.4350);
/// Denmark, well beyond the tolerance.
pub const DENMARK: (f64, f64) = (55.0, 9.5);

/// A running server with its own data directory; stopped when dropped.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The data directory (database and photo store).
    pub data_dir: PathBuf,
    /// The server's state, for jobs a test runs at a moved clock (the retention job).
    pub state: augenmerk_server::state::AppState,
    client: reqwest::Client,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A registered device.
#[derive(Debug, Clone)]
pub struct Device {
    /// Device id.
    pub id: String,
    /// Bearer token.
    pub token: String,
}

/// A logged-in staff member.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Bearer token.
    pub token: String,
    /// Account id.
    pub id: String,
    /// Display name (what colleagues see, and citizens never).
    pub name: String,
}

/// A citizen's pothole as [`TestApp::submitted_pothole`] leaves it on the server.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// The device that submitted it.
    pub device: Device,
    /// The report as sent ([`pothole`]).
    pub report: Value,
    /// Its id.
    pub id: String,
    /// The citizen's view of it, as the server answered the submission.
    pub view: Value,
}

/// An answer of the server.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub bytes: Vec<u8>,
}

impl Reply {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// The body as JSON; panics with the body if it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("{} answered no JSON ({e}): {}", self.status, self.text()))
    }

    /// Asserts the status and returns the JSON body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text());
        if self.bytes.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }

    /// Asserts an error answer: status and the `code` of the JSON error body.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> Value {
        let body = self.expect(status);
        assert_eq!(body["code"], code, "unexpected error code; body: {body}");
        assert!(
            body["message"]["de"].as_str().is_some_and(|m| !m.is_empty())
                && body["message"]["en"].as_str().is_some_and(|m| !m.is_empty()),
            "error bodies carry a German and an English message: {body}"
        );
        body
    }

    /// Asserts a 422 `validation_failed` that lists this field with this problem.
    #[track_caller]
    pub fn expect_field_error(&self, field: &str, problem: &str) -> Value {
        let body = self.expect_error(422, "validation_failed");
        assert!(
            has_detail(&body, field, problem),
            "expected details to contain {field}/{problem}: {body}"
        );
        body
    }
}

/// Whether an error body lists `field` with `problem`.
pub fn has_detail(body: &Value, field: &str, problem: &str) -> bool {
    body["details"]
        .as_array()
        .is_some_and(|d| d.iter().any(|e| e["field"] == field && e["problem"] == problem))
}

/// Starts a server with the demo seeded and default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a server with the demo seeded; `tweak` may change the settings first.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-api-")
        .tempdir()
        .expect("temporary directory");
    let data_dir = dir.path().join("data");
    let template = template();
    copy_dir(&template.dir, &data_dir);
    let mut settings = Settings {
        listen: "127.0.0.1:0".parse().expect("address"),
        data_dir: data_dir.clone(),
        database_url: template
            .database
            .as_deref()
            .map(|name| backend::postgres_database(Some(name))),
        ..Default::default()
    };
    tweak(&mut settings);
    let state = build_state(settings).await.expect("server state");
    // Finds the demo of the template in place; seeds it if it is not.
    demo::seed_demo(&state, PASSWORD).await.expect("demo seeding");
    let running = serve(state.clone()).await.expect("server listens");
    TestApp {
        address: format!("http://{}", running.addr),
        data_dir,
        state,
        client: reqwest::Client::new(),
        server: running.handle,
        _dir: dir,
    }
}

/// The seeded demo each test starts from: a data directory, and on PostgreSQL
/// ([`backend::postgres`]) a template database that each test copies.
struct Template {
    dir: PathBuf,
    database: Option<String>,
}

/// The seeded template of this test process (seeded on first use).
fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        // Its own thread and runtime: the store must be dropped (and the database closed)
        // before the files (or the template database) are copied, whatever runtime the
        // first test uses.
        std::thread::spawn(seed_template)
            .join()
            .expect("seeding the template panicked")
    })
}

fn seed_template() -> Template {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    remove_stale_templates(&root);
    let dir = root.join(format!("api-template-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let database = backend::postgres_for_api().then(|| "api_template".to_owned());
    let database_url = database.as_deref().map(backend::postgres_named);
    runtime.block_on(async {
        let settings = Settings {
            data_dir: dir.clone(),
            database_url,
            ..Default::default()
        };
        let state = build_state(settings).await.expect("template state");
        assert!(
            demo::seed_demo(&state, PASSWORD).await.expect("seeding the demo"),
            "the template starts empty"
        );
    });
    // The runtime's end closes the template database's connections.
    drop(runtime);
    Template { dir, database }
}

/// Templates of test processes that no longer run.
fn remove_stale_templates(root: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix("api-template-")
            && !Path::new("/proc").join(pid).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create data directory");
    for entry in std::fs::read_dir(from).expect("read template").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy template file");
        }
    }
}

impl TestApp {
    /// A request to a path of the server, with a bearer token if given.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        let rb = self.client.request(method, format!("{}{path}", self.address));
        match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    /// Sends a request and collects the answer.
    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Reply {
        let response = rb.send().await.expect("request reaches the server");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("response body").to_vec();
        Reply { status, headers, bytes }
    }

    /// GET.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(self.request(Method::GET, path, token)).await
    }

    /// HEAD.
    pub async fn head(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(self.request(Method::HEAD, path, token)).await
    }

    /// POST with a JSON body.
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.send(self.request(Method::POST, path, token).json(body)).await
    }

    /// PUT with a JSON body.
    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.send(self.request(Method::PUT, path, token).json(body)).await
    }

    /// PATCH with a JSON body.
    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.send(self.request(Method::PATCH, path, token).json(body)).await
    }

    /// PUT of photo bytes to their address.
    pub async fn put_blob(&self, token: &str, hash: &str, bytes: Vec<u8>) -> Reply {
        let rb = self
            .request(Method::PUT, &format!("/api/v1/blobs/{hash}"), Some(token))
            .header("content-type", "application/octet-stream")
            .body(bytes);
        self.send(rb).await
    }

    /// The municipality's admin turns on publishing the citizens' texts (off by default);
    /// answers whether it was on before.
    pub async fn publish_text(&self, ags: &str) -> bool {
        let mut before = false;
        self.change_settings(ags, |settings| {
            before = settings["publish_text"] == json!(true);
            settings["publish_text"] = json!(true);
        })
        .await;
        before
    }

    /// Changes a municipality's settings through its admin; returns them as saved.
    pub async fn change_settings(&self, ags: &str, change: impl FnOnce(&mut Value)) -> Value {
        let admin = self.login(ags, "admin").await;
        let mut settings = self
            .get("/api/v1/staff/config/settings", Some(&admin.token))
            .await
            .expect(200);
        change(&mut settings);
        self.put("/api/v1/staff/config/settings", Some(&admin.token), &settings)
            .await
            .expect(200)
    }

    /// Issues an Open311 API key of a municipality through its admin; `media_hosts` may be fetched from.
    pub async fn open311_key(&self, ags: &str, media_hosts: &[&str]) -> String {
        let admin = self.login(ags, "admin").await;
        let body = self
            .post(
                "/api/v1/staff/config/api-keys",
                Some(&admin.token),
                &json!({"name": "Testclient", "media_hosts": media_hosts}),
            )
            .await
            .expect(201);
        body["api_key"].as_str().expect("the secret").to_owned()
    }

    /// Registers a new device.
    pub async fn device(&self) -> Device {
        let body = self
            .post(
                "/api/v1/devices",
                None,
                &json!({"platform": "linux", "app_version": "test"}),
            )
            .await
            .expect(201);
        Device {
            id: body["device_id"].as_str().expect("device id").to_owned(),
            token: body["token"].as_str().expect("token").to_owned(),
        }
    }

    /// Logs the platform admin in (who must have a second factor: the harness enrols it
    /// and answers codes, see `augenmerk_tests::totp`); its token.
    pub async fn platform_token(&self) -> String {
        let (status, body) = augenmerk_tests::totp::login(
            &self.client,
            &self.address,
            &json!({"username": "platform", "password": PASSWORD}),
        )
        .await;
        assert_eq!(status, 200, "platform login: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Logs a demo account in (`admin`, `dispatcher`, `field`).
    pub async fn login(&self, ags: &str, username: &str) -> Staff {
        // Admins must have a second factor: the harness enrols them and answers codes.
        let (status, body) = augenmerk_tests::totp::login(
            &self.client,
            &self.address,
            &json!({"municipality": ags, "username": username, "password": PASSWORD}),
        )
        .await;
        assert_eq!(status, 200, "login {ags}/{username}: {body}");
        Staff {
            token: body["token"].as_str().expect("token").to_owned(),
            id: body["user"]["id"].as_str().expect("user id").to_owned(),
            name: body["user"]["display_name"].as_str().expect("name").to_owned(),
        }
    }

    /// Submits a report as a device.
    pub async fn submit(&self, device: &Device, report: &Value) -> Reply {
        self.post("/api/v1/reports", Some(&device.token), report).await
    }

    /// The common start of a test: a new device submits a pothole in Mürwik ([`pothole`]),
    /// which the server accepts.
    pub async fn submitted_pothole(&self) -> Submitted {
        let device = self.device().await;
        let report = pothole();
        let view = self.submit_ok(&device, &report).await;
        Submitted {
            id: id_of(&report),
            device,
            report,
            view,
        }
    }

    /// Submits a report that must be accepted; returns the citizen's view of it.
    pub async fn submit_ok(&self, device: &Device, report: &Value) -> Value {
        self.submit(device, report).await.expect(201)
    }

    /// The staff view of a report.
    pub async fn detail(&self, staff: &Staff, id: &str) -> Value {
        self.get(&format!("/api/v1/staff/reports/{id}"), Some(&staff.token))
            .await
            .expect(200)
    }

    /// The citizen view of a report.
    pub async fn citizen_view(&self, device: &Device, id: &str) -> Value {
        self.get(&format!("/api/v1/reports/{id}"), Some(&device.token))
            .await
            .expect(200)
    }

    /// How many reports the staff member's inbox holds in all.
    pub async fn inbox_total(&self, staff: &Staff) -> u64 {
        self.get("/api/v1/staff/reports", Some(&staff.token)).await.expect(200)["total"]
            .as_u64()
            .expect("total")
    }

    /// Asks for a status change.
    pub async fn transition(&self, staff: &Staff, id: &str, body: &Value) -> Reply {
        self.post(
            &format!("/api/v1/staff/reports/{id}/transition"),
            Some(&staff.token),
            body,
        )
        .await
    }

    /// A dry run of the rules.
    pub async fn dry_run(&self, staff: &Staff, body: &Value) -> Reply {
        self.post("/api/v1/staff/rules/dry-run", Some(&staff.token), body).await
    }

    /// Replaces Flensburg's rules with one default rule that sets no department, so that
    /// new reports stay `received` (for walking the process from its start).
    pub async fn rules_that_assign_nobody(&self) {
        let admin = self.login(FLENSBURG, "admin").await;
        self.put(
            "/api/v1/staff/config/rules",
            Some(&admin.token),
            &json!([{"id": "default", "name": "Nur Frist setzen", "conditions": [],
                     "action": {"due_hours": 120}}]),
        )
        .await
        .expect(200);
    }

    /// Files stored in the photo store (temporary files excluded).
    pub fn stored_blob_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if !e.file_name().to_string_lossy().starts_with('.') {
                    out.push(p);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.data_dir.join("blobs"), &mut out);
        out
    }
}

/// A new report (fresh id, consent given) with a category, answers and a place.
pub fn report(category: &str, answers: Value, (lat, lon): (f64, f64)) -> Value {
    json!({
        "id": Uuid::new_v4(),
        "category": category,
        "answers": answers,
        "description": "Tiefes Loch vor dem Haus, Radfahrer weichen aus.",
        "location": {"lat": lat, "lon": lon},
        "consent": true,
    })
}

/// A pothole in Flensburg-Mürwik on a municipal street, no acute danger (→ Tiefbau).
pub fn pothole() -> Value {
    report(
        "schlagloch",
        json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
        MUERWIK,
    )
}

/// The SHA-256 of bytes, hex, as a photo address.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A small PNG with a gradient.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("encode PNG");
    out.into_inner()
}

/// The id of a report body (citizen view or request).
pub fn id_of(report: &Value) -> String {
    report["id"].as_str().expect("report id").to_owned()
}

/// CRC-32 (IEEE) as PNG chunks use it.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG with one more chunk right after its header chunk.
pub fn png_with_chunk(png: &[u8], kind: [u8; 4], data: &[u8]) -> Vec<u8> {
    // Signature (8) + IHDR (4 length + 4 type + 13 data + 4 CRC).
    let after_header = 33;
    assert_eq!(&png[12..16], b"IHDR");
    let mut chunk = Vec::new();
    chunk.extend(u32::try_from(data.len()).expect("small chunk").to_be_bytes());
    let mut typed = kind.to_vec();
    typed.extend(data);
    chunk.extend(&typed);
    chunk.extend(crc32(&typed).to_be_bytes());
    let mut out = png[..after_header].to_vec();
    out.extend(chunk);
    out.extend(&png[after_header..]);
    out
}

/// A valid 1 × 1 PNG whose header then claims other dimensions (with a correct CRC).
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png(1, 1);
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// Form-encodes fields (`application/x-www-form-urlencoded`, as Open311 clients post).
pub fn form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
