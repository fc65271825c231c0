//! Privacy by law (issue 17): retention with a clock moved forward, the citizen's export,
//! withdrawal and erasure, erasure requests by staff, and the policy and notice. Every
//! check of "gone" looks at the database file itself, the photo files on disk and the
//! API's answers.

mod policy;
mod retention;
mod rights;
mod staff;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Device, FLENSBURG, Staff, TestApp, pothole, sha256_hex};

/// A report in Flensburg with a marker in its description, a text answer-free pothole,
/// a contact address and a photo; returns (id, marker, photo hash).
pub async fn marked_report(app: &TestApp, device: &Device, email: &str) -> (String, String, String) {
    let marker = format!("GEHEIM-{}", Uuid::new_v4().simple());
    // A photo of its own (random pixels): its file must be gone after erasure.
    let photo = unique_png();
    let hash = sha256_hex(&photo);
    app.put_blob(&device.token, &hash, photo).await.expect(201);
    let mut r = pothole();
    r["description"] = json!(format!("Vor Hausnummer 7, {marker}, bitte schnell."));
    r["contact_email"] = json!(email);
    r["photos"] = json!([hash]);
    r["notice_version"] = json!(0);
    let id = r["id"].as_str().expect("id").to_owned();
    app.submit_ok(device, &r).await;
    (id, marker, hash)
}

/// Moves a report through the process to `closed`, with a message to and from the citizen.
pub async fn work_and_close(app: &TestApp, staff: &Staff, device: &Device, id: &str, marker: &str) {
    app.post(
        &format!("/api/v1/staff/reports/{id}/messages"),
        Some(&staff.token),
        &json!({"body": format!("Rückfrage zu {marker}: welches Haus?")}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/reports/{id}/messages"),
        Some(&device.token),
        &json!({"id": Uuid::new_v4(), "body": format!("Das Haus mit {marker}.")}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/staff/reports/{id}/notes"),
        Some(&staff.token),
        &json!({"body": format!("Notiz {marker}")}),
    )
    .await
    .expect(201);
    for to in ["in_progress", "resolved", "closed"] {
        app.transition(staff, id, &json!({"to": to, "public_comment": "Erledigt."}))
            .await
            .expect(200);
    }
}

/// Whether the database holds `needle`: on SQLite, anywhere in the bytes of the file or
/// its write-ahead log; on PostgreSQL, in any row of any table (its files keep dead row
/// versions until `VACUUM`, which the scrub runs; see the PostgreSQL backend's privacy
/// module).
pub fn database_contains(app: &TestApp, needle: &str) -> bool {
    if let Some(url) = &app.state.settings.database_url {
        return augenmerk_tests::backend::postgres_rows_contain(url, needle);
    }
    ["augenmerk.db", "augenmerk.db-wal"].iter().any(|f| {
        std::fs::read(app.data_dir.join(f))
            .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
            .unwrap_or(false)
    })
}

/// Whether a photo's file is in the photo store.
pub fn photo_on_disk(app: &TestApp, hash: &str) -> bool {
    app.stored_blob_files()
        .iter()
        .any(|p| p.file_name().is_some_and(|n| n.to_string_lossy() == hash))
}

/// Everything staff, the public and Open311 can read about a report, as one text.
pub async fn every_view(app: &TestApp, staff: &Staff, id: &str) -> String {
    let mut out = String::new();
    for (path, token) in [
        (format!("/api/v1/staff/reports/{id}"), Some(staff.token.as_str())),
        (
            "/api/v1/staff/reports?page_size=200".to_owned(),
            Some(staff.token.as_str()),
        ),
        ("/api/v1/staff/reports.csv".to_owned(), Some(staff.token.as_str())),
        (
            format!("/api/v1/staff/reports/{id}/deliveries"),
            Some(staff.token.as_str()),
        ),
        (
            format!("/open311/v2/requests.json?jurisdiction_id={FLENSBURG}&service_request_id={id}"),
            None,
        ),
        (format!("/open311/v2/requests.json?jurisdiction_id={FLENSBURG}"), None),
        (
            format!("/open311/v2/servicerequestupdates.json?jurisdiction_id={FLENSBURG}"),
            None,
        ),
    ] {
        out.push_str(&app.get(&path, token).await.text());
        out.push('\n');
    }
    out
}

/// The report's audit trail as staff see it.
pub async fn audit(app: &TestApp, staff: &Staff, id: &str) -> Vec<Value> {
    app.detail(staff, id).await["audit"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// A small PNG no other report has.
pub fn unique_png() -> Vec<u8> {
    let seed: [u8; 3] = rand::random();
    let img = image::RgbImage::from_fn(16, 12, |x, y| {
        image::Rgb([seed[0] ^ (x as u8), seed[1] ^ (y as u8), seed[2]])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("encode PNG");
    out.into_inner()
}
