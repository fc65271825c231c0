//! What the console tests need beyond the shared harness: a photo for citizens' reports,
//! the console's login for any municipality or the platform, and screenshots at laptop
//! and tablet size.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::Value;

use augenmerk_tests::{Browser, FLENSBURG, PASSWORD, SLOW, Staff, workspace};

/// Laptop (1440 × 960) and tablet (834 × 1112, portrait) sizes of the screenshots.
pub const SHOT_SIZES: [(&str, u32, u32); 2] = [("laptop", 1440, 960), ("tablet", 834, 1112)];

/// The console tests take turns: each runs a server, chromedriver and Chromium, and on a
/// machine with few cores two at once make the browser's waits time out.
pub async fn one_browser() -> tokio::sync::MutexGuard<'static, ()> {
    static ONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    ONE.lock().await
}

/// A plain street-like JPEG (no faces, no plates) for a report's photo.
pub fn street_jpeg() -> Vec<u8> {
    let (w, h) = (640u32, 420u32);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        if y < h / 3 {
            // Sky.
            image::Rgb([150, 185, 220])
        } else {
            // Asphalt with a dark pothole in the middle.
            let (dx, dy) = (x as f32 - w as f32 / 2.0, (y as f32 - h as f32 * 0.7) * 2.0);
            if dx * dx + dy * dy < 90.0 * 90.0 {
                image::Rgb([35, 33, 30])
            } else {
                let g = 95 + ((x * 7 + y * 13) % 23) as u8;
                image::Rgb([g, g, g])
            }
        }
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&img)
        .expect("encode JPEG");
    jpeg
}

/// Opens the console and logs a demo account of Flensburg in.
pub async fn login(b: &Browser, url: &str, username: &str) {
    login_to(b, url, FLENSBURG, username, role_of(username)).await;
}

/// Opens the console and logs an account in: `municipality` is the login list's value (a
/// municipality's key, or `platform` for the platform admin); waits for `role`.
pub async fn login_to(b: &Browser, url: &str, municipality: &str, username: &str, role: &str) {
    submit_login_form(b, url, municipality, username).await;
    second_factor(b, url, municipality, username).await;
    b.wait_attr(&Browser::id("console-user"), "data-role", role, Duration::from_secs(20))
        .await;
    // Errors of the page (a panic of the wasm UI lands in console.error) are collected.
    b.client
        .execute(
            "if (!window.__consoleErrors) { window.__consoleErrors = []; const e = console.error; \
             console.error = (...a) => { window.__consoleErrors.push(a.map(String).join(' ')); e(...a); }; \
             window.addEventListener('error', (ev) => window.__consoleErrors.push(String(ev.message))); }",
            vec![],
        )
        .await
        .expect("install the error log");
}

/// Opens the console's login and submits name and password (the demo password) for
/// `municipality` (a key, or `platform`); what follows is the caller's to wait for.
pub async fn submit_login_form(b: &Browser, url: &str, municipality: &str, username: &str) {
    b.client
        .goto(&format!("{url}/console/#/console"))
        .await
        .expect("open the console");
    b.wait_id("login-form", Duration::from_secs(30)).await;
    // The list of municipalities arrives after the form.
    b.wait_css(
        &format!("[data-testid=\"login-municipality\"] option[value=\"{municipality}\"]"),
        Duration::from_secs(10),
    )
    .await;
    b.by_id("login-municipality")
        .await
        .select_by_value(municipality)
        .await
        .unwrap_or_else(|e| panic!("choose {municipality}: {e}"));
    b.type_into("login-username", username).await;
    b.type_into("login-password", PASSWORD).await;
    b.click_id("login-submit").await;
}

/// Admins must have a second factor (issue 24): after the password, the console asks for
/// the code of an account the harness enrolled, or an admin without one sets it up on the
/// page it is sent to (the secret read from the page, the code computed as an app would).
/// Nothing to do for accounts without one.
pub async fn second_factor(b: &Browser, url: &str, municipality: &str, username: &str) {
    let who = (municipality != "platform").then_some(municipality);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let on_page: Value = b
            .client
            .execute(
                "return document.querySelector('[data-testid=\"console-user\"]') ? 'console' \
                 : document.querySelector('[data-testid=\"login-totp\"]') ? 'code' \
                 : document.querySelector('[data-testid=\"totp-forced\"]') ? 'enrol' : '';",
                vec![],
            )
            .await
            .expect("which page");
        match on_page.as_str() {
            Some("console") => return,
            Some("code") => {
                let code = augenmerk_tests::totp::code_for(url, who, username)
                    .await
                    .unwrap_or_else(|| panic!("the harness knows no TOTP secret of {municipality}/{username}"));
                b.type_into("login-totp", &code).await;
                b.click_id("login-submit").await;
                return;
            }
            Some("enrol") => {
                enrol_on_page(b, url, who, username).await;
                return;
            }
            _ => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "no console, code prompt or enrolment after the login"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// Sets up the second factor on the console's enrolment page as a person would: the key
/// is read from the page, the code computed with it, the recovery codes acknowledged.
/// Returns the secret.
pub async fn enrol_on_page(b: &Browser, url: &str, municipality: Option<&str>, username: &str) -> String {
    b.click_id("totp-begin").await;
    let secret_el = b.wait_id("totp-secret", SLOW).await;
    let secret = secret_el.text().await.expect("the secret's text");
    let otpauth = Browser::attr(&secret_el, "data-otpauth").await;
    assert_eq!(
        augenmerk_tests::totp::secret_of_url(&otpauth),
        secret,
        "the QR code's URL holds the key shown"
    );
    let step = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs()
        / 30;
    b.type_into("totp-code", &augenmerk_tests::totp::code_at(&secret, step))
        .await;
    b.click_id("totp-confirm").await;
    b.wait_id("totp-recovery-codes", SLOW).await;
    augenmerk_tests::totp::remember(url, municipality, username, &secret, step);
    b.click_id("totp-done").await;
    secret
}

/// What the page logged as errors since the login.
pub async fn page_errors(b: &Browser) -> Vec<String> {
    b.client
        .execute("return window.__consoleErrors || [];", vec![])
        .await
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

fn role_of(username: &str) -> &'static str {
    match username {
        "admin" => "admin",
        "dispatcher" => "dispatcher",
        _ => "field_worker",
    }
}

/// Logs out through the header's button.
pub async fn logout(b: &Browser) {
    b.click_id("console-logout").await;
    b.wait_id("login-form", Duration::from_secs(10)).await;
}

/// Chooses an option of a select by value (the change event fires).
pub async fn select(b: &Browser, testid: &str, value: &str) {
    let css = format!("{} option[value=\"{value}\"]", Browser::id(testid));
    // Options come from the server: under a loaded CI machine that can take a while.
    b.wait_css(&css, SLOW).await;
    b.by_id(testid)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("select {value} in {testid}: {e}"));
}

/// Whether an element matching `css` exists now.
pub async fn exists(b: &Browser, css: &str) -> bool {
    b.client.find(Locator::Css(css)).await.is_ok()
}

/// Saves screenshots of the current screen at laptop and tablet size as
/// `docs/screenshots/console/<name>-<size>.png`; ends at laptop size.
pub async fn screenshots(b: &Browser, name: &str) {
    screenshots_tall(b, name, SHOT_SIZES[0].2).await;
}

/// As [`screenshots`], with a taller laptop window for long pages; ends at laptop size.
pub async fn screenshots_tall(b: &Browser, name: &str, laptop_height: u32) {
    let dir = workspace().join("docs/screenshots/console");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    for (size, width, height) in SHOT_SIZES.iter().rev() {
        let height = if *size == "laptop" { laptop_height } else { *height };
        b.client.set_window_size(*width, height).await.expect("window size");
        // Let the layout (and the map) settle at the new size.
        tokio::time::sleep(Duration::from_millis(700)).await;
        b.client
            // Without the focus, the browser keeps the focused control in view instead.
            // KERN scrolls smoothly: a screenshot right after the jump would catch the page
            // half-way up.
            .execute(
                "if (document.activeElement) { document.activeElement.blur(); } \
                 document.documentElement.style.scrollBehavior = 'auto'; \
                 document.scrollingElement.scrollTop = 0; window.scrollTo(0, 0);",
                vec![],
            )
            .await
            .expect("scroll to top");
        let png = b.client.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}-{size}.png")), png).expect("save screenshot");
    }
    laptop(b).await;
}

/// Sets the laptop size (the console's main target).
pub async fn laptop(b: &Browser) {
    let (_, w, h) = SHOT_SIZES[0];
    b.client.set_window_size(w, h).await.expect("window size");
}

/// Changes a report's handling through the API as the demo dispatcher.
pub async fn patch_as_dispatcher(url: &str, id: &str, body: Value) {
    Staff::login(url, "dispatcher")
        .await
        .patch(&format!("/api/v1/staff/reports/{id}"), body)
        .await;
}

/// Opens a report's case page through its address and waits for it.
pub async fn open_case(b: &Browser, url: &str, id: &str) {
    b.client
        .goto(&format!("{url}/console/#/console/cases/{id}"))
        .await
        .expect("open the case");
    b.wait_css(
        &format!("[data-testid=\"case\"][data-id=\"{id}\"]"),
        Duration::from_secs(20),
    )
    .await;
}

/// Opens the inbox's map and waits until it is drawn.
pub async fn open_map(b: &Browser) {
    b.click_id("nav-map").await;
    b.wait_attr(
        &Browser::id("console-map"),
        "data-drawn",
        "true",
        Duration::from_secs(20),
    )
    .await;
}

/// Opens a configuration section through its tab and waits for it.
pub async fn section(b: &Browser, name: &str) {
    b.track_requests().await;
    b.click_id(&format!("config-{name}")).await;
    b.wait_css(
        &format!("[data-testid=\"config-{name}\"][aria-current=\"page\"]"),
        Duration::from_secs(10),
    )
    .await;
    // Tables and lists fill in from the API: wait for the answers.
    b.wait_for_requests(Duration::from_secs(20)).await;
}
