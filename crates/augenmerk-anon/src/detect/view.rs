//! A view is one model input: which region of the image it shows, at what
//! size, padded to which fixed tensor size. It maps boxes found in tensor
//! coordinates back to image coordinates.

use image::RgbImage;
use tract_onnx::prelude::*;

use super::input::{Norm, Region, region_tensor};
use crate::geometry::BBox;

/// One model input cut from the image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// The image region shown.
    pub region: Region,
    /// Size the region is scaled to inside the tensor.
    pub out_w: usize,
    /// Height the region is scaled to.
    pub out_h: usize,
    /// Tensor width (a multiple of 32).
    pub pad_w: usize,
    /// Tensor height (a multiple of 32).
    pub pad_h: usize,
}

impl View {
    /// Image pixels per tensor pixel, horizontally.
    pub fn sx(&self) -> f32 {
        self.region.w / self.out_w as f32
    }

    /// Image pixels per tensor pixel, vertically.
    pub fn sy(&self) -> f32 {
        self.region.h / self.out_h as f32
    }

    /// Maps a box in tensor pixels to image pixels.
    pub fn to_image(&self, b: BBox) -> BBox {
        b.scaled_offset(self.sx(), self.sy(), self.region.x, self.region.y)
    }

    /// The normalised input tensor for this view.
    pub fn tensor(&self, img: &RgbImage, norm: &Norm) -> TractResult<Tensor> {
        region_tensor(img, self.region, self.out_w, self.out_h, self.pad_w, self.pad_h, norm)
    }
}

/// A detector's score map of one view, cut to the image region: how likely
/// each cell (`stride` tensor pixels) holds an object. The overview's map
/// decides which finer tiles run ([`super::DetectConfig::face_gate`]).
#[derive(Debug, Clone)]
pub struct Heat {
    cells: Vec<f32>,
    cols: usize,
    rows: usize,
    stride: usize,
    view: View,
}

/// Cells around a region that also count for it: an object cut by the
/// region's border still lights cells just outside.
const HEAT_MARGIN_CELLS: f32 = 1.0;

impl Heat {
    /// A map of `cols`×`rows` cells (row by row) of `stride` pixels of `view`'s tensor.
    pub fn new(cells: Vec<f32>, cols: usize, rows: usize, stride: usize, view: View) -> Heat {
        debug_assert_eq!(cells.len(), cols * rows);
        Heat {
            cells,
            cols,
            rows,
            stride,
            view,
        }
    }

    /// The highest value over the cells that `region` (image pixels) covers,
    /// plus a margin; 0 when it lies outside the map.
    pub fn max_over(&self, region: &Region) -> f32 {
        let v = &self.view;
        let st = self.stride as f32;
        let cell = |x: f32, s: f32, o: f32| (x - o) / s / st;
        let x1 = cell(region.x, v.sx(), v.region.x) - HEAT_MARGIN_CELLS;
        let x2 = cell(region.x + region.w, v.sx(), v.region.x) + HEAT_MARGIN_CELLS;
        let y1 = cell(region.y, v.sy(), v.region.y) - HEAT_MARGIN_CELLS;
        let y2 = cell(region.y + region.h, v.sy(), v.region.y) + HEAT_MARGIN_CELLS;
        let clamp = |c: f32, n: usize| (c.max(0.0) as usize).min(n);
        let (c1, c2) = (clamp(x1.floor(), self.cols), clamp(x2.ceil(), self.cols));
        let (r1, r2) = (clamp(y1.floor(), self.rows), clamp(y2.ceil(), self.rows));
        let mut best = 0f32;
        for r in r1..r2 {
            for &h in &self.cells[r * self.cols + c1..r * self.cols + c2] {
                best = best.max(h);
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heat_map_is_read_over_a_region_with_a_margin() {
        // A 4×2 map of stride 4 over a 32×16 image shown 1:2 (16×8 tensor pixels).
        let view = View {
            region: Region {
                x: 0.0,
                y: 0.0,
                w: 32.0,
                h: 16.0,
            },
            out_w: 16,
            out_h: 8,
            pad_w: 16,
            pad_h: 8,
        };
        let heat = Heat::new(vec![0.0, 0.0, 0.0, 0.9, 0.0, 0.1, 0.0, 0.0], 4, 2, 4, view);
        let region = |x: f32, w: f32| Region { x, y: 0.0, w, h: 16.0 };
        // Cells 0–1 (image x 0–16) plus one cell of margin reach cell 2 (0.0 there).
        assert_eq!(heat.max_over(&region(0.0, 8.0)), 0.1);
        assert_eq!(heat.max_over(&region(24.0, 8.0)), 0.9);
        assert_eq!(heat.max_over(&region(100.0, 8.0)), 0.0);
    }
}
