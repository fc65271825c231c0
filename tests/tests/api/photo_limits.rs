//! Photos under attack (issue 25): server-side anonymization bounded in queue, time and
//! pixels; uploads checked for what they contain and bounded per device; a photo's hash
//! is no capability; follows bounded.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{
    FLENSBURG, KIEL, MUERWIK, SUEDERMARKT, TestApp, png, png_claiming, png_with_chunk, pothole, sha256_hex, spawn_app,
    spawn_app_with,
};

async fn anonymize(app: &TestApp, token: &str, bytes: Vec<u8>) -> crate::helpers::Reply {
    app.send(
        app.request(reqwest::Method::POST, "/api/v1/photos", Some(token))
            .header("content-type", "image/png")
            .body(bytes),
    )
    .await
}

/// A white PNG, cheap to make and small on the wire, expensive to anonymize.
fn white_png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb([255, 255, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("encode PNG");
    out.into_inner()
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 3) as u8, (y * 5) as u8, 77]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .expect("encode JPEG");
    out
}

async fn follow(app: &TestApp, token: &str, id: &str) -> crate::helpers::Reply {
    app.send(app.request(
        reqwest::Method::PUT,
        &format!("/api/v1/reports/{id}/follow"),
        Some(token),
    ))
    .await
}

fn with_photo(photo: &str) -> Value {
    let mut r = pothole();
    r["photos"] = json!([photo]);
    r
}

#[tokio::test(flavor = "multi_thread")]
async fn an_image_over_the_anonymization_pixel_limit_is_refused_from_its_header() {
    let app = spawn_app().await;
    let device = app.device().await;
    // 25 MP: within the upload limit (50 MP), over the one for server-side anonymization.
    let started = Instant::now();
    anonymize(&app, &device.token, png_claiming(5000, 5000))
        .await
        .expect_error(413, "image_too_large");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread")]
async fn when_the_queue_is_full_the_server_answers_503_at_once() {
    let app = spawn_app_with(|s| {
        s.photos.anonymize_concurrent = 1;
        s.photos.anonymize_queue = 0;
    })
    .await;
    let app = std::sync::Arc::new(app);
    let device = app.device().await;
    // The first photo loads the models and runs for a while, holding the only place.
    let big = white_png(3000, 2000);
    let first = {
        let (app, token) = (app.clone(), device.token.clone());
        tokio::spawn(async move { anonymize(&app, &token, big).await })
    };
    // On a loaded machine the first request may not hold the place yet: a small photo
    // that still gets it is simply done (201), and the next try comes a moment later.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (busy, waited) = loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = Instant::now();
        let reply = anonymize(&app, &device.token, jpeg(64, 48)).await;
        let waited = started.elapsed();
        if reply.status.as_u16() != 201 || Instant::now() > deadline {
            break (reply, waited);
        }
    };
    let body = busy.expect_error(503, "server_busy");
    assert!(busy.headers.get("retry-after").is_some(), "{body}");
    assert_eq!(body["context"]["reason"], "queue_full");
    // At once: not after the first photo (many seconds) is done.
    assert!(
        waited < Duration::from_secs(3),
        "answered at once, not after waiting: {waited:?}"
    );
    first.await.expect("first request").expect(201);
    // The place is free again.
    anonymize(&app, &device.token, jpeg(64, 48)).await.expect(201);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_time_budget_stops_the_anonymizer_itself() {
    let app = spawn_app_with(|s| {
        s.photos.anonymize_concurrent = 1;
        s.photos.anonymize_queue = 1;
        s.photos.anonymize_seconds = 2;
    })
    .await;
    let device = app.device().await;
    let started = Instant::now();
    let reply = anonymize(&app, &device.token, white_png(4800, 4800)).await;
    let took = started.elapsed();
    let body = reply.expect_error(503, "server_busy");
    assert!(reply.headers.get("retry-after").is_some(), "{body}");
    assert_eq!(body["context"]["reason"], "time_budget");
    // The answer comes when the worker has stopped (it holds the only place until then):
    // soon after the budget, not after the whole 23 MP photo (about 24 s here unloaded;
    // the bound leaves room for a loaded CI machine).
    assert!(took < Duration::from_secs(15), "stopped after {took:?}");
    eprintln!("23 MP photo with a 2 s budget answered after {took:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_is_stored_as_an_image_and_nothing_else() {
    let app = spawn_app().await;
    let device = app.device().await;

    // A PNG carrying 2 MB in a private chunk: stored without it.
    let payload = vec![0x5a; 2 * 1024 * 1024];
    let smuggler = png_with_chunk(&png(40, 30), *b"prVt", &payload);
    let hash = sha256_hex(&smuggler);
    app.put_blob(&device.token, &hash, smuggler).await.expect(201);
    let stored = app.get(&format!("/api/v1/blobs/{hash}"), Some(&device.token)).await;
    assert_eq!(stored.status.as_u16(), 200);
    assert!(stored.bytes.len() < 64 * 1024, "{} bytes stored", stored.bytes.len());
    assert!(!stored.bytes.windows(4).any(|w| w == b"prVt"));
    let decoded = image::load_from_memory(&stored.bytes).expect("still an image");
    assert_eq!((decoded.width(), decoded.height()), (40, 30));

    // A JPEG with a private application segment and bytes after its end: both dropped,
    // the image data kept byte for byte (no second lossy encoding).
    let clean = jpeg(48, 32);
    let mut dirty = clean[..2].to_vec();
    let secret = b"private payload in APP9";
    dirty.extend([0xff, 0xe9]);
    dirty.extend(u16::try_from(secret.len() + 2).expect("short").to_be_bytes());
    dirty.extend(secret);
    dirty.extend(&clean[2..]);
    dirty.extend(vec![0x42; 100_000]);
    let hash = sha256_hex(&dirty);
    app.put_blob(&device.token, &hash, dirty).await.expect(201);
    let stored = app.get(&format!("/api/v1/blobs/{hash}"), Some(&device.token)).await;
    assert!(!stored.bytes.windows(secret.len()).any(|w| w == secret));
    assert!(stored.bytes == clean, "the encoder's JPEG, byte for byte");

    // A valid header followed by garbage is not an image.
    let mut broken = png(40, 30);
    let keep = broken.len() / 2;
    broken.truncate(keep);
    broken.extend(vec![7u8; 4000]);
    app.put_blob(&device.token, &sha256_hex(&broken), broken)
        .await
        .expect_error(415, "unsupported_media_type");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_has_a_daily_photo_quota() {
    let app = spawn_app_with(|s| s.photos.per_device_per_day = 2).await;
    let device = app.device().await;
    let photos: Vec<Vec<u8>> = (0..3).map(|i| png(10 + i, 10)).collect();
    for p in &photos[..2] {
        app.put_blob(&device.token, &sha256_hex(p), p.clone()).await.expect(201);
    }
    let over = app
        .put_blob(&device.token, &sha256_hex(&photos[2]), photos[2].clone())
        .await;
    let body = over.expect_error(429, "quota_exceeded");
    let retry: u64 = over
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("retry-after");
    assert!(retry > 23 * 3600 && retry <= 24 * 3600, "{retry} {body}");
    // Uploading one of its own photos again costs nothing; server-side anonymization
    // counts too; another device has its own quota.
    app.put_blob(&device.token, &sha256_hex(&photos[0]), photos[0].clone())
        .await
        .expect(200);
    anonymize(&app, &device.token, jpeg(32, 24))
        .await
        .expect_error(429, "quota_exceeded");
    let other = app.device().await;
    app.put_blob(&other.token, &sha256_hex(&photos[2]), photos[2].clone())
        .await
        .expect(201);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_photo_hash_is_no_capability() {
    let app = spawn_app().await;
    let owner = app.device().await;
    let photo = png(33, 22);
    let hash = sha256_hex(&photo);
    app.put_blob(&owner.token, &hash, photo.clone()).await.expect(201);
    app.submit_ok(&owner, &with_photo(&hash)).await;

    // Another device knows the hash, not the photo: it neither learns that it is stored,
    // nor may it download or attach it.
    let other = app.device().await;
    let path = format!("/api/v1/blobs/{hash}");
    assert_eq!(app.head(&path, Some(&other.token)).await.status.as_u16(), 404);
    assert_eq!(app.get(&path, Some(&other.token)).await.status.as_u16(), 404);
    let refused = app.submit(&other, &with_photo(&hash)).await;
    let body = refused.expect_error(422, "unknown_blob");
    assert_eq!(body["context"]["missing"][0], hash.as_str());
    // Claiming it with other bytes does not work either.
    app.put_blob(&other.token, &hash, png(5, 5))
        .await
        .expect_error(400, "hash_mismatch");
    assert_eq!(app.head(&path, Some(&other.token)).await.status.as_u16(), 404);
    // Sending the bytes proves possession (the client's unknown_blob recovery).
    app.put_blob(&other.token, &hash, photo).await.expect(200);
    assert_eq!(app.head(&path, Some(&other.token)).await.status.as_u16(), 200);
    app.submit_ok(&other, &with_photo(&hash)).await;

    // Staff: Kiel cannot attach (or see) a photo uploaded by Flensburg's staff.
    let flensburg = app.login(FLENSBURG, "field").await;
    let field_photo = png(21, 13);
    let field_hash = sha256_hex(&field_photo);
    app.put_blob(&flensburg.token, &field_hash, field_photo)
        .await
        .expect(201);
    let kiel = app.login(KIEL, "dispatcher").await;
    let field_path = format!("/api/v1/blobs/{field_hash}");
    assert_eq!(app.head(&field_path, Some(&kiel.token)).await.status.as_u16(), 404);
    assert_eq!(app.head(&field_path, Some(&flensburg.token)).await.status.as_u16(), 200);
    let mut kiel_report = pothole();
    kiel_report["location"] = json!({ "lat": crate::helpers::KIEL_RATHAUS.0, "lon": crate::helpers::KIEL_RATHAUS.1 });
    let kiel_citizen = app.device().await;
    let kiel_id = crate::helpers::id_of(&app.submit_ok(&kiel_citizen, &kiel_report).await);
    app.transition(&kiel, &kiel_id, &json!({ "to": "in_progress", "photos": [field_hash] }))
        .await
        .expect_error(422, "unknown_blob");
}

#[tokio::test(flavor = "multi_thread")]
async fn follows_are_bounded_per_device() {
    let app = spawn_app_with(|s| s.max_follows_per_device = 2).await;
    let reporter = app.device().await;
    let mut ids = Vec::new();
    for (i, place) in [SUEDERMARKT, MUERWIK, SUEDERMARKT].iter().enumerate() {
        let mut r = pothole();
        r["location"] = json!({ "lat": place.0 + i as f64 * 1e-4, "lon": place.1 });
        ids.push(crate::helpers::id_of(&app.submit_ok(&reporter, &r).await));
    }
    let follower = app.device().await;
    for id in &ids[..2] {
        follow(&app, &follower.token, id).await.expect(201);
    }
    // Following one of them again is fine; a third is not.
    follow(&app, &follower.token, &ids[0]).await.expect(200);
    let body = app
        .put(
            &format!("/api/v1/reports/{}/follow", ids[2]),
            Some(&follower.token),
            &json!(null),
        )
        .await
        .expect_error(409, "follow_limit_reached");
    assert_eq!(body["context"]["max_follows"], 2);
    // Unfollowing makes room.
    let unfollow = app
        .send(app.request(
            reqwest::Method::DELETE,
            &format!("/api/v1/reports/{}/follow", ids[0]),
            Some(&follower.token),
        ))
        .await;
    assert_eq!(unfollow.status.as_u16(), 204);
    follow(&app, &follower.token, &ids[2]).await.expect(201);

    // The device's list holds its own reports only, the most recently changed first.
    let own = app.get("/api/v1/reports", Some(&follower.token)).await.expect(200);
    assert_eq!(own, json!([]));
    let mine = app.get("/api/v1/reports", Some(&reporter.token)).await.expect(200);
    let listed: Vec<&str> = mine
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(listed, vec![ids[2].as_str(), ids[1].as_str(), ids[0].as_str()]);
}
