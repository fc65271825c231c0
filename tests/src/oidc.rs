//! A real, certified OpenID Connect provider for the single sign-on tests: panva's npm
//! `oidc-provider` 9 running `tests/oidc-provider/provider.mjs` on 127.0.0.1, started
//! once per test binary and stopped by a watchdog when the binary exits.
//!
//! Its people are in provider.mjs: `disponentin` (groups `leitstelle`, `kantine`),
//! `chefin` (`augenmerk-admins`), `koch` (`kantine` only) and `namenlos` (no
//! `preferred_username`). Its sign-in page accepts any password. Each test server
//! registers a client of its own ([`Provider::register`], dynamic client registration),
//! since the redirect URI names the server's port.
//!
//! [`sign_in`] walks the provider's sign-in and consent forms over plain HTTP (the API
//! tests); the console tests fill the same forms in Chromium.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

/// The version `scripts/setup.sh` installs (tests/oidc-provider/package.json).
const VERSION: &str = "9.13.3";
/// How long the provider may take to start.
const START: Duration = Duration::from_secs(20);

/// The running provider.
#[derive(Debug)]
pub struct Provider {
    /// `http://127.0.0.1:<port>`, its issuer.
    pub issuer: String,
}

/// A client registered at the provider.
#[derive(Debug, Clone)]
pub struct Client {
    /// Client id.
    pub id: String,
    /// Client secret.
    pub secret: String,
}

/// Where `scripts/setup.sh` installs oidc-provider (`$AUGENMERK_OIDC_PROVIDER_DIR` wins).
fn install_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("AUGENMERK_OIDC_PROVIDER_DIR") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .expect("HOME or XDG_CACHE_HOME");
    cache.join(format!("augenmerk-tools/oidc-provider-{VERSION}"))
}

/// The provider of this test process, started by the first caller.
pub fn shared() -> &'static Provider {
    static PROVIDER: OnceLock<Provider> = OnceLock::new();
    PROVIDER.get_or_init(|| crate::ports::start_on_free_port("oidc-provider", start))
}

fn start(port: u16) -> Result<Provider, String> {
    let modules = install_dir().join("node_modules");
    assert!(
        modules.join("oidc-provider").is_dir(),
        "oidc-provider is not installed at {} (run scripts/setup.sh)",
        modules.display()
    );
    // Node finds packages in a node_modules beside the script: a directory with the
    // script and a link to the installed packages.
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-oidc-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    std::fs::copy(
        crate::workspace().join("tests/oidc-provider/provider.mjs"),
        dir.join("provider.mjs"),
    )
    .map_err(|e| e.to_string())?;
    std::os::unix::fs::symlink(&modules, dir.join("node_modules")).map_err(|e| e.to_string())?;
    let log = std::fs::File::create(dir.join("provider.log")).map_err(|e| e.to_string())?;
    let mut child = Command::new("node")
        .arg(dir.join("provider.mjs"))
        .arg(port.to_string())
        .env("DEBUG", "")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("node: {e}"))?;
    let pid = child.id();
    augenmerk_testenv::watchdog::watch(&format!(
        "kill {pid} 2>/dev/null; sleep 1; kill -9 {pid} 2>/dev/null; rm -rf '{}'",
        dir.display()
    ))
    .map_err(|e| e.to_string())?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        for line in lines.by_ref().map_while(Result::ok) {
            if line.starts_with("listening on ") {
                let _ = tx.send(());
                break;
            }
        }
        lines.for_each(drop);
    });
    if rx.recv_timeout(START).is_err() {
        let _ = child.kill();
        let log = std::fs::read_to_string(dir.join("provider.log")).unwrap_or_default();
        return Err(format!("the provider did not start:\n{log}"));
    }
    // The child is left running; the watchdog ends it.
    std::mem::forget(child);
    Ok(Provider {
        issuer: format!("http://127.0.0.1:{port}"),
    })
}

impl Provider {
    /// Registers a confidential client with this redirect URI.
    pub async fn register(&self, redirect_uri: &str) -> Client {
        let body: Value = reqwest::Client::new()
            .post(format!("{}/reg", self.issuer))
            .json(&json!({
                "redirect_uris": [redirect_uri],
                "token_endpoint_auth_method": "client_secret_basic",
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            }))
            .send()
            .await
            .expect("registration reaches the provider")
            .json()
            .await
            .expect("registration answer");
        Client {
            id: body["client_id"].as_str().expect("client_id").to_owned(),
            secret: body["client_secret"].as_str().expect("client_secret").to_owned(),
        }
    }
}

/// A browser's cookies, by name, for every path of one host (enough for the provider's
/// interaction cookies).
#[derive(Debug, Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    fn take(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let Some(pair) = value.to_str().ok().and_then(|v| v.split(';').next()) else {
                continue;
            };
            if let Some((name, value)) = pair.split_once('=') {
                self.0.insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }

    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Where a sign-in ended: the URL our server sent the browser to last (the console's
/// `#/console/sso?code=…` or `?error=…`), and the provider's callback URL on the way.
#[derive(Debug)]
pub struct SignIn {
    /// The URL of our callback as the provider called it (with code and state).
    pub callback: String,
    /// Where the callback sent the browser.
    pub landed: String,
}

/// Follows a sign-in from `start_url` (our `/api/v1/sso/{ags}/start`) through the
/// provider's sign-in form (as `login`) and consent form to our callback, like a browser
/// without JavaScript. `stop_at_callback`: return before calling our callback (to replay
/// or forge it).
pub async fn sign_in(start_url: &str, login: &str, stop_at_callback: bool) -> SignIn {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut jar = Jar::default();
    let mut url = start_url.to_owned();
    let mut callback = String::new();
    for _ in 0..20 {
        if url.contains("/api/v1/sso/callback") {
            callback.clone_from(&url);
            if stop_at_callback {
                return SignIn {
                    callback,
                    landed: String::new(),
                };
            }
        }
        let response = http
            .get(&url)
            .header(reqwest::header::COOKIE, jar.header())
            .send()
            .await
            .expect("request");
        jar.take(&response);
        let status = response.status();
        if status.is_redirection() {
            let location = response.headers()[reqwest::header::LOCATION]
                .to_str()
                .expect("location")
                .to_owned();
            url = absolute(&url, &location);
            if url.contains("#/console/sso") {
                return SignIn { callback, landed: url };
            }
            continue;
        }
        assert_eq!(status, StatusCode::OK, "{url}");
        let page = response.text().await.expect("page");
        // The provider's form: sign-in (login, password) or consent.
        let action = form_action(&page).unwrap_or_else(|| panic!("no form at {url}:\n{page}"));
        let fields: Vec<(&str, &str)> = if page.contains("name=\"login\"") {
            vec![("prompt", "login"), ("login", login), ("password", "beliebig")]
        } else {
            vec![("prompt", "consent")]
        };
        let response = http
            .post(absolute(&url, &action))
            .header(reqwest::header::COOKIE, jar.header())
            .form(&fields)
            .send()
            .await
            .expect("form post");
        jar.take(&response);
        assert!(
            response.status().is_redirection(),
            "the form answered {}",
            response.status()
        );
        let location = response.headers()[reqwest::header::LOCATION]
            .to_str()
            .expect("location")
            .to_owned();
        url = absolute(&url, &location);
    }
    panic!("the sign-in did not end at the console: last at {url}");
}

fn form_action(page: &str) -> Option<String> {
    let start = page.find("action=\"")? + "action=\"".len();
    let end = page[start..].find('"')?;
    Some(page[start..start + end].replace("&amp;", "&"))
}

/// `location` made absolute against `base`.
fn absolute(base: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_owned();
    }
    let origin_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[origin_end..].find('/').map_or(base.len(), |i| origin_end + i);
    format!("{}{location}", &base[..host_end])
}

/// A query parameter of a URL (or of its fragment's query).
pub fn param(url: &str, name: &str) -> Option<String> {
    let query = url.rsplit_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}
