//! Irreversible obscuring of boxes in an image. Each box is first pixelated
//! into a handful of coarse blocks (which throws the detail away for good:
//! only one mean colour per block survives, so no deconvolution can bring a
//! face or a plate's characters back), then box-blurred inside the box so the
//! result looks like a soft smudge rather than a mosaic. The blur reads only
//! pixels that were already pixelated, so it cannot leak detail back in.

use image::RgbImage;

use crate::geometry::BBox;

/// How coarse the pixelation is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlurOptions {
    /// Number of blocks along the longer side of a box. Five leaves a face as
    /// a 5×4 colour grid and a plate as about 5×2 blocks: unrecognisable,
    /// since each block is wider than a plate character.
    pub blocks_across: u32,
    /// Smallest block edge in pixels, so tiny boxes are still mixed.
    pub min_block: u32,
    /// How far each block is pulled towards the box's mean colour (0 = not,
    /// 1 = flat fill). Lowering the contrast keeps a skin-coloured centre and
    /// dark surroundings from still reading as "a face" to a detector.
    pub flatten: f32,
}

impl Default for BlurOptions {
    fn default() -> Self {
        BlurOptions {
            blocks_across: 5,
            min_block: 3,
            flatten: 0.5,
        }
    }
}

/// Obscures every box in place. Boxes are clamped to the image; empty ones are
/// skipped. Returns the integer pixel bounds that were obscured.
pub fn blur_boxes(image: &mut RgbImage, boxes: &[BBox], options: &BlurOptions) -> Vec<[u32; 4]> {
    let (w, h) = image.dimensions();
    let mut done = Vec::with_capacity(boxes.len());
    for b in boxes {
        if !b.is_valid() {
            continue;
        }
        let (x1, y1, x2, y2) = b.pixel_bounds(w, h);
        if x2 <= x1 || y2 <= y1 {
            continue;
        }
        obscure_region(image, x1, y1, x2, y2, options);
        done.push([x1, y1, x2, y2]);
    }
    done
}

fn obscure_region(image: &mut RgbImage, x1: u32, y1: u32, x2: u32, y2: u32, o: &BlurOptions) {
    let (rw, rh) = ((x2 - x1) as usize, (y2 - y1) as usize);
    let longer = rw.max(rh) as u32;
    let block = longer.div_ceil(o.blocks_across.max(1)).max(o.min_block.max(1)) as usize;

    // Copy the region out, pixelate, blur, write back.
    let mut buf: Vec<[f32; 3]> = Vec::with_capacity(rw * rh);
    for y in y1..y2 {
        for x in x1..x2 {
            let p = image.get_pixel(x, y).0;
            buf.push([f32::from(p[0]), f32::from(p[1]), f32::from(p[2])]);
        }
    }
    pixelate(&mut buf, rw, rh, block);
    flatten(&mut buf, o.flatten.clamp(0.0, 1.0));
    let radius = (block / 2).max(1);
    box_blur(&mut buf, rw, rh, radius);
    for (i, px) in buf.iter().enumerate() {
        let (x, y) = (x1 + (i % rw) as u32, y1 + (i / rw) as u32);
        let v = px.map(|c| c.round().clamp(0.0, 255.0) as u8);
        image.put_pixel(x, y, image::Rgb(v));
    }
}

/// Replaces each `block`×`block` cell by its mean colour.
fn pixelate(buf: &mut [[f32; 3]], w: usize, h: usize, block: usize) {
    for by in (0..h).step_by(block) {
        for bx in (0..w).step_by(block) {
            let (ex, ey) = ((bx + block).min(w), (by + block).min(h));
            let mut sum = [0f32; 3];
            for y in by..ey {
                for px in &buf[y * w + bx..y * w + ex] {
                    for c in 0..3 {
                        sum[c] += px[c];
                    }
                }
            }
            let n = ((ex - bx) * (ey - by)) as f32;
            let mean = sum.map(|s| s / n);
            for y in by..ey {
                for px in &mut buf[y * w + bx..y * w + ex] {
                    *px = mean;
                }
            }
        }
    }
}

/// Pulls every pixel towards the mean colour by `amount`.
fn flatten(buf: &mut [[f32; 3]], amount: f32) {
    if buf.is_empty() || amount <= 0.0 {
        return;
    }
    let mut mean = [0f32; 3];
    for px in buf.iter() {
        for c in 0..3 {
            mean[c] += px[c];
        }
    }
    let n = buf.len() as f32;
    let mean = mean.map(|m| m / n);
    for px in buf.iter_mut() {
        for c in 0..3 {
            px[c] += (mean[c] - px[c]) * amount;
        }
    }
}

/// Separable box blur with edge clamping, confined to the buffer.
fn box_blur(buf: &mut [[f32; 3]], w: usize, h: usize, r: usize) {
    let mut line: Vec<[f32; 3]> = Vec::with_capacity(w.max(h));
    let n = (2 * r + 1) as f32;
    // Horizontal pass.
    for y in 0..h {
        line.clear();
        line.extend_from_slice(&buf[y * w..(y + 1) * w]);
        blur_line(&line, n, r, |i, v| buf[y * w + i] = v);
    }
    // Vertical pass.
    for x in 0..w {
        line.clear();
        line.extend((0..h).map(|y| buf[y * w + x]));
        blur_line(&line, n, r, |i, v| buf[i * w + x] = v);
    }
}

fn blur_line(line: &[[f32; 3]], n: f32, r: usize, mut put: impl FnMut(usize, [f32; 3])) {
    let len = line.len();
    let at = |i: isize| line[i.clamp(0, len as isize - 1) as usize];
    let mut sum = [0f32; 3];
    for k in -(r as isize)..=(r as isize) {
        let p = at(k);
        for c in 0..3 {
            sum[c] += p[c];
        }
    }
    for i in 0..len {
        put(i, sum.map(|s| s / n));
        let (add, sub) = (at(i as isize + r as isize + 1), at(i as isize - r as isize));
        for c in 0..3 {
            sum[c] += add[c] - sub[c];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_inside_the_box_is_destroyed_and_outside_untouched() {
        // A fine checkerboard: after obscuring, neighbouring pixels inside the
        // box must be nearly equal; outside they still alternate.
        let mut img = RgbImage::from_fn(64, 64, |x, y| {
            if (x + y) % 2 == 0 {
                image::Rgb([255, 255, 255])
            } else {
                image::Rgb([0, 0, 0])
            }
        });
        let done = blur_boxes(&mut img, &[BBox::new(8.0, 8.0, 40.0, 40.0)], &BlurOptions::default());
        assert_eq!(done, vec![[8, 8, 40, 40]]);
        for y in 9..39 {
            for x in 9..39 {
                let a = i32::from(img.get_pixel(x, y).0[0]);
                let b = i32::from(img.get_pixel(x + 1, y).0[0]);
                assert!((a - b).abs() < 40, "detail left at {x},{y}: {a} vs {b}");
            }
        }
        assert_ne!(img.get_pixel(50, 50).0, img.get_pixel(51, 50).0);
    }

    #[test]
    fn degenerate_and_outside_boxes_are_skipped() {
        let mut img = RgbImage::new(10, 10);
        let boxes = [BBox::new(5.0, 5.0, 5.0, 9.0), BBox::new(20.0, 20.0, 30.0, 30.0)];
        assert!(blur_boxes(&mut img, &boxes, &BlurOptions::default()).is_empty());
    }
}
