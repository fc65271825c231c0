//! Ämter and administrations not on the platform on the web page (issue 26): a report in
//! Wees names its place "Wees (Amt Langballig)" and reaches the Amt; in Lübeck, whose
//! administration is only in the platform's directory, the citizen is told before sending
//! that the report goes by e-mail, may pass their address on, and afterwards reads "Per
//! E-Mail gesendet an …"; in Neumünster, which has neither, the form says nobody takes
//! reports there. axe-core on each screen; screenshots to `docs/screenshots/web/amt-*`
//! and `mail-*`.

use std::time::Duration;

use fantoccini::Locator;

use augenmerk_tests::steps;
use augenmerk_tests::{Browser, SLOW, Server};

/// In the village of Wees (Amt Langballig), 1.7 km from its boundary (checked against
/// `data/geo/sh-gemeinden.geojson`).
const WEES: (f64, f64) = (54.8075, 9.5307);
/// The Holstentor in Lübeck, 3 km inside the city.
const HOLSTENTOR: (f64, f64) = (53.8663, 10.6797);
/// The centre of Neumünster, 2 km inside.
const NEUMUENSTER: (f64, f64) = (54.0742, 9.9844);

/// Types a place and waits until the form names `place`.
async fn locate(b: &Browser, (lat, lon): (f64, f64), place: &str) {
    b.type_into("lat-input", &lat.to_string()).await;
    b.type_into("lon-input", &lon.to_string()).await;
    b.wait_text(&Browser::id("municipality-name"), place, Duration::from_secs(20))
        .await;
}

/// Starts a new report from "my reports" or the saved screen.
async fn new_report(b: &Browser) {
    b.click_id("nav-report").await;
    b.wait_id("submit-report", SLOW).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_citizen_reports_in_an_amt_and_where_the_administration_is_not_on_the_platform() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-amt-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());
    let b = Browser::start(dir.path()).await;
    b.goto(&server.url).await;
    b.wait_id("nav-report", SLOW).await;
    let mut violations = Vec::new();

    // Wees, one of Amt Langballig's Gemeinden: the place is named with the Amt, and the
    // Amt's categories are offered. Nothing is mailed.
    locate(&b, WEES, "Wees (Amt Langballig)").await;
    assert!(
        b.client.find(Locator::Css(&Browser::id("mail-notice"))).await.is_err(),
        "the Amt is on the platform: no mail notice"
    );
    steps::describe_pothole(&b, "Schlagloch in der Dorfstraße.").await;
    violations.extend(b.serious_accessibility_violations("report form in an Amt").await);
    b.screenshots("amt-report-form").await;
    let in_wees = steps::submit(&b).await;
    assert!(
        b.client.find(Locator::Css(&Browser::id("saved-mailed"))).await.is_err(),
        "a report to the Amt is not mailed"
    );
    b.click_id("nav-my-reports").await;
    let item = format!("{}[data-report-id=\"{in_wees}\"]", Browser::id("report-item"));
    b.wait_text(&item, "Wees (Amt Langballig)", SLOW).await;
    steps::open_detail(&b, &in_wees).await;
    b.wait_text(&Browser::id("place-name"), "Wees (Amt Langballig)", SLOW)
        .await;

    // Lübeck: told before anything is sent, with the choice to pass the address on.
    new_report(&b).await;
    locate(&b, HOLSTENTOR, "Lübeck").await;
    let notice = b
        .wait_text(
            &Browser::id("mail-notice"),
            "Diese Gemeinde ist nicht auf der Plattform. Ihre Meldung wird per E-Mail an",
            SLOW,
        )
        .await
        .text()
        .await
        .expect("notice text");
    let to = notice
        .rsplit_once("per E-Mail an ")
        .map(|(_, rest)| rest.trim_end_matches(" gesendet.").trim().to_owned())
        .expect("the notice names the administration");
    assert!(!to.is_empty(), "{notice}");
    steps::describe_pothole(&b, "Loch im Pflaster am Holstentor.").await;
    let share = b.by_id("share-contact").await;
    assert!(
        !share.is_selected().await.expect("checkbox state"),
        "the address is not passed on unless the citizen chooses so"
    );
    assert!(
        !share.is_enabled().await.expect("checkbox enabled"),
        "without an address there is nothing to pass on"
    );
    b.type_into("email", "maria.muster@example.org").await;
    b.wait_text(
        "label[for=\"share-contact-input\"]",
        &format!("Meine E-Mail-Adresse an {to} weitergeben"),
        SLOW,
    )
    .await;
    b.choose(&Browser::id("share-contact")).await;
    violations.extend(b.serious_accessibility_violations("report form, mailed").await);
    b.screenshots("mail-report-form").await;
    let in_luebeck = steps::submit(&b).await;
    b.wait_text(&Browser::id("saved-mailed"), &to, SLOW).await;
    b.screenshots("mail-report-saved").await;

    // Afterwards it reads where it went, in the list and on its page.
    b.click_id("nav-my-reports").await;
    let item = format!("{}[data-report-id=\"{in_luebeck}\"]", Browser::id("report-item"));
    b.wait_text(&item, &format!("Per E-Mail gesendet an {to}"), SLOW).await;
    violations.extend(b.serious_accessibility_violations("my reports, mailed").await);
    b.screenshots("mail-my-reports").await;
    steps::open_detail(&b, &in_luebeck).await;
    b.wait_text(
        &Browser::id("status-mailed"),
        &format!("Per E-Mail gesendet an {to}"),
        SLOW,
    )
    .await;
    // The administration answers outside Augenmerk: no thread to reply in.
    b.wait_text(&Browser::id("mailed-note"), &to, SLOW).await;
    assert!(
        b.client.find(Locator::Css(&Browser::id("reply-body"))).await.is_err(),
        "no reply to an administration that is not on the platform"
    );
    violations.extend(b.serious_accessibility_violations("report detail, mailed").await);
    b.screenshots("mail-report-detail").await;

    // Neumünster: nobody takes reports there, and the form says so before sending.
    new_report(&b).await;
    locate(&b, NEUMUENSTER, "Neumünster").await;
    b.wait_text(
        &Browser::id("municipality-refused"),
        "nimmt über Augenmerk noch keine Meldungen an",
        SLOW,
    )
    .await;
    b.click_id("submit-report").await;
    b.wait_text(
        &Browser::id("error-summary"),
        "Hier nimmt niemand über Augenmerk Meldungen an",
        SLOW,
    )
    .await;
    // After the page has scrolled to the summary (KERN scrolls smoothly): axe judges
    // colours by what lies under each element.
    tokio::time::sleep(Duration::from_secs(1)).await;
    violations.extend(b.serious_accessibility_violations("report form, refused").await);
    b.screenshots("refused-report-form").await;

    // In English too.
    b.click_id("nav-my-reports").await;
    b.click_id("lang-switch").await;
    let item = format!("{}[data-report-id=\"{in_luebeck}\"]", Browser::id("report-item"));
    b.wait_text(&item, &format!("Sent by e-mail to {to}"), SLOW).await;
    b.close().await;

    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}
