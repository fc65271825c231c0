//! What a citizen does on the page, step by step, through the `data-testid` contract of
//! the UI; shared by the browser tests (web, console) and the app's test.

use std::path::Path;
use std::time::Duration;

use fantoccini::Locator;

use crate::MUERWIK;
use crate::browser::{Browser, SLOW};

/// What the page showed for a processed photo.
pub struct PhotoCard {
    /// The anonymized photo's hash (its address on the server).
    pub hash: String,
    /// Faces blurred.
    pub faces: u32,
    /// Plates blurred.
    pub plates: u32,
}

/// Chooses the photo in the file input and waits until the server anonymized it.
pub async fn add_photo(b: &Browser, photo: &Path) -> PhotoCard {
    b.by_id("photo-input")
        .await
        .send_keys(&photo.display().to_string())
        .await
        .expect("choose the photo");
    // The card may appear before the server's answer fills it in.
    let card = b.wait_attr_present(&Browser::id("photo-card"), "data-hash", SLOW).await;
    let count = |v: String| v.parse::<u32>().unwrap_or(0);
    PhotoCard {
        hash: Browser::attr(&card, "data-hash").await,
        faces: count(Browser::attr(&card, "data-faces").await),
        plates: count(Browser::attr(&card, "data-plates").await),
    }
}

/// Sets the location to a street in Flensburg-Mürwik and waits for the municipality.
pub async fn locate_in_flensburg(b: &Browser) {
    b.type_into("lat-input", &MUERWIK.0.to_string()).await;
    b.type_into("lon-input", &MUERWIK.1.to_string()).await;
    b.wait_text(&Browser::id("municipality-name"), "Flensburg", Duration::from_secs(20))
        .await;
    // Only near a boundary: the citizen confirms the municipality.
    if b.client
        .find(Locator::Css(&Browser::id("municipality-confirm")))
        .await
        .is_ok()
    {
        b.choose(&Browser::id("municipality-confirm")).await;
    }
}

/// Picks the pothole category, answers its questions (a municipal street, no acute
/// danger), describes it and consents.
pub async fn describe_pothole(b: &Browser, description: &str) {
    answer_pothole(b).await;
    b.type_into("description", description).await;
    b.choose(&Browser::id("consent")).await;
}

/// Picks the pavement-damage category and answers its required question (no acute danger).
pub async fn answer_pavement_damage(b: &Browser) {
    b.type_into("category-search", "Gehweg").await;
    b.choose("[data-category=\"gehweg\"]").await;
    b.choose("[data-question=\"gefahr_akut\"][value=\"false\"]").await;
}

/// Picks the pothole category and answers its questions (a municipal street, no acute danger).
pub async fn answer_pothole(b: &Browser) {
    b.type_into("category-search", "Schlagloch").await;
    b.choose("[data-category=\"schlagloch\"]").await;
    b.choose("[data-question=\"gefahr_akut\"][value=\"false\"]").await;
    let road = b
        .wait_css("[data-question=\"strassenart\"]", Duration::from_secs(10))
        .await;
    if road.tag_name().await.expect("tag").eq_ignore_ascii_case("select") {
        let arg = vec![serde_json::to_value(&road).expect("element ref")];
        b.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                arg.clone(),
            )
            .await
            .expect("scroll to the road class");
        if let Err(e) = road.select_by_value("gemeindestrasse").await {
            // WebKitWebDriver (the app) cannot click an <option>: choose it as the
            // keyboard does, then the change event fires as it would.
            assert!(format!("{e:?}").contains("NotInteractable"), "road class: {e:?}");
            b.client
                .execute(
                    "arguments[0].value = 'gemeindestrasse'; \
                     arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
                    arg,
                )
                .await
                .expect("choose the road class");
        }
    } else {
        b.click_css("[data-question=\"strassenart\"][value=\"gemeindestrasse\"]")
            .await;
    }
}

/// Sends the form and returns the saved report's id.
pub async fn submit(b: &Browser) -> String {
    b.click_id("submit-report").await;
    let saved = b.wait_id("report-saved", SLOW).await;
    if let Ok(errors) = b.client.find(Locator::Css(&Browser::id("error-summary"))).await {
        panic!("the form showed errors: {}", errors.text().await.unwrap_or_default());
    }
    let id = Browser::attr(&saved, "data-report-id").await;
    assert!(!id.is_empty(), "report-saved carries no data-report-id");
    id
}

/// Opens "my reports" and waits until the report shows `status`.
pub async fn open_my_reports(b: &Browser, id: &str, status: &str) {
    b.click_id("nav-my-reports").await;
    let item = format!("{}[data-report-id=\"{id}\"]", Browser::id("report-item"));
    b.wait_attr(&item, "data-status", status, SLOW).await;
}

/// Opens the report's detail from "my reports".
pub async fn open_detail(b: &Browser, id: &str) {
    b.click_css(&format!("{}[data-report-id=\"{id}\"]", Browser::id("report-item")))
        .await;
    b.wait_id("report-detail", Duration::from_secs(20)).await;
}
