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
//! Boxes from all views are mapped back to image pixels, merged and clamped;
//! the blur step pads them. Faces come from CenterFace; plates are the union of the plate
//! detector and plate-shaped text boxes (privacy first: recall over precision).

pub mod centerface;
pub mod input;
pub mod plates;
pub mod text;
pub mod view;

use image::RgbImage;
#[cfg(feature = "parallel")]
use rayon::prelude::*;
use serde::Serialize;
use web_time::Instant;

use self::input::Region;
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
    /// face level for a 2048 px upload is 5×4 tiles of 480×448). In tract,
    /// CenterFace costs about the same per pixel from 384 to 576 px and
    /// 30–50% more at 672 and above (cache); some shapes in between cost 25%
    /// more (480 wide × 544 high), so shapes are worth measuring.
    pub tile_size: usize,
    /// Largest side of a plate tile. Plates keep 384: 544 lost a mosaic plate
    /// at a tile border, and clp_det costs a quarter of CenterFace per pixel,
    /// so larger plate tiles would save little.
    pub plate_tile_size: usize,
    /// Side of the text detector's tiles: unlike the other two models it runs
    /// faster per pixel on larger inputs.
    pub text_tile_size: usize,
    /// Overlap of neighbouring tiles, in pixels of a `tile_size` tile (scaled
    /// for text tiles). It has to hold every object that the next coarser view
    /// cannot see whole: faces below about 75 px (the 640 px overview of a
    /// 4000 px photo finds larger ones) are at most 45 px at the face scale;
    /// plates up to 190 px wide fit at the plates' middle level (0.33).
    pub tile_overlap: usize,
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
    /// Largest scale step between consecutive plate levels. A plate too wide
    /// for the finest level's overlap (64 px at 0.6: 107 px) can be cut by a
    /// tile border there, and the overview (0.16) sees plates from about
    /// 150 px on; 3.0 puts a level between them (0.31) for 12 tiles.
    pub plate_level_ratio: f32,
    /// CenterFace heatmap threshold.
    pub face_threshold: f32,
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
            tile_size: 544,
            plate_tile_size: 384,
            text_tile_size: 640,
            tile_overlap: 64,
            face_scale: 0.5,
            plate_scale: 0.6,
            max_level_ratio: 4.0,
            plate_level_ratio: 3.0,
            face_threshold: 0.2,
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
        if self.tile_overlap * 2 >= self.tile_size.min(self.plate_tile_size) {
            return bad(format!(
                "tile overlap {} must be below half the tile size",
                self.tile_overlap
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
}

/// How a view that is smaller than its square input fills it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Keep the aspect ratio and pad (faces: CenterFace dislikes squeezed
    /// faces; small images are enlarged up to 2×).
    Letterbox,
    /// Stretch onto the whole input (plates and text: padding leaves a hard
    /// image/padding edge that the plate detector takes for a plate, and
    /// both tolerate a 4:3 squeeze).
    Stretch,
}

/// The overview plus the tile levels for an image of `w`×`h` pixels, up to
/// `finest` scale.
/// Consecutive levels are at most `max_ratio` apart.
pub fn plan_views(w: u32, h: u32, cfg: &DetectConfig, finest: f32, max_ratio: f32, fit: Fit, tile: usize) -> Vec<View> {
    let (wf, hf) = (w as f32, h as f32);
    let long = wf.max(hf);
    let ov = cfg.overview_size;
    // Scale of the overview along the long side.
    let ov_scale = ov as f32 / long;
    let (ov_w, ov_h) = match fit {
        Fit::Stretch => (ov, ov),
        Fit::Letterbox => {
            let s = ov_scale.min(2.0);
            (
                ((wf * s).round() as usize).clamp(1, ov),
                ((hf * s).round() as usize).clamp(1, ov),
            )
        }
    };
    let mut views = vec![View {
        region: Region {
            x: 0.0,
            y: 0.0,
            w: wf,
            h: hf,
        },
        out_w: ov_w,
        out_h: ov_h,
        pad_w: ov,
        pad_h: ov,
    }];
    if finest <= ov_scale * 1.05 {
        return views;
    }
    // Levels between the overview and the finest scale, at most
    // `max_ratio` apart, evenly spaced in log scale.
    let steps = ((finest / ov_scale).ln() / max_ratio.ln()).ceil().max(1.0) as i32;
    let ratio = (finest / ov_scale).powf(1.0 / steps as f32);
    for k in 1..=steps {
        let s = if k == steps { finest } else { ov_scale * ratio.powi(k) };
        // Text tiles are larger and hold proportionally more overlap.
        let overlap = if tile > cfg.tile_size.max(cfg.plate_tile_size) {
            cfg.tile_overlap * tile / cfg.tile_size.max(cfg.plate_tile_size)
        } else {
            cfg.tile_overlap
        };
        views.extend(level_tiles(wf, hf, s, tile, overlap, fit));
    }
    views
}

/// How many tiles cover a side of `len` scaled pixels with at least
/// `overlap` pixels between neighbours, and their length: as few tiles of at
/// most `max` pixels as that allows, each shrunk to what covering needs
/// (rounded up to a multiple of 32 for the models). A tiling of fixed-size
/// tiles wastes up to a tile's width per row and column on a needless extra
/// overlap; fitted tiles waste at most 31 pixels.
fn fit_side(len: f32, max: usize, overlap: usize) -> (usize, usize) {
    let round32 = |v: f32| ((v.ceil().max(1.0) as usize).div_ceil(32) * 32).clamp(64, max.max(64));
    if len <= max as f32 {
        return (1, round32(len));
    }
    let o = overlap as f32;
    let n = ((len - o) / (max as f32 - o)).ceil().max(2.0) as usize;
    (n, round32((len + (n - 1) as f32 * o) / n as f32))
}

/// Overlapping views of at most `tile`×`tile` input pixels covering the image
/// scaled by `s`; all views of one level share one input shape.
fn level_tiles(w: f32, h: f32, s: f32, tile: usize, overlap: usize, fit: Fit) -> Vec<View> {
    let (sw, sh) = (w * s, h * s);
    let (nx, pad_w) = fit_side(sw, tile, overlap);
    let (ny, pad_h) = fit_side(sh, tile, overlap);
    let positions = |len: f32, n: usize, t: f32| -> Vec<f32> {
        if n == 1 {
            return vec![0.0];
        }
        (0..n)
            .map(|i| (i as f32 * (len - t) / (n - 1) as f32).round())
            .collect()
    };
    // A side shorter than its tile (by less than 32 px after fitting) is
    // stretched or padded, as `fit` says.
    let (tw, th) = (sw.min(pad_w as f32), sh.min(pad_h as f32));
    let (out_w, out_h) = match fit {
        Fit::Stretch => (pad_w, pad_h),
        Fit::Letterbox => (
            (tw.round() as usize).clamp(1, pad_w),
            (th.round() as usize).clamp(1, pad_h),
        ),
    };
    let mut views = Vec::with_capacity(nx * ny);
    for y in positions(sh, ny, th) {
        for x in positions(sw, nx, tw) {
            views.push(View {
                region: Region {
                    x: x / s,
                    y: y / s,
                    w: tw / s,
                    h: th / s,
                },
                out_w,
                out_h,
                pad_w,
                pad_h,
            });
        }
    }
    views
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
        let mut jobs: Vec<Job> = Vec::new();
        jobs.extend(
            plan_views(
                w,
                h,
                cfg,
                cfg.face_scale,
                cfg.max_level_ratio,
                Fit::Letterbox,
                cfg.tile_size,
            )
            .into_iter()
            .map(Job::Face),
        );
        jobs.extend(
            plan_views(
                w,
                h,
                cfg,
                cfg.plate_scale,
                cfg.plate_level_ratio,
                Fit::Stretch,
                cfg.plate_tile_size,
            )
            .into_iter()
            .map(Job::Plate),
        );
        if cfg.text.is_some() {
            let text = plan_views(
                w,
                h,
                cfg,
                cfg.text_scale,
                cfg.max_level_ratio,
                Fit::Stretch,
                cfg.text_tile_size,
            );
            jobs.extend(text.into_iter().map(Job::Text));
        }
        // Build the plans for every input shape first, all at once on the
        // pool: built on first use instead, a worker that needs a plan another
        // is building waits for it.
        #[cfg(feature = "parallel")]
        if let Some(pool) = pool {
            let mut shapes: Vec<(&OnnxModel, usize, usize)> = Vec::new();
            for job in &jobs {
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
        let run = |job: &Job| -> Result<(bool, Vec<Detection>, f64)> {
            cancel.check()?;
            let started = Instant::now();
            let (is_face, dets) = match job {
                Job::Face(v) => (true, centerface::detect(&self.face, img, v, cfg.face_threshold)?),
                Job::Plate(v) => (false, plates::detect(&self.plate, img, v, cfg.plate_threshold)?),
                Job::Text(v) => {
                    let p = cfg.text.unwrap_or_default();
                    (false, text::detect(&self.text, img, v, &p)?)
                }
            };
            // Suppress within the view first, in parallel: at low thresholds a
            // view yields a box per heatmap cell and prior, and one global
            // quadratic pass over all of them would dominate the run time.
            let dets = merge_detections(dets, NMS_IOU, NMS_CONTAINMENT);
            Ok((is_face, dets, started.elapsed().as_secs_f64() * 1000.0))
        };
        #[cfg(feature = "parallel")]
        let results: Vec<Result<(bool, Vec<Detection>, f64)>> = match pool {
            Some(pool) => pool.install(|| jobs.par_iter().map(run).collect()),
            None => jobs.iter().map(run).collect(),
        };
        #[cfg(not(feature = "parallel"))]
        let results: Vec<Result<(bool, Vec<Detection>, f64)>> = match pool {
            Some(never) => match *never {},
            None => jobs.iter().map(run).collect(),
        };
        cancel.check()?;
        let (mut faces, mut plates) = (Vec::new(), Vec::new());
        let mut timings = DetectTimings::default();
        for (job, r) in jobs.iter().zip(results) {
            let (is_face, dets, ms) = r?;
            match job {
                Job::Face(_) => timings.face_ms += ms,
                Job::Plate(_) => timings.plate_ms += ms,
                Job::Text(_) => timings.text_ms += ms,
            }
            if is_face {
                faces.extend(dets)
            } else {
                plates.extend(dets)
            }
        }
        timings.plans_ms = self.planning_ms() - planning_before;
        let found = Detections {
            faces: finish(faces, w, h),
            plates: finish(plates, w, h),
        };
        Ok((found, timings))
    }
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
    fn small_image_gets_only_an_overview() {
        let v = plan_views(512, 366, &DetectConfig::default(), 1.0, 4.0, Fit::Letterbox, 640);
        assert_eq!(v.len(), 1);
        assert_eq!((v[0].out_w, v[0].out_h), (640, 458));
        let v = plan_views(512, 366, &DetectConfig::default(), 1.0, 4.0, Fit::Stretch, 640);
        assert_eq!((v[0].out_w, v[0].out_h), (640, 640));
    }

    #[test]
    fn face_tiles_of_a_12mp_photo_are_fitted() {
        let cfg = DetectConfig::default();
        // At the scale of a 2048 px upload: the overview plus 5×4 tiles of
        // 480×448 (8×6 of 384×384 at 0.6 before tiles were fitted).
        let face = cfg.for_output(2048.0 / 4000.0).face_scale;
        let views = plan_views(
            4000,
            3000,
            &cfg,
            face,
            cfg.max_level_ratio,
            Fit::Letterbox,
            cfg.tile_size,
        );
        assert_eq!(views.len(), 1 + 20);
        assert!(views[1..].iter().all(|v| (v.pad_w, v.pad_h) == (480, 448)));
        // Plates keep 384×384 tiles: 4×3 at the middle level (0.31), 8×6 at 0.6.
        let plates = plan_views(
            4000,
            3000,
            &cfg,
            cfg.plate_scale,
            cfg.plate_level_ratio,
            Fit::Stretch,
            cfg.plate_tile_size,
        );
        assert_eq!(plates.len(), 1 + 12 + 48);
    }

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

    #[test]
    fn tiles_cover_a_12mp_photo_at_native_scale() {
        let cfg = DetectConfig::default();
        let views = plan_views(4000, 3000, &cfg, 1.0, 4.0, Fit::Stretch, 640);
        let native: Vec<_> = views.iter().filter(|v| (v.sx() - 1.0).abs() < 1e-3).collect();
        assert!(!native.is_empty());
        // Every pixel column and row is covered by some native tile.
        let right = native.iter().map(|v| v.region.x + v.region.w).fold(0.0, f32::max);
        let bottom = native.iter().map(|v| v.region.y + v.region.h).fold(0.0, f32::max);
        assert_eq!((right, bottom), (4000.0, 3000.0));
        for v in &views {
            assert!(v.out_w <= v.pad_w && v.out_h <= v.pad_h);
        }
    }
}
