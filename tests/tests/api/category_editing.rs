//! The admin's category editor on the API: a question edited (labels, required, type,
//! options) and categories reordered reach the citizens' configuration; a category that
//! reports are filed on cannot be removed (409, naming it), only deactivated: then it is
//! no longer offered (configuration, Open311 services, intake, re-categorising) while its
//! old reports keep their category. Unused categories can be removed.

use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, spawn_app};

/// The category with this id in a tree (JSON), depth first.
fn find<'a>(cats: &'a mut Value, id: &str) -> Option<&'a mut Value> {
    for c in cats.as_array_mut()? {
        if c["id"] == id {
            return Some(c);
        }
        // `get_mut`, not indexing: indexing a missing key would insert a null.
        if let Some(found) = c.get_mut("subcategories").and_then(|s| find(s, id)) {
            return Some(found);
        }
    }
    None
}

fn ids(cats: &Value) -> Vec<String> {
    cats.as_array()
        .map(|a| a.iter().filter_map(|c| c["id"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn contains(cats: &Value, id: &str) -> bool {
    let mut copy = cats.clone();
    find(&mut copy, id).is_some()
}

#[tokio::test]
async fn questions_are_edited_and_categories_reordered() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let mut tree = app
        .get("/api/v1/staff/config/categories", Some(&admin.token))
        .await
        .expect(200);

    // The pothole's size question: new labels, now required, different options.
    let pothole = find(&mut tree["categories"], "schlagloch").expect("schlagloch");
    let q = pothole["questions"]
        .as_array_mut()
        .and_then(|qs| qs.iter_mut().find(|q| q["id"] == "groesse"))
        .expect("question groesse");
    q["de"] = json!("Wie groß ist das Loch?");
    q["en"] = json!("How large is the hole?");
    q["required"] = json!(true);
    q["options"] = json!([
        {"value": "klein", "de": "kleiner als ein Teller", "en": "smaller than a plate"},
        {"value": "gross", "de": "größer als ein Teller", "en": "larger than a plate"}
    ]);
    // The questions and the top-level categories in a new order.
    pothole["questions"].as_array_mut().expect("questions").reverse();
    let mut tops = tree["categories"].as_array().expect("categories").clone();
    let winter = tops
        .iter()
        .position(|c| c["id"] == "winterdienst")
        .expect("winterdienst");
    let w = tops.remove(winter);
    tops.insert(0, w);
    tree["categories"] = json!(tops);
    app.put("/api/v1/staff/config/categories", Some(&admin.token), &tree)
        .await
        .expect(200);

    let mut config = app
        .get(&format!("/api/v1/municipalities/{FLENSBURG}/config"), None)
        .await
        .expect(200);
    assert_eq!(ids(&config["categories"]["categories"])[0], "winterdienst");
    let pothole = find(&mut config["categories"]["categories"], "schlagloch").expect("schlagloch");
    let questions = pothole["questions"].as_array().expect("questions");
    assert_eq!(questions[0]["id"], "strassenart", "the questions' new order: {pothole}");
    let q = questions.iter().find(|q| q["id"] == "groesse").expect("groesse");
    assert_eq!(q["de"], "Wie groß ist das Loch?");
    assert_eq!(q["en"], "How large is the hole?");
    assert_eq!(q["required"], true);
    assert_eq!(q["options"][1]["value"], "gross");

    // Intake follows: the question is now required, with the new options.
    let device = app.device().await;
    let mut report = crate::helpers::pothole();
    app.submit(&device, &report)
        .await
        .expect_field_error("answers.groesse", "required");
    report["answers"]["groesse"] = json!("gross");
    app.submit_ok(&device, &report).await;

    // A question whose options are broken is refused as before.
    let mut broken = tree.clone();
    let pothole = find(&mut broken["categories"], "schlagloch").expect("schlagloch");
    for q in pothole["questions"].as_array_mut().expect("questions") {
        if q["id"] == "groesse" {
            q["options"] = json!([]);
        }
    }
    app.put("/api/v1/staff/config/categories", Some(&admin.token), &broken)
        .await
        .expect_field_error("categories.schlagloch.questions.groesse", "invalid_options");
}

#[tokio::test]
async fn a_category_in_use_is_deactivated_not_deleted() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let device = app.device().await;
    let dumping = crate::helpers::report(
        "ablagerung",
        json!({"gefaehrlich": false, "menge": "mittel"}),
        crate::helpers::MUERWIK,
    );
    let old = app.submit_ok(&device, &dumping).await;
    let old_id = crate::helpers::id_of(&old);
    let tree = app
        .get("/api/v1/staff/config/categories", Some(&admin.token))
        .await
        .expect(200);

    // Removing it would orphan the report: refused, naming the category.
    let mut without = tree.clone();
    let muell = find(&mut without["categories"], "muell").expect("muell");
    muell["subcategories"]
        .as_array_mut()
        .expect("subcategories")
        .retain(|c| c["id"] != "ablagerung");
    let body = app
        .put("/api/v1/staff/config/categories", Some(&admin.token), &without)
        .await
        .expect_error(409, "conflict");
    assert_eq!(body["context"]["in_use"][0]["category"], "ablagerung", "{body}");
    assert_eq!(body["context"]["in_use"][0]["reports"], 1, "{body}");

    // A category without reports can go.
    let mut unused_gone = tree.clone();
    let muell = find(&mut unused_gone["categories"], "muell").expect("muell");
    muell["subcategories"]
        .as_array_mut()
        .expect("subcategories")
        .retain(|c| c["id"] != "hundekot");
    app.put("/api/v1/staff/config/categories", Some(&admin.token), &unused_gone)
        .await
        .expect(200);

    // Deactivated instead: kept in the staff's tree, gone from everything citizens see.
    let mut deactivated = unused_gone.clone();
    find(&mut deactivated["categories"], "ablagerung").expect("ablagerung")["active"] = json!(false);
    app.put("/api/v1/staff/config/categories", Some(&admin.token), &deactivated)
        .await
        .expect(200);
    let mut staff_tree = app
        .get("/api/v1/staff/config/categories", Some(&admin.token))
        .await
        .expect(200);
    assert_eq!(
        find(&mut staff_tree["categories"], "ablagerung").expect("kept")["active"],
        false
    );
    assert!(!contains(&staff_tree["categories"], "hundekot"), "removed");
    let config = app
        .get(&format!("/api/v1/municipalities/{FLENSBURG}/config"), None)
        .await
        .expect(200);
    assert!(!contains(&config["categories"]["categories"], "ablagerung"), "{config}");
    assert!(
        contains(&config["categories"]["categories"], "papierkorb"),
        "siblings stay"
    );
    let services = app
        .get(&format!("/open311/v2/services.json?jurisdiction_id={FLENSBURG}"), None)
        .await
        .expect(200);
    let codes: Vec<&str> = services
        .as_array()
        .expect("services")
        .iter()
        .filter_map(|s| s["service_code"].as_str())
        .collect();
    assert!(
        !codes.contains(&"ablagerung") && codes.contains(&"papierkorb"),
        "{codes:?}"
    );

    // No new reports on it (told like an unknown category, so devices choose again) …
    let body = app
        .submit(
            &device,
            &crate::helpers::report(
                "ablagerung",
                json!({"gefaehrlich": false, "menge": "mittel"}),
                crate::helpers::MUERWIK,
            ),
        )
        .await
        .expect_error(422, "unknown_category");
    assert_eq!(body["context"]["reason"], "inactive", "{body}");
    // … and staff cannot move a report onto it.
    let other = app.submit_ok(&device, &crate::helpers::pothole()).await;
    app.patch(
        &format!("/api/v1/staff/reports/{}", crate::helpers::id_of(&other)),
        Some(&dispatcher.token),
        &json!({"category": "ablagerung"}),
    )
    .await
    .expect_field_error("category", "inactive");

    // The old report keeps its category for staff and citizen.
    let detail = app.detail(&dispatcher, &old_id).await;
    assert_eq!(detail["report"]["category"], "ablagerung", "{detail}");
    let view = app.citizen_view(&device, &old_id).await;
    assert_eq!(view["category"], "ablagerung", "{view}");

    // Active again: offered again.
    app.put("/api/v1/staff/config/categories", Some(&admin.token), &unused_gone)
        .await
        .expect(200);
    let config = app
        .get(&format!("/api/v1/municipalities/{FLENSBURG}/config"), None)
        .await
        .expect(200);
    assert!(contains(&config["categories"]["categories"], "ablagerung"));
}
