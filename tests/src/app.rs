//! The desktop app under test (tests/app, benches/app_startup): a private X display (Xvfb), tauri-driver (which starts
//! WebKitWebDriver, which starts the app), and a WebDriver session on the app's window.
//! Every process runs in its own process group and is killed when dropped, also on a panic
//! (killing tauri-driver alone would leave WebKitWebDriver holding the port).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::ClientBuilder;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::paths::{bin, models_dir, target_tmpdir};
use crate::ports::{free_port, start_on_free_port};
use crate::process::Group;

/// How long the app may take to show its first screen (a debug build under load).
pub const LAUNCH: Duration = Duration::from_secs(120);

/// A fresh folder for a test's files under Cargo's test temp folder; kept afterwards so
/// the logs can be read after a failure.
pub fn work_dir(name: &str) -> PathBuf {
    let dir = target_tmpdir().join("app-e2e").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("test folder");
    dir
}

/// The app binary: `AUGENMERK_APP_BIN`, else this package's `e2e-app`.
pub fn app_binary() -> PathBuf {
    match std::env::var_os("AUGENMERK_APP_BIN") {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            assert!(p.is_file(), "AUGENMERK_APP_BIN={} is not a file", p.display());
            p
        }
        _ => bin("e2e-app"),
    }
}

/// A private X server; its display is `:<number>`.
pub struct Display {
    _process: Group,
    /// `:<number>`.
    pub name: String,
}

impl Display {
    /// Starts Xvfb on a free display number (Xvfb picks it and writes it to stdout).
    pub fn start(dir: &Path) -> Self {
        let log = std::fs::File::create(dir.join("xvfb.log")).expect("xvfb log");
        let mut cmd = Command::new("Xvfb");
        // As tall as the tallest full-page screenshot (4000 px), so that a full-page
        // window fits on the screen.
        cmd.args(["-displayfd", "1", "-screen", "0", "1400x4100x24", "-nolisten", "tcp"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log);
        let mut process = Group::spawn(&mut cmd)
            .unwrap_or_else(|e| panic!("start Xvfb: {e} (Debian package xvfb: run scripts/setup-app.sh)"));
        let stdout = process.stdout().expect("Xvfb's stdout");
        // Xvfb writes the display number once it accepts connections.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let number = rx
            .recv_timeout(Duration::from_secs(30))
            .ok()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| panic!("Xvfb did not start; see {}", dir.join("xvfb.log").display()));
        Self {
            _process: process,
            name: format!(":{number}"),
        }
    }
}

/// What the app is started with.
pub struct Launch<'a> {
    /// The X display.
    pub display: &'a Display,
    /// The app's data directory (`AUGENMERK__DATA_DIR`).
    pub data: &'a Path,
    /// The sync server's URL (`AUGENMERK__SERVER`); nothing needs to listen there.
    pub server: &'a str,
    /// Where tauri-driver's (and the app's) output goes.
    pub log: PathBuf,
}

/// The app with a WebDriver session on its window, and how long it took to become usable.
pub struct App {
    /// The session, with the web test's helpers.
    pub browser: Browser,
    /// From asking tauri-driver for a session (which starts the app) until the first
    /// interactive element (the navigation) was there.
    pub to_interactive: Duration,
    /// The page's own clock at that moment: from navigation start (the webview loading the
    /// page) until the navigation was found.
    pub page_ms: f64,
}

/// Starts tauri-driver and opens a session, which starts the app; waits for its UI.
/// No map tiles: the maps show coordinates only.
pub async fn launch(l: &Launch<'_>) -> App {
    launch_with_tiles(l, "").await
}

/// As [`launch`], with the maps' tiles from `tile_url` (a `{z}/{x}/{y}` template on
/// 127.0.0.1, such as the fixture geocoder's), so that the maps are drawn.
pub async fn launch_with_tiles(l: &Launch<'_>, tile_url: &str) -> App {
    // Another process may take a port before tauri-driver binds it: then tauri-driver
    // exits and is started again on other ports.
    let (driver, port) = start_on_free_port("tauri-driver", |port| {
        let native_port = free_port();
        let log = std::fs::File::create(&l.log).expect("tauri-driver log");
        let mut driver = Group::spawn(
            Command::new(tauri_driver())
                .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
                .env("DISPLAY", &l.display.name)
                .env("AUGENMERK__DATA_DIR", l.data)
                // The webview's storage is in AUGENMERK__DATA_DIR; WebKit's other caches and
                // GTK's settings follow the XDG folders: one fresh set per launch too.
                .env("XDG_DATA_HOME", l.data.join("xdg-data"))
                .env("XDG_CACHE_HOME", l.data.join("xdg-cache"))
                .env("XDG_CONFIG_HOME", l.data.join("xdg-config"))
                .env("AUGENMERK__SERVER", l.server)
                // No requests to the internet: no tiles, or the fixture's on 127.0.0.1.
                .env("AUGENMERK__TILE_URL", tile_url)
                .env("AUGENMERK_MODELS", models_dir())
                .env("RUST_LOG", "warn,augenmerk_app=info")
                // WebKitGTK without a GPU under Xvfb.
                .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
                .env("LIBGL_ALWAYS_SOFTWARE", "1")
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("log"))
                .stderr(log),
        )
        .unwrap_or_else(|e| panic!("start tauri-driver: {e} (run scripts/setup-app.sh)"));
        wait_for_port(&mut driver, port)
            .map(|()| (driver, port))
            .map_err(|why| format!("{why}; see {}", l.log.display()))
    });

    let caps = json!({
        "browserName": "wry",
        "tauri:options": {"application": app_binary()},
    });
    let Value::Object(caps) = caps else {
        unreachable!("a JSON object literal")
    };
    let started = Instant::now();
    let client = tokio::time::timeout(
        LAUNCH,
        ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}")),
    )
    .await
    .unwrap_or_else(|_| panic!("no WebDriver session within {LAUNCH:?}; see {}", l.log.display()))
    .unwrap_or_else(|e| panic!("WebDriver session: {e}; see {}", l.log.display()));
    let browser = Browser::attach(client, driver, "app");
    browser.wait_id("nav-report", LAUNCH).await;
    let to_interactive = started.elapsed();
    let page_ms = browser
        .client
        .execute("return performance.now();", vec![])
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(f64::NAN);
    browser.watch_console().await;
    // KERN sets `scroll-behavior: smooth`: a click right after scrolling an element into
    // view would land where the element was mid-animation (lost clicks, seen in WebKit).
    browser
        .client
        .execute("document.documentElement.style.scrollBehavior = 'auto';", vec![])
        .await
        .expect("turn off smooth scrolling");
    App {
        browser,
        to_interactive,
        page_ms,
    }
}

/// tauri-driver from PATH or Cargo's bin folder.
fn tauri_driver() -> PathBuf {
    let in_cargo = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|c| c.join("bin/tauri-driver"));
    match in_cargo {
        Some(p) if p.is_file() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}

/// Waits until tauri-driver listens on `port`; `Err` when it exited first.
fn wait_for_port(driver: &mut Group, port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = driver.exited() {
            return Err(format!("tauri-driver exited ({status})"));
        }
        if Instant::now() > deadline {
            return Err(format!("tauri-driver did not listen on {port}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}
