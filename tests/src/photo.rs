//! The test photo: a street scene with a face and a licence plate composed from the
//! annotated development photos, and the checks that the stored copy lost its metadata
//! and has both blurred.

use std::path::{Path, PathBuf};

use image::RgbImage;
use serde_json::Value;

use crate::paths::workspace;
use crate::staff::Staff;

/// The annotated development photos: `$AUGENMERK_ANON_DEV`, else `../shared/data/anon-dev`
/// next to the repository. They may not be copied into the repository (their licences).
pub fn anon_dev() -> PathBuf {
    let dir = match std::env::var_os("AUGENMERK_ANON_DEV") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => workspace().join("../shared/data/anon-dev"),
    };
    assert!(
        dir.join("boxes.json").is_file(),
        "development photos not found at {}: set AUGENMERK_ANON_DEV to the anon-dev folder",
        dir.display()
    );
    dir
}

/// A box in pixels: x1, y1, x2, y2.
pub type PixelBox = [u32; 4];

/// A street photo with a face and a licence plate, and where they are.
pub struct TestPhoto {
    /// The JPEG file (with an XMP segment and a comment that must not survive).
    pub path: PathBuf,
    /// The pixels as composed.
    pub image: RgbImage,
    /// The face, in pixels of `image`.
    pub face: PixelBox,
    /// The plate, in pixels of `image`.
    pub plate: PixelBox,
}

/// Text in the photo's metadata that must not reach the server's store.
pub const METADATA_MARKER: &str = "AUGENMERK-METADATA-MARKER";

/// Composes a car with a plate (`plate_eu1.jpg`) and a person (`face_maksssksksss37.png`,
/// scaled 1.5 ×) side by side: no development photo shows both.
pub fn test_photo(dir: &Path) -> TestPhoto {
    let dev = anon_dev();
    let boxes: Value =
        serde_json::from_slice(&std::fs::read(dev.join("boxes.json")).expect("boxes.json")).expect("boxes.json parses");
    let entry = |file: &str| -> Value {
        boxes
            .as_array()
            .and_then(|a| a.iter().find(|e| e["file"] == file))
            .cloned()
            .unwrap_or_else(|| panic!("{file} is not in boxes.json"))
    };
    let first_box = |e: &Value, kind: &str| -> PixelBox {
        let b = &e[kind][0];
        std::array::from_fn(|i| {
            b[i].as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .expect("box coordinate")
        })
    };
    let load = |file: &str| {
        image::open(dev.join("images").join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .to_rgb8()
    };
    let car = load("plate_eu1.jpg");
    let plate = first_box(&entry("plate_eu1.jpg"), "plates");
    let person = load("face_maksssksksss37.png");
    let face = first_box(&entry("face_maksssksksss37.png"), "faces");
    let (pw, ph) = (person.width() * 3 / 2, person.height() * 3 / 2);
    let person = image::imageops::resize(&person, pw, ph, image::imageops::FilterType::CatmullRom);
    let width = car.width() + pw;
    let height = car.height().max(ph);
    let mut canvas = RgbImage::from_pixel(width, height, image::Rgb([128, 128, 128]));
    image::imageops::replace(&mut canvas, &car, 0, 0);
    image::imageops::replace(&mut canvas, &person, i64::from(car.width()), 0);
    let face = [
        car.width() + face[0] * 3 / 2,
        face[1] * 3 / 2,
        car.width() + face[2] * 3 / 2,
        face[3] * 3 / 2,
    ];

    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
        .encode_image(&canvas)
        .expect("encode JPEG");
    let xmp = format!(
        "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:Description \
         creator=\"{METADATA_MARKER}\"/></x:xmpmeta>"
    );
    let mut out = jpeg[..2].to_vec();
    out.extend(segment(0xe1, xmp.as_bytes()));
    out.extend(segment(0xfe, METADATA_MARKER.as_bytes()));
    out.extend(&jpeg[2..]);
    let path = dir.join("strasse-mit-auto.jpg");
    std::fs::write(&path, out).expect("write the photo");
    TestPhoto {
        path,
        image: canvas,
        face,
        plate,
    }
}

/// A JPEG segment: marker, length, contents.
fn segment(marker: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![0xff, marker];
    out.extend(u16::try_from(2 + contents.len()).expect("small segment").to_be_bytes());
    out.extend(contents);
    out
}

/// The markers of a JPEG's segments before the image data.
pub fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut i = 2;
    while i + 4 <= bytes.len() && bytes[i] == 0xff {
        let marker = bytes[i + 1];
        markers.push(marker);
        if marker == 0xda {
            break;
        }
        i += 2 + usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
    }
    markers
}

/// Fine detail in the middle half of a box: the mean absolute difference between
/// horizontally and vertically neighbouring pixels (a blur drives it towards zero).
pub fn detail(image: &RgbImage, b: PixelBox) -> f64 {
    let (w, h) = (b[2] - b[0], b[3] - b[1]);
    let (x0, y0) = (b[0] + w / 4, b[1] + h / 4);
    let (x1, y1) = (
        (b[0] + 3 * w / 4).min(image.width() - 1),
        (b[1] + 3 * h / 4).min(image.height() - 1),
    );
    let luma = |x: u32, y: u32| {
        let p = image.get_pixel(x, y).0;
        0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2])
    };
    let (mut sum, mut n) = (0.0, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            sum += (luma(x, y) - luma(x + 1, y)).abs() + (luma(x, y) - luma(x, y + 1)).abs();
            n += 2;
        }
    }
    assert!(n > 0, "empty box {b:?}");
    sum / f64::from(n)
}

/// A box scaled from one image size to another.
pub fn scale_box(b: PixelBox, from: (u32, u32), to: (u32, u32)) -> PixelBox {
    let sx = f64::from(to.0) / f64::from(from.0);
    let sy = f64::from(to.1) / f64::from(from.1);
    let s = |v: u32, f: f64| (f64::from(v) * f).round() as u32;
    [s(b[0], sx), s(b[1], sy), s(b[2], sx), s(b[3], sy)]
}

/// The stored photo is a JPEG without metadata segments, and the face and the plate are
/// blurred: far less fine detail in their boxes than in the photo as composed.
pub async fn check_stored_photo(staff: &Staff, hash: &str, photo: &TestPhoto) {
    let (status, bytes) = staff.get_raw(&format!("/api/v1/blobs/{hash}")).await;
    assert_eq!(status, 200, "staff read the photo");
    assert_eq!(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)), hash);
    assert_eq!(&bytes[..2], [0xff, 0xd8], "a JPEG");
    let markers = jpeg_markers(&bytes);
    assert!(
        !markers.contains(&0xe1) && !markers.contains(&0xfe),
        "no EXIF/XMP (APP1) and no comment: {markers:x?}"
    );
    assert!(
        !bytes
            .windows(METADATA_MARKER.len())
            .any(|w| w == METADATA_MARKER.as_bytes()),
        "the metadata text is gone"
    );
    let stored = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
        .expect("decodes as JPEG")
        .to_rgb8();
    let original = image::imageops::resize(
        &photo.image,
        stored.width(),
        stored.height(),
        image::imageops::FilterType::Triangle,
    );
    let from = photo.image.dimensions();
    let to = stored.dimensions();
    for (what, b) in [("face", photo.face), ("plate", photo.plate)] {
        let b = scale_box(b, from, to);
        let (before, after) = (detail(&original, b), detail(&stored, b));
        assert!(
            after < before * 0.4,
            "the {what} at {b:?} is not blurred: detail {after:.2} after, {before:.2} before"
        );
    }
    // Outside the boxes the photo keeps its detail (it was not blurred as a whole).
    let corner = [0, 0, to.0 / 5, to.1 / 5];
    assert!(
        detail(&stored, corner) > detail(&original, corner) * 0.5,
        "the rest of the photo keeps its detail"
    );
}
