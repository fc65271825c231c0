//! Axis-aligned boxes in image pixel coordinates and the operations the
//! detectors need on them: intersection over union, non-maximum suppression,
//! padding and clamping. A box is `[x1, y1, x2, y2]` with `x2 > x1`, `y2 > y1`,
//! in the coordinates of the oriented (upright) image.

use serde::{Deserialize, Serialize};

/// A box `[x1, y1, x2, y2]` in pixels; serialised as a four-element array.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(from = "[f32; 4]", into = "[f32; 4]")]
pub struct BBox {
    /// Left edge.
    pub x1: f32,
    /// Top edge.
    pub y1: f32,
    /// Right edge (exclusive).
    pub x2: f32,
    /// Bottom edge (exclusive).
    pub y2: f32,
}

impl From<[f32; 4]> for BBox {
    fn from(a: [f32; 4]) -> Self {
        BBox::new(a[0], a[1], a[2], a[3])
    }
}

impl From<BBox> for [f32; 4] {
    fn from(b: BBox) -> Self {
        [b.x1, b.y1, b.x2, b.y2]
    }
}

impl BBox {
    /// Builds a box from its corners.
    pub const fn new(x1: f32, y1: f32, x2: f32, y2: f32) -> Self {
        BBox { x1, y1, x2, y2 }
    }

    /// Width in pixels (0 for a degenerate box).
    pub fn width(&self) -> f32 {
        (self.x2 - self.x1).max(0.0)
    }

    /// Height in pixels (0 for a degenerate box).
    pub fn height(&self) -> f32 {
        (self.y2 - self.y1).max(0.0)
    }

    /// Area in square pixels.
    pub fn area(&self) -> f32 {
        self.width() * self.height()
    }

    /// True when every coordinate is finite and the box has a positive area.
    pub fn is_valid(&self) -> bool {
        [self.x1, self.y1, self.x2, self.y2].iter().all(|v| v.is_finite()) && self.x2 > self.x1 && self.y2 > self.y1
    }

    /// Area of the overlap with `other`.
    pub fn intersection(&self, other: &BBox) -> f32 {
        let w = (self.x2.min(other.x2) - self.x1.max(other.x1)).max(0.0);
        let h = (self.y2.min(other.y2) - self.y1.max(other.y1)).max(0.0);
        w * h
    }

    /// Intersection over union, 0 when either box is empty.
    pub fn iou(&self, other: &BBox) -> f32 {
        let inter = self.intersection(other);
        let union = self.area() + other.area() - inter;
        if union <= 0.0 { 0.0 } else { inter / union }
    }

    /// Share of the smaller box covered by the other one; used to fold a box
    /// that sits inside a larger one, which IoU alone would keep.
    pub fn containment(&self, other: &BBox) -> f32 {
        let smaller = self.area().min(other.area());
        if smaller <= 0.0 {
            0.0
        } else {
            self.intersection(other) / smaller
        }
    }

    /// The box grown by `fraction` of its width and height on every side.
    pub fn padded(&self, fraction: f32) -> BBox {
        self.padded_xy(fraction, fraction)
    }

    /// The box grown by `fx` of its width left and right and `fy` of its
    /// height above and below.
    pub fn padded_xy(&self, fx: f32, fy: f32) -> BBox {
        let dx = self.width() * fx;
        let dy = self.height() * fy;
        BBox::new(self.x1 - dx, self.y1 - dy, self.x2 + dx, self.y2 + dy)
    }

    /// The box limited to an image of `width` × `height` pixels.
    pub fn clamped(&self, width: u32, height: u32) -> BBox {
        let (w, h) = (width as f32, height as f32);
        BBox::new(
            self.x1.clamp(0.0, w),
            self.y1.clamp(0.0, h),
            self.x2.clamp(0.0, w),
            self.y2.clamp(0.0, h),
        )
    }

    /// The box scaled by `sx` horizontally and `sy` vertically, then moved by
    /// (`dx`, `dy`); maps a box from a tile or a downscaled pass back.
    pub fn scaled_offset(&self, sx: f32, sy: f32, dx: f32, dy: f32) -> BBox {
        BBox::new(
            self.x1 * sx + dx,
            self.y1 * sy + dy,
            self.x2 * sx + dx,
            self.y2 * sy + dy,
        )
    }

    /// The smallest box that holds both.
    pub fn union(&self, other: &BBox) -> BBox {
        BBox::new(
            self.x1.min(other.x1),
            self.y1.min(other.y1),
            self.x2.max(other.x2),
            self.y2.max(other.y2),
        )
    }

    /// Integer pixel bounds `(x1, y1, x2, y2)`, rounded outwards so that the
    /// whole box is covered, limited to the image.
    pub fn pixel_bounds(&self, width: u32, height: u32) -> (u32, u32, u32, u32) {
        let c = self.clamped(width, height);
        (
            c.x1.floor() as u32,
            c.y1.floor() as u32,
            (c.x2.ceil() as u32).min(width),
            (c.y2.ceil() as u32).min(height),
        )
    }
}

/// A detected box with the detector's confidence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// Where the object is.
    #[serde(rename = "box")]
    pub bbox: BBox,
    /// Detector confidence in 0..=1.
    pub score: f32,
}

/// Greedy non-maximum suppression: keeps the best-scoring box of each group
/// whose IoU exceeds `iou_threshold`, and also drops a box that lies mostly
/// (`containment_threshold`) inside a better one or holds one. Boxes are not
/// grown into unions: a union with a large weak box would be a worse fit, and
/// the blur step pads every box anyway.
pub fn merge_detections(mut dets: Vec<Detection>, iou_threshold: f32, containment_threshold: f32) -> Vec<Detection> {
    dets.retain(|d| d.bbox.is_valid() && d.score.is_finite());
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::with_capacity(dets.len());
    'next: for d in dets {
        for k in &kept {
            if k.bbox.iou(&d.bbox) > iou_threshold || k.bbox.containment(&d.bbox) > containment_threshold {
                continue 'next;
            }
        }
        kept.push(d);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iou_of_identical_and_disjoint_boxes() {
        let a = BBox::new(0.0, 0.0, 10.0, 10.0);
        assert!((a.iou(&a) - 1.0).abs() < 1e-6);
        assert_eq!(a.iou(&BBox::new(20.0, 20.0, 30.0, 30.0)), 0.0);
        let half = BBox::new(5.0, 0.0, 15.0, 10.0);
        assert!((a.iou(&half) - 1.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn merge_keeps_best_box() {
        let dets = vec![
            Detection {
                bbox: BBox::new(0.0, 0.0, 10.0, 10.0),
                score: 0.5,
            },
            Detection {
                bbox: BBox::new(1.0, 1.0, 11.0, 11.0),
                score: 0.9,
            },
            Detection {
                bbox: BBox::new(50.0, 50.0, 60.0, 60.0),
                score: 0.3,
            },
        ];
        let m = merge_detections(dets, 0.3, 0.8);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].score, 0.9);
        assert_eq!(m[0].bbox, BBox::new(1.0, 1.0, 11.0, 11.0));
    }

    #[test]
    fn invalid_boxes_are_dropped() {
        let dets = vec![Detection {
            bbox: BBox::new(f32::NAN, 0.0, 1.0, 1.0),
            score: 1.0,
        }];
        assert!(merge_detections(dets, 0.3, 0.8).is_empty());
    }

    #[test]
    fn pixel_bounds_round_outwards_and_clamp() {
        let b = BBox::new(-3.2, 1.5, 9.1, 200.0);
        assert_eq!(b.pixel_bounds(100, 100), (0, 1, 10, 100));
    }
}
