//! Bad input gets a clear error, not a panic and not a huge allocation.

use augenmerk_anon::decode::{DecodeOptions, decode};
use augenmerk_anon::{AnonError, Options};
use image::RgbImage;

use crate::exif_build::jpeg_with_exif;
use crate::synth::Rng;

fn valid_jpeg() -> Vec<u8> {
    let img = RgbImage::from_fn(200, 150, |x, y| image::Rgb([x as u8, y as u8, (x ^ y) as u8]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .expect("encode");
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG whose header claims `w`×`h` pixels, followed by a tiny IDAT.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    png
}

fn err(bytes: &[u8]) -> AnonError {
    match decode(bytes, &DecodeOptions::default()) {
        Ok(d) => panic!("decoded bad input as {}×{}", d.image.width(), d.image.height()),
        Err(e) => {
            assert!(!e.to_string().is_empty());
            e
        }
    }
}

#[test]
fn empty_file() {
    assert!(matches!(err(b""), AnonError::Empty));
}

#[test]
fn truncated_jpeg() {
    let jpeg = valid_jpeg();
    for cut in [3, 20, jpeg.len() / 3, jpeg.len() / 2, jpeg.len() - 2] {
        let e = err(&jpeg[..cut]);
        assert!(
            matches!(e, AnonError::Truncated(_) | AnonError::Decode { .. }),
            "cut at {cut}: {e}"
        );
    }
}

#[test]
fn png_claiming_100000_by_100000_pixels_is_refused_before_allocating() {
    let e = err(&png_claiming(100_000, 100_000));
    assert!(
        matches!(
            e,
            AnonError::TooLarge {
                width: 100_000,
                height: 100_000,
                ..
            }
        ),
        "unexpected error: {e}"
    );
    // Under the side limit but over the pixel limit.
    let e = err(&png_claiming(11_000, 11_000));
    assert!(matches!(e, AnonError::TooLarge { .. }), "unexpected error: {e}");
}

#[test]
fn random_bytes() {
    let mut rng = Rng::new(7);
    for len in [1, 2, 16, 1000, 100_000] {
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next_f32() * 256.0) as u8).collect();
        let e = err(&bytes);
        assert!(matches!(e, AnonError::UnknownFormat), "{len} random bytes: {e}");
    }
    // Random data behind each accepted signature.
    for magic in [&b"\xFF\xD8\xFF\xE0"[..], b"\x89PNG\r\n\x1a\n", b"RIFF\0\0\0\0WEBPVP8 "] {
        let mut bytes = magic.to_vec();
        bytes.extend((0..5000).map(|_| (rng.next_f32() * 256.0) as u8));
        let _ = err(&bytes);
    }
}

#[test]
fn jpeg_with_corrupt_exif_block() {
    let img = RgbImage::new(64, 48);
    // A TIFF header whose first IFD offset points far outside the block.
    let corrupt = b"II\x2a\x00\xff\xff\xff\x7f\x01\x00garbage".to_vec();
    let jpeg = jpeg_with_exif(&img, corrupt);
    let e = err(&jpeg);
    assert!(matches!(e, AnonError::CorruptExif(_)), "unexpected error: {e}");
    assert!(e.to_string().contains("EXIF"));
    // The lenient option treats it as absent.
    let lenient = DecodeOptions {
        lenient_exif: true,
        ..Default::default()
    };
    let d = decode(&jpeg, &lenient).expect("lenient decode");
    assert_eq!((d.image.dimensions(), d.orientation, d.gps), ((64, 48), 1, None));
}

#[test]
fn heic_is_named_in_the_error() {
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0";
    let e = err(heic);
    assert!(e.to_string().contains("HEIC"), "{e}");
}

#[test]
fn invalid_manual_box_is_rejected() {
    let bad = augenmerk_anon::BBox::new(10.0, 10.0, 5.0, 20.0);
    let e = crate::anonymizer()
        .anonymize(&valid_jpeg(), &[bad], &Options::default())
        .err();
    assert!(matches!(e, Some(AnonError::InvalidBox(_))));
}
