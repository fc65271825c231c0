//! The Chrome DevTools Protocol through chromedriver (`POST /session/{id}/goog/cdp/execute`):
//! a phone (360 × 780, touch, a phone's user agent), the network cut and back, Chromium's
//! install criteria and the parsed manifest, tabs closed and opened in the same profile,
//! and screenshots at phone size.
//!
//! A CDP command acts on the tab the session is switched to; after a new tab, the phone
//! is set up again there ([`Browser::emulate_phone`]).

use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use reqwest::{Method, Url};
use serde_json::{Value, json};

use super::Browser;
use crate::paths::workspace;

/// The phone of the offline test: CSS pixels, as a small Android phone has them.
pub const PHONE: (u32, u32) = (360, 780);
/// A phone's Chromium, so the page sees a mobile browser.
const PHONE_USER_AGENT: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 \
    (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";

/// One CDP command for chromedriver's vendor endpoint.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &Url) -> (Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params});
        (Method::POST, Some(body.to_string()))
    }
}

/// `url::ParseError` without a direct dependency on `url`: reqwest's `Url` is url's.
type ParseError = <Url as std::str::FromStr>::Err;

/// Decodes standard base64 (screenshots come back so); a few lines spare a dependency.
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    out
}

impl Browser {
    /// Sends a CDP command to the current tab and returns its result.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp {
                cmd: cmd.to_owned(),
                params,
            })
            .await
            .unwrap_or_else(|e| panic!("CDP {cmd}: {e}"))
    }

    /// Makes the current tab a phone: 360 × 780 CSS pixels at 3 device pixels each, a
    /// mobile viewport, a touch screen (`pointer: coarse`, `maxTouchPoints`) and a phone's
    /// user agent. Mouse events are not turned into touch events
    /// (`Emulation.setEmitTouchEventsForMouse`): chromedriver's clicks then never return.
    pub async fn emulate_phone(&self) {
        let (width, height) = PHONE;
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 3, "mobile": true}),
        )
        .await;
        self.cdp(
            "Emulation.setTouchEmulationEnabled",
            json!({"enabled": true, "maxTouchPoints": 5}),
        )
        .await;
        self.cdp(
            "Network.setUserAgentOverride",
            json!({"userAgent": PHONE_USER_AGENT, "platform": "Android"}),
        )
        .await;
    }

    /// Cuts the current tab's network (`offline`) or gives it back, as DevTools does: the
    /// page sees `navigator.onLine` change and gets the `offline`/`online` event. A service
    /// worker's own fetches are not the tab's; the test cuts those at its proxy too.
    pub async fn set_offline(&self, offline: bool) {
        self.cdp("Network.enable", json!({})).await;
        self.cdp(
            "Network.emulateNetworkConditions",
            json!({"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
        )
        .await;
    }

    /// Chromium's reasons why the page is not installable (empty: install criteria met).
    pub async fn installability_errors(&self) -> Vec<String> {
        let answer = self.cdp("Page.getInstallabilityErrors", json!({})).await;
        answer["installabilityErrors"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|e| {
                let args = e["errorArguments"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|a| {
                                format!(
                                    "{}={}",
                                    a["name"].as_str().unwrap_or(""),
                                    a["value"].as_str().unwrap_or("")
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                format!("{} {args}", e["errorId"].as_str().unwrap_or("?"))
            })
            .collect()
    }

    /// The page's manifest as Chromium found and parsed it: `url`, `errors` (each with a
    /// `message`) and `data` (the manifest's text).
    pub async fn app_manifest(&self) -> Value {
        self.cdp("Page.getAppManifest", json!({})).await
    }

    /// Opens a new tab in the same browser (same profile: IndexedDB, caches and the
    /// service worker are shared), switches to it and closes the old one, as a citizen who
    /// closed the page and opens it again. The new tab is a phone again, still blank: set
    /// its network ([`Browser::set_offline`]) before [`Browser::goto`].
    pub async fn reopen_tab(&self) {
        // A new tab does not take the session along: the old one is still current.
        let new = self.client.new_window(true).await.expect("open a new tab");
        self.client.close_window().await.expect("close the old tab");
        self.client
            .switch_to_window(new.handle)
            .await
            .expect("switch to the new tab");
        self.emulate_phone().await;
    }

    /// Saves what the phone shows, top to bottom (at most 2,400 CSS pixels), as
    /// `docs/screenshots/<folder>/<name>.png`, at one image pixel per CSS pixel.
    pub async fn phone_screenshot(&self, folder: &str, name: &str) {
        let dir = workspace().join("docs/screenshots").join(folder);
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let height = self
            .client
            .execute(
                "window.scrollTo(0, 0); return document.documentElement.scrollHeight;",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .map_or(PHONE.1, |h| (h as u32).clamp(PHONE.1, 2400));
        // Let the layout settle after the scroll.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({"format": "png", "captureBeyondViewport": true,
                       "clip": {"x": 0, "y": 0, "width": PHONE.0, "height": height, "scale": 1.0 / 3.0}}),
            )
            .await;
        let png = decode_base64(shot["data"].as_str().expect("screenshot data"));
        std::fs::write(dir.join(format!("{name}.png")), png).expect("save screenshot");
    }
}
