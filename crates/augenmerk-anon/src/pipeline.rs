//! The whole anonymization pipeline behind one type: [`Anonymizer`] holds the
//! loaded models and a worker pool and runs decode → detect → blur → encode,
//! reporting what it obscured, the GPS it found and the time per stage.

use std::path::Path;
use std::time::Instant;

use image::RgbImage;
use serde::Serialize;

use crate::blur::{self, BlurOptions};
use crate::cancel::Cancel;
use crate::decode::{self, DecodeOptions};
use crate::detect::{DetectConfig, DetectTimings, Detections, Detectors, Kind};
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
    /// Obscuring the boxes.
    pub blur_ms: f64,
    /// Downscaling and JPEG encoding.
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
    pool: Option<rayon::ThreadPool>,
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

impl Anonymizer {
    /// Loads the three models from `models_dir`; `threads` > 1 runs the
    /// detector views on that many worker threads.
    pub fn load(models_dir: &Path, threads: usize) -> Result<Self> {
        let detectors = Detectors {
            // Heatmap, box sizes and offsets; not the landmarks.
            face: OnnxModel::load_outputs("CenterFace", &models_dir.join(CENTERFACE_FILE), 3)?,
            // Boxes and scores; not the plate corners.
            plate: OnnxModel::load_outputs("clp_det", &models_dir.join(CLP_DET_FILE), 2)?,
            text: OnnxModel::load("PP-OCR text detector", &models_dir.join(TEXT_DET_FILE))?,
        };
        let pool = if threads > 1 {
            Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .thread_name(|i| format!("anon-{i}"))
                    .build()
                    .map_err(|e| AnonError::InvalidOption(format!("cannot start {threads} threads: {e}")))?,
            )
        } else {
            None
        };
        Ok(Anonymizer { detectors, pool })
    }

    /// Loads from [`default_models_dir`].
    pub fn load_default(threads: usize) -> Result<Self> {
        Self::load(&default_models_dir(), threads)
    }

    /// Finds faces and plates in an upright image (boxes merged, not yet padded).
    pub fn detect(&self, image: &RgbImage, config: &DetectConfig) -> Result<Detections> {
        self.detectors.detect(image, config, self.pool.as_ref())
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
        let mut image = decoded.image;
        let (width, height) = image.dimensions();

        let t = Instant::now();
        let (out_w, _) = encode::output_size(width, height, options.encode.max_long_edge);
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
        let boxes: Vec<BBox> = blurred.iter().map(|b| b.bbox).collect();
        blur::blur_boxes(&mut image, &boxes, &options.blur);
        timings.blur_ms = ms(t);
        options.cancel.check()?;

        let t = Instant::now();
        let jpeg = encode::encode_jpeg(image, &options.encode)?;
        timings.encode_ms = ms(t);
        let output_size = encode::output_size(width, height, options.encode.max_long_edge);
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
