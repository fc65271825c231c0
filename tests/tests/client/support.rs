//! Real server processes, the real command line, and a staff client for checking what
//! arrived on the server.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Password of the demo accounts in these tests.
pub const PASSWORD: &str = "augenmerk-test-passwort";
/// Flensburg's AGS.
pub const FLENSBURG: &str = "01001000";
/// A residential street in Flensburg-Mürwik (a pothole there goes to Tiefbau).
pub const MUERWIK: (f64, f64) = (54.8100, 9.4800);
/// Denmark, far outside every municipality served.
pub const DENMARK: (f64, f64) = (55.0, 9.5);

/// The anonymizer's models in the workspace.
pub fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../models")
}

/// A free port on 127.0.0.1 (so a restarted server comes back at the same address).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// The sync server as a child process, killed with SIGKILL when dropped.
pub struct ServerProcess {
    child: Option<Child>,
    /// Its data directory.
    pub data: PathBuf,
    /// Its port.
    pub port: u16,
}

impl ServerProcess {
    /// Starts the server with the demo on `port` and waits until it answers.
    pub fn start(data: &Path, port: u16) -> Self {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data.with_extension("log"))
            .expect("server log");
        let child = Command::new(env!("CARGO_BIN_EXE_e2e-server"))
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}"), "--data"])
            .arg(data)
            .env("AUGENMERK_DEMO_PASSWORD", PASSWORD)
            // One address (the tests) sends what a whole town would: hundreds of reports
            // a minute. The per-address limits have their own tests (tests/api).
            .env("AUGENMERK__RATE_LIMITS__REPORTS_PER_ADDRESS", "1000000")
            .env("AUGENMERK__RATE_LIMITS__UPLOADS_PER_ADDRESS", "1000000")
            .env("AUGENMERK__RATE_LIMITS__DEVICES_PER_ADDRESS", "1000000")
            // The crash test's one device uploads more photos than a citizen's daily
            // quota (100); the quota has its own test (tests/api/photo_limits.rs).
            .env("AUGENMERK__PHOTOS__PER_DEVICE_PER_DAY", "1000000")
            .env("AUGENMERK__PHOTOS__BYTES_PER_DEVICE_PER_DAY", "100000000000")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start e2e-server");
        let server = Self {
            child: Some(child),
            data: data.to_owned(),
            port,
        };
        server.wait_until_up();
        server
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_until_up(&self) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if healthy(self.port) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "the server on port {} did not come up; see {}",
            self.port,
            self.data.with_extension("log").display()
        );
    }

    /// Kills the process (SIGKILL: no shutdown, like a power cut of the process).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Whether `GET http://127.0.0.1:<port>/healthz` answers 200 (blocking, no runtime needed).
fn healthy(port: u16) -> bool {
    use std::io::Read;
    let probe = || -> std::io::Result<bool> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        write!(
            s,
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )?;
        let mut buf = [0u8; 12];
        s.read_exact(&mut buf)?;
        Ok(&buf[9..12] == b"200")
    };
    probe().unwrap_or(false)
}

/// The `augenmerk` command line on one data directory.
pub struct Cli {
    /// Data directory.
    pub data: PathBuf,
    /// Server URL.
    pub server: String,
}

impl Cli {
    /// A command line for `data` talking to `server`.
    pub fn new(data: PathBuf, server: &str) -> Self {
        Self {
            data,
            server: server.to_owned(),
        }
    }

    /// The command, ready to run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_e2e-augenmerk"));
        cmd.arg("--server")
            .arg(&self.server)
            .arg("--data")
            .arg(&self.data)
            .arg("--retries")
            .arg("2")
            .args(args)
            .env("AUGENMERK_MODELS", models_dir())
            .env("XDG_CONFIG_HOME", self.data.with_extension("config"))
            .env_remove("AUGENMERK_PASSWORD")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs and returns the output, whatever the exit status.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, "")
    }

    /// Runs with `input` on stdin.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self.command(args).spawn().expect("start e2e-augenmerk");
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(input.as_bytes());
        }
        child.wait_with_output().expect("wait for e2e-augenmerk")
    }

    /// Runs, asserts success, returns stdout.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "augenmerk {args:?} failed: {}\nstdout: {}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs with `--json`, asserts success, parses stdout.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("augenmerk {args:?} printed no JSON ({e}): {out}"))
    }

    /// Runs, asserts failure, returns stderr.
    #[track_caller]
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "augenmerk {args:?} should have failed; stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// `report` of a pothole in Mürwik (routed to Tiefbau), optionally with photos; returns its id.
    #[track_caller]
    pub fn report_pothole(&self, photos: &[&Path], description: &str) -> String {
        let (lat, lon) = (MUERWIK.0.to_string(), MUERWIK.1.to_string());
        let mut args: Vec<String> = vec!["report".into()];
        for p in photos {
            args.push("--photo".into());
            args.push(p.display().to_string());
        }
        for a in [
            "--lat",
            &lat,
            "--lon",
            &lon,
            "--category",
            "schlagloch",
            "--answer",
            "gefahr_akut=false",
            "--answer",
            "strassenart=gemeindestrasse",
            "--description",
            description,
        ] {
            args.push(a.to_owned());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.json(&refs)["id"]
            .as_str()
            .expect("report prints its id")
            .to_owned()
    }

    /// The local reports (`list --json`).
    #[track_caller]
    pub fn list(&self) -> Vec<Value> {
        self.json(&["list"]).as_array().cloned().expect("list prints an array")
    }
}

/// A JPEG of coloured noise (distinct per seed), written to `path`.
pub fn write_jpeg(path: &Path, width: u32, height: u32, seed: u64) -> PathBuf {
    std::fs::write(path, jpeg(width, height, seed)).expect("write photo");
    path.to_owned()
}

/// A JPEG of coloured noise with a gradient.
pub fn jpeg(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    noise(width, height, seed)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode JPEG");
    out.into_inner()
}

/// Noise encoded the way the anonymizer encodes its output (no metadata at all).
pub fn anonymized_jpeg(width: u32, height: u32, seed: u64) -> Vec<u8> {
    augenmerk_anon::encode::encode_jpeg(noise(width, height, seed), &augenmerk_anon::EncodeOptions::default())
        .expect("encode JPEG")
}

fn noise(width: u32, height: u32, seed: u64) -> image::RgbImage {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x % 256) as u8 ^ rng.random::<u8>() >> 2,
            (y % 256) as u8,
            rng.random::<u8>(),
        ])
    })
}

/// A staff session against the server's API.
pub struct Staff {
    http: ::reqwest::Client,
    url: String,
    token: String,
}

impl Staff {
    /// Logs in a demo account of Flensburg.
    pub async fn login(url: &str, username: &str) -> Self {
        let http = ::reqwest::Client::new();
        let resp = http
            .post(format!("{url}/api/v1/login"))
            .json(&json!({"municipality": FLENSBURG, "username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("login request");
        assert_eq!(resp.status(), StatusCode::OK, "login as {username}");
        let body: Value = resp.json().await.expect("login JSON");
        Self {
            http,
            url: url.to_owned(),
            token: body["token"].as_str().expect("token").to_owned(),
        }
    }

    /// GET, asserting 200.
    pub async fn get(&self, path: &str) -> Value {
        let resp = self
            .http
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
        serde_json::from_str(&text).expect("JSON")
    }

    /// GET of raw bytes, asserting 200.
    pub async fn bytes(&self, path: &str) -> Vec<u8> {
        let resp = self
            .http
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET");
        assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
        resp.bytes().await.expect("body").to_vec()
    }

    /// POST JSON, asserting a 2xx answer.
    pub async fn post(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("POST");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert!(status.is_success(), "POST {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// PUT JSON, asserting a 2xx answer.
    pub async fn put(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .put(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("PUT");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert!(status.is_success(), "PUT {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
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

/// SHA-256 hex of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A complete pothole report in Mürwik (number `n` moves it a little), with `photos`.
pub fn pothole_draft(n: u64, photos: Vec<augenmerk_domain::BlobHash>) -> augenmerk_client::ReportDraft {
    let mut answers = serde_json::Map::new();
    answers.insert("gefahr_akut".into(), false.into());
    augenmerk_client::ReportDraft {
        municipality: None,
        category: augenmerk_domain::CategoryId::parse("schlagloch").expect("category"),
        answers,
        description: format!("Schlagloch Nr. {n}"),
        location: augenmerk_domain::GeoPoint {
            lat: MUERWIK.0 + (n % 100) as f64 * 1e-5,
            lon: MUERWIK.1,
        },
        address_hint: None,
        photos,
        contact_email: None,
        consent: true,
        language: None,
        share_contact: false,
    }
}
