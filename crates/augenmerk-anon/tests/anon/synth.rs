//! Test and benchmark material built from the development photos, which may
//! not be shipped: where they are, which models are needed, and 12-megapixel
//! mosaics that place dev photos (with their boxes) on a large canvas so that
//! faces and plates are as small as in a real phone photo.
//! Shared by the integration tests and the benchmark (`#[path]` include).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use augenmerk_anon::BBox;
use augenmerk_anon::eval::{Annotated, load_annotations};
use image::{RgbImage, imageops};

/// The annotated development set: `$AUGENMERK_ANON_DEV`, else
/// `../shared/data/anon-dev` next to the repository.
pub fn dev_dir() -> PathBuf {
    match std::env::var_os("AUGENMERK_ANON_DEV") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/anon-dev"),
    }
}

/// The models folder, failing loudly (never skipping) when models are missing.
pub fn require_models() -> PathBuf {
    let dir = augenmerk_anon::default_models_dir();
    for f in ["centerface.onnx", "clp_det.onnx", "ch_mul_v2_c_det.onnx"] {
        assert!(
            dir.join(f).is_file(),
            "model {} is missing: run models/fetch.sh from the repository root first \
             (or set AUGENMERK_MODELS to the folder holding the models)",
            dir.join(f).display()
        );
    }
    dir
}

/// One decoded development photo with its boxes.
pub struct DevPhoto {
    /// Annotation entry.
    pub entry: Annotated,
    /// Upright pixels.
    pub image: RgbImage,
}

/// Loads every photo of the development set, failing with a clear message
/// when the set is not there.
pub fn load_dev() -> Vec<DevPhoto> {
    let dir = dev_dir();
    let boxes = dir.join("boxes.json");
    assert!(
        boxes.is_file(),
        "development set not found at {}: set AUGENMERK_ANON_DEV to the anon-dev folder",
        dir.display()
    );
    let entries = load_annotations(&boxes).expect("boxes.json parses");
    entries
        .into_iter()
        .map(|entry| {
            let path = dir.join("images").join(&entry.file);
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let image = augenmerk_anon::decode::decode(&bytes, &Default::default())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .image;
            DevPhoto { entry, image }
        })
        .collect()
}

/// A synthetic large photo with its ground truth.
pub struct Mosaic {
    /// The canvas.
    pub image: RgbImage,
    /// Face boxes, in canvas pixels.
    pub faces: Vec<BBox>,
    /// Plate boxes, in canvas pixels.
    pub plates: Vec<BBox>,
}

/// Small deterministic generator (xorshift64*), so mosaics are reproducible.
pub struct Rng(u64);

impl Rng {
    /// Seeds the generator (0 is replaced by a constant).
    pub fn new(seed: u64) -> Self {
        Rng(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// Next value in [0, 1).
    pub fn next_f32(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let v = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (v >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.next_f32()
    }
}

fn scaled_boxes(boxes: &[BBox], s: f32, dx: f32, dy: f32) -> impl Iterator<Item = BBox> + '_ {
    boxes.iter().map(move |b| b.scaled_offset(s, s, dx, dy))
}

/// Builds a `width`×`height` mosaic: a grid of `cols`×`rows` cells, each
/// holding one photo scaled by a random factor in `scale` (downscaled
/// further if it would not fit its cell) at a random position inside the
/// cell, on a grey-noise background. Boxes are scaled and moved with their
/// photos.
pub fn mosaic(
    photos: &[&DevPhoto],
    width: u32,
    height: u32,
    cols: u32,
    rows: u32,
    scale: (f32, f32),
    rng: &mut Rng,
) -> Mosaic {
    let mut image = RgbImage::from_fn(width, height, |x, y| {
        let v = 96 + ((x * 7 + y * 13) % 32) as u8;
        image::Rgb([v, v, v.saturating_add(8)])
    });
    let (cw, ch) = (width / cols, height / rows);
    let (mut faces, mut plates) = (Vec::new(), Vec::new());
    for (i, p) in photos.iter().enumerate().take((cols * rows) as usize) {
        let (cx, cy) = ((i as u32 % cols) * cw, (i as u32 / cols) * ch);
        let (pw, ph) = p.image.dimensions();
        let fit = (cw as f32 / pw as f32).min(ch as f32 / ph as f32);
        let s = rng.range(scale.0, scale.1).min(fit);
        let (nw, nh) = (
            ((pw as f32 * s).round() as u32).max(1),
            ((ph as f32 * s).round() as u32).max(1),
        );
        let small = if (nw, nh) == (pw, ph) {
            p.image.clone()
        } else {
            imageops::resize(&p.image, nw, nh, imageops::FilterType::Triangle)
        };
        let ox = cx + (rng.next_f32() * (cw - nw) as f32) as u32;
        let oy = cy + (rng.next_f32() * (ch - nh) as f32) as u32;
        imageops::replace(&mut image, &small, i64::from(ox), i64::from(oy));
        let (sx, sy) = (nw as f32 / pw as f32, nh as f32 / ph as f32);
        let s = (sx + sy) / 2.0;
        faces.extend(scaled_boxes(&p.entry.faces, s, ox as f32, oy as f32));
        plates.extend(scaled_boxes(&p.entry.plates, s, ox as f32, oy as f32));
    }
    Mosaic { image, faces, plates }
}

/// The three 4000×3000 mosaics of the recall test: 5×4 cells, each mosaic with 10
/// face and 10 plate photos at 0.8–1.2 of their size: faces of roughly 25–60 px (the
/// issue's "face 30 m away": 40 px), plates of 80–180 px width.
pub fn test_mosaics() -> Vec<Mosaic> {
    let dev = load_dev();
    let face_photos: Vec<&DevPhoto> = dev.iter().filter(|p| !p.entry.faces.is_empty()).collect();
    let plate_photos: Vec<&DevPhoto> = dev.iter().filter(|p| !p.entry.plates.is_empty()).collect();
    let mut rng = Rng::new(42);
    let per = 10;
    (0..3)
        .map(|m| {
            let mut chosen: Vec<&DevPhoto> = Vec::new();
            for k in 0..per {
                chosen.push(face_photos[(m * per + k) % face_photos.len()]);
                chosen.push(plate_photos[(m * per + k) % plate_photos.len()]);
            }
            mosaic(&chosen, 4000, 3000, 5, 4, (0.8, 1.2), &mut rng)
        })
        .collect()
}

/// Writes [`test_mosaics`] as PNGs with a `boxes.json` into `dir`, for tuning with
/// `augenmerk-anon eval DIR` (the recall test's ignored `write_mosaics_for_tuning`
/// and the benchmark's `write-mosaics` call it).
pub fn write_mosaics(dir: &Path) {
    std::fs::create_dir_all(dir.join("images")).expect("mosaic dir");
    let mut entries = Vec::new();
    for (m, mosaic) in test_mosaics().into_iter().enumerate() {
        let file = format!("mosaic{m}.png");
        mosaic.image.save(dir.join("images").join(&file)).expect("save mosaic");
        entries.push(serde_json::json!({"file": file, "faces": mosaic.faces, "plates": mosaic.plates}));
    }
    std::fs::write(
        dir.join("boxes.json"),
        serde_json::to_vec_pretty(&entries).expect("json"),
    )
    .expect("boxes.json");
}
