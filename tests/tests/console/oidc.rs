//! Single sign-on in the console (issue 24) against a real, certified provider (npm
//! `oidc-provider`, tests/src/oidc.rs): the admin configures the provider on the settings
//! screen; the login screen offers "Anmelden mit Kreis-Login"; a person without a mapped
//! group comes back refused with a clear message; a person whose group maps to
//! dispatcher signs in at the provider's own sign-in and consent forms and sees the inbox.
//! axe-core on both screens; screenshots to `docs/screenshots/console/sso-*`.

use std::time::Duration;

use crate::helpers::{laptop, login, logout, one_browser, screenshots, screenshots_tall, section};
use augenmerk_tests::{Browser, SLOW, ServerSetup, oidc};

/// Signs in at the provider's pages (any password) and consents.
async fn at_provider(b: &Browser, login_name: &str) {
    b.wait_css("input[name=\"login\"]", SLOW)
        .await
        .send_keys(login_name)
        .await
        .expect("type the login name");
    b.wait_css("input[name=\"password\"]", SLOW)
        .await
        .send_keys("beliebig")
        .await
        .expect("type the password");
    b.click_css("button[type=\"submit\"]").await;
    // The consent page.
    b.wait_css("input[name=\"prompt\"][value=\"consent\"]", SLOW).await;
    b.click_css("button[type=\"submit\"]").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_sign_in_through_the_municipal_identity_provider() {
    let _turn = one_browser().await;
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-console-oidc-")
        .tempdir()
        .expect("temporary directory");
    let port = augenmerk_tests::free_port();
    let url = format!("http://127.0.0.1:{port}");
    let server = ServerSetup::web(dir.path())
        .env("AUGENMERK__PUBLIC_URL", url.clone())
        .start_on(port);
    let provider = oidc::shared();
    let client = provider.register(&format!("{url}/api/v1/sso/callback")).await;
    let b = Browser::start(dir.path()).await;
    laptop(&b).await;
    let mut violations = Vec::new();

    // The admin configures the provider.
    login(&b, &server.url, "admin").await;
    b.click_id("nav-config").await;
    section(&b, "sso").await;
    b.wait_id("sso-config", SLOW).await;
    b.wait_text(&Browser::id("sso-redirect-uri"), "/api/v1/sso/callback", SLOW)
        .await;
    b.click_id("sso-enabled").await;
    b.type_into("sso-display-name", "Kreis-Login").await;
    b.type_into("sso-issuer", &provider.issuer).await;
    b.type_into("sso-client-id", &client.id).await;
    b.type_into("sso-client-secret", &client.secret).await;
    for (i, (group, role)) in [("augenmerk-admins", "admin"), ("leitstelle", "dispatcher")]
        .into_iter()
        .enumerate()
    {
        b.click_id("sso-mapping-add").await;
        let row = format!("[data-testid=\"sso-mapping\"]:nth-of-type({})", i + 1);
        b.wait_css(&row, SLOW)
            .await
            .find(fantoccini::Locator::Css("[data-testid=\"sso-mapping-group\"]"))
            .await
            .expect("group field")
            .send_keys(group)
            .await
            .expect("type the group");
        b.wait_css(&format!("{row} [data-testid=\"sso-mapping-role\"]"), SLOW)
            .await
            .select_by_value(role)
            .await
            .expect("choose the role");
    }
    b.click_id("sso-save").await;
    b.wait_id("console-notice", SLOW).await;
    // The secret is not shown again, only that there is one.
    b.wait_text(&Browser::id("sso-secret-state"), "gespeichert", SLOW).await;
    violations.extend(
        b.serious_accessibility_violations("console: single sign-on settings")
            .await,
    );
    screenshots_tall(&b, "sso-settings", 1500).await;
    logout(&b).await;

    // The login screen offers the provider.
    b.wait_text(&Browser::id("sso-login"), "Anmelden mit", SLOW).await;
    violations.extend(
        b.serious_accessibility_violations("console: login with single sign-on")
            .await,
    );
    screenshots(&b, "sso-login").await;

    // A person whose groups map to no role comes back refused.
    b.click_id("sso-login").await;
    at_provider(&b, "koch").await;
    b.wait_text(&Browser::id("error-alert"), "keiner Rolle", SLOW).await;
    b.wait_id("login-form", Duration::from_secs(10)).await;

    // The provider remembers koch: forget its cookies, as another person at another PC.
    b.client.goto(&provider.issuer).await.expect("the provider");
    b.client
        .delete_all_cookies()
        .await
        .expect("forget the provider's session");
    b.client
        .goto(&format!("{}/console/#/console", server.url))
        .await
        .expect("back to the console");

    // The dispatcher by group signs in and sees the inbox.
    b.wait_id("sso-login", SLOW).await;
    b.click_id("sso-login").await;
    at_provider(&b, "disponentin").await;
    b.wait_attr(&Browser::id("console-user"), "data-role", "dispatcher", SLOW)
        .await;
    b.wait_id("inbox", SLOW).await;
    b.wait_text(&Browser::id("console-user"), "Maria Disponentin", SLOW)
        .await;
    // No one-time code stays in the address.
    let address = b.client.current_url().await.expect("url").to_string();
    assert!(!address.contains("code="), "{address}");

    assert!(violations.is_empty(), "axe: {violations:#?}");
    b.close().await;
}
