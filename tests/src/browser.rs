//! A WebDriver session on the page under test: headless Chromium through chromedriver
//! (killed when dropped, also on a panic), or another driver such as tauri-driver for the
//! app, with helpers for the page's `data-testid` contract and screenshots.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::paths::{target_tmpdir, workspace};
use crate::ports::start_on_free_port;
use crate::process::{Group, wait_for_200_from};

// The DevTools protocol: phone emulation, the network cut, install criteria, tabs.
mod anon;
mod cdp;
pub use cdp::PHONE;

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

/// A click on an element the page had replaced (WebDriver's stale element reference).
struct Stale(String);

impl Browser {
    /// Starts chromedriver on a free port and opens a session at phone size.
    pub async fn start(dir: &Path) -> Self {
        let log_path = dir.join("chromedriver.log");
        // Another process may take the port before chromedriver binds it: then chromedriver
        // exits and is started again on another port.
        let (driver, port) = start_on_free_port("chromedriver", |port| {
            let log = std::fs::File::create(&log_path).expect("chromedriver log");
            let mut driver = Group::spawn(
                Command::new("chromedriver")
                    .arg(format!("--port={port}"))
                    .arg(format!("--log-path={}", log_path.display()))
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(log),
            )
            .expect("start chromedriver (Debian package chromium-driver: run scripts/setup.sh)");
            wait_for_200_from(&mut driver, port, "/status")
                .map(|()| (driver, port))
                .map_err(|why| format!("{why}; see {}", log_path.display()))
        });
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
        let base = target_tmpdir().join(format!("{}-failure", self.kind));
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(base.with_extension("png"), png);
        }
        if let Ok(html) = self.client.source().await {
            let _ = std::fs::write(base.with_extension("html"), html);
        }
        let log = self
            .client
            // The page's own log, and the API requests it made with their status (a
            // failed one is often why an element never appeared).
            .execute(
                "const api = performance.getEntriesByType('resource')\
                   .filter((e) => e.name.includes('/api/'))\
                   .map((e) => `${e.responseStatus} ${e.name} (${Math.round(e.duration)} ms)`);\
                 return [...(window.__testLog || []), ...api].join('\\n');",
                vec![],
            )
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
            if Instant::now() > deadline {
                let saved = self.save_failure().await;
                panic!("{css}: {attr} is {last:?}, not {value:?}, after {timeout:?}; the page is saved as {saved}");
            }
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
            if Instant::now() > deadline {
                let saved = self.save_failure().await;
                panic!(
                    "{css}: text {last:?} does not contain {needle:?} after {timeout:?}; the page is saved as {saved}"
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits until no element matches `css` (a list that re-rendered without it).
    pub async fn wait_gone(&self, css: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.client.find(Locator::Css(css)).await.is_ok() {
            if Instant::now() > deadline {
                let saved = self.save_failure().await;
                panic!("{css} is still there after {timeout:?}; the page is saved as {saved}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Counts the page's requests in flight (`fetch`), for [`Browser::wait_for_requests`];
    /// once per document, so again after a reload.
    pub async fn track_requests(&self) {
        self.client
            .execute(
                "if (!window.__inflight) { window.__inflight = { n: 0 }; const f = window.fetch; \
                 window.fetch = (...a) => { window.__inflight.n += 1; \
                   return f.apply(window, a).finally(() => { window.__inflight.n -= 1; }); }; }",
                vec![],
            )
            .await
            .expect("install the request counter");
    }

    /// Waits until the requests the page started (counted since [`Browser::track_requests`])
    /// have all been answered, twice in a row 100 ms apart: a section that loads its table
    /// starts the request when it is shown.
    pub async fn wait_for_requests(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let mut idle = 0;
        while idle < 2 {
            let inflight = self
                .client
                .execute("return window.__inflight ? window.__inflight.n : 0;", vec![])
                .await
                .ok()
                .and_then(|v| v.as_i64())
                .unwrap_or(0);
            idle = if inflight == 0 { idle + 1 } else { 0 };
            assert!(
                Instant::now() < deadline,
                "{inflight} requests of the page still open after {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
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
        if let Err(Stale(message)) = self.try_click(element, what).await {
            panic!("click {what}: {message}");
        }
    }

    /// [`Browser::click`], telling the caller when the element was replaced (the page
    /// re-rendered it between looking it up and clicking) instead of failing.
    async fn try_click(&self, element: &Element, what: &str) -> Result<(), Stale> {
        let stale = |message: &str| message.contains("stale") || message.contains("StaleElementReference");
        let arg = vec![serde_json::to_value(element).expect("element ref")];
        if let Err(e) = self
            .client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                arg.clone(),
            )
            .await
        {
            let message = format!("{e} {e:?}");
            assert!(stale(&message), "scroll to {what}: {message}");
            return Err(Stale(message));
        }
        if let Err(e) = element.click().await {
            // Chromium says it in the message; WebKitWebDriver only in the error's kind.
            let message = format!("{e} {e:?}");
            if stale(&message) {
                return Err(Stale(message));
            }
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
        Ok(())
    }

    /// Clicks an element by CSS selector (waiting up to 10 s for it). When the page
    /// replaces the element between finding and clicking it (a list that re-renders), the
    /// new one is clicked, as a person would.
    pub async fn click_css(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let element = self.wait_css(css, Duration::from_secs(10)).await;
            match self.try_click(&element, css).await {
                Ok(()) => return,
                Err(Stale(message)) if Instant::now() >= deadline => panic!("click {css}: {message}"),
                Err(Stale(_)) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
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
