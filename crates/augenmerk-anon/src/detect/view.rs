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
