//! Photos through Open311: a multipart `media` upload and an opt-in `media_url` from an
//! allow-listed host are anonymized on the server before anything is stored; other
//! `media_url`s are not fetched. And the per-key rate limit.

use reqwest::multipart::{Form, Part};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::exif::{jpeg_markers, jpeg_with_gps_exif};
use crate::helpers::{FLENSBURG, MUERWIK, TestApp, sha256_hex, spawn_app, spawn_app_with};

fn fields(key: &str) -> Vec<(String, String)> {
    [
        ("api_key", key),
        ("service_code", "schlagloch"),
        ("lat", &MUERWIK.0.to_string()),
        ("long", &MUERWIK.1.to_string()),
        ("attribute[gefahr_akut]", "false"),
        ("description", "Mit Foto"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The stored photos of a report, as staff downloads them.
async fn stored_photos(app: &TestApp, id: &str) -> Vec<Vec<u8>> {
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let detail = app.detail(&staff, id).await;
    let mut out = Vec::new();
    for h in detail["report"]["photos"].as_array().cloned().unwrap_or_default() {
        let hash = h.as_str().expect("hash");
        let reply = app.get(&format!("/api/v1/blobs/{hash}"), Some(&staff.token)).await;
        assert_eq!(reply.status.as_u16(), 200);
        assert_eq!(sha256_hex(&reply.bytes), hash);
        out.push(reply.bytes);
    }
    out
}

fn assert_anonymized_jpeg(photo: &[u8], raw: &[u8]) {
    assert_eq!(&photo[..2], [0xff, 0xd8], "a JPEG");
    let markers = jpeg_markers(photo);
    assert!(
        !markers.contains(&0xe1) && !markers.contains(&0xfe) && !markers.contains(&0xed),
        "{markers:x?}"
    );
    assert_ne!(photo, raw, "not the raw upload");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_multipart_media_upload_is_anonymized_before_it_is_stored() {
    let app = spawn_app().await;
    let key = app.open311_key(FLENSBURG, &[]).await;
    let raw = jpeg_with_gps_exif();
    let mut form = Form::new();
    for (k, v) in fields(&key) {
        form = form.text(k, v);
    }
    form = form.part(
        "media",
        Part::bytes(raw.clone())
            .file_name("foto.jpg")
            .mime_str("image/jpeg")
            .expect("mime"),
    );
    let reply = app
        .send(
            app.request(reqwest::Method::POST, "/open311/v2/requests.json", None)
                .multipart(form),
        )
        .await;
    let body: Value = reply.expect(200);
    let id = body[0]["service_request_id"].as_str().expect("id").to_owned();
    let photos = stored_photos(&app, &id).await;
    assert_eq!(photos.len(), 1);
    assert_anonymized_jpeg(&photos[0], &raw);
    // The raw upload was never written: no stored file has its bytes or its EXIF.
    for file in app.stored_blob_files() {
        let bytes = std::fs::read(&file).expect("read blob");
        assert_ne!(bytes, raw);
        assert!(!jpeg_markers(&bytes).contains(&0xe1), "{}", file.display());
    }
    let head = app
        .head(&format!("/api/v1/blobs/{}", sha256_hex(&raw)), Some(&key))
        .await;
    assert_ne!(head.status.as_u16(), 200);

    // A photo of realistic size (well over the JSON body limit) goes through as well.
    let big = {
        let img = image::RgbImage::from_fn(1600, 1200, |x, y| {
            let n = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) as u8;
            image::Rgb([n, n.wrapping_mul(3), (x ^ y) as u8])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).expect("encode");
        out.into_inner()
    };
    assert!(big.len() > 512 * 1024, "{} bytes", big.len());
    let mut form = Form::new();
    for (k, v) in fields(&key) {
        form = form.text(k, v);
    }
    form = form.part(
        "media",
        Part::bytes(big)
            .file_name("gross.jpg")
            .mime_str("image/jpeg")
            .expect("mime"),
    );
    let body: Value = app
        .send(
            app.request(reqwest::Method::POST, "/open311/v2/requests.json", None)
                .multipart(form),
        )
        .await
        .expect(200);
    let id = body[0]["service_request_id"].as_str().expect("id").to_owned();
    assert_eq!(stored_photos(&app, &id).await.len(), 1);

    // Not an image: a clear 400, nothing stored.
    let mut form = Form::new();
    for (k, v) in fields(&key) {
        form = form.text(k, v);
    }
    form = form.part("media", Part::bytes(b"kein Bild".to_vec()).file_name("x.jpg"));
    let reply = app
        .send(
            app.request(reqwest::Method::POST, "/open311/v2/requests.xml", None)
                .multipart(form),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 400, "{}", reply.text());
    assert!(reply.text().contains("<errors>"));
}

/// Serves `body` with `content_type` to every request on 127.0.0.1; returns the port.
async fn photo_server(body: Vec<u8>, content_type: &'static str) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(&body).await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread")]
async fn a_media_url_is_fetched_only_from_an_allow_listed_host_and_anonymized() {
    let raw = jpeg_with_gps_exif();
    let port = photo_server(raw.clone(), "image/jpeg").await;
    // The photo server runs on loopback, which only this exemption lets through.
    let exempt = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let app = spawn_app_with(|s| s.photos.media_url_exempt = Some(exempt)).await;
    let url = format!("http://127.0.0.1:{port}/foto.jpg");

    // A key without allowed hosts: the report is taken, the URL is not fetched.
    let plain = app.open311_key(FLENSBURG, &[]).await;
    let mut f = fields(&plain);
    f.push(("media_url".into(), url.clone()));
    let body = app
        .send(
            app.request(reqwest::Method::POST, "/open311/v2/requests.json", None)
                .form(&f),
        )
        .await
        .expect(200);
    assert!(
        body[0]["service_notice"]
            .as_str()
            .is_some_and(|n| n.contains("not fetched")),
        "{body}"
    );
    let id = body[0]["service_request_id"].as_str().expect("id").to_owned();
    assert!(stored_photos(&app, &id).await.is_empty());

    // A key that allows the host: fetched, anonymized, attached.
    let trusted = app.open311_key(FLENSBURG, &["127.0.0.1"]).await;
    let mut f = fields(&trusted);
    f.push(("media_url".into(), url));
    let body = app
        .send(
            app.request(reqwest::Method::POST, "/open311/v2/requests.json", None)
                .form(&f),
        )
        .await
        .expect(200);
    let id = body[0]["service_request_id"].as_str().expect("id").to_owned();
    let photos = stored_photos(&app, &id).await;
    assert_eq!(photos.len(), 1);
    assert_anonymized_jpeg(&photos[0], &raw);

    // Not an image type: refused (from an exempted server too).
    let html = photo_server(b"<html>nope</html>".to_vec(), "text/html").await;
    let html_app = spawn_app_with(|s| s.photos.media_url_exempt = Some(([127, 0, 0, 1], html).into())).await;
    let trusted = html_app.open311_key(FLENSBURG, &["127.0.0.1"]).await;
    let mut f = fields(&trusted);
    f.push(("media_url".into(), format!("http://127.0.0.1:{html}/x")));
    let reply = html_app
        .send(
            html_app
                .request(reqwest::Method::POST, "/open311/v2/requests.json", None)
                .form(&f),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 400, "{}", reply.text());
    assert_eq!(reply.json()[0]["description"], MEDIA_FETCH_FAILED);
}

/// What every refused or failed `media_url` is answered with.
const MEDIA_FETCH_FAILED: &str = "media_url could not be fetched as a JPEG, PNG or WebP photo";

#[tokio::test(flavor = "multi_thread")]
async fn a_media_url_cannot_probe_the_servers_network() {
    let photo_port = photo_server(jpeg_with_gps_exif(), "image/jpeg").await;
    let json_port = photo_server(b"{\"status\":\"ok\"}".to_vec(), "application/json").await;
    let app = spawn_app().await;
    let own_port = app.address.rsplit(':').next().expect("port").to_owned();
    let key = app
        .open311_key(FLENSBURG, &["127.0.0.1", "localhost", "10.0.0.1", "169.254.169.254"])
        .await;
    // Loopback (by address and by name), private and link-local targets, any
    // port, services that answer and ports where nothing listens: one and the same answer.
    let targets = [
        format!("http://127.0.0.1:{photo_port}/foto.jpg"),
        format!("http://127.0.0.1:{json_port}/status"),
        format!("http://localhost:{photo_port}/foto.jpg"),
        format!("http://127.0.0.1:{own_port}/healthz"),
        "http://127.0.0.1:22/".to_owned(),
        "http://127.0.0.1/".to_owned(),
        "https://127.0.0.1/".to_owned(),
        "http://10.0.0.1/".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
    ];
    for url in targets {
        let mut f = fields(&key);
        f.push(("media_url".into(), url.clone()));
        let reply = app
            .send(
                app.request(reqwest::Method::POST, "/open311/v2/requests.json", None)
                    .form(&f),
            )
            .await;
        assert_eq!(reply.status.as_u16(), 400, "{url}: {}", reply.text());
        assert_eq!(reply.json()[0]["description"], MEDIA_FETCH_FAILED, "{url}");
    }
    // The exemption is one address and port: its neighbours stay refused.
    let exempt_app = spawn_app_with(|s| s.photos.media_url_exempt = Some(([127, 0, 0, 1], photo_port).into())).await;
    let key = exempt_app.open311_key(FLENSBURG, &["127.0.0.1"]).await;
    let mut f = fields(&key);
    f.push(("media_url".into(), format!("http://127.0.0.1:{json_port}/status")));
    let reply = exempt_app
        .send(
            exempt_app
                .request(reqwest::Method::POST, "/open311/v2/requests.json", None)
                .form(&f),
        )
        .await;
    assert_eq!(reply.json()[0]["description"], MEDIA_FETCH_FAILED);
}

#[tokio::test]
async fn posting_is_rate_limited_per_key() {
    let app = spawn_app_with(|s| s.open311_posts_per_minute = 2).await;
    let key = app.open311_key(FLENSBURG, &[]).await;
    let other = app.open311_key(FLENSBURG, &[]).await;
    for _ in 0..2 {
        app.send(
            app.request(reqwest::Method::POST, "/open311/v2/requests.json", None)
                .form(&fields(&key)),
        )
        .await
        .expect(200);
    }
    let limited = app
        .send(
            app.request(reqwest::Method::POST, "/open311/v2/requests.json", None)
                .form(&fields(&key)),
        )
        .await;
    assert_eq!(limited.status.as_u16(), 429, "{}", limited.text());
    assert!(limited.headers.get("retry-after").is_some());
    assert_eq!(limited.json()[0]["code"], 429);
    // Another key is not affected.
    app.send(
        app.request(reqwest::Method::POST, "/open311/v2/requests.json", None)
            .form(&fields(&other)),
    )
    .await
    .expect(200);
}
