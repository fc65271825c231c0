//! Measuring detection quality against annotated photos: a `boxes.json` in
//! the format of the development set (`file`, `faces`, `plates`, each box
//! `[x1, y1, x2, y2]`). A ground-truth box counts as found when some detection
//! overlaps it with IoU ≥ the threshold (0.3: for blurring, coverage matters
//! more than a tight fit); a detection counts as correct when it overlaps some
//! ground-truth box that well.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{AnonError, Result};
use crate::geometry::{BBox, Detection};

/// One annotated image.
#[derive(Debug, Clone, Deserialize)]
pub struct Annotated {
    /// File name under `images/`.
    pub file: String,
    /// Annotated faces.
    #[serde(default)]
    pub faces: Vec<BBox>,
    /// Annotated plates.
    #[serde(default)]
    pub plates: Vec<BBox>,
}

/// Reads `boxes.json`.
pub fn load_annotations(path: &Path) -> Result<Vec<Annotated>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AnonError::Dataset(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| AnonError::Dataset(format!("{} is not a valid boxes.json: {e}", path.display())))
}

/// Hit counts for one class of object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Score {
    /// Ground-truth boxes.
    pub truths: usize,
    /// Ground-truth boxes that were found.
    pub found: usize,
    /// Detections.
    pub detections: usize,
    /// Detections that match a ground-truth box.
    pub correct: usize,
}

impl Score {
    /// Compares detections with ground truth for one image.
    pub fn of(truth: &[BBox], dets: &[Detection], iou: f32) -> Score {
        let hit = |a: &BBox, b: &BBox| a.iou(b) >= iou;
        Score {
            truths: truth.len(),
            found: truth.iter().filter(|t| dets.iter().any(|d| hit(t, &d.bbox))).count(),
            detections: dets.len(),
            correct: dets.iter().filter(|d| truth.iter().any(|t| hit(t, &d.bbox))).count(),
        }
    }

    /// Share of ground-truth boxes found (1 when there are none).
    pub fn recall(&self) -> f64 {
        if self.truths == 0 {
            1.0
        } else {
            self.found as f64 / self.truths as f64
        }
    }

    /// Share of detections that are correct (1 when there are none).
    pub fn precision(&self) -> f64 {
        if self.detections == 0 {
            1.0
        } else {
            self.correct as f64 / self.detections as f64
        }
    }

    /// Adds another image's counts.
    pub fn add(&mut self, other: Score) {
        self.truths += other.truths;
        self.found += other.found;
        self.detections += other.detections;
        self.correct += other.correct;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recall_and_precision_count_overlaps() {
        let truth = [BBox::new(0.0, 0.0, 10.0, 10.0), BBox::new(100.0, 100.0, 110.0, 110.0)];
        let dets = [
            Detection {
                bbox: BBox::new(1.0, 1.0, 12.0, 12.0),
                score: 0.9,
            },
            Detection {
                bbox: BBox::new(50.0, 50.0, 60.0, 60.0),
                score: 0.5,
            },
        ];
        let s = Score::of(&truth, &dets, 0.3);
        assert_eq!((s.found, s.correct), (1, 1));
        assert_eq!(s.recall(), 0.5);
        assert_eq!(s.precision(), 0.5);
    }
}
