//! Finding faces and licence plates in a full-resolution photo.
//!
//! A 12-megapixel phone photo shows a face 30 m away as about 40 px, far too
//! small for one downscaled pass. So each detector sees a pyramid of views:
//! an *overview* of the whole image at a fixed square size (large objects),
//! then *levels* of overlapping fixed-size *tiles* at increasing scales, up to
//! the *detail* scale (1.0 = native pixels). Consecutive levels differ by at
//! most [`DetectConfig::max_level_ratio`], so every object size falls in the
//! comfortable range of some level, and the tile overlap is large enough that
//! an object too big for the overlap is already found one level down. All
//! views of a level share one input shape, so tract plans are built once.
//!
//! The overviews run first; a face tile then runs only where CenterFace's
//! overview heatmap says a face can be ([`DetectConfig::face_gate`]).
//! Boxes from all views are mapped back to image pixels, merged and clamped;
//! the blur step pads them. Faces come from CenterFace; plates are the union of the plate
//! detector and plate-shaped text boxes (privacy first: recall over precision).

pub mod centerface;
pub mod input;
pub mod plates;
pub mod pyramid;
pub mod text;
pub mod view;

use image::RgbImage;
#[cfg(feature = "parallel")]
use rayon::prelude::*;
use serde::Serialize;
use web_time::Instant;

pub use self::pyramid::{Fit, Pyramid, plan_views};
use self::text::TextParams;
use self::view::View;
use crate::cancel::Cancel;
use crate::error::{AnonError, Result};
use crate::geometry::{Detection, merge_detections};
use crate::models::OnnxModel;

/// Tuning of the detection passes and thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectConfig {
    /// Side of the square overview input (multiple of 32).
    pub overview_size: usize,
    /// Largest side of a face tile (multiple of 32). Each level is covered
    /// by as few tiles as this allows, each shrunk to fit (so a 12 MP photo's
    /// face level for a 2048 px upload is 5×4 tiles of 448×448). In tract,
    /// CenterFace costs about the same per pixel from 384 to 576 px and
    /// 30–50% more at 672 and above (cache); some shapes in between cost 25%
    /// more (480 wide × 544 high), so shapes are worth measuring. 544 with
    /// the overlap of 48 gives 5×3 tiles of 448×544, 9% fewer pixels, but
    /// found 41 of 43 faces on the mosaic test (448: 43).
    pub tile_size: usize,
    /// Largest side of a plate tile. Plates keep 384: 544 lost a mosaic plate
    /// at a tile border (and 512 or 640 with the overlap of 96), and clp_det costs a quarter of CenterFace per pixel,
    /// so larger plate tiles would save little.
    pub plate_tile_size: usize,
    /// Side of the text detector's tiles: unlike the other two models it runs
    /// faster per pixel on larger inputs.
    pub text_tile_size: usize,
    /// Overlap of neighbouring face tiles, in tile pixels. It has to hold
    /// every face that the next coarser view cannot see whole: faces below
    /// about 75 px (the 640 px overview of a 4000 px photo finds larger ones)
    /// are at most 40 px at the face scale (0.512). 48 (faces up to 94 px)
    /// with 448 px tiles covers a 12 MP photo's face level with 5×4 tiles of
    /// 448×448 instead of 480×448 (64 and 544 before): 7% fewer pixels, and
    /// on the mosaic test it found 43 of 43 faces (before: 42; 40: 41).
    pub tile_overlap: usize,
    /// Overlap of neighbouring plate tiles (text tiles: scaled to their
    /// size). 96 px at the plate scale (0.6) holds plates up to 160 px wide,
    /// and the overview (0.16) sees plates from about 150 px on, so one plate
    /// level is enough: the middle level (0.31, 12 tiles) that the
    /// earlier overlap of 64 needed found no plate on the mosaic test that
    /// the others missed. The 8×6 tiles of 384 px at 0.6 stay as many.
    pub plate_tile_overlap: usize,
    /// Finest scale of the face detector relative to the image (1.0 = native
    /// pixels). CenterFace still finds faces of about 12 px, so 0.5 keeps
    /// faces of 24 px and more, at a quarter of the cost of native tiles. It
    /// is about the scale of the photo that leaves the device (2048 of 4000
    /// px): a face the detector cannot see there is at most 12 px tall in the
    /// upload too. [`DetectConfig::for_output`] raises it for larger uploads.
    /// On the mosaic test 0.5 finds the same faces as 0.6; 0.45 lost one.
    pub face_scale: f32,
    /// Finest scale of the plate detector. A plate that is still readable can
    /// be as small as 100 × 24 px in a 12 MP photo; at 0.6 that is 60 px,
    /// within the detector's smallest anchors (24 and 48 px). On the mosaic
    /// test 0.6 finds the same plates as 0.7; 0.55 lost 2 of 30.
    pub plate_scale: f32,
    /// Largest scale step between consecutive levels (faces and text).
    pub max_level_ratio: f32,
    /// Largest scale step between consecutive plate levels. With the overlap
    /// of [`DetectConfig::plate_tile_overlap`] a plate is either whole in a
    /// tile of the finest level or large enough for the overview, so 4.0
    /// goes from the overview (0.16) to 0.6 directly (a full-size upload,
    /// searched at 1.0, gets a level at 0.4 between them).
    pub plate_level_ratio: f32,
    /// CenterFace heatmap threshold.
    pub face_threshold: f32,
    /// A face tile runs only where the overview's heatmap reaches this value
    /// over the tile (plus a cell): a photo of a pothole, a bench or a sign
    /// then skips most of the face search, the most expensive step. `None`
    /// runs every tile. Measured on the 3 mosaics of the recall test and 6
    /// more (`pipeline make-photos`, 133 faces): every face is still found
    /// up to 0.1 (36% of the tiles skipped), 0.12 loses 3 faces and 0.15
    /// loses 8. 0.07 keeps a margin of 1.4 to the first loss and skips 27%
    /// of those tiles (0.05: 12%), 9 of the benchmark photos' 40, and all 60
    /// of three 12 MP scenes without people (`scripts/bench-anon.sh`).
    pub face_gate: Option<f32>,
    /// Plate detector score threshold.
    pub plate_threshold: f32,
    /// Text-as-plate fallback; `None` disables it.
    pub text: Option<TextParams>,
    /// Finest scale of the text detector; it is the most expensive model per
    /// pixel, and as a fallback it only needs to see larger plates. 0.16 is the
    /// overview alone for a 12 MP photo: tiles at 0.3 cost a quarter of the
    /// pipeline and found no plate in the tests that the plate detector missed.
    pub text_scale: f32,
    /// Margin added around each face when blurring, as fractions of its width
    /// (left and right) and height (above and below). More vertically: face
    /// boxes, above all of masked faces, often end above the chin.
    pub face_padding: (f32, f32),
    /// Margin added around each plate, as fractions of width and height.
    pub plate_padding: (f32, f32),
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            overview_size: 640,
            tile_size: 448,
            plate_tile_size: 384,
            text_tile_size: 640,
            tile_overlap: 48,
            plate_tile_overlap: 96,
            face_scale: 0.5,
            plate_scale: 0.6,
            max_level_ratio: 4.0,
            plate_level_ratio: 4.0,
            face_threshold: 0.2,
            face_gate: Some(0.07),
            plate_threshold: 0.2,
            text: Some(TextParams::default()),
            text_scale: 0.16,
            face_padding: (0.15, 0.25),
            plate_padding: (0.15, 0.25),
        }
    }
}

/// How much finer than the uploaded photo plates are searched: their
/// characters are small details, and the default (0.6 for a 2048 px upload of
/// a 4000 px photo) is 1.17 times the upload's scale.
const PLATE_SCALE_OVER_OUTPUT: f32 = 1.17;

impl DetectConfig {
    /// This configuration for a photo whose upload is `output_scale` times its
    /// size (1.0 when it is not downscaled): the detectors never look at a
    /// coarser scale than the upload's, so whatever is large enough to be
    /// recognised in the upload is large enough for them. A 4000 px photo sent
    /// at 4000 px is searched at native scale, at about four times the cost.
    pub fn for_output(&self, output_scale: f32) -> DetectConfig {
        let s = if output_scale.is_finite() {
            output_scale.clamp(0.0, 1.0)
        } else {
            1.0
        };
        DetectConfig {
            face_scale: self.face_scale.max(s),
            plate_scale: self.plate_scale.max((s * PLATE_SCALE_OVER_OUTPUT).min(1.0)),
            ..self.clone()
        }
    }

    /// Checks that sizes are usable by the models.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(AnonError::InvalidOption(m));
        let sizes = [
            ("overview size", self.overview_size),
            ("tile size", self.tile_size),
            ("plate tile size", self.plate_tile_size),
            ("text tile size", self.text_tile_size),
        ];
        for (name, v) in sizes {
            if v < 64 || v % 32 != 0 || v > 4096 {
                return bad(format!("{name} {v} must be a multiple of 32 between 64 and 4096"));
            }
        }
        if self.tile_overlap * 2 >= self.tile_size || self.plate_tile_overlap * 2 >= self.plate_tile_size {
            return bad(format!(
                "tile overlaps ({} faces, {} plates) must be below half the tile size",
                self.tile_overlap, self.plate_tile_overlap
            ));
        }
        let scales = [self.face_scale, self.plate_scale, self.text_scale];
        if scales.iter().any(|s| !s.is_finite() || *s <= 0.0 || *s > 4.0) {
            return bad("scales must be in (0, 4]".into());
        }
        let ratios = [self.max_level_ratio, self.plate_level_ratio];
        if !ratios.iter().all(|r| r.is_finite() && *r > 1.2) {
            return bad("the level ratio must be above 1.2".into());
        }
        Ok(())
    }
}

/// Which object a box is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A human face.
    Face,
    /// A vehicle licence plate.
    Plate,
    /// A box the caller supplied.
    Manual,
}

/// Detections of one image, in image pixels, merged and padded.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Detections {
    /// Faces.
    pub faces: Vec<Detection>,
    /// Licence plates.
    pub plates: Vec<Detection>,
}

/// Time spent per detector during one [`Detectors::detect_timed`] call, in
/// milliseconds summed over worker threads (so with several threads they add
/// up to more than the wall time). Building tract plans on first use is
/// included in each model's figure and also shown on its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct DetectTimings {
    /// CenterFace views (input preparation, inference, decoding boxes).
    pub face_ms: f64,
    /// Plate detector views.
    pub plate_ms: f64,
    /// Text detector views.
    pub text_ms: f64,
    /// Building tract plans for new input shapes.
    pub plans_ms: f64,
    /// Face tiles of the finer levels (all but the overview).
    pub face_tiles: usize,
    /// Of those, the tiles that the overview's heatmap let run
    /// ([`DetectConfig::face_gate`]).
    pub face_tiles_run: usize,
}

/// The worker pool the detector views run on.
#[cfg(feature = "parallel")]
pub type Pool = rayon::ThreadPool;

/// Without the `parallel` feature (the browser build: wasm32 has no threads)
/// there is no pool: this type has no values, so `Option<&Pool>` is always `None`
/// and the views run one after another on the calling thread.
#[cfg(not(feature = "parallel"))]
#[derive(Debug)]
pub enum Pool {}

/// The loaded models; cheap to share across threads.
#[derive(Debug)]
pub struct Detectors {
    /// CenterFace.
    pub face: OnnxModel,
    /// clp_det.
    pub plate: OnnxModel,
    /// PP-OCR DBNet text detector.
    pub text: OnnxModel,
}

#[derive(Clone, Copy)]
enum Job {
    Face(View),
    Plate(View),
    Text(View),
}

impl Detectors {
    /// Runs all detectors over all views of `img`, using `pool` for the views.
    pub fn detect(&self, img: &RgbImage, cfg: &DetectConfig, pool: Option<&Pool>) -> Result<Detections> {
        self.detect_timed(img, cfg, pool).map(|(d, _)| d)
    }

    fn planning_ms(&self) -> f64 {
        self.face.planning_ms() + self.plate.planning_ms() + self.text.planning_ms()
    }

    /// [`Detectors::detect`], also reporting where the time went.
    pub fn detect_timed(
        &self,
        img: &RgbImage,
        cfg: &DetectConfig,
        pool: Option<&Pool>,
    ) -> Result<(Detections, DetectTimings)> {
        self.detect_cancellable(img, cfg, pool, &Cancel::default())
    }

    /// [`Detectors::detect_timed`] that stops with [`crate::AnonError::Cancelled`] when
    /// `cancel` says so: checked before every view, so a huge image cannot hold the
    /// worker threads past its deadline.
    pub fn detect_cancellable(
        &self,
        img: &RgbImage,
        cfg: &DetectConfig,
        pool: Option<&Pool>,
        cancel: &Cancel,
    ) -> Result<(Detections, DetectTimings)> {
        cfg.validate()?;
        let planning_before = self.planning_ms();
        let (w, h) = img.dimensions();
        let mut timings = DetectTimings::default();
        // First the face overview, the plate and the text views; then the
        // face tiles that the overview's heatmap leaves (`face_gate`).
        let face_views = plan_views(w, h, cfg, &cfg.face_pyramid());
        let plate_views = plan_views(w, h, cfg, &cfg.plate_pyramid());
        let (Some((face_overview, face_tiles)), Some((plate_overview, plate_tiles))) =
            (face_views.split_first(), plate_views.split_first())
        else {
            return Err(AnonError::InvalidOption("no overview".into()));
        };
        let mut jobs: Vec<Job> = vec![Job::Face(*face_overview), Job::Plate(*plate_overview)];
        if cfg.text.is_some() {
            jobs.extend(plan_views(w, h, cfg, &cfg.text_pyramid()).into_iter().map(Job::Text));
        }
        let mut done = self.run_jobs(img, cfg, pool, cancel, &jobs)?;
        // A gate on clp_det's overview scores (its finest priors) lost plates
        // on the mosaic test even at 0.0003: small plates leave no trace
        // there, so every plate tile runs.
        let face_heat = done[0].heat.take();
        let faces_run: Vec<View> = face_tiles
            .iter()
            .filter(|v| match (cfg.face_gate, &face_heat) {
                (Some(gate), Some(heat)) => heat.max_over(&v.region) >= gate,
                _ => true,
            })
            .copied()
            .collect();
        timings.face_tiles = face_tiles.len();
        timings.face_tiles_run = faces_run.len();
        let tiles: Vec<Job> = faces_run
            .into_iter()
            .map(Job::Face)
            .chain(plate_tiles.iter().copied().map(Job::Plate))
            .collect();
        done.extend(self.run_jobs(img, cfg, pool, cancel, &tiles)?);
        jobs.extend(tiles);

        let (mut faces, mut plates) = (Vec::new(), Vec::new());
        for (job, r) in jobs.iter().zip(done) {
            match job {
                Job::Face(_) => {
                    timings.face_ms += r.ms;
                    faces.extend(r.dets);
                }
                Job::Plate(_) => {
                    timings.plate_ms += r.ms;
                    plates.extend(r.dets);
                }
                Job::Text(_) => {
                    timings.text_ms += r.ms;
                    plates.extend(r.dets);
                }
            }
        }
        timings.plans_ms = self.planning_ms() - planning_before;
        let found = Detections {
            faces: finish(faces, w, h),
            plates: finish(plates, w, h),
        };
        Ok((found, timings))
    }

    /// Runs `jobs` on the pool (or one after another), in their order.
    fn run_jobs(
        &self,
        img: &RgbImage,
        cfg: &DetectConfig,
        pool: Option<&Pool>,
        cancel: &Cancel,
        jobs: &[Job],
    ) -> Result<Vec<ViewResult>> {
        // Build the plans for every input shape first, all at once on the
        // pool: built on first use instead, a worker that needs a plan another
        // is building waits for it.
        #[cfg(feature = "parallel")]
        if let Some(pool) = pool {
            let mut shapes: Vec<(&OnnxModel, usize, usize)> = Vec::new();
            for job in jobs {
                let (model, v) = match job {
                    Job::Face(v) => (&self.face, v),
                    Job::Plate(v) => (&self.plate, v),
                    Job::Text(v) => (&self.text, v),
                };
                if !shapes
                    .iter()
                    .any(|(m, h, w)| std::ptr::eq(*m, model) && (*h, *w) == (v.pad_h, v.pad_w))
                {
                    shapes.push((model, v.pad_h, v.pad_w));
                }
            }
            pool.install(|| {
                shapes.par_iter().try_for_each(|(m, h, w)| {
                    cancel.check()?;
                    m.prepare(*h, *w)
                })
            })?;
        }
        let run = |job: &Job| -> Result<ViewResult> {
            cancel.check()?;
            let started = Instant::now();
            let (dets, heat) = match job {
                Job::Face(v) => {
                    let (d, heat) = centerface::detect_with_heat(&self.face, img, v, cfg.face_threshold)?;
                    (d, Some(heat))
                }
                Job::Plate(v) => (plates::detect(&self.plate, img, v, cfg.plate_threshold)?, None),
                Job::Text(v) => {
                    let p = cfg.text.unwrap_or_default();
                    (text::detect(&self.text, img, v, &p)?, None)
                }
            };
            // Suppress within the view first, in parallel: at low thresholds a
            // view yields a box per heatmap cell and prior, and one global
            // quadratic pass over all of them would dominate the run time.
            let dets = merge_detections(dets, NMS_IOU, NMS_CONTAINMENT);
            Ok(ViewResult {
                dets,
                heat,
                ms: started.elapsed().as_secs_f64() * 1000.0,
            })
        };
        #[cfg(feature = "parallel")]
        let results: Vec<Result<ViewResult>> = match pool {
            Some(pool) => pool.install(|| jobs.par_iter().map(run).collect()),
            None => jobs.iter().map(run).collect(),
        };
        #[cfg(not(feature = "parallel"))]
        let results: Vec<Result<ViewResult>> = match pool {
            Some(never) => match *never {},
            None => jobs.iter().map(run).collect(),
        };
        cancel.check()?;
        results.into_iter().collect()
    }
}

/// What one view found, and how long it took.
struct ViewResult {
    dets: Vec<Detection>,
    /// CenterFace's heatmap (face views only).
    heat: Option<view::Heat>,
    ms: f64,
}

/// IoU above which two boxes are taken for the same object.
const NMS_IOU: f32 = 0.3;
/// Share of the smaller box inside the larger above which both are one object.
const NMS_CONTAINMENT: f32 = 0.7;

/// Merges overlapping boxes from different views and detectors, and clamps.
/// Padding is added when blurring ([`DetectConfig::face_padding`]), so the
/// reported boxes stay comparable with annotations.
fn finish(dets: Vec<Detection>, w: u32, h: u32) -> Vec<Detection> {
    merge_detections(dets, NMS_IOU, NMS_CONTAINMENT)
        .into_iter()
        .map(|d| Detection {
            bbox: d.bbox.clamped(w, h),
            score: d.score,
        })
        .filter(|d| d.bbox.is_valid())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_larger_upload_is_searched_at_a_finer_scale() {
        let cfg = DetectConfig::default();
        // 2048 px of a 4000 px photo: the defaults hold.
        let d = cfg.for_output(2048.0 / 4000.0);
        assert!((d.face_scale - 0.512).abs() < 1e-3 && (d.plate_scale - 0.6).abs() < 0.01);
        // Sent at full size: native pixels for both.
        let full = cfg.for_output(1.0);
        assert_eq!((full.face_scale, full.plate_scale), (1.0, 1.0));
        // A small upload never lowers them.
        let small = cfg.for_output(0.2);
        assert_eq!((small.face_scale, small.plate_scale), (cfg.face_scale, cfg.plate_scale));
        assert_eq!(cfg.for_output(f32::NAN).face_scale, 1.0);
    }
}
