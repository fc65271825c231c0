//! Bad input is answered with the right status and error code, and changes nothing:
//! malformed or oversized JSON, photos that are no images, do not match their address or
//! are too large, and too many wrong passwords.

use serde_json::json;

use crate::helpers::{
    FLENSBURG, PASSWORD, TestApp, id_of, png, png_claiming, pothole, sha256_hex, spawn_app, spawn_app_with,
};

/// No photo stored, neither on disk nor in the database.
async fn assert_no_blob(app: &TestApp, token: &str, hash: &str) {
    app.head(&format!("/api/v1/blobs/{hash}"), Some(token))
        .await
        .expect(404);
    assert_eq!(app.stored_blob_files(), Vec::<std::path::PathBuf>::new());
}

#[tokio::test]
async fn malformed_json_is_400_malformed_request_and_stores_nothing() {
    let app = spawn_app().await;
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let r = pothole();
    let id = id_of(&r);
    let truncated = &r.to_string()[..40];
    for (body, content_type) in [
        (truncated.to_owned(), "application/json"),
        ("{\"id\": 42}".to_owned(), "application/json"),
        (r.to_string(), "text/plain"),
    ] {
        let reply = app
            .send(
                app.request(reqwest::Method::POST, "/api/v1/reports", Some(&device.token))
                    .header("content-type", content_type)
                    .body(body),
            )
            .await;
        reply.expect_error(400, "malformed_request");
    }
    // Malformed bodies of staff endpoints, too.
    app.submit_ok(&device, &pothole()).await;
    let existing = id_of(&app.get("/api/v1/reports", Some(&device.token)).await.expect(200)[0]);
    let before = app.detail(&staff, &existing).await;
    let reply = app
        .send(
            app.request(
                reqwest::Method::POST,
                &format!("/api/v1/staff/reports/{existing}/transition"),
                Some(&staff.token),
            )
            .header("content-type", "application/json")
            .body("{\"to\": "),
        )
        .await;
    reply.expect_error(400, "malformed_request");
    assert_eq!(app.detail(&staff, &existing).await, before);

    app.get(&format!("/api/v1/reports/{id}"), Some(&device.token))
        .await
        .expect_error(404, "not_found");
    assert_eq!(app.inbox_total(&staff).await, 1);
}

#[tokio::test]
async fn json_body_over_the_limit_is_413_payload_too_large() {
    let app = spawn_app().await;
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let mut r = pothole();
    // 300 KB, over the 256 KiB JSON limit.
    r["description"] = json!("x".repeat(300_000));
    app.submit(&device, &r).await.expect_error(413, "payload_too_large");
    app.get(&format!("/api/v1/reports/{}", id_of(&r)), Some(&device.token))
        .await
        .expect_error(404, "not_found");
    assert_eq!(app.inbox_total(&staff).await, 0);
}

#[tokio::test]
async fn blob_that_is_no_image_is_415_unsupported_media_type() {
    let app = spawn_app().await;
    let device = app.device().await;
    for bytes in [
        b"%PDF-1.7 not a photo".to_vec(),
        b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
        // A GIF is an image, but not one we take.
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec(),
        // A truncated PNG: right magic, no header.
        png(4, 4)[..12].to_vec(),
    ] {
        let hash = sha256_hex(&bytes);
        app.put_blob(&device.token, &hash, bytes)
            .await
            .expect_error(415, "unsupported_media_type");
        assert_no_blob(&app, &device.token, &hash).await;
    }
}

#[tokio::test]
async fn blob_whose_hash_does_not_match_is_400_hash_mismatch() {
    let app = spawn_app().await;
    let device = app.device().await;
    let photo = png(8, 8);
    let wrong = sha256_hex(b"something else");
    app.put_blob(&device.token, &wrong, photo.clone())
        .await
        .expect_error(400, "hash_mismatch");
    assert_no_blob(&app, &device.token, &wrong).await;
    assert_no_blob(&app, &device.token, &sha256_hex(&photo)).await;
}

#[tokio::test]
async fn blob_address_that_is_no_sha256_is_404() {
    let app = spawn_app().await;
    let device = app.device().await;
    let photo = png(8, 8);
    for address in ["abc", "ZZ".repeat(32).as_str(), &format!("{}0", sha256_hex(&photo))] {
        app.put_blob(&device.token, address, photo.clone())
            .await
            .expect_error(404, "not_found");
    }
    assert_eq!(app.stored_blob_files(), Vec::<std::path::PathBuf>::new());
    // Upper-case hex is the same address.
    let hash = sha256_hex(&photo);
    app.put_blob(&device.token, &hash.to_uppercase(), photo)
        .await
        .expect(201);
    app.head(&format!("/api/v1/blobs/{hash}"), Some(&device.token))
        .await
        .expect(200);
}

#[tokio::test]
async fn png_whose_header_claims_100000_by_100000_pixels_is_413_image_too_large() {
    let app = spawn_app().await;
    let device = app.device().await;
    let huge = png_claiming(100_000, 100_000);
    assert!(huge.len() < 200, "the claim is in the header, the file is tiny");
    let hash = sha256_hex(&huge);
    let body = app
        .put_blob(&device.token, &hash, huge)
        .await
        .expect_error(413, "image_too_large");
    assert_eq!(body["context"]["width"], 100_000);
    assert_no_blob(&app, &device.token, &hash).await;
}

#[tokio::test]
async fn blob_over_the_blob_limit_is_413_payload_too_large() {
    let app = spawn_app_with(|s| s.limits.max_blob_bytes = 64 * 1024).await;
    let device = app.device().await;
    // A real PNG of ~190 KB (noise does not compress).
    let noisy = image::RgbImage::from_fn(256, 256, |x, y| {
        let v = x.wrapping_mul(2_654_435_761).wrapping_add(y.wrapping_mul(40_503)) ^ (x * y);
        image::Rgb([v as u8, (v >> 8) as u8, (v >> 16) as u8])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    noisy.write_to(&mut bytes, image::ImageFormat::Png).expect("encode");
    let bytes = bytes.into_inner();
    assert!(bytes.len() > 64 * 1024, "{} bytes", bytes.len());
    let hash = sha256_hex(&bytes);
    app.put_blob(&device.token, &hash, bytes)
        .await
        .expect_error(413, "payload_too_large");
    assert_no_blob(&app, &device.token, &hash).await;
    // Under the limit the same server takes photos.
    let small = png(16, 16);
    app.put_blob(&device.token, &sha256_hex(&small), small)
        .await
        .expect(201);
}

#[tokio::test]
async fn blob_upload_without_a_token_is_401_and_stores_nothing() {
    let app = spawn_app().await;
    let device = app.device().await;
    let photo = png(8, 8);
    let hash = sha256_hex(&photo);
    let reply = app
        .send(
            app.request(reqwest::Method::PUT, &format!("/api/v1/blobs/{hash}"), None)
                .body(photo),
        )
        .await;
    reply.expect_error(401, "unauthorized");
    assert_no_blob(&app, &device.token, &hash).await;
}

#[tokio::test]
async fn too_many_wrong_passwords_are_429_with_retry_after() {
    let app = spawn_app().await;
    let wrong = json!({"municipality": FLENSBURG, "username": "dispatcher", "password": "falsch-falsch"});
    // The default budget: a burst of 10 attempts per address and login name, then one
    // more every 6 s; on a slow machine one or two may have refilled meanwhile.
    let mut refused = 0;
    let limited = loop {
        let reply = app.post("/api/v1/login", None, &wrong).await;
        if reply.status.as_u16() == 429 {
            break reply;
        }
        reply.expect_error(401, "invalid_credentials");
        refused += 1;
        assert!(refused <= 12, "still no limit after {refused} wrong passwords");
    };
    assert!(refused >= 10, "limited after {refused} attempts already");
    limited.expect_error(429, "rate_limited");
    let retry_after: u64 = limited.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after), "Retry-After: {retry_after}");

    // Even the right password is refused until the window passes: no session is made.
    let right = json!({"municipality": FLENSBURG, "username": "dispatcher", "password": PASSWORD});
    let reply = app.post("/api/v1/login", None, &right).await;
    reply.expect_error(429, "rate_limited");
    assert!(reply.headers.contains_key("retry-after"));
    // The limit is per login name: a colleague can still log in.
    app.login(FLENSBURG, "admin").await;
}

#[tokio::test]
async fn wrong_password_and_unknown_user_look_the_same() {
    let app = spawn_app().await;
    let wrong_password = app
        .post(
            "/api/v1/login",
            None,
            &json!({"municipality": FLENSBURG, "username": "dispatcher", "password": "falsch-falsch"}),
        )
        .await
        .expect_error(401, "invalid_credentials");
    let unknown_user = app
        .post(
            "/api/v1/login",
            None,
            &json!({"municipality": FLENSBURG, "username": "niemand", "password": "falsch-falsch"}),
        )
        .await
        .expect_error(401, "invalid_credentials");
    assert_eq!(wrong_password, unknown_user);
}

#[tokio::test]
async fn unknown_routes_and_malformed_ids_are_json_404() {
    let app = spawn_app().await;
    let device = app.device().await;
    app.get("/api/v1/gibtsnicht", None).await.expect_error(404, "not_found");
    app.get("/api/v1/reports/keine-uuid", Some(&device.token))
        .await
        .expect_error(404, "not_found");
    app.get("/api/v1/municipalities/99999999/config", None)
        .await
        .expect_error(404, "not_found");
    app.get("/api/v1/municipalities/abc/config", None)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn malformed_query_parameters_are_400_malformed_request() {
    let app = spawn_app().await;
    let device = app.device().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    app.get("/api/v1/responsibility?lat=abc&lon=9.4", None)
        .await
        .expect_error(400, "malformed_request");
    app.get("/api/v1/responsibility?lat=54.8", None)
        .await
        .expect_error(400, "malformed_request");
    app.get("/api/v1/sync?since=gestern", Some(&device.token))
        .await
        .expect_error(400, "malformed_request");
    app.get("/api/v1/staff/reports?status=erledigt", Some(&staff.token))
        .await
        .expect_field_error("status", "unknown_status");
    app.get("/api/v1/staff/reports?page_size=500", Some(&staff.token))
        .await
        .expect_field_error("page", "out_of_range");
}

#[tokio::test]
async fn device_registration_body_over_the_json_limit_is_413_payload_too_large() {
    // Regression: raw-body endpoints answered axum's plain-text 413, not the JSON error.
    let app = spawn_app().await;
    app.post("/api/v1/devices", None, &json!({"platform": "x".repeat(300_000)}))
        .await
        .expect_error(413, "payload_too_large");
    app.send(
        app.request(reqwest::Method::POST, "/api/v1/devices", None)
            .header("content-type", "application/json")
            .body("{\"platform\": "),
    )
    .await
    .expect_error(400, "malformed_request");
}
