//! The pieces of a browser test: the real server as a process serving the built UI,
//! headless Chromium through chromedriver (both killed when dropped, also on a panic),
//! helpers for the page's `data-testid` contract, a staff client, and the test photo.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use image::RgbImage;
use serde_json::{Value, json};
use tempfile::TempDir;

/// Password of the demo accounts.
pub const PASSWORD: &str = "augenmerk-test-passwort";
/// Flensburg's AGS.
pub const FLENSBURG: &str = "01001000";
/// A residential street in Flensburg-Mürwik (a pothole on a municipal street goes to Tiefbau).
pub const MUERWIK: (f64, f64) = (54.8100, 9.4800);
/// How long the page may take for anything that waits on the server (anonymizing a photo
/// runs the models in a debug build next to other builds).
pub const SLOW: Duration = Duration::from_secs(90);
/// Phone (390 × 844) and laptop (1366 × 800) window sizes of the screenshots.
pub const SIZES: [(&str, u32, u32); 2] = [("phone", 390, 844), ("laptop", 1366, 800)];

/// Installs (once per document) the mark that makes WebKit present a frame every 200 ms.
const REPAINT_TICKER: &str = "if (!document.getElementById('e2e-repaint')) { \
    const d = document.createElement('div'); d.id = 'e2e-repaint'; d.setAttribute('aria-hidden', 'true'); \
    d.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none;z-index:2147483647'; \
    document.body.appendChild(d); let k = 0; \
    setInterval(() => { k ^= 1; d.style.background = k ? 'rgba(0,0,0,0.01)' : 'rgba(0,0,0,0.02)'; }, 200); }";

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lies in the workspace")
        .to_owned()
}

/// The built web UI, failing with what to do when it is not built.
pub fn built_ui() -> PathBuf {
    let dist = workspace().join("src-ui/dist");
    assert!(
        dist.join("index.html").is_file() && dist.join("pkg").is_dir(),
        "the web UI is not built at {}: run scripts/build-ui.sh first (scripts/test.sh does)",
        dist.display()
    );
    dist
}

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// Whether `GET /<path>` on the port answers 200 (blocking, no runtime needed).
fn answers_200(port: u16, path: &str) -> bool {
    let probe = || -> std::io::Result<bool> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
        let mut buf = [0u8; 12];
        s.read_exact(&mut buf)?;
        Ok(&buf[9..12] == b"200")
    };
    probe().unwrap_or(false)
}

/// Waits (up to 90 s) until `GET /<path>` on the port answers 200; panics naming the log.
pub fn wait_for_200(port: u16, path: &str, what: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        if answers_200(port, path) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} on port {port} did not come up; see {}", log.display());
}

/// A child process in its own process group; the whole group is killed when dropped
/// (chromedriver's Chromium processes must not outlive a failed test).
pub struct Group {
    child: Child,
}

impl Group {
    /// Starts `cmd` as the leader of a new process group.
    pub fn spawn(cmd: &mut Command) -> std::io::Result<Self> {
        cmd.process_group(0).spawn().map(|child| Self { child })
    }

    /// The process's piped stdout (once).
    #[allow(dead_code, reason = "used by the app test (tests/app), which shares this module")]
    pub fn stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.stdout.take()
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        // The whole group the child leads (negative pid). `--` is essential: without it,
        // procps-ng 4.0's `kill -KILL -<pgid>` sends kill(-1, SIGKILL), killing every
        // process of the user (checked with strace on Debian 12).
        let pid = self.child.id();
        if pid > 1 {
            let _ = Command::new("kill")
                .args(["-s", "KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The sync server as a process with the demo, the built UI and no map tiles.
pub struct Server {
    _process: Group,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

impl Server {
    /// Starts the server in `dir` and waits until it answers.
    pub fn start(dir: &Path) -> Self {
        Self::start_on(dir, free_port())
    }

    /// Starts the server in `dir` on `port` and waits until it answers. Started again on
    /// the same `dir`, it keeps its data (the demo is seeded once); the log is appended.
    pub fn start_on(dir: &Path, port: u16) -> Self {
        let ui = built_ui();
        let data = dir.join("server");
        let log_path = dir.join("server.log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .expect("server log");
        let process = Group::spawn(
            Command::new(env!("CARGO_BIN_EXE_e2e-server"))
                .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}"), "--data"])
                .arg(&data)
                .env("AUGENMERK_DEMO_PASSWORD", PASSWORD)
                .env("AUGENMERK__UI_DIR", &ui)
                // No requests to the internet: the map shows coordinates only.
                .env("AUGENMERK__TILE_URL", "")
                .env("AUGENMERK__MODELS_DIR", workspace().join("models"))
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log),
        )
        .expect("start e2e-server");
        wait_for_200(port, "/healthz", "the server", &log_path);
        Self {
            _process: process,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

/// A WebDriver session: headless Chromium through chromedriver with a fresh profile, or
/// (through [`Browser::attach`]) another driver such as tauri-driver for the app.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    /// Names the screenshot folder (`docs/screenshots/<kind>`) and the failure files.
    kind: &'static str,
    _driver: Group,
    _profile: Option<TempDir>,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a session at phone size.
    pub async fn start(dir: &Path) -> Self {
        let port = free_port();
        let log_path = dir.join("chromedriver.log");
        let log = std::fs::File::create(&log_path).expect("chromedriver log");
        let driver = Group::spawn(
            Command::new("chromedriver")
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log_path.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log),
        )
        .expect("start chromedriver (Debian package chromium-driver: run scripts/setup.sh)");
        wait_for_200(port, "/status", "chromedriver", &log_path);
        let profile = tempfile::Builder::new()
            .prefix("augenmerk-chromium-")
            .tempdir()
            .expect("profile directory");
        let (_, width, height) = SIZES[0];
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            // Without these Chromium floods the closed network with refused connections.
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-quic".to_owned(),
            "--lang=de-DE".to_owned(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args},
        });
        let Value::Object(caps) = caps else {
            unreachable!("a JSON object literal")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("WebDriver session: {e}; see {}", log_path.display()));
        Self {
            client,
            kind: "web",
            _driver: driver,
            _profile: Some(profile),
        }
    }

    /// Wraps a session of another driver (killed with the session's end); `kind` names the
    /// screenshot folder and the failure files.
    #[allow(dead_code, reason = "used by the app test (tests/app), which shares this module")]
    pub fn attach(client: Client, driver: Group, kind: &'static str) -> Self {
        Self {
            client,
            kind,
            _driver: driver,
            _profile: None,
        }
    }

    /// Opens a page and records its console errors and uncaught failures (a panic in the
    /// wasm module leaves the page looking fine but dead), for `save_failure`.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("open the page");
        self.watch_console().await;
    }

    /// Records the page's console errors and uncaught failures, for `save_failure`.
    pub async fn watch_console(&self) {
        let hook = r#"window.__testLog = [];
            const error = console.error;
            console.error = (...a) => { window.__testLog.push(a.map(String).join(' ')); error(...a); };
            window.addEventListener('error', e => window.__testLog.push('error: ' + e.message));
            window.addEventListener('unhandledrejection', e => window.__testLog.push('rejection: ' + e.reason));"#;
        self.client
            .execute(hook, vec![])
            .await
            .expect("install the console hook");
    }

    /// Ends the session (Drop kills the processes anyway).
    pub async fn close(self) {
        let Self {
            client,
            _driver,
            _profile,
            ..
        } = self;
        let _ = client.close().await;
    }

    /// The CSS selector of a `data-testid`.
    pub fn id(testid: &str) -> String {
        format!("[data-testid=\"{testid}\"]")
    }

    /// Waits until an element matches `css`.
    pub async fn wait_css(&self, css: &str, timeout: Duration) -> Element {
        let found = self
            .client
            .wait()
            .at_most(timeout)
            .every(Duration::from_millis(200))
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(e) => e,
            Err(e) => {
                let saved = self.save_failure().await;
                panic!("no element {css} after {timeout:?}: {e}; the page is saved as {saved}")
            }
        }
    }

    /// Saves a screenshot and the DOM of the page for a failed step; returns where.
    pub async fn save_failure(&self) -> String {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-failure", self.kind));
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(base.with_extension("png"), png);
        }
        if let Ok(html) = self.client.source().await {
            let _ = std::fs::write(base.with_extension("html"), html);
        }
        let log = self
            .client
            .execute("return (window.__testLog || []).join('\\n');", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = std::fs::write(base.with_extension("log"), &log);
        format!("{}.{{png,html,log}}; console errors:\n{log}", base.display())
    }

    /// Waits until an element with this `data-testid` is there.
    pub async fn wait_id(&self, testid: &str, timeout: Duration) -> Element {
        self.wait_css(&Self::id(testid), timeout).await
    }

    /// The element with this `data-testid` (it must be there now, or appear within 10 s).
    pub async fn by_id(&self, testid: &str) -> Element {
        self.wait_id(testid, Duration::from_secs(10)).await
    }

    /// Waits until the first element matching `css` has `attr` = `value`; the page may
    /// re-render meanwhile, so the element is looked up again on each try.
    pub async fn wait_attr(&self, css: &str, attr: &str, value: &str, timeout: Duration) -> Element {
        let deadline = Instant::now() + timeout;
        let mut last = None;
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                match e.attr(attr).await {
                    Ok(Some(v)) if v == value => return e,
                    Ok(v) => last = v,
                    Err(_) => {}
                }
            }
            assert!(
                Instant::now() < deadline,
                "{css}: {attr} is {last:?}, not {value:?}, after {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits until the first element matching `css` has a non-empty `attr`.
    pub async fn wait_attr_present(&self, css: &str, attr: &str, timeout: Duration) -> Element {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && let Ok(Some(v)) = e.attr(attr).await
                && !v.is_empty()
            {
                return e;
            }
            assert!(Instant::now() < deadline, "no {css} with a {attr} after {timeout:?}");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits until the text of the first element matching `css` contains `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str, timeout: Duration) -> Element {
        let deadline = Instant::now() + timeout;
        let mut last = String::new();
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = e.text().await
            {
                if text.contains(needle) {
                    return e;
                }
                last = text;
            }
            assert!(
                Instant::now() < deadline,
                "{css}: text {last:?} does not contain {needle:?} after {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// The `lang` of the page's `<html>`.
    pub async fn page_lang(&self) -> String {
        self.client
            .execute("return document.documentElement.lang;", vec![])
            .await
            .expect("read lang")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Types a value into an input and leaves it (the change event fires on blur).
    pub async fn type_into(&self, testid: &str, value: &str) {
        let input = self.by_id(testid).await;
        let arg = vec![serde_json::to_value(&input).expect("element ref")];
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                arg.clone(),
            )
            .await
            .expect("scroll to the input");
        if let Err(e) = input.clear().await {
            // WebKitWebDriver (the app) refuses to clear some inputs as "not interactable";
            // emptying the value is what clearing does (typing fires the events).
            assert!(format!("{e:?}").contains("NotInteractable"), "clear {testid}: {e:?}");
            self.client
                .execute("arguments[0].value = '';", arg)
                .await
                .expect("empty the input");
        }
        input
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("type into {testid}: {e}"));
        self.client
            .execute(
                "arguments[0].blur();",
                vec![serde_json::to_value(&input).expect("element ref")],
            )
            .await
            .expect("blur");
    }

    /// Clicks an element as a user would: scrolled into view first. Styled radio buttons
    /// and checkboxes (KERN) lie under their label, which takes the click; then the
    /// element is clicked through the DOM, as the label would.
    pub async fn click(&self, element: &Element, what: &str) {
        let arg = vec![serde_json::to_value(element).expect("element ref")];
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                arg.clone(),
            )
            .await
            .unwrap_or_else(|e| panic!("scroll to {what}: {e}"));
        if let Err(e) = element.click().await {
            // Chromium says it in the message; WebKitWebDriver only in the error's kind.
            let message = format!("{e} {e:?}");
            assert!(
                message.contains("intercepted")
                    || message.contains("not interactable")
                    || message.contains("Intercepted")
                    || message.contains("NotInteractable"),
                "click {what}: {message}"
            );
            self.client
                .execute("arguments[0].click();", arg)
                .await
                .unwrap_or_else(|e| panic!("click {what} through the DOM: {e}"));
        }
    }

    /// Clicks an element by CSS selector (waiting up to 10 s for it).
    pub async fn click_css(&self, css: &str) {
        let element = self.wait_css(css, Duration::from_secs(10)).await;
        self.click(&element, css).await;
    }

    /// Chooses a radio button or checkbox the way people do: by clicking its label (KERN
    /// draws the control over the label). Waits until the input is selected.
    pub async fn choose(&self, css: &str) {
        // A click that lands while the section re-renders (the questions appear after the
        // category) is lost: click again (looked up afresh) until the input is selected.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let input = self.wait_css(css, Duration::from_secs(10)).await;
            let id = Self::attr(&input, "id").await;
            let label = format!("label[for=\"{id}\"]");
            match self.client.find(Locator::Css(&label)).await {
                Ok(l) if !id.is_empty() => self.click(&l, &label).await,
                _ => self.click(&input, css).await,
            }
            let retry = Instant::now() + Duration::from_secs(2);
            while Instant::now() < retry {
                let selected = match self.client.find(Locator::Css(css)).await {
                    Ok(e) => e.is_selected().await.unwrap_or(false),
                    Err(_) => false,
                };
                if selected {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            if Instant::now() > deadline {
                let saved = self.save_failure().await;
                panic!("{css} is not selected after clicking it; the page is saved as {saved}");
            }
        }
    }

    /// Clicks the element with this `data-testid`.
    pub async fn click_id(&self, testid: &str) {
        self.click_css(&Self::id(testid)).await;
    }

    /// An attribute of an element, or "".
    pub async fn attr(element: &Element, name: &str) -> String {
        element
            .attr(name)
            .await
            .unwrap_or_else(|e| panic!("attribute {name}: {e}"))
            .unwrap_or_default()
    }

    /// Saves screenshots of the current screen at phone and laptop size as
    /// `docs/screenshots/<kind>/<name>-<size>.png`, and returns to phone size.
    pub async fn screenshots(&self, name: &str) {
        let dir = workspace().join("docs/screenshots").join(self.kind);
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        if self.kind == "app" {
            // WebKitWebDriver takes a screenshot at the page's next presentation update.
            // A page at rest has none until something changes (here: the app's sync every
            // 30 s), so every screenshot waited about 30 s. A 1-pixel, almost transparent
            // mark that changes five times a second keeps the updates coming.
            let _ = self.client.execute(REPAINT_TICKER, vec![]).await;
        }
        for (size, width, height) in SIZES {
            self.client.set_window_size(width, height).await.expect("window size");
            // Let the layout (and the map) settle at the new size.
            tokio::time::sleep(Duration::from_millis(400)).await;
            // The whole page, top to bottom (up to a long phone scroll), not just the
            // part the last step scrolled to.
            let full = self
                .client
                .execute(
                    "window.scrollTo(0, 0); return document.documentElement.scrollHeight;",
                    vec![],
                )
                .await
                .ok()
                .and_then(|v| v.as_u64())
                .map_or(height, |h| (h as u32).clamp(height, 4000));
            if full > height {
                self.client.set_window_size(width, full).await.expect("window size");
                tokio::time::sleep(Duration::from_millis(400)).await;
            }
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::write(dir.join(format!("{name}-{size}.png")), png).expect("save screenshot");
        }
        let (_, width, height) = SIZES[0];
        self.client.set_window_size(width, height).await.expect("window size");
    }

    /// Runs axe-core on the page and returns its serious and critical violations, readable.
    pub async fn serious_accessibility_violations(&self, screen: &str) -> Vec<String> {
        let axe = workspace().join("src-ui/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&axe).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run scripts/build-ui.sh (it installs the npm packages)",
                axe.display()
            )
        });
        self.client.execute(&source, vec![]).await.expect("inject axe-core");
        let result = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   axe.run(document, { resultTypes: ['violations'] })
                     .then(r => done(r.violations.map(v => ({
                        id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary)
                     }))))
                     .catch(e => done({ error: String(e) }));"#,
                vec![],
            )
            .await
            .expect("axe.run");
        if let Some(err) = result.get("error") {
            panic!("axe failed on {screen}: {err}");
        }
        result
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| {
                format!(
                    "{screen}: [{}] {} — {}\n    {}",
                    v["impact"].as_str().unwrap_or("?"),
                    v["id"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or(""),
                    v["nodes"]
                        .as_array()
                        .map(|n| n.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n    "))
                        .unwrap_or_default()
                )
            })
            .collect()
    }
}

/// A staff session against the server's API.
pub struct Staff {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Staff {
    /// Logs a demo account of Flensburg in.
    pub async fn login(url: &str, username: &str) -> Self {
        let http = reqwest::Client::new();
        let body: Value = http
            .post(format!("{url}/api/v1/login"))
            .json(&json!({"municipality": FLENSBURG, "username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("login request")
            .error_for_status()
            .unwrap_or_else(|e| panic!("login as {username}: {e}"))
            .json()
            .await
            .expect("login JSON");
        Self {
            http,
            url: url.to_owned(),
            token: body["token"].as_str().expect("token").to_owned(),
        }
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

    /// POST JSON, asserting a 2xx answer.
    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::POST, path, body).await
    }

    /// PUT JSON, asserting a 2xx answer.
    pub async fn put(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::PUT, path, body).await
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

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .request(method.clone(), format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
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
}

/// The annotated development photos: `$AUGENMERK_ANON_DEV`, else `../shared/data/anon-dev`
/// next to the repository. They may not be copied into the repository (their licences).
pub fn anon_dev() -> PathBuf {
    let dir = match std::env::var_os("AUGENMERK_ANON_DEV") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => workspace().join("../shared/data/anon-dev"),
    };
    assert!(
        dir.join("boxes.json").is_file(),
        "development photos not found at {}: set AUGENMERK_ANON_DEV to the anon-dev folder",
        dir.display()
    );
    dir
}

/// A box in pixels: x1, y1, x2, y2.
pub type PixelBox = [u32; 4];

/// A street photo with a face and a licence plate, and where they are.
pub struct TestPhoto {
    /// The JPEG file (with an XMP segment and a comment that must not survive).
    pub path: PathBuf,
    /// The pixels as composed.
    pub image: RgbImage,
    /// The face, in pixels of `image`.
    pub face: PixelBox,
    /// The plate, in pixels of `image`.
    pub plate: PixelBox,
}

/// Text in the photo's metadata that must not reach the server's store.
pub const METADATA_MARKER: &str = "AUGENMERK-METADATA-MARKER";

/// Composes a car with a plate (`plate_eu1.jpg`) and a person (`face_maksssksksss37.png`,
/// scaled 1.5 ×) side by side: no development photo shows both.
pub fn test_photo(dir: &Path) -> TestPhoto {
    let dev = anon_dev();
    let boxes: Value =
        serde_json::from_slice(&std::fs::read(dev.join("boxes.json")).expect("boxes.json")).expect("boxes.json parses");
    let entry = |file: &str| -> Value {
        boxes
            .as_array()
            .and_then(|a| a.iter().find(|e| e["file"] == file))
            .cloned()
            .unwrap_or_else(|| panic!("{file} is not in boxes.json"))
    };
    let first_box = |e: &Value, kind: &str| -> PixelBox {
        let b = &e[kind][0];
        std::array::from_fn(|i| {
            b[i].as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .expect("box coordinate")
        })
    };
    let load = |file: &str| {
        image::open(dev.join("images").join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .to_rgb8()
    };
    let car = load("plate_eu1.jpg");
    let plate = first_box(&entry("plate_eu1.jpg"), "plates");
    let person = load("face_maksssksksss37.png");
    let face = first_box(&entry("face_maksssksksss37.png"), "faces");
    let (pw, ph) = (person.width() * 3 / 2, person.height() * 3 / 2);
    let person = image::imageops::resize(&person, pw, ph, image::imageops::FilterType::CatmullRom);
    let width = car.width() + pw;
    let height = car.height().max(ph);
    let mut canvas = RgbImage::from_pixel(width, height, image::Rgb([128, 128, 128]));
    image::imageops::replace(&mut canvas, &car, 0, 0);
    image::imageops::replace(&mut canvas, &person, i64::from(car.width()), 0);
    let face = [
        car.width() + face[0] * 3 / 2,
        face[1] * 3 / 2,
        car.width() + face[2] * 3 / 2,
        face[3] * 3 / 2,
    ];

    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
        .encode_image(&canvas)
        .expect("encode JPEG");
    let xmp = format!(
        "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:Description \
         creator=\"{METADATA_MARKER}\"/></x:xmpmeta>"
    );
    let mut out = jpeg[..2].to_vec();
    out.extend(segment(0xe1, xmp.as_bytes()));
    out.extend(segment(0xfe, METADATA_MARKER.as_bytes()));
    out.extend(&jpeg[2..]);
    let path = dir.join("strasse-mit-auto.jpg");
    std::fs::write(&path, out).expect("write the photo");
    TestPhoto {
        path,
        image: canvas,
        face,
        plate,
    }
}

/// A JPEG segment: marker, length, contents.
fn segment(marker: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![0xff, marker];
    out.extend(u16::try_from(2 + contents.len()).expect("small segment").to_be_bytes());
    out.extend(contents);
    out
}

/// The markers of a JPEG's segments before the image data.
pub fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut i = 2;
    while i + 4 <= bytes.len() && bytes[i] == 0xff {
        let marker = bytes[i + 1];
        markers.push(marker);
        if marker == 0xda {
            break;
        }
        i += 2 + usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
    }
    markers
}

/// Fine detail in the middle half of a box: the mean absolute difference between
/// horizontally and vertically neighbouring pixels (a blur drives it towards zero).
pub fn detail(image: &RgbImage, b: PixelBox) -> f64 {
    let (w, h) = (b[2] - b[0], b[3] - b[1]);
    let (x0, y0) = (b[0] + w / 4, b[1] + h / 4);
    let (x1, y1) = (
        (b[0] + 3 * w / 4).min(image.width() - 1),
        (b[1] + 3 * h / 4).min(image.height() - 1),
    );
    let luma = |x: u32, y: u32| {
        let p = image.get_pixel(x, y).0;
        0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2])
    };
    let (mut sum, mut n) = (0.0, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            sum += (luma(x, y) - luma(x + 1, y)).abs() + (luma(x, y) - luma(x, y + 1)).abs();
            n += 2;
        }
    }
    assert!(n > 0, "empty box {b:?}");
    sum / f64::from(n)
}

/// A box scaled from one image size to another.
pub fn scale_box(b: PixelBox, from: (u32, u32), to: (u32, u32)) -> PixelBox {
    let sx = f64::from(to.0) / f64::from(from.0);
    let sy = f64::from(to.1) / f64::from(from.1);
    let s = |v: u32, f: f64| (f64::from(v) * f).round() as u32;
    [s(b[0], sx), s(b[1], sy), s(b[2], sx), s(b[3], sy)]
}

/// The stored photo is a JPEG without metadata segments, and the face and the plate are
/// blurred: far less fine detail in their boxes than in the photo as composed.
pub async fn check_stored_photo(staff: &Staff, hash: &str, photo: &TestPhoto) {
    let (status, bytes) = staff.get_raw(&format!("/api/v1/blobs/{hash}")).await;
    assert_eq!(status, 200, "staff read the photo");
    assert_eq!(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)), hash);
    assert_eq!(&bytes[..2], [0xff, 0xd8], "a JPEG");
    let markers = jpeg_markers(&bytes);
    assert!(
        !markers.contains(&0xe1) && !markers.contains(&0xfe),
        "no EXIF/XMP (APP1) and no comment: {markers:x?}"
    );
    assert!(
        !bytes
            .windows(METADATA_MARKER.len())
            .any(|w| w == METADATA_MARKER.as_bytes()),
        "the metadata text is gone"
    );
    let stored = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
        .expect("decodes as JPEG")
        .to_rgb8();
    let original = image::imageops::resize(
        &photo.image,
        stored.width(),
        stored.height(),
        image::imageops::FilterType::Triangle,
    );
    let from = photo.image.dimensions();
    let to = stored.dimensions();
    for (what, b) in [("face", photo.face), ("plate", photo.plate)] {
        let b = scale_box(b, from, to);
        let (before, after) = (detail(&original, b), detail(&stored, b));
        assert!(
            after < before * 0.4,
            "the {what} at {b:?} is not blurred: detail {after:.2} after, {before:.2} before"
        );
    }
    // Outside the boxes the photo keeps its detail (it was not blurred as a whole).
    let corner = [0, 0, to.0 / 5, to.1 / 5];
    assert!(
        detail(&stored, corner) > detail(&original, corner) * 0.5,
        "the rest of the photo keeps its detail"
    );
}
