//! A field worker's day in the app (issue 21): they find Flensburg by its name at the
//! login (the server's list; offline the cached configurations, and a typed AGS still
//! works), see their cases with the address and the distance from where they stand, sort
//! them by distance, and open the nearest: its place with a `geo:` navigation link and the
//! map, and only the status changes the device can queue (no "forwarded", no "duplicate").
//! axe finds nothing serious on the login, the cases and the case. Screenshots (phone and
//! laptop) to `docs/screenshots/app/field-day-*`. A field worker whose account has a
//! second factor (issue 24) gives its code after the password, without typing that again.

use std::time::Duration;

use serde_json::{Value, json};

use augenmerk_tests::app::{Display, Launch, launch, launch_with_tiles, work_dir};
use augenmerk_tests::citizen::Citizen;
use augenmerk_tests::nominatim::Nominatim;
use augenmerk_tests::{Browser, FLENSBURG, MUERWIK, PASSWORD, SLOW, Server, Staff, totp};

use crate::helpers::{click_fresh, eventually, shots, sync_now};

/// Where the field worker stands (the device's position): Mürwik.
const HERE: (f64, f64) = (54.8100, 9.4800);
/// About 100 m from [`HERE`].
const NEAR: (f64, f64) = (54.8095, 9.4785);
/// The old town, about 4 km from [`HERE`].
const FAR: (f64, f64) = (54.7840, 9.4345);

/// Stands in for the device's GPS: the webview under Xvfb has none. The page asks
/// `navigator.geolocation` as on any desktop; this answers it with [`HERE`].
fn fake_position() -> String {
    format!(
        "const here = {{coords: {{latitude: {}, longitude: {}, accuracy: 10}}, timestamp: Date.now()}};
         Object.defineProperty(navigator, 'geolocation', {{configurable: true, value: {{
             getCurrentPosition: (ok) => setTimeout(() => ok(here), 0),
             watchPosition: () => 0, clearWatch: () => {{}} }}}});",
        HERE.0, HERE.1
    )
}

/// axe finds nothing serious on the screen, and it did run there: WebKitWebDriver's
/// answer to the asynchronous script must hold the rules that passed, not nothing.
async fn assert_accessible(b: &Browser, screen: &str) {
    let violations = b.serious_accessibility_violations(screen).await;
    let passed = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['passes']}).then(r => done(r.passes.length)).catch(e => done(String(e)));",
            vec![],
        )
        .await
        .expect("axe.run");
    assert!(
        passed.as_u64().unwrap_or(0) > 10,
        "{screen}: axe did not run ({passed})"
    );
    if !violations.is_empty() {
        let saved = b.save_failure().await;
        panic!("{screen}: {violations:#?}; page saved as {saved}");
    }
}

/// The login's chosen municipality once it is `ags` (`data-ags` of the status line).
async fn wait_chosen(b: &Browser, ags: &str) {
    b.wait_attr(
        &Browser::id("login-municipality-status"),
        "data-ags",
        ags,
        Duration::from_secs(20),
    )
    .await;
}

/// The case list's report ids, top to bottom.
async fn case_order(b: &Browser) -> Vec<String> {
    let v = b
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=\"case-item\"]')].map(e => e.dataset.reportId);",
            vec![],
        )
        .await
        .unwrap_or(Value::Null);
    v.as_array()
        .map(|a| a.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_field_worker_finds_the_municipality_by_name_and_the_nearest_case() {
    let dir = &work_dir("field-day");
    let data = dir.join("app-data");
    let display = Display::start(dir);
    let tiles = Nominatim::start().await;
    let server = Server::start(dir);
    let url = server.url.clone();

    // Two potholes for Tiefbau: the far one first (due first), then the near one.
    let citizen = Citizen::register(&url).await;
    let answers = json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"});
    let far = citizen
        .report(
            "schlagloch",
            answers.clone(),
            "Loch in der Fahrbahn.",
            FAR,
            "Große Straße 12",
            &[],
        )
        .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let near = citizen
        .report(
            "schlagloch",
            answers,
            "Loch am Bordstein.",
            NEAR,
            "Mürwiker Straße 112",
            &[],
        )
        .await;

    let app = launch_with_tiles(
        &Launch {
            display: &display,
            data: &data,
            server: &url,
            log: dir.join("tauri-driver.log"),
        },
        &tiles.tile_url(),
    )
    .await;
    let b = app.browser;

    // The login lists the municipalities with staff by name; a few letters find one.
    b.click_id("nav-field").await;
    b.wait_id("login-username", SLOW).await;
    let options = eventually("the municipalities listed", SLOW, || async {
        let v = b
            .client
            .execute(
                "return [...document.querySelectorAll('[data-testid=\"login-municipality-option\"]')].map(i => i.labels[0].innerText);",
                vec![],
            )
            .await
            .unwrap_or(Value::Null);
        if v.as_array().is_some_and(|a| a.len() >= 3) { Ok(v) } else { Err(v) }
    })
    .await;
    for name in ["Flensburg", "Kiel", "Amt Langballig"] {
        assert!(options.to_string().contains(name), "{name} listed: {options}");
    }
    assert_accessible(&b, "field login").await;
    b.type_into("login-municipality", "flens").await;
    wait_chosen(&b, FLENSBURG).await;
    b.wait_css(
        &format!(
            "{}[value=\"{FLENSBURG}\"]:checked",
            Browser::id("login-municipality-option")
        ),
        Duration::from_secs(10),
    )
    .await;
    b.type_into("login-username", "field").await;
    b.type_into("login-password", PASSWORD).await;
    shots(&b, "field-day-login", None).await;
    assert_accessible(&b, "field login, Flensburg chosen").await;
    b.client.execute(&fake_position(), vec![]).await.expect("position");
    b.click_id("login-submit").await;

    // Both cases, each with its address and its distance from here; by due date first.
    let item = |id: &str| format!("{}[data-report-id=\"{id}\"]", Browser::id("case-item"));
    eventually("both cases on the device", SLOW, || async {
        let order = case_order(&b).await;
        if order.contains(&far) && order.contains(&near) {
            Ok(json!(order))
        } else {
            sync_now(&b).await;
            Err(json!(order))
        }
    })
    .await;
    b.wait_text(
        &format!("{} {}", item(&near), Browser::id("case-address")),
        "Mürwiker Straße 112",
        SLOW,
    )
    .await;
    b.wait_text(
        &format!("{} {}", item(&far), Browser::id("case-address")),
        "Große Straße 12",
        SLOW,
    )
    .await;
    b.wait_text(
        &format!("{} {}", item(&near), Browser::id("case-distance")),
        "m entfernt",
        SLOW,
    )
    .await;
    b.wait_text(
        &format!("{} {}", item(&far), Browser::id("case-distance")),
        "km entfernt",
        SLOW,
    )
    .await;
    assert_eq!(case_order(&b).await, [far.clone(), near.clone()], "due date first");
    b.choose(&format!("{}[value=\"distance\"]", Browser::id("cases-sort")))
        .await;
    b.wait_attr(
        &Browser::id("case-list"),
        "data-sort",
        "distance",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(case_order(&b).await, [near.clone(), far.clone()], "nearest first");
    shots(&b, "field-day-cases", None).await;
    assert_accessible(&b, "cases").await;

    // The nearest case: its place, the way there, the map, and only the device's steps.
    click_fresh(&b, &format!("{} a", item(&near))).await;
    b.wait_attr(&Browser::id("case-detail"), "data-status", "assigned", SLOW)
        .await;
    b.wait_text(&Browser::id("case-address"), "Mürwiker Straße 112", SLOW)
        .await;
    let navigate = Browser::attr(&b.by_id("case-navigate").await, "href").await;
    assert_eq!(navigate, format!("geo:{:.6},{:.6}", NEAR.0, NEAR.1));
    b.wait_css(&format!("{} .leaflet-tile", Browser::id("case-map")), SLOW)
        .await;
    let offered = b
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=\"case-to\"]')].map(i => i.value);",
            vec![],
        )
        .await
        .expect("offered statuses");
    assert_eq!(
        offered,
        json!(["in_progress", "resolved", "rejected"]),
        "no forwarded or duplicate from the field"
    );
    shots(&b, "field-day-case", None).await;
    assert_accessible(&b, "case").await;

    // Offline the login still lists the municipalities (the cached configurations) and
    // still takes a typed AGS.
    drop(server);
    b.click_css("a[href=\"#/field\"]").await;
    b.click_id("logout").await;
    b.wait_id("login-username", SLOW).await;
    b.type_into("login-municipality", "Kie").await;
    b.wait_text(&Browser::id("login-municipality-status"), "Kiel", SLOW)
        .await;
    b.type_into("login-municipality", FLENSBURG).await;
    wait_chosen(&b, FLENSBURG).await;
    b.type_into("login-municipality", "Gibtesnicht").await;
    b.wait_text(
        &Browser::id("login-municipality-status"),
        "Keine Gemeinde mit diesem Namen",
        Duration::from_secs(10),
    )
    .await;
    shots(&b, "field-day-login-offline", None).await;
    assert_accessible(&b, "field login, offline").await;
    b.close().await;
    drop(display);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_field_worker_with_a_second_factor_gives_the_code_after_the_password() {
    let dir = &work_dir("field-second-factor");
    let data = dir.join("app-data");
    let display = Display::start(dir);
    let server = Server::start(dir);
    let url = server.url.clone();
    let citizen = Citizen::register(&url).await;
    let id = citizen
        .report(
            "schlagloch",
            json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
            "Loch an der Haltestelle.",
            MUERWIK,
            "Mürwiker Straße 10",
            &[],
        )
        .await;
    // The worker set up an authenticator app in the console (the harness keeps its secret).
    let field = Staff::login(&url, "field").await;
    totp::enrol(&reqwest::Client::new(), &url, field.token(), (Some(FLENSBURG), "field")).await;

    let app = launch(&Launch {
        display: &display,
        data: &data,
        server: &url,
        log: dir.join("tauri-driver.log"),
    })
    .await;
    let b = app.browser;
    b.click_id("nav-field").await;
    b.wait_id("login-username", SLOW).await;
    b.type_into("login-municipality", FLENSBURG).await;
    wait_chosen(&b, FLENSBURG).await;
    b.type_into("login-username", "field").await;
    b.type_into("login-password", PASSWORD).await;
    b.click_id("login-submit").await;

    // Name and password were right: the code is asked for, as a one-time code, and the
    // password is not asked again.
    let input = b.wait_id("login-totp", SLOW).await;
    assert_eq!(Browser::attr(&input, "autocomplete").await, "one-time-code");
    assert_eq!(Browser::attr(&input, "inputmode").await, "numeric");
    let password_shown = b
        .client
        .execute(
            "return document.querySelector('[data-testid=\"login-password\"]') !== null;",
            vec![],
        )
        .await
        .expect("password field");
    assert_eq!(password_shown, Value::Bool(false), "the password is not asked again");
    assert_accessible(&b, "field login, code").await;

    // A wrong code says so and stays at the code.
    let stale = totp::stale_code_for(&url, Some(FLENSBURG), "field").expect("the secret");
    b.type_into("login-totp", &stale).await;
    b.click_id("login-submit").await;
    b.wait_text(&Browser::id("error-alert"), "Der Code ist falsch", SLOW)
        .await;
    b.wait_id("login-totp", SLOW).await;

    // The right code signs in with the password given before; the case comes to the device.
    let code = totp::code_for(&url, Some(FLENSBURG), "field")
        .await
        .expect("a fresh code");
    b.type_into("login-totp", &code).await;
    b.click_id("login-submit").await;
    let item = format!("{}[data-report-id=\"{id}\"]", Browser::id("case-item"));
    eventually("the case on the device", SLOW, || async {
        if case_order(&b).await.contains(&id) {
            Ok(json!(id))
        } else {
            sync_now(&b).await;
            Err(json!(case_order(&b).await))
        }
    })
    .await;
    b.wait_css(&item, SLOW).await;
    b.close().await;
    drop(server);
    drop(display);
}
