//! The output carries no metadata at all, the GPS position is handed back to
//! the caller instead, and every EXIF orientation 1–8 is applied to the pixels.

use augenmerk_anon::{Options, decode::decode};
use image::metadata::Orientation;
use image::{DynamicImage, Rgb, RgbImage};
use img_parts::Bytes;
use img_parts::jpeg::Jpeg;

use crate::anonymizer;
use crate::exif_build::{GPS_LAT, GPS_LON, exif_tiff, jpeg_with_exif};

/// Asserts that a JPEG has no APPn/COM segment and no EXIF, XMP or IPTC payload.
fn assert_no_metadata(jpeg: &[u8]) {
    let parsed = Jpeg::from_bytes(Bytes::copy_from_slice(jpeg)).expect("output is a JPEG");
    for seg in parsed.segments() {
        let m = seg.marker();
        assert!(
            !(0xE0..=0xEF).contains(&m) && m != 0xFE,
            "output has an APP{}/COM segment (marker {m:#04x})",
            m.wrapping_sub(0xE0)
        );
    }
    let has = |needle: &[u8]| jpeg.windows(needle.len()).any(|w| w == needle);
    assert!(!has(b"Exif\0\0"), "EXIF header in output");
    assert!(!has(b"http://ns.adobe.com/xap/1.0/"), "XMP in output");
    assert!(!has(b"Photoshop 3.0"), "IPTC in output");
    assert!(!has(b"JFIF\0"), "JFIF header (with its thumbnail fields) in output");
    let exif = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(jpeg));
    assert!(
        matches!(exif, Err(exif::Error::NotFound(_))),
        "EXIF readable from output: {:?}",
        exif.err()
    );
}

fn pattern(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| match (x < w / 2, y < h / 2) {
        (true, true) => Rgb([230, 20, 20]),
        (false, true) => Rgb([20, 200, 20]),
        (true, false) => Rgb([20, 20, 230]),
        (false, false) => Rgb([240, 240, 240]),
    })
}

#[test]
fn output_has_no_metadata_and_gps_is_returned() {
    let jpeg = jpeg_with_exif(&pattern(320, 240), exif_tiff(1, true));
    let done = anonymizer()
        .anonymize(&jpeg, &[], &Options::default())
        .expect("anonymize");
    assert_no_metadata(&done.jpeg);
    let gps = done.gps.expect("GPS found in the input");
    assert!((gps.latitude - GPS_LAT).abs() < 1e-9, "latitude {}", gps.latitude);
    assert!((gps.longitude - GPS_LON).abs() < 1e-9, "longitude {}", gps.longitude);
    assert_eq!(gps.altitude, Some(34.5));
    assert_eq!(gps.accuracy, Some(4.0));
    assert_eq!(gps.timestamp.as_deref(), Some("2026-05-17T10:20:30Z"));
}

#[test]
fn every_exif_orientation_is_applied() {
    let upright = pattern(96, 48);
    for o in 1u8..=8 {
        // The stored pixels are the upright picture with the inverse
        // transform applied; 6 and 8 are each other's inverse, the rest are
        // their own.
        let inverse = match o {
            6 => 8,
            8 => 6,
            other => other,
        };
        let mut stored = DynamicImage::ImageRgb8(upright.clone());
        stored.apply_orientation(Orientation::from_exif(inverse).expect("valid orientation"));
        let jpeg = jpeg_with_exif(&stored.to_rgb8(), exif_tiff(u16::from(o), false));

        let decoded = decode(&jpeg, &Default::default()).expect("decode");
        assert_eq!(decoded.orientation, o);
        let done = anonymizer()
            .anonymize(&jpeg, &[], &Options::default())
            .expect("anonymize");
        assert_no_metadata(&done.jpeg);
        let out = image::load_from_memory(&done.jpeg).expect("output decodes").to_rgb8();
        assert_eq!(out.dimensions(), (96, 48), "orientation {o}: wrong size");
        for (x, y) in [(24, 12), (72, 12), (24, 36), (72, 36)] {
            let (want, got) = (upright.get_pixel(x, y).0, out.get_pixel(x, y).0);
            let close = want
                .iter()
                .zip(got)
                .all(|(a, b)| (i32::from(*a) - i32::from(b)).abs() < 60);
            assert!(close, "orientation {o}: pixel ({x},{y}) is {got:?}, want {want:?}");
        }
    }
}

#[test]
fn png_and_webp_inputs_are_decoded() {
    let img = pattern(64, 32);
    for format in [image::ImageFormat::Png, image::ImageFormat::WebP] {
        let mut bytes = std::io::Cursor::new(Vec::new());
        img.write_to(&mut bytes, format).expect("encode");
        let d = decode(bytes.get_ref(), &Default::default()).expect("decode");
        assert_eq!(d.image.dimensions(), (64, 32), "{format:?}");
    }
}
