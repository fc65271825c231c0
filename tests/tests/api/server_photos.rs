//! `POST /api/v1/photos`: a photo anonymized by the server for clients that cannot do it
//! on the device (the web page). Only the result is stored; the uploader may read it back
//! for review; the GPS position comes back as a location suggestion.

use serde_json::json;

use crate::exif::{jpeg_markers, jpeg_with_gps_exif};
use crate::helpers::{TestApp, pothole, sha256_hex, spawn_app};

async fn anonymize(app: &TestApp, token: &str, query: &str, bytes: Vec<u8>) -> crate::helpers::Reply {
    app.send(
        app.request(reqwest::Method::POST, &format!("/api/v1/photos{query}"), Some(token))
            .header("content-type", "image/jpeg")
            .body(bytes),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_anonymizes_a_photo_stores_only_the_result_and_suggests_its_gps_position() {
    let app = spawn_app().await;
    let device = app.device().await;
    let raw = jpeg_with_gps_exif();
    let photo = anonymize(&app, &device.token, "", raw.clone()).await.expect(201);
    let hash = photo["hash"].as_str().expect("hash").to_owned();
    let location = &photo["suggested_location"];
    assert!(
        (location["lat"].as_f64().expect("lat") - 54.7816).abs() < 1e-4,
        "{photo}"
    );
    assert!(
        (location["lon"].as_f64().expect("lon") - 9.4366).abs() < 1e-4,
        "{photo}"
    );
    assert!(photo["source_width"].as_u64().is_some_and(|w| w > 0));

    // The uploader reads the result back for review; nobody else can.
    let stored = app.get(&format!("/api/v1/blobs/{hash}"), Some(&device.token)).await;
    assert_eq!(stored.status.as_u16(), 200);
    assert_eq!(sha256_hex(&stored.bytes), hash);
    let markers = jpeg_markers(&stored.bytes);
    assert!(
        !markers.contains(&0xe1) && !markers.contains(&0xfe),
        "no EXIF, no comment: {markers:x?}"
    );
    let stranger = app.device().await;
    assert_eq!(
        app.get(&format!("/api/v1/blobs/{hash}"), Some(&stranger.token))
            .await
            .status
            .as_u16(),
        404
    );
    // The raw upload is nowhere.
    assert_eq!(
        app.head(&format!("/api/v1/blobs/{}", sha256_hex(&raw)), Some(&device.token))
            .await
            .status
            .as_u16(),
        404
    );
    for file in app.stored_blob_files() {
        assert_ne!(std::fs::read(&file).expect("read"), raw);
    }

    // A missed spot, marked by the user: blurred too, reported as manual.
    let again = anonymize(&app, &device.token, "?blur=2,2,20,20", raw).await.expect(201);
    assert!(
        again["blurred"]
            .as_array()
            .is_some_and(|b| b.iter().any(|b| b["kind"] == "manual")),
        "{again}"
    );
    assert_ne!(again["hash"], photo["hash"]);

    // The result goes into a report like any uploaded photo.
    let mut r = pothole();
    r["photos"] = json!([hash]);
    app.submit_ok(&device, &r).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_photos_get_clear_errors_and_nothing_is_stored() {
    let app = spawn_app().await;
    let device = app.device().await;
    anonymize(&app, &device.token, "", b"kein Bild".to_vec())
        .await
        .expect_error(415, "unsupported_media_type");
    anonymize(&app, &device.token, "", Vec::new())
        .await
        .expect_error(415, "unsupported_media_type");
    anonymize(&app, &device.token, "?blur=5,5,1,1", jpeg_with_gps_exif())
        .await
        .expect_field_error("blur", "invalid_box");
    let unauthenticated = app
        .send(
            app.request(reqwest::Method::POST, "/api/v1/photos", None)
                .header("content-type", "image/jpeg")
                .body(jpeg_with_gps_exif()),
        )
        .await;
    unauthenticated.expect_error(401, "unauthorized");
    assert!(app.stored_blob_files().is_empty());
}
