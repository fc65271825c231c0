//! The second factor in the console (issue 24): an admin without one is sent from the
//! login straight to setting it up (QR code, the key, a code computed here as an app
//! would, the recovery codes once); the next login asks for a code; the own page shows
//! it on. Screenshots at laptop and tablet size; axe on each screen.

use crate::helpers::{laptop, one_browser, screenshots_tall, submit_login_form};
use augenmerk_tests::{Browser, FLENSBURG, SLOW, Server, Staff};

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_sets_up_the_second_factor_in_the_console_and_signs_in_with_a_code() {
    let _turn = one_browser().await;
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-console-totp-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();

    // The admin has none yet: the login leads to setting it up, and nowhere else.
    submit_login_form(&b, &server.url, FLENSBURG, "admin").await;
    b.wait_id("totp-forced", SLOW).await;
    violations.extend(
        b.serious_accessibility_violations("console: second factor, start")
            .await,
    );
    b.click_id("totp-begin").await;
    b.wait_id("totp-qr", SLOW).await;
    violations.extend(
        b.serious_accessibility_violations("console: second factor, QR code")
            .await,
    );
    screenshots_tall(&b, "console-totp-enrol", 1000).await;
    // The same as a person does, from the start (a new secret replaces the one shown).
    b.client.refresh().await.expect("reload");
    b.wait_id("totp-forced", SLOW).await;
    let secret = enrol_on_page_with_shots(&b, &server.url, &mut violations).await;
    b.wait_attr(&Browser::id("console-user"), "data-role", "admin", SLOW)
        .await;

    // Signing in again asks for the code after the password.
    b.click_id("console-logout").await;
    submit_login_form(&b, &server.url, FLENSBURG, "admin").await;
    b.wait_id("login-totp", SLOW).await;
    violations.extend(
        b.serious_accessibility_violations("console: login asks for the code")
            .await,
    );
    screenshots_tall(&b, "console-totp-login", 900).await;
    // A wrong code is refused on the page.
    b.type_into("login-totp", "000000").await;
    b.click_id("login-submit").await;
    b.wait_id("error-alert", SLOW).await;
    let code = augenmerk_tests::totp::code_for(&server.url, Some(FLENSBURG), "admin")
        .await
        .expect("the secret is known");
    b.type_into("login-totp", &code).await;
    b.click_id("login-submit").await;
    b.wait_attr(&Browser::id("console-user"), "data-role", "admin", SLOW)
        .await;

    // The own page says it is on, with ten recovery codes left.
    b.click_id("nav-me").await;
    b.wait_attr(&Browser::id("totp-state"), "data-enabled", "true", SLOW)
        .await;
    b.wait_text(&Browser::id("totp-state"), "10", SLOW).await;
    violations.extend(
        b.serious_accessibility_violations("console: own page with the second factor")
            .await,
    );
    screenshots_tall(&b, "console-totp-account", 1100).await;

    // The API sees the same account with the same secret, and the failed code in the log.
    let admin = Staff::login(&server.url, "admin").await;
    let log = admin.get("/api/v1/staff/config/login-log").await;
    assert!(
        log.as_array()
            .expect("entries")
            .iter()
            .any(|e| e["outcome"] == "wrong_totp"),
        "{log:#}"
    );
    assert!(!secret.is_empty());

    assert!(violations.is_empty(), "axe: {violations:#?}");
    b.close().await;
}

/// Sets up the second factor as a person does, with axe and screenshots of the recovery
/// codes (the helpers' `enrol_on_page` does the same without them); the secret.
async fn enrol_on_page_with_shots(b: &Browser, url: &str, violations: &mut Vec<String>) -> String {
    b.click_id("totp-begin").await;
    let secret_el = b.wait_id("totp-secret", SLOW).await;
    let secret = secret_el.text().await.expect("the secret's text");
    let otpauth = Browser::attr(&secret_el, "data-otpauth").await;
    assert!(otpauth.starts_with("otpauth://totp/"), "{otpauth}");
    assert_eq!(augenmerk_tests::totp::secret_of_url(&otpauth), secret);
    let step = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs()
        / 30;
    b.type_into("totp-code", &augenmerk_tests::totp::code_at(&secret, step))
        .await;
    b.click_id("totp-confirm").await;
    let codes = b.wait_id("totp-recovery-codes", SLOW).await;
    let shown = codes.text().await.expect("the codes");
    assert_eq!(shown.lines().filter(|l| l.trim().len() == 11).count(), 10, "{shown}");
    augenmerk_tests::totp::remember(url, Some(FLENSBURG), "admin", &secret, step);
    violations.extend(b.serious_accessibility_violations("console: recovery codes").await);
    screenshots_tall(b, "console-totp-recovery-codes", 1100).await;
    b.click_id("totp-done").await;
    secret
}
