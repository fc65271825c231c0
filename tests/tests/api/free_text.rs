//! Free text is refused with control characters wherever it arrives, and the CSV export
//! never hands a spreadsheet a formula (issue 25).
//!
//! A description with `\u0000` once made the public `requests.xml` not well-formed for
//! everybody; a description starting with `=` ran as a formula in the clerk's Excel.

use serde_json::json;

use crate::helpers::{FLENSBURG, MUERWIK, TestApp, form_encode, id_of, pothole, spawn_app};

/// Characters refused in free text, one each.
const REFUSED: [&str; 4] = ["\u{0}", "\u{1b}[31m", "\u{7}", "\u{7f}"];

#[tokio::test]
async fn control_characters_are_refused_in_every_free_text() {
    let app = spawn_app().await;
    let citizen = app.device().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let admin = app.login(FLENSBURG, "admin").await;

    for bad in REFUSED {
        // Intake: description and address hint.
        let mut r = pothole();
        r["description"] = json!(format!("Loch{bad}"));
        app.submit(&citizen, &r)
            .await
            .expect_field_error("description", "control_character");
        let mut r = pothole();
        r["address_hint"] = json!(format!("vor Nr. 12{bad}"));
        app.submit(&citizen, &r)
            .await
            .expect_field_error("address_hint", "control_character");
    }

    // CR LF and a lone CR become LF; tabs and newlines stay.
    let mut ok = pothole();
    ok["description"] = json!("Zeile 1\r\nZeile 2\rZeile 3\n\tEingerückt");
    let id = id_of(&ok);
    let stored = app.submit_ok(&citizen, &ok).await;
    assert_eq!(stored["description"], "Zeile 1\nZeile 2\nZeile 3\n\tEingerückt");

    // Messages both ways, notes, public comments.
    let report_path = format!("/api/v1/staff/reports/{id}");
    let nul = "Hallo\u{0}";
    app.post(
        &format!("/api/v1/reports/{id}/messages"),
        Some(&citizen.token),
        &json!({"body": nul}),
    )
    .await
    .expect_field_error("body", "control_character");
    for what in ["messages", "notes"] {
        app.post(
            &format!("{report_path}/{what}"),
            Some(&dispatcher.token),
            &json!({"body": nul}),
        )
        .await
        .expect_field_error("body", "control_character");
    }
    app.transition(&dispatcher, &id, &json!({"to": "in_progress", "public_comment": nul}))
        .await
        .expect_field_error("public_comment", "control_character");

    // Names admins give, which citizens and the public feed show.
    app.put(
        "/api/v1/staff/config/departments/tiefbau",
        Some(&admin.token),
        &json!({"id": "tiefbau", "name": "Tief\u{0}bau"}),
    )
    .await
    .expect_field_error("name", "control_character");
    let mut tree = app
        .get("/api/v1/staff/config/categories", Some(&admin.token))
        .await
        .expect(200);
    tree["categories"][0]["de"] = json!("Straße\u{0}");
    let refused = app
        .put("/api/v1/staff/config/categories", Some(&admin.token), &tree)
        .await
        .expect(422);
    assert!(refused.to_string().contains("control_character"), "{refused}");

    // Open311 intake goes the same way (its own error format: 400).
    let key = app.open311_key(FLENSBURG, &[]).await;
    let form = [
        ("api_key", key.as_str()),
        ("service_code", "schlagloch"),
        ("lat", &MUERWIK.0.to_string()),
        ("long", &MUERWIK.1.to_string()),
        ("attribute[gefahr_akut]", "false"),
        ("attribute[strassenart]", "gemeindestrasse"),
        ("description", "Loch\u{0}"),
    ];
    let form = form_encode(&form);
    let reply = app
        .send(
            app.request(reqwest::Method::POST, "/open311/v2/requests.json", None)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 400, "{}", reply.text());
    assert!(reply.text().contains("control_character"), "{}", reply.text());

    // What was accepted keeps the public XML feed well-formed.
    public_feed_is_well_formed(&app).await;
}

async fn public_feed_is_well_formed(app: &TestApp) {
    app.publish_text(FLENSBURG).await;
    let xml = app
        .get(&format!("/open311/v2/requests.xml?jurisdiction_id={FLENSBURG}"), None)
        .await;
    assert_eq!(xml.status.as_u16(), 200);
    let text = xml.text();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("not well-formed ({e}): {text}"));
    assert!(
        doc.descendants()
            .any(|n| n.has_tag_name("description") && n.text() == Some("Zeile 1\nZeile 2\nZeile 3\n\tEingerückt")),
        "{text}"
    );
}

/// The cells of a `;`-separated CSV text with `"` quoting.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (';', false) => row.push(std::mem::take(&mut cell)),
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

#[tokio::test]
async fn the_csv_export_never_starts_a_cell_with_a_formula() {
    let app = spawn_app().await;
    let citizen = app.device().await;
    let payloads = [
        "=HYPERLINK(\"http://evil.example\";\"Details\")",
        "+49 461 123456",
        "-1+1",
        "@SUM(A1:A9)",
        "\t=1+1",
    ];
    for p in payloads {
        let mut r = pothole();
        r["description"] = json!(p);
        r["address_hint"] = json!(p);
        app.submit_ok(&citizen, &r).await;
    }
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let reply = app.get("/api/v1/staff/reports.csv", Some(&dispatcher.token)).await;
    assert_eq!(reply.status.as_u16(), 200);
    let rows = csv_rows(&reply.text());
    assert_eq!(rows.len(), payloads.len() + 1, "header and one row each");
    let (description, place, lat) = (12, 11, 9);
    for row in &rows[1..] {
        for cell in [&row[description], &row[place]] {
            assert!(cell.starts_with('\''), "neutralised: {cell:?}");
            // The text itself is kept (trimmed at intake, as every description).
            assert!(payloads.iter().any(|p| p.trim() == &cell[1..]), "{cell:?}");
        }
        assert!(row[lat].parse::<f64>().is_ok(), "numbers stay numbers: {row:?}");
    }
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell could run as a formula: {cell:?}"
            );
        }
    }
}
