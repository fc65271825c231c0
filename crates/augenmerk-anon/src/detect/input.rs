//! Building model input tensors from a region of the image: crop, scale by
//! area averaging (so a downscaled overview does not alias), normalise, and
//! pad to the model's fixed input size, all in one pass without an
//! intermediate full-size copy.

use image::RgbImage;
use tract_onnx::prelude::*;

/// Per-model pixel normalisation: `value = (pixel - mean[c]) * scale[c]`,
/// with channel `c` taken in BGR order when `bgr` is set.
#[derive(Debug, Clone, Copy)]
pub struct Norm {
    /// Subtracted per input channel.
    pub mean: [f32; 3],
    /// Multiplied per input channel after subtracting.
    pub scale: [f32; 3],
    /// The model expects blue first.
    pub bgr: bool,
}

/// A rectangle of the source image in pixels (`x`, `y`, `w`, `h`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    /// Left.
    pub x: f32,
    /// Top.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

/// Samples `region` of `img` into an `out_w`×`out_h` area at the top-left of
/// a `[1, 3, pad_h, pad_w]` tensor; the padding is 0 after normalisation.
pub fn region_tensor(
    img: &RgbImage,
    region: Region,
    out_w: usize,
    out_h: usize,
    pad_w: usize,
    pad_h: usize,
    norm: &Norm,
) -> TractResult<Tensor> {
    let (iw, ih) = (img.width() as usize, img.height() as usize);
    let sx = region.w / out_w as f32;
    let sy = region.h / out_h as f32;
    // Source index ranges per output column / row. When shrinking, each output
    // pixel averages its whole footprint; when enlarging or at 1:1 it takes
    // the nearest source pixel.
    let ranges = |n: usize, start: f32, s: f32, limit: usize| -> Vec<(usize, usize)> {
        (0..n)
            .map(|i| {
                let a = start + i as f32 * s;
                let b = a + s;
                let lo = (a.floor().max(0.0) as usize).min(limit - 1);
                let hi = if s > 1.0 {
                    (b.floor() as usize).clamp(lo + 1, limit)
                } else {
                    lo + 1
                };
                (lo, hi)
            })
            .collect()
    };
    let xr = ranges(out_w, region.x, sx, iw);
    let yr = ranges(out_h, region.y, sy, ih);

    let plane = pad_w * pad_h;
    let mut data = vec![0f32; 3 * plane];
    let raw = img.as_raw();
    let order: [usize; 3] = if norm.bgr { [2, 1, 0] } else { [0, 1, 2] };
    // Separable: sum each output row's source rows per column (exact, in
    // integers), then sum each output pixel's columns. Per output pixel this
    // touches each source column once instead of looping over a tiny
    // rectangle, which made this function a few percent of the whole run.
    let (cx0, cx1) = match (xr.first(), xr.last()) {
        (Some(first), Some(last)) => (first.0, last.1),
        _ => return Ok(tract_ndarray::Array4::from_shape_vec((1, 3, pad_h, pad_w), data)?.into_tensor()),
    };
    let mut cols = vec![0u32; (cx1 - cx0) * 3];
    // Each output pixel's columns, as an offset into `cols` and a count, and
    // the reciprocal per count once per row: tiles sample 1–2 columns per
    // pixel (the cases without a loop below), overviews about 6. The same
    // floats as a division per pixel.
    let spans: Vec<(usize, usize)> = xr.iter().map(|&(x0, x1)| ((x0 - cx0) * 3, x1 - x0)).collect();
    let widest = spans.iter().map(|s| s.1).max().unwrap_or(1);
    let mut inv_by_count = vec![0f32; widest + 1];
    let scale: [f32; 3] = [norm.scale[0], norm.scale[1], norm.scale[2]];
    let (p0, rest) = data.split_at_mut(plane);
    let (p1, p2) = rest.split_at_mut(plane);
    for (oy, &(y0, y1)) in yr.iter().enumerate() {
        cols.fill(0);
        for y in y0..y1 {
            let row = &raw[(y * iw + cx0) * 3..(y * iw + cx1) * 3];
            for (acc, &v) in cols.iter_mut().zip(row) {
                *acc += u32::from(v);
            }
        }
        let rows = (y1 - y0) as f32;
        for (n, inv) in inv_by_count.iter_mut().enumerate().skip(1) {
            *inv = 1.0 / (rows * n as f32);
        }
        let o = oy * pad_w;
        let outs = (&mut p0[o..o + out_w], &mut p1[o..o + out_w], &mut p2[o..o + out_w]);
        for (ox, &(start, n)) in spans.iter().enumerate() {
            let px = &cols[start..start + n * 3];
            let sum = match n {
                1 => [px[0], px[1], px[2]],
                2 => [px[0] + px[3], px[1] + px[4], px[2] + px[5]],
                _ => px
                    .chunks_exact(3)
                    .fold([0u32; 3], |s, p| [s[0] + p[0], s[1] + p[1], s[2] + p[2]]),
            };
            let inv = inv_by_count[n];
            let v = |c: usize| (sum[order[c]] as f32 * inv - norm.mean[c]) * scale[c];
            outs.0[ox] = v(0);
            outs.1[ox] = v(1);
            outs.2[ox] = v(2);
        }
    }
    Ok(tract_ndarray::Array4::from_shape_vec((1, 3, pad_h, pad_w), data)?.into_tensor())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinking_averages_each_footprint_and_pads_with_zero() {
        // 4×2 image, halved to 2×1 inside a 4×2 tensor.
        let img = RgbImage::from_fn(4, 2, |x, y| image::Rgb([(x * 10 + y * 100) as u8, 1, 2]));
        let norm = Norm {
            mean: [0.0; 3],
            scale: [1.0; 3],
            bgr: false,
        };
        let region = Region {
            x: 0.0,
            y: 0.0,
            w: 4.0,
            h: 2.0,
        };
        let t = region_tensor(&img, region, 2, 1, 4, 2, &norm).expect("tensor");
        let v = t.try_as_plain_ram().and_then(|d| d.as_slice::<f32>()).expect("f32");
        // Red plane: mean of (0, 10, 100, 110) and of (20, 30, 120, 130).
        assert_eq!(&v[0..4], &[55.0, 75.0, 0.0, 0.0]);
        assert_eq!(&v[4..8], &[0.0; 4]);
        // Green plane is constant 1 where the image is.
        assert_eq!(&v[8..10], &[1.0, 1.0]);
    }
}
