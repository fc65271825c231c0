//! The whole anonymization pipeline behind one type: [`Anonymizer`] holds the
//! loaded models and a worker pool and runs decode → detect → blur → encode
//! (the upload is shrunk right after decoding and the boxes are obscured at
//! its size),
//! reporting what it obscured, the GPS it found and the time per stage.

use std::path::Path;

use image::RgbImage;
use serde::Serialize;
use web_time::Instant;

use crate::blur::{self, BlurOptions};
use crate::cancel::Cancel;
use crate::decode::{self, DecodeOptions};
use crate::detect::{DetectConfig, DetectTimings, Detections, Detectors, Kind, Pool};
use crate::encode::{self, EncodeOptions};
use crate::error::{AnonError, Result};
use crate::geometry::BBox;
use crate::metadata::GpsInfo;
use crate::models::{CENTERFACE_FILE, CLP_DET_FILE, OnnxModel, TEXT_DET_FILE, default_models_dir};

/// Everything that tunes one anonymization run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// Decoding limits and EXIF leniency.
    pub decode: DecodeOptions,
    /// Detection passes and thresholds.
    pub detect: DetectConfig,
    /// How boxes are obscured.
    pub blur: BlurOptions,
    /// Output size and JPEG quality.
    pub encode: EncodeOptions,
    /// When to give up ([`AnonError::Cancelled`]); checked between stages and views.
    pub cancel: Cancel,
}

/// One obscured box, in the input image's (upright) pixel coordinates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlurredBox {
    /// What was found there.
    pub kind: Kind,
    /// The obscured area.
    #[serde(rename = "box")]
    pub bbox: BBox,
    /// Detector confidence; `None` for boxes the caller supplied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
}

/// Wall time of each pipeline stage, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StageTimings {
    /// Sniffing, decoding, EXIF, orientation.
    pub decode_ms: f64,
    /// All detector passes.
    pub detect_ms: f64,
    /// Where the detection time went, per detector (summed over threads).
    #[serde(flatten)]
    pub detectors: DetectTimings,
    /// Obscuring the boxes (at the upload's size).
    pub blur_ms: f64,
    /// Downscaling to the upload's size (done right after decoding) and JPEG
    /// encoding.
    pub encode_ms: f64,
}

/// The result of [`Anonymizer::anonymize`].
#[derive(Debug, Clone)]
pub struct Anonymized {
    /// The metadata-free JPEG to upload.
    pub jpeg: Vec<u8>,
    /// Width of the upright input image.
    pub width: u32,
    /// Height of the upright input image.
    pub height: u32,
    /// Size of the output JPEG.
    pub output_size: (u32, u32),
    /// Every box that was obscured.
    pub blurred: Vec<BlurredBox>,
    /// GPS data found in the input's EXIF (for the report's location).
    pub gps: Option<GpsInfo>,
    /// Time spent per stage.
    pub timings: StageTimings,
}

/// The loaded models plus a worker pool; load once and reuse. `Send + Sync`,
/// so an app can share one instance between threads.
#[derive(Debug)]
pub struct Anonymizer {
    detectors: Detectors,
    pool: Option<Pool>,
}

/// Outputs kept of CenterFace: heatmap, box sizes and offsets; not the landmarks.
const FACE_OUTPUTS: usize = 3;
/// Outputs kept of clp_det: boxes and scores; not the plate corners.
const PLATE_OUTPUTS: usize = 2;
const FACE_NAME: &str = "CenterFace";
const PLATE_NAME: &str = "clp_det";
const TEXT_NAME: &str = "PP-OCR text detector";

/// A pool of `threads` workers, or none for one thread.
#[cfg(feature = "parallel")]
fn start_pool(threads: usize) -> Result<Option<Pool>> {
    if threads <= 1 {
        return Ok(None);
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("anon-{i}"))
        .build()
        .map(Some)
        .map_err(|e| AnonError::InvalidOption(format!("cannot start {threads} threads: {e}")))
}

/// Without the `parallel` feature there are no worker threads to start.
#[cfg(not(feature = "parallel"))]
#[allow(clippy::unnecessary_wraps)] // same signature as with the feature
fn start_pool(_threads: usize) -> Result<Option<Pool>> {
    Ok(None)
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

impl Anonymizer {
    /// Loads the three models from `models_dir`; `threads` > 1 runs the
    /// detector views on that many worker threads (with the `parallel`
    /// feature; without it they run one after another on the calling thread).
    pub fn load(models_dir: &Path, threads: usize) -> Result<Self> {
        let detectors = Detectors {
            face: OnnxModel::load_outputs(FACE_NAME, &models_dir.join(CENTERFACE_FILE), FACE_OUTPUTS)?,
            plate: OnnxModel::load_outputs(PLATE_NAME, &models_dir.join(CLP_DET_FILE), PLATE_OUTPUTS)?,
            text: OnnxModel::load(TEXT_NAME, &models_dir.join(TEXT_DET_FILE))?,
        };
        Ok(Anonymizer {
            detectors,
            pool: start_pool(threads)?,
        })
    }

    /// Loads the three models from the bytes of their files ([`CENTERFACE_FILE`],
    /// [`CLP_DET_FILE`], [`TEXT_DET_FILE`]), for where there is no file system:
    /// the browser fetches them. Detector views run on the calling thread.
    pub fn from_model_bytes(face: &[u8], plate: &[u8], text: &[u8]) -> Result<Self> {
        let detectors = Detectors {
            face: OnnxModel::from_bytes(FACE_NAME, CENTERFACE_FILE, face, FACE_OUTPUTS)?,
            plate: OnnxModel::from_bytes(PLATE_NAME, CLP_DET_FILE, plate, PLATE_OUTPUTS)?,
            text: OnnxModel::from_bytes(TEXT_NAME, TEXT_DET_FILE, text, usize::MAX)?,
        };
        Ok(Anonymizer { detectors, pool: None })
    }

    /// Loads from [`default_models_dir`].
    pub fn load_default(threads: usize) -> Result<Self> {
        Self::load(&default_models_dir(), threads)
    }

    /// Finds faces and plates in an upright image (boxes merged, not yet padded).
    pub fn detect(&self, image: &RgbImage, config: &DetectConfig) -> Result<Detections> {
        self.detectors.detect(image, config, self.pool.as_ref())
    }

    /// [`Anonymizer::detect`], also reporting time per detector and face tiles run.
    pub fn detect_timed(&self, image: &RgbImage, config: &DetectConfig) -> Result<(Detections, DetectTimings)> {
        self.detectors.detect_timed(image, config, self.pool.as_ref())
    }

    /// The whole pipeline: decode, detect, obscure detections and
    /// `extra_boxes` (in upright input pixels), downscale, encode.
    pub fn anonymize(&self, bytes: &[u8], extra_boxes: &[BBox], options: &Options) -> Result<Anonymized> {
        if let Some(b) = extra_boxes.iter().find(|b| !b.is_valid()) {
            return Err(AnonError::InvalidBox([b.x1, b.y1, b.x2, b.y2]));
        }
        options.cancel.check()?;
        let mut timings = StageTimings::default();
        let t = Instant::now();
        let decoded = decode::decode(bytes, &options.decode)?;
        timings.decode_ms = ms(t);
        options.cancel.check()?;
        let image = decoded.image;
        let (width, height) = image.dimensions();
        // The upload is usually smaller than the photo (2048 of 4000 px): it is
        // shrunk now, right after decoding (measured on one core: after
        // detection the same pass took two to three times as long), and
        // the boxes are obscured at its size, a quarter of the pixels. Boxes are
        // scaled and rounded outwards there, so every pixel of the upload that
        // shows any part of a box is obscured.
        let t = Instant::now();
        let upload = encode::shrunk(&image, options.encode.max_long_edge);
        let shrink_ms = ms(t);

        let t = Instant::now();
        let out_w = upload.as_ref().map_or(width, RgbImage::width);
        let detect_config = options.detect.for_output(out_w as f32 / width.max(1) as f32);
        let (found, detectors) =
            self.detectors
                .detect_cancellable(&image, &detect_config, self.pool.as_ref(), &options.cancel)?;
        options.cancel.check()?;
        timings.detect_ms = ms(t);
        timings.detectors = detectors;

        let t = Instant::now();
        let mut blurred: Vec<BlurredBox> = Vec::new();
        let cfg = &options.detect;
        let tagged = [
            (Kind::Face, &found.faces, cfg.face_padding),
            (Kind::Plate, &found.plates, cfg.plate_padding),
        ];
        for (kind, dets, pad) in tagged {
            blurred.extend(dets.iter().map(|d| BlurredBox {
                kind,
                bbox: d.bbox.padded_xy(pad.0, pad.1).clamped(width, height),
                score: Some(d.score),
            }));
        }
        for b in extra_boxes {
            let bbox = b.clamped(width, height);
            if bbox.is_valid() {
                blurred.push(BlurredBox {
                    kind: Kind::Manual,
                    bbox,
                    score: None,
                });
            }
        }
        let mut canvas = upload.unwrap_or(image);
        let sx = canvas.width() as f32 / width.max(1) as f32;
        let sy = canvas.height() as f32 / height.max(1) as f32;
        let boxes: Vec<BBox> = blurred.iter().map(|b| b.bbox.scaled_offset(sx, sy, 0.0, 0.0)).collect();
        blur::blur_boxes(&mut canvas, &boxes, &options.blur);
        timings.blur_ms = ms(t);
        options.cancel.check()?;

        // The canvas is the upload: `encode_jpeg` does not shrink it again.
        let output_size = canvas.dimensions();
        let t = Instant::now();
        let jpeg = encode::encode_jpeg(canvas, &options.encode)?;
        timings.encode_ms = shrink_ms + ms(t);
        Ok(Anonymized {
            jpeg,
            width,
            height,
            output_size,
            blurred,
            gps: decoded.gps,
            timings,
        })
    }
}

/// Decode and re-encode without detection: the floor the pipeline is
/// compared against in the benchmark, and a metadata stripper on its own.
pub fn reencode(bytes: &[u8], options: &Options) -> Result<(Vec<u8>, StageTimings)> {
    let mut timings = StageTimings::default();
    let t = Instant::now();
    let decoded = decode::decode(bytes, &options.decode)?;
    timings.decode_ms = ms(t);
    let t = Instant::now();
    let jpeg = encode::encode_jpeg(decoded.image, &options.encode)?;
    timings.encode_ms = ms(t);
    Ok((jpeg, timings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymizer_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Anonymizer>();
    }
}
