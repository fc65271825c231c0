//! One photo through the pipeline, in the shape the page's `window.augenmerkAnon`
//! promises (see `src-ui/js/anon.js`): plain Rust, so it is tested natively, and the
//! wasm glue only converts to JavaScript values.

use std::io::Cursor;

use augenmerk_anon::{AnonError, Anonymizer, BBox, GpsInfo, Options};
use augenmerk_domain::GeoPoint;
use augenmerk_domain::public::BlurredArea;
use serde::Serialize;
use sha2::{Digest, Sha256};
use web_time::Instant;

/// Why a photo was not anonymized. The message starts with the code the page's
/// callers branch on (`bad_image:`, `too_large:`, `failed:`), then says why.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Not an image we can read, or a box that is no box.
    #[error("bad_image: {0}")]
    BadImage(String),
    /// More pixels than the decoder's limits allow.
    #[error("too_large: {0}")]
    TooLarge(String),
    /// Anything else (a model that does not load or run, encoding).
    #[error("failed: {0}")]
    Failed(String),
}

impl From<AnonError> for WebError {
    fn from(e: AnonError) -> Self {
        use AnonError as A;
        match e {
            A::TooLarge { .. } => WebError::TooLarge(e.to_string()),
            A::Empty
            | A::UnsupportedFormat(_)
            | A::UnknownFormat
            | A::Decode { .. }
            | A::Truncated(_)
            | A::CorruptExif(_)
            | A::InvalidBox(_) => WebError::BadImage(e.to_string()),
            _ => WebError::Failed(e.to_string()),
        }
    }
}

/// Milliseconds per stage, as the page shows and the benchmark prints them.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Millis {
    /// Sniffing, decoding, EXIF, orientation.
    pub decode: f64,
    /// All detector passes.
    pub detect: f64,
    /// Obscuring the boxes.
    pub blur: f64,
    /// Downscaling and JPEG encoding.
    pub encode: f64,
    /// The whole call, including mapping the boxes and hashing.
    pub total: f64,
}

/// The anonymized photo: the fields of the server's `AnonymizedPhoto` (`POST
/// /api/v1/photos`) that the page needs, plus the JPEG itself and the timings.
#[derive(Debug, Clone, Serialize)]
pub struct WebPhoto {
    /// The metadata-free JPEG to store and upload (passed to JavaScript as a
    /// `Uint8Array`, not serialized).
    #[serde(skip)]
    pub jpeg: Vec<u8>,
    /// Lowercase hex SHA-256 of `jpeg`: its `BlobHash` on the server.
    pub hash: String,
    /// Size of the JPEG.
    pub width: u32,
    /// Size of the JPEG.
    pub height: u32,
    /// Size of the upright original (the space of `blurred`).
    pub source_width: u32,
    /// Size of the upright original.
    pub source_height: u32,
    /// The obscured areas, in the upright original's pixels.
    pub blurred: Vec<BlurredArea>,
    /// The photo's GPS position, if it had a valid one.
    pub gps: Option<GeoPoint>,
    /// Time per stage.
    pub ms: Millis,
}

/// Anonymizes `bytes` exactly as the app does when it captures a photo
/// (`augenmerk-client`'s `capture_photo`: [`Options::default`]), also obscuring
/// `boxes` given as `[x0, y0, x1, y1]` fractions (0..1) of the upright image.
pub fn anonymize(anonymizer: &Anonymizer, bytes: &[u8], boxes: &[[f64; 4]]) -> Result<WebPhoto, WebError> {
    let started = Instant::now();
    let options = Options::default();
    let extra = if boxes.is_empty() {
        Vec::new()
    } else {
        let (w, h) = upright_size(bytes)?;
        boxes
            .iter()
            .map(|b| to_pixels(b, w, h))
            .collect::<Result<Vec<_>, _>>()?
    };
    let out = anonymizer.anonymize(bytes, &extra, &options)?;
    let hash = hex::encode(Sha256::digest(&out.jpeg));
    let blurred = out.blurred.iter().map(BlurredArea::from).collect();
    let t = &out.timings;
    let ms = Millis {
        decode: t.decode_ms,
        detect: t.detect_ms,
        blur: t.blur_ms,
        encode: t.encode_ms,
        total: started.elapsed().as_secs_f64() * 1000.0,
    };
    Ok(WebPhoto {
        hash,
        width: out.output_size.0,
        height: out.output_size.1,
        source_width: out.width,
        source_height: out.height,
        blurred,
        gps: out.gps.as_ref().and_then(GpsInfo::suggested_location),
        ms,
        jpeg: out.jpeg,
    })
}

/// A fractional box in upright pixels; anything not inside 0..1 with a positive
/// size is refused rather than guessed at.
fn to_pixels(b: &[f64; 4], width: u32, height: u32) -> Result<BBox, WebError> {
    let [x0, y0, x1, y1] = *b;
    let inside = |v: f64| v.is_finite() && (0.0..=1.0).contains(&v);
    if !(b.iter().all(|v| inside(*v)) && x0 < x1 && y0 < y1) {
        return Err(WebError::BadImage(format!(
            "box {b:?} is not [x0, y0, x1, y1] with 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1"
        )));
    }
    let (w, h) = (f64::from(width), f64::from(height));
    #[allow(clippy::cast_possible_truncation)] // fractions of a u32 size fit an f32
    Ok(BBox::new(
        (x0 * w) as f32,
        (y0 * h) as f32,
        (x1 * w) as f32,
        (y1 * h) as f32,
    ))
}

/// Width and height of the photo as shown (after its EXIF orientation), from the
/// header alone: the user's boxes are fractions of what they saw.
fn upright_size(bytes: &[u8]) -> Result<(u32, u32), WebError> {
    // The same refusal of unknown formats as the pipeline's.
    augenmerk_anon::decode::sniff_format(bytes)?;
    let bad = |e: std::io::Error| WebError::BadImage(e.to_string());
    let (w, h) = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(bad)?
        .into_dimensions()
        .map_err(|e| WebError::BadImage(e.to_string()))?;
    // Lenient: a corrupt EXIF block is the pipeline's to report, with its own words.
    let orientation = augenmerk_anon::metadata::read_exif(bytes, true).map_or(1, |e| e.orientation);
    // Orientations 5 to 8 turn the image by a quarter.
    Ok(if (5..=8).contains(&orientation) { (h, w) } else { (w, h) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_become_upright_pixels() {
        let b = to_pixels(&[0.25, 0.5, 0.75, 1.0], 400, 200).expect("a valid box");
        assert_eq!([b.x1, b.y1, b.x2, b.y2], [100.0, 100.0, 300.0, 200.0]);
    }

    #[test]
    fn boxes_outside_the_image_or_empty_are_refused() {
        for b in [
            [0.5, 0.0, 0.5, 1.0],
            [-0.1, 0.0, 0.5, 1.0],
            [0.0, 0.0, 1.1, 1.0],
            [f64::NAN, 0.0, 1.0, 1.0],
        ] {
            let e = to_pixels(&b, 10, 10).expect_err("refused");
            assert!(e.to_string().starts_with("bad_image: "), "{e}");
        }
    }

    #[test]
    fn errors_carry_the_code_the_page_branches_on() {
        assert!(
            WebError::from(AnonError::UnknownFormat)
                .to_string()
                .starts_with("bad_image: ")
        );
        let large = AnonError::TooLarge {
            width: 1,
            height: 1,
            max_side: 1,
            max_megapixels: 1,
        };
        assert!(WebError::from(large).to_string().starts_with("too_large: "));
        assert!(WebError::from(AnonError::Cancelled).to_string().starts_with("failed: "));
    }
}
