//! The server strips metadata from uploaded photos: a real JPEG with an EXIF APP1 segment
//! carrying GPS tags is stored without it (and a PNG without its text chunks), while the
//! pixels stay exactly as they were.

use std::io::Cursor;

use image::ImageDecoder;
use serde_json::json;

use crate::helpers::{FLENSBURG, id_of, pothole, sha256_hex, spawn_app};

/// Text in the GPS IFD that must not survive.
const GPS_DATUM: &[u8] = b"WGS-84 AUGENMERK-GPS\0";

/// A 64 × 48 JPEG from the image crate.
fn plain_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, ((x + y) * 2) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .expect("encode JPEG");
    out
}

/// A big-endian TIFF structure with IFD0 → GPS IFD: N 54°46'53.76", E 9°26'11.76", datum.
fn exif_tiff_with_gps() -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend(tag.to_be_bytes());
        out.extend(kind.to_be_bytes());
        out.extend(count.to_be_bytes());
        out.extend(value);
    }
    const ASCII: u16 = 2;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    const BYTE: u16 = 1;
    let gps_ifd: u32 = 8 + 2 + 12 + 4;
    let gps_entries: u32 = 6;
    let data = gps_ifd + 2 + gps_entries * 12 + 4;
    let (lat_at, lon_at) = (data, data + 24);
    let datum_at = data + 48;

    let mut t = Vec::new();
    t.extend(b"MM\0\x2a");
    t.extend(8u32.to_be_bytes());
    // IFD0: one entry, the pointer to the GPS IFD.
    t.extend(1u16.to_be_bytes());
    entry(&mut t, 0x8825, LONG, 1, gps_ifd.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    // GPS IFD.
    assert_eq!(t.len() as u32, gps_ifd);
    t.extend((gps_entries as u16).to_be_bytes());
    entry(&mut t, 0x0000, BYTE, 4, [2, 3, 0, 0]);
    entry(&mut t, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, RATIONAL, 3, lat_at.to_be_bytes());
    entry(&mut t, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, RATIONAL, 3, lon_at.to_be_bytes());
    entry(&mut t, 0x0012, ASCII, GPS_DATUM.len() as u32, datum_at.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    assert_eq!(t.len() as u32, data);
    for (num, den) in [(54u32, 1u32), (46, 1), (5376, 100), (9, 1), (26, 1), (1176, 100)] {
        t.extend(num.to_be_bytes());
        t.extend(den.to_be_bytes());
    }
    t.extend(GPS_DATUM);
    t
}

/// A JPEG segment: marker, length, contents.
fn segment(marker: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![0xff, marker];
    out.extend(u16::try_from(2 + contents.len()).expect("fits").to_be_bytes());
    out.extend(contents);
    out
}

/// The JPEG with an APP1 `Exif` segment (with GPS) and a comment right after SOI.
pub(crate) fn jpeg_with_gps_exif() -> Vec<u8> {
    let jpeg = plain_jpeg();
    assert_eq!(&jpeg[..2], [0xff, 0xd8]);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(exif_tiff_with_gps());
    let mut out = jpeg[..2].to_vec();
    out.extend(segment(0xe1, &exif));
    out.extend(segment(0xfe, COMMENT));
    out.extend(&jpeg[2..]);
    out
}

/// A JPEG comment (COM) that must not survive either.
const COMMENT: &[u8] = b"Aufgenommen von Max Mustermann, Handy Pixel 7";

/// The markers of the segments before the image data (SOS).
pub(crate) fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut i = 2;
    while i + 4 <= bytes.len() && bytes[i] == 0xff {
        let marker = bytes[i + 1];
        markers.push(marker);
        if marker == 0xda {
            break;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        i += 2 + len;
    }
    markers
}

fn exif_of(jpeg: &[u8]) -> Option<Vec<u8>> {
    let mut decoder = image::codecs::jpeg::JpegDecoder::new(Cursor::new(jpeg)).expect("a JPEG");
    decoder.exif_metadata().expect("metadata readable")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn uploaded_jpeg_is_stored_without_exif_gps_and_its_pixels_unchanged() {
    let original = jpeg_with_gps_exif();
    // The upload really carries EXIF with GPS, as a decoder sees it.
    let exif = exif_of(&original).expect("the upload has EXIF");
    assert!(contains(&exif, GPS_DATUM));
    assert!(jpeg_markers(&original).contains(&0xe1));
    assert!(jpeg_markers(&original).contains(&0xfe));
    let hash = sha256_hex(&original);

    let app = spawn_app().await;
    let device = app.device().await;
    app.put_blob(&device.token, &hash, original.clone()).await.expect(201);
    let mut r = pothole();
    r["photos"] = json!([hash]);
    app.submit_ok(&device, &r).await;
    let staff = app.login(FLENSBURG, "dispatcher").await;

    let from_device = app.get(&format!("/api/v1/blobs/{hash}"), Some(&device.token)).await;
    let from_staff = app.get(&format!("/api/v1/blobs/{hash}"), Some(&staff.token)).await;
    for reply in [&from_device, &from_staff] {
        assert_eq!(reply.status.as_u16(), 200);
        assert_eq!(reply.headers["content-type"], "image/jpeg");
    }
    assert_eq!(from_device.bytes, from_staff.bytes);
    let stored = &from_device.bytes;

    assert!(
        !jpeg_markers(stored).contains(&0xe1),
        "no APP1: {:x?}",
        jpeg_markers(stored)
    );
    assert!(!contains(stored, b"Exif\0\0"), "no EXIF header anywhere");
    assert!(!contains(stored, GPS_DATUM), "no GPS text anywhere");
    assert!(!jpeg_markers(stored).contains(&0xfe), "no comment segment");
    assert!(!contains(stored, COMMENT));
    assert_eq!(exif_of(stored), None, "a decoder finds no EXIF");
    assert!(stored.len() < original.len());
    // The photo keeps its address (the hash of what the device sent).
    assert_ne!(sha256_hex(stored), hash);
    assert_eq!(app.detail(&staff, &id_of(&r)).await["report"]["photos"], json!([hash]));

    // Same pixels: only metadata was removed, the image data is untouched.
    let before = image::load_from_memory(&original).expect("decode original").to_rgb8();
    let after = image::load_from_memory(stored).expect("stored bytes decode").to_rgb8();
    assert_eq!(after.dimensions(), (64, 48));
    assert_eq!(after, before);

    // And the bytes on disk are the stripped ones.
    let files = app.stored_blob_files();
    assert_eq!(files.len(), 1);
    assert_eq!(&std::fs::read(&files[0]).expect("stored file"), stored);
}

#[tokio::test]
async fn uploaded_png_is_stored_without_text_chunks() {
    let plain = crate::helpers::png(20, 10);
    let with_text = crate::helpers::png_with_chunk(&plain, *b"tEXt", b"GPSPosition\x0054.7816 N, 9.4366 E");
    let hash = sha256_hex(&with_text);
    let app = spawn_app().await;
    let device = app.device().await;
    app.put_blob(&device.token, &hash, with_text.clone()).await.expect(201);
    let files = app.stored_blob_files();
    let stored = std::fs::read(&files[0]).expect("stored file");
    assert!(!contains(&stored, b"tEXt"));
    assert!(!contains(&stored, b"54.7816"));
    assert_eq!(stored, plain, "exactly the PNG without the chunk");
    let decoded = image::load_from_memory(&stored).expect("decodes").to_rgb8();
    assert_eq!(decoded, image::load_from_memory(&plain).expect("decodes").to_rgb8());
}

#[tokio::test]
async fn jpeg_without_metadata_is_stored_byte_for_byte() {
    let jpeg = plain_jpeg();
    let hash = sha256_hex(&jpeg);
    let app = spawn_app().await;
    let device = app.device().await;
    app.put_blob(&device.token, &hash, jpeg.clone()).await.expect(201);
    let files = app.stored_blob_files();
    assert_eq!(std::fs::read(&files[0]).expect("stored"), jpeg);
}

/// A lossless WebP in the extended format (VP8X) with an EXIF chunk carrying GPS.
fn webp_with_gps_exif() -> (Vec<u8>, image::RgbaImage) {
    let img = image::RgbaImage::from_fn(32, 24, |x, y| image::Rgba([(x * 8) as u8, (y * 10) as u8, 200, 255]));
    let mut simple = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut simple)
        .encode(img.as_raw(), 32, 24, image::ExtendedColorType::Rgba8)
        .expect("encode WebP");
    assert_eq!(&simple[12..16], b"VP8L", "the encoder writes the simple format");
    let vp8l = &simple[12..];

    fn chunk(fourcc: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = fourcc.to_vec();
        out.extend(u32::try_from(data.len()).expect("fits").to_le_bytes());
        out.extend(data);
        if data.len() % 2 == 1 {
            out.push(0);
        }
        out
    }
    let mut vp8x = vec![0x08, 0, 0, 0]; // flags: EXIF present
    vp8x.extend(&(32u32 - 1).to_le_bytes()[..3]);
    vp8x.extend(&(24u32 - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend(chunk(b"VP8X", &vp8x));
    body.extend(vp8l);
    body.extend(chunk(b"EXIF", &exif_tiff_with_gps()));
    let mut out = b"RIFF".to_vec();
    out.extend(u32::try_from(body.len()).expect("fits").to_le_bytes());
    out.extend(body);
    (out, img)
}

#[tokio::test]
async fn uploaded_webp_is_stored_without_its_exif_chunk() {
    let (original, pixels) = webp_with_gps_exif();
    assert_eq!(
        image::load_from_memory(&original)
            .expect("the upload is a valid WebP")
            .to_rgba8(),
        pixels
    );
    assert!(contains(&original, GPS_DATUM));
    let hash = sha256_hex(&original);
    let app = spawn_app().await;
    let device = app.device().await;
    app.put_blob(&device.token, &hash, original).await.expect(201);
    let files = app.stored_blob_files();
    let stored = std::fs::read(&files[0]).expect("stored file");
    assert!(!contains(&stored, b"EXIF"), "no EXIF chunk");
    assert!(!contains(&stored, GPS_DATUM), "no GPS text anywhere");
    assert_eq!(
        image::load_from_memory(&stored)
            .expect("stored bytes decode")
            .to_rgba8(),
        pixels
    );
}
