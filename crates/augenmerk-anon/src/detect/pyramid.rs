//! Which views each detector sees: an overview of the whole image, then
//! levels of overlapping tiles up to the detector's finest scale, each level
//! cut into as few tiles as the largest tile side allows, all of one shape.

use super::DetectConfig;
use super::input::Region;
use super::view::View;

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

/// How one detector covers an image: its finest scale, the largest step
/// between levels, how views fill the input, the largest tile side and the
/// overlap of neighbouring tiles (in tile pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pyramid {
    /// Finest scale (1.0 = native pixels).
    pub finest: f32,
    /// Largest scale step between consecutive levels.
    pub max_ratio: f32,
    /// How a view fills its input.
    pub fit: Fit,
    /// Largest tile side (multiple of 32).
    pub tile: usize,
    /// Overlap of neighbouring tiles.
    pub overlap: usize,
}

impl DetectConfig {
    /// CenterFace's views.
    pub fn face_pyramid(&self) -> Pyramid {
        Pyramid {
            finest: self.face_scale,
            max_ratio: self.max_level_ratio,
            fit: Fit::Letterbox,
            tile: self.tile_size,
            overlap: self.tile_overlap,
        }
    }

    /// clp_det's views.
    pub fn plate_pyramid(&self) -> Pyramid {
        Pyramid {
            finest: self.plate_scale,
            max_ratio: self.plate_level_ratio,
            fit: Fit::Stretch,
            tile: self.plate_tile_size,
            overlap: self.plate_tile_overlap,
        }
    }

    /// The text detector's views: a plate fallback, so with the plates'
    /// overlap, scaled to its larger tiles.
    pub fn text_pyramid(&self) -> Pyramid {
        Pyramid {
            finest: self.text_scale,
            max_ratio: self.max_level_ratio,
            fit: Fit::Stretch,
            tile: self.text_tile_size,
            overlap: self.plate_tile_overlap * self.text_tile_size / self.plate_tile_size.max(1),
        }
    }
}

/// The overview plus the tile levels of `pyramid` for an image of `w`×`h`
/// pixels. Consecutive levels are at most `pyramid.max_ratio` apart.
pub fn plan_views(w: u32, h: u32, cfg: &DetectConfig, pyramid: &Pyramid) -> Vec<View> {
    let Pyramid {
        finest,
        max_ratio,
        fit,
        tile,
        overlap,
    } = *pyramid;
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
    // A letterboxed overview is padded only up to the next multiple of 32
    // (640×480 for a 4:3 photo): padding costs as much as pixels.
    let (pad_w, pad_h) = match fit {
        Fit::Stretch => (ov, ov),
        Fit::Letterbox => (ov_w.div_ceil(32) * 32, ov_h.div_ceil(32) * 32),
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
        pad_w,
        pad_h,
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
    // A side that needs a tile more only by a rounding error (1536.0001 px for
    // 3000 px at 2048/4000 in f32) does not get one.
    let n = ((len - o) / (max as f32 - o) - 1e-3).ceil().max(2.0) as usize;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pyramid(finest: f32, fit: Fit) -> Pyramid {
        Pyramid {
            finest,
            max_ratio: 4.0,
            fit,
            tile: 640,
            overlap: 64,
        }
    }

    #[test]
    fn small_image_gets_only_an_overview() {
        let cfg = DetectConfig::default();
        let v = plan_views(512, 366, &cfg, &pyramid(1.0, Fit::Letterbox));
        assert_eq!(v.len(), 1);
        assert_eq!((v[0].out_w, v[0].out_h), (640, 458));
        // Padded to the next multiple of 32 only.
        assert_eq!((v[0].pad_w, v[0].pad_h), (640, 480));
        let v = plan_views(512, 366, &cfg, &pyramid(1.0, Fit::Stretch));
        assert_eq!((v[0].out_w, v[0].out_h), (640, 640));
    }

    #[test]
    fn face_tiles_of_a_12mp_photo_are_fitted() {
        let cfg = DetectConfig::default();
        // At the scale of a 2048 px upload: the overview (640×480) plus 5×4
        // tiles of 448×448 (480×448 with an overlap of 64 and 544 px tiles;
        // 8×6 of 384×384 at 0.6 before tiles were fitted).
        let out = cfg.for_output(2048.0 / 4000.0);
        let views = plan_views(4000, 3000, &cfg, &out.face_pyramid());
        assert_eq!(views.len(), 1 + 20);
        assert_eq!((views[0].pad_w, views[0].pad_h), (640, 480));
        assert!(views[1..].iter().all(|v| (v.pad_w, v.pad_h) == (448, 448)));
        // Plates keep 384×384 tiles: 8×6 at 0.6, and no middle level.
        let plates = plan_views(4000, 3000, &cfg, &out.plate_pyramid());
        assert_eq!(plates.len(), 1 + 48);
        assert!(plates[1..].iter().all(|v| (v.pad_w, v.pad_h) == (384, 384)));
    }

    #[test]
    fn a_rounding_error_does_not_add_a_tile() {
        // 1488 / 496 is exactly 3 tiles; 1488.0001 must not make it 4.
        assert_eq!(fit_side(1536.0001, 544, 48), (3, 544));
        assert_eq!(fit_side(1537.0, 544, 48).0, 4);
    }

    #[test]
    fn tiles_cover_a_12mp_photo_at_native_scale() {
        let cfg = DetectConfig::default();
        let views = plan_views(4000, 3000, &cfg, &pyramid(1.0, Fit::Stretch));
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
