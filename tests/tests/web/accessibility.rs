//! axe-core on each screen of the web page: the report form with a photo, "my reports"
//! and a report's detail have no serious or critical accessibility violations.

use augenmerk_tests::photo::test_photo;
use augenmerk_tests::steps;
use augenmerk_tests::{Browser, Server};

#[tokio::test(flavor = "multi_thread")]
async fn the_screens_have_no_serious_accessibility_violations() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-axe-")
        .tempdir()
        .expect("temporary directory");
    let photo = test_photo(dir.path());
    let server = Server::start(dir.path());
    let b = Browser::start(dir.path()).await;
    b.goto(&server.url).await;

    let mut violations = Vec::new();
    steps::add_photo(&b, &photo.path).await;
    steps::locate_in_flensburg(&b).await;
    steps::describe_pothole(&b, "Schlagloch am Bordstein.").await;
    violations.extend(b.serious_accessibility_violations("report form").await);

    let id = steps::submit(&b).await;
    steps::open_my_reports(&b, &id, "assigned").await;
    violations.extend(b.serious_accessibility_violations("my reports").await);

    steps::open_detail(&b, &id).await;
    violations.extend(b.serious_accessibility_violations("report detail").await);
    b.close().await;

    assert!(
        violations.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}
