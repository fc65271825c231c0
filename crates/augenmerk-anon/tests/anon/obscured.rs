//! Boxes are obscured in the upload, which is shrunk before they are: every
//! upload pixel that shows part of a box has to be obscured, up to the box's
//! edges rounded outwards, and the pixels beside it must keep their detail.

use augenmerk_anon::geometry::BBox;
use augenmerk_anon::{Kind, Options};
use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, Rgb, RgbImage};

use crate::anonymizer;

/// Fine, deterministic noise: every pixel differs from its neighbours, so
/// any pixel that was not obscured stands out.
fn noise(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let v = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761);
        Rgb([(v >> 24) as u8, (v >> 16) as u8, (v >> 8) as u8])
    })
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 95)
        .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgb8)
        .expect("encode the test photo");
    out
}

/// Mean absolute difference between neighbours along column `x` (rows
/// `y0..y1`) or along row `y` (columns `x0..x1`).
fn column_detail(img: &RgbImage, x: u32, y0: u32, y1: u32) -> f64 {
    let d: u32 = (y0..y1 - 1)
        .map(|y| diff(img.get_pixel(x, y), img.get_pixel(x, y + 1)))
        .sum();
    f64::from(d) / f64::from(y1 - 1 - y0)
}

fn row_detail(img: &RgbImage, y: u32, x0: u32, x1: u32) -> f64 {
    let d: u32 = (x0..x1 - 1)
        .map(|x| diff(img.get_pixel(x, y), img.get_pixel(x + 1, y)))
        .sum();
    f64::from(d) / f64::from(x1 - 1 - x0)
}

fn diff(a: &Rgb<u8>, b: &Rgb<u8>) -> u32 {
    a.0.iter().zip(b.0).map(|(p, q)| u32::from(p.abs_diff(q))).sum()
}

/// Anonymizes a noise photo with one manual box and checks the upload: the
/// box's outermost rows and columns (at the upload's scale, rounded
/// outwards) have lost their detail, the lines just outside kept it.
fn check(max_long_edge: u32) {
    let (w, h) = (2400, 1800);
    let bytes = jpeg(&noise(w, h));
    let bx = BBox::new(601.3, 401.7, 1003.9, 703.2);
    let mut options = Options::default();
    options.encode.max_long_edge = max_long_edge;
    let anon = anonymizer();
    let done = anon.anonymize(&bytes, &[bx], &options).expect("anonymize");
    let reference = anon.anonymize(&bytes, &[], &options).expect("anonymize");
    let manual: Vec<_> = done.blurred.iter().filter(|b| b.kind == Kind::Manual).collect();
    assert_eq!(manual.len(), 1);
    assert_eq!(manual[0].bbox, bx, "boxes are reported in the photo's pixels");

    let out = image::load_from_memory(&done.jpeg).expect("upload decodes").to_rgb8();
    let plain = image::load_from_memory(&reference.jpeg)
        .expect("upload decodes")
        .to_rgb8();
    let s = out.width() as f32 / w as f32;
    assert_eq!(out.width(), max_long_edge.min(w));
    let (x1, y1, x2, y2) = bx.scaled_offset(s, s, 0.0, 0.0).pixel_bounds(out.width(), out.height());
    // Border lines of the box: obscured (the pixelation and blur leave a
    // fraction of the noise's neighbour-to-neighbour difference).
    let lines = [
        (
            "left column",
            column_detail(&out, x1, y1, y2),
            column_detail(&plain, x1, y1, y2),
        ),
        (
            "right column",
            column_detail(&out, x2 - 1, y1, y2),
            column_detail(&plain, x2 - 1, y1, y2),
        ),
        ("top row", row_detail(&out, y1, x1, x2), row_detail(&plain, y1, x1, x2)),
        (
            "bottom row",
            row_detail(&out, y2 - 1, x1, x2),
            row_detail(&plain, y2 - 1, x1, x2),
        ),
    ];
    for (name, got, noise) in lines {
        assert!(
            got < 0.35 * noise,
            "{max_long_edge} px upload: the box's {name} keeps detail {got:.1} of {noise:.1}"
        );
    }
    // Two pixels outside (beyond JPEG's blocks around the edge): untouched.
    let outside = [
        (
            "left",
            column_detail(&out, x1 - 9, y1, y2),
            column_detail(&plain, x1 - 9, y1, y2),
        ),
        (
            "right",
            column_detail(&out, x2 + 8, y1, y2),
            column_detail(&plain, x2 + 8, y1, y2),
        ),
    ];
    for (name, got, noise) in outside {
        assert!(
            got > 0.8 * noise,
            "{max_long_edge} px upload: {name} of the box lost detail ({got:.1} of {noise:.1})"
        );
    }
}

#[test]
fn a_box_is_obscured_in_a_shrunk_upload_up_to_its_rounded_out_edges() {
    // 2048 of 2400 px: the box lands on fractional upload pixels.
    check(2048);
}

#[test]
fn a_box_is_obscured_in_a_full_size_upload() {
    check(4096);
}
